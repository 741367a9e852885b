"""What the SQLite and PostgreSQL stores have in common, written once.

Pure functions (no I/O): turning fetched rows into the dataclasses of
``models`` (by column name, as ``schema`` describes them), assembling pages of
groups and the stats view, validating arguments, encoding candidates and the
writer's hooks. Each backend passes in how its driver hands back timestamps
(SQLite: ISO text, PostgreSQL: ``datetime``) so both stores return the same
values. ``shared.SharedStore`` runs the queries and uses these.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from .base import Record
from .models import KINDS, STATUSES, LearnedPhrasing, MissedGroup, MissedRow, Stats
from .schema import LEARNED, MISSED, Table
from .sql import LEARNED_READ, MISSED_READ
from .timeutil import utcnow

__all__ = [
    "GROUP_MEMBER_COLUMNS",
    "LEARNED_COLUMNS",
    "MISSED_COLUMNS",
    "aware",
    "build_groups",
    "build_stats",
    "candidates_from_json",
    "candidates_to_json",
    "check_kind",
    "check_page",
    "check_status",
    "decode_row",
    "describe_record",
    "first",
    "learned_row",
    "missed_row",
    "retention_cutoff",
    "stamp_record",
    "status_clause",
    "week_window",
]

#: Column lists the row converters below read (derived from ``schema`` and the models).
MISSED_COLUMNS = MISSED.select_list(MISSED_READ)
LEARNED_COLUMNS = LEARNED.select_list(LEARNED_READ)

#: How a backend's driver returns a timestamp column, turned into an aware datetime.
ToDatetime = Callable[[Any], datetime]


_T = TypeVar("_T")


def _as_is(value: Any) -> datetime:
    return value  # type: ignore[no-any-return]


def first(rows: Sequence[_T]) -> _T | None:
    """The first of ``rows``, or None when there is none."""
    return next(iter(rows), None)


# -- the writer's hooks ---------------------------------------------------------------------


def describe_record(row: Record) -> str:
    """Identify a row in logs without its text (questions may be personal)."""
    return f"{type(row).__name__}(source_id={row.source_id!r}, guild_id={row.guild_id!r})"


def stamp_record(row: Record) -> Record:
    """Fix ``created_at`` at submit time, not at (possibly delayed) write time."""
    return row if row.created_at is not None else replace(row, created_at=utcnow())


# -- arguments --------------------------------------------------------------------------------


def aware(moment: datetime) -> datetime:
    """``moment`` with naive datetimes taken as UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def check_status(status: str, *, allow_all: bool = True) -> None:
    """Raise ``ValueError`` unless ``status`` is a known status (or "all")."""
    allowed = (*STATUSES, "all") if allow_all else STATUSES
    if status not in allowed:
        raise ValueError(f"status must be one of {allowed}, not {status!r}")


def check_kind(kind: str | None) -> None:
    """Raise ``ValueError`` unless ``kind`` is None (any) or a known kind."""
    if kind is not None and kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")


def status_clause(status: str, kind: str | None = None) -> tuple[str, tuple[str, ...]]:
    """`` AND status = ?`` (nothing for "all"), `` AND kind = ?`` (nothing for None),
    and their parameters."""
    check_status(status)
    check_kind(kind)
    clause, params = ("", ()) if status == "all" else (" AND status = ?", (status,))
    if kind is not None:
        clause, params = clause + " AND kind = ?", (*params, kind)
    return clause, params


def check_page(page: int, per_page: int) -> None:
    """Raise ``ValueError`` for a page below 1 or a page size outside 1..100."""
    if page < 1 or not 1 <= per_page <= 100:
        raise ValueError("page must be >= 1 and per_page between 1 and 100")


def retention_cutoff(retention_days: int, now: datetime | None) -> datetime:
    """Rows created before this moment are past ``retention_days``."""
    if retention_days < 0:
        raise ValueError("retention_days must not be negative")
    return aware(now or utcnow()) - timedelta(days=retention_days)


# -- candidates ---------------------------------------------------------------------------------


def candidates_to_json(candidates: Iterable[tuple[str, float]]) -> str:
    """The stored form of a record's ``(entry_id, score)`` candidates."""
    return json.dumps([[str(e), float(s)] for e, s in candidates])


def candidates_from_json(text: str) -> list[tuple[str, float]]:
    """Inverse of ``candidates_to_json``; anything malformed reads as no candidates."""
    try:
        data = json.loads(text)
    except ValueError:
        return []
    if not isinstance(data, list):
        return []
    out: list[tuple[str, float]] = []
    for item in data:
        if isinstance(item, list) and len(item) == 2:
            out.append((str(item[0]), float(item[1])))
    return out


# -- rows -> dataclasses -------------------------------------------------------------------------


def decode_row(
    table: Table, row: Any, names: Sequence[str], to_dt: ToDatetime = _as_is
) -> dict[str, Any]:
    """The named columns of a fetched row (addressed by name) as Python values."""
    values: dict[str, Any] = {}
    for name, codec in table.codecs(names):
        value = row[name]
        if value is None:
            values[name] = None
        elif codec == "timestamp":
            values[name] = to_dt(value)
        elif codec == "candidates":
            values[name] = candidates_from_json(value)
        elif codec == "bool":
            values[name] = bool(value)
        elif codec == "id":
            values[name] = int(value)
        else:
            values[name] = value
    return values


def missed_row(row: Any, to_dt: ToDatetime = _as_is) -> MissedRow:
    """A row selected as ``MISSED_COLUMNS``."""
    return MissedRow(**decode_row(MISSED, row, MISSED_READ, to_dt))


def learned_row(row: Any, to_dt: ToDatetime = _as_is) -> LearnedPhrasing:
    """A row selected as ``LEARNED_COLUMNS``."""
    return LearnedPhrasing(**decode_row(LEARNED, row, LEARNED_READ, to_dt))


#: What ``build_groups`` reads of each group's rows.
GROUP_MEMBER_COLUMNS = "id, normalised, status, question, candidates, kind"


def build_groups(
    keys: Sequence[Any], members: Iterable[Any], to_dt: ToDatetime = _as_is
) -> list[MissedGroup]:
    """Groups in the order of ``keys``, each filled from its ``members``.

    ``keys``: rows with ``normalised, status, n, first_at, last_at`` per group;
    ``members``: rows with ``GROUP_MEMBER_COLUMNS``, newest first (rows of other
    groups are ignored). A key whose rows were deleted between the two queries
    is left out.
    """
    wanted = {(k["normalised"], k["status"]) for k in keys}
    by_key: dict[tuple[str, str], list[Any]] = {}
    for member in members:
        key = (member["normalised"], member["status"])
        if key in wanted:
            by_key.setdefault(key, []).append(member)
    groups: list[MissedGroup] = []
    for k in keys:
        rows = by_key.get((k["normalised"], k["status"]), [])
        newest = first(rows)
        if newest is None:
            continue  # deleted between the two queries
        groups.append(
            MissedGroup(
                normalised=k["normalised"],
                question=newest["question"],
                count=int(k["n"]),
                ids=[int(r["id"]) for r in rows],
                latest_id=int(newest["id"]),
                first_at=to_dt(k["first_at"]),
                last_at=to_dt(k["last_at"]),
                status=k["status"],
                top_candidates=candidates_from_json(newest["candidates"]),
                kind=str(newest["kind"]),
            )
        )
    return groups


# -- stats ---------------------------------------------------------------------------------------


def _week_label(day: date) -> str:
    iso = day.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def week_window(now: datetime) -> tuple[list[str], datetime]:
    """Labels of the 8 ISO weeks up to ``now`` (newest first), and the first one's Monday."""
    labels = [_week_label(now - timedelta(weeks=back)) for back in range(8)]
    monday = (now - timedelta(weeks=7, days=now.isocalendar().weekday - 1)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    return labels, monday


def build_stats(
    *,
    labels: Sequence[str],
    by_status: Iterable[tuple[Any, Any]],
    by_day: Iterable[tuple[date, Any]],
    top_open: list[MissedGroup],
    by_helpful: Iterable[tuple[Any, Any]],
) -> Stats:
    """``Stats`` from the counts a backend fetched.

    ``by_status``: (status, count); ``by_day``: (UTC date, count) since the
    Monday of ``week_window``; ``by_helpful``: (helpful flag, count).
    """
    status_counts = dict.fromkeys(STATUSES, 0)
    for status, n in by_status:
        status_counts[str(status)] = int(n)
    week_counts = dict.fromkeys(labels, 0)
    for day, n in by_day:
        label = _week_label(day)
        if label in week_counts:
            week_counts[label] += int(n)
    helpful = {True: 0, False: 0}
    for flag, n in by_helpful:
        helpful[bool(flag)] = int(n)
    return Stats(
        by_status=status_counts,
        by_week=[(label, week_counts[label]) for label in labels],
        top_open=top_open,
        feedback_helpful=helpful[True],
        feedback_not_helpful=helpful[False],
    )
