"""The SQL both stores run, written once with ``?`` placeholders.

Why: SQLite and PostgreSQL agree on every query of the store except how a
day is taken from a timestamp and how rows are locked; only the placeholder
style differs (``?`` vs ``$1``). So queries are written here in SQLite's style
and ``numbered`` rewrites them for asyncpg. Column lists come from ``schema``.
"""

from __future__ import annotations

from dataclasses import fields
from functools import lru_cache
from typing import Any

from .models import FeedbackRecord, LearnedPhrasing, MissedRecord, MissedRow
from .schema import FEEDBACK, LEARNED, MISSED

__all__ = [
    "FEEDBACK_INSERT",
    "FEEDBACK_WRITTEN",
    "LEARNED_READ",
    "MISSED_INSERT",
    "MISSED_READ",
    "MISSED_WRITTEN",
    "marks",
    "model_fields",
    "numbered",
]


def model_fields(model: Any) -> tuple[str, ...]:
    """Field names of a dataclass model, in order."""
    return tuple(f.name for f in fields(model))


#: What a record writes: its fields that are columns, plus the author (from ``author_id``).
MISSED_WRITTEN = MISSED.names_of((*model_fields(MissedRecord), "author"))
FEEDBACK_WRITTEN = FEEDBACK.names_of((*model_fields(FeedbackRecord), "author"))
#: What a model reads: the columns named like its fields.
MISSED_READ = MISSED.names_of(model_fields(MissedRow))
LEARNED_READ = LEARNED.names_of(model_fields(LearnedPhrasing))

MISSED_INSERT = MISSED.insert_sql(MISSED_WRITTEN, conflict=MISSED.key)
FEEDBACK_INSERT = FEEDBACK.insert_sql(FEEDBACK_WRITTEN, conflict=FEEDBACK.key)
MISSED_SELECT = f"SELECT {MISSED.select_list(MISSED_READ)} FROM missed"
LEARNED_SELECT = f"SELECT {LEARNED.select_list(LEARNED_READ)} FROM learned"

#: The insert that learns a phrasing (the newest decision sets its entry).
LEARN = (
    "INSERT INTO learned (guild_id, phrasing, normalised, entry_id, added_by, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (guild_id, normalised) DO UPDATE SET entry_id = excluded.entry_id"
)
#: Marks the row and its open twins; parameters end with guild, id, normalised.
_TWINS = "WHERE guild_id = ? AND (id = ? OR (normalised = ? AND status = 'open'))"
RESOLVE = (
    "UPDATE missed SET status = 'resolved', action = 'resolved', entry_id = ?, "
    f"changed_by = ?, changed_at = ?, note = ? {_TWINS}"
)
DISMISS = (
    "UPDATE missed SET status = 'dismissed', action = 'dismissed', entry_id = NULL, "
    f"changed_by = ?, changed_at = ?, note = ? {_TWINS}"
)


def marks(count: int) -> str:
    """``?, ?, ?`` for an ``IN (...)`` list of ``count`` values."""
    return ", ".join("?" for _ in range(count))


@lru_cache(maxsize=512)
def numbered(sql: str) -> str:
    """``sql`` with each ``?`` outside string literals and quoted names as ``$1``, ``$2``, ..."""
    out: list[str] = []
    quote: str | None = None
    n = 0
    for char in sql:
        if quote is not None:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "?":
            n += 1
            out.append(f"${n}")
            continue
        out.append(char)
    return "".join(out)
