"""The semantic triage layer (bot/engine/semantic_triage.py) and how it sits on the concepts.

Tests that need the model skip when it is absent (run ``python scripts/fetch_model.py``),
except under CI=true, where absence is a failure, as in test_semantic.py. Without the
model the concept layer must still triage: that is tested without it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import pytest

from bot.config import SHIPPED_CONTENT, EngineSettings
from bot.content import SEVERITY_ORDER, ContentError, load_content
from bot.engine import Engine
from bot.engine.message import ask_message
from bot.engine.semantic import MODEL_FILE, Encoder, Matrix
from bot.engine.text import clean

MODEL = EngineSettings().model_path
HERE = Path(__file__).resolve().parent
BLIND_SETS = ("triage_blind.txt", "triage_blind2.txt", "triage_blind3.txt")


def _need_model() -> None:
    if (MODEL / MODEL_FILE).is_file():
        return
    message = f"model not found at {MODEL}; run python scripts/fetch_model.py"
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must run the semantic triage tests: {message}")
    pytest.skip(message)


@cache
def _engine() -> Engine:
    return Engine(load_content(SHIPPED_CONTENT))


@pytest.fixture(scope="module")
def engine() -> Engine:
    _need_model()
    found = _engine()
    assert found.semantic_triage is not None, "triage_examples.toml must load"
    return found


def tier_of(engine: Engine, message: str) -> str | None:
    rule = ask_message(engine, message).decision.triage
    return rule.severity if rule else None


def reaches(got: str | None, tier: str) -> bool:
    return got is not None and SEVERITY_ORDER.index(got) <= SEVERITY_ORDER.index(tier)


# Written as members write, after the layer was built; the concept rules alone miss each.
MEANING_ONLY = [
    ("crisis", "soon none of this will be my problem, i have made peace with it"),
    ("crisis", "i am the reason everyone is unhappy and soon that wont be a problem"),
    ("emergency", "after the rugby tackle my neck hurts and my arms are tingling"),
]


@pytest.mark.parametrize(("tier", "message"), MEANING_ONLY)
def test_meaning_catches_what_the_words_miss(engine: Engine, tier: str, message: str) -> None:
    assert engine.triage.match(clean(message).text) is None, "no longer a semantic-only case"
    assert reaches(tier_of(engine, message), tier)


# Look-alikes the layer must leave to the FAQ: negated, past and resolved, informational,
# a figure of speech, a dose question (declined elsewhere, not a crisis).
LOOK_ALIKES = [
    "my calf is sore after running but not swollen, red or warm",
    "had a crushing headache last week but it went away and i'm fine now",
    "what does serotonin syndrome feel like",
    "how do you tell a seizure from a muscle twitch",
    "this cramp is going to be the death of me, how do i stop it",
    "what's the maximum daily dose of baclofen",
    "can muscle relaxers make you drowsy",
    "stiff neck from sleeping funny, no fever or headache",
    "my son had a febrile seizure years ago, he's fine now, are cramps related",
    "how often should adults get a tetanus booster",
]


@pytest.mark.parametrize("message", LOOK_ALIKES)
def test_look_alikes_fire_nothing(engine: Engine, message: str) -> None:
    assert tier_of(engine, message) is None


def _blind(name: str) -> list[tuple[str, str]]:
    rows = []
    for line in (HERE / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            tier, _, message = (part.strip() for part in line.split("|", 2))
            rows.append((tier, message))
    return rows


@pytest.mark.parametrize("name", BLIND_SETS)
def test_blind_sets_reach_their_tier(engine: Engine, name: str) -> None:
    """Figures on the blind sets (see each file's header for how blind it still is).

    Floors sit just under the figures measured with both layers on 2026-12-02.
    """
    rows = _blind(name)
    urgent = [(t, m) for t, m in rows if t != "none"]
    decoys = [m for t, m in rows if t == "none"]
    missed = [m for t, m in urgent if not reaches(tier_of(engine, m), t)]
    alarms = [m for m in decoys if tier_of(engine, m) is not None]
    assert len(missed) <= 0.05 * len(urgent), missed
    assert len(alarms) <= max(1, 0.02 * len(decoys)), alarms


def test_fresh_ordinary_questions_rarely_alarm(engine: Engine) -> None:
    """Ordinary questions written to trip the new concepts ("so i dont wake up with cramps",
    "a plan for my cramps", "goodbye for now"): at most 4% get urgent guidance (3 of 82 on
    2026-12-02: a scheduling question about all tablets at once, a bump on the head with no
    other symptoms, a toddler who ate soap)."""
    rows = _blind("triage_decoys_fresh.txt")
    alarms = [m for _, m in rows if tier_of(engine, m) is not None]
    assert len(alarms) <= 0.04 * len(rows), alarms


def test_crisis_meaning_beats_an_overdose_rule(engine: Engine) -> None:
    """Crisis comes before everything: a message the overdose rule matches is still crisis
    when it means self-harm."""
    message = "took a handful of my relaxers and i am drowsy, i hope i never wake up"
    fired = [r.id for r in engine.triage.fired(clean(message).text)]
    assert "overdose" in fired
    assert tier_of(engine, message) == "crisis"


def test_the_question_is_embedded_once(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Triage reuses the retriever's vector: one model pass for a one-clause message."""
    assert engine.encoder is not None
    calls: list[int] = []
    real = Encoder.encode

    def counting(self: Encoder, texts: Sequence[str], batch_size: int = 32) -> Matrix:
        calls.append(len(texts))
        return real(self, texts, batch_size)

    monkeypatch.setattr(Encoder, "encode", counting)
    engine.clear_cache()
    engine.ask("is my swollen red calf after the long flight just a cramp")
    assert sum(calls) == 1
    # A story: each of its texts (whole, sentences, clauses) once, however often it is read.
    story = "so i was at the gym. did leg day, and now my pee is really dark. is that normal?"
    calls.clear()
    engine.clear_cache()
    ask_message(engine, story)
    texts = {clean(story).text, *engine._triage_parts(story)}
    assert sum(calls) <= len(texts) + 3


def test_without_the_model_the_concepts_still_triage() -> None:
    lexical = Engine(load_content(SHIPPED_CONTENT), EngineSettings(semantic=False))
    assert lexical.semantic_triage is None
    decision = lexical.ask("I think tonight I take all my tablets together and finish it")
    assert decision.triage is not None and decision.triage.severity == "crisis"
    decision = lexical.ask("my calf is swollen, red and hot since my long flight")
    assert decision.triage is not None and decision.triage.id == "blood-clot"


# -- the content file ------------------------------------------------------------------------

BASE = HERE.parent / "fixtures" / "content_broken" / "valid_base"


def _content_with(tmp_path: Path, examples: str) -> Path:
    import shutil

    root = tmp_path / "content"
    shutil.copytree(BASE, root)
    shutil.copy(SHIPPED_CONTENT / "triage.toml", root / "triage.toml")
    shutil.copy(SHIPPED_CONTENT / "triage_concepts.toml", root / "triage_concepts.toml")
    (root / "triage_examples.toml").write_text(examples, encoding="utf-8")
    return root


def test_shipped_examples_cover_every_rule() -> None:
    knowledge = load_content(SHIPPED_CONTENT)
    spec = knowledge.triage_examples
    assert {r.id for r in knowledge.triage} <= set(spec.examples)
    assert len(spec.decoys) >= 100


def test_examples_of_an_unknown_rule_are_reported(tmp_path: Path) -> None:
    root = _content_with(tmp_path, '[rules.no-such-rule]\nexamples = ["help"]\n')
    with pytest.raises(ContentError, match="no-such-rule"):
        load_content(root)


def test_an_unknown_anchor_concept_is_reported(tmp_path: Path) -> None:
    text = '[rules.blood-clot]\nanchors = ["no-such-concept"]\nexamples = ["calf swollen"]\n'
    root = _content_with(tmp_path, text)
    with pytest.raises(ContentError, match="no-such-concept"):
        load_content(root)


def test_meaning_raises_no_emergency_outside_the_faq(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A scope rule puts period cramps outside the FAQ: the semantic layer may still raise a
    crisis there, never an emergency the concept rules did not name."""
    assert engine.semantic_triage is not None
    rules = {r.id: r for r in engine.knowledge.triage}
    text = clean("my period cramps are awful this month").text
    assert any(r.matches(text) for r in engine.knowledge.scope)
    assert engine.triage.match(text) is None
    for meant, expected in ((rules["spider-bite"], None), (rules["self-harm"], "self-harm")):
        monkeypatch.setattr(engine.semantic_triage, "match", lambda *_, m=meant: m)
        got = engine.ask(text).triage
        assert (got.id if got else None) == expected
