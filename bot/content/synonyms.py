"""``synonyms.toml``: lay words mapped to the words the entries use.

A synonym that maps to a word no entry contains can never help a search, so it
is reported; that check waits until every entry loaded cleanly.
"""

from __future__ import annotations

import re
from pathlib import Path

from .cleaning import collapse
from .fields import read_toml
from .issues import Issues
from .models import Entry

__all__ = ["SYNONYMS_FILE", "load_synonyms"]

SYNONYMS_FILE = "synonyms.toml"
_TOKEN = re.compile(r"[^\W_]+")


def load_synonyms(
    root: Path, issues: Issues, entries: list[Entry], *, check_words: bool
) -> dict[str, str]:
    """``synonyms.toml`` (required): collapsed key -> collapsed replacement words.

    ``check_words``: the entries are complete, so a replacement word none of
    them uses is an issue.
    """
    path = root / SYNONYMS_FILE
    loaded = read_toml(path, issues)
    if loaded is None:
        return {}
    data, src = loaded
    for key in data:
        if key != "synonyms":
            issues.add(
                path,
                src.header_line(key) or src.key_line(key, None),
                f"unknown top-level key '{key}' (allowed: synonyms)",
            )
    table = data.get("synonyms")
    if not isinstance(table, dict):
        issues.add(path, None, "missing [synonyms] table")
        return {}
    vocabulary: set[str] = set()
    for entry in entries:
        for text in (entry.title, entry.answer, *entry.questions):
            vocabulary.update(_TOKEN.findall(text.casefold()))
    out: dict[str, str] = {}
    original: dict[str, str] = {}
    for raw_key, value in table.items():
        line = src.find(f'"{raw_key}"') or src.find(raw_key)
        key = collapse(raw_key)
        if not key:
            issues.add(path, line, "empty synonym key")
            continue
        if not isinstance(value, str) or not value.strip():
            issues.add(path, line, f"synonym '{raw_key}' must map to a non-empty string")
            continue
        if key in out:
            issues.add(
                path,
                line,
                f"synonym '{raw_key}' duplicates '{original[key]}' (keys are compared lowercase)",
            )
            continue
        words = collapse(value)
        if check_words:
            unknown = [w for w in words.split() if w not in vocabulary]
            if unknown:
                issues.add(
                    path,
                    line,
                    f"synonym '{raw_key}' maps to word(s) not used in any entry: "
                    + ", ".join(unknown),
                )
        out[key] = words
        original[key] = raw_key
    return out
