"""Keep bot processes that share one database in step: content reloads and learned phrasings.

Why: with sharding, each process answers only its own shards' guilds, but all
of them share the moderators' queue and learned phrasings, and a guild's shard
may land in another process after a restart. A ``/faq-reload`` (or SIGHUP) and
a phrasing a moderator teaches must therefore reach every process at once, not
at its next restart. This rides on ``bot.storage.coordination`` (PostgreSQL
LISTEN/NOTIFY), so with SQLite (one process) every call here is a no-op.

Notifications are hints, not a queue: a process whose LISTEN connection was
down misses them (the store logs a warning). Every payload names the process
that sent it, so a process ignores its own notifications: no reload loops.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.engine import Learned
from bot.storage import StorageError, Store
from bot.storage.coordination import Unlisten, listen, notify

__all__ = ["LEARNED_CHANNEL", "RELOAD_CHANNEL", "Coordinator", "LearnedNotice"]

log = logging.getLogger(__name__)

RELOAD_CHANNEL = "faq_reload"
LEARNED_CHANNEL = "faq_learned"
#: PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; stay well below.
MAX_PAYLOAD_BYTES = 7000


@dataclass(frozen=True, slots=True)
class LearnedNotice:
    """A learned phrasing made elsewhere; ``phrasing`` None: too long to send, read the store."""

    entry_id: str
    guild_id: str | None
    phrasing: str | None

    @property
    def learned(self) -> Learned | None:
        if self.phrasing is None:
            return None
        return Learned(self.phrasing, self.entry_id, self.guild_id)


OnReload = Callable[[], Awaitable[None]]
OnLearned = Callable[[LearnedNotice], Awaitable[None]]


class Coordinator:
    """One per bot process: sends and receives the two notifications, ignoring its own."""

    def __init__(self, store: Store) -> None:
        self.store = store
        #: Tells this process's notifications apart from the others' (random per start).
        self.origin = uuid.uuid4().hex
        self._unlisten: list[Unlisten] = []

    # -- receiving -----------------------------------------------------------------------------

    async def start(self, on_reload: OnReload, on_learned: OnLearned) -> None:
        """Listen on both channels; a failure is logged, the bot runs on uncoordinated."""
        try:
            self._unlisten.append(await listen(self.store, RELOAD_CHANNEL, self._reload(on_reload)))
            self._unlisten.append(
                await listen(self.store, LEARNED_CHANNEL, self._learned(on_learned))
            )
        except StorageError as exc:
            log.error("cannot listen for other bot processes (reloads stay local): %s", exc)

    async def stop(self) -> None:
        """Stop receiving (before the store closes)."""
        while self._unlisten:
            unlisten = self._unlisten.pop()
            try:
                await unlisten()
            except StorageError as exc:  # pragma: no cover - the store closes it anyway
                log.debug("unlisten failed: %s", exc)

    def _reload(self, on_reload: OnReload) -> Callable[[str], Awaitable[None]]:
        async def received(payload: str) -> None:
            if self._foreign(payload) is not None:
                log.info("content reload requested by another bot process")
                await on_reload()

        return received

    def _learned(self, on_learned: OnLearned) -> Callable[[str], Awaitable[None]]:
        async def received(payload: str) -> None:
            data = self._foreign(payload)
            if data is None:
                return
            notice = _notice(data)
            if notice is None:
                log.warning("ignored a malformed learned-phrasing notification")
                return
            await on_learned(notice)

        return received

    def _foreign(self, payload: str) -> dict[str, object] | None:
        """The payload's fields if another process sent it; None for our own or garbage."""
        try:
            data = json.loads(payload)
        except ValueError:
            return None
        if not isinstance(data, dict) or data.get("origin") in (None, self.origin):
            return None
        return data

    # -- sending -------------------------------------------------------------------------------

    async def announce_reload(self) -> None:
        """Tell the other processes to reload their content now."""
        await self._send(RELOAD_CHANNEL, {"origin": self.origin})

    async def announce_learned(self, learned: Learned) -> None:
        """Tell the other processes about a phrasing already committed to the store."""
        data: dict[str, object] = {
            "origin": self.origin,
            "entry_id": learned.entry_id,
            "guild_id": learned.guild_id,
            "phrasing": learned.phrasing,
        }
        if len(json.dumps(data).encode()) > MAX_PAYLOAD_BYTES:
            data["phrasing"] = None  # receivers read the scope back from the store
        await self._send(LEARNED_CHANNEL, data)

    async def _send(self, channel: str, data: dict[str, object]) -> None:
        """Notify; a failure only means the others learn it at their next reload or restart."""
        try:
            await notify(self.store, channel, json.dumps(data))
        except StorageError as exc:
            log.warning("could not tell the other bot processes (%s): %s", channel, exc)


def _notice(data: dict[str, object]) -> LearnedNotice | None:
    entry_id, guild_id, phrasing = data.get("entry_id"), data.get("guild_id"), data.get("phrasing")
    if not isinstance(entry_id, str) or not isinstance(guild_id, str | None):
        return None
    if not isinstance(phrasing, str | None):
        return None
    return LearnedNotice(entry_id, guild_id, phrasing)
