#!/usr/bin/env bash
# Latency of the connecting reads on the synthetic registry of bench/run.sh
# (generate it with bench/run.sh first): suggestions, similar records, the
# network for one topic and the participation view, one client at a time
# (wrk -c1), then the suggestion evaluation (bench/suggest_eval.rs).
#
#   bench/connecting.sh            # DURATION=10 by default; BENCH_DB, BENCH_PORT
#
# Needs: wrk, psql. Everything runs against 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."

SERVER_URL=${BENCH_SERVER_URL:-postgres://postgres@127.0.0.1:5432}
DB=${BENCH_DB:-aimd_bench}
DATABASE_URL="$SERVER_URL/$DB"
PORT=${BENCH_PORT:-18081}
DURATION=${DURATION:-10}
BASE="http://127.0.0.1:$PORT"
WORK=$(mktemp -d)
trap 'kill "${SERVER_PID:-}" 2>/dev/null || true; rm -rf "$WORK"' EXIT
psql_db() { psql "$DATABASE_URL" -qAtX "$@"; }

cargo build --release --quiet
BIN=target/release/aimd-registry
DATABASE_URL="$DATABASE_URL" $BIN migrate >/dev/null 2>&1
psql_db -c "SELECT 'dataset: ' || (SELECT count(*) FROM initiatives) || ' initiatives, ' || (SELECT count(*) FROM experts)
    || ' experts, ' || (SELECT count(*) FROM organisations) || ' organisations, '
    || (SELECT count(*) FROM initiative_experts) || ' expert links'"

psql_db -c "SELECT '/v1/initiatives/' || id || '/suggested-experts?limit=10' FROM initiatives WHERE is_public
            ORDER BY md5(id::text) LIMIT 1000" > "$WORK/suggest.txt"
psql_db -c "SELECT '/v1/experts/' || id || '/suggested-initiatives?limit=10' FROM experts WHERE is_public
            ORDER BY md5(id::text) LIMIT 1000" > "$WORK/join.txt"
psql_db -c "SELECT '/v1/initiatives/' || id || '/similar?limit=10' FROM initiatives WHERE is_public
            ORDER BY md5(id::text) LIMIT 1000" > "$WORK/similar.txt"
psql_db -c "SELECT '/v1/organisations/' || id || '/similar?limit=10' FROM organisations WHERE is_public
            ORDER BY md5(id::text) LIMIT 1000" > "$WORK/similar-org.txt"
psql_db -c "SELECT '/v1/network?topic=' || slug FROM topics" > "$WORK/network.txt"
psql_db -c "SELECT '/v1/overview/participation?country=' || c
            FROM unnest(ARRAY['NL','DE','FR','BE','US','GB','IT','ES']) c" > "$WORK/participation.txt"
CURATOR_TOKEN=$(DATABASE_URL="$DATABASE_URL" $BIN keys create --name "bench curator" --role curator 2>/dev/null)

DATABASE_URL="$DATABASE_URL" AIMD_LOG=warn AIMD_ANONYMOUS_RATE_LIMIT=0 AIMD_RATE_LIMIT=0 \
    $BIN serve --bind "127.0.0.1:$PORT" --no-migrate --webhooks-off >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 900); do curl -fs "$BASE/v1/initiatives?limit=1" >/dev/null 2>&1 && break; sleep 0.1; done

echo "== one client at a time (wrk -c1, ${DURATION}s each; suggest with a curator's key, the rest anonymous)"
for scenario in suggest join similar similar-org network participation; do
    token=""
    [ "$scenario" = suggest ] && token=$CURATOR_TOKEN
    TOKEN=$token PATHS="$WORK/$scenario.txt" wrk -t1 -c1 -d3s -s bench/wrk/paths.lua "$BASE" >/dev/null
    out=$(TOKEN=$token PATHS="$WORK/$scenario.txt" wrk -t1 -c1 -d "${DURATION}s" -s bench/wrk/paths.lua "$BASE" | grep '^RESULT')
    printf '%-13s %s\n' "$scenario" "${out#RESULT }"
done
kill "$SERVER_PID"

echo "== suggestion quality (bench/suggest_eval.rs)"
cargo run --release --quiet --example suggest-eval -- "$DATABASE_URL" "${PER_HALF:-500}"
