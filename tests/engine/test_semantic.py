"""The semantic layer: the numpy sentence encoder, its disk cache, and the hybrid decision.

Tests that need the model files skip when they are absent (run
``python scripts/fetch_model.py``), except under CI=true, where absence is a failure:
CI fetches the model, so a skip there would hide a broken fetch.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import SHIPPED_CONTENT, EngineSettings
from bot.content import Entry, Knowledge, load_content
from bot.engine import Engine, Learned
from bot.engine.semantic import (
    MAX_TOKENS,
    MODEL_FILE,
    ONNX_FILE,
    TOKENIZER_FILE,
    Encoder,
    load_encoder,
)

MODEL = EngineSettings().model_path
MODEL_FILES = (MODEL_FILE, TOKENIZER_FILE, "config.json", "SHA256SUMS", ONNX_FILE)


def _need_model() -> None:
    if (MODEL / MODEL_FILE).is_file():
        return
    message = f"model not found at {MODEL}; run python scripts/fetch_model.py"
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must run the semantic tests: {message}")
    pytest.skip(message)


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    _need_model()
    found = load_encoder(MODEL)
    assert found is not None
    return found


@pytest.fixture(scope="module")
def reference() -> Encoder:
    """The float32 numpy forward pass, which the ONNX export must agree with."""
    _need_model()
    return Encoder(MODEL, prefer_onnx=False)


@pytest.fixture(scope="module")
def knowledge() -> Knowledge:
    return load_content(SHIPPED_CONTENT)


@pytest.fixture
def private_model(tmp_path: Path) -> Path:
    """The model's files linked into a fresh folder, so its embedding cache starts empty."""
    _need_model()
    for name in MODEL_FILES:
        if (MODEL / name).exists():
            (tmp_path / name).symlink_to(MODEL / name)
    return tmp_path


# -- the encoder ---------------------------------------------------------------------------------


REFERENCE_TEXTS = [
    "The weather is lovely today.",
    "It's so sunny outside!",
    "He drove to the stadium.",
]


def test_numpy_pass_matches_the_sentence_transformers_reference(reference: Encoder) -> None:
    # The similarities sentence-transformers' documentation prints for this model.
    vectors = reference.encode(REFERENCE_TEXTS)
    sims = vectors @ vectors.T
    assert reference.backend == "numpy"
    assert sims[0, 1] == pytest.approx(0.6660, abs=2e-3)
    assert sims[0, 2] == pytest.approx(0.1046, abs=2e-3)
    assert sims[1, 2] == pytest.approx(0.1411, abs=2e-3)


def test_int8_export_stays_close_to_the_float32_pass(encoder: Encoder, reference: Encoder) -> None:
    if encoder.backend != "onnx-int8":
        if os.environ.get("CI") == "true":
            pytest.fail("CI must test the ONNX export (scripts/fetch_model.py writes it)")
        pytest.skip("no ONNX export")
    texts = [*REFERENCE_TEXTS, "why do my calves cramp at night?", "is heat or ice better"]
    fast, exact = encoder.encode(texts), reference.encode(texts)
    assert np.all((fast * exact).sum(axis=1) > 0.97)
    sims = fast[:3] @ fast[:3].T
    assert sims[0, 1] == pytest.approx(0.6660, abs=0.03)
    assert sims[0, 2] == pytest.approx(0.1046, abs=0.03)


def test_shape_norm_and_empty_input(encoder: Encoder) -> None:
    vectors = encoder.encode(["leg cramp at night", "is heat or ice better", "x"])
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert encoder.encode([]).shape == (0, 384)


def test_tokenisation_adds_cls_and_sep_and_truncates(encoder: Encoder) -> None:
    ids = encoder.token_ids(["Charley horse?", "cramp " * 1000])
    assert ids[0][0] == 101 and ids[0][-1] == 102  # [CLS] ... [SEP]
    assert len(ids[0]) > 3
    assert len(ids[1]) == MAX_TOKENS


def test_padding_does_not_change_a_vector(encoder: Encoder) -> None:
    """Mean pooling counts real tokens only: a short text batched with a long one is unchanged."""
    short = "why do I cramp"
    alone = encoder.encode([short])[0]
    batched = encoder.encode([short, "a much longer question about cramps in both legs at night"])
    assert np.allclose(alone, batched[0], atol=1e-5)


def test_paraphrases_are_closer_than_unrelated_questions(encoder: Encoder) -> None:
    a, b, c = encoder.encode(
        ["why do my legs cramp at night", "nocturnal calf cramps cause", "how do I reset my router"]
    )
    assert float(a @ b) > float(a @ c) + 0.3


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=80))
def test_any_text_gives_a_finite_unit_vector_deterministically(encoder: Encoder, text: str) -> None:
    first, second = encoder.encode([text, text])
    assert np.all(np.isfinite(first))
    assert float(np.linalg.norm(first)) == pytest.approx(1.0, abs=1e-4)
    assert np.array_equal(first, second)


# -- the embedding cache -------------------------------------------------------------------------


def test_cache_miss_then_hit_embeds_only_new_texts(
    private_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    enc = Encoder(private_model)
    assert not enc.cache_file.exists()
    first = enc.embed_cached(["leg cramps at night", "heat or ice"])
    assert enc.cache_file.is_file()
    fresh = Encoder(private_model)
    seen: list[list[str]] = []
    real = fresh.encode

    def counting(texts: list[str], batch_size: int = 32) -> np.ndarray:
        seen.append(list(texts))
        return real(texts, batch_size)

    monkeypatch.setattr(fresh, "encode", counting)
    again = fresh.embed_cached(["leg cramps at night", "heat or ice", "eyelid twitch"])
    assert seen == [["eyelid twitch"]]  # the two cached texts were not embedded again
    assert np.array_equal(again[:2], first)
    fresh.embed_cached(["heat or ice", "eyelid twitch"])
    assert len(seen) == 1


def test_corrupt_cache_file_is_rebuilt(
    private_model: Path, caplog: pytest.LogCaptureFixture
) -> None:
    enc = Encoder(private_model)
    enc.cache_file.parent.mkdir(parents=True)
    enc.cache_file.write_bytes(b"not an npz file at all")
    with caplog.at_level(logging.WARNING, logger="bot.engine.semantic"):
        vectors = enc.embed_cached(["leg cramps at night"])
    assert "rebuilding" in caplog.text
    assert np.allclose(vectors[0], enc.encode(["leg cramps at night"])[0], atol=1e-6)
    caplog.clear()
    Encoder(private_model).embed_cached(["leg cramps at night"])
    assert "rebuilding" not in caplog.text  # the rewritten file reads back


def test_cache_is_keyed_by_the_model_hash(private_model: Path) -> None:
    enc = Encoder(private_model)
    assert enc.sha256 in (MODEL / "SHA256SUMS").read_text(encoding="utf-8")
    assert enc.sha256[:16] in enc.cache_file.name


# -- missing model / switched off ----------------------------------------------------------------


def test_missing_model_runs_lexical_with_one_log_line(
    knowledge: Knowledge, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings_ = EngineSettings(model_path=tmp_path / "nowhere")
    with caplog.at_level(logging.WARNING):
        first = Engine(knowledge, settings_)
        second = Engine(knowledge, settings_)  # a content reload
    lines = [r.getMessage() for r in caplog.records if "semantic layer off" in r.getMessage()]
    assert len(lines) == 1
    assert str(tmp_path / "nowhere") in lines[0] and "scripts/fetch_model.py" in lines[0]
    assert first.mode == second.mode == "lexical"
    decision = first.ask("why do my calves cramp at night?")
    assert decision.outcome == "answer" and decision.mode == "lexical"


def test_semantic_false_never_loads_the_model(knowledge: Knowledge, tmp_path: Path) -> None:
    load_encoder.cache_clear()
    engine = Engine(knowledge, EngineSettings(semantic=False, model_path=tmp_path / "x"))
    assert engine.encoder is None and engine.mode == "lexical"
    assert load_encoder.cache_info().currsize == 0


# -- the hybrid decision -------------------------------------------------------------------------


def _knowledge_of(
    base: Knowledge, entries: dict[str, tuple[str, tuple[str, ...], str]]
) -> Knowledge:
    template = next(iter(base.entries.values()))
    made: dict[str, Entry] = {
        entry_id: dataclasses.replace(
            template, id=entry_id, title=title, questions=questions, answer=answer, see_also=()
        )
        for entry_id, (title, questions, answer) in entries.items()
    }
    # No lay-term map either: the test is about meaning, not about curated synonyms.
    return dataclasses.replace(base, entries=MappingProxyType(made), synonyms=MappingProxyType({}))


def test_paraphrase_sharing_no_word_is_found_only_with_the_model(
    knowledge: Knowledge, encoder: Encoder
) -> None:
    small = _knowledge_of(
        knowledge,
        {
            "twitch": ("Why does my eyelid twitch?", ("eyelid twitching",), "Tiredness, caffeine."),
            "router": ("How do I reset my router?", ("router reboot",), "Unplug it."),
        },
    )
    question = "reason my eye lid is fluttering"
    hybrid = Engine(small, EngineSettings(), encoder=encoder)
    lexical = Engine(small, EngineSettings(semantic=False))
    vocabulary = set().union(*hybrid._phrase_vocab, *hybrid._answer_vocab)
    assert all(vocabulary.isdisjoint(c.stems) for c in hybrid.analyzer.concepts(question))
    assert lexical._rank(question, None) == ()
    ranked = hybrid._rank(question, None)
    assert ranked[0].entry.id == "twitch"
    assert ranked[0].score > 2 * (ranked[1].score if len(ranked) > 1 else 0.0)


@pytest.mark.parametrize(
    ("question", "entry_id"),
    [
        ("my eye keeps flickering by itself", "eyelid-twitch"),
        ("reason for nocturnal calf spasms", "night-leg-cramps"),
    ],
)
def test_hybrid_answers_what_words_alone_miss(
    knowledge: Knowledge, encoder: Encoder, question: str, entry_id: str
) -> None:
    hybrid = Engine(knowledge, EngineSettings(), encoder=encoder).ask(question)
    lexical = Engine(knowledge, EngineSettings(semantic=False)).ask(question)
    assert hybrid.mode == "hybrid" and lexical.mode == "lexical"
    assert hybrid.outcome == "answer" and hybrid.entry is not None
    assert hybrid.entry.id == entry_id
    assert not (lexical.outcome == "answer" and lexical.entry and lexical.entry.id == entry_id)


def test_hybrid_keeps_refusals_triage_and_abstention(
    knowledge: Knowledge, encoder: Encoder
) -> None:
    engine = Engine(knowledge, EngineSettings(), encoder=encoder)
    assert engine.ask("how many mg of baclofen should I take for a cramp").refusal == "dose"
    assert engine.ask("my calf is swollen, hot and red after a long flight").outcome == "urgent"
    for off_topic in ("what's the capital of France", "best pizza topping?", "thanks!"):
        assert engine.ask(off_topic).outcome == "no_answer", off_topic


def test_learned_phrasing_is_embedded_and_scoped(knowledge: Knowledge, encoder: Encoder) -> None:
    engine = Engine(
        knowledge,
        EngineSettings(),
        learned=[Learned("gnarly shin lockups after footy", "stop-a-spasm", "g1")],
        encoder=encoder,
    )
    sims_here = engine.similarities("shin lockups after footy, gnarly", "g1")
    sims_elsewhere = engine.similarities("shin lockups after footy, gnarly", "g2")
    index = engine._entry_index["stop-a-spasm"]
    assert sims_here[index] > sims_elsewhere[index] + 0.2


def test_ask_json_says_which_mode_answered(
    encoder: Encoder, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from bot.cli import main

    assert main(["ask", "--json", "What is tetany?"]) == 0
    assert json.loads(capsys.readouterr().out)["mode"] == "hybrid"
