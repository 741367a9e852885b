"""Answer-quality report over a labelled question set, next to a naive baseline.

A set is JSON lines: ``{"question", "expect": "answer"|"no_answer"|"urgent"|"other_language",
"ids": [...]}``. An answer case may carry ``"also": [ids]`` (a second question in the same
message that must be answered too); an ``other_language`` case carries ``"lang"`` and is
correct when the bot gives the English-only notice. ``style``, ``severity``, ``rule`` and
``lang`` are accepted on any case; with ``style`` the report adds per-style figures.
The baseline is what a first attempt would be: rank-bm25 over the raw seed
questions, whitespace tokens, always answering its top hit.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rank_bm25 import BM25Okapi

from bot.content import SEVERITY_ORDER, Knowledge
from bot.engine.engine import Decision, Engine
from bot.engine.message import ask_message

SEED_QUESTION_MAX = 150


@dataclass(frozen=True, slots=True)
class Case:
    question: str
    expect: str
    ids: tuple[str, ...] = ()
    also: tuple[str, ...] = ()
    lang: str | None = None
    style: str | None = None
    #: For urgent cases: the tier the guidance must reach (crisis, emergency, same-day).
    severity: str | None = None


@dataclass(frozen=True, slots=True)
class Prediction:
    """``outcome`` is "answer", "no_answer", "urgent" or "other_language"; ``answered``
    lists every entry the reply answers with (two-question messages have more than one)."""

    outcome: str
    ranked: tuple[str, ...]
    answered: tuple[str, ...] = ()
    #: Tier of the triage rule shown first, if any.
    severity: str | None = None


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
    also_total: int = 0
    also_recall: float = 0.0
    language_total: int = 0
    language_recall: float = 0.0
    #: English questions wrongly given the English-only notice.
    language_false: int = 0
    #: Urgent cases labelled with a tier, and those whose guidance reached it or higher.
    tiered_total: int = 0
    tier_recall: float = 0.0
    #: Ordinary (answer / no_answer) questions that got urgent guidance.
    false_alarms: int = 0
    ordinary_total: int = 0
    #: style -> (cases, handled correctly)
    styles: dict[str, tuple[int, int]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    @property
    def false_alarm_rate(self) -> float:
        return _ratio(self.false_alarms, self.ordinary_total, 0.0)

    def style_rate(self, style: str) -> float:
        n, c = self.styles.get(style, (0, 0))
        return _ratio(c, n)

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
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
        if self.also_total:
            out["also_questions"] = self.also_total
            out["also_recall"] = round(self.also_recall, 4)
        if self.language_total or self.language_false:
            out["other_language_questions"] = self.language_total
            out["other_language_recall"] = round(self.language_recall, 4)
            out["english_flagged_as_other"] = self.language_false
        if self.tiered_total:
            out["tiered_urgent_questions"] = self.tiered_total
            out["tier_recall"] = round(self.tier_recall, 4)
        out["false_alarm_rate"] = round(self.false_alarm_rate, 4)
        if self.styles:
            out["styles"] = {k: {"questions": n, "correct": c} for k, (n, c) in self.styles.items()}
        return out

    def lines(self) -> list[str]:
        extra: list[str] = []
        if self.also_total:
            extra.append(
                f"  second question     {self.also_recall:7.1%}"
                f"  (of {self.also_total} answered too)"
            )
        if self.language_total or self.language_false:
            extra.append(
                f"  other language      {self.language_recall:7.1%}  (of {self.language_total}"
                f" given the English-only notice; {self.language_false} English flagged)"
            )
        if self.tiered_total:
            extra.append(
                f"  urgent at its tier  {self.tier_recall:7.1%}  (of {self.tiered_total}"
                " labelled with a tier: guidance at that tier or a more severe one)"
            )
        if self.ordinary_total:
            extra.append(
                f"  false alarms        {self.false_alarm_rate:7.1%}"
                f"  (of {self.ordinary_total} ordinary questions given urgent guidance)"
            )
        for style, (n, c) in sorted(self.styles.items()):
            extra.append(f"  style {style:<13} {_ratio(c, n):7.1%}  correct (of {n})")
        return [
            f"{self.name}: {self.total} questions",
            f"  top-1 accuracy      {self.top1:7.1%}  (of {self.answerable} answerable)",
            f"  MRR@3               {self.mrr3:7.3f}",
            f"  no-answer precision {self.no_answer_precision:7.1%}"
            f"   recall {self.no_answer_recall:7.1%}",
            f"  urgent precision    {self.urgent_precision:7.1%}"
            f"   recall {self.urgent_recall:7.1%}",
            f"  answers correct     {self.answers_correct:7.1%}  (of the answers given)",
            *extra,
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
    if head.also_total:
        rows.append(("second question", "also_recall", True))
    if head.language_total:
        rows.append(("English-only notice", "language_recall", True))
    if head.tiered_total:
        rows.append(("urgent at its tier", "tier_recall", True))
    rows.append(("false alarms", "false_alarm_rate", True))
    for label, attr, percent in rows:
        cells = "".join(
            f"{getattr(r, attr):>10.1%}" if percent else f"{getattr(r, attr):>10.3f}"
            for r in reports
        )
        lines.append(f"  {label:<22}{cells}")
    for style in sorted(head.styles):
        n = head.styles[style][0]
        cells = "".join(f"{r.style_rate(style):>10.1%}" for r in reports)
        lines.append(f"  {'style ' + style + f' ({n})':<22}{cells}")
    return lines


def load_cases(path: Path) -> list[Case]:
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            cases.append(
                Case(
                    item["question"],
                    item["expect"],
                    tuple(item.get("ids", ())),
                    also=tuple(item.get("also", ())),
                    lang=item.get("lang"),
                    style=item.get("style"),
                    severity=item.get("severity"),
                )
            )
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"{path}:{number}: not a valid case ({exc})") from exc
    return cases


def _ratio(part: int, whole: int, empty: float = 1.0) -> float:
    return part / whole if whole else empty


def _tier_reached(got: str | None, wanted: str) -> bool:
    """Guidance at the labelled tier or a more severe one."""
    if got is None or got not in SEVERITY_ORDER or wanted not in SEVERITY_ORDER:
        return False
    return SEVERITY_ORDER.index(got) <= SEVERITY_ORDER.index(wanted)


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
    also_ok = language_ok = tier_ok = 0
    styles: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for case in cases:
        p = predict(case.question)
        ok = case.expect == p.outcome
        if case.expect == "other_language":
            report.language_total += 1
            language_ok += ok
            if not ok:
                got = p.ranked[0] if p.outcome == "answer" and p.ranked else p.outcome
                report.failures.append(f"other_language {case.question!r}: got {got}")
            if case.style:
                styles[case.style][0] += 1
                styles[case.style][1] += ok
            continue
        if p.outcome == "other_language":
            report.language_false += 1
            # The English-only notice is no answer; score it as one for the other figures.
            p = Prediction("no_answer", p.ranked, p.answered)
        if p.outcome == "answer":
            given += 1
            given_right += case.expect == "answer" and (
                (bool(p.ranked) and p.ranked[0] in case.ids)
                or any(i in (*case.ids, *case.also) for i in p.answered)
            )
        if case.expect == "answer":
            report.answerable += 1
            top_ok = p.outcome == "answer" and bool(p.ranked) and p.ranked[0] in case.ids
            if case.also and p.outcome == "answer":
                # Two questions: the cards follow the message, so either may come first.
                top_ok = top_ok or any(i in case.ids for i in p.answered)
            correct += top_ok
            ok = top_ok
            if case.also:
                report.also_total += 1
                second = any(i in case.also for i in p.answered)
                also_ok += second
                ok = ok and second
                if not second:
                    report.failures.append(
                        f"also    {case.question!r}: want {'/'.join(case.also)} too, "
                        f"got {'/'.join(p.answered) or p.outcome}"
                    )
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
        if case.expect in ("answer", "no_answer"):
            report.ordinary_total += 1
            report.false_alarms += urgent_got
        if urgent_expected and case.severity:
            report.tiered_total += 1
            tier_ok += _tier_reached(p.severity if urgent_got else None, case.severity)
        tp_urgent += urgent_expected and urgent_got
        fp_urgent += urgent_got and not urgent_expected
        fn_urgent += urgent_expected and not urgent_got
        if case.expect != "answer":
            ok = case.expect == p.outcome
            if not ok:
                got = p.ranked[0] if p.outcome == "answer" and p.ranked else p.outcome
                report.failures.append(f"{case.expect:<7} {case.question!r}: got {got}")
        if case.style:
            styles[case.style][0] += 1
            styles[case.style][1] += ok
    report.also_recall = _ratio(also_ok, report.also_total)
    report.tier_recall = _ratio(tier_ok, report.tiered_total)
    report.language_recall = _ratio(language_ok, report.language_total)
    report.styles = {k: (n, c) for k, (n, c) in styles.items()}
    report.top1 = _ratio(int(correct), report.answerable)
    report.mrr3 = reciprocal / report.answerable if report.answerable else 1.0
    report.no_answer_precision = _precision(tp_none, fp_none, fn_none)
    report.no_answer_recall = _ratio(tp_none, tp_none + fn_none)
    report.urgent_precision = _precision(tp_urgent, fp_urgent, fn_urgent)
    report.urgent_recall = _ratio(tp_urgent, tp_urgent + fn_urgent)
    report.answers_correct = _ratio(given_right, given)
    return report


def engine_predictor(engine: Engine) -> Callable[[str], Prediction]:
    """The bot as members meet it: whole-message handling (``ask_message``)."""

    def predict(question: str) -> Prediction:
        result = ask_message(engine, question)
        decision: Decision = result.decision
        ranked = [decision.entry.id] if decision.entry else []
        ranked += [c.entry.id for c in decision.candidates if c.entry.id not in ranked]
        answered = tuple(d.entry.id for d in result.answers if d.entry is not None)
        severity = decision.triage.severity if decision.triage else None
        return Prediction(result.outcome, tuple(ranked), answered, severity)

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
