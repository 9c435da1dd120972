#!/usr/bin/env python3
"""Splits the outside-written development set into the half triage may train and tune on
and the half it is measured on, by a hash of the text (stable, no item chosen by hand).

  python3 scripts/split_feedback_dev.py ../shared/data/feedback-dev.jsonl OUTDIR

writes OUTDIR/feedback-dev-train.jsonl and OUTDIR/feedback-dev-heldout.jsonl. An item is
held out when the first 8 bytes (big-endian) of sha256("loopdesk-dev-split-v1|" + text)
are odd. crates/triage/data/feedback-dev-train.jsonl is the train half, shipped; the
held-out half is never copied into the repository.
"""
import hashlib, json, os, sys

def held_out(text):
    h = hashlib.sha256(("loopdesk-dev-split-v1|" + text).encode()).digest()
    return int.from_bytes(h[:8], "big") % 2 == 1

src, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
lines = [l for l in open(src, encoding="utf-8") if l.strip()]
with open(os.path.join(out, "feedback-dev-train.jsonl"), "w", encoding="utf-8") as tr, \
     open(os.path.join(out, "feedback-dev-heldout.jsonl"), "w", encoding="utf-8") as ho:
    for l in lines:
        (ho if held_out(json.loads(l)["text"]) else tr).write(l)
