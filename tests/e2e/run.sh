#!/usr/bin/env bash
# Browser tests of the web page (tests/e2e/page.test.mjs): headless Debian
# chromium driven by playwright-core, against the real keymint binary.
#   run.sh KEYMINT_BINARY OUTPUT_DIR
# Installs the pinned npm packages with `npm ci` when node_modules is missing or
# older than package-lock.json. A missing node, npm or chromium fails the test
# (scripts/test installs them through scripts/common.sh); it never skips.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
die() { echo "browser tests: $*" >&2; exit 1; }

[[ $# -eq 2 ]] || die "usage: run.sh KEYMINT_BINARY OUTPUT_DIR"
[[ -x "$1" ]] || die "keymint binary $1 not found or not executable"
command -v node >/dev/null 2>&1 || die "node not found on PATH (apt-get install nodejs npm; scripts/test does it)"
command -v npm >/dev/null 2>&1 || die "npm not found on PATH (apt-get install npm; scripts/test does it)"
chromium="${KEYMINT_CHROMIUM:-/usr/bin/chromium}"
[[ -x "$chromium" ]] || die "chromium not found at $chromium (apt-get install chromium; scripts/test does it)"

if [[ ! -d "$here/node_modules" || "$here/package-lock.json" -nt "$here/node_modules" ]]; then
  (cd "$here" && npm ci --no-audit --no-fund >&2) || die "npm ci failed"
  touch "$here/node_modules"
fi

mkdir -p "$2"
export KEYMINT_BINARY="$(realpath "$1")" KEYMINT_E2E_OUTPUT="$2" KEYMINT_CHROMIUM="$chromium"
exec node --test --test-reporter=spec "$here/page.test.mjs"
