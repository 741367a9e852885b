#!/usr/bin/env python3
"""Validate dev4.jsonl and holdout2.jsonl (stdlib only). Exit 1 on any problem.

Checks: valid JSON per line, exact key sets and allowed values per `expect`,
ids in the FAQ entry list, no duplicate questions within or across the two
files (after casefold and stripping punctuation/whitespace), and counts.
"""

import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
FILES = ["dev4.jsonl", "holdout2.jsonl"]

VALID_IDS = frozenset(
    """
what-is-a-muscle-spasm charley-horse-name muscle-types cramp-vs-spasm spasm-vs-twitch
what-causes-spasms stress-and-spasms diseases-causing-spasms risk-factors night-leg-cramps
electrolytes-and-cramps medication-side-effect-cramps spasm-symptoms what-spasm-feels-like
back-spasm-feel common-spasm-locations eyelid-twitch types-of-spasms types-of-cramps
how-long-spasms-last back-spasm-duration permanent-spasms daily-spasms stop-a-spasm treatment
heat-or-ice back-spasm-relief calf-cramp-relief breathing-and-cramps neck-spasm-relief
prevent-leg-spasms prevent-spasms best-medicine muscle-relaxers relaxer-classes
natural-relaxers when-to-worry spasms-not-improving prognosis dystonia tetany
als-early-signs dvt-vs-cramp pregnancy-cramps how-spasms-are-diagnosed spasm-blood-tests
""".split()
)
KINDS = frozenset("other-condition near-domain chit-chat gibberish injection other-sense".split())
STYLES = frozenset(
    "story two-questions typo short parent non-native jargon discord plain other-language".split()
)
LANGS = frozenset("es de fr pt it".split())
RULES = {
    "crisis": {"self-harm"},
    "emergency": set(
        """overdose anaphylaxis breathing chest-pain stroke seizure meningitis
        head-neck-injury cauda-equina tetanus blood-clot rhabdo low-calcium heat-stroke
        serotonin-syndrome nms child-ingestion spider-bite pre-eclampsia limb-ischaemia
        compartment-syndrome baclofen-withdrawal acute-dystonic-reaction""".split()
    ),
    "same-day": set(
        "dehydration low-potassium back-pain-infection wound-tetanus-cover baclofen-supply".split()
    ),
}
KEYS = {
    "answer": ({"question", "expect", "ids", "style"}, {"also"}),
    "no_answer": ({"question", "expect", "kind", "style"}, set()),
    "urgent": ({"question", "expect", "severity", "rule", "style"}, set()),
    "other_language": ({"question", "expect", "lang", "ids", "style"}, set()),
}
# minimum counts per file
MIN = {"answer": 200, "no_answer": 65, "urgent": 95, "other_language": 12}
MIN_PER_ID = 3
MIN_DOSE = 15
MIN_SELF_HARM = 10
MIN_PER_EMERGENCY_RULE = 4
MIN_PER_SAMEDAY_RULE = 4


def norm(q):
    return re.sub(r"[\W_]+", "", q.casefold())


def check_ids(v, where, problems, field):
    if not isinstance(v, list) or not v or not all(isinstance(i, str) for i in v):
        problems.append(f"{where}: {field} must be a non-empty list of strings")
        return
    if len(set(v)) != len(v):
        problems.append(f"{where}: repeated id in {field}")
    for i in v:
        if i not in VALID_IDS:
            problems.append(f"{where}: unknown id {i!r} in {field}")


def load(path, problems):
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        where = f"{path.name}:{n}"
        if not line.strip():
            problems.append(f"{where}: blank line")
            continue
        try:
            r = json.loads(line)
        except json.JSONDecodeError as e:
            problems.append(f"{where}: bad JSON ({e})")
            continue
        if not isinstance(r, dict) or r.get("expect") not in KEYS:
            problems.append(f"{where}: bad or missing expect")
            continue
        exp = r["expect"]
        need, opt = KEYS[exp]
        if not need <= set(r) <= need | opt:
            problems.append(f"{where}: keys {sorted(r)}")
            continue
        q = r["question"]
        if not isinstance(q, str) or not q.strip() or (not norm(q) and exp != "no_answer"):
            problems.append(f"{where}: empty question")
        if r["style"] not in STYLES:
            problems.append(f"{where}: bad style {r['style']!r}")
        if exp == "answer":
            check_ids(r["ids"], where, problems, "ids")
            if "also" in r:
                check_ids(r["also"], where, problems, "also")
                if r["style"] != "two-questions":
                    problems.append(f"{where}: 'also' needs style two-questions")
            elif r["style"] == "two-questions":
                problems.append(f"{where}: two-questions needs 'also'")
        elif exp == "no_answer":
            if r["kind"] not in KINDS:
                problems.append(f"{where}: bad kind {r['kind']!r}")
        elif exp == "urgent":
            if r["severity"] not in RULES:
                problems.append(f"{where}: bad severity {r['severity']!r}")
            elif r["rule"] not in RULES[r["severity"]]:
                problems.append(f"{where}: rule {r['rule']!r} not allowed for {r['severity']}")
        else:
            check_ids(r["ids"], where, problems, "ids")
            if r["lang"] not in LANGS:
                problems.append(f"{where}: bad lang {r['lang']!r}")
            if r["style"] != "other-language":
                problems.append(f"{where}: style must be other-language")
        rows.append((where, r))
    return rows


DOSE = re.compile(r"\d|dose|how many|how much|at once|max|double|too much|extra|another|mg", re.I)


def main():
    problems = []
    seen: dict[str, str] = {}
    for name in FILES:
        path = HERE / name
        if not path.exists():
            problems.append(f"{name}: missing")
            continue
        rows = load(path, problems)
        for where, r in rows:
            k = norm(r["question"]) or r["question"].strip().casefold()
            if k in seen:
                problems.append(f"{where}: duplicate of {seen[k]}")
            else:
                seen[k] = where
        c = Counter(r["expect"] for _, r in rows)
        styles = Counter(r["style"] for _, r in rows)
        ids = Counter(
            i for _, r in rows if r["expect"] == "answer" for i in r["ids"] + r.get("also", [])
        )
        kinds = Counter(r["kind"] for _, r in rows if r["expect"] == "no_answer")
        tiers = Counter(r["severity"] for _, r in rows if r["expect"] == "urgent")
        rules = Counter(r["rule"] for _, r in rows if r["expect"] == "urgent")
        langs = Counter(r["lang"] for _, r in rows if r["expect"] == "other_language")
        dose = sum(
            1
            for _, r in rows
            if r["expect"] == "no_answer"
            and r["kind"] == "near-domain"
            and DOSE.search(r["question"])
        )
        print(f"{name}: {len(rows)} rows  " + "  ".join(f"{k}={c[k]}" for k in KEYS))
        print("  styles: " + ", ".join(f"{k}={v}" for k, v in sorted(styles.items())))
        print(
            "  kinds:  "
            + ", ".join(f"{k}={v}" for k, v in sorted(kinds.items()))
            + f"  (dose-like near-domain={dose})"
        )
        print("  tiers:  " + ", ".join(f"{k}={v}" for k, v in sorted(tiers.items())))
        print("  rules:  " + ", ".join(f"{k}={v}" for k, v in sorted(rules.items())))
        print("  langs:  " + ", ".join(f"{k}={v}" for k, v in sorted(langs.items())))
        for k, m in MIN.items():
            if c[k] < m:
                problems.append(f"{name}: {k}={c[k]} < {m}")
        for i in sorted(VALID_IDS):
            if ids[i] < MIN_PER_ID:
                problems.append(f"{name}: id {i} used {ids[i]} < {MIN_PER_ID}")
        for k in KINDS:
            if kinds[k] < 1:
                problems.append(f"{name}: no_answer kind {k} missing")
        if dose < MIN_DOSE:
            problems.append(f"{name}: dose-like near-domain {dose} < {MIN_DOSE}")
        if rules["self-harm"] < MIN_SELF_HARM:
            problems.append(f"{name}: self-harm {rules['self-harm']} < {MIN_SELF_HARM}")
        for r_ in sorted(RULES["emergency"]):
            if rules[r_] < MIN_PER_EMERGENCY_RULE:
                problems.append(
                    f"{name}: emergency rule {r_} {rules[r_]} < {MIN_PER_EMERGENCY_RULE}"
                )
        for r_ in sorted(RULES["same-day"]):
            if rules[r_] < MIN_PER_SAMEDAY_RULE:
                problems.append(f"{name}: same-day rule {r_} {rules[r_]} < {MIN_PER_SAMEDAY_RULE}")
        if len(langs) < 5 and c["other_language"]:
            problems.append(f"{name}: only {len(langs)} languages")
    for p in problems:
        print("PROBLEM:", p)
    print("OK" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
