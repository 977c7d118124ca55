#!/usr/bin/env bash
# Compares two builds of the service on the benchmark dataset, alternating
# them round by round so that the machine's drift falls on both:
#
#   bench/ab.sh /path/to/before/aimd-registry target/release/aimd-registry
#   ROUNDS=3 DURATION=10 SCENARIOS="get list" bench/ab.sh A B
#
# Needs the dataset bench/run.sh generates (database aimd_bench), wrk and psql.
# Prints one line per run, then the median of B/A per scenario and connections.
set -euo pipefail
cd "$(dirname "$0")/.."
A=$1 B=$2
URL=${BENCH_SERVER_URL:-postgres://postgres@127.0.0.1:5432}/${BENCH_DB:-aimd_bench}
D=${DURATION:-8} ROUNDS=${ROUNDS:-2} PORT=${BENCH_PORT:-18081}
SCENARIOS=${SCENARIOS:-get list search facets overview page}
WORK=$(mktemp -d)
trap 'kill "${PID:-}" 2>/dev/null || true; rm -rf "$WORK"' EXIT
q() { psql "$URL" -qAtX -c "$1"; }
q "SELECT '/v1/initiatives/' || id FROM initiatives WHERE is_public ORDER BY random() LIMIT 2000" > "$WORK/get.txt"
q "SELECT '/v1/initiatives?scope=' || s || '&topic=' || t || '&status=active&limit=25'
   FROM unnest(ARRAY['national','european','international']) s, (SELECT slug AS t FROM topics) t" > "$WORK/list.txt"
for w in federated validation radiology 'trustworthy%20oncology' gefedereerd validatie interop 'cardiolgy'; do
    echo "/v1/search?q=$w"; echo "/v1/initiatives?q=$w"
done > "$WORK/search.txt"
q "SELECT '/v1/initiatives?scope=' || s || '&regulation=' || r || '&facets=scope,topic,country,type,status,regulation&limit=25'
   FROM unnest(ARRAY['national','european','international']) s, unnest(ARRAY['mdr','ai-act','gdpr']) r" > "$WORK/facets.txt"
q "SELECT '/v1/overview' || x FROM unnest(ARRAY['', '?regulation=ai-act', '?country=NL', '?scope=european']) x" > "$WORK/overview.txt"
q "SELECT id FROM initiatives ORDER BY random() LIMIT 500" | while read -r id; do
    echo "/v1/initiatives?limit=25&cursor=$(printf '{"s":"createdAt","k":null,"i":"%s"}' "$id" | base64 -w0 | tr '+/' '-_' | tr -d '=')"
done > "$WORK/page.txt"
BASE="http://127.0.0.1:$PORT"
for round in $(seq 1 "$ROUNDS"); do
    for side in A B; do
        bin=$A; [ "$side" = B ] && bin=$B
        DATABASE_URL="$URL" AIMD_LOG=warn AIMD_ANONYMOUS_RATE_LIMIT=0 AIMD_RATE_LIMIT=0 \
            "$bin" serve --bind "127.0.0.1:$PORT" --no-migrate & PID=$!
        for _ in $(seq 1 50); do curl -fs "$BASE/v1/topics" >/dev/null 2>&1 && break; sleep 0.2; done
        for s in $SCENARIOS; do
            PATHS="$WORK/$s.txt" wrk -t1 -c4 -d2s -s bench/wrk/paths.lua "$BASE" >/dev/null
            for c in 1 32; do
                rps=$(PATHS="$WORK/$s.txt" wrk -t "$(( c < 2 ? 1 : 2 ))" -c "$c" -d "${D}s" -s bench/wrk/paths.lua "$BASE" \
                    | sed -n 's/.*"rps": \([0-9.]*\).*/\1/p')
                echo "$round $side $s $c $rps" | tee -a "$WORK/runs.txt"
            done
        done
        kill "$PID"; wait "$PID" 2>/dev/null || true
    done
done
echo "== median of B/A (range) per scenario and connections"
awk '$2 == "A" { a[$1" "$3" "$4] = $5 } $2 == "B" { print $3, $4, $5 / a[$1" "$3" "$4] }' "$WORK/runs.txt" \
  | sort -k1,1 -k2,2n -k3,3g \
  | awk '{ key = $1" c="$2; v[key] = v[key] " " $3 }
         END { for (k in v) { m = split(substr(v[k], 2), x, " ");
               med = (m % 2) ? x[(m + 1) / 2] : (x[m / 2] + x[m / 2 + 1]) / 2;
               printf "%-14s median %.2f (%.2f-%.2f, %d pairs)\n", k, med, x[1], x[m], m } }' \
  | sort
