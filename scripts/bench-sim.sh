#!/usr/bin/env bash
# End-to-end S3 simulation throughput: parse + group + replay against 4 policies + rate, on a
# generated access log (default 2M lines, one object per line at most). Prints events/s and peak
# memory per tracked object, for one policy, for the issue's four (rule of thumb, IA at 30 days,
# Intelligent-Tiering, all-Standard), for the four with the objects partitioned to disk under a
# small --memory-limit, and for the four plus the clairvoyant bound (which replays several
# candidate paths per object). Usage: scripts/bench-sim.sh [LINES]
set -euo pipefail
cd "$(dirname "$0")/.."
LINES=${1:-2000000}
DIR=${BENCH_DIR:-$(mktemp -d)}
LOG="$DIR/access-$LINES.log"
cargo build --release --quiet --examples --bin costlab
[ -f "$LOG" ] || ./target/release/examples/gen_access_log "$LINES" "$LOG"
echo "cores: $(nproc)"
# Every run reads the same file: warm the page cache so that the first does not pay the disk.
cat "$LOG" > /dev/null
run() {
  local label=$1
  shift
  /usr/bin/time -f "%e %M" -o "$DIR/time" ./target/release/costlab simulate --logs "$LOG" "$@" \
    --start 2026-03-01 --end 2026-06-01 --format json > "$DIR/out.json"
  read -r secs kb < "$DIR/time"
  objects=$(grep -m1 '"objects"' "$DIR/out.json" | tr -dc '0-9')
  awk -v s="$secs" -v kb="$kb" -v n="$LINES" -v o="$objects" -v what="$label" \
    'BEGIN { printf "%-30s %7.2f s  %10.0f events/s  peak RSS %6.0f MB  %5.0f bytes/object (%d objects)\n", what, s, n/s, kb/1024, kb*1024/o, o }'
}
FOUR=(--policy rot=scenarios/lifecycle/rule-of-thumb.json --policy ia=scenarios/lifecycle/standard-ia-30.json --intelligent-tiering --all-standard)
run "1 policy" --all-standard --no-bound
run "4 policies" "${FOUR[@]}" --no-bound
# The same with the objects partitioned to disk (docs/scenario.md, "Memory"): a limit of about a
# quarter of what the run in memory holds.
LIMIT=$(( LINES / 40 ))KiB
run "4 policies, partitioned" "${FOUR[@]}" --no-bound --memory-limit "$LIMIT" 2> "$DIR/err"
grep -o "to [0-9]* files" "$DIR/err" | sed "s/^/  (--memory-limit $LIMIT: partitioned /; s/$/)/" || true
run "4 policies + bound" "${FOUR[@]}"
[ -n "${BENCH_DIR:-}" ] || rm -rf "$DIR"
