"""Text comparison helpers for the content loader.

Messages are cleaned for matching by :func:`bot.engine.text.clean` (the one
normaliser the bot uses); triage regexes in ``content/triage.toml`` are written
against its output: NFKC, accents and marks removed, casefolded, curly quotes
made straight, Discord markup removed, whitespace collapsed.
"""

from __future__ import annotations

import re

__all__ = ["collapse"]

_SPACE = re.compile(r"\s+")


def collapse(text: str) -> str:
    """Casefold and collapse whitespace (used to compare phrasings)."""
    return _SPACE.sub(" ", text.casefold()).strip()
