"""Errors raised by the storage layer.

One exception type keeps callers (the bot start-up code, the CLI) simple: they
catch ``StorageError`` and show its message, which always says which file, what
is wrong and what to do about it.
"""

from __future__ import annotations

__all__ = ["StorageError", "WriterClosedError"]


class StorageError(Exception):
    """The database cannot be used as asked (corrupt, too new, read-only, ...)."""


class WriterClosedError(StorageError):
    """A row was submitted after the writer stopped taking rows."""
