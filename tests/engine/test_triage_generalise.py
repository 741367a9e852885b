"""Concept-layer generalisation (no model needed): history is not now, a negated key symptom
vetoes a regex, short typos, digits-only numbers, and indirect crisis signals by concept."""

from __future__ import annotations

import pytest

from tests.engine.triage_helpers import at_least, explain, winner

HISTORY = [
    "my son had a febrile convulsion two years ago and has been fine since, will he grow out of it",
    "my brother had a stroke years ago and his arm still spasms, will that ever stop",
    "my cousin took too many muscle relaxers a couple of years back, what should i know",
    "had a car crash in 2019 and my neck still gets tight, tips?",
]


@pytest.mark.parametrize("message", HISTORY)
def test_a_distant_past_event_is_history(message: str) -> None:
    assert winner(message) is None, explain(message)


def test_the_date_of_the_last_tetanus_jab_is_not_history() -> None:
    message = "deep cut from a rusty fence, my last tetanus jab was fifteen years ago"
    assert at_least(message, "same-day"), explain(message)


@pytest.mark.parametrize(
    ("negated", "affirmed"),
    [
        (
            "my calf cramps a lot but it's never swollen, never red, never hot. when to see a gp",
            "my calf is swollen, red and hot since my long flight",
        ),
        (
            "neck locked up after a long drive, ice or heat? no headache or fever just stiff",
            "fever and my neck is so stiff i cant bend it",
        ),
    ],
)
def test_a_negated_key_symptom_vetoes_the_rule(negated: str, affirmed: str) -> None:
    assert winner(negated) is None, explain(negated)
    assert at_least(affirmed, "emergency"), explain(affirmed)


def test_a_short_word_with_a_dropped_letter_is_read() -> None:
    message = "hit my hed on the cupboard and now i keep being sick"
    rule = winner(message)
    assert rule is not None and rule.id == "head-neck-injury", explain(message)


def test_a_few_weeks_is_not_a_pregnancy() -> None:
    assert winner("every few weeks i get a bad headache and blurry vision") is None
    rule = winner("30 weeks, bad headache and blurry vision since this morning")
    assert rule is not None and rule.id == "pre-eclampsia"


# Written for this test as members write, by concept and without the model: each must
# reach the crisis tier from the concept rules alone.
INDIRECT_CRISIS = [
    "will 20 tizanidine kill me",
    "this is my last message here, thanks for everything",
    "my sister sent a goodbye text and now she wont answer",
    "ive counted my pills and theres enough now",
    "my plan is ready, the tablets are ready",
    "everyone would be better off without me",
    "does an overdose of baclofen hurt",
    "how many valium so i dont wake up",
    "ive decided to swallow all my meds tonight",
    "nobody needs me, i want to end this for good",
    "is soma with alcohol fatal? i hope so",
    "dont call anyone, i have taken all my pills",
]


@pytest.mark.parametrize("message", INDIRECT_CRISIS)
def test_indirect_crisis_by_concept(message: str) -> None:
    assert at_least(message, "crisis"), explain(message)


NOT_CRISIS = [
    "i want to stop taking all my tablets, is that safe",
    "do i have enough baclofen for a two week trip",
    "this cramp is killing me, what helps",
    "woke up with a cramp so bad i thought i was going to die lol",
    "my calf cramp is finally gone for good",
]


@pytest.mark.parametrize("message", NOT_CRISIS)
def test_everyday_words_are_not_crisis(message: str) -> None:
    rule = winner(message)
    assert rule is None or rule.severity != "crisis", explain(message)
