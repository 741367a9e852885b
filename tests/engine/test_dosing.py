"""No dose, ever: dose requests are declined, and nothing the bot can send holds a dose."""

from __future__ import annotations

import re
import tomllib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import SHIPPED_CONTENT
from bot.content import Knowledge, load_content
from bot.engine import Engine, render_decision, reply_text
from bot.engine.dosing import MEDICINES, is_dose_request
from bot.engine.text import clean

#: An amount, a tablet count or a frequency in a text the bot sends.
SENT_DOSE = re.compile(
    r"\b\d+(?:[.,]\d+)?\s?(mg|milligrams?|ml|millilit(?:er|re)s?|mcg|micrograms?|g|grams?|iu"
    r"|units?|tablets?|pills?|capsules?|caps|tabs?|doses?|drops|teaspoons?|tsp)\b"
    r"|\b(one|two|three|four|five|six|a couple of|half an?) (tablets?|pills?|capsules?|doses?)\b"
    r"|\bevery \d+ (to \d+ )?(hours?|hrs?)\b|\bevery (two|three|four|five|six|eight|twelve) hours\b"
    r"|\b(once|twice|three times|four times|\d+ times) (a|per|each) (day|night|week)\b"
    r"|\bup to \d+\b.{0,20}\b(a|per) day\b",
    re.IGNORECASE,
)

DOSE_REQUESTS = [
    "can i take 2 robaxin at once",
    "can you prescribe me some diazepam",
    "where can i buy relaxers online without a prescription",
    "max ibuprofen per day",
    "how many mg of CBD oil",
    "double my baclofen",
    "is 20mg too much",
    "how often can i take flexeril",
    "can i take another one",
    "how much magnesium should i take for cramps",
    "how many ibuprofen can i take",
    "whats the max dose of naproxen",
    "can i take 3 advil",
    "how much baclofen is too much",
    "is it ok to double up on my muscle relaxer",
    "how many tylenol at a time",
    "how often can i take tizanidine",
    "what dosage of cyclobenzaprine for back spasms",
    "can i take 800mg ibuprofen",
    "is 10 mg of diazepam a lot",
    "how much potassium per day for cramps",
    "can i take two flexeril",
    "can i have one more robaxin tonight",
    "how soon can i take another methocarbamol",
    "how many mg of magnesium glycinate",
    "how much quinine for leg cramps",
    "can i take aleve twice a day",
    "ibuprofin how many can i take",
    "how many baclofin can i have in a day",
    "what's the highest amount of tylenol i can take",
    "can i give my son 2 advil",
    "how much calcium should i take",
    "can i take my valium every 4 hours",
    "how often should i take naproxen for a spasm",
    "is 5ml of the liquid enough",
    "can i take extra baclofen when spasms are bad",
    "how many muscle relaxers can you take in a day",
    "whats the limit on advil",
    "can i take a second flexeril",
    "how many pills of soma at once",
    "is it safe to take 4 ibuprofen at once",
    "how much cbd oil should i use for cramps",
    "can i take robaxin and advil at the same time, how many of each",
    "can i take it again after 2 hours",
    "is 1000mg of paracetamol too much",
    "how much zanaflex is safe",
    "where can i get baclofen without a prescription",
    "i take magnesium every night, can i take it twice a day",
    "im 40 and take 2 robaxin at night, can i take 3",
    "dose of magnesium for a 70 year old",
    "can i take a few of my robaxin at once",
    "can i have another one of my tizanidine tonight",
    "the gp said 1 but can i take 2 instead of 1",
]

ORDINARY = [
    "is ibuprofen good for cramps",
    "what is baclofen",
    "what are muscle relaxers",
    "does magnesium help with leg cramps",
    "how many people get night cramps",
    "how long does it take for a cramp to go away",
    "how much water should i drink to stop cramps",
    "why do my calves cramp at night",
    "is heat or ice better for a back spasm",
    "how long do muscle spasms last",
    # "dose" slipped for "does", with no medicine or taking named:
    "dose it hurt more to stretch a cramp",
    "why dose my calf cramp at night",
    "how dose a muscle spasm start",
    "dose stretching before bed stop leg cramps",
    # ...or before a medicine, shown by the does-question's verb:
    "dose magnesium actually help night cramps",
    # An age is not a count, a symptom's frequency is not a dose, kinds are not amounts:
    "i'm 52, started taking magnesium last month and still cramp, why",
    "tried ibuprofen for a week and my calf still cramps every day, what causes it",
    "how many types of muscle relaxers are there",
    "which medicine works best for back spasms? not asking about doses, just the type",
    # How many medicines someone is on is no count to take; "have been ... more" no taking:
    "my nan is on quite a few pills already, could one of them cause her cramps",
    "ive tried two different relaxants over the years, what kinds are there",
    "my calves have been cramping more since the new statin, is that common",
    "i take 2 minutes to stretch before bed, does that stop cramps",
    # Over the counter, a dose the member is on, more medicines not wanted:
    "what can a pharmacist give for a back spasm without a prescription",
    "im on a stable dose of baclofen, what other kinds of relaxer are there",
    "im 80 and would rather not take more tablets, what else helps cramps",
]

#: The slip reading never hides a request that names a medicine, taking or an amount.
SLIP_BUT_DOSE = [
    "dose ibuprofen need food, what dose for a spasm",
    "what dose is safe for a child",
    "dose of magnesium for cramps",
    "dose it matter how much baclofen i take",
    "why dose my doctor say one dose of valium",
]


@pytest.fixture(scope="module")
def knowledge() -> Knowledge:
    return load_content(SHIPPED_CONTENT)


@pytest.fixture(scope="module")
def engine(knowledge: Knowledge) -> Engine:
    return Engine(knowledge)


def test_there_are_enough_dose_phrasings() -> None:
    assert len(set(DOSE_REQUESTS)) >= 40


@pytest.mark.parametrize("question", DOSE_REQUESTS)
def test_every_dose_phrasing_is_declined(engine: Engine, question: str) -> None:
    decision = engine.ask(question)
    assert decision.outcome != "answer", decision.entry
    if decision.outcome == "no_answer":
        assert decision.refusal == "dose"
        text = reply_text(render_decision(engine.knowledge, decision))
        assert "pharmacist" in text and "doctor" in text
    assert not SENT_DOSE.search(reply_text(render_decision(engine.knowledge, decision)))


@pytest.mark.parametrize("question", DOSE_REQUESTS)
def test_detector_sees_every_dose_phrasing(question: str) -> None:
    assert is_dose_request(clean(question, 500).text)


@pytest.mark.parametrize("question", ORDINARY)
def test_ordinary_medicine_questions_are_still_answered(engine: Engine, question: str) -> None:
    assert not is_dose_request(clean(question, 500).text)
    assert engine.ask(question).outcome == "answer"


@pytest.mark.parametrize("question", SLIP_BUT_DOSE)
def test_a_does_slip_never_hides_a_dose_request(question: str) -> None:
    assert is_dose_request(clean(question, 500).text)


_NAMES = sorted(w for w in MEDICINES if len(w) >= 5)
_TEMPLATES = [
    "how much {m} can i take",
    "how many {m} should i take",
    "max {m} per day",
    "can i take 2 {m} at once",
    "how often can i take {m}",
    "is 20mg of {m} too much",
    "can i double my {m}",
    "what is the dose of {m}",
]


def _typo(word: str, position: int) -> str:
    """Swap two neighbouring letters (a common slip) after the first three."""
    i = 3 + position % max(len(word) - 4, 1)
    if i + 1 >= len(word):
        return word
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(_NAMES),
    st.sampled_from(_TEMPLATES),
    st.integers(0, 20),
    st.booleans(),
    st.sampled_from(["", "hey bot ", "@bot ", "quick q: "]),
    st.sampled_from(["", "?", "??", " pls", " for cramps"]),
)
def test_dose_requests_are_recognised_whatever_the_wording(
    name: str, template: str, position: int, typo: bool, prefix: str, suffix: str
) -> None:
    medicine = _typo(name, position) if typo else name
    question = prefix + template.format(m=medicine) + suffix
    assert is_dose_request(clean(question.upper() if position % 5 == 0 else question, 500).text)


def _sendable_texts(knowledge: Knowledge) -> list[tuple[str, str]]:
    texts = [(f"entry {e.id}", e.answer) for e in knowledge.entries.values()]
    texts += [(f"entry title {e.id}", e.title) for e in knowledge.entries.values()]
    texts += [(f"topic {t.id}", t.summary) for t in knowledge.topics.values()]
    texts += [(f"triage {r.id}", r.guidance) for r in knowledge.triage]
    texts += [(f"scope {r.id}", r.reply) for r in knowledge.scope]
    raw = tomllib.loads((SHIPPED_CONTENT / "texts.toml").read_text(encoding="utf-8"))
    texts += [(f"texts.toml {k}", v) for k, v in raw.items() if isinstance(v, str)]
    raw_triage = tomllib.loads((SHIPPED_CONTENT / "triage.toml").read_text(encoding="utf-8"))
    texts += [
        (f"triage.toml {r.get('id')}", str(r.get("guidance", "")))
        for r in raw_triage.get("rules", [])
    ]
    return texts


def test_no_text_the_bot_can_send_contains_a_dose(knowledge: Knowledge) -> None:
    texts = _sendable_texts(knowledge)
    assert len(texts) > 100
    found = [(name, m.group(0)) for name, text in texts if (m := SENT_DOSE.search(text))]
    assert not found


@pytest.mark.parametrize(
    "text",
    ["take 2 tablets", "400 mg", "every 4 hours", "twice a day", "5ml", "one tablet"],
)
def test_the_sent_dose_pattern_catches_doses(text: str) -> None:
    assert SENT_DOSE.search(text)
