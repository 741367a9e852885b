"""Non-English detection (bot.engine.language) on curated lists in tests/data.

tests/data/non_english.txt: "<lang> <message>" lines in es/de/fr/pt/it;
tests/data/english.txt: English including typos, slang, non-native English and
English that quotes a foreign word. Precision and recall are printed by
``python tests/engine/test_language.py`` and asserted here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.engine.language import LANGUAGES, detect

DATA = Path(__file__).parent.parent / "data"


def non_english() -> list[tuple[str, str]]:
    lines = (DATA / "non_english.txt").read_text(encoding="utf-8").splitlines()
    return [(line[:2], line[3:]) for line in lines if line.strip()]


def english() -> list[str]:
    lines = (DATA / "english.txt").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip()]


def test_lists_are_big_enough() -> None:
    assert len(non_english()) >= 50 and len(english()) >= 50
    assert {lang for lang, _ in non_english()} == set(LANGUAGES)


@pytest.mark.parametrize(("lang", "message"), non_english())
def test_non_english_is_detected_with_its_language(lang: str, message: str) -> None:
    found = detect(message)
    assert not found.english
    assert found.lang == lang


@pytest.mark.parametrize("message", english())
def test_english_is_never_flagged(message: str) -> None:
    assert detect(message).english


def test_single_foreign_words_stay_english() -> None:
    for message in ("calambre", "crampe?", "hola bot", "my abuela says tequila fixes cramps"):
        assert detect(message).english


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz ?.,", max_size=200))
def test_detect_never_raises_and_returns_a_known_code(message: str) -> None:
    assert detect(message).lang in ("en", *LANGUAGES)


if __name__ == "__main__":
    tp = sum(not detect(m).english for _, m in non_english())
    fp = sum(not detect(m).english for m in english())
    fn = len(non_english()) - tp
    right = sum(detect(m).lang == lang for lang, m in non_english())
    print(
        f"non-English precision {tp / max(tp + fp, 1):.3f} recall {tp / (tp + fn):.3f}; "
        f"language named correctly {right}/{len(non_english())}; "
        f"{len(non_english())} non-English, {len(english())} English messages"
    )
