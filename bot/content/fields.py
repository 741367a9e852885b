"""Reading content TOML files and typed values out of their tables.

Every per-file loader reads the same way: a value of the wrong type, an unknown
or missing key, a bad regex or date becomes an issue naming the file and the
line of the key (or of the table when the key is absent), and reading goes on.
"""

from __future__ import annotations

import datetime
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .issues import Issues
from .source import Source

__all__ = ["Fields", "read_tables", "read_toml"]

_TOML_POS = re.compile(r"\(at line (\d+), column (\d+)\)")


def read_toml(path: Path, issues: Issues) -> tuple[dict[str, Any], Source] | None:
    """The parsed file and its lines; None (reported) if missing, unreadable or not TOML."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        issues.unreadable(path, None, "required file is missing")
        return None
    except (OSError, UnicodeDecodeError) as exc:
        issues.unreadable(path, None, f"cannot read file: {exc}")
        return None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = _TOML_POS.search(msg)
        line = int(m.group(1)) if m else None
        issues.unreadable(path, line, f"TOML syntax error: {msg}")
        return None
    return data, Source(path, text)


def read_tables(
    path: Path, name: str, issues: Issues
) -> tuple[list[dict[str, Any]] | None, Source, list[int]] | None:
    """A file made only of ``[[name]]`` tables: the tables (None if malformed, reported),
    the source and their start lines; None if the file cannot be read."""
    loaded = read_toml(path, issues)
    if loaded is None:
        return None
    data, src = loaded
    for key in data:
        if key != name:
            issues.add(
                path,
                src.header_line(key) or src.key_line(key, None),
                f"unknown top-level key '{key}' (allowed: {name})",
            )
    tables = data.get(name, [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        issues.add(path, None, f"'{name}' must be written as [[{name}]] tables")
        return None, src, []
    return tables, src, src.block_starts(name)


class Fields:
    """Typed reads from one TOML table, each problem reported with its file and line.

    ``what`` names the table in messages ("entry 'x'", "rule"); ``line`` and
    ``end`` bound the table in the file (None: the whole file, for top-level keys).
    """

    def __init__(
        self,
        issues: Issues,
        src: Source,
        table: Mapping[str, Any],
        what: str,
        line: int | None,
        end: int | None,
    ) -> None:
        self.issues = issues
        self.src = src
        self.table = table
        self.what = what
        self.line = line
        self.end = end

    def key_line(self, key: str) -> int | None:
        """Line of ``key`` inside this table, or None."""
        return self.src.key_line(key, self.line, self.end)

    def at(self, key: str) -> int | None:
        """Line of ``key``, else of the table itself: where a problem with ``key`` is shown."""
        return self.key_line(key) or self.line

    def value_line(self, value: str) -> int | None:
        return self.src.value_line(value, self.line, self.end)

    def report(self, line: int | None, message: str) -> None:
        self.issues.add(self.src.path, line, message)

    def check_keys(self, spec: Mapping[str, bool]) -> None:
        """Required keys (``spec`` value True) are present, and no key is outside ``spec``."""
        for key, required in spec.items():
            if required and key not in self.table:
                self.report(self.line, f"{self.what} is missing required key '{key}'")
        for key in self.table:
            if key not in spec:
                allowed = ", ".join(spec)
                self.report(
                    self.at(key), f"{self.what} has unknown key '{key}' (allowed: {allowed})"
                )

    def get_str(self, key: str, *, max_len: int | None = None, min_len: int = 1) -> str | None:
        """A non-blank string; None if absent (``check_keys`` reports required ones) or wrong.

        A string over ``max_len`` is reported but still returned, so later checks run on it.
        """
        if key not in self.table:
            return None
        value = self.table[key]
        where = self.at(key)
        if not isinstance(value, str):
            self.report(where, f"{self.what} '{key}' must be a string")
            return None
        if len(value.strip()) < min_len:
            self.report(where, f"{self.what} '{key}' must not be empty")
            return None
        if max_len is not None and len(value) > max_len:
            self.report(where, f"{self.what} '{key}' is {len(value)} characters (limit {max_len})")
        return value

    def get_str_list(self, key: str) -> list[str] | None:
        """The non-blank strings of a list (bad items reported and left out); None if absent."""
        if key not in self.table:
            return None
        value = self.table[key]
        where = self.at(key)
        if not isinstance(value, list):
            self.report(where, f"{self.what} '{key}' must be a list of strings")
            return None
        out: list[str] = []
        for item in value:
            if not isinstance(item, str):
                self.report(where, f"{self.what} '{key}' contains a non-string: {item!r}")
            elif not item.strip():
                self.report(where, f"{self.what} '{key}' contains an empty string")
            else:
                out.append(item)
        return out

    def get_date(self, key: str) -> datetime.date | None:
        """An optional TOML date (not a datetime, not a string); None if absent or invalid."""
        value = self.table.get(key)
        if value is None:
            return None
        if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
            self.report(
                self.at(key), f"{self.what} '{key}' must be a date like 2027-12-02 (no quotes)"
            )
            return None
        return value

    def compile_list(self, value: Any, key: str) -> tuple[re.Pattern[str], ...]:
        """``value`` (read from ``key``) as compiled regexes; bad ones reported and left out."""
        where = self.at(key)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.report(where, f"{self.what} '{key}' must be a list of regex strings")
            return ()
        out: list[re.Pattern[str]] = []
        for pattern in value:
            try:
                out.append(re.compile(pattern))
            except re.error as exc:
                self.report(
                    self.value_line(pattern) or where,
                    f"{self.what} '{key}': invalid regex {pattern!r}: {exc}",
                )
        return tuple(out)
