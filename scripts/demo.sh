#!/usr/bin/env bash
# One command from a fresh machine (Node 20 + npm): install, build, and run the main job — the full post-mortem of the
# bundled real capture, stored in the embedded ClickHouse (chDB) — then print where the report is.
set -euo pipefail
cd "$(dirname "$0")/.."
PNPM_VERSION=$(node -p "require('./package.json').packageManager.split('@')[1]")
PNPM=(pnpm)
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm -v 2>/dev/null)" != "$PNPM_VERSION" ]; then
  PNPM=(npx -y "pnpm@${PNPM_VERSION}")
fi
"${PNPM[@]}" install --frozen-lockfile >&2
"${PNPM[@]}" build >&2
out=${TXREPLAY_DEMO_OUT:-./txreplay-demo}
mkdir -p "$out"
node packages/cli/dist/main.js report examples/multiqueue.perf-script.txt.gz \
  --html "$out/multiqueue.html" --md "$out/multiqueue.md" "$@"
