#!/usr/bin/env python3
"""Validate the evaluation set.  Standard library only.

    python tests/eval/check_set.py

Checks every line of dev.jsonl and holdout.jsonl (and all.jsonl, if present):
valid JSON, allowed keys, valid expect / ids / kind / rule values, no duplicate
questions across the whole set (case-folded, punctuation and spacing ignored),
per-split and total minimum counts, every entry id and urgent rule present in
both splits, and that dev + holdout together equal all.jsonl.
Prints counts per split and exits non-zero on any problem.
"""

import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

VALID_IDS = frozenset(
    """
what-is-a-muscle-spasm charley-horse-name muscle-types
cramp-vs-spasm spasm-vs-twitch
what-causes-spasms stress-and-spasms diseases-causing-spasms risk-factors
night-leg-cramps electrolytes-and-cramps medication-side-effect-cramps
spasm-symptoms what-spasm-feels-like back-spasm-feel common-spasm-locations eyelid-twitch
types-of-spasms types-of-cramps
how-long-spasms-last back-spasm-duration permanent-spasms daily-spasms
stop-a-spasm treatment heat-or-ice back-spasm-relief calf-cramp-relief
breathing-and-cramps neck-spasm-relief
prevent-leg-spasms prevent-spasms
best-medicine muscle-relaxers relaxer-classes natural-relaxers
when-to-worry spasms-not-improving prognosis
dystonia tetany als-early-signs dvt-vs-cramp pregnancy-cramps
how-spasms-are-diagnosed spasm-blood-tests
""".split()
)

VALID_KINDS = frozenset(
    "other-condition near-domain chit-chat gibberish injection other-sense".split()
)

VALID_RULES = frozenset(
    """
blood-clot breathing chest-pain seizure stroke head-neck-injury rhabdo
meningitis low-calcium overdose self-harm tetanus cauda-equina
""".split()
)

# Rules added with the severity tiers (issue 13): valid labels in the newer sets, not
# required in dev / holdout, which were written before them.
LATER_RULES = frozenset(
    """
anaphylaxis heat-stroke serotonin-syndrome nms child-ingestion spider-bite pre-eclampsia
limb-ischaemia compartment-syndrome baclofen-withdrawal acute-dystonic-reaction
dehydration low-potassium back-pain-infection wound-tetanus-cover baclofen-supply
""".split()
)

MIN_PER_SPLIT = {"answer": 150, "no_answer": 50, "urgent": 25}
MIN_TOTAL = {"answer": 330, "no_answer": 110, "urgent": 55}

KEYS = {
    "answer": {"question", "expect", "ids"},
    "no_answer": {"question", "expect", "kind"},
    "urgent": {"question", "expect", "rule"},
    "other_language": {"question", "expect", "lang"},
}
# Keys a row may carry besides its required ones: ``also`` (answer rows only) lists
# the ids of a second question in the same message, which must be answered too;
# ``other_language`` rows may list the ``ids`` they would be about in English.
OPTIONAL_KEYS = {"style", "severity", "rule", "lang"}
ANSWER_OPTIONAL_KEYS = {"also"}
VALID_LANGS = frozenset("es de fr pt it nl pl ro sv tr ru zh ja ar hi id other".split())


def norm(q):
    return re.sub(r"[\W_]+", " ", q.casefold()).strip() or q.casefold().strip()


def load(path, problems):
    rows = []
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            where = f"{path.name}:{n}"
            if not line.strip():
                problems.append(f"{where}: blank line")
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                problems.append(f"{where}: bad JSON ({e})")
                continue
            if not isinstance(row, dict):
                problems.append(f"{where}: not an object")
                continue
            exp = row.get("expect")
            if exp not in KEYS:
                problems.append(f"{where}: bad expect {exp!r}")
                continue
            extra = ANSWER_OPTIONAL_KEYS if exp == "answer" else set()
            if exp == "other_language":
                extra = {"ids"}  # the entry it would be about, were it in English
            allowed = KEYS[exp] | OPTIONAL_KEYS | extra
            if not KEYS[exp] <= set(row) <= allowed:
                problems.append(
                    f"{where}: keys {sorted(row)}: need {sorted(KEYS[exp])}, "
                    f"may add {sorted(allowed - KEYS[exp])}"
                )
                continue
            if "lang" in row and row["lang"] not in VALID_LANGS:
                problems.append(f"{where}: bad lang {row['lang']!r}")
            for key in ("style", "severity"):
                if key in row and (not isinstance(row[key], str) or not row[key].strip()):
                    problems.append(f"{where}: {key} must be a non-empty string")
            if "also" in row:
                also = row["also"]
                if not isinstance(also, list) or not also:
                    problems.append(f"{where}: also must be a non-empty list")
                elif unknown := [i for i in also if i not in VALID_IDS]:
                    problems.append(f"{where}: unknown also ids {unknown}")
            q = row["question"]
            if not isinstance(q, str) or not q.strip():
                problems.append(f"{where}: empty question")
                continue
            if exp == "answer":
                ids = row["ids"]
                if not isinstance(ids, list) or not ids:
                    problems.append(f"{where}: ids must be a non-empty list")
                    continue
                if len(set(ids)) != len(ids):
                    problems.append(f"{where}: repeated id in {ids}")
                bad = [i for i in ids if i not in VALID_IDS]
                if bad:
                    problems.append(f"{where}: unknown ids {bad}")
            elif exp == "no_answer" and row["kind"] not in VALID_KINDS:
                problems.append(f"{where}: bad kind {row['kind']!r}")
            elif exp == "urgent" and row["rule"] not in VALID_RULES | LATER_RULES:
                problems.append(f"{where}: bad rule {row['rule']!r}")
            rows.append((where, row))
    return rows


def check_files(paths):
    """Validate other sets (dev2, dev3, dev4 ...): row format only, no split rules."""
    problems: list[str] = []
    for path in paths:
        rows = load(Path(path), problems)
        c = Counter(r["expect"] for _, r in rows)
        print(f"{Path(path).name}: {len(rows)} rows  " + "  ".join(f"{k}={c[k]}" for k in KEYS))
    for p in problems:
        print("PROBLEM:", p)
    return 1 if problems else 0


def main():
    if len(sys.argv) > 1:
        return check_files(sys.argv[1:])
    problems = []
    splits: dict[str, list[Any]] = {}
    for name in ("dev", "holdout"):
        path = HERE / f"{name}.jsonl"
        if not path.exists():
            problems.append(f"missing {path.name}")
            splits[name] = []
        else:
            splits[name] = load(path, problems)

    # duplicates across the whole set
    seen: dict[str, str] = {}
    for rows in splits.values():
        for where, row in rows:
            key = norm(row["question"])
            if key in seen:
                problems.append(f"{where}: duplicate of {seen[key]}: {row['question']!r}")
            else:
                seen[key] = where

    totals: Counter[str] = Counter()
    for name, rows in splits.items():
        c = Counter(r["expect"] for _, r in rows)
        totals.update(c)
        kinds = Counter(r["kind"] for _, r in rows if r["expect"] == "no_answer")
        rules = Counter(r["rule"] for _, r in rows if r["expect"] == "urgent")
        ids = Counter(i for _, r in rows if r["expect"] == "answer" for i in r["ids"])
        multi = sum(1 for _, r in rows if r["expect"] == "answer" and len(r["ids"]) > 1)
        print(
            f"{name}: {len(rows)} rows  "
            + "  ".join(f"{k}={c[k]}" for k in KEYS)
            + f"  (answer rows with 2+ ids: {multi})"
        )
        print("  no_answer kinds: " + ", ".join(f"{k}={kinds[k]}" for k in sorted(VALID_KINDS)))
        print("  urgent rules:    " + ", ".join(f"{k}={rules[k]}" for k in sorted(VALID_RULES)))
        for k, m in MIN_PER_SPLIT.items():
            if c[k] < m:
                problems.append(f"{name}: {k}={c[k]} < minimum {m}")
        for i in sorted(VALID_IDS - set(ids)):
            problems.append(f"{name}: no question targets id {i}")
        for r in sorted(VALID_RULES - set(rules)):
            problems.append(f"{name}: no urgent question for rule {r}")
        for k in sorted(VALID_KINDS - set(kinds)):
            problems.append(f"{name}: no no_answer question of kind {k}")
    print("total: " + "  ".join(f"{k}={totals[k]}" for k in KEYS))
    for k, m in MIN_TOTAL.items():
        if totals[k] < m:
            problems.append(f"total: {k}={totals[k]} < minimum {m}")

    master = HERE / "all.jsonl"
    if master.exists():
        all_rows = load(master, problems)

        def canon(r):
            return json.dumps(r, sort_keys=True, ensure_ascii=False)

        a = Counter(canon(r) for _, r in all_rows)
        b = Counter(canon(r) for rows in splits.values() for _, r in rows)
        if a != b:
            only_all, only_splits = sum((a - b).values()), sum((b - a).values())
            problems.append(
                f"dev + holdout differ from all.jsonl ({only_all} only in all, "
                f"{only_splits} only in splits); re-run split.py"
            )

    if problems:
        print(f"\n{len(problems)} problem(s):", file=sys.stderr)
        for p in problems:
            print("  " + p, file=sys.stderr)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
