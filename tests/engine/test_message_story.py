"""Stories: the sentence that asks carries the topic (bot.engine.message, segment.asks)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from bot.config import SHIPPED_CONTENT
from bot.content import load_content
from bot.engine import Engine
from bot.engine.engine import Candidate, Decision
from bot.engine.message import QUESTION_DILUTES, _dilutes, _dose_in_one_sentence, ask_message
from bot.engine.segment import asks


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(load_content(SHIPPED_CONTENT))


@pytest.mark.parametrize(
    "text",
    [
        "why does that happen at night",
        "any general guidance?",
        "i want to know what the warning signs are",
        "genuinely curious what the root cause is",
        "is it normal",
    ],
)
def test_a_question_or_a_request_asks(text: str) -> None:
    assert asks(text)


@pytest.mark.parametrize(
    "text", ["i'm constantly tired and my legs feel heavy.", "my calf locked up", "it's fine now"]
)
def test_a_statement_does_not_ask(text: str) -> None:
    assert not asks(text)


STATEMENT = "i keep cramping at the gym."
QUESTION = "which gym near me has the best pool?"
STORY = f"{STATEMENT} {QUESTION}"


def _story(engine: Engine, question_leans: list[str]) -> Callable[..., Decision]:
    """The whole story unsure (prevent-spasms first), its statement answered with
    prevent-spasms, its question unanswered, ranking ``question_leans``."""
    entries = engine.knowledge.entries

    def ask(text: str, *, guild_id: str | None = None) -> Decision:
        base = Engine.ask(engine, text, guild_id=guild_id)
        if text == STATEMENT:
            entry = entries["prevent-spasms"]
            return replace(base, outcome="answer", entry=entry, score=0.7, refusal=None)
        ids = ["prevent-spasms", "stop-a-spasm"] if text == STORY else question_leans
        ranked = tuple(Candidate(entries[i], 0.45 - 0.05 * n) for n, i in enumerate(ids))
        return replace(
            base, outcome="no_answer", entry=None, score=0.0, candidates=ranked, refusal=None
        )

    return ask


@pytest.mark.parametrize(
    ("question_leans", "expected"),
    [
        (["heat-or-ice", "dystonia", "stop-a-spasm"], []),
        (["stop-a-spasm", "prevent-spasms"], ["prevent-spasms"]),
    ],
)
def test_a_statement_answers_an_unsure_story_only_where_its_question_leans(
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    question_leans: list[str],
    expected: list[str],
) -> None:
    monkeypatch.setattr(engine, "ask", _story(engine, question_leans))
    result = ask_message(engine, STORY)
    assert [d.entry.id for d in result.answers if d.entry is not None] == expected


@pytest.mark.parametrize(("drop", "dilutes"), [(0.0, False), (QUESTION_DILUTES + 0.02, True)])
def test_a_question_that_pulls_its_clause_away_does_not_answer(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, drop: float, dilutes: bool
) -> None:
    """The clause alone matches its entry at 0.7; joined with the question at 0.7 - drop."""
    entry = engine.knowledge.entries["night-leg-cramps"]
    clause = "my foot cramps at night too"
    base = Engine.ask(engine, clause)

    def ask(text: str, *, guild_id: str | None = None) -> Decision:
        return replace(base, candidates=(Candidate(entry, 0.7),))

    monkeypatch.setattr(engine, "ask", ask)
    joined = replace(base, outcome="answer", entry=entry, score=0.7 - drop)
    assert _dilutes(engine, clause, joined, None) is dilutes


@pytest.mark.parametrize(
    ("message", "dose"),
    [
        ("my calves cramp almost every night. my wife buys me tablets, do they help?", False),
        ("i took two ibuprofen an hour ago. can i take another one now?", True),
        ("how many ibuprofen can i take", True),
    ],
)
def test_a_dose_request_is_one_sentence(engine: Engine, message: str, dose: bool) -> None:
    """A medicine in one sentence and "every night" in another is no dose request."""
    assert _dose_in_one_sentence(message, engine) is dose


REQUEST = "i want to know what warning signs mean i should see a doctor."
CLOSING = "any general guidance?"
ASKING_STORY = f"{REQUEST} {CLOSING}"


def test_an_earlier_request_that_agrees_answers_an_unsure_story(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The closing question ranks another entry first; the request before it agrees."""
    entries = engine.knowledge.entries
    tops = {ASKING_STORY: "when-to-worry", REQUEST: "when-to-worry", CLOSING: "prevent-spasms"}

    def ask(text: str, *, guild_id: str | None = None) -> Decision:
        base = Engine.ask(engine, text, guild_id=guild_id)
        ids = [tops.get(text, "prevent-spasms"), "stop-a-spasm"]
        ranked = tuple(Candidate(entries[i], 0.47 - 0.1 * n) for n, i in enumerate(ids))
        return replace(
            base, outcome="no_answer", entry=None, score=0.0, candidates=ranked, refusal=None
        )

    monkeypatch.setattr(engine, "ask", ask)
    result = ask_message(engine, ASKING_STORY)
    assert [d.entry.id for d in result.answers if d.entry is not None] == ["when-to-worry"]


FIRST = "my back has been spasming for months after lifting at work."
SECOND = "i tried a heat pack and stretches."
ASKING = "what can a doctor actually offer for it?"
LONG_STORY = f"{FIRST} {SECOND} {ASKING}"


@pytest.mark.parametrize(
    ("question_leans", "expected_first"),
    [(["treatment", "best-medicine"], "treatment"), (["dystonia", "tetany"], "back-spasm-relief")],
)
def test_a_confident_story_keeps_its_answer_when_its_question_leans_to_it(
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    question_leans: list[str],
    expected_first: str,
) -> None:
    """The whole story answers `treatment`; its two statements answer two other entries
    alone. Where the asking sentence leans to `treatment`, the statements do not displace
    it; where it leans elsewhere, the parts' answers stand as before."""
    entries = engine.knowledge.entries
    alone = {FIRST: "back-spasm-relief", SECOND: "heat-or-ice"}

    def ask(text: str, *, guild_id: str | None = None) -> Decision:
        ranked: tuple[Candidate, ...]
        base = Engine.ask(engine, text, guild_id=guild_id)
        if text == LONG_STORY:
            entry = entries["treatment"]
            ranked = (Candidate(entry, 0.72), Candidate(entries["back-spasm-relief"], 0.6))
            return replace(base, outcome="answer", entry=entry, score=0.72, candidates=ranked)
        if text in alone:
            entry = entries[alone[text]]
            ranked = (Candidate(entry, 0.7),)
            return replace(base, outcome="answer", entry=entry, score=0.7, candidates=ranked)
        ranked = tuple(Candidate(entries[i], 0.45 - 0.05 * n) for n, i in enumerate(question_leans))
        return replace(base, outcome="no_answer", entry=None, score=0.0, candidates=ranked)

    monkeypatch.setattr(engine, "ask", ask)
    result = ask_message(engine, LONG_STORY)
    assert result.answers[0].entry is not None
    assert result.answers[0].entry.id == expected_first
