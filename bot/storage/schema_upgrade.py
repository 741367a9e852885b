"""Check a database file safely, then bring its schema up to date.

Why two steps: a file that is corrupt, not SQLite at all, or written by a newer
version of the bot must never be "repaired" or written to. So ``precheck``
opens it read-only first and only then does the caller open it for writing and
``apply`` the numbered SQL files, each in its own transaction together with the
``PRAGMA user_version`` bump that records it.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

from .errors import StorageError
from .schema import TABLES, DbColumn, column_problems, from_table_info

__all__ = [
    "LATEST_VERSION",
    "MIGRATIONS_DIR",
    "Migration",
    "apply",
    "check_columns",
    "layout_error",
    "load_migrations",
    "precheck",
    "split_statements",
    "sqlite_layout",
]

MIGRATIONS_DIR = Path(__file__).with_name("migrations") / "sqlite"
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


@dataclass(frozen=True, slots=True)
class Migration:
    """One numbered SQL file; ``version`` is the user_version it leads to."""

    version: int
    name: str
    sql: str


def load_migrations(folder: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Read ``NNNN_name.sql`` files in order; numbers must be 1, 2, 3, ..."""
    found: list[Migration] = []
    for path in sorted(folder.glob("*.sql")):
        match = _NAME.match(path.name)
        if match is None:
            raise StorageError(f"{path}: migration file names must look like 0001_name.sql")
        found.append(Migration(int(match.group(1)), path.name, path.read_text("utf-8")))
    for expected, migration in enumerate(found, start=1):
        if migration.version != expected:
            raise StorageError(
                f"{folder}: migrations must be numbered 1, 2, 3, ... without gaps; "
                f"expected {expected:04d}, found {migration.name}"
            )
    return found


LATEST_VERSION = len(load_migrations())


def split_statements(sql: str) -> list[str]:
    """Split a script into statements (``executescript`` would COMMIT first).

    ``sqlite3.complete_statement`` understands string literals and
    ``CREATE TRIGGER ... END;`` bodies, so semicolons inside them are safe.
    """
    statements: list[str] = []
    buffer = ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statement = buffer.strip()
            if _has_code(statement):
                statements.append(statement)
            buffer = ""
    if _has_code(buffer):
        raise StorageError(f"incomplete SQL statement at end of migration: {buffer.strip()[:80]!r}")
    return statements


def _has_code(text: str) -> bool:
    lines = (line.split("--", 1)[0].strip() for line in text.splitlines())
    return any(line and line != ";" for line in lines)


def _too_new(path: Path, version: int) -> StorageError:
    return StorageError(
        f"{path}: database schema version {version} is newer than this version of the "
        f"bot understands (up to {LATEST_VERSION}). Upgrade the bot, or point it at "
        "another database file. The file was not changed."
    )


def _unusable(path: Path, detail: str) -> StorageError:
    return StorageError(
        f"{path}: not a usable SQLite database ({detail}). Restore it from a backup, "
        "or move it aside so that a new, empty database is created. The file was not changed."
    )


def _check_failed(path: Path, exc: sqlite3.Error) -> StorageError:
    """Tell "cannot read it now" apart from "the file is broken"."""
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    if primary in (3, 14):  # PERM, CANTOPEN
        return StorageError(
            f"{path}: cannot open the database to check it ({exc}). Check that the file "
            "and its folder are readable (a WAL database also needs its folder writable)."
        )
    if primary in (5, 6):  # BUSY, LOCKED
        return StorageError(
            f"{path}: the database is locked by another program ({exc}). "
            "Close that program or try again in a moment."
        )
    return _unusable(path, str(exc))


def precheck(path: Path) -> int | None:
    """Return the file's schema version, or None if there is no database yet.

    Opens the file read-only (``mode=ro``), runs ``PRAGMA quick_check`` and
    reads ``PRAGMA user_version``; raises ``StorageError`` if the file must
    not be touched. Blocking: call it through ``asyncio.to_thread``.
    """
    if path.is_dir():
        raise StorageError(f"{path}: is a folder, not a database file. Choose a file path.")
    if not path.exists() or path.stat().st_size == 0:
        return None
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise _check_failed(path, exc) from exc
    try:
        conn.execute("PRAGMA busy_timeout = 5000")
        problems = [str(problem) for (problem,) in conn.execute("PRAGMA quick_check")]
        if problems != ["ok"]:
            raise _unusable(path, "quick_check: " + "; ".join(problems[:3]))
        (version,) = conn.execute("PRAGMA user_version").fetchone()
        version = int(version)
        foreign = [
            str(name)
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' LIMIT 5"
            )
        ]
    except sqlite3.Error as exc:
        raise _check_failed(path, exc) from exc
    finally:
        conn.close()
    if version > LATEST_VERSION:
        raise _too_new(path, version)
    if version == 0 and foreign:
        raise StorageError(
            f"{path}: is a SQLite database of another program (no schema version; contains "
            f"{', '.join(foreign)}). Point the bot at a new file path. The file was not changed."
        )
    return version


async def apply(db: aiosqlite.Connection, path: Path) -> int:
    """Apply every migration newer than the file's user_version; return the version.

    Each migration runs under ``BEGIN IMMEDIATE`` and re-reads the version
    inside the transaction, so two processes starting at once cannot apply the
    same file twice. ``db`` must be in autocommit mode (``isolation_level=None``).
    """
    version = 0
    for migration in load_migrations():
        await db.execute("BEGIN IMMEDIATE")
        try:
            version = await _user_version(db)
            if version > LATEST_VERSION:
                raise _too_new(path, version)
            if version >= migration.version:
                await db.execute("ROLLBACK")
                continue
            for statement in split_statements(migration.sql):
                await db.execute(statement)
            await db.execute(f"PRAGMA user_version = {migration.version:d}")
            await db.execute("COMMIT")
            version = migration.version
        except BaseException as exc:
            if db.in_transaction:
                await db.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise StorageError(
                    f"{path}: could not apply migration {migration.name} ({exc}). "
                    "Is this file the bot's database? Nothing was changed by this migration."
                ) from exc
            raise
    await check_columns(db, path)
    return max(version, await _user_version(db))


async def _user_version(db: aiosqlite.Connection) -> int:
    async with db.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    if row is None:
        return 0
    (version,) = row
    return int(version)


# -- the columns a migrated database must have (``schema.TABLES``) -----------------------------

_TABLE_INFO = 'SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?)'
_TABLE_INFO_NAMES = ("name", "type", "notnull", "dflt_value", "pk")


def _db_column(values: tuple[object, ...]) -> DbColumn:
    return from_table_info(dict(zip(_TABLE_INFO_NAMES, values, strict=True)))


def sqlite_layout(conn: sqlite3.Connection) -> dict[str, list[DbColumn]]:
    """The columns of every table of ``schema.TABLES`` as the file has them."""
    return {
        table.name: [_db_column(tuple(v)) for v in conn.execute(_TABLE_INFO, (table.name,))]
        for table in TABLES
    }


async def _layout(db: aiosqlite.Connection) -> dict[str, list[DbColumn]]:
    layout: dict[str, list[DbColumn]] = {}
    for table in TABLES:
        async with db.execute(_TABLE_INFO, (table.name,)) as cursor:
            layout[table.name] = [_db_column(tuple(v)) for v in await cursor.fetchall()]
    return layout


def layout_error(where: object, problems: list[str]) -> StorageError:
    """The database is at the latest version but lacks columns the code reads or writes."""
    return StorageError(
        f"{where}: the database does not have the columns this version of the bot expects "
        f"({'; '.join(problems[:5])}). Was it changed by hand? Restore it from a backup, "
        "or point the bot at a new database. Nothing was changed."
    )


async def check_columns(db: aiosqlite.Connection, path: Path) -> None:
    """Raise ``StorageError`` unless every column of ``schema.TABLES`` is there, typed as
    described (a file at the latest version whose tables were altered by hand)."""
    problems = column_problems(await _layout(db), "sqlite")
    if problems:
        raise layout_error(path, problems)
