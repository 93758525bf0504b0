#!/usr/bin/env bash
# Golden outputs of every bundled scenario, for refactors that must not change a byte:
#
#   bash scripts/golden.sh /tmp/before            # with the old build
#   ... change the code ...
#   bash scripts/golden.sh /tmp/after             # with the new build
#   diff -r /tmp/before /tmp/after && echo identical
#
# Writes, for each bundled scenario, the `run` report folder (report.json, index.html,
# summary.md, bill.csv, charts, recommendation files), `simulate --format json|csv|table`,
# `optimize --format json`, the views `costlab report` regenerates from report.json (md, csv,
# table), `check` in every format against a budget and the report itself as baseline, and
# `estimate` of the bundled usage file. COSTLAB=path/to/costlab picks the binary (default: a
# release build of this checkout).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:?usage: scripts/golden.sh OUT_DIR}"
if [ -z "${COSTLAB:-}" ]; then
  cargo build --release --locked --manifest-path "$here/Cargo.toml" >&2
  COSTLAB="$here/target/release/costlab"
fi
rm -rf "$out"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
cd "$here"
budget="$out/budgets.toml"
for s in datalake emr-spot dr-replication; do
  d="$out/$s"
  mkdir -p "$d"
  "$COSTLAB" run "scenarios/$s.toml" --out "$d/run" > "$d/run.stdout"
  for f in json csv table; do
    "$COSTLAB" simulate "scenarios/$s.toml" --format "$f" > "$d/simulate.$f"
  done
  "$COSTLAB" optimize "scenarios/$s.toml" --out "$d/optimize" --format json > "$d/optimize.json" 2> /dev/null
  for f in md csv table; do
    "$COSTLAB" report "$d/run/report.json" --format "$f" > "$d/report.$f"
  done
  printf '[[budget]]\nscenario = "%s"\npolicy = "current"\nmax_total_usd = 1000000\nmax_growth_pct = 10\n' \
    "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["scenario"])' "$d/run/report.json")" > "$budget"
  # From inside the output folder: the paths the check prints do not depend on OUT_DIR.
  for f in text md json junit; do
    (cd "$d" && "$COSTLAB" check run/report.json --budget ../budgets.toml \
      --baseline run/report.json --format "$f" > "check.$f")
  done
done
"$COSTLAB" estimate scenarios/example-usage.toml --format json > "$out/estimate.json"
"$COSTLAB" estimate scenarios/example-usage.toml > "$out/estimate.table"
rm -f "$budget"
echo "golden outputs in $out" >&2
