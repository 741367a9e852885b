"""Every stored table's columns, described once.

Why: the column lists of the stores' SELECTs and INSERTs, the row-to-model
mapping, the check that a database has the columns this code expects and the
copy lists of ``migrate-sqlite`` are all derived from ``TABLES``. Adding a
column means a migration per backend (the history, ``migrations/``) and one
``Column`` here; ``tests/storage/test_schema.py`` proves that the migrations
produce exactly this description, for SQLite and for PostgreSQL.

Only columns are described (name, type per backend, NULL-ability, default,
primary key); indexes and CHECK constraints live in the migrations alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "FEEDBACK",
    "LEARNED",
    "META",
    "MISSED",
    "PG_COLUMNS_SQL",
    "TABLES",
    "Column",
    "DbColumn",
    "Table",
    "column_problems",
    "from_pg",
    "from_table_info",
]

#: How a value is carried between Python and the database: as it is, a timestamp
#: (SQLite: ISO text, PostgreSQL: TIMESTAMPTZ), a flag (0/1 or BOOLEAN), a
#: JSON-encoded candidate list, or an integer id.
Codec = Literal["text", "timestamp", "bool", "candidates", "id"]


@dataclass(frozen=True, slots=True)
class Column:
    """One column as both backends store it.

    ``default`` is the SQL literal of the DEFAULT clause (``"'open'"``), or None.
    """

    name: str
    sqlite_type: str
    pg_type: str
    not_null: bool = True
    default: str | None = None
    codec: Codec = "text"
    primary_key: bool = False


def _text(name: str, *, not_null: bool = True, default: str | None = None) -> Column:
    return Column(name, "TEXT", "TEXT", not_null=not_null, default=default)


def _timestamp(name: str, *, not_null: bool = True) -> Column:
    return Column(name, "TEXT", "TIMESTAMPTZ", not_null=not_null, codec="timestamp")


_ID = Column("id", "INTEGER", "BIGINT", codec="id", primary_key=True)


@dataclass(frozen=True, slots=True)
class Table:
    """A table: its columns in migration order and its natural key.

    ``key`` is unique in both databases; ``migrate-sqlite`` matches rows by it.
    """

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    _by_name: dict[str, Column] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        by_name = {c.name: c for c in self.columns}
        if len(by_name) != len(self.columns):
            raise ValueError(f"{self.name}: duplicate column names")
        if not set(self.key) <= set(by_name):
            raise ValueError(f"{self.name}: key {self.key} is not a list of its columns")
        object.__setattr__(self, "_by_name", by_name)  # frozen: set once, here

    @property
    def names(self) -> tuple[str, ...]:
        """Every column name, in order."""
        return tuple(c.name for c in self.columns)

    @property
    def has_id(self) -> bool:
        """True if the table has a generated integer ``id``."""
        return "id" in self.names

    @property
    def data_names(self) -> tuple[str, ...]:
        """Every column but the generated ``id``."""
        return tuple(n for n in self.names if n != "id")

    def column(self, name: str) -> Column:
        """The column called ``name`` (``KeyError`` if there is none)."""
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"{self.name} has no column {name!r}") from None

    def names_of(self, wanted: Iterable[str]) -> tuple[str, ...]:
        """The table's columns that are in ``wanted`` (e.g. a model's fields), in table order."""
        keep = set(wanted)
        return tuple(n for n in self.names if n in keep)

    def codecs(self, names: Sequence[str]) -> list[tuple[str, Codec]]:
        """``(name, codec)`` of each of ``names``."""
        return [(name, self.column(name).codec) for name in names]

    def select_list(self, names: Sequence[str]) -> str:
        """``a, b, c`` for a SELECT (every name checked against the table)."""
        return ", ".join(self.column(n).name for n in names)

    def insert_sql(self, names: Sequence[str], conflict: Sequence[str] = ()) -> str:
        """``INSERT`` of ``names`` with ``?`` placeholders (``ON CONFLICT (...) DO NOTHING``)."""
        marks = ", ".join("?" for _ in names)
        sql = f"INSERT INTO {self.name} ({self.select_list(names)}) VALUES ({marks})"
        if conflict:
            sql += f" ON CONFLICT ({self.select_list(conflict)}) DO NOTHING"
        return sql


META = Table("meta", (Column("key", "TEXT", "TEXT", primary_key=True), _text("value")), ("key",))

MISSED = Table(
    "missed",
    (
        _ID,
        _text("guild_id"),
        _text("channel_id"),
        _text("source_id"),
        _text("author"),
        _text("question"),
        _text("normalised"),
        Column("candidates", "TEXT", "TEXT", default="'[]'", codec="candidates"),
        _text("reason", default="'no_answer'"),
        _text("shown_entry_id", not_null=False),
        _timestamp("created_at"),
        _text("status", default="'open'"),
        _text("changed_by", not_null=False),
        _timestamp("changed_at", not_null=False),
        _text("action", not_null=False),
        _text("note", not_null=False),
        _text("entry_id", not_null=False),
        # 0002
        _text("kind", default="'missed'"),
        _text("language", not_null=False),
    ),
    ("source_id",),
)

FEEDBACK = Table(
    "feedback",
    (
        _ID,
        _text("guild_id"),
        _text("channel_id"),
        _text("source_id"),
        _text("message_id"),
        _text("author"),
        _text("entry_id"),
        Column("helpful", "INTEGER", "BOOLEAN", codec="bool"),
        _text("question", not_null=False),
        _timestamp("created_at"),
    ),
    ("source_id",),
)

LEARNED = Table(
    "learned",
    (
        _ID,
        _text("guild_id", not_null=False),  # NULL: a global phrasing
        _text("phrasing"),
        _text("normalised"),
        _text("entry_id"),
        _text("added_by", not_null=False),
        _timestamp("created_at"),
    ),
    ("guild_id", "normalised"),
)

#: Every table of the bot's schema, in the order they are created and copied.
TABLES: tuple[Table, ...] = (META, MISSED, FEEDBACK, LEARNED)


# -- checking a database against the description --------------------------------------------


@dataclass(frozen=True, slots=True)
class DbColumn:
    """A column as a database reports it (``PRAGMA table_info`` / information_schema)."""

    name: str
    type: str
    not_null: bool
    default: str | None
    primary_key: bool


_PG_TYPE_NAMES = {"TIMESTAMPTZ": "timestamp with time zone"}

#: The columns of our tables as PostgreSQL reports them, one row per column in order.
PG_COLUMNS_SQL = """
SELECT c.table_name, c.column_name, c.data_type, c.is_nullable, c.column_default,
       EXISTS (
           SELECT 1 FROM information_schema.table_constraints t
           JOIN information_schema.key_column_usage k
             ON k.constraint_schema = t.constraint_schema
            AND k.constraint_name = t.constraint_name
           WHERE t.constraint_type = 'PRIMARY KEY' AND t.table_schema = c.table_schema
             AND t.table_name = c.table_name AND k.column_name = c.column_name
       ) AS primary_key
FROM information_schema.columns c
WHERE c.table_schema = current_schema() AND c.table_name = ANY($1::text[])
ORDER BY c.table_name, c.ordinal_position
"""


def from_table_info(row: Mapping[str, Any]) -> DbColumn:
    """A ``PRAGMA table_info`` row (by name). SQLite reports primary keys as NULL-able
    (``INTEGER PRIMARY KEY`` is the rowid); they count as NOT NULL here, as in PostgreSQL."""
    return DbColumn(
        name=str(row["name"]),
        type=str(row["type"]),
        not_null=bool(row["notnull"]) or bool(row["pk"]),
        default=None if row["dflt_value"] is None else str(row["dflt_value"]),
        primary_key=bool(row["pk"]),
    )


def from_pg(row: Mapping[str, Any]) -> DbColumn:
    """A row of ``PG_COLUMNS_SQL``; ``'open'::text`` defaults read as ``'open'``."""
    default = row["column_default"]
    if isinstance(default, str) and default.endswith("::text"):
        default = default.removesuffix("::text")
    return DbColumn(
        name=str(row["column_name"]),
        type=str(row["data_type"]),
        not_null=row["is_nullable"] == "NO",
        default=default,
        primary_key=bool(row["primary_key"]),
    )


def expected_type(column: Column, backend: Literal["sqlite", "postgres"]) -> str:
    """The type name the backend reports for ``column``."""
    if backend == "sqlite":
        return column.sqlite_type
    return _PG_TYPE_NAMES.get(column.pg_type, column.pg_type.lower())


def column_problems(
    actual: Mapping[str, Sequence[DbColumn]],
    backend: Literal["sqlite", "postgres"],
    *,
    strict: bool = False,
) -> list[str]:
    """How the database's columns differ from ``TABLES`` (empty: they match).

    Always checked: every described column exists with its type. ``strict``
    (the tests) also demands the same order, NULL-ability, defaults, primary
    keys and no extra columns.
    """
    problems: list[str] = []
    for table in TABLES:
        found = {c.name: c for c in actual.get(table.name, ())}
        if not found:
            problems.append(f"table {table.name} is missing")
            continue
        for column in table.columns:
            have = found.get(column.name)
            want_type = expected_type(column, backend)
            if have is None:
                problems.append(f"{table.name}.{column.name} is missing")
            elif have.type.lower() != want_type.lower():
                problems.append(f"{table.name}.{column.name} is {have.type}, not {want_type}")
            elif strict:
                want = DbColumn(
                    column.name, have.type, column.not_null, column.default, column.primary_key
                )
                if have != want:
                    problems.append(f"{table.name}.{column.name} is {have}, described as {want}")
        if strict:
            order = [c.name for c in actual[table.name]]
            if order != list(table.names):
                problems.append(
                    f"{table.name} columns are {order}, described as {list(table.names)}"
                )
    return problems
