#!/usr/bin/env bash
# Measures webhooks on this machine: what the outbox adds to a write (an
# import of N organisations with no subscription, then with S that all
# match), and how fast the worker in the service delivers the queue to a
# receiver on 127.0.0.1 (latency from commit to delivery, deliveries a second).
#
#   bench/webhooks.sh                 # N=1000 S=5
#   N=5000 S=10 bench/webhooks.sh
#
# Needs: psql and python3. Uses a database of its own, dropped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

SERVER_URL=${BENCH_SERVER_URL:-postgres://postgres@127.0.0.1:5432}
DB=aimd_bench_webhooks
export DATABASE_URL="$SERVER_URL/$DB"
N=${N:-1000}
S=${S:-5}
PORT=18090
RECEIVER_PORT=18091
WORK=$(mktemp -d)
cleanup() {
    kill "${SERVER_PID:-}" "${RECEIVER_PID:-}" 2>/dev/null || true
    wait 2>/dev/null || true
    psql "$SERVER_URL/postgres" -qAtX -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

cargo build --release --quiet
BIN=target/release/aimd-registry
psql "$SERVER_URL/postgres" -qAtX -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null
$BIN --log warn migrate

# A receiver that accepts everything, threaded like a small real one.
cat > "$WORK/receiver.py" <<'PY'
import http.server, sys
class Accept(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Accept).serve_forever()
PY
python3 "$WORK/receiver.py" $RECEIVER_PORT &
RECEIVER_PID=$!

lines() { # prefix
    python3 - "$1" "$N" <<'PY'
import json, sys
prefix, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    print(json.dumps({"kind": "organisation", "name": f"{prefix} organisation {i}", "type": "other",
                      "website": f"https://{prefix}-{i}.example.org/", "topics": ["standardisation"]}))
PY
}
millis() { echo $(( $(date +%s%N) / 1000000 )); }
import_ms() { # file
    local start
    start=$(millis)
    $BIN --log warn import "$1" > /dev/null
    echo $(( $(millis) - start ))
}

lines without > "$WORK/without.ndjson"
lines with > "$WORK/with.ndjson"
lines warmup > "$WORK/warmup.ndjson"
import_ms "$WORK/warmup.ndjson" > /dev/null
without=$(import_ms "$WORK/without.ndjson")

# S subscriptions that all match; the service is not running yet, so the
# deliveries wait in the outbox.
for i in $(seq "$S"); do
    psql "$DATABASE_URL" -qAtX -c "INSERT INTO webhook_subscriptions (id, url, events, audience, secret, created_at, updated_at)
        VALUES (aimd_uuid_v7(), 'http://127.0.0.1:$RECEIVER_PORT/hook/$i', '{created,updated,deleted,merged}', 'staff',
                'whsec_' || encode(sha256(random()::text::bytea), 'base64'), now(), now())"
done
with=$(import_ms "$WORK/with.ndjson")
queued=$(psql "$DATABASE_URL" -qAtX -c "SELECT count(*) FROM webhook_deliveries")
echo "import of $N organisations: ${without} ms without subscriptions, ${with} ms with $S (queued $queued deliveries)"

# Now the worker drains the outbox.
$BIN --log warn serve --bind 127.0.0.1:$PORT &
SERVER_PID=$!
started=$(millis)
while [ "$(psql "$DATABASE_URL" -qAtX -c "SELECT count(*) FROM webhook_deliveries WHERE state <> 'delivered'")" != "0" ]; do
    sleep 0.2
done
echo "drained $queued deliveries in $(( $(millis) - started )) ms (including the service's start)"
psql "$DATABASE_URL" -qAtX -c "SELECT 'delivery rate: ' || round(count(*) / extract(epoch FROM max(delivered_at) - min(last_attempt_at))) || ' a second; attempts per delivery: ' || round(avg(attempts), 2)
    FROM webhook_deliveries"

# Latency from commit to delivery with the worker idle and polling.
psql "$DATABASE_URL" -qAtX -c "TRUNCATE webhook_deliveries"
for i in $(seq 20); do
    psql "$DATABASE_URL" -qAtX -c "UPDATE organisations SET version = version + 1 WHERE id = (SELECT id FROM organisations ORDER BY random() LIMIT 1)"
    sleep 0.37
done
sleep 2
psql "$DATABASE_URL" -qAtX -c "SELECT 'commit to delivery, one change at a time (' || count(*) || ' deliveries): median ' ||
    round(extract(epoch FROM percentile_cont(0.5) WITHIN GROUP (ORDER BY delivered_at - created_at)) * 1000) || ' ms, max ' ||
    round(extract(epoch FROM max(delivered_at - created_at)) * 1000) || ' ms'
    FROM webhook_deliveries WHERE state = 'delivered'"
