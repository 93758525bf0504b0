#!/usr/bin/env bash
# Installs what building and testing costlab needs beyond the Rust toolchain, when missing
# (Debian packages, via apt-get): cmake and libclang to build the HiGHS LP solver, and, with
# `--browser`, Chromium for the browser test of the HTML report. Sourced or run by
# scripts/run.sh and scripts/test.sh; does nothing when everything is present.
set -euo pipefail

browser=false
[ "${1:-}" = "--browser" ] && browser=true

need=()
command -v cmake >/dev/null 2>&1 || need+=(cmake)
# (libclang-cpp, which some images carry, is not libclang: bindgen needs libclang.so.)
ldconfig -p 2>/dev/null | grep -qE "libclang(-[0-9.]+)?\.so" || need+=(libclang1-14)
if $browser; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing ${need[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  # Chromium is only for the browser test (skipped with a notice when absent): its failure to
  # install must not stop the build tools from installing.
  build=()
  for p in "${need[@]}"; do [ "$p" = chromium ] || build+=("$p"); done
  if [ ${#build[@]} -gt 0 ]; then
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${build[@]}" >/dev/null
  fi
  if [[ " ${need[*]} " == *" chromium "* ]]; then
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null ||
      echo "note: chromium could not be installed; the browser test will be skipped" >&2
  fi
fi
