#!/usr/bin/env bash
# One command from a fresh machine (Node 20 + npm): install, build, put `txreplay` on PATH, and run the main job — the full post-mortem of the
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

# `txreplay` on PATH: a symlink to the built CLI in the first writable of /usr/local/bin and ~/.local/bin
# (node follows the link back into the workspace, so the packages resolve as they do here)
main="$PWD/packages/cli/dist/main.cjs"
chmod +x "$main"
linked=
[ -w /usr/local/bin ] || mkdir -p "$HOME/.local/bin" 2>/dev/null || true
for dir in /usr/local/bin "$HOME/.local/bin"; do
  if [ -d "$dir" ] && [ -w "$dir" ]; then
    ln -sfn "$main" "$dir/txreplay" && linked="$dir/txreplay" && break
  fi
done
txreplay=(node "$main")
if [ -n "$linked" ] && [ "$(command -v txreplay)" = "$linked" ]; then
  echo "demo: txreplay is on PATH ($linked -> $main)" >&2
  txreplay=(txreplay)
elif [ -n "$linked" ]; then
  echo "demo: linked $linked, but its directory is not on PATH (or another txreplay comes first): export PATH=\"$(dirname "$linked"):\$PATH\"" >&2
else
  echo "demo: no writable /usr/local/bin or ~/.local/bin: run the CLI as \`node $main\`, or link it yourself (ln -s $main DIR/txreplay)" >&2
fi

out=${TXREPLAY_DEMO_OUT:-./txreplay-demo}
mkdir -p "$out"
# the same command a user types (the one on PATH when the link worked)
status=0
"${txreplay[@]}" report examples/multiqueue.perf-script.txt.gz \
  --html "$out/multiqueue.html" --md "$out/multiqueue.md" "$@" || status=$?
# report exits like diagnose: 1 = warning/critical findings (the bundled capture has them), 7 = verdict unknown;
# the run was stored and the post-mortem written either way
if [ "$status" -ne 0 ] && [ "$status" -ne 1 ] && [ "$status" -ne 7 ]; then exit "$status"; fi
