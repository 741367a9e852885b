"""Coordination between bot processes that share one database.

With PostgreSQL (several shard processes, one database):

* ``notify`` / ``listen``: LISTEN/NOTIFY. A content reload (``/faq-reload``,
  SIGHUP) or a global learned phrasing made in one process reaches the others
  at once. Every listening process receives the notification, the sender's
  own listener included; notifications sent while a listener was reconnecting
  are missed, so treat them as "reload now" hints, not as a message queue.
* ``try_advisory_lock``: a session-level advisory lock, so that e.g. the daily
  purge runs in one process only. The lock stays with the process that took it
  (until ``release_advisory_lock``, ``store.close()`` or a lost connection);
  calling it again in the holder returns True, in every other process False.

With SQLite there is one process: ``notify`` does nothing, ``listen`` registers
nothing (returns a no-op unlisten) and ``try_advisory_lock`` returns True.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol, runtime_checkable

from .base import Store

__all__ = [
    "NotifyCallback",
    "Unlisten",
    "listen",
    "notify",
    "release_advisory_lock",
    "try_advisory_lock",
]

#: Called with the payload of each notification; may be a coroutine function.
NotifyCallback = Callable[[str], Awaitable[None] | None]
#: Stops the callback from being called (awaitable).
Unlisten = Callable[[], Awaitable[None]]


@runtime_checkable
class _Coordinating(Protocol):
    async def notify(self, channel: str, payload: str = "") -> None: ...

    async def listen(self, channel: str, callback: NotifyCallback) -> Unlisten: ...

    async def try_advisory_lock(self, name: str) -> bool: ...

    async def release_advisory_lock(self, name: str) -> None: ...


async def _nothing() -> None:
    return None


async def listen(store: Store, channel: str, callback: NotifyCallback) -> Unlisten:
    """Call ``callback(payload)`` for each notification on ``channel``; returns unlisten."""
    if isinstance(store, _Coordinating):
        return await store.listen(channel, callback)
    return _nothing


async def notify(store: Store, channel: str, payload: str = "") -> None:
    """Send ``payload`` (up to 8000 bytes) to every process listening on ``channel``."""
    if isinstance(store, _Coordinating):
        await store.notify(channel, payload)


async def try_advisory_lock(store: Store, key: str) -> bool:
    """True if this process holds (now, or already) the cluster-wide lock ``key``."""
    if isinstance(store, _Coordinating):
        return await store.try_advisory_lock(key)
    return True


async def release_advisory_lock(store: Store, key: str) -> None:
    """Give up ``key`` if this process holds it (no-op for SQLite)."""
    if isinstance(store, _Coordinating):
        await store.release_advisory_lock(key)
