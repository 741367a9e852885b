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
    return _string_table(
        "english_only",
        table,
        src,
        issues,
        max_chars=ENGLISH_ONLY_MAX,
        key_rule=(r"[a-z]{2}", "keys are two-letter language codes (en, es, de, ...)"),
    )


def _source_names(table: object, src: Source, issues: Issues) -> dict[str, str]:
    """``[source_names]``: seed file name -> the name members see under an answer."""
    return _string_table("source_names", table, src, issues, max_chars=limits.SOURCE_NAME_MAX)


def _string_table(
    name: str,
    table: object,
    src: Source,
    issues: Issues,
    *,
    max_chars: int,
    key_rule: tuple[str, str] | None = None,
) -> dict[str, str]:
    """A table of short strings: each value non-empty and at most ``max_chars``, each key
    matching ``key_rule``'s pattern when given (else reported with its message)."""
    if not isinstance(table, dict):
        issues.add(src.path, src.key_line(name, None, None), f"{name} must be a table")
        return {}
    out: dict[str, str] = {}
    for key, value in table.items():
        if key_rule is not None and not re.fullmatch(key_rule[0], key):
            issues.add(src.path, src.key_line(key, None, None), f"{name}.{key}: {key_rule[1]}")
            continue
        if not isinstance(value, str) or not value.strip() or len(value) > max_chars:
            issues.add(
                src.path,
                src.key_line(key, None, None),
                f"{name}.{key} must be a non-empty string of at most {max_chars} characters",
            )
            continue
        out[key] = value.strip()
    return out
