#!/usr/bin/env python3
"""Compare vocab and merges of two tokenizer.json files (HF's and ours). Exit 1 on a difference."""
import json, sys
a, b = (json.load(open(p, encoding="utf-8"))["model"] for p in sys.argv[1:3])
ma, mb = [tuple(m) if isinstance(m, list) else tuple(m.split(" ", 1)) for m in a["merges"]], \
         [tuple(m) if isinstance(m, list) else tuple(m.split(" ", 1)) for m in b["merges"]]
same_vocab = a["vocab"] == b["vocab"]
first = next((i for i, (x, y) in enumerate(zip(ma, mb)) if x != y), None)
print(f"merges: {len(ma)} vs {len(mb)}, identical: {ma == mb}"
      + ("" if first is None else f", first difference at {first}: {ma[first]} vs {mb[first]}"))
print(f"vocab: {len(a['vocab'])} vs {len(b['vocab'])}, identical: {same_vocab}")
sys.exit(0 if ma == mb and same_vocab else 1)
