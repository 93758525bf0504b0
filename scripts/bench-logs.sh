#!/usr/bin/env bash
# Access-log parsing throughput: costlab on one core and on all cores, end to end
# (`costlab logs parse`), and GoAccess (--log-format=AWSS3) on the same generated file, in one
# run so the ratio compares like with like. Usage: scripts/bench-logs.sh [LINES] (default 2M).
set -euo pipefail
cd "$(dirname "$0")/.."
LINES=${1:-2000000}
DIR=${BENCH_DIR:-$(mktemp -d)}
LOG="$DIR/access-$LINES.log"

if ! command -v goaccess >/dev/null 2>&1; then
  echo "installing goaccess (Debian package) ..." >&2
  (apt-get update -qq && apt-get install -y -qq goaccess) >/dev/null 2>&1 || echo "goaccess could not be installed; its timing is skipped" >&2
fi

cargo build --release --quiet --examples --bin costlab
[ -f "$LOG" ] || ./target/release/examples/gen_access_log "$LINES" "$LOG"
echo "cores: $(nproc)"
./target/release/examples/parse_throughput "$LOG"

MB=$(du -m "$LOG" | cut -f1)
t0=$(date +%s.%N)
./target/release/costlab logs parse "$LOG" > /dev/null
t1=$(date +%s.%N)
E2E=$(awk "BEGIN{print $t1 - $t0}")
printf 'costlab logs parse (read + parse + JSONL out), 1 core: %.3f s  %.0f lines/s\n' "$E2E" "$(awk "BEGIN{print $LINES / $E2E}")"

t0=$(date +%s.%N)
./target/release/costlab logs stats "$LOG" --format json > /dev/null
t1=$(date +%s.%N)
STATS=$(awk "BEGIN{print $t1 - $t0}")
printf 'costlab logs stats (read + parse + aggregate), 1 core: %.3f s  %.0f lines/s\n' "$STATS" "$(awk "BEGIN{print $LINES / $STATS}")"

if command -v goaccess >/dev/null 2>&1; then
  t0=$(date +%s.%N)
  goaccess "$LOG" --log-format=AWSS3 --no-global-config -o "$DIR/goaccess.json" >/dev/null 2>&1 || true
  t1=$(date +%s.%N)
  GA=$(awk "BEGIN{print $t1 - $t0}")
  printf 'goaccess --log-format=AWSS3 (json report):            %.3f s  %.0f lines/s\n' "$GA" "$(awk "BEGIN{print $LINES / $GA}")"
  printf 'ratio: costlab logs stats (parse + aggregate, like GoAccess) is %.1fx as fast as GoAccess on the same file\n' "$(awk "BEGIN{print $GA / $STATS}")"
  printf 'ratio: costlab logs parse (parse + JSONL of every record) is %.1fx as fast as GoAccess\n' "$(awk "BEGIN{print $GA / $E2E}")"
fi
[ -n "${BENCH_DIR:-}" ] || rm -rf "$DIR"
