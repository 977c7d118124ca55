#!/usr/bin/env bash
# Renders the SVG heat maps of a demo registry in headless Chromium and
# checks what a reader would: each is well-formed XML with a title and a
# description (role="img", aria-labelledby), every cell has its number as
# text, and the screenshot is a picture (many colours, mostly not blank),
# in English and in Dutch. The screenshots stay in target/svg-screenshots.
#
#   tests/svg/render.sh [BINARY]     (default target/debug/aimd-registry)
#
# Needs chromium (apt-get install chromium), python3, curl and PostgreSQL
# at DATABASE_URL's server (default postgres://postgres@127.0.0.1:5432).
set -euo pipefail
cd "$(dirname "$0")/../.."
binary=${1:-target/debug/aimd-registry}
server=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
server=${server%/*}
database="aimd_svg_$$"
out=target/svg-screenshots
mkdir -p "$out"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
DATABASE_URL="$server/$database" "$binary" serve --demo --webhooks-off --bind "127.0.0.1:$port" >"$out/serve.log" 2>&1 &
pid=$!
cleanup() {
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    psql "$server/postgres" -qc "DROP DATABASE IF EXISTS $database" >/dev/null 2>&1 || true
}
trap cleanup EXIT
for _ in $(seq 1 60); do
    curl -sf "http://127.0.0.1:$port/v1/health/ready" >/dev/null && break
    sleep 0.5
done

for view in "overview?lang=en" "overview?lang=nl" "overview/participation?country=NL&lang=en" "overview/participation?country=NL&lang=nl"; do
    name=$(echo "$view" | tr '/?=&' '----')
    curl -sf -H 'Accept: image/svg+xml' "http://127.0.0.1:$port/v1/$view" -o "$out/$name.svg"
    python3 - "$out/$name.svg" <<'PY'
import sys, xml.dom.minidom
path = sys.argv[1]
doc = xml.dom.minidom.parse(path)
svg = doc.documentElement
assert svg.tagName == "svg" and svg.getAttribute("role") == "img", "role=img"
labelled = svg.getAttribute("aria-labelledby").split()
for ident, tag in zip(labelled, ["title", "desc"]):
    element = [e for e in doc.getElementsByTagName(tag) if e.getAttribute("id") == ident]
    assert element and element[0].firstChild.data.strip(), f"{tag} #{ident}"
cells = [g for g in doc.getElementsByTagName("g")]
assert len(cells) >= 60, f"{len(cells)} cells"
for g in cells:
    assert g.getElementsByTagName("title")[0].firstChild.data.strip(), "a cell's title"
    assert g.getElementsByTagName("text")[0].firstChild.data.strip(), "a cell's text"
print(f"{path}: {len(cells)} cells, titled and described")
PY
    timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
        --window-size=760,800 --screenshot="$out/$name.png" "file://$PWD/$out/$name.svg" >/dev/null 2>&1
    python3 - "$out/$name.png" <<'PY'
import struct, sys, zlib
path = sys.argv[1]
data = open(path, "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "a PNG"
pos, idat, width, height = 8, b"", 0, 0
while pos < len(data):
    length, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + length]
    if kind == b"IHDR":
        width, height, depth, colour = struct.unpack(">IIBB", body[:10])
        assert depth == 8 and colour in (2, 6), "8-bit RGB(A)"
        channels = 3 if colour == 2 else 4
    elif kind == b"IDAT":
        idat += body
    pos += 12 + length
raw = zlib.decompress(idat)
stride = width * channels
pixels, previous, colours, ink = [], bytearray(stride), set(), 0
for row in range(height):
    kind = raw[row * (stride + 1)]
    line = bytearray(raw[row * (stride + 1) + 1:(row + 1) * (stride + 1)])
    for i in range(stride):
        left = line[i - channels] if i >= channels else 0
        up = previous[i]
        corner = previous[i - channels] if i >= channels else 0
        if kind == 1: line[i] = (line[i] + left) & 255
        elif kind == 2: line[i] = (line[i] + up) & 255
        elif kind == 3: line[i] = (line[i] + (left + up) // 2) & 255
        elif kind == 4:
            p = left + up - corner
            pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
            line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
    previous = line
    for x in range(0, stride, channels):
        rgb = tuple(line[x:x + 3])
        colours.add(rgb)
        ink += rgb != (255, 255, 255)
share = ink / (width * height)
assert len(colours) > 50, f"{len(colours)} colours: a blank or broken picture"
assert 0.05 < share < 0.9, f"{share:.0%} of the picture is not white"
print(f"{path}: {width}x{height}, {len(colours)} colours, {share:.0%} inked")
PY
done
echo "all heat maps render in $(chromium --version 2>/dev/null | head -1)"
