"""``scope.toml``: subjects that share words with the FAQ but are outside it.

Each ``[[outside]]`` table gives regexes that recognise such a question and the
reply that says what the bot does not cover.
"""

from __future__ import annotations

from pathlib import Path

from . import limits
from .fields import Fields, read_tables
from .issues import Issues
from .models import ScopeRule

__all__ = ["SCOPE_FILE", "load_scope"]

SCOPE_FILE = "scope.toml"
SCOPE_KEYS = {"id": True, "name": True, "reply": True, "any": True, "unless": False}


def load_scope(root: Path, issues: Issues) -> list[ScopeRule]:
    """``scope.toml`` (optional): the valid ``[[outside]]`` rules, in file order."""
    path = root / SCOPE_FILE
    if not path.exists():
        return []
    tables = read_tables(path, "outside", issues)
    if tables is None:
        return []
    raw_rules, src, starts = tables
    if raw_rules is None:
        return []
    rules: list[ScopeRule] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_rules):
        line = starts[index] if index < len(starts) else None
        raw_id = raw.get("id")
        what = f"scope '{raw_id}'" if isinstance(raw_id, str) else "scope"
        f = Fields(issues, src, raw, what, line, src.block_end(line))
        f.check_keys(SCOPE_KEYS)
        rid = f.get_str("id")
        if rid is not None and (not limits.SLUG_RE.match(rid) or rid in seen):
            f.report(f.at("id"), f"scope id '{rid}' must be a unique slug")
        name = f.get_str("name", max_len=limits.EMBED_TITLE)
        reply = f.get_str("reply", max_len=limits.GUIDANCE_MAX)
        any_ = f.compile_list(raw.get("any", []), "any")
        unless = f.compile_list(raw.get("unless", []), "unless")
        if rid and name and reply and any_:
            seen.add(rid)
            rules.append(ScopeRule(rid, name, reply.strip(), any_, unless))
    return rules
