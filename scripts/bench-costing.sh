#!/usr/bin/env bash
# The optimizer's costing pass, per object against cohorts (benches/costing.rs), in one run:
# LINES lines of generated access log (examples/gen_access_log, March 2026, costed over
# March–May) and OBJECTS generated inventory objects (costed over 2026), each under the default
# candidate grid with the default groups (depth 1, bands split at 128 KiB). Prints both passes'
# times and their ratio; the bench fails if their integers differ.
# Usage: scripts/bench-costing.sh [LINES] [OBJECTS] (defaults 200000 and 100000). BENCH_DIR
# keeps the log.
set -euo pipefail
cd "$(dirname "$0")/.."
LINES=${1:-200000}
OBJECTS=${2:-100000}
DIR=${BENCH_DIR:-$(mktemp -d)}
LOG="$DIR/access-$LINES.log"
cargo build --release --quiet --examples
[ -f "$LOG" ] || ./target/release/examples/gen_access_log "$LINES" "$LOG"
COSTLAB_BENCH_LOG="$LOG" COSTLAB_BENCH_INVENTORY="$OBJECTS" cargo bench --quiet --bench costing
[ -n "${BENCH_DIR:-}" ] || rm -rf "$DIR"
