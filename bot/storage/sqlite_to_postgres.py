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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg

from . import schema_upgrade
from .errors import StorageError
from .postgres import ensure_schema, pg_text, safe_url
from .schema import TABLES, Table, column_problems
from .sql import numbered
from .timeutil import parse_ts

__all__ = ["MigrationReport", "TableReport", "migrate_sqlite"]

_CHUNK = 2000


#: A copied row: column name -> value.
_Row = dict[str, Any]


def _order(table: Table) -> str:
    """The column rows are read in order of (and resumed after), chunk by chunk."""
    return "id" if table.has_id else next(iter(table.key))


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
    try:
        conn.execute("PRAGMA busy_timeout = 5000")
        problems = column_problems(schema_upgrade.sqlite_layout(conn), "sqlite")
        if problems:
            raise schema_upgrade.layout_error(path, problems)
        conn.row_factory = sqlite3.Row  # rows are read by column name
        conn.execute("BEGIN")  # one read transaction: a consistent snapshot
    except BaseException:
        conn.close()
        raise
    return conn


def _read_chunk(conn: sqlite3.Connection, table: Table, after: Any) -> list[_Row]:
    order = _order(table)
    columns = table.select_list(table.names)
    if after is None:
        sql = f"SELECT {columns} FROM {table.name} ORDER BY {order} LIMIT ?"
        return [dict(r) for r in conn.execute(sql, (_CHUNK,))]
    sql = f"SELECT {columns} FROM {table.name} WHERE {order} > ? ORDER BY {order} LIMIT ?"
    return [dict(r) for r in conn.execute(sql, (after, _CHUNK))]


# -- conversion and the PostgreSQL side ---------------------------------------------------------


def _convert(table: Table, row: _Row) -> _Row:
    """SQLite values -> PostgreSQL values (timestamps, booleans, NUL-free text)."""
    out: _Row = {}
    for column in table.columns:
        value = row[column.name]
        if value is None:
            out[column.name] = None
        elif column.codec == "id":
            out[column.name] = int(value)
        elif column.codec == "timestamp":
            try:
                out[column.name] = parse_ts(str(value))
            except ValueError as exc:
                ident = row["id"] if table.has_id else row
                raise StorageError(
                    f"{table.name} row {ident}: {column.name} {value!r} is not a timestamp; "
                    "nothing was copied"
                ) from exc
        elif column.codec == "bool":
            out[column.name] = bool(value)
        else:
            out[column.name] = pg_text(value)
    return out


def _key_of(table: Table, row: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(row[k] for k in table.key)


def _values(row: _Row, names: Sequence[str]) -> tuple[Any, ...]:
    return tuple(row[n] for n in names)


def _match(table: Table, alias: str = "t") -> str:
    parts = []
    for k in table.key:
        if table.column(k).not_null:
            parts.append(f"{alias}.{k} = s.{k}")
        else:
            parts.append(f"{alias}.{k} IS NOT DISTINCT FROM s.{k}")
    return " AND ".join(parts)


async def _present(
    conn: Any, table: Table, keys: Sequence[tuple[Any, ...]]
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
    return {_key_of(table, r) for r in rows}


async def _copy_chunk(conn: Any, table: Table, rows: list[_Row]) -> tuple[int, int, int]:
    """Insert the rows not yet present; (copied, already, new_ids)."""
    present = await _present(conn, table, [_key_of(table, r) for r in rows])
    new = [r for r in rows if _key_of(table, r) not in present]
    already = len(rows) - len(new)
    if not new:
        return 0, already, 0
    data = table.data_names
    insert = numbered(f"{table.insert_sql(data)} ON CONFLICT DO NOTHING")
    if not table.has_id:
        await conn.executemany(insert, [_values(r, data) for r in new])
        return len(new), already, 0
    taken = {
        int(r["id"])
        for r in await conn.fetch(
            f"SELECT id FROM {table.name} WHERE id = ANY($1::bigint[])", [r["id"] for r in new]
        )
    }
    keep = [_values(r, table.names) for r in new if r["id"] not in taken]
    remap = [_values(r, data) for r in new if r["id"] in taken]
    if keep:
        await conn.executemany(
            numbered(f"{table.insert_sql(table.names)} ON CONFLICT DO NOTHING"), keep
        )
    if remap:
        # New ids come from the sequence: move it past every id taken so far
        # (including the ones just inserted explicitly) first.
        await _bump_sequence(conn, table.name)
        await conn.executemany(insert, remap)
    return len(new), already, len(remap)


async def _bump_sequence(conn: Any, table: str) -> None:
    """Let the identity continue after the largest id (never move it backwards)."""
    sequence = await conn.fetchval("SELECT pg_get_serial_sequence($1, 'id')", table)
    if sequence is None:
        return
    state = await conn.fetchrow(f"SELECT last_value, is_called FROM {sequence}")
    last = int(state["last_value"])
    next_free = last + 1 if state["is_called"] else last
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


async def _verify(conn: Any, table: Table, keys: list[tuple[Any, ...]], where: str) -> None:
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
        names = ", ".join(t.name for t in TABLES)
        await conn.execute(f"LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE")
        salt_row = await asyncio.to_thread(
            lambda: source.execute("SELECT value FROM meta WHERE key = 'salt'").fetchone()
        )
        salt = await _salt(conn, None if salt_row is None else str(salt_row["value"]), where)
        for table in TABLES:
            copied = already = new_ids = 0
            keys: list[tuple[Any, ...]] = []
            after: Any = None
            while True:
                raw = await asyncio.to_thread(_read_chunk, source, table, after)
                if not raw:
                    break
                after = raw[-1][_order(table)]
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
