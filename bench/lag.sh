#!/usr/bin/env bash
# How long a write through one instance takes to be visible through
# another: two instances on the benchmark database; each round creates an
# organisation through A and polls B's list (no Min-Change-Position) until
# it shows it. Also reports the write's own latency (it answers once A's
# index includes it) and each instance's index build.
#
#   bench/lag.sh            # after bench/run.sh has made the dataset
#   ROUNDS=300 bench/lag.sh
set -euo pipefail
cd "$(dirname "$0")/.."

SERVER_URL=${BENCH_SERVER_URL:-postgres://postgres@127.0.0.1:5432}
DATABASE_URL="$SERVER_URL/${BENCH_DB:-aimd_bench}"
ROUNDS=${ROUNDS:-200}
WORK=$(mktemp -d)
trap 'kill ${PIDS:-} 2>/dev/null || true; rm -rf "$WORK"' EXIT

cargo build --release --quiet
BIN=target/release/aimd-registry
DATABASE_URL="$DATABASE_URL" $BIN migrate >/dev/null 2>&1
TOKEN=$(DATABASE_URL="$DATABASE_URL" $BIN keys create --name "bench lag" --role editor 2>/dev/null)

PIDS=""
for port in 18081 18082; do
    DATABASE_URL="$DATABASE_URL" AIMD_LOG=warn,aimd_registry::sync=info AIMD_LOG_FORMAT=json \
        AIMD_ANONYMOUS_RATE_LIMIT=0 AIMD_RATE_LIMIT=0 \
        $BIN serve --bind "127.0.0.1:$port" --no-migrate --webhooks-off >"$WORK/$port.log" 2>&1 &
    PIDS="$PIDS $!"
done
for port in 18081 18082; do
    for _ in $(seq 1 600); do curl -fs "http://127.0.0.1:$port/v1/initiatives?limit=1" >/dev/null 2>&1 && break; sleep 0.1; done
    echo "instance :$port: $(grep -o '"took_ms":[0-9]*' "$WORK/$port.log" | head -1) for the index build"
done

ROUNDS=$ROUNDS TOKEN=$TOKEN python3 - <<'PY'
import json, os, statistics, time, urllib.request, uuid

A, B = "http://127.0.0.1:18081/v1", "http://127.0.0.1:18082/v1"
token = os.environ["TOKEN"]
writes, lags, totals = [], [], []
for n in range(int(os.environ["ROUNDS"])):
    word = "lagprobe" + uuid.uuid4().hex[:12]
    body = json.dumps({"name": f"Probe {word}", "type": "other"}).encode()
    request = urllib.request.Request(f"{A}/organisations", data=body, method="POST", headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    started = time.perf_counter()
    with urllib.request.urlopen(request) as answer:
        answer.read()
    written = time.perf_counter()
    writes.append(written - started)
    # Staff see drafts: the reader is B with the same key.
    look = urllib.request.Request(f"{B}/organisations?q={word}&limit=1",
                                  headers={"Authorization": f"Bearer {token}"})
    while True:
        with urllib.request.urlopen(look) as answer:
            if json.load(answer)["total"] == 1:
                break
        if time.perf_counter() - written > 5:
            raise SystemExit(f"not visible through B within 5 s: {word}")
        time.sleep(0.002)
    lags.append(time.perf_counter() - written)
    totals.append(time.perf_counter() - started)

def ms(values, q):
    return statistics.quantiles(values, n=100)[q - 1] * 1000

print(f"{len(lags)} writes: write (until A's index has it) p50 {ms(writes, 50):.1f} ms, "
      f"p95 {ms(writes, 95):.1f} ms; visible through B after p50 {ms(lags, 50):.1f} ms, "
      f"p95 {ms(lags, 95):.1f} ms, max {max(lags) * 1000:.1f} ms; from the write's start "
      f"until B shows it p50 {ms(totals, 50):.1f} ms, p95 {ms(totals, 95):.1f} ms")
PY
