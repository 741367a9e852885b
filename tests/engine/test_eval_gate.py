"""Regression gate on answer quality: the untuned holdout splits must not get worse.

The floors are the figures measured on ``tests/eval/holdout.jsonl`` to
``holdout4.jsonl`` (``python -m bot eval --quiet``), rounded down: one set for the
lexical engine alone (``semantic = false``, holdout only), one per split for the hybrid
with the sentence-embedding model. They are a gate against regressions, not a target to
tune to: nobody tunes on the holdout splits. The hybrid gate needs the model
(``python scripts/fetch_model.py``); it skips without it, except under CI=true.
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

# Lexical engine on holdout.jsonl, measured 2026-12-02: top-1 0.851, MRR@3 0.904,
# no-answer P/R 0.981/0.895, urgent P/R 1.0/0.967.
HOLDOUT_FLOORS = {
    "top1": 0.85,
    "mrr3": 0.90,
    "no_answer_precision": 0.98,
    "no_answer_recall": 0.89,
    "urgent_precision": 1.0,
    "urgent_recall": 0.96,
}
# The hybrid on the blind holdouts, measured 2026-12-02 (holdout2 and holdout4 urgent and
# no-answer floors raised 2026-12-03 to what was measured then) after the semantic triage
# layer and the dev7/dev8 rounds (rounded down). holdout2, holdout3 and holdout4 were
# written blind by three authors in members' styles; "tier_recall" is urgent guidance
# at the labelled tier or a more severe one. holdout2's no-answer recall sits one
# question lower than before the semantic triage (0.932 -> 0.919), a trade for urgent
# recall 0.712 -> 0.928.
HYBRID_FLOORS: dict[str, dict[str, float]] = {
    "holdout": {
        "top1": 0.91,
        "mrr3": 0.95,
        "no_answer_precision": 0.98,
        "no_answer_recall": 0.98,
        "urgent_precision": 1.0,
        "urgent_recall": 0.96,
        "answers_correct": 0.90,
    },
    "holdout2": {
        "top1": 0.89,
        "no_answer_recall": 0.93,
        "urgent_precision": 0.98,
        "urgent_recall": 0.93,
        "tier_recall": 0.93,
        "answers_correct": 0.92,
        "also_recall": 0.86,
        "language_recall": 0.86,
    },
    "holdout3": {
        "top1": 0.88,
        "no_answer_recall": 0.92,
        "urgent_precision": 0.95,
        "urgent_recall": 1.0,
        "tier_recall": 1.0,
        "answers_correct": 0.93,
        "also_recall": 0.85,
        "language_recall": 0.9,
    },
    "holdout4": {
        "top1": 0.86,
        "no_answer_recall": 0.93,
        "urgent_precision": 0.93,
        "urgent_recall": 0.94,
        "tier_recall": 0.94,
        "answers_correct": 0.91,
        "also_recall": 0.8,
        "language_recall": 1.0,
    },
    # Two fresh blind holdouts of 2026-12-03, measured after that day's dev9-dev13 rounds:
    # holdout5 (answers, stories, triage), holdout6 (triage first).
    "holdout5": {
        "top1": 0.83,
        "no_answer_recall": 0.94,
        "urgent_precision": 0.92,
        "urgent_recall": 1.0,
        "tier_recall": 1.0,
        "answers_correct": 0.93,
        "also_recall": 0.88,
        "language_recall": 1.0,
    },
    "holdout6": {
        "top1": 0.84,
        "no_answer_recall": 0.94,
        "urgent_precision": 0.98,
        "urgent_recall": 0.95,
        "tier_recall": 0.95,
        "answers_correct": 0.87,
        "language_recall": 1.0,
    },
}
#: The int8 encoder's kernels differ by CPU (AVX512-VNNI on one host, AVX2 on another), which
#: moves a borderline question or two: hybrid floors allow one point of such drift, so the
#: gate catches a change that makes answers worse, not the machine CI happens to get.
CPU_DRIFT = 0.01
#: Ordinary questions given urgent guidance: at most this share on any holdout.
FALSE_ALARM_CEILING = 0.03


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
def hybrid() -> dict[str, Report]:
    engine = Engine(load_content(SHIPPED_CONTENT), EngineSettings())
    if engine.mode != "hybrid":
        message = "the model is absent; run python scripts/fetch_model.py"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    predict = engine_predictor(engine)
    return {
        name: score(name, load_cases(EVAL / f"{name}.jsonl"), predict) for name in HYBRID_FLOORS
    }


@pytest.mark.parametrize(
    ("split", "metric"), [(s, m) for s, floors in HYBRID_FLOORS.items() for m in sorted(floors)]
)
def test_hybrid_holdouts_do_not_regress(hybrid: dict[str, Report], split: str, metric: str) -> None:
    value = getattr(hybrid[split], metric)
    floor = round(HYBRID_FLOORS[split][metric] - CPU_DRIFT, 3)
    assert value >= floor, f"hybrid {split} {metric} fell to {value:.3f} (floor {floor})"


@pytest.mark.parametrize("split", sorted(HYBRID_FLOORS))
def test_false_alarms_stay_rare(hybrid: dict[str, Report], split: str) -> None:
    rate = hybrid[split].false_alarm_rate
    assert rate <= FALSE_ALARM_CEILING, f"{split}: {rate:.1%} of ordinary questions alarmed"


def test_engine_beats_the_naive_baseline(holdout: tuple[Report, Report]) -> None:
    # Only top-1 is compared: the baseline has no threshold and no triage, so its
    # no-answer and urgent recall are 0.0 by construction and "ours > 0.0" could
    # not fail while the floors above hold.
    ours, base = holdout
    assert ours.top1 > base.top1
