"""Turn grouped missed questions into files curators can use.

Shared by the Discord command (``/missed export``) and the CLI (``missed export``);
everything but ``open_groups`` (which pages through a store) is pure:

* ``export_csv`` for spreadsheets. Member-typed text is untrusted, so cells
  starting with ``= + - @`` (or a tab / carriage return) get a leading ``'``
  to stop spreadsheet formula injection.
* ``export_snippet`` writes TOML ready to paste into a content pull request:
  phrasings for existing entries as commented blocks (to append to that
  entry's ``questions``), and a new-entry template for everything else.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from typing import Any

from .models import MissedGroup
from .timeutil import format_ts

__all__ = ["defuse_cell", "export_csv", "export_snippet", "toml_string"]

CSV_NAME = "missed.csv"
SNIPPET_NAME = "missed-snippet.toml"
_PAGE = 100  # the store's largest page
CSV_HEADER = (
    "id",
    "count",
    "first_asked",
    "last_asked",
    "question",
    "top_candidate",
    "score",
    "kind",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SLUG = re.compile(r"[^a-z0-9]+")
_TOML_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def defuse_cell(text: str) -> str:
    """Prefix ``'`` to text a spreadsheet would run as a formula."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def export_csv(groups: Sequence[MissedGroup]) -> str:
    """CSV with one line per group (``id`` is the newest row's id)."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL)
    writer.writerow(CSV_HEADER)
    for group in groups:
        top = group.top_candidates[0] if group.top_candidates else None
        writer.writerow(
            (
                group.latest_id,
                group.count,
                format_ts(group.first_at),
                format_ts(group.last_at),
                defuse_cell(group.question),
                defuse_cell(top[0]) if top else "",
                f"{top[1]:.3f}" if top else "",
                group.kind,
            )
        )
    return out.getvalue()


def toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    parts: list[str] = []
    for char in text:
        if char in _TOML_ESCAPES:
            parts.append(_TOML_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            parts.append(f"\\u{ord(char):04X}")
        else:
            parts.append(char)
    return '"' + "".join(parts) + '"'


def _questions_lines(questions: Sequence[str], prefix: str = "") -> list[str]:
    lines = [f"{prefix}questions = ["]
    lines.extend(f"{prefix}    {toml_string(q)}," for q in questions)
    lines.append(f"{prefix}]")
    return lines


def _new_id(group: MissedGroup, taken: set[str]) -> str:
    slug = _SLUG.sub("-", group.normalised.lower()).strip("-")[:40].strip("-")
    base = f"new-{slug}" if slug else f"new-{group.latest_id}"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate)
    return candidate


def export_snippet(groups: Sequence[MissedGroup], entry_titles: Mapping[str, str]) -> str:
    """TOML for curators: phrasings for known entries, templates for new ones.

    A group whose top candidate is in ``entry_titles`` is suggested as extra
    phrasing of that entry (commented out: the lines go into the existing
    entry's ``questions``). Every other group gets an ``[[entries]]`` template
    with ``answer = "TODO"``. The result always parses with ``tomllib``.
    """
    by_entry: dict[str, list[str]] = {}
    new_groups: list[MissedGroup] = []
    for group in groups:
        if group.kind == "language":
            continue  # not English: no FAQ gap to fill (the CSV still lists them)
        top = group.top_candidates[0][0] if group.top_candidates else None
        if top is not None and top in entry_titles:
            phrasings = by_entry.setdefault(top, [])
            if group.question not in phrasings:
                phrasings.append(group.question)
        else:
            new_groups.append(group)

    lines = ["# Suggested content changes from unanswered questions.", ""]
    for entry_id, phrasings in by_entry.items():
        lines.append(
            f"# Entry {toml_string(entry_id)} ({toml_string(entry_titles[entry_id])}):"
            " append these to its questions"
        )
        lines.extend(_questions_lines(phrasings, prefix="# "))
        lines.append("")
    taken: set[str] = set()
    for group in new_groups:
        lines.append(f"# Asked {group.count} time(s); last asked {format_ts(group.last_at)}")
        lines.append("[[entries]]")
        lines.append(f"id = {toml_string(_new_id(group, taken))}")
        lines.append(f"title = {toml_string(group.question)}")
        lines.extend(_questions_lines([group.question]))
        lines.append('answer = """TODO"""')
        lines.append("sources = []  # TODO: cite at least one reviewed source")
        lines.append("")
    return "\n".join(lines)


async def open_groups(
    store: Any, guild_id: str, status: str = "open", kind: str | None = None
) -> list[MissedGroup]:
    """Every group of ``guild_id`` with ``status``, newest first (all pages).

    ``store`` is any ``bot.storage.Store``; typed loosely so tests can pass fakes.
    """
    groups: list[MissedGroup] = []
    page = 1
    while True:
        chunk, total = await store.list_groups(
            guild_id, status, page=page, per_page=_PAGE, kind=kind
        )
        groups.extend(chunk)
        if not chunk or len(groups) >= total:
            return groups
        page += 1


def build_export(groups: list[MissedGroup], entry_titles: Mapping[str, str]) -> tuple[str, str]:
    """``(csv_text, snippet_toml)`` for the curators' pull request."""
    return export_csv(groups), export_snippet(groups, entry_titles)
