#!/usr/bin/env bash
# Builds the Dockerfile and runs docker-compose.yml for real, as far as a
# machine with a Docker engine but no image registry allows: the images the
# files name (debian:bookworm-slim, rust:1-slim-bookworm, postgres:16,
# nginx:1.27) are made locally first when missing, from Debian's packages
# (debootstrap) and the host's Rust toolchain. Then: the image is built,
# `up` starts the database and one instance with the demo data and waits
# for its readiness health check, the API answers; the `scale` profile adds
# a second instance and a reverse proxy, and requests through the proxy
# reach both instances. Prints image sizes and start-up times; leaves
# nothing running (down -v).
#
# Needs: a running Docker engine (Debian: apt-get install docker.io
# docker-compose debootstrap; dockerd), curl, jq. Run from anywhere:
#   bash tests/containers/verify.sh
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo"
compose() { docker-compose -p aimd-verify "$@"; }
work=$(mktemp -d)
cleanup() {
    compose --profile scale down -v >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

docker info >/dev/null 2>&1 || { echo "no Docker engine answers (start dockerd)" >&2; exit 2; }

stand_in() { # tag dockerfile [context]
    if docker image inspect "$1" >/dev/null 2>&1; then
        echo "== $1: present"
        return
    fi
    echo "== $1: not present; making a stand-in ($2)"
    docker build -q -t "$1" -f "$here/$2" "${3:-$here}" >/dev/null
}

if ! docker image inspect debian:bookworm-slim >/dev/null 2>&1; then
    echo "== debian:bookworm-slim: not present; debootstrap (minbase) and import"
    debootstrap --variant=minbase bookworm "$work/rootfs" http://deb.debian.org/debian >/dev/null
    tar -C "$work/rootfs" -c . | docker import - debian:bookworm-slim >/dev/null
fi
stand_in postgres:16 postgres.Dockerfile
stand_in nginx:1.27 nginx.Dockerfile
if ! docker image inspect rust:1-slim-bookworm >/dev/null 2>&1; then
    echo "== rust:1-slim-bookworm: not present; a stand-in with the host's stable toolchain"
    toolchain=$(rustc --print sysroot)
    mkdir -p "$work/rust/toolchain/lib/rustlib"
    cp -r "$toolchain/bin" "$work/rust/toolchain/"
    cp "$toolchain"/lib/*.so* "$work/rust/toolchain/lib/"
    cp -r "$toolchain/lib/rustlib/x86_64-unknown-linux-gnu" "$work/rust/toolchain/lib/rustlib/"
    cp /etc/ssl/certs/ca-certificates.crt "$work/rust/"
    docker build -q -t rust:1-slim-bookworm -f "$here/rust.Dockerfile" "$work/rust" >/dev/null
fi

echo "== building the API image (release build inside the rust image)"
started=$(date +%s)
compose build --quiet api
built=$(( $(date +%s) - started ))

wait_healthy() { # service
    local id status
    for _ in $(seq 1 120); do
        id=$(compose ps -q "$1")
        status=$(docker inspect -f '{{.State.Health.Status}}' "$id" 2>/dev/null || echo starting)
        [ "$status" = healthy ] && return 0
        sleep 1
    done
    echo "$1 did not become healthy" >&2
    compose logs "$1" | tail -20 >&2
    return 1
}

echo "== up: database and one instance with the demo data"
started=$(date +%s%N)
compose up -d db api >/dev/null 2>&1
wait_healthy api
up_ms=$(( ($(date +%s%N) - started) / 1000000 ))
ready=$(curl -s http://127.0.0.1:8080/v1/health/ready | jq -r .status)
total=$(curl -s "http://127.0.0.1:8080/v1/initiatives?limit=1" | jq .total)
[ "$ready" = pass ] || { echo "readiness: $ready" >&2; exit 1; }
[ "$total" -gt 0 ] || { echo "no demo initiatives" >&2; exit 1; }
echo "   ready ($ready), $total demo initiatives"

echo "== scale profile: a second instance and the proxy on :8081"
started=$(date +%s%N)
compose --profile scale up -d >/dev/null 2>&1
wait_healthy api-2
scale_ms=$(( ($(date +%s%N) - started) / 1000000 ))
for _ in $(seq 1 20); do
    curl -sf -o /dev/null http://127.0.0.1:8081/v1/topics
done
served_1=$(compose logs api 2>/dev/null | grep -c 'path=/v1/topics\|"path":"/v1/topics"' || true)
served_2=$(compose logs api-2 2>/dev/null | grep -c 'path=/v1/topics\|"path":"/v1/topics"' || true)
echo "   through the proxy: instance 1 served $served_1, instance 2 served $served_2 of 20"
[ "$served_1" -gt 0 ] && [ "$served_2" -gt 0 ] || { echo "the proxy did not reach both" >&2; exit 1; }

echo "== figures"
docker image ls --format '   {{.Repository}}:{{.Tag}} {{.Size}}' | grep -E 'aimd-registry|postgres|nginx|debian|rust'
echo "   API image built in ${built} s; up to healthy (database + instance + demo) in ${up_ms} ms; second instance healthy in ${scale_ms} ms"
echo "PASSED"
