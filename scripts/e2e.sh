#!/usr/bin/env bash
# End-to-end browser tests of the citizens' map: the real `mappatu` binary, Debian's
# Chromium, playwright-core as the driver (it never downloads a browser).
#
#   scripts/e2e.sh                 # build target/debug/mappatu if needed, run every test
#   scripts/e2e.sh keyboard        # only tests/e2e/keyboard.test.mjs
#   scripts/e2e.sh --bench [ARGS]  # the page speed benchmark (release build), see bench-map.mjs
#
# Environment: MAPPATU_BIN (binary under test), MAPPATU_CHROMIUM (default /usr/bin/chromium).
# Screenshots go to target/e2e/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export PLAYWRIGHT_BROWSERS_PATH=0

chromium=${MAPPATU_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
    echo "e2e: $chromium is missing (apt-get install chromium)" >&2
    exit 1
fi
command -v node >/dev/null && command -v npm >/dev/null || {
    echo "e2e: node and npm are needed (apt-get install nodejs npm)" >&2
    exit 1
}

# playwright-core 1.65 needs Node.js 20 or later (Debian 12's own nodejs is 18).
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
    echo "e2e: Node.js $(node --version) is too old; playwright-core needs 20 or later" >&2
    exit 1
fi

bench=
if [ "${1:-}" = "--bench" ]; then
    bench=1
    shift
fi

# The binary: debug for the tests, release for the benchmark. Cargo decides whether
# anything changed, so this is quick when the binary is current.
if [ -z "${MAPPATU_BIN:-}" ]; then
    if [ -n "$bench" ]; then
        cargo build --release --quiet
        export MAPPATU_BIN=$root/target/release/mappatu
    else
        cargo build --quiet
        export MAPPATU_BIN=$root/target/debug/mappatu
    fi
fi

cd tests/e2e
if [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/axe-core ] \
    || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
fi
mkdir -p "$root/target/e2e"

if [ -n "$bench" ]; then
    exec node bench-map.mjs "$@"
fi

files=()
if [ $# -gt 0 ]; then
    for name in "$@"; do files+=("./${name%.test.mjs}.test.mjs"); done
else
    files=(./*.test.mjs)
fi
# One file at a time: each starts its own server and browser, and the machine has 2 cores.
exec node --test --test-concurrency=1 --test-reporter=spec "${files[@]}"
