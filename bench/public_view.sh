#!/usr/bin/env bash
# Measures what settling the public view at commit (migration 7) adds to
# writes: the command-line import of N organisations and N initiatives,
# each initiative linked to one organisation, published, once with the
# public-view triggers on and once with them switched off, R times each.
#
#   bench/public_view.sh              # N=1000 R=3, the debug binary
#   N=5000 BIN=target/release/aimd-registry bench/public_view.sh
#
# Needs: psql and python3. Uses a database of its own, dropped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

SERVER_URL=${BENCH_SERVER_URL:-postgres://postgres@127.0.0.1:5432}
DB=aimd_bench_public_view
export DATABASE_URL="$SERVER_URL/$DB"
N=${N:-1000}
R=${R:-3}
BIN=${BIN:-target/debug/aimd-registry}
WORK=$(mktemp -d)
cleanup() {
    psql "$SERVER_URL/postgres" -qAtX -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

python3 - "$N" > "$WORK/lines.ndjson" <<'PY'
import json, sys
n = int(sys.argv[1])
for i in range(n):
    site = f"https://org{i}.example/"
    print(json.dumps({"kind": "organisation", "name": f"Organisation {i}", "type": "other", "website": site}))
    print(json.dumps({"kind": "initiative", "title": {"en": f"Initiative {i}"}, "scope": "national", "countries": ["NL"], "topics": ["data-use"],
                      "type": "other", "status": "active", "website": f"https://initiative{i}.example/",
                      "organisations": [{"ref": site, "role": "lead"}]}))
PY

run() { # on|off
    psql "$SERVER_URL/postgres" -qAtX -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null
    $BIN --log warn migrate
    if [ "$1" = off ]; then
        for table in organisations experts initiatives; do
            psql "$DATABASE_URL" -qAtX -c "ALTER TABLE $table DISABLE TRIGGER ${table}_public_view"
        done
    fi
    local start end
    start=$(date +%s.%N)
    $BIN --log warn import --publish "$WORK/lines.ndjson" > "$WORK/report.json"
    end=$(date +%s.%N)
    python3 -c "print(f'{$end - $start:.2f}')"
}

echo "import of $N organisations + $N linked initiatives, published ($BIN), seconds:"
for i in $(seq "$R"); do
    echo "  run $i: triggers on $(run on), off $(run off)"
done
