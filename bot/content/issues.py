"""Content problems: each located by file and line, all collected, raised together.

The loader keeps going after a problem so that one run of ``check-content``
lists every mistake; :class:`Issues` is the list the per-file loaders append to.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

__all__ = ["ContentError", "ContentIssue", "Issues", "display"]


def display(path: Path) -> str:
    """``path`` relative to the working directory when it is under it (shorter messages)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


class ContentIssue(NamedTuple):
    """One problem in the content, located as precisely as possible."""

    file: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        where = display(self.file)
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.message}"


class ContentError(Exception):
    """Raised by :func:`bot.content.load_content` with every issue that was found."""

    def __init__(self, issues: Iterable[ContentIssue]) -> None:
        self.issues: list[ContentIssue] = list(issues)
        super().__init__("\n".join(str(i) for i in self.issues))

    def __str__(self) -> str:
        return "\n".join(str(i) for i in self.issues)


class Issues:
    """Every issue found so far, in the order found.

    ``parse_failed`` says some file could not be read or parsed at all: ids it
    would have defined are unknown, so cross-file references are not reported.
    """

    def __init__(self) -> None:
        self.found: list[ContentIssue] = []
        self.parse_failed = False

    def add(self, file: Path, line: int | None, message: str) -> None:
        self.found.append(ContentIssue(file, line, message))

    def unreadable(self, file: Path, line: int | None, message: str) -> None:
        """A file (or folder) that gave no data: an issue, and cross-file checks hold back."""
        self.add(file, line, message)
        self.parse_failed = True
