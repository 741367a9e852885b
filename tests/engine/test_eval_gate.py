"""Regression gate on answer quality: the untuned holdout split must not get worse.

The floors are the figures measured on ``tests/eval/holdout.jsonl`` (``python -m bot
eval --quiet``), rounded down: one set for the lexical engine alone (``semantic = false``),
one for the hybrid with the sentence-embedding model. They are a gate against
regressions, not a target to tune to: nobody tunes on the holdout split. The hybrid
gate needs the model (``python scripts/fetch_model.py``); it skips without it, except
under CI=true.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.config import SHIPPED_CONTENT, EngineSettings
from bot.content import load_content
from bot.engine import Engine
from bot.engine.evaluation import Report, baseline_predictor, engine_predictor, load_cases, score

EVAL = Path(__file__).resolve().parent.parent / "eval"

HOLDOUT_FLOORS = {
    "top1": 0.81,
    "mrr3": 0.89,
    "no_answer_precision": 0.86,
    "no_answer_recall": 0.87,
    "urgent_precision": 1.0,
    "urgent_recall": 0.86,
}
# Measured with the hybrid (issue 14): top-1 0.903, MRR@3 0.943, no-answer P/R 0.948/0.965,
# urgent P/R 1.0/0.867, answers correct 0.888.
HYBRID_FLOORS = {
    "top1": 0.90,
    "mrr3": 0.94,
    "no_answer_precision": 0.94,
    "no_answer_recall": 0.96,
    "urgent_precision": 1.0,
    "urgent_recall": 0.86,
    "answers_correct": 0.88,
}


@pytest.fixture(scope="module")
def holdout() -> tuple[Report, Report]:
    knowledge = load_content(SHIPPED_CONTENT)
    cases = load_cases(EVAL / "holdout.jsonl")
    lexical = Engine(knowledge, EngineSettings(semantic=False))
    ours = score("holdout", cases, engine_predictor(lexical))
    questions = [q for e in knowledge.entries.values() for q in e.questions]
    base = score("baseline", cases, baseline_predictor(knowledge, questions))
    return ours, base


@pytest.mark.parametrize("metric", sorted(HOLDOUT_FLOORS))
def test_holdout_does_not_regress(holdout: tuple[Report, Report], metric: str) -> None:
    ours, _ = holdout
    value = getattr(ours, metric)
    # The failures are deliberately not printed: reading them would turn the
    # holdout split into a tuning set. Investigate with the dev split instead.
    assert value >= HOLDOUT_FLOORS[metric], (
        f"holdout {metric} fell to {value:.3f} (floor {HOLDOUT_FLOORS[metric]})"
    )


@pytest.fixture(scope="module")
def hybrid() -> Report:
    engine = Engine(load_content(SHIPPED_CONTENT), EngineSettings())
    if engine.mode != "hybrid":
        message = "the model is absent; run python scripts/fetch_model.py"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return score("holdout", load_cases(EVAL / "holdout.jsonl"), engine_predictor(engine))


@pytest.mark.parametrize("metric", sorted(HYBRID_FLOORS))
def test_hybrid_holdout_does_not_regress(hybrid: Report, metric: str) -> None:
    value = getattr(hybrid, metric)
    assert value >= HYBRID_FLOORS[metric], (
        f"hybrid holdout {metric} fell to {value:.3f} (floor {HYBRID_FLOORS[metric]})"
    )


def test_engine_beats_the_naive_baseline(holdout: tuple[Report, Report]) -> None:
    # Only top-1 is compared: the baseline has no threshold and no triage, so its
    # no-answer and urgent recall are 0.0 by construction and "ours > 0.0" could
    # not fail while the floors above hold.
    ours, base = holdout
    assert ours.top1 > base.top1
