"""What the SQLite and PostgreSQL stores have in common, written once.

Pure functions (no I/O, no SQL dialect): turning fetched rows into the
dataclasses of ``models``, assembling pages of groups and the stats view,
validating arguments, encoding candidates and the writer's hooks. Each
backend keeps only its SQL, its connections and its error classification,
and passes in how its driver hands back timestamps (SQLite: ISO text,
PostgreSQL: ``datetime``) so both stores return the same values.

``SharedStore`` is the half of a store that is the same for both: the writer
wiring, author hashing, argument checks and the order of the queries behind
``list_groups``, ``stats``, ``forget_user``, ``purge`` and ``close``. A
backend subclasses it and fills in the hooks (one query each).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol, TypeVar

from .base import Record
from .errors import StorageError
from .models import (
    KINDS,
    STATUSES,
    FeedbackRecord,
    LearnedPhrasing,
    MissedGroup,
    MissedRecord,
    MissedRow,
    Stats,
)
from .schema import FEEDBACK, LEARNED, MISSED, Table
from .sql import (
    DISMISS,
    FEEDBACK_WRITTEN,
    LEARN,
    LEARNED_READ,
    LEARNED_SELECT,
    MISSED_READ,
    MISSED_SELECT,
    MISSED_WRITTEN,
    RESOLVE,
    marks,
)
from .timeutil import utcnow
from .writer import Writer

__all__ = [
    "LEARNED_COLUMNS",
    "MISSED_COLUMNS",
    "SharedStore",
    "Tx",
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


class Tx(Protocol):
    """One open transaction of a backend, with ``?`` placeholders in ``sql``.

    Fetched rows are addressed by column name (``sqlite3.Row`` / asyncpg ``Record``).
    """

    async def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """Every row the statement returns."""
        ...

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run a statement; the number of rows it changed."""
        ...


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
    table: Table, row: Any, names: Iterable[str], to_dt: ToDatetime = _as_is
) -> dict[str, Any]:
    """The named columns of a fetched row (addressed by name) as Python values."""
    values: dict[str, Any] = {}
    for name in names:
        value, codec = row[name], table.column(name).codec
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


# -- the shared half of a store ---------------------------------------------------------------


class SharedStore(ABC):
    """Everything a ``Store`` does the same way whatever the database.

    Subclasses set ``_where`` (the file or the password-free URL, for
    messages) and implement the hooks below; SQL lives only in them.
    """

    _where: str

    def __init__(self, salt: str | None, *, store_raw_user_ids: bool, readonly: bool) -> None:
        self.readonly = readonly
        self.store_raw_user_ids = store_raw_user_ids
        self._salt = bytes.fromhex(salt) if salt else None
        self._writer: Writer[Record] | None = None
        self._closed = False

    #: Appended to the SELECT that finds the row a moderator acts on (PostgreSQL:
    #: `` FOR UPDATE``; SQLite's ``BEGIN IMMEDIATE`` already locks the database).
    _row_lock = ""

    # -- hooks: the backend-specific part ------------------------------------------------------
    @abstractmethod
    def _timestamp_param(self, moment: datetime) -> Any:
        """A datetime as this backend stores it."""

    @abstractmethod
    def _to_dt(self, value: Any) -> datetime:
        """A fetched timestamp as an aware datetime."""

    def _param(self, value: Any) -> Any:
        """Any other value about to be stored (as it is, unless the backend says otherwise)."""
        return value

    @abstractmethod
    async def _query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """Rows (addressed by column name) of a read on the main connection or pool."""

    @abstractmethod
    def _transaction(self) -> AbstractAsyncContextManager[Tx]:
        """A write transaction (``StorageError`` if the store is read-only or it fails)."""

    @abstractmethod
    async def _insert_batch(
        self, missed: list[tuple[Any, ...]], feedback: list[tuple[Any, ...]]
    ) -> None:
        """Run ``sql.MISSED_INSERT`` / ``sql.FEEDBACK_INSERT`` over the rows in one transaction."""

    @abstractmethod
    async def _close_connections(self) -> None:
        """Close every connection (the writer has already stopped)."""

    @abstractmethod
    async def _count_by_day(self, guild_id: str, since: datetime) -> list[tuple[date, Any]]:
        """(UTC date, count) of the guild's missed questions created at or after ``since``."""

    def _id_in_range(self, missed_id: int) -> bool:
        """False for an id the database cannot hold (so no row has it)."""
        return True

    # -- opening and closing ------------------------------------------------------------------
    def _start_writer(
        self,
        is_transient: Callable[[BaseException], bool],
        queue_size: int,
        batch_size: int,
        batch_delay: float,
    ) -> None:
        """Start the writer; ``is_transient`` tells this database's passing errors apart."""
        self._writer = Writer(
            self._write_batch,
            is_transient=is_transient,
            queue_size=queue_size,
            batch_size=batch_size,
            batch_delay=batch_delay,
            prepare=stamp_record,
            describe=describe_record,
        )
        self._writer.start()

    async def close(self, timeout: float = 10.0) -> int:  # noqa: ASYNC109 - part of the API
        """Flush the writer (retrying up to ``timeout``), then close; rows not written."""
        if self._closed:
            return 0
        self._closed = True
        unwritten = 0
        if self._writer is not None:
            unwritten = await self._writer.close(timeout)
        await self._close_connections()
        return unwritten

    def _check_writable(self) -> None:
        if self.readonly:
            raise StorageError(f"{self._where}: opened read-only; changes are not possible")

    # -- writer side --------------------------------------------------------------------------
    @property
    def writer(self) -> Writer[Record]:
        """The background writer; a read-only store has none."""
        if self._writer is None:
            raise StorageError(f"{self._where}: opened read-only; logging is not possible")
        return self._writer

    def hash_user(self, user_id: int | str) -> str:
        """HMAC-SHA256 of the id with this database's salt, first 32 hex digits."""
        if self._salt is None:
            raise StorageError(
                f"{self._where}: the database has no salt yet; open it writable once"
            )
        return hmac.new(self._salt, str(user_id).encode(), hashlib.sha256).hexdigest()[:32]

    def _author(self, user_id: int | str) -> str:
        return str(user_id) if self.store_raw_user_ids else self.hash_user(user_id)

    async def log_missed(self, rec: MissedRecord) -> None:
        """Queue an unanswered question; waits only for queue space."""
        await self.writer.submit(rec)

    async def log_feedback(self, rec: FeedbackRecord) -> None:
        """Queue a feedback click; waits only for queue space."""
        await self.writer.submit(rec)

    def _record_params(self, table: Table, names: Sequence[str], rec: Record) -> tuple[Any, ...]:
        """The values of ``names`` for a row of ``table``: the record's fields of those
        names, the hashed ``author`` from ``author_id``, encoded for storage."""
        out: list[Any] = []
        for name in names:
            value: Any = self._author(rec.author_id) if name == "author" else getattr(rec, name)
            column = table.column(name)
            if column.codec == "timestamp":
                if value is None and column.not_null:
                    value = utcnow()  # normally set at submit time by ``stamp_record``
                value = None if value is None else self._timestamp_param(value)
            elif column.codec == "candidates":
                value = candidates_to_json(value)
            elif column.codec == "bool":
                value = bool(value)
            out.append(self._param(value))
        return tuple(out)

    def _missed_params(self, rec: MissedRecord) -> tuple[Any, ...]:
        return self._record_params(MISSED, MISSED_WRITTEN, rec)

    def _feedback_params(self, rec: FeedbackRecord) -> tuple[Any, ...]:
        return self._record_params(FEEDBACK, FEEDBACK_WRITTEN, rec)

    async def _write_batch(self, rows: Sequence[Record]) -> None:
        """One transaction per batch; idempotent thanks to ``ON CONFLICT DO NOTHING``."""
        missed = [self._missed_params(r) for r in rows if isinstance(r, MissedRecord)]
        feedback = [self._feedback_params(r) for r in rows if isinstance(r, FeedbackRecord)]
        await self._insert_batch(missed, feedback)

    # -- reads --------------------------------------------------------------------------------
    async def get_missed(self, guild_id: str, missed_id: int) -> MissedRow | None:
        """One row of this guild, or None (also for another guild's id)."""
        if not self._id_in_range(int(missed_id)):
            return None
        rows = await self._query(
            f"{MISSED_SELECT} WHERE id = ? AND guild_id = ?", (int(missed_id), guild_id)
        )
        row = first(rows)
        return None if row is None else missed_row(row, self._to_dt)

    async def list_rows(
        self, guild_id: str, status: str = "open", kind: str | None = None
    ) -> list[MissedRow]:
        """Every row of the guild with ``status`` ("all" for any) and ``kind``, newest first."""
        clause, params = status_clause(status, kind)
        rows = await self._query(
            f"{MISSED_SELECT} WHERE guild_id = ?{clause} ORDER BY created_at DESC, id DESC",
            (guild_id, *params),
        )
        return [missed_row(row, self._to_dt) for row in rows]

    async def learned(self, guild_id: str | None = None) -> list[LearnedPhrasing]:
        """Phrasings for ``guild_id`` plus global ones; with None, all of them."""
        if guild_id is None:
            rows = await self._query(f"{LEARNED_SELECT} ORDER BY id")
        else:
            rows = await self._query(
                f"{LEARNED_SELECT} WHERE guild_id = ? OR guild_id IS NULL ORDER BY id", (guild_id,)
            )
        return [learned_row(row, self._to_dt) for row in rows]

    async def _count_groups(self, guild_id: str, status: str, kind: str | None = None) -> int:
        """Number of (normalised, status) groups of the guild with ``status`` (or "all")
        and ``kind`` (None for any)."""
        clause, params = status_clause(status, kind)
        rows = await self._query(
            "SELECT COUNT(*) AS n FROM (SELECT 1 FROM missed WHERE guild_id = ?"
            f"{clause} GROUP BY normalised, status) AS g",
            (guild_id, *params),
        )
        row = first(rows)
        return 0 if row is None else int(row["n"])

    async def _groups(
        self,
        guild_id: str,
        status: str,
        *,
        order: str,
        limit: int,
        offset: int = 0,
        kind: str | None = None,
    ) -> list[MissedGroup]:
        """Groups of the guild with ``status`` in SQL ``order`` (see ``build_groups``)."""
        clause, params = status_clause(status, kind)
        keys = await self._query(
            "SELECT normalised, status, COUNT(*) AS n, MIN(created_at) AS first_at, "
            f"MAX(created_at) AS last_at FROM missed WHERE guild_id = ?{clause} "
            f"GROUP BY normalised, status ORDER BY {order} LIMIT ? OFFSET ?",
            (guild_id, *params, limit, offset),
        )
        if not keys:
            return []
        wanted = sorted({k["normalised"] for k in keys})
        members = await self._query(
            f"SELECT {GROUP_MEMBER_COLUMNS} FROM missed "
            f"WHERE guild_id = ?{clause} AND normalised IN ({marks(len(wanted))}) "
            "ORDER BY created_at DESC, id DESC",
            (guild_id, *params, *wanted),
        )
        return build_groups(keys, members, self._to_dt)

    async def _count_by_status(self, guild_id: str) -> list[tuple[Any, Any]]:
        """(status, count) rows of the guild's missed questions."""
        rows = await self._query(
            "SELECT status, COUNT(*) AS n FROM missed WHERE guild_id = ? GROUP BY status",
            (guild_id,),
        )
        return [(row["status"], row["n"]) for row in rows]

    async def _count_by_helpful(self, guild_id: str) -> list[tuple[Any, Any]]:
        """(helpful flag, count) rows of the guild's feedback."""
        rows = await self._query(
            "SELECT helpful, COUNT(*) AS n FROM feedback WHERE guild_id = ? GROUP BY helpful",
            (guild_id,),
        )
        return [(row["helpful"], row["n"]) for row in rows]

    async def list_groups(
        self,
        guild_id: str,
        status: str = "open",
        *,
        page: int = 1,
        per_page: int = 10,
        kind: str | None = None,
    ) -> tuple[list[MissedGroup], int]:
        """A page of identical questions grouped with a count, newest group first.

        With ``status="all"`` a question that is open and also resolved shows
        as two groups, so each group has one status.
        """
        check_page(page, per_page)
        check_status(status)
        check_kind(kind)
        total = await self._count_groups(guild_id, status, kind)
        groups = await self._groups(
            guild_id,
            status,
            order="MAX(created_at) DESC, MAX(id) DESC",
            limit=per_page,
            offset=(page - 1) * per_page,
            kind=kind,
        )
        return groups, total

    async def stats(self, guild_id: str, *, now: datetime | None = None) -> Stats:
        """Counts by status, by ISO week (8 weeks, newest first), top open, feedback."""
        labels, monday = week_window(aware(now or utcnow()))
        by_status = await self._count_by_status(guild_id)
        by_day = await self._count_by_day(guild_id, monday)
        top_open = await self._groups(
            guild_id, "open", order="COUNT(*) DESC, MAX(created_at) DESC", limit=10
        )
        return build_stats(
            labels=labels,
            by_status=by_status,
            by_day=by_day,
            top_open=top_open,
            by_helpful=await self._count_by_helpful(guild_id),
        )

    # -- moderator and member actions ---------------------------------------------------------
    async def resolve(
        self,
        guild_id: str,
        missed_id: int,
        entry_id: str,
        *,
        moderator_id: int | str,
        note: str | None = None,
    ) -> LearnedPhrasing | None:
        """Resolve the row and its open twins and learn the phrasing, atomically.

        Resolving again (or another twin) keeps one learned phrasing per
        normalised text; the newest decision sets its entry.
        """
        if not self._id_in_range(int(missed_id)):
            return None
        now = self._timestamp_param(utcnow())
        moderator = self._author(moderator_id)
        return await self._resolve(guild_id, int(missed_id), entry_id, moderator, note, now)

    async def dismiss(
        self, guild_id: str, missed_id: int, *, moderator_id: int | str, reason: str | None = None
    ) -> int:
        """Dismiss the row and its open twins; 0 if the id is not in this guild."""
        if not self._id_in_range(int(missed_id)):
            return 0
        now = self._timestamp_param(utcnow())
        moderator = self._author(moderator_id)
        return await self._dismiss(guild_id, int(missed_id), moderator, reason, now)

    async def _resolve(
        self, guild_id: str, missed_id: int, entry_id: str, by: str, note: str | None, now: Any
    ) -> LearnedPhrasing | None:
        """``resolve`` in one transaction (``now`` from ``_timestamp_param``)."""
        entry = self._param(entry_id)
        async with self._transaction() as tx:
            found = first(
                await tx.fetch(
                    f"SELECT question, normalised FROM missed WHERE id = ? AND guild_id = ?"
                    f"{self._row_lock}",
                    (missed_id, guild_id),
                )
            )
            if found is None:
                return None
            question, normalised = found["question"], found["normalised"]
            await tx.execute(
                RESOLVE, (entry, by, now, self._param(note), guild_id, missed_id, normalised)
            )
            await tx.execute(LEARN, (guild_id, question, normalised, entry, by, now))
            learned = first(
                await tx.fetch(
                    f"{LEARNED_SELECT} WHERE guild_id = ? AND normalised = ?",
                    (guild_id, normalised),
                )
            )
        if learned is None:  # pragma: no cover - the insert above guarantees a row
            raise StorageError(f"{self._where}: learned phrasing vanished during resolve")
        return learned_row(learned, self._to_dt)

    async def _dismiss(
        self, guild_id: str, missed_id: int, by: str, reason: str | None, now: Any
    ) -> int:
        """``dismiss`` in one transaction; the number of rows changed."""
        async with self._transaction() as tx:
            found = first(
                await tx.fetch(
                    f"SELECT normalised FROM missed WHERE id = ? AND guild_id = ?{self._row_lock}",
                    (missed_id, guild_id),
                )
            )
            if found is None:
                return 0
            return await tx.execute(
                DISMISS,
                (by, now, self._param(reason), guild_id, missed_id, found["normalised"]),
            )

    async def _delete_authored(self, keys: tuple[str, str]) -> int:
        """Delete missed and feedback rows whose author is one of ``keys``; blank the rest."""
        async with self._transaction() as tx:
            deleted = 0
            for table in ("missed", "feedback"):
                deleted += await tx.execute(f"DELETE FROM {table} WHERE author IN (?, ?)", keys)
            await tx.execute("UPDATE missed SET changed_by = NULL WHERE changed_by IN (?, ?)", keys)
            await tx.execute("UPDATE learned SET added_by = NULL WHERE added_by IN (?, ?)", keys)
        return deleted

    async def _delete_older(self, cutoff: datetime) -> int:
        """Delete missed and feedback rows created before ``cutoff``."""
        before = self._timestamp_param(cutoff)
        async with self._transaction() as tx:
            deleted = 0
            for table in ("missed", "feedback"):
                deleted += await tx.execute(f"DELETE FROM {table} WHERE created_at < ?", (before,))
        return deleted

    async def forget_user(self, user_id: int | str) -> int:
        """Delete the member's missed and feedback rows in every guild; count them.

        Matches both the salted hash and the raw id (the setting may have
        changed), flushes this process's queued rows first so none arrive
        afterwards, and also blanks the member's id on moderator actions and
        learned phrasings. (With PostgreSQL, rows another process still has
        queued arrive later; each process flushes its own writer when it
        handles the command.)
        """
        if self._writer is not None:
            try:
                await self._writer.flush(timeout=10.0)
            except TimeoutError:
                logging.getLogger(type(self).__module__).warning(
                    "forget_user: writer did not flush within 10 s; deleting anyway"
                )
        return await self._delete_authored((self.hash_user(user_id), str(user_id)))

    async def purge(self, retention_days: int, *, now: datetime | None = None) -> int:
        """Delete missed and feedback rows older than ``retention_days``; learned stay."""
        return await self._delete_older(retention_cutoff(retention_days, now))
