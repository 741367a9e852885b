"""``triage_examples.toml``: example messages per triage rule, and decoys.

The semantic triage layer (``bot/engine/semantic_triage.py``) compares a message with these
by meaning. Loaded after the rules and the concepts: every ``[rules.<id>]`` must name a
rule, and every anchor or ``[semantic]`` concept must be a concept.
"""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType
from typing import Any

from .cleaning import collapse
from .fields import Fields, read_toml
from .issues import Issues
from .models import TriageExamples, TriageLexicon, TriageRule
from .source import Source
from .triage_concepts import CONCEPTS_FILE
from .triage_rules import TRIAGE_FILE

__all__ = ["EXAMPLES_FILE", "load_examples"]

EXAMPLES_FILE = "triage_examples.toml"
EXAMPLES_FILE_KEYS = {"rules": True, "decoys": False, "semantic": False}
EXAMPLE_RULE_KEYS = {"examples": True, "anchors": False}
SEMANTIC_KEYS = {"generic": False, "required": False}
#: An example or decoy longer than this is a story, not an example.
EXAMPLE_MAX = 300


class _Reader:
    """Typed reads of message and concept lists, each problem an issue with its line."""

    def __init__(self, issues: Issues, src: Source, lexicon: TriageLexicon) -> None:
        self.issues = issues
        self.src = src
        self.concepts = lexicon.concepts

    def texts(self, value: Any, what: str, line: int | None) -> tuple[str, ...]:
        path = self.src.path
        if (
            not isinstance(value, list)
            or not value
            or not all(isinstance(t, str) and t.strip() for t in value)
        ):
            self.issues.add(path, line, f"{what} must be a non-empty list of messages")
            return ()
        for text in value:
            if len(text) > EXAMPLE_MAX:
                where = self.src.value_line(text[:40], None) or line
                self.issues.add(path, where, f"{what}: a message over {EXAMPLE_MAX} characters")
        return tuple(collapse(t) for t in value)

    def names(self, value: Any, what: str, line: int | None) -> tuple[str, ...]:
        path = self.src.path
        if not isinstance(value, list) or not all(isinstance(n, str) for n in value):
            self.issues.add(path, line, f"{what} must be a list of concept names")
            return ()
        for name in value:
            if name not in self.concepts:
                self.issues.add(
                    path,
                    self.src.value_line(name, line) or line,
                    f"{what} names unknown concept '{name}' (define it in {CONCEPTS_FILE})",
                )
        return tuple(value)


def load_examples(
    root: Path, issues: Issues, lexicon: TriageLexicon, rules: list[TriageRule]
) -> TriageExamples:
    """``triage_examples.toml`` (optional): example messages per rule, and decoys."""
    path = root / EXAMPLES_FILE
    if not path.exists():
        return TriageExamples()
    loaded = read_toml(path, issues)
    if loaded is None:
        return TriageExamples()
    data, src = loaded
    Fields(issues, src, data, EXAMPLES_FILE, None, None).check_keys(EXAMPLES_FILE_KEYS)
    read = _Reader(issues, src, lexicon)
    rule_ids = {r.id for r in rules}
    examples: dict[str, tuple[str, ...]] = {}
    anchors: dict[str, tuple[str, ...]] = {}
    raw_rules = data.get("rules", {})
    if not isinstance(raw_rules, dict):
        issues.add(path, src.header_line("rules"), "[rules.<id>] must be tables")
        raw_rules = {}
    for rid, table in raw_rules.items():
        line = src.header_line(f"rules.{rid}")
        what = f"examples of rule '{rid}'"
        if rid not in rule_ids:
            issues.add(path, line, f"{what}: no such rule in {TRIAGE_FILE}")
            continue
        if not isinstance(table, dict):
            issues.add(path, line, f"{what} must be a table")
            continue
        Fields(issues, src, table, what, line, src.block_end(line)).check_keys(EXAMPLE_RULE_KEYS)
        examples[rid] = read.texts(table.get("examples"), what, line)
        if "anchors" in table:
            anchors[rid] = read.names(table["anchors"], f"anchors of rule '{rid}'", line)
    decoys: tuple[str, ...] = ()
    raw_decoys = data.get("decoys", {})
    if isinstance(raw_decoys, dict) and "examples" in raw_decoys:
        decoys = read.texts(raw_decoys["examples"], "[decoys] examples", src.header_line("decoys"))
    elif raw_decoys:
        issues.add(path, src.header_line("decoys"), "[decoys] needs an 'examples' list")
    semantic = data.get("semantic", {})
    generic: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    if isinstance(semantic, dict):
        line = src.header_line("semantic")
        Fields(issues, src, semantic, "[semantic]", line, src.block_end(line)).check_keys(
            SEMANTIC_KEYS
        )
        generic = read.names(semantic.get("generic", []), "[semantic] generic", line)
        required = read.names(semantic.get("required", []), "[semantic] required", line)
    else:
        issues.add(path, src.header_line("semantic"), "[semantic] must be a table")
    return TriageExamples(
        examples=MappingProxyType(examples),
        anchors=MappingProxyType(anchors),
        generic=frozenset(generic),
        required=frozenset(required),
        decoys=decoys,
    )
