#!/usr/bin/env bash
# Installs schemathesis (PyPI, pinned) in a virtual environment for the API fuzz test and
# prints the path of its `st` command on the last line. Idempotent and quick once installed.
# Exits non-zero when it cannot be installed; the fuzz test then skips (and fails under CI).
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION="4.32.5"
VENV="${LOOPDESK_FUZZ_VENV:-$PWD/target/fuzz-venv}"
ST="$VENV/bin/st"
if [ ! -x "$ST" ] || ! "$ST" --version 2>/dev/null | grep -q "$VERSION"; then
  echo "installing schemathesis $VERSION (pip) into $VENV" >&2
  python3 -m venv "$VENV" >&2
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$VERSION" >&2
fi
"$ST" --version >&2
echo "$ST"
