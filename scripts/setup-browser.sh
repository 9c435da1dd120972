#!/usr/bin/env bash
# Installs what the browser end-to-end tests need: Debian's chromium, playwright-core and axe-core
# (pinned in tests/browser/package-lock.json). Idempotent and quick once installed.
# Exits non-zero when something could not be installed; the tests then skip and say so.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
  echo "installing chromium (apt)" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >&2
fi
# Without a CJK font Chinese pages render as boxes in the screenshots.
if ! fc-list :lang=zh 2>/dev/null | grep -q .; then
  echo "installing a CJK font (apt)" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq fonts-wqy-microhei >&2 || true
fi

if [ ! -d tests/browser/node_modules/playwright-core ] || [ ! -d tests/browser/node_modules/axe-core ]; then
  echo "installing playwright-core and axe-core (npm)" >&2
  (cd tests/browser && npm ci --no-audit --no-fund --silent >&2)
fi
/usr/bin/chromium --version >&2
