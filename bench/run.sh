#!/usr/bin/env bash
# Benchmarks the API against PostgreSQL alone on a synthetic registry.
#
#   bench/run.sh            # generate the dataset (if needed), build, serve, measure
#   DURATION=20 bench/run.sh
#
# Needs: wrk, pgbench, psql (Debian: apt-get install wrk postgresql-client).
# Everything runs on this machine against 127.0.0.1; nothing else is contacted.
set -euo pipefail
cd "$(dirname "$0")/.."

SERVER_URL=${BENCH_SERVER_URL:-postgres://postgres@127.0.0.1:5432}
DB=${BENCH_DB:-aimd_bench}
DATABASE_URL="$SERVER_URL/$DB"
PORT=${BENCH_PORT:-18080}
DURATION=${DURATION:-15}
BASE="http://127.0.0.1:$PORT"
WORK=$(mktemp -d)
trap 'kill "${SERVER_PID:-}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

psql_db() { psql "$DATABASE_URL" -qAtX "$@"; }

cargo build --release --quiet
BIN=target/release/aimd-registry

if ! psql "$SERVER_URL/postgres" -qAtX -c "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1 \
   || [ "$(psql_db -c 'SELECT count(*) FROM initiatives' 2>/dev/null || echo 0)" = "0" ]; then
    echo "== generating the dataset in $DB"
    DATABASE_URL="$DATABASE_URL" $BIN migrate >/dev/null 2>&1
    start=$(date +%s)
    psql_db -v initiatives="${INITIATIVES:-100000}" -v experts="${EXPERTS:-30000}" \
        -v organisations="${ORGANISATIONS:-20000}" -f bench/generate.sql >/dev/null
    echo "   loaded in $(( $(date +%s) - start )) s"
fi
psql_db -c "SELECT 'dataset: ' || (SELECT count(*) FROM initiatives) || ' initiatives, ' || (SELECT count(*) FROM experts) \
    || ' experts, ' || (SELECT count(*) FROM organisations) || ' organisations'"

# Paths for each scenario.
psql_db -c "SELECT '/v1/initiatives/' || id FROM initiatives WHERE is_public ORDER BY random() LIMIT 2000" > "$WORK/get.txt"
psql_db -c "SELECT '/v1/initiatives?scope=' || s || '&topic=' || t || '&status=active&limit=25'
            FROM unnest(ARRAY['national','european','international']) s,
                 (SELECT slug AS t FROM topics) t" > "$WORK/list.txt"
for q in federated validation radiology 'trustworthy%20oncology' 'benchmark%20-pathology' '%22medical%20imaging%22' \
         gefedereerd validatie 'betrouwbaar%20oncologie' interop radiol 'cardiolgy' 'Explainble'; do
    echo "/v1/search?q=$q"
    echo "/v1/initiatives?q=$q"
done > "$WORK/search.txt"
psql_db -c "SELECT '/v1/initiatives?scope=' || s || '&regulation=' || r || '&facets=scope,topic,country,type,status,regulation&limit=25'
            FROM unnest(ARRAY['national','european','international']) s, unnest(ARRAY['mdr','ai-act','gdpr']) r" > "$WORK/facets.txt"
psql_db -c "SELECT '/v1/overview' || x FROM unnest(ARRAY['', '?regulation=ai-act', '?country=NL', '?scope=european']) x" > "$WORK/overview.txt"
# Deep pages: cursors into the middle of the list in creation order.
psql_db -c "SELECT id FROM initiatives ORDER BY random() LIMIT 500" | while read -r id; do
    cursor=$(printf '{"s":"createdAt","k":null,"i":"%s"}' "$id" | base64 -w0 | tr '+/' '-_' | tr -d '=')
    echo "/v1/initiatives?limit=25&cursor=$cursor"
done > "$WORK/page.txt"

DATABASE_URL="$DATABASE_URL" $BIN migrate >/dev/null 2>&1
READER_TOKEN=$(DATABASE_URL="$DATABASE_URL" $BIN keys create --name "bench reader" --role reader 2>/dev/null)

echo "== starting the service on :$PORT"
# Rate limits off: the load comes from one address at rates far above them.
started=$(date +%s%N)
DATABASE_URL="$DATABASE_URL" AIMD_LOG=warn,aimd_registry::sync=info AIMD_LOG_FORMAT=json \
    AIMD_ANONYMOUS_RATE_LIMIT=0 AIMD_RATE_LIMIT=0 \
    $BIN serve --bind "127.0.0.1:$PORT" --no-migrate >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
# Lists answer 503 until the search index is built.
for _ in $(seq 1 600); do curl -fs "$BASE/v1/initiatives?limit=1" >/dev/null 2>&1 && break; sleep 0.1; done
echo "   answering lists $(( ($(date +%s%N) - started) / 1000000 )) ms after start;" \
    "$(grep -o '"took_ms":[0-9]*' "$WORK/server.log" | head -1) for the index build;" \
    "resident memory $(awk '/VmRSS/ {print $2, $3}' "/proc/$SERVER_PID/status")"

run() { # scenario connections
    local out
    out=$(PATHS="$WORK/$1.txt" wrk -t "$(( $2 < 2 ? 1 : 2 ))" -c "$2" -d "${DURATION}s" -s bench/wrk/paths.lua "$BASE" | grep '^RESULT')
    printf '%-9s c=%-3s %s\n' "$1" "$2" "${out#RESULT }"
}

cp "$WORK/get.txt" "$WORK/getkey.txt"
echo "== API (wrk, ${DURATION}s each; getkey: get by id with a reader's key)"
for scenario in get getkey list search facets overview page; do
    token=""
    [ "$scenario" = getkey ] && token=$READER_TOKEN
    for connections in 1 32; do
        # Warm the caches once per scenario.
        [ "$connections" = 1 ] && TOKEN=$token PATHS="$WORK/$scenario.txt" wrk -t1 -c4 -d3s -s bench/wrk/paths.lua "$BASE" >/dev/null
        TOKEN=$token run "$scenario" "$connections"
    done
done | tee "$WORK/api.txt"
echo "   resident memory after the runs: $(awk '/VmRSS/ {print $2, $3}' "/proc/$SERVER_PID/status")"

echo "== PostgreSQL alone (pgbench, prepared, the get-by-id SELECT)"
psql_db -c "DROP TABLE IF EXISTS bench_ids; CREATE TABLE bench_ids AS SELECT row_number() OVER () AS n, id FROM initiatives;
            ALTER TABLE bench_ids ADD PRIMARY KEY (n); ANALYZE bench_ids"
cat > "$WORK/get.sql" <<'SQL'
\set n random(1, 100000)
SELECT i.* FROM initiatives i WHERE i.id = (SELECT id FROM bench_ids WHERE n = :n);
SQL
for connections in 1 32; do
    tps=$(pgbench -n -M prepared -T "$DURATION" -c "$connections" -j "$(( connections < 2 ? 1 : 2 ))" \
        -f "$WORK/get.sql" "$DATABASE_URL" 2>/dev/null | awk '/^tps/ {print $3; exit}')
    for scenario in get getkey; do
        api=$(awk -v c="$connections" -v s="$scenario" '$1 == s && $2 == "c=" c {gsub(/[^0-9.]/, "", $6); print $6}' "$WORK/api.txt")
        printf 'pgbench   c=%-3s tps=%s  api %-6s rps=%s  ratio=%s\n' "$connections" "$tps" "$scenario" "$api" \
            "$(awk -v a="$api" -v p="$tps" 'BEGIN { printf "%.2f", a / p }')"
    done
done
psql_db -c "DROP TABLE bench_ids"
