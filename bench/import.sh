#!/usr/bin/env bash
# What a write costs in the database: `aimd-registry import` of N generated
# organisations into a fresh database, with two builds alternating
# (BEFORE, AFTER, BEFORE, …) so that the machine's drift falls on both.
#
#   bench/import.sh BEFORE_BINARY AFTER_BINARY     # N=1000 ROUNDS=5
#
# Each round migrates a database of its own with the binary under test
# (so each runs with its own schema and triggers) and drops it after.
set -euo pipefail
cd "$(dirname "$0")/.."

BEFORE=$1
AFTER=$2
SERVER_URL=${BENCH_SERVER_URL:-postgres://postgres@127.0.0.1:5432}
N=${N:-1000}
ROUNDS=${ROUNDS:-5}
WORK=$(mktemp -d)
DB=aimd_bench_import
trap 'psql "$SERVER_URL/postgres" -qAtX -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null; rm -rf "$WORK"' EXIT

N=$N python3 - > "$WORK/organisations.ndjson" <<'PY'
import json, os
kinds = ["standards-body", "regulator", "notified-body", "manufacturer", "university", "research-institute"]
countries = ["NL", "DE", "BE", "FR", "GB", "SE"]
for n in range(int(os.environ["N"])):
    print(json.dumps({
        "kind": "organisation", "name": f"Benchmark Organisation {n}",
        "type": kinds[n % len(kinds)], "country": countries[n % len(countries)],
        "website": f"https://org{n}.example.org/",
        "description": {"en": f"A generated organisation, number {n}, for measuring imports.",
                        "nl": f"Een gegenereerde organisatie, nummer {n}, om imports te meten."},
        "topics": ["standardisation"]}))
PY

for round in $(seq 1 "$ROUNDS"); do
    for label in before after; do
        bin=$BEFORE
        [ "$label" = after ] && bin=$AFTER
        psql "$SERVER_URL/postgres" -qAtX -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null
        DATABASE_URL="$SERVER_URL/$DB" "$bin" --log warn migrate
        started=$(date +%s%N)
        DATABASE_URL="$SERVER_URL/$DB" "$bin" --log warn import "$WORK/organisations.ndjson" >/dev/null
        echo "round $round $label $(( ($(date +%s%N) - started) / 1000000 )) ms"
    done
done
