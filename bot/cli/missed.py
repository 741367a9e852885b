"""``python -m bot missed list|export``: the moderators' queue from a shell.

Why a separate module: ``bot.cli`` stays a thin argument parser, and the
Discord ``/missed export`` command reuses ``open_groups`` and ``build_export``
so both paths produce byte-identical files.

The store is always opened read-only (``open_store(config, readonly=True)``,
SQLite or PostgreSQL as configured): the CLI must work while bots run and must
never create, migrate or lock the database. Every
operator mistake (no database yet, corrupt file, unreadable content) is one
``error: ...`` line on stderr and exit status 1, never a traceback.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from bot.config import Config
from bot.storage import MissedGroup, MissedRow, StorageError, Store, open_store
from bot.storage.export import CSV_NAME, SNIPPET_NAME, build_export, open_groups
from bot.storage.timeutil import format_ts

__all__ = [
    "CSV_NAME",
    "SNIPPET_NAME",
    "build_export",
    "missed_export",
    "missed_list",
    "open_groups",
    "row_json",
]

EXIT_OK, EXIT_ERROR = 0, 1
_QUESTION_WIDTH = 60


class _Failure(Exception):
    """One line for the operator; exit status 1."""


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_ERROR


def row_json(row: MissedRow) -> dict[str, Any]:
    """One logged question as a JSON-ready dict (the ``--json`` line format)."""
    return {
        "id": row.id,
        "guild_id": row.guild_id,
        "channel_id": row.channel_id,
        "question": row.question,
        "normalised": row.normalised,
        "status": row.status,
        "reason": row.reason,
        "kind": row.kind,
        "language": row.language,
        "created_at": format_ts(row.created_at),
        "entry_id": row.entry_id,
        "shown_entry_id": row.shown_entry_id,
        "candidates": [[entry, round(score, 4)] for entry, score in row.candidates],
        "changed_at": format_ts(row.changed_at) if row.changed_at else None,
        "action": row.action,
        "note": row.note,
    }


# -- plumbing ------------------------------------------------------------------------------------


def _check_database(config: Config) -> None:
    """A SQLite file must already exist; a PostgreSQL store says itself what is wrong."""
    if config.storage.url:
        return
    path = config.storage.database_path
    if not path.is_file():
        # Checked here (not only by the store) so a typo in the path can never
        # create an empty database or its folder.
        raise _Failure(
            f"{path}: no database here yet. Start the bot once to create it, "
            "or check [storage] database_path in the configuration."
        )


async def _with_store(config: Config, work: Any) -> Any:
    _check_database(config)
    store: Store = await open_store(config, readonly=True)
    try:
        return await work(store)
    finally:
        await store.close()


def _run(config: Config, work: Any) -> Any:
    try:
        return asyncio.run(_with_store(config, work))
    except StorageError as exc:
        raise _Failure(str(exc)) from None


def _one_line(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _table(rows: list[MissedRow], out: TextIO) -> None:
    header = (
        f"{'id':>6}  {'status':<9}  {'kind':<8}  {'created (UTC)':<16}  {'entry':<24}  question"
    )
    out.write(header + "\n")
    for row in rows:
        created = row.created_at.strftime("%Y-%m-%d %H:%M")
        entry = _one_line(row.entry_id or "-", 24)
        question = _one_line(row.question, _QUESTION_WIDTH)
        out.write(
            f"{row.id:>6}  {row.status:<9}  {row.kind:<8}  {created:<16}  {entry:<24}  {question}\n"
        )


def _entry_titles(config: Config) -> tuple[dict[str, str], str | None]:
    """Entry titles for the snippet, or ({} and a warning) if the content is broken."""
    from bot.content import ContentError, load_content

    try:
        knowledge = load_content(config.content.path)
    except ContentError as exc:
        first = str(exc).splitlines()[0] if str(exc) else "content has errors"
        return {}, (
            f"warning: content at {config.content.path} did not load ({first}); "
            "every question is exported as a new-entry template"
        )
    return {e.id: e.title for e in knowledge.entries.values()}, None


# -- entry points (called by bot.cli) ------------------------------------------------------------


def missed_list(
    config: Config,
    *,
    guild: str,
    status: str = "open",
    as_json: bool = False,
    kind: str | None = None,
) -> int:
    """Print the guild's logged questions (rows, newest first) as a table or JSON lines."""
    try:
        rows: list[MissedRow] = _run(config, lambda store: store.list_rows(guild, status, kind))
    except _Failure as exc:
        return _fail(str(exc))
    out = sys.stdout
    if as_json:
        for row in rows:
            out.write(json.dumps(row_json(row), ensure_ascii=False) + "\n")
        return EXIT_OK
    if rows:
        _table(rows, out)
    label = "" if status == "all" else f"{status} "
    out.write(f"{len(rows)} {label}question(s) logged for guild {guild}\n")
    return EXIT_OK


def missed_export(
    config: Config, *, guild: str, output: Path | None = None, kind: str | None = None
) -> int:
    """Print, or write into ``output``, the CSV and content snippet of open questions."""
    try:
        groups: list[MissedGroup] = _run(config, lambda store: open_groups(store, guild, kind=kind))
    except _Failure as exc:
        return _fail(str(exc))
    titles, warning = _entry_titles(config)
    if warning:
        print(warning, file=sys.stderr)
    csv_text, snippet = build_export(groups, titles)
    if output is None:
        sys.stdout.write(csv_text + "\n" + snippet)
        return EXIT_OK
    try:
        output.mkdir(parents=True, exist_ok=True)
        (output / CSV_NAME).write_text(csv_text, encoding="utf-8", newline="")
        (output / SNIPPET_NAME).write_text(snippet, encoding="utf-8")
    except OSError as exc:
        return _fail(f"{output}: cannot write the export ({exc})")
    print(f"wrote {output / CSV_NAME} and {output / SNIPPET_NAME} ({len(groups)} open group(s))")
    return EXIT_OK
