"""Storage of unanswered questions, feedback and learned phrasings.

Import from here: ``Store`` is the interface; ``open_store`` picks the backend
from the config (``SQLiteStore``, or ``PostgresStore`` in ``bot.storage.postgres``,
imported only when a PostgreSQL URL is configured). Nothing here imports Discord.
"""

from __future__ import annotations

from .base import Record, Store
from .errors import StorageError, WriterClosedError
from .factory import describe_store, open_store
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
    "describe_store",
    "open_readonly",
    "open_store",
]
