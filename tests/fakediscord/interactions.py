"""Interactions the fake server dispatched, and what the bot answered.

A :class:`FakeInteraction` is the test's handle on one INTERACTION_CREATE:
it records the callback, the follow-ups and the edits of the original
response as the REST layer receives them, and lets a test await them.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from .models import Channel, Guild, User

T = TypeVar("T")

APPLICATION_COMMAND = 2
MESSAGE_COMPONENT = 3
AUTOCOMPLETE = 4
MODAL_SUBMIT = 5

DEFERRED_TYPES = (5, 6)


class Notifier:
    """Lets coroutines wait until some state they poll becomes available.

    Every state change calls :meth:`notify`; waiters re-check their
    condition.  Simpler than per-item futures and immune to lost wake-ups.
    """

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait_for(self, check: Callable[[], T | None], timeout: float, what: str) -> T:  # noqa: ASYNC109
        deadline = time.monotonic() + timeout
        while True:
            result = check()
            if result is not None:
                return result
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
            event = self._event
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)


@dataclass(eq=False)
class FakeInteraction:
    """One dispatched interaction and everything the bot sent back for it."""

    id: str
    token: str
    type: int
    payload: dict[str, Any]
    user: User
    channel: Channel
    guild: Guild | None
    notifier: Notifier
    created_at: float = field(default_factory=time.monotonic)
    callback: dict[str, Any] | None = None
    followup_payloads: list[dict[str, Any]] = field(default_factory=list)
    original_edits: list[dict[str, Any]] = field(default_factory=list)
    original_message: dict[str, Any] | None = None
    followup_messages: list[dict[str, Any]] = field(default_factory=list)

    @property
    def callback_type(self) -> int | None:
        return None if self.callback is None else self.callback.get("type")

    @property
    def is_deferred(self) -> bool:
        return self.callback_type in DEFERRED_TYPES

    async def response(self, timeout: float = 5.0) -> dict[str, Any]:  # noqa: ASYNC109
        """The callback body the bot POSTed (``{"type": ..., "data": ...}``)."""
        return await self.notifier.wait_for(
            lambda: self.callback, timeout, f"callback for interaction {self.id}"
        )

    async def followups(self, n: int = 1, timeout: float = 5.0) -> list[dict[str, Any]]:  # noqa: ASYNC109
        """The first ``n`` follow-up payloads (``POST /webhooks/{app}/{token}``)."""

        def check() -> list[dict[str, Any]] | None:
            return list(self.followup_payloads[:n]) if len(self.followup_payloads) >= n else None

        return await self.notifier.wait_for(
            check, timeout, f"{n} follow-up(s) for interaction {self.id}"
        )

    async def final_response(self, timeout: float = 5.0) -> dict[str, Any]:  # noqa: ASYNC109
        """What the user ends up seeing as the answer.

        For a message/update callback that is the callback's ``data``; for a
        deferred callback it is the first edit of ``@original`` or the first
        follow-up, whichever the bot sends first.
        """

        def check() -> dict[str, Any] | None:
            if self.callback is None:
                return None
            if not self.is_deferred:
                data: dict[str, Any] = self.callback.get("data") or {}
                return data
            if self.original_edits:
                return self.original_edits[0]
            if self.followup_payloads:
                return self.followup_payloads[0]
            return None

        return await self.notifier.wait_for(
            check, timeout, f"final response to interaction {self.id}"
        )

    async def autocomplete_choices(self, timeout: float = 5.0) -> list[dict[str, Any]]:  # noqa: ASYNC109
        callback = await self.response(timeout)
        if callback.get("type") != 8:
            raise AssertionError(f"expected an autocomplete result (type 8), got {callback!r}")
        choices: list[dict[str, Any]] = (callback.get("data") or {}).get("choices", [])
        return choices
