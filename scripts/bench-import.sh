#!/usr/bin/env bash
# Benchmark (not a test): `costlab pricing import` on a synthesized ~500 MB AmazonEC2 offer file,
# against `jq -c . FILE > /dev/null` on the same file in the same run. The file repeats the
# fixture products of tests/pricing/offers/ec2-traps-us-west-2.json (every filter trap: Capacity
# Block, capacity reservations, Host, SQL, Local Zone, EBS) under fresh SKUs and instance types,
# each with its On-Demand and Reserved terms, in the AWS layout (products first, then terms).
#
#   scripts/bench-import.sh [TARGET_MB]        (default 500)
#
# Needs python3, jq and GNU time (/usr/bin/time). Uses target/release/costlab (built if absent;
# COSTLAB=path to use another binary). Prints wall time and peak RSS of each. Goal: import in
# < 30 s and < 1 GB peak memory on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
MB="${1:-500}"
WORK="${BENCH_DIR:-$(mktemp -d)}"
FILE="$WORK/AmazonEC2-us-west-2.json"
COSTLAB="${COSTLAB:-target/release/costlab}"
[ -x "$COSTLAB" ] || cargo build --release --bin costlab
command -v jq >/dev/null || { echo "jq is needed (apt-get install jq)"; exit 2; }
[ -x /usr/bin/time ] || { echo "GNU time is needed (apt-get install time)"; exit 2; }

python3 - "$FILE" "$MB" <<'PY'
import json, sys
out, mb = sys.argv[1], int(sys.argv[2])
src = json.load(open("tests/pricing/offers/ec2-traps-us-west-2.json"))
prods, od, ri = src["products"], src["terms"]["OnDemand"], src["terms"]["Reserved"]
target = mb * 1024 * 1024
# One copy of the fixture's products and terms is ~15 KB; products and terms are written in
# two passes, like AWS's files (all products, then all terms).
per_copy = len(json.dumps(prods, indent=2)) + len(json.dumps(od, indent=2)) + len(json.dumps(ri, indent=2))
copies = max(1, target // per_copy)
def renamed(i, sku):
    return "%s%07d" % (sku[:9], i)
def itype(i):
    return "c%da.x%dlarge" % (i % 97 + 1, i // 97 + 1)
with open(out, "w") as f:
    f.write('{\n  "formatVersion" : "v1.0",\n  "offerCode" : "AmazonEC2",\n  "version" : "20990101000000",\n'
            '  "publicationDate" : "2099-01-01T00:00:00Z",\n  "products" : {\n')
    first = True
    for i in range(copies):
        for sku, p in prods.items():
            q = json.loads(json.dumps(p))
            q["sku"] = renamed(i, sku)
            if "instanceType" in q["attributes"]:
                t = itype(i)
                q["attributes"]["instanceType"] = t
                q["attributes"]["usagetype"] = q["attributes"]["usagetype"].replace("c6a.xlarge", t)
            f.write(("" if first else ",\n") + '    "%s" : %s' % (q["sku"], json.dumps(q, indent=2)))
            first = False
    f.write('\n  },\n  "terms" : {\n')
    for bi, (bucket, terms) in enumerate((("OnDemand", od), ("Reserved", ri))):
        f.write(('' if bi == 0 else ',\n') + '    "%s" : {\n' % bucket)
        first = True
        for i in range(copies):
            for sku, t in terms.items():
                s = renamed(i, sku)
                body = json.dumps(t, indent=2).replace(sku, s)
                f.write(("" if first else ",\n") + '      "%s" : %s' % (s, body))
                first = False
        f.write('\n    }')
    f.write('\n  }\n}\n')
PY
SIZE=$(du -m "$FILE" | cut -f1)
echo "synthesized $FILE: ${SIZE} MB"
echo "== costlab pricing import"
/usr/bin/time -f "wall %e s, peak RSS %M KB" "$COSTLAB" pricing import "$FILE" --region us-west-2 -o "$WORK/book.toml"
echo "== jq -c . FILE > /dev/null"
/usr/bin/time -f "wall %e s, peak RSS %M KB" jq -c . "$FILE" > /dev/null
[ -n "${BENCH_DIR:-}" ] || rm -rf "$WORK"
