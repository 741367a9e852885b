"""UTC timestamps stored as fixed-width ISO-8601 text.

Fixed width (microseconds, trailing ``Z``) makes text order equal time order,
so ``created_at < ?`` works in SQL for purging and sorting.
"""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["format_ts", "parse_ts", "utcnow"]


def utcnow() -> datetime:
    """Current time, timezone-aware UTC."""
    return datetime.now(UTC)


def format_ts(moment: datetime) -> str:
    """``2026-11-23T14:12:00.000000Z``; naive datetimes are taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_ts(text: str) -> datetime:
    """Inverse of ``format_ts`` (accepts any ISO-8601 form Python understands)."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
