"""Answer-quality report over a labelled question set, next to a naive baseline.

A set is JSON lines: ``{"question", "expect": "answer"|"no_answer"|"urgent", "ids": [...]}``.
The baseline is what a first attempt would be: rank-bm25 over the raw seed
questions, whitespace tokens, always answering its top hit.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rank_bm25 import BM25Okapi

from bot.content import Knowledge
from bot.engine.engine import Decision, Engine

SEED_QUESTION_MAX = 150


@dataclass(frozen=True, slots=True)
class Case:
    question: str
    expect: str
    ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Prediction:
    outcome: str
    ranked: tuple[str, ...]


@dataclass
class Report:
    """Figures for one split; every rate is a fraction from 0 to 1."""

    name: str
    total: int = 0
    answerable: int = 0
    top1: float = 0.0
    mrr3: float = 0.0
    no_answer_precision: float = 0.0
    no_answer_recall: float = 0.0
    urgent_precision: float = 0.0
    urgent_recall: float = 0.0
    #: Of the questions the engine answered with an entry, the share answered correctly.
    answers_correct: float = 0.0
    failures: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, float | int | str]:
        return {
            "split": self.name,
            "questions": self.total,
            "top1": round(self.top1, 4),
            "mrr3": round(self.mrr3, 4),
            "no_answer_precision": round(self.no_answer_precision, 4),
            "no_answer_recall": round(self.no_answer_recall, 4),
            "urgent_precision": round(self.urgent_precision, 4),
            "urgent_recall": round(self.urgent_recall, 4),
            "answers_correct": round(self.answers_correct, 4),
        }

    def lines(self) -> list[str]:
        return [
            f"{self.name}: {self.total} questions",
            f"  top-1 accuracy      {self.top1:7.1%}  (of {self.answerable} answerable)",
            f"  MRR@3               {self.mrr3:7.3f}",
            f"  no-answer precision {self.no_answer_precision:7.1%}"
            f"   recall {self.no_answer_recall:7.1%}",
            f"  urgent precision    {self.urgent_precision:7.1%}"
            f"   recall {self.urgent_recall:7.1%}",
            f"  answers correct     {self.answers_correct:7.1%}  (of the answers given)",
        ]


def side_by_side(columns: Sequence[tuple[str, Report]]) -> list[str]:
    """The same figures for several engines on one split, one labelled column each."""
    head = columns[0][1]
    reports = [r for _, r in columns]
    rows = [
        ("top-1 accuracy", "top1", True),
        ("MRR@3", "mrr3", False),
        ("no-answer precision", "no_answer_precision", True),
        ("no-answer recall", "no_answer_recall", True),
        ("urgent precision", "urgent_precision", True),
        ("urgent recall", "urgent_recall", True),
        ("answers correct", "answers_correct", True),
    ]
    lines = [
        f"{head.name}: {head.total} questions ({head.answerable} answerable)",
        f"  {'':<22}" + "".join(f"{label:>10}" for label, _ in columns),
    ]
    for label, attr, percent in rows:
        cells = "".join(
            f"{getattr(r, attr):>10.1%}" if percent else f"{getattr(r, attr):>10.3f}"
            for r in reports
        )
        lines.append(f"  {label:<22}{cells}")
    return lines


def load_cases(path: Path) -> list[Case]:
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            cases.append(Case(item["question"], item["expect"], tuple(item.get("ids", ()))))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{number}: not a valid case ({exc})") from exc
    return cases


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 1.0


def _precision(tp: int, fp: int, fn: int) -> float:
    """Precision; a system that never predicts a class present in the set scores 0, not 1."""
    if tp + fp:
        return tp / (tp + fp)
    return 0.0 if fn else 1.0


def score(name: str, cases: Sequence[Case], predict: Callable[[str], Prediction]) -> Report:
    """Compute the report for ``cases`` with any predictor (the engine or a baseline)."""
    report = Report(name, total=len(cases))
    correct = reciprocal = 0.0
    given = given_right = 0
    tp_none = fp_none = fn_none = tp_urgent = fp_urgent = fn_urgent = 0
    for case in cases:
        p = predict(case.question)
        if p.outcome == "answer":
            given += 1
            given_right += case.expect == "answer" and bool(p.ranked) and p.ranked[0] in case.ids
        if case.expect == "answer":
            report.answerable += 1
            top_ok = p.outcome == "answer" and bool(p.ranked) and p.ranked[0] in case.ids
            correct += top_ok
            for rank, entry_id in enumerate(p.ranked[:3], 1):
                if entry_id in case.ids:
                    reciprocal += 1 / rank
                    break
            if not top_ok:
                got = p.ranked[0] if p.outcome == "answer" and p.ranked else p.outcome
                report.failures.append(
                    f"answer  {case.question!r}: want {'/'.join(case.ids)}, got {got}"
                )
        none_expected, none_got = case.expect == "no_answer", p.outcome == "no_answer"
        tp_none += none_expected and none_got
        fp_none += none_got and not none_expected
        fn_none += none_expected and not none_got
        urgent_expected, urgent_got = case.expect == "urgent", p.outcome == "urgent"
        tp_urgent += urgent_expected and urgent_got
        fp_urgent += urgent_got and not urgent_expected
        fn_urgent += urgent_expected and not urgent_got
        if case.expect != "answer" and case.expect != p.outcome:
            got = p.ranked[0] if p.outcome == "answer" and p.ranked else p.outcome
            report.failures.append(f"{case.expect:<7} {case.question!r}: got {got}")
    report.top1 = _ratio(int(correct), report.answerable)
    report.mrr3 = reciprocal / report.answerable if report.answerable else 1.0
    report.no_answer_precision = _precision(tp_none, fp_none, fn_none)
    report.no_answer_recall = _ratio(tp_none, tp_none + fn_none)
    report.urgent_precision = _precision(tp_urgent, fp_urgent, fn_urgent)
    report.urgent_recall = _ratio(tp_urgent, tp_urgent + fn_urgent)
    report.answers_correct = _ratio(given_right, given)
    return report


def engine_predictor(engine: Engine) -> Callable[[str], Prediction]:
    def predict(question: str) -> Prediction:
        decision: Decision = engine.ask(question)
        ranked = [decision.entry.id] if decision.entry else []
        ranked += [c.entry.id for c in decision.candidates if c.entry.id not in ranked]
        return Prediction(decision.outcome, tuple(ranked))

    return predict


def seed_questions(seeds: Path) -> list[str]:
    """Question lines of the seed files: stripped, ending in '?', at most 150 characters."""
    lines: list[str] = []
    for path in sorted(seeds.glob("*.txt")):
        for raw in path.read_text(encoding="utf-8").splitlines():
            line = raw.strip()
            if line.endswith("?") and len(line) <= SEED_QUESTION_MAX:
                lines.append(line)
    return lines


def baseline_predictor(
    knowledge: Knowledge, questions: Iterable[str]
) -> Callable[[str], Prediction]:
    """rank-bm25 over raw seed questions, whitespace tokens, no threshold, no triage."""
    owner = {q: e.id for e in knowledge.entries.values() for q in (e.title, *e.questions)}
    docs = [q for q in dict.fromkeys(questions) if q in owner] or list(owner)
    model = BM25Okapi([d.lower().split() for d in docs])

    def predict(question: str) -> Prediction:
        scores = model.get_scores(question.lower().split())
        order = sorted(range(len(docs)), key=lambda i: -scores[i])
        ranked = list(dict.fromkeys(owner[docs[i]] for i in order[:10]))
        return Prediction("answer", tuple(ranked))

    return predict
