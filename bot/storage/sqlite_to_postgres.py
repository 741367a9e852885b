"""Copy an existing SQLite log into PostgreSQL (``python -m bot migrate-sqlite``).

How, and why:

* The SQLite file is only ever opened read-only (``mode=ro``, after the same
  read-only ``precheck`` the bot uses), in one read transaction, so the copy
  is a consistent snapshot and the source is never changed.
* Everything happens in ONE PostgreSQL transaction that holds the schema
  advisory lock (no bot process can migrate the schema meanwhile) and locks
  the four tables against writes (running bots' writers time out and retry,
  losing nothing). Either every row is copied and verified, or nothing is.
* Rows are matched by their natural keys (``source_id`` for missed questions
  and feedback, guild + normalised text for learned phrasings, ``key`` for
  meta). Rows already there are left alone, so running it twice copies
  nothing the second time. Ids are kept; a row whose id is already taken by
  a different row (PostgreSQL was used while SQLite kept growing) gets a new
  id -- nothing in the database refers to these ids, so that is consistent.
* The salt is copied so author hashes keep matching (``/forget-me`` finds
  migrated rows). A PostgreSQL database that already holds rows hashed with a
  different salt is refused: mixing salts would break ``/forget-me``.
* Afterwards every table is verified: each SQLite row's key must be present
  in PostgreSQL, and the identity sequences continue after the largest id.

Stop the bot (or at least do not expect rows logged to SQLite during the copy
to be included) before migrating; re-running later copies rows added since.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg

from . import schema_upgrade
from .errors import StorageError
from .postgres import ensure_schema, pg_text, safe_url
from .timeutil import parse_ts

__all__ = ["MigrationReport", "TableReport", "migrate_sqlite"]

_CHUNK = 2000


@dataclass(frozen=True, slots=True)
class _Table:
    name: str
    columns: tuple[str, ...]  # every column except ``id``
    key: tuple[str, ...]  # natural key (unique in both databases)
    nullable_key: frozenset[str] = frozenset()
    timestamps: frozenset[str] = frozenset()
    booleans: frozenset[str] = frozenset()
    has_id: bool = True


_TABLES = (
    _Table("meta", ("key", "value"), ("key",), has_id=False),
    _Table(
        "missed",
        (
            "guild_id",
            "channel_id",
            "source_id",
            "author",
            "question",
            "normalised",
            "candidates",
            "reason",
            "shown_entry_id",
            "created_at",
            "status",
            "changed_by",
            "changed_at",
            "action",
            "note",
            "entry_id",
            "kind",
            "language",
        ),
        ("source_id",),
        timestamps=frozenset({"created_at", "changed_at"}),
    ),
    _Table(
        "feedback",
        (
            "guild_id",
            "channel_id",
            "source_id",
            "message_id",
            "author",
            "entry_id",
            "helpful",
            "question",
            "created_at",
        ),
        ("source_id",),
        timestamps=frozenset({"created_at"}),
        booleans=frozenset({"helpful"}),
    ),
    _Table(
        "learned",
        ("guild_id", "phrasing", "normalised", "entry_id", "added_by", "created_at"),
        ("guild_id", "normalised"),
        nullable_key=frozenset({"guild_id"}),
        timestamps=frozenset({"created_at"}),
    ),
)


@dataclass(frozen=True, slots=True)
class TableReport:
    """What happened to one table."""

    table: str
    source: int  # rows in the SQLite file
    copied: int  # inserted by this run
    already: int  # present before this run (an earlier run, or the bot wrote them)
    new_ids: int  # copied with a new id because the SQLite id was taken
    target: int  # rows in PostgreSQL afterwards (may include rows logged there directly)


@dataclass(frozen=True, slots=True)
class MigrationReport:
    """Result of ``migrate_sqlite``; ``lines()`` is what the CLI prints."""

    source: Path
    target: str
    tables: tuple[TableReport, ...]
    salt: str
    seconds: float

    @property
    def copied(self) -> int:
        return sum(t.copied for t in self.tables)

    def lines(self) -> list[str]:
        out = [f"Copied {self.source} -> {self.target} in {self.seconds:.1f} s"]
        for t in self.tables:
            extra = f", {t.new_ids} with new ids" if t.new_ids else ""
            out.append(
                f"  {t.table + ':':<9} {t.source} in SQLite, {t.copied} copied{extra}, "
                f"{t.already} already there; {t.target} in PostgreSQL"
            )
        out.append(f"  salt: {self.salt}")
        out.append("  verified: every SQLite row is in PostgreSQL; the SQLite file was not changed")
        return out


# -- the SQLite side (blocking; run through asyncio.to_thread) ----------------------------------


def _open_source(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 5000")
    conn.execute("BEGIN")  # one read transaction: a consistent snapshot
    return conn


def _read_chunk(conn: sqlite3.Connection, table: _Table, after: Any) -> list[tuple[Any, ...]]:
    order = "id" if table.has_id else "key"
    columns = ", ".join(("id", *table.columns) if table.has_id else table.columns)
    if after is None:
        sql = f"SELECT {columns} FROM {table.name} ORDER BY {order} LIMIT ?"
        return [tuple(r) for r in conn.execute(sql, (_CHUNK,))]
    sql = f"SELECT {columns} FROM {table.name} WHERE {order} > ? ORDER BY {order} LIMIT ?"
    return [tuple(r) for r in conn.execute(sql, (after, _CHUNK))]


# -- conversion and the PostgreSQL side ---------------------------------------------------------


def _convert(table: _Table, row: tuple[Any, ...]) -> tuple[Any, ...]:
    """SQLite values -> PostgreSQL values (timestamps, booleans, NUL-free text)."""
    offset = 1 if table.has_id else 0
    out: list[Any] = [int(row[0])] if table.has_id else []
    for name, value in zip(table.columns, row[offset:], strict=True):
        if value is None:
            out.append(None)
        elif name in table.timestamps:
            try:
                out.append(parse_ts(str(value)))
            except ValueError as exc:
                ident = row[0] if table.has_id else row
                raise StorageError(
                    f"{table.name} row {ident}: {name} {value!r} is not a timestamp; "
                    "nothing was copied"
                ) from exc
        elif name in table.booleans:
            out.append(bool(value))
        else:
            out.append(pg_text(value))
    return tuple(out)


def _key_of(table: _Table, row: tuple[Any, ...]) -> tuple[Any, ...]:
    offset = 1 if table.has_id else 0
    return tuple(row[offset + table.columns.index(k)] for k in table.key)


def _match(table: _Table, alias: str = "t") -> str:
    parts = []
    for k in table.key:
        if k in table.nullable_key:
            parts.append(f"{alias}.{k} IS NOT DISTINCT FROM s.{k}")
        else:
            parts.append(f"{alias}.{k} = s.{k}")
    return " AND ".join(parts)


async def _present(
    conn: Any, table: _Table, keys: Sequence[tuple[Any, ...]]
) -> set[tuple[Any, ...]]:
    """Which of ``keys`` already exist in the PostgreSQL table."""
    if not keys:
        return set()
    arrays = [[key[i] for key in keys] for i in range(len(table.key))]
    unnest = ", ".join(f"${i + 1}::text[]" for i in range(len(table.key)))
    names = ", ".join(table.key)
    rows = await conn.fetch(
        f"SELECT {names} FROM unnest({unnest}) AS s({names}) "
        f"WHERE EXISTS (SELECT 1 FROM {table.name} t WHERE {_match(table)})",
        *arrays,
    )
    return {tuple(r) for r in rows}


async def _copy_chunk(
    conn: Any, table: _Table, rows: list[tuple[Any, ...]]
) -> tuple[int, int, int]:
    """Insert the rows not yet present; (copied, already, new_ids)."""
    present = await _present(conn, table, [_key_of(table, r) for r in rows])
    new = [r for r in rows if _key_of(table, r) not in present]
    already = len(rows) - len(new)
    if not new:
        return 0, already, 0
    columns = ", ".join(table.columns)
    marks = ", ".join(f"${i + 1}" for i in range(len(table.columns)))
    if not table.has_id:
        await conn.executemany(
            f"INSERT INTO {table.name} ({columns}) VALUES ({marks}) ON CONFLICT DO NOTHING", new
        )
        return len(new), already, 0
    taken = {
        int(r[0])
        for r in await conn.fetch(
            f"SELECT id FROM {table.name} WHERE id = ANY($1::bigint[])", [r[0] for r in new]
        )
    }
    keep = [r for r in new if r[0] not in taken]
    remap = [r[1:] for r in new if r[0] in taken]
    id_marks = ", ".join(f"${i + 1}" for i in range(len(table.columns) + 1))
    if keep:
        await conn.executemany(
            f"INSERT INTO {table.name} (id, {columns}) VALUES ({id_marks}) ON CONFLICT DO NOTHING",
            keep,
        )
    if remap:
        # New ids come from the sequence: move it past every id taken so far
        # (including the ones just inserted explicitly) first.
        await _bump_sequence(conn, table.name)
        await conn.executemany(
            f"INSERT INTO {table.name} ({columns}) VALUES ({marks}) ON CONFLICT DO NOTHING", remap
        )
    return len(new), already, len(remap)


async def _bump_sequence(conn: Any, table: str) -> None:
    """Let the identity continue after the largest id (never move it backwards)."""
    sequence = await conn.fetchval("SELECT pg_get_serial_sequence($1, 'id')", table)
    if sequence is None:
        return
    state = await conn.fetchrow(f"SELECT last_value, is_called FROM {sequence}")
    next_free = int(state[0]) + 1 if state[1] else int(state[0])
    biggest = await conn.fetchval(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
    await conn.execute("SELECT setval($1, $2, false)", sequence, max(next_free, int(biggest) + 1))


async def _salt(conn: Any, source_salt: str | None, where: str) -> str:
    if source_salt is None:
        return "none in the SQLite file (it never logged a row); PostgreSQL's is kept"
    target_salt = await conn.fetchval("SELECT value FROM meta WHERE key = 'salt'")
    if target_salt == source_salt:
        return "already the same (author hashes match)"
    if target_salt is None:
        await conn.execute("INSERT INTO meta (key, value) VALUES ('salt', $1)", source_salt)
        return "copied (author hashes keep matching)"
    used = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM missed) OR EXISTS (SELECT 1 FROM feedback) "
        "OR EXISTS (SELECT 1 FROM learned)"
    )
    if used:
        raise StorageError(
            f"{where}: this PostgreSQL database already holds rows whose authors are hashed "
            "with a different salt (the bot ran on it before this migration), so /forget-me "
            "could no longer find every row. Migrate into a new, empty database instead. "
            "Nothing was changed."
        )
    await conn.execute("UPDATE meta SET value = $1 WHERE key = 'salt'", source_salt)
    return "copied, replacing the unused salt of the empty database (author hashes keep matching)"


async def _verify(conn: Any, table: _Table, keys: list[tuple[Any, ...]], where: str) -> None:
    found = 0
    for start in range(0, len(keys), _CHUNK):
        found += len(await _present(conn, table, keys[start : start + _CHUNK]))
    if found != len(keys):
        raise StorageError(
            f"{where}: verification failed for {table.name}: {len(keys)} rows in SQLite but "
            f"only {found} found in PostgreSQL. Nothing was changed."
        )


async def migrate_sqlite(sqlite_path: Path | str, url: str) -> MigrationReport:
    """Copy every row of the SQLite log at ``sqlite_path`` into the PostgreSQL at ``url``.

    Creates or upgrades the PostgreSQL schema if needed, never writes to the
    SQLite file, verifies every table, and is idempotent (a second run copies
    nothing). Raises ``StorageError`` (with nothing changed) on any problem.
    """
    started = time.monotonic()
    path = await asyncio.to_thread(lambda: Path(sqlite_path).expanduser())
    where = safe_url(url)
    version = await asyncio.to_thread(schema_upgrade.precheck, path)
    if version is None or version == 0:
        raise StorageError(
            f"{path}: no bot database here (missing or empty file). Check the path "
            "(the [storage] database_path the bot used)."
        )
    if version < schema_upgrade.LATEST_VERSION:
        raise StorageError(
            f"{path}: schema version {version} is older than this code "
            f"({schema_upgrade.LATEST_VERSION}). Start this version of the bot once on the SQLite "
            "file (it upgrades it), stop it, then migrate."
        )
    try:
        source = await asyncio.to_thread(_open_source, path)
    except sqlite3.Error as exc:
        raise StorageError(f"{path}: cannot open it read-only ({exc})") from exc
    try:
        try:
            conn = await asyncpg.connect(url, timeout=10)
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, ValueError) as exc:
            raise StorageError(
                f"{where}: cannot connect to PostgreSQL ({exc}). Check the URL, that the "
                "server runs, and the credentials."
            ) from exc
        try:
            tables, salt = await _copy_all(conn, source, path, where)
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as exc:
            raise StorageError(
                f"{where}: migration failed ({exc}); nothing was changed, try again"
            ) from exc
        except sqlite3.Error as exc:
            raise StorageError(
                f"{path}: reading failed ({exc}); nothing was changed in PostgreSQL"
            ) from exc
        finally:
            await conn.close()
    finally:
        await asyncio.to_thread(source.close)
    return MigrationReport(
        source=path,
        target=where,
        tables=tuple(tables),
        salt=salt,
        seconds=time.monotonic() - started,
    )


async def _copy_all(
    conn: Any, source: sqlite3.Connection, path: Path, where: str
) -> tuple[list[TableReport], str]:
    reports: list[TableReport] = []
    async with conn.transaction():
        await ensure_schema(conn, where, create_salt=False)  # holds the schema lock until commit
        await conn.execute("LOCK TABLE meta, missed, feedback, learned IN SHARE ROW EXCLUSIVE MODE")
        salt_rows = await asyncio.to_thread(
            lambda: source.execute("SELECT value FROM meta WHERE key = 'salt'").fetchall()
        )
        salt = await _salt(conn, str(salt_rows[0][0]) if salt_rows else None, where)
        for table in _TABLES:
            copied = already = new_ids = 0
            keys: list[tuple[Any, ...]] = []
            after: Any = None
            while True:
                raw = await asyncio.to_thread(_read_chunk, source, table, after)
                if not raw:
                    break
                after = raw[-1][0]
                rows = [_convert(table, r) for r in raw]
                keys.extend(_key_of(table, r) for r in rows)
                c, a, n = await _copy_chunk(conn, table, rows)
                copied, already, new_ids = copied + c, already + a, new_ids + n
            if table.has_id:
                await _bump_sequence(conn, table.name)
            await _verify(conn, table, keys, where)
            target = int(await conn.fetchval(f"SELECT COUNT(*) FROM {table.name}"))
            reports.append(TableReport(table.name, len(keys), copied, already, new_ids, target))
    return reports, salt
