"""Plain data passed in and out of the storage layer.

Frozen dataclasses with no Discord types, so the same records serve the bot,
the CLI and any future backend (PostgreSQL) without conversion.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

__all__ = [
    "KINDS",
    "REASONS",
    "STATUSES",
    "FeedbackRecord",
    "LearnedPhrasing",
    "MissedGroup",
    "MissedRecord",
    "MissedRow",
    "Stats",
]

#: Why a question was logged: nothing matched, or a member clicked "Not helpful".
REASONS = ("no_answer", "not_helpful")
#: What a logged question is: the FAQ lacked an answer, or the message was not English.
KINDS = ("missed", "language")
#: Review state of a logged question.
STATUSES = ("open", "resolved", "dismissed")


@dataclass(frozen=True, slots=True)
class MissedRecord:
    """A question the bot could not answer, as submitted by the bot.

    ``source_id`` is the Discord message or interaction id: a replayed gateway
    event carries the same id, so it is stored once.
    """

    source_id: str
    guild_id: str
    channel_id: str
    author_id: int | str
    question: str
    normalised: str
    candidates: Sequence[tuple[str, float]] = ()
    reason: str = "no_answer"
    shown_entry_id: str | None = None
    created_at: datetime | None = None
    kind: str = "missed"
    #: Detected language code for ``kind="language"`` rows.
    language: str | None = None

    def __post_init__(self) -> None:
        if self.reason not in REASONS:
            raise ValueError(f"reason must be one of {REASONS}, not {self.reason!r}")
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {self.kind!r}")
        if not self.source_id:
            raise ValueError("source_id must not be empty")


@dataclass(frozen=True, slots=True)
class FeedbackRecord:
    """One click on "Helpful" / "Not helpful" under an answer."""

    source_id: str
    guild_id: str
    channel_id: str
    message_id: str
    author_id: int | str
    entry_id: str
    helpful: bool
    question: str | None = None
    created_at: datetime | None = None

    def __post_init__(self) -> None:
        if not self.source_id:
            raise ValueError("source_id must not be empty")


@dataclass(frozen=True, slots=True)
class MissedRow:
    """A stored missed question as moderators see it."""

    id: int
    guild_id: str
    channel_id: str
    question: str
    normalised: str
    candidates: list[tuple[str, float]]
    reason: str
    shown_entry_id: str | None
    created_at: datetime
    status: str
    changed_by: str | None
    changed_at: datetime | None
    action: str | None
    note: str | None
    entry_id: str | None
    kind: str = "missed"
    language: str | None = None


@dataclass(frozen=True, slots=True)
class MissedGroup:
    """Identical (normalised) questions of one guild and status, counted once."""

    normalised: str
    question: str
    count: int
    ids: list[int]
    latest_id: int
    first_at: datetime
    last_at: datetime
    status: str
    top_candidates: list[tuple[str, float]] = field(default_factory=list)
    kind: str = "missed"


@dataclass(frozen=True, slots=True)
class Stats:
    """Numbers for the moderators' ``stats`` view of one guild."""

    by_status: dict[str, int]
    by_week: list[tuple[str, int]]
    top_open: list[MissedGroup]
    feedback_helpful: int
    feedback_not_helpful: int


@dataclass(frozen=True, slots=True)
class LearnedPhrasing:
    """A moderator-approved phrasing that leads to an existing FAQ entry.

    ``guild_id`` None means global (all guilds).
    """

    id: int
    guild_id: str | None
    phrasing: str
    normalised: str
    entry_id: str
    created_at: datetime
