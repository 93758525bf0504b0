#!/usr/bin/env bash
# The README's first command: `bash scripts/run.sh SCENARIO` installs the build tools if this
# machine lacks them (scripts/deps.sh), builds costlab in release mode and runs
# `costlab run SCENARIO` from the current directory (further arguments are passed on).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bash "$here/scripts/deps.sh"
exec cargo run --release --locked --manifest-path "$here/Cargo.toml" -- run "$@"
