#!/usr/bin/env bash
# costlab's test command: everything CI checks, runnable on a fresh machine with the Rust
# toolchain. Installs what it needs first: cmake and libclang to build the HiGHS LP solver, and
# Chromium for the browser test of the HTML report (Debian packages, via apt-get).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v cmake >/dev/null 2>&1 || need+=(cmake)
ldconfig -p 2>/dev/null | grep -q "libclang" || need+=(libclang1-14)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing ${need[*]}"
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
      echo "note: chromium could not be installed; the browser test will be skipped"
  fi
fi

# rustfmt and clippy ship with the toolchain; add them if a minimal toolchain lacks them.
if ! cargo fmt --version >/dev/null 2>&1 || ! cargo clippy --version >/dev/null 2>&1; then
  rustup component add rustfmt clippy
fi

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets --locked -- -D warnings
echo "== cargo test"
# Property tests draw from a fixed seed here so that a run is reproducible and a landing never
# depends on luck; unset or change PROPTEST_RNG_SEED to explore new cases (failures found that
# way are kept in tests/*.proptest-regressions and then run every time).
export PROPTEST_RNG_SEED="${PROPTEST_RNG_SEED:-20261122}"
cargo test --locked
echo "== README examples"
# The binary `cargo test` just built (`cargo run` would rebuild HiGHS for the plain dev profile).
./target/debug/costlab estimate scenarios/example-usage.toml --format json > /dev/null
# The README's first command (`costlab run scenarios/datalake.toml`) runs inside `cargo test`:
# tests/cli/report_run.rs `every_bundled_scenario_reports_what_its_report_json_says` runs it and
# the other bundled scenarios and checks their reports (running it again here would add
# minutes in a debug build for nothing more).
