"""``triage.toml``: the urgent-sign rules checked before any FAQ answer.

Each ``[[rules]]`` table gives a tier, guidance and what fires it: ``any``
regexes, ``all`` groups of regexes, or ``when`` groups of concepts named in
``triage_concepts.toml``. Links from a rule to an entry are checked in
:mod:`.checks`, once every entry is known.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, NamedTuple

from . import limits
from .fields import Fields, read_tables
from .issues import Issues
from .models import TriageLexicon, TriageRule
from .source import Source
from .triage_concepts import CONCEPTS_FILE

__all__ = ["TRIAGE_FILE", "LoadedRules", "load_triage"]

TRIAGE_FILE = "triage.toml"
RULE_KEYS = {
    "id": True,
    "name": True,
    "severity": True,
    "guidance": True,
    "related": False,
    "any": False,
    "all": False,
    "unless": False,
    "when": False,
    "on_questions": False,
    "within": False,
}


class LoadedRules(NamedTuple):
    """The valid rules, the file (None if unreadable) and each rule's ``[[rules]]`` line."""

    rules: list[TriageRule]
    src: Source | None
    lines: list[int]


def load_triage(root: Path, issues: Issues, lexicon: TriageLexicon) -> LoadedRules:
    """``triage.toml`` (required): the valid rules, in file order."""
    path = root / TRIAGE_FILE
    tables = read_tables(path, "rules", issues)
    if tables is None:
        return LoadedRules([], None, [])
    raw_rules, src, starts = tables
    if raw_rules is None:
        return LoadedRules([], src, [])
    if not raw_rules:
        issues.add(path, None, "no [[rules]] defined")
    rules: list[TriageRule] = []
    lines: list[int] = []
    for index, raw in enumerate(raw_rules):
        line = starts[index] if index < len(starts) else None
        raw_id = raw.get("id")
        what = f"rule '{raw_id}'" if isinstance(raw_id, str) else "rule"
        rule = _load_rule(Fields(issues, src, raw, what, line, src.block_end(line)), lexicon)
        if rule is not None:
            rules.append(rule)
            lines.append(line or 1)
    return LoadedRules(rules, src, lines)


def _load_rule(f: Fields, lexicon: TriageLexicon) -> TriageRule | None:
    """One ``[[rules]]`` table; None (reported) if a required part is missing or invalid."""
    raw, what = f.table, f.what
    f.check_keys(RULE_KEYS)
    rid = f.get_str("id")
    if rid is not None and not limits.SLUG_RE.match(rid):
        f.report(f.key_line("id"), f"rule id '{rid}' must be a slug")
    name = f.get_str("name", max_len=limits.EMBED_TITLE)
    severity = f.get_str("severity")
    if severity is not None and severity not in limits.TRIAGE_SEVERITIES:
        allowed = ", ".join(sorted(limits.TRIAGE_SEVERITIES))
        f.report(f.key_line("severity"), f"{what} severity '{severity}' must be one of: {allowed}")
    guidance = f.get_str("guidance", max_len=limits.GUIDANCE_MAX)
    related = f.get_str("related")
    any_ = f.compile_list(raw.get("any", []), "any")
    all_groups = _all_groups(f)
    unless = f.compile_list(raw.get("unless", []), "unless")
    when = _concept_groups(f, lexicon)
    on_questions = raw.get("on_questions", False)
    if not isinstance(on_questions, bool):
        f.report(f.at("on_questions"), f"{what} 'on_questions' must be true or false")
        on_questions = False
    within = raw.get("within")
    if within is not None and (
        not isinstance(within, int) or isinstance(within, bool) or not 1 <= within <= 60
    ):
        f.report(f.at("within"), f"{what} 'within' must be a whole number of words from 1 to 60")
        within = None
    if not raw.get("any") and not raw.get("all") and not raw.get("when"):
        f.report(f.line, f"{what} needs at least one 'any' regex, 'all' group or 'when' group")
    if rid is None or name is None or severity is None or guidance is None:
        return None
    return TriageRule(
        id=rid,
        name=name.strip(),
        severity=severity,
        guidance=guidance.strip(),
        related=related,
        any=any_,
        all=all_groups,
        unless=unless,
        when=when,
        on_questions=on_questions,
        within=within,
    )


def _all_groups(f: Fields) -> tuple[tuple[re.Pattern[str], ...], ...]:
    """``all = [[regex, ...], ...]``: groups whose regexes all compiled (others reported)."""
    groups: list[tuple[re.Pattern[str], ...]] = []
    raw_all: Any = f.table.get("all", [])
    if not isinstance(raw_all, list) or not all(isinstance(g, list) for g in raw_all):
        f.report(f.at("all"), f"{f.what} 'all' must be a list of lists of regex strings")
        raw_all = []
    for group in raw_all:
        if not group:
            f.report(f.at("all"), f"{f.what} 'all' contains an empty group")
            continue
        compiled = f.compile_list(group, "all")
        if len(compiled) == len(group):
            groups.append(compiled)
    return tuple(groups)


def _concept_groups(f: Fields, lexicon: TriageLexicon) -> tuple[tuple[str, ...], ...]:
    """``when = [["fever", "stiff-neck"], ...]``: every name must be a known concept."""
    value = f.table.get("when", [])
    where = f.at("when")
    if not isinstance(value, list) or not all(
        isinstance(g, list) and g and all(isinstance(n, str) for n in g) for g in value
    ):
        f.report(where, f"{f.what} 'when' must be a list of non-empty lists of names")
        return ()
    for group in value:
        for name in group:
            if name not in lexicon.concepts:
                f.report(
                    f.value_line(name) or where,
                    f"{f.what} 'when' names unknown concept '{name}' "
                    f"(define it in {CONCEPTS_FILE})",
                )
    return tuple(tuple(g) for g in value)
