#!/usr/bin/env bash
# Inventory-only S3 simulation: OBJECTS objects from a generated S3 Inventory (CSV.gz, 1M rows
# per data file, as S3 splits large reports), no logs, aged one year under the issue's four
# policies (rule of thumb, IA at 30 days, Intelligent-Tiering, all-Standard), no bound. Prints
# wall time, objects/s and peak RSS per object, with two peers measured in the same run:
# decompressing the data files alone (zcat, one core) and the same simulation with one policy.
# Usage: scripts/bench-inventory.sh [OBJECTS] (default 10000000). BENCH_DIR keeps the data.
set -euo pipefail
cd "$(dirname "$0")/.."
OBJECTS=${1:-10000000}
DIR=${BENCH_DIR:-$(mktemp -d)}
OUT="$DIR/inventory-$OBJECTS"
cargo build --release --quiet --bin costlab
if [ ! -f "$OUT/generate.json" ]; then
  cat > "$DIR/spec-$OBJECTS.toml" <<TOML
seed = 7
start = "2026-01-01"
end = "2026-01-02"
bucket = "bench-lake"
account_id = "123456789012"
region = "us-east-1"

[inventory]
objects = $OBJECTS
rows_per_file = 1000000
min_age_days = 1
max_age_days = 700

[[prefix]]
name = "bronze/"
key_template = "events/dt={date}/part-{seq}-{uuid}.json.gz"
objects_per_day = 1
size = { dist = "lognormal", median_bytes = 262144, sigma = 1.5 }
existing_weight = 3

[[prefix]]
name = "silver/"
key_template = "tables/orders/dt={date}/part-{seq}-{uuid}.snappy.parquet"
objects_per_day = 1
size = { dist = "lognormal", median_bytes = 134217728, sigma = 1.0 }
existing_weight = 5

[[prefix]]
name = "gold/"
key_template = "marts/{date}/{uuid}.parquet"
objects_per_day = 1
size = { dist = "pareto", scale_bytes = 2000000, shape = 1.6 }
storage_class = "INTELLIGENT_TIERING"
existing_weight = 1
TOML
  echo "generating $OBJECTS inventory objects into $OUT ..." >&2
  ./target/release/costlab generate "$DIR/spec-$OBJECTS.toml" --out "$OUT" --force >/dev/null
fi
MANIFEST=$(find "$OUT" -name manifest.json | head -1)
echo "cores: $(nproc); $(find "$(dirname "$MANIFEST")/.." -name '*.csv.gz' | wc -l) data files, $(du -shL "$OUT" | cut -f1)"
t0=$(date +%s.%N)
find "$(dirname "$MANIFEST")/.." -name '*.csv.gz' -exec zcat {} + > /dev/null
t1=$(date +%s.%N)
awk -v s="$(awk "BEGIN{print $t1 - $t0}")" -v n="$OBJECTS" \
  'BEGIN { printf "%-34s %7.2f s  %10.0f objects/s\n", "peer: zcat the data files (1 core)", s, n/s }'
run() {
  local label=$1
  shift
  /usr/bin/time -f "%e %M" -o "$DIR/time" ./target/release/costlab simulate --inventory "$MANIFEST" \
    "$@" --no-bound --start 2026-01-01 --end 2027-01-01 --format json > "$DIR/out.json"
  read -r secs kb < "$DIR/time"
  awk -v s="$secs" -v kb="$kb" -v n="$OBJECTS" -v what="$label" \
    'BEGIN { printf "%-34s %7.2f s  %10.0f objects/s  peak RSS %6.0f MB  %5.1f bytes/object\n", what, s, n/s, kb/1024, kb*1024/n }'
}
run "simulate, 1 policy" --all-standard
run "simulate, 4 policies" --policy rot=scenarios/lifecycle/rule-of-thumb.json --policy ia=scenarios/lifecycle/standard-ia-30.json \
  --intelligent-tiering --all-standard
[ -n "${BENCH_DIR:-}" ] || rm -rf "$DIR"
