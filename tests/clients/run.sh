#!/usr/bin/env bash
# Generates a TypeScript client (openapi-typescript + openapi-fetch) and a
# Python client (openapi-python-client) from openapi/openapi.json, type-checks
# a portal and a curator scenario written against each (strict, no casts),
# and runs all four against a live server on a fresh database with the demo
# data. Builds nothing: the server binary is $AIMD_BIN (default
# target/debug/aimd-registry). Needs node/npm and the npm registry, python3
# and PyPI, psql, and a PostgreSQL where the user may create databases
# ($AIMD_PG_URL, default postgres://postgres@127.0.0.1:5432). AIMD_SPEC
# overrides the spec (default openapi/openapi.json).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
bin=${AIMD_BIN:-$repo/target/debug/aimd-registry}
pg=${AIMD_PG_URL:-postgres://postgres@127.0.0.1:5432}
spec=${AIMD_SPEC:-$repo/openapi/openapi.json}
ts=$here/ts
py=$here/py
venv=$here/.venv
db=aimd_clients_$(date +%s)_$$
work=$(mktemp -d)
server_pid=
timings=()
results=()

[[ -x $bin ]] || { echo "no server binary at $bin (set AIMD_BIN)" >&2; exit 2; }

cleanup() {
  local rc=$?
  if [[ -n $server_pid ]]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  psql "$pg/postgres" -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 ||
    echo "warning: could not drop database $db" >&2
  if ((rc != 0)) && [[ -s $work/server.log ]]; then
    echo "--- last lines of the server log" >&2
    tail -n 20 "$work/server.log" >&2
  fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Runs one phase and records how long it took.
phase() {
  local name=$1 start
  shift
  start=$(date +%s%N)
  echo "== $name"
  "$@"
  timings+=("$(printf '  %-40s %7d ms' "$name" $((($(date +%s%N) - start) / 1000000)))")
}

install_tools() {
  npm ci --prefix "$ts" --ignore-scripts --no-audit --no-fund --loglevel=error
  [[ -x $venv/bin/python ]] || python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
}

# Generator output is shown: its warnings are findings about the spec. The
# JSON that openapi-python-client prints after a warning (the whole request
# body or response it skipped) is left out.
generate_clients() {
  rm -rf "$ts/generated" "$py/aimd_client"
  node "$ts/node_modules/openapi-typescript/bin/cli.js" "$spec" -o "$ts/generated/schema.d.ts" 2>&1 | sed 's/^/  [openapi-typescript] /'
  # openapi-python-client formats its output with ruff from the venv.
  PATH=$venv/bin:$PATH openapi-python-client generate --path "$spec" --output-path "$py/aimd_client" --meta none 2>&1 |
    sed -n '/^[^[:space:]{}]/s/^/  [openapi-python-client] /p'
  [[ -f $ts/generated/schema.d.ts && -f $py/aimd_client/client.py ]]
}

# Neither compiler forbids casts, so the sources are searched for them.
no_casts() {
  local found=0
  grep -nwE 'as|any' "$ts"/src/*.ts && found=1
  grep -nE '@ts-|[A-Za-z0-9_)]!([^=]|$)' "$ts"/src/*.ts && found=1
  grep -nE 'type: *ignore|\bcast\(|\bAny\b' "$py"/*.py && found=1
  if ((found)); then
    echo "casts, non-null assertions, any/Any or ignores found above" >&2
    return 1
  fi
}

type_check() {
  node "$ts/node_modules/typescript7/bin/tsc" -p "$ts/tsconfig.json" --noEmit --strict
  rm -rf "$ts/build"
  node "$ts/node_modules/typescript7/bin/tsc" -p "$ts/tsconfig.json"
  (cd "$py" && PYTHONDONTWRITEBYTECODE=1 "$venv/bin/mypy" --config-file mypy.ini --strict \
    --cache-dir "$venv/mypy-cache" common.py portal.py curator.py)
}

start_server() {
  local port i
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  DATABASE_URL=$pg/$db "$bin" serve --demo --bind "127.0.0.1:$port" >"$work/server.log" 2>&1 &
  server_pid=$!
  export AIMD_API=http://127.0.0.1:$port/v1
  # Discovery answers 503 until the search index is built.
  for i in $(seq 1 120); do
    kill -0 "$server_pid" 2>/dev/null || { echo "the server exited" >&2; return 1; }
    [[ $(curl -s -o /dev/null -w '%{http_code}' "$AIMD_API/initiatives?limit=1") == 200 ]] && return 0
    sleep 0.5
  done
  echo "the server was not ready after 60 s" >&2
  return 1
}

new_key() {
  local token
  token=$(DATABASE_URL=$pg/$db "$bin" keys create --name "$1" --role "$2" 2>>"$work/keys.log")
  [[ $token =~ ^aimd_[A-Za-z0-9_-]+$ ]] || { echo "keys create printed no token" >&2; return 1; }
  printf '%s' "$token"
}

create_keys() {
  # Two people: the editor approves what the curator changed (four eyes).
  AIMD_CURATOR_TOKEN=$(new_key "client check curator" curator)
  AIMD_EDITOR_TOKEN=$(new_key "client check editor" editor)
  export AIMD_CURATOR_TOKEN AIMD_EDITOR_TOKEN
}

# A failing scenario is reported and the others still run.
scenario() {
  local name=$1 start rc=0
  shift
  start=$(date +%s%N)
  "$@" || rc=$?
  results+=("$(printf '  %-40s %7d ms  %s' "$name" $((($(date +%s%N) - start) / 1000000)) \
    "$( ((rc == 0)) && echo pass || echo "FAIL (exit $rc)")")")
  return 0
}

run_scenarios() {
  export PYTHONDONTWRITEBYTECODE=1
  # Portals first: they compare the export with the list and follow the feed.
  scenario "ts portal" node "$ts/build/src/portal.js"
  scenario "py portal" bash -c 'cd "$1" && exec "$2" portal.py' _ "$py" "$venv/bin/python"
  scenario "ts curator" node "$ts/build/src/curator.js"
  scenario "py curator" bash -c 'cd "$1" && exec "$2" curator.py' _ "$py" "$venv/bin/python"
}

total_start=$(date +%s%N)
phase "install pinned tools" install_tools
phase "generate clients" generate_clients
phase "look for casts" no_casts
phase "type-check (tsc 7 strict, mypy strict)" type_check
phase "start server (fresh db, demo data)" start_server
phase "create keys" create_keys
phase "run scenarios" run_scenarios

echo
echo "Versions: node $(node --version), $(node "$ts/node_modules/typescript7/bin/tsc" --version | sed 's/Version/tsc/')," \
  "openapi-typescript $(node -p "require('$ts/node_modules/openapi-typescript/package.json').version")," \
  "openapi-fetch $(node -p "require('$ts/node_modules/openapi-fetch/package.json').version");" \
  "$("$venv/bin/python" --version), openapi-python-client $("$venv/bin/pip" show openapi-python-client | sed -n 's/^Version: //p')," \
  "$("$venv/bin/mypy" --version | cut -d' ' -f1-2); server $("$bin" --version)"
echo "Timings:"
printf '%s\n' "${timings[@]}"
echo "Scenarios:"
printf '%s\n' "${results[@]}"
printf '  %-40s %7d ms\n' "total" $((($(date +%s%N) - total_start) / 1000000))
if printf '%s\n' "${results[@]}" | grep -q FAIL; then
  echo "FAILED"
  exit 1
fi
echo "PASSED"
