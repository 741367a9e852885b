"""Choose the semantic triage layer's thresholds on the dev sets (never a holdout set).

For each (THRESHOLD, MARGIN, STRONG, FREE_MARGIN) on the grid it reports, over the dev sets: urgent
recall at tier (concept and semantic layers together), the semantic layer's own recall
(what it would catch without the concept rules: its generalisation, since its examples
are not dev rows) and false alarms on ordinary questions. Every question and sentence is
embedded once; the grid only re-runs the (cheap) comparisons.

(F is FREE_MARGIN.) Pick the point that keeps dev false alarms at most 1% and maximises
the semantic layer's own recall; then set the constants in bot/engine/semantic_triage.py.

Usage: python bench/tune_semantic_triage.py [--set PATH ...] [--grid]
(default: tests/eval/dev.jsonl ... dev13.jsonl as present)
"""

from __future__ import annotations

import argparse
import itertools
from functools import lru_cache
from pathlib import Path

from bot.config import load_config
from bot.content import SEVERITY_ORDER, TriageRule, load_content
from bot.engine import Engine
from bot.engine.evaluation import Case, load_cases
from bot.engine.semantic_triage import SemanticTriage
from bot.engine.text import clean

REPO = Path(__file__).resolve().parents[1]
DEV = tuple(f"dev{n}" for n in ("", 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13))


def default_sets() -> list[Path]:
    return [p for p in (REPO / f"tests/eval/{n}.jsonl" for n in DEV) if p.exists()]


def at_tier(case: Case, severity: str | None) -> bool:
    want = case.severity or "same-day"
    return severity is not None and SEVERITY_ORDER.index(severity) <= SEVERITY_ORDER.index(want)


def measure(engine: Engine, cases: list[Case]) -> tuple[float, float, int, int]:
    """(recall at tier, semantic-only recall at tier, false alarms, ordinary questions)."""
    semantic = engine.semantic_triage
    assert semantic is not None
    urgent = [c for c in cases if c.expect == "urgent"]
    ordinary = [c for c in cases if c.expect in ("answer", "no_answer")]
    hit = alone = alarms = 0
    for case in urgent:
        rule = triage_of(engine, case.question)
        hit += at_tier(case, rule.severity if rule else None)
        meant = semantic_only(engine, case.question)
        alone += at_tier(case, meant.severity if meant else None)
    for case in ordinary:
        alarms += triage_of(engine, case.question) is not None
    return hit / max(len(urgent), 1), alone / max(len(urgent), 1), alarms, len(ordinary)


def triage_of(engine: Engine, question: str) -> TriageRule | None:
    """The engine's verdict on one question, as ``Engine.ask`` reaches it."""
    text = clean(question).text
    outside = any(r.matches(text) for r in engine.knowledge.scope)
    return engine._triage(question, text, outside=outside)


def semantic_only(engine: Engine, question: str) -> TriageRule | None:
    """What the semantic layer alone decides (the concept rules switched off)."""
    assert engine.semantic_triage is not None
    parts = engine._triage_parts(question)
    return engine.semantic_triage.match(clean(question).text, parts, engine._vector)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", action="append", type=Path, dest="sets")
    parser.add_argument("--grid", action="store_true", help="scan the grid, not only now")
    args = parser.parse_args()
    config = load_config(None)
    engine = Engine(load_content(config.content.path), config.engine)
    if engine.semantic_triage is None:
        raise SystemExit("the semantic layer is off (no model or no triage_examples.toml)")
    engine._vector = lru_cache(maxsize=None)(engine._encode)  # type: ignore[method-assign]
    sets = {p.stem: load_cases(p) for p in (args.sets or default_sets())}
    st = SemanticTriage
    now = (st.THRESHOLD, st.MARGIN, st.STRONG, st.FREE_MARGIN)
    grid = (
        list(
            itertools.product(
                [0.35, 0.4, 0.45, 0.5, 0.55, 0.6],
                [0.0, 0.03, 0.06],
                [0.8, 1.01],
                [0.15, 0.2, 0.25, 0.3, 1.0],
            )
        )
        if args.grid
        else [now]
    )
    for threshold, margin, strong, free in grid:
        st.THRESHOLD, st.MARGIN, st.STRONG, st.FREE_MARGIN = threshold, margin, strong, free
        engine.triage.clear_cache()
        cells = []
        alarms = ordinary = 0
        for name, cases in sets.items():
            recall, alone, fa, n = measure(engine, cases)
            alarms, ordinary = alarms + fa, ordinary + n
            cells.append(f"{name} {recall:.1%} (sem {alone:.0%}) fa {fa}")
        print(
            f"T={threshold:.2f} M={margin:.2f} S={strong:.2f} F={free:.2f} "
            f"false alarms {alarms}/{ordinary} ({alarms / max(ordinary, 1):.1%}) | "
            + " | ".join(cells)
        )
    st.THRESHOLD, st.MARGIN, st.STRONG, st.FREE_MARGIN = now


if __name__ == "__main__":
    main()
