#!/usr/bin/env bash
# Billing-export read: a CUR 2.0 month of LINES line items (default 10M) written as Parquet
# (snappy, 200k-row row groups), then read by costlab (hourly EC2 demand per type, Region,
# platform and tenancy; RIs and Savings Plans; S3 usage per bucket, usage type and day), beside
# a plain Parquet scan of every column of the same file in the same run (the parquet crate's
# column readers; and DuckDB's `SELECT count(*)` over all columns when the `duckdb` Python
# package is installed). Prints wall time and peak RSS of each. Target: costlab < 30 s on 2
# cores, memory bounded by the distinct keys (not the rows).
# Usage: scripts/bench-billing.sh [LINES]. BENCH_DIR keeps the file between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
LINES=${1:-10000000}
DIR=${BENCH_DIR:-$(mktemp -d)}
FILE="$DIR/cur-$LINES.parquet"
cargo build --release --quiet --example billing_bench
BIN=target/release/examples/billing_bench
if [ ! -f "$FILE" ]; then
  "$BIN" gen "$FILE" "$LINES"
fi
ls -l "$FILE"
measure() {
  local name=$1; shift
  /usr/bin/time -f "$name: %e s wall, %U s user, peak RSS %M KiB" "$@"
}
measure "costlab read (demand + commitments + S3 usage)" "$BIN" read "$FILE"
measure "plain Parquet scan (all columns, parquet crate)" "$BIN" scan "$FILE"
if python3 -c "import duckdb" 2>/dev/null; then
  measure "DuckDB scan (all columns)" python3 - "$FILE" <<'PY'
import sys, duckdb
cols = [r[0] for r in duckdb.sql(f"DESCRIBE SELECT * FROM read_parquet('{sys.argv[1]}')").fetchall()]
expr = ", ".join(f'count("{c}")' for c in cols)
print(duckdb.sql(f"SELECT count(*), {expr} FROM read_parquet('{sys.argv[1]}')").fetchone()[:3])
PY
else
  echo "DuckDB scan: skipped (pip install duckdb to add it)"
fi
