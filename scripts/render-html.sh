#!/usr/bin/env bash
# Renders an HTML page (a 'moe4j report' or an SVG from 'moe4j sweep') to a PNG with headless Chromium,
# to check that it displays without a network. Needs Debian's chromium package (apt-get install -y chromium).
# Usage: scripts/render-html.sh PAGE.html OUT.png [WIDTH] [HEIGHT]
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 PAGE.html OUT.png [WIDTH] [HEIGHT]" >&2
  exit 2
fi
page="$(realpath "$1")"
out="$(realpath -m "$2")"
browser="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
if [ -z "$browser" ]; then
  echo "render-html: no chromium found (apt-get install -y chromium)" >&2
  exit 1
fi
# --no-sandbox: containers usually run as root, where Chromium's sandbox refuses to start.
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --disable-background-networking \
  --window-size="${3:-1400},${4:-4200}" --screenshot="$out" "file://$page" >/dev/null 2>&1
[ -s "$out" ] && echo "render-html: wrote $out"
