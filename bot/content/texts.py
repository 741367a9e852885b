"""``texts.toml``: the bot's fixed wording (disclaimer, about, help, no-answer reply).

Also the readable names shown for source files under an answer, and the
"this FAQ is English only" notice per language. Each text has a length limit
so it fits the embed it is shown in.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import MappingProxyType

from . import limits
from .fields import Fields, read_toml
from .issues import Issues
from .models import Texts
from .source import Source

__all__ = ["ENGLISH_ONLY_MAX", "TEXTS_FILE", "TEXT_LIMITS", "load_texts"]

TEXTS_FILE = "texts.toml"
TEXT_LIMITS = {
    "disclaimer": limits.DISCLAIMER_MAX,
    "about": limits.ABOUT_MAX,
    "help": limits.HELP_MAX,
    "no_answer": limits.NO_ANSWER_MAX,
}
#: Each text of ``[english_only]`` (two of them share one embed).
ENGLISH_ONLY_MAX = 400


def load_texts(root: Path, issues: Issues) -> Texts | None:
    """``texts.toml`` (required); None if a text is missing or invalid (reported)."""
    path = root / TEXTS_FILE
    loaded = read_toml(path, issues)
    if loaded is None:
        return None
    data, src = loaded
    spec = {**dict.fromkeys(TEXT_LIMITS, True), "source_names": False, "english_only": False}
    Fields(issues, src, data, "texts.toml", None, None).check_keys(spec)
    f = Fields(issues, src, data, "texts", None, None)
    values: dict[str, str] = {}
    for key, max_len in TEXT_LIMITS.items():
        value = f.get_str(key, max_len=max_len)
        if value is not None:
            values[key] = value.strip()
    names = _source_names(data.get("source_names", {}), src, issues)
    english_only = _english_only(data.get("english_only", {}), src, issues)
    if len(values) != len(TEXT_LIMITS):
        return None
    return Texts(
        **values,
        source_names=MappingProxyType(names),
        english_only=MappingProxyType(english_only),
    )


def _english_only(table: object, src: Source, issues: Issues) -> dict[str, str]:
    """``[english_only]``: language code -> the "FAQ is English only" notice."""
    if not isinstance(table, dict):
        issues.add(
            src.path, src.key_line("english_only", None, None), "english_only must be a table"
        )
        return {}
    texts: dict[str, str] = {}
    for key, value in table.items():
        if not re.fullmatch(r"[a-z]{2}", key):
            issues.add(
                src.path,
                src.key_line(key, None, None),
                f"english_only.{key}: keys are two-letter language codes (en, es, de, ...)",
            )
            continue
        if not isinstance(value, str) or not value.strip() or len(value) > ENGLISH_ONLY_MAX:
            issues.add(
                src.path,
                src.key_line(key, None, None),
                f"english_only.{key} must be a non-empty string of at most "
                f"{ENGLISH_ONLY_MAX} characters",
            )
            continue
        texts[key] = value.strip()
    return texts


def _source_names(table: object, src: Source, issues: Issues) -> dict[str, str]:
    """``[source_names]``: seed file name -> the name members see under an answer."""
    if not isinstance(table, dict):
        issues.add(
            src.path, src.key_line("source_names", None, None), "source_names must be a table"
        )
        return {}
    names: dict[str, str] = {}
    for key, value in table.items():
        if not isinstance(value, str) or not value.strip() or len(value) > limits.SOURCE_NAME_MAX:
            issues.add(
                src.path,
                src.key_line(key, None, None),
                f"source_names.{key} must be a non-empty string of at most "
                f"{limits.SOURCE_NAME_MAX} characters",
            )
            continue
        names[key] = value.strip()
    return names
