"""Crisis tier: direct and indirect signals of suicidal intent get the crisis rule, even
when phrased as a question ("what's the lethal dose of ..."), and dose questions without
intent do not."""

from __future__ import annotations

import pytest

from tests.engine.triage_helpers import at_least, explain, winner

CRISIS = [
    "what's the lethal dose of baclofen",
    "how many soma would it take to not wake up",
    "I think tonight I take all my tablets together and finish it",
    "whats the most baclofen someone could take before it kills them",
    "is a full bottle of soma fatal",
    "how many flexeril would it take to just not wake up",
    "been stockpiling my tizanidine for a while now",
    "i've been saving up my pills, almost enough",
    "wrote goodbye letters to my kids tonight",
    "i wrote letters for everyone, just want this pain and everything to stop",
    "gonna take all my meds at once tonight",
    "how much diazepam is a fatal dose",
    "what amount of tramadol is lethal",
    "<@987654> how many valium to never wake up",
    "swallow the whole bottle and be done with it",
    "is it painless to overdose on purpose with muscle relaxers",
    "honestly might take the whole lot of my pills and end it",
    "hoarding my cyclobenzaprine just in case i decide",
    "i have a suicide note ready",
    "thinking of taking all of my tablets together and thats it",
    "whats a deadly amount of gabapentin",
    "ive set aside enough painkillers",
    "kms these spasms never end",
    "i dont want to wake up tomorrow",
    # amount questions with intent, hopelessness near medicines, farewells
    "how many tizanidine would i need to just end it all",
    "how much of my oxycodone is lethal, asking for me",
    "honestly i dont see the point anymore, thinking about my sleeping pills",
    "tired of everything. how many of my tablets would do it",
    "whats the point anymore, i have a drawer full of meds",
    "saying goodbye to everyone here, i have my diazepam ready",
    "thanks for everything guys, i wont be around after tonight, got my pills",
    "hw many valium to not come back",
    "which of my pills is the easiest way out",
]

NOT_CRISIS = [
    "what's a normal dose of ibuprofen",
    "how many ibuprofen can i take a day",
    "is baclofen withdrawal dangerous",
    "can i take all my morning meds with breakfast",
    "this cramp is killing me, can i take paracetamol",
    "my back is killing me what painkiller works best",
    "saving money on my prescription, any tips",
    "how long does flexeril take to work",
]


@pytest.mark.parametrize("message", CRISIS)
def test_crisis_message_gets_the_crisis_rule(message: str) -> None:
    rule = winner(message)
    assert rule is not None and rule.severity == "crisis", explain(message)


@pytest.mark.parametrize("message", NOT_CRISIS)
def test_dose_question_without_intent_is_not_crisis(message: str) -> None:
    rule = winner(message)
    assert rule is None or rule.severity != "crisis", explain(message)


def test_crisis_beats_an_emergency_in_the_same_message() -> None:
    message = "took too many baclofen and i want to die"
    assert at_least(message, "crisis"), explain(message)


def test_there_are_twenty_crisis_examples() -> None:
    assert len(CRISIS) >= 20


def test_crisis_guidance_comes_alone_without_an_answer_card() -> None:
    """A crisis message about a medicine must not get that medicine's card under it."""
    from bot.config import SHIPPED_CONTENT, EngineSettings
    from bot.content import load_content
    from bot.engine import Engine, render_decision

    knowledge = load_content(SHIPPED_CONTENT)
    engine = Engine(knowledge, EngineSettings(semantic=False))
    for message in (
        "whats the lethal dose of baclofen",
        "how many muscle relaxers would it take to not wake up",
    ):
        decision = engine.ask(message)
        assert decision.triage is not None and decision.triage.severity == "crisis"
        assert decision.entry is None
        assert render_decision(knowledge, decision).cards == ()
