"""Splitting a message into the questions it holds (bot.engine.segment)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.engine.segment import MAX_SEGMENTS, clauses, is_question, segments


def texts(message: str) -> list[str]:
    return [s.text for s in segments(message)]


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            "what causes cramps and should i use heat or ice?",
            ["what causes cramps", "should i use heat or ice?"],
        ),
        (
            "why do my legs cramp at night. also is magnesium worth it",
            ["why do my legs cramp at night.", "is magnesium worth it"],
        ),
        (
            "1. why do cramps happen\n2. how do i stop one",
            ["why do cramps happen", "how do i stop one"],
        ),
        ("1) night cramps? 2) magnesium dose", ["night cramps?", "magnesium dose"]),
        ("my calf and my foot cramp", ["my calf and my foot cramp"]),
        ("cramp cure?", ["cramp cure?"]),
    ],
)
def test_splits_at_question_boundaries(message: str, expected: list[str]) -> None:
    assert texts(message) == expected


def test_one_word_pieces_are_dropped() -> None:
    assert texts("ice or heat. go.") == ["ice or heat."]
    assert texts("ok") == []


def test_a_story_keeps_its_question_clause() -> None:
    story = (
        "so i was at my nan's 80th, dancing way too much, and at 3am my calf locked up "
        "solid, why does that happen at night?"
    )
    assert texts(story)[-1] == "why does that happen at night?"
    parts = [c.text for c in clauses(story)]
    assert parts[-1] == "why does that happen at night?"
    assert "at 3am my calf locked up solid" in parts


def test_at_most_max_segments_and_questions_are_kept_first() -> None:
    message = ". ".join(f"statement number {n} here" for n in range(8)) + ". why is this?"
    found = texts(message)
    assert len(found) == MAX_SEGMENTS
    assert found[-1] == "why is this?"


def test_is_question() -> None:
    assert is_question("why does that happen at night")
    assert is_question("calf cramp??")
    assert not is_question("my calf locked up solid")


@given(st.text(max_size=300), st.integers(min_value=1, max_value=6))
def test_segments_are_ordered_disjoint_substrings(message: str, limit: int) -> None:
    found = segments(message, max_segments=limit)
    assert len(found) <= limit
    end = 0
    for seg in found:
        assert message[seg.start : seg.end] == seg.text
        assert seg.start >= end
        end = seg.end


_WORDS = st.sampled_from(["legs", "cramp", "night", "magnesium", "heat", "ice", "calf", "back"])
_QUESTION = st.lists(_WORDS, min_size=2, max_size=6).map(" ".join)
_SEPARATOR = st.sampled_from([". ", "? ", "! ", "\n", "\n2. ", " also ", ". also ", " and should "])


@given(st.lists(_QUESTION, min_size=1, max_size=MAX_SEGMENTS), st.data())
def test_each_question_of_a_joined_message_is_one_segment(
    questions: list[str], data: st.DataObject
) -> None:
    message = questions[0]
    for question in questions[1:]:
        message += data.draw(_SEPARATOR) + question
    found = texts(message)
    assert len(found) == len(questions)
    for question, segment in zip(questions, found, strict=True):
        # The segment is the question (the separator's "should" may lead it).
        assert question in segment
        assert len(segment) <= len(question) + len("should ") + 1


@given(st.text(max_size=300))
def test_clauses_are_substrings(message: str) -> None:
    for part in clauses(message):
        assert message[part.start : part.end] == part.text
