"""Choose the hybrid engine's weights on the dev sets (never a holdout set).

The hybrid confidence of an entry is
``LEXICAL_WEIGHT * lexical + (1 - LEXICAL_WEIGHT) * clip((cos - SIM_FLOOR) / (SIM_CEILING -
SIM_FLOOR))``, where ``cos`` is the entry's best cosine over its phrasings blended
(``SECOND_SHARE``) with the mean of its best two, and the answer threshold stays
``[engine] min_score``. Each dev question is ranked and embedded once;
the grid then runs on arrays. Refusals (triage, scope, dose) do not depend on the weights
and are left out, as bench/tune_engine.py does.

Usage: python bench/tune_hybrid.py [--set PATH ...]
(default: tests/eval/dev.jsonl, dev2.jsonl, dev3.jsonl and, when it exists, dev4.jsonl)
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

import numpy as np

from bot.config import load_config
from bot.content import load_content
from bot.engine import Engine
from bot.engine.evaluation import load_cases
from bot.engine.text import clean

REPO = Path(__file__).resolve().parents[1]
DEV4 = REPO.parent / "evalset" / "tests" / "eval" / "dev4.jsonl"


def default_sets() -> list[Path]:
    sets = [REPO / f"tests/eval/{name}.jsonl" for name in ("dev", "dev2", "dev3", "dev4")]
    found = [p for p in sets if p.exists()]
    # The evalset worktree's copy only stands in for a missing local dev4 (never twice).
    if not any(p.name == "dev4.jsonl" for p in found) and DEV4.exists():
        found.append(DEV4)
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--set", type=Path, action="append", help="tuning sets (never holdout)")
    parser.add_argument(
        "--min-no-answer-recall", type=float, default=0.95, help="constraint on the best"
    )
    args = parser.parse_args()
    sets = args.set or default_sets()
    if any("holdout" in p.name for p in sets):
        parser.error("the holdout splits are the untuned measure: never tune on them")
    config = load_config()
    engine = Engine(load_content(config.content.path), config.engine)
    if engine.mode != "hybrid":
        parser.error("the model is missing: run python scripts/fetch_model.py")
    threshold = config.engine.min_score
    print("sets:", ", ".join(str(p) for p in sets), f"threshold={threshold}")
    n = len(engine.entries)
    expect, ids, lex_rows, sim_rows, exact_rows, plain = [], [], [], [], [], []
    for path in sets:
        for case in load_cases(path):
            if case.expect == "urgent":
                continue
            text = clean(case.question, config.engine.max_question_chars).text
            if (
                any(r.matches(text) for r in engine.knowledge.triage)
                or any(r.matches(text) for r in engine.knowledge.scope)
                or engine.ask(case.question).refusal is not None
            ):
                continue
            lex = np.zeros(n)
            for c in engine._rank_lexical(text, None):
                lex[engine._entry_index[c.entry.id]] = c.score
            has_concepts = bool(text and engine.analyzer.concepts(text))
            if has_concepts:
                best, second = engine.similarity_parts(text, None)
            else:
                best = second = np.full(n, -1.0)
            sim = np.stack([best, second])
            exact = engine._exact_match(engine._cleaned_key(text), None)
            expect.append(case.expect)
            ids.append({engine._entry_index[i] for i in case.ids if i in engine._entry_index})
            lex_rows.append(lex)
            sim_rows.append(sim)
            exact_rows.append(-1 if exact is None else exact)
            plain.append(not has_concepts)
    lex_m, parts = np.array(lex_rows), np.array(sim_rows)  # parts: (cases, 2, entries)
    exact_a, plain_a = np.array(exact_rows), np.array(plain)
    is_answer = np.array([e == "answer" for e in expect])
    results = []
    for share, w, lo, hi in itertools.product(
        [0.0, 0.25, 0.5, 0.75],
        [x / 20 for x in range(21)],
        [x / 20 for x in range(13)],
        [x / 20 for x in range(8, 21)],
    ):
        if hi <= lo:
            continue
        best, second = parts[:, 0], parts[:, 1]
        sim_m = (1 - share) * best + share * (best + second) / 2
        combined = w * lex_m + (1 - w) * np.clip((sim_m - lo) / (hi - lo), 0, 1)
        combined[plain_a] = lex_m[plain_a]
        rows = np.nonzero(exact_a >= 0)[0]
        combined[rows, exact_a[rows]] = 1.0
        top = combined.argmax(axis=1)
        best = combined[np.arange(len(top)), top]
        answered = best >= threshold
        right = np.array([t in want for t, want in zip(top.tolist(), ids, strict=True)])
        correct_answer = is_answer & answered & right
        none_ok = ~is_answer & ~answered
        accuracy = (correct_answer.sum() + none_ok.sum()) / len(expect)
        recall = none_ok.sum() / max((~is_answer).sum(), 1)
        top1 = correct_answer.sum() / max(is_answer.sum(), 1)
        precision = (answered & right & is_answer).sum() / max(answered.sum(), 1)
        results.append((accuracy, top1, recall, precision, w, lo, hi, share))
    results.sort(reverse=True)
    print(
        "accuracy top-1 no-answer-recall answers-correct "
        "(LEXICAL_WEIGHT, SIM_FLOOR, SIM_CEILING, SECOND_SHARE)"
    )
    for r in results[:10]:
        print(f"{r[0]:.3f}    {r[1]:.3f} {r[2]:.3f}            {r[3]:.3f}           {r[4:]}")
    ok = [r for r in results if r[2] >= args.min_no_answer_recall]
    if ok:
        print(f"best with no-answer recall >= {args.min_no_answer_recall}:", ok[0])
    w0 = [r for r in results if r[4] == 1.0]
    if w0:
        print("lexical alone (weight 1.0):", w0[0])


if __name__ == "__main__":
    main()
