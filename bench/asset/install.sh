#!/usr/bin/env bash
# The asset benchmark's peers: gltf-transform and gltfpack (wasm) from npm, pinned by
# package-lock.json, and native gltfpack from Debian's package when apt-get is available.
# Safe to run again: each step is skipped or a no-op when already done.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
if ! command -v gltfpack >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        apt-get install -y gltfpack || { apt-get update && apt-get install -y gltfpack; }
    else
        echo "native gltfpack not installed (needs root and apt-get): the big run skips it" >&2
    fi
fi
