"""Line numbers for content problems, found in a TOML file's raw text.

tomllib gives no positions for values, so every message that names a line gets
it here by searching the text for the table header, key or value concerned.
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["Source"]

#: Any ``[table]`` or ``[[array]]`` header: where the previous table ends.
_HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\-\"' ]+?)\s*\]\]?\s*(#.*)?$")


class Source:
    """A TOML file's path and raw lines; every line number here is 1-based."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()

    def block_starts(self, name: str) -> list[int]:
        """Lines of the ``[[name]]`` headers, in file order."""
        pat = re.compile(rf"^\s*\[\[\s*{re.escape(name)}\s*\]\]\s*(#.*)?$")
        return [i + 1 for i, line in enumerate(self.lines) if pat.match(line)]

    def header_line(self, name: str) -> int | None:
        """Line of the first ``[name]`` header, or None."""
        pat = re.compile(rf"^\s*\[\s*{re.escape(name)}\s*\]\s*(#.*)?$")
        for i, line in enumerate(self.lines):
            if pat.match(line):
                return i + 1
        return None

    def block_end(self, start: int | None) -> int:
        """Last line of the table starting at ``start`` (inclusive); the file's end for None."""
        if start is None:
            return len(self.lines)
        for i in range(start, len(self.lines)):
            if _HEADER.match(self.lines[i]):
                return i
        return len(self.lines)

    def find(self, needle: str, start: int | None = None, end: int | None = None) -> int | None:
        """First line in [start, end] containing ``needle``."""
        first = (start or 1) - 1
        last = end if end is not None else len(self.lines)
        for i in range(max(first, 0), min(last, len(self.lines))):
            if needle in self.lines[i]:
                return i + 1
        return None

    def key_line(self, key: str, start: int | None, end: int | None = None) -> int | None:
        """First line in [start, end] that assigns ``key`` (bare or quoted)."""
        pat = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
        first = (start or 1) - 1
        last = end if end is not None else len(self.lines)
        for i in range(max(first, 0), min(last, len(self.lines))):
            if pat.match(self.lines[i]):
                return i + 1
        return None

    def value_line(self, value: str, start: int | None, end: int | None = None) -> int | None:
        """Line of a string value, trying its first line of text if multi-line; else ``start``."""
        for candidate in (value, value.strip().splitlines()[0] if value.strip() else ""):
            if candidate:
                line = self.find(candidate, start, end)
                if line is not None:
                    return line
        return start
