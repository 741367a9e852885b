"""The storage interface the bot and the CLI program against.

A ``typing.Protocol`` rather than a base class: the SQLite and PostgreSQL
stores only have to match these signatures. Every guild-scoped
method takes ``guild_id`` and must behave as "not found" for another guild's
ids, so a moderator can never see or change rows of a guild they do not run.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, TypeAlias

from .models import FeedbackRecord, LearnedPhrasing, MissedGroup, MissedRecord, MissedRow, Stats
from .writer import Writer

__all__ = ["Record", "Store"]

#: What the bot submits to the background writer.
Record: TypeAlias = MissedRecord | FeedbackRecord


class Store(Protocol):
    """Guild-scoped log of unanswered questions, feedback and learned phrasings."""

    @property
    def writer(self) -> Writer[Record]:
        """The background writer (``submit``, ``flush``, ``pending``, ...)."""
        ...

    def hash_user(self, user_id: int | str) -> str:
        """Salted, non-reversible id stored instead of a Discord user id."""
        ...

    async def log_missed(self, rec: MissedRecord) -> None:
        """Queue an unanswered question (waits for queue space, never for the disk)."""
        ...

    async def log_feedback(self, rec: FeedbackRecord) -> None:
        """Queue a Helpful / Not helpful click."""
        ...

    async def list_groups(
        self,
        guild_id: str,
        status: str = "open",
        *,
        page: int = 1,
        per_page: int = 10,
        kind: str | None = None,
    ) -> tuple[list[MissedGroup], int]:
        """One page of grouped questions, newest first, and the number of groups."""
        ...

    async def list_rows(
        self, guild_id: str, status: str = "open", kind: str | None = None
    ) -> list[MissedRow]:
        """Every row of the guild with that status (or "all") and kind (None: any), newest
        first."""
        ...

    async def get_missed(self, guild_id: str, missed_id: int) -> MissedRow | None:
        """One row, or None if it does not exist in this guild."""
        ...

    async def resolve(
        self,
        guild_id: str,
        missed_id: int,
        entry_id: str,
        *,
        moderator_id: int | str,
        note: str | None = None,
    ) -> LearnedPhrasing | None:
        """Link the question (and its open twins) to an entry; learn the phrasing."""
        ...

    async def dismiss(
        self, guild_id: str, missed_id: int, *, moderator_id: int | str, reason: str | None = None
    ) -> int:
        """Dismiss the question and its open twins; number of rows changed."""
        ...

    async def stats(self, guild_id: str, *, now: datetime | None = None) -> Stats:
        """Counts for the moderators' overview."""
        ...

    async def learned(self, guild_id: str | None = None) -> list[LearnedPhrasing]:
        """Learned phrasings of one guild (plus global ones), or of all guilds."""
        ...

    async def forget_user(self, user_id: int | str) -> int:
        """Delete every logged row authored by the member, in all guilds."""
        ...

    async def purge(self, retention_days: int, *, now: datetime | None = None) -> int:
        """Delete logged rows older than the retention period."""
        ...

    async def close(self, timeout: float = 10.0) -> int:  # noqa: ASYNC109
        """Flush the writer, close connections; rows that could not be written."""
        ...
