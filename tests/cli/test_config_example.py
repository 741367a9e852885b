"""config.example.toml documents every key the loader accepts, and the tables agree.

Keys are read from ``bot.config.SCHEMA`` (what the TOML loader and the
BOT_<SECTION>_<KEY> overrides accept) and the settings dataclasses, never from a
hand list here, so a key added to the code without documentation fails.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from bot.config import _SECTION_TYPES, SCHEMA

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"


def documented() -> dict[str, set[str]]:
    """Section -> keys shown in the example, set (``key =``) or commented (``# key =``)."""
    found: dict[str, set[str]] = {}
    section = ""
    for line in EXAMPLE.read_text(encoding="utf-8").splitlines():
        if m := re.match(r"^\s*#?\s*\[([a-z_]+)\]\s*$", line):
            section = m[1]
            found.setdefault(section, set())
        elif section and (m := re.match(r"^\s*#?\s*([a-z_]+)\s*=", line)):
            found[section].add(m[1])
    return found


@pytest.mark.parametrize("section", sorted(SCHEMA))
def test_example_documents_every_key(section: str) -> None:
    missing = set(SCHEMA[section]) - documented().get(section, set())
    assert missing == set(), f"config.example.toml [{section}] lacks {sorted(missing)}"


def test_example_has_no_unknown_keys() -> None:
    extra = {
        f"{section}.{key}"
        for section, keys in documented().items()
        for key in keys
        if key not in SCHEMA.get(section, {})
    }
    assert extra == set()


@pytest.mark.parametrize("section", sorted(SCHEMA))
def test_schema_and_settings_dataclass_agree(section: str) -> None:
    fields = {f.name for f in dataclasses.fields(_SECTION_TYPES[section])}
    assert set(SCHEMA[section]) == fields
