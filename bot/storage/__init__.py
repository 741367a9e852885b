"""Storage of unanswered questions, feedback and learned phrasings.

Import from here: ``Store`` is the interface, ``SQLiteStore`` the only
backend so far. Nothing in this package imports Discord.
"""

from __future__ import annotations

from .base import Record, Store
from .errors import StorageError, WriterClosedError
from .models import (
    REASONS,
    STATUSES,
    FeedbackRecord,
    LearnedPhrasing,
    MissedGroup,
    MissedRecord,
    MissedRow,
    Stats,
)
from .sqlite import SQLiteStore, open_readonly
from .writer import Writer

__all__ = [
    "REASONS",
    "STATUSES",
    "FeedbackRecord",
    "LearnedPhrasing",
    "MissedGroup",
    "MissedRecord",
    "MissedRow",
    "Record",
    "SQLiteStore",
    "Stats",
    "StorageError",
    "Store",
    "Writer",
    "WriterClosedError",
    "open_readonly",
]
