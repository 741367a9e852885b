"""Shared helpers for the triage tier tests: one Triage over the shipped content."""

from __future__ import annotations

from functools import cache

from bot.config import SHIPPED_CONTENT
from bot.content import SEVERITY_ORDER, load_content
from bot.content.models import TriageRule
from bot.engine.text import clean
from bot.engine.triage import Triage


@cache
def triage() -> Triage:
    return Triage(load_content(SHIPPED_CONTENT))


def winner(message: str) -> TriageRule | None:
    return triage().match(clean(message).text)


def fired_ids(message: str) -> list[str]:
    return [r.id for r in triage().fired(clean(message).text)]


def at_least(message: str, tier: str) -> bool:
    """The winning rule is at ``tier`` or more severe."""
    rule = winner(message)
    return rule is not None and SEVERITY_ORDER.index(rule.severity) <= SEVERITY_ORDER.index(tier)


def explain(message: str) -> str:
    rule = winner(message)
    seen = triage().analyse(clean(message).text)
    got = f"{rule.id}/{rule.severity}" if rule else "nothing"
    return f"{message!r} -> {got}; fired {fired_ids(message)}; saw {sorted(seen.concepts)}"
