#!/usr/bin/env bash
# costlab's test command: everything CI checks, runnable on a fresh machine with the Rust
# toolchain. Installs what it needs first (nothing beyond Rust's own components today).
set -euo pipefail
cd "$(dirname "$0")/.."

# rustfmt and clippy ship with the toolchain; add them if a minimal toolchain lacks them.
if ! cargo fmt --version >/dev/null 2>&1 || ! cargo clippy --version >/dev/null 2>&1; then
  rustup component add rustfmt clippy
fi

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets --locked -- -D warnings
echo "== cargo test"
cargo test --locked
echo "== README example"
cargo run --locked --quiet -- estimate scenarios/example-usage.toml --format json > /dev/null
