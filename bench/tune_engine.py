"""Grid-search the engine's BM25 variant, field weights and decision threshold on the dev split.

Never run on the holdout split: it is the untuned measure. Prints the best settings and
the figures per BM25 variant, which is how the defaults in bot/config.py and
bot/engine were chosen.

Usage: python bench/tune_engine.py [--set tests/eval/dev.jsonl --set tests/eval/dev2.jsonl]
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

from bot.config import EngineSettings, load_config
from bot.content import load_content
from bot.engine import BM25Params, Engine
from bot.engine.evaluation import load_cases
from bot.engine.text import clean

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--set",
        type=Path,
        action="append",
        help="tuning sets (default: tests/eval/dev.jsonl and dev2.jsonl; never holdout)",
    )
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    config = load_config()
    knowledge = load_content(config.content.path)
    sets = args.set or [REPO / "tests/eval/dev.jsonl", REPO / "tests/eval/dev2.jsonl"]
    if any("holdout" in p.name for p in sets):
        parser.error("the holdout split is the untuned measure: never tune on it")
    cases = [c for path in sets for c in load_cases(path) if c.expect != "urgent"]
    best_by_variant: dict[str, tuple[float, str]] = {}
    variants = ["okapi", "plus", "l"]
    k1s = [1.2] if args.quick else [0.9, 1.2, 1.5]
    bs = [0.75] if args.quick else [0.5, 0.75, 0.9]
    answer_weights = [0.0, 0.15, 0.3]
    answer_cov = [0.3, 0.5]
    unknown = [0.8, 1.0, 1.5]
    relative = [0.3, 0.5, 0.7]
    unknown_power = [1.0, 0.75, 0.5]
    anchors = [0.0, 0.3, 0.45, 0.6]
    thresholds = [x / 100 for x in range(20, 81, 2)]
    for variant, k1, b in itertools.product(variants, k1s, bs):
        settings = EngineSettings(min_score=0.0, semantic=False)
        engine = Engine(knowledge, settings, params=BM25Params(variant, k1, b))
        for aw, ac, uw, rw, up, an in itertools.product(
            answer_weights, answer_cov, unknown, relative, unknown_power, anchors
        ):
            engine.ANSWER_WEIGHT, engine.ANSWER_COVERAGE, engine.UNKNOWN_WEIGHT = aw, ac, uw
            engine.RELATIVE_WEIGHT, engine.UNKNOWN_POWER, engine.ANCHOR_MIN = rw, up, an
            results = []
            for case in cases:
                ranked = engine._rank_lexical(clean(case.question, 500).text, None)
                top = ranked[0] if ranked else None
                results.append((case, top.entry.id if top else None, top.score if top else 0.0))
            for t in thresholds:
                good = sum(
                    (c.expect == "answer" and s >= t and e in c.ids)
                    or (c.expect == "no_answer" and s < t)
                    for c, e, s in results
                )
                acc = good / len(results)
                label = (
                    f"variant={variant} k1={k1} b={b} answer_weight={aw} answer_cov={ac} "
                    f"unknown={uw} power={up} relative={rw} anchor={an} min_score={t}"
                )
                if acc > best_by_variant.get(variant, (0.0, ""))[0]:
                    best_by_variant[variant] = (acc, label)
    for acc, label in best_by_variant.values():
        print(f"{acc:.3f}  {label}")


if __name__ == "__main__":
    main()
