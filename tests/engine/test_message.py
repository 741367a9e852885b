"""Whole messages (bot.engine.message), typo tolerance and the eval's new keys."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import SHIPPED_CONTENT
from bot.content import Knowledge, load_content
from bot.engine import Engine, reply_text
from bot.engine.analysis import edit_cost
from bot.engine.engine import Candidate, Decision
from bot.engine.evaluation import Case, Prediction, engine_predictor, load_cases, score
from bot.engine.message import (
    MAX_ANSWERS,
    ask_message,
    english_only_text,
    refers_back,
    render_message,
)


@pytest.fixture(scope="module")
def knowledge() -> Knowledge:
    return load_content(SHIPPED_CONTENT)


@pytest.fixture(scope="module")
def engine(knowledge: Knowledge) -> Engine:
    return Engine(knowledge)


def answered(engine: Engine, message: str) -> list[str]:
    return [d.entry.id for d in ask_message(engine, message).answers if d.entry is not None]


# -- two questions, stories -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            "why do my legs cramp at night. also is magnesium worth it",
            {"night-leg-cramps", "electrolytes-and-cramps"},
        ),
        ("what causes cramps and should i use heat or ice?", {"what-causes-spasms", "heat-or-ice"}),
    ],
)
def test_two_questions_get_two_answers(engine: Engine, message: str, expected: set[str]) -> None:
    result = ask_message(engine, message)
    assert set(answered(engine, message)) == expected
    assert not result.missed
    reply = render_message(engine.knowledge, result)
    assert [c.entry_id for c in reply.cards] == answered(engine, message)
    assert reply.cards[0].title.startswith("1. ") and reply.cards[1].title.startswith("2. ")
    assert reply.feedback and all(
        c.footer == engine.knowledge.texts.disclaimer for c in reply.cards
    )


def test_a_story_is_not_declined_for_its_details(engine: Engine) -> None:
    story = (
        "so i was at my nan's 80th, dancing way too much, and at 3am my calf locked up "
        "solid, why does that happen at night?"
    )
    result = ask_message(engine, story)
    assert answered(engine, story) == ["night-leg-cramps"]
    assert result.decision.question == story and result.decision.outcome == "answer"
    reply = render_message(engine.knowledge, result)
    assert [c.entry_id for c in reply.cards] == ["night-leg-cramps"]


def test_urgent_anywhere_in_the_message_wins(engine: Engine) -> None:
    message = "what causes cramps? also i have chest pain and my left arm is numb"
    result = ask_message(engine, message)
    assert result.decision.outcome == "urgent"


def test_a_dose_request_in_the_message_is_refused_whole(engine: Engine) -> None:
    message = "why do legs cramp at night. and how many mg of magnesium should i take"
    result = ask_message(engine, message)
    assert result.decision.refusal == "dose" and not result.answers


@pytest.mark.parametrize(
    "message",
    [
        "how much ibuprofin shuold i tak",
        "how mnay baclofen can i take",
        "magnesiun how much per day",
    ],
)
def test_a_dose_request_with_typos_is_refused(engine: Engine, message: str) -> None:
    result = ask_message(engine, message)
    assert result.decision.refusal == "dose" and not result.answers


def test_a_vague_part_of_an_off_topic_message_is_not_answered(engine: Engine) -> None:
    message = (
        "been having heartburn every night after dinner for a week, i eat late because of "
        "work. is there anything that helps with that"
    )
    assert ask_message(engine, message).answers == ()


def _scripted(
    engine: Engine, whole_ids: list[str], parts: dict[str, str]
) -> Callable[..., Decision]:
    """An ``ask`` that leaves the whole message unsure (candidates ``whole_ids``, best
    first) and answers each part in ``parts`` (text -> entry id) confidently."""
    entries = engine.knowledge.entries

    def ask(text: str, *, guild_id: str | None = None) -> Decision:
        base = Engine.ask(engine, text, guild_id=guild_id)
        if text in parts:
            entry = entries[parts[text]]
            return replace(base, outcome="answer", entry=entry, score=0.7, refusal=None)
        ranked = tuple(Candidate(entries[i], 0.45 - 0.05 * n) for n, i in enumerate(whole_ids))
        return replace(
            base, outcome="no_answer", entry=None, score=0.45, candidates=ranked, refusal=None
        )

    return ask


STORY = "my calf has been sore since the weekend. what should i do about it"


@pytest.mark.parametrize(
    ("part_entry", "expected"),
    [("calf-cramp-relief", ["calf-cramp-relief"]), ("dvt-vs-cramp", [])],
)
def test_an_unsure_message_keeps_only_a_part_answer_it_leans_to(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, part_entry: str, expected: list[str]
) -> None:
    """A part answered alone stands only when the whole message ranks its entry first."""
    ask = _scripted(
        engine, ["calf-cramp-relief", "dvt-vs-cramp"], {"what should i do about it": part_entry}
    )
    monkeypatch.setattr(engine, "ask", ask)
    result = ask_message(engine, STORY)
    assert [d.entry.id for d in result.answers if d.entry is not None] == expected
    assert result.missed == (not expected)


def test_two_parts_answered_may_use_the_whole_messages_first_two(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    parts = {
        "why do my legs cramp at night.": "night-leg-cramps",
        "is magnesium worth it": "electrolytes-and-cramps",
    }
    whole = ["electrolytes-and-cramps", "night-leg-cramps", "heat-or-ice"]
    monkeypatch.setattr(engine, "ask", _scripted(engine, whole, parts))
    message = "why do my legs cramp at night. also is magnesium worth it"
    assert answered(engine, message) == ["night-leg-cramps", "electrolytes-and-cramps"]


def _unsure(
    engine: Engine, whole_ids: list[str], whole_best: float, question_top: str
) -> Callable[..., Decision]:
    """An ``ask`` answering nothing: the whole message ranks ``whole_ids`` (its best at
    ``whole_best``), every part ranks ``question_top`` first."""
    entries = engine.knowledge.entries

    def ask(text: str, *, guild_id: str | None = None) -> Decision:
        base = Engine.ask(engine, text, guild_id=guild_id)
        ids = whole_ids if text == STORY else [question_top]
        ranked = tuple(Candidate(entries[i], whole_best - 0.05 * n) for n, i in enumerate(ids))
        return replace(
            base, outcome="no_answer", entry=None, score=0.0, candidates=ranked, refusal=None
        )

    return ask


@pytest.mark.parametrize(
    ("whole_best", "question_top", "expected"),
    [
        (0.47, "calf-cramp-relief", ["calf-cramp-relief"]),
        (0.47, "dvt-vs-cramp", []),
        (0.40, "calf-cramp-relief", []),
    ],
)
def test_an_unsure_story_is_answered_when_its_question_agrees(
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    whole_best: float,
    question_top: str,
    expected: list[str],
) -> None:
    """The story and its question sentence ranking one entry first answer it from
    AGREED_MIN, below the engine's own threshold."""
    whole = ["calf-cramp-relief", "dvt-vs-cramp"]
    monkeypatch.setattr(engine, "ask", _unsure(engine, whole, whole_best, question_top))
    result = ask_message(engine, STORY)
    assert answered(engine, STORY) == expected
    assert result.missed == (not expected)
    if expected:
        assert result.decision.question == STORY and not result.unanswered


def test_a_single_question_is_unchanged(engine: Engine) -> None:
    for message in ("why do my calves cramp at night?", "tell me about elbow stuff"):
        whole = engine.ask(message)
        result = ask_message(engine, message)
        assert result.decision == whole
        assert result.missed == (whole.outcome == "no_answer")


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=200))
def test_ask_message_never_raises_and_caps_answers(engine: Engine, message: str) -> None:
    result = ask_message(engine, message)
    assert len(result.answers) <= MAX_ANSWERS
    assert len({d.entry.id for d in result.answers if d.entry}) == len(result.answers)
    reply_text(render_message(engine.knowledge, result))


# -- other languages ----------------------------------------------------------------------------


def test_spanish_gets_the_notice_in_english_and_spanish(engine: Engine) -> None:
    result = ask_message(engine, "por qué me dan calambres en las piernas por la noche")
    assert result.language == "es" and result.outcome == "other_language"
    text = reply_text(render_message(engine.knowledge, result))
    texts = engine.knowledge.texts.english_only
    assert texts["en"] in text and texts["es"] in text


def test_links_and_mentions_do_not_make_english_foreign(engine: Engine) -> None:
    message = "<@123> why do my legs cramp https://example.com/es/la/de/que/por/el/los/las"
    assert ask_message(engine, message).language is None


def test_triage_comes_before_language(engine: Engine) -> None:
    result = ask_message(engine, "tengo chest pain y no puedo respirar, trouble breathing")
    assert result.decision.outcome == "urgent" and result.language is None


def test_english_only_text_falls_back_to_english(knowledge: Knowledge) -> None:
    assert english_only_text(knowledge, "xx") == knowledge.texts.english_only["en"]


# -- typos and short messages --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("hwo do i stp a crmap fast", "stop-a-spasm"),
        ("musle spazm in my bak", "back-spasm-relief"),
        ("mscl spsm in my bck", "back-spasm-relief"),
        ("ice or heat. go.", "heat-or-ice"),
        ("cramp cure?", "treatment"),
        ("calf cramp??", "calf-cramp-relief"),
        ("twitchy eye", "eyelid-twitch"),
    ],
)
def test_typos_and_short_messages_are_answered(engine: Engine, message: str, expected: str) -> None:
    assert answered(engine, message)[:1] == [expected]


@pytest.mark.parametrize("message", ["is ibs curable", "asdf qwer zxcv", "lol", "my cat is weird"])
def test_typo_tolerance_does_not_invent_answers(engine: Engine, message: str) -> None:
    assert ask_message(engine, message).answers == ()


def test_edit_cost_prefers_likely_slips() -> None:
    assert edit_cost("crmap", "cramp") < edit_cost("crxmp", "cramp")  # swap < other key
    assert edit_cost("stp", "stop") < 1.0  # a missing vowel
    assert edit_cost("ibs", "ribs") >= 1.0  # first letter
    assert edit_cost("crampp", "cramp") < 1.0  # doubled letter
    assert edit_cost("cramo", "cramp") < edit_cost("cramz", "cramp")  # neighbouring key


# -- evaluation: also, other_language, style -------------------------------------------------------


def test_eval_scores_also_language_and_style(tmp_path: Path, engine: Engine) -> None:
    rows = [
        {
            "question": "why do my legs cramp at night. also is magnesium worth it",
            "expect": "answer",
            "ids": ["night-leg-cramps"],
            "also": ["electrolytes-and-cramps"],
            "style": "two-questions",
        },
        {
            "question": "warum bekomme ich nachts wadenkrämpfe",
            "expect": "other_language",
            "lang": "de",
            "style": "language",
        },
        {
            "question": "tell me about elbow stuff",
            "expect": "no_answer",
            "kind": "near-domain",
            "severity": "low",
        },
    ]
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    cases = load_cases(path)
    assert cases[0].also == ("electrolytes-and-cramps",) and cases[1].lang == "de"
    report = score("set", cases, engine_predictor(engine))
    assert report.also_total == 1 and report.also_recall == 1.0
    assert report.language_total == 1 and report.language_recall == 1.0
    assert report.styles == {"two-questions": (1, 1), "language": (1, 1)}
    assert report.no_answer_recall == 1.0
    assert any("second question" in line for line in report.lines())


def test_eval_counts_a_missed_second_question_and_english_flagged() -> None:
    cases = [
        Case("a and b", "answer", ("x",), also=("y",)),
        Case("english", "no_answer"),
    ]
    answers = {
        "a and b": Prediction("answer", ("x",), ("x",)),
        "english": Prediction("other_language", ()),
    }
    report = score("s", cases, lambda q: answers[q])
    assert report.top1 == 1.0 and report.also_recall == 0.0
    assert report.language_false == 1 and report.no_answer_recall == 1.0


def test_a_follow_up_takes_its_subject_from_the_sentence_before(engine: Engine) -> None:
    # "ease it" alone does not say what "it" is; the first question names the back spasm.
    message = "how long does a back spasm last? and what helps ease it in the meantime"
    assert answered(engine, message) == ["back-spasm-duration", "back-spasm-relief"]


def test_a_follow_up_question_takes_its_subject_even_without_a_pronoun(engine: Engine) -> None:
    """ "which kinds exist" alone means kinds of cramp; after "muscle relaxers" it means
    kinds of relaxer, which the joined question ranks first and confidently."""
    message = "what are muscle relaxers and which kinds exist"
    assert answered(engine, message) == ["muscle-relaxers", "relaxer-classes"]


def test_refers_back_sees_pronouns_as_whole_words() -> None:
    assert refers_back("and can stress cause it")
    assert refers_back("where do they usually happen?")
    assert not refers_back("what causes cramps")
    assert not refers_back("Item: withstand thistle")  # only whole words count


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz ?,.'", max_size=80))
def test_refers_back_ignores_case_and_sees_an_appended_pronoun(text: str) -> None:
    assert refers_back(text.upper()) == refers_back(text)
    assert refers_back(f"{text} it?")
    assert refers_back(f"{text}, where do they happen")


def test_a_dose_asked_after_an_and_is_still_a_dose_request(engine: Engine) -> None:
    """The amount is asked of the medicine named before "and": one sentence, one request."""
    message = (
        "been cramping all week after long shifts. i have some ibuprofen gel and some "
        "tablets, can i use the gel and take the tablets together, and how much of each?"
    )
    result = ask_message(engine, message)
    assert result.decision.refusal == "dose" and not result.answers
