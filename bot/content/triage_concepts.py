"""``triage_concepts.toml``: the vocabulary triage rules are written in.

Named concepts (``fever = ["fever*", ...]``) that ``when`` groups in
``triage.toml`` refer to, and the words and regexes for negation, time (is it
still happening or over?) and question frames. Loaded before the rules, which
are checked against its concept names.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import MappingProxyType
from typing import Any

from . import limits
from .cleaning import collapse
from .fields import Fields, read_toml
from .issues import Issues
from .models import TriageLexicon

__all__ = ["CONCEPTS_FILE", "load_lexicon"]

CONCEPTS_FILE = "triage_concepts.toml"
CONCEPT_FILE_KEYS = {
    "concepts": True,
    "negation": False,
    "time": False,
    "questions": False,
    "figurative": False,
}


def load_lexicon(root: Path, issues: Issues) -> TriageLexicon:
    """``triage_concepts.toml`` (optional): concepts; negation, time, question and figurative
    words."""
    path = root / CONCEPTS_FILE
    if not path.exists():
        return TriageLexicon()
    loaded = read_toml(path, issues)
    if loaded is None:
        return TriageLexicon()
    data, src = loaded
    f = Fields(issues, src, data, CONCEPTS_FILE, None, None)
    f.check_keys(CONCEPT_FILE_KEYS)
    concepts: dict[str, tuple[str, ...]] = {}
    raw_concepts = data.get("concepts", {})
    if not isinstance(raw_concepts, dict):
        issues.add(path, src.header_line("concepts"), "[concepts] must be a table")
        raw_concepts = {}
    for name, terms in raw_concepts.items():
        where = src.key_line(name, None, None)
        if not limits.SLUG_RE.match(name):
            issues.add(path, where, f"concept name '{name}' must be a lowercase slug")
        if (
            not isinstance(terms, list)
            or not terms
            or not all(isinstance(t, str) and t.strip() for t in terms)
        ):
            issues.add(path, where, f"concept '{name}' must be a non-empty list of terms")
            continue
        concepts[name] = tuple(collapse(t) for t in terms)

    def table(key: str) -> dict[str, Any]:
        value = data.get(key, {})
        if not isinstance(value, dict):
            issues.add(path, src.header_line(key), f"[{key}] must be a table")
            return {}
        return value

    def words(tab: dict[str, Any], key: str) -> frozenset[str]:
        value = tab.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            issues.add(path, src.key_line(key, None), f"'{key}' must be a list of words")
            return frozenset()
        return frozenset(collapse(v) for v in value)

    negation, time, questions = table("negation"), table("time"), table("questions")
    figurative = table("figurative")
    window = negation.get("window", 3)
    if not isinstance(window, int) or not 1 <= window <= 8:
        issues.add(path, src.key_line("window", None), "negation window must be 1 to 8")
        window = 3

    def regexes(tab: dict[str, Any], key: str) -> tuple[re.Pattern[str], ...]:
        return f.compile_list(tab.get(key, []), key)

    return TriageLexicon(
        concepts=MappingProxyType(concepts),
        negators=words(negation, "words"),
        negation_window=window,
        not_negating=words(negation, "not_negating"),
        unnegatable=words(negation, "unnegatable"),
        clause_breaks=words(negation, "clause_breaks"),
        present=regexes(time, "present"),
        resolved=regexes(time, "resolved"),
        distant=regexes(time, "distant"),
        history=regexes(time, "history"),
        question_frames=regexes(questions, "frames"),
        personal=regexes(questions, "personal"),
        ahead=regexes(questions, "ahead"),
        future=regexes(questions, "future"),
        figurative=regexes(figurative, "phrases"),
    )
