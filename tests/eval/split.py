#!/usr/bin/env python3
"""Split tests/eval/all.jsonl into dev.jsonl (~55%) and holdout.jsonl (~45%).

Deterministic: fixed seed, standard library only.  Stratified twice over:
within each `expect` value the rows are grouped by their label (first id for
`answer`, `kind` for `no_answer`, `rule` for `urgent`), each group is shuffled,
and the groups are laid end to end and dealt out with a 0.55 stride.  So the
overall ratio per `expect` is 55/45 to within one row and every label lands in
both splits (about 55/45 within each label too).

Run from anywhere:  python tests/eval/split.py
Re-running on an unchanged all.jsonl reproduces the same files byte for byte.
Adding rows to all.jsonl re-deals the split: do that deliberately, and never
move rows out of holdout because the engine gets them wrong.
"""

import json
import math
import random
from collections import defaultdict
from pathlib import Path

SEED = 20240611
DEV_FRACTION = 0.55
HERE = Path(__file__).resolve().parent


def label(row):
    if row["expect"] == "answer":
        return row["ids"][0]
    if row["expect"] == "no_answer":
        return row["kind"]
    return row["rule"]


def main():
    rows = []
    with (HERE / "all.jsonl").open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                rows.append(json.loads(line))
    rng = random.Random(SEED)
    in_dev = set()
    for expect in ("answer", "no_answer", "urgent"):
        groups = defaultdict(list)
        for idx, row in enumerate(rows):
            if row["expect"] == expect:
                groups[label(row)].append(idx)
        order = []
        for key in sorted(groups):
            members = groups[key][:]
            rng.shuffle(members)
            order.extend(members)
        offset = rng.random()
        for i, idx in enumerate(order):
            if math.floor((i + 1) * DEV_FRACTION + offset) > math.floor(i * DEV_FRACTION + offset):
                in_dev.add(idx)
    for name, keep in (("dev.jsonl", True), ("holdout.jsonl", False)):
        with (HERE / name).open("w", encoding="utf-8") as f:
            for idx, row in enumerate(rows):
                if (idx in in_dev) == keep:
                    f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"dev={len(in_dev)} holdout={len(rows) - len(in_dev)}")


if __name__ == "__main__":
    main()
