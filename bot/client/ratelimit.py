"""Per-member cooldown: a sliding window of questions, with one refusal note per window."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Verdict:
    """Result of one rate-limit check."""

    allowed: bool
    retry_after: float = 0.0
    first_refusal: bool = False


class UserRateLimiter:
    """Per-user sliding window: ``rate`` questions per ``per`` seconds.

    ``first_refusal`` is True only for the first refused attempt of a window, so
    a member hammering the bot gets one friendly note instead of a reply each time.
    """

    def __init__(self, rate: int, per: float) -> None:
        self.rate = rate
        self.per = per
        self._hits: dict[int, deque[float]] = {}
        self._warned: dict[int, float] = {}

    def hit(self, user_id: int, now: float | None = None, *, mark_refusal: bool = True) -> Verdict:
        """Count one question; ``mark_refusal=False`` for refusals that are private anyway."""
        now = time.monotonic() if now is None else now
        hits = self._hits.setdefault(user_id, deque())
        while hits and now - hits[0] >= self.per:
            hits.popleft()
        if len(hits) < self.rate:
            hits.append(now)
            self._warned.pop(user_id, None)
            if len(self._hits) > 10_000:
                self._forget_idle(now)
            return Verdict(True)
        retry = max(self.per - (now - hits[0]), 0.0)
        first = self._warned.get(user_id) != hits[0]
        if mark_refusal:
            self._warned[user_id] = hits[0]
        return Verdict(False, retry, first)

    def _forget_idle(self, now: float) -> None:
        for user, hits in list(self._hits.items()):
            if not hits or now - hits[-1] >= self.per:
                del self._hits[user]
                self._warned.pop(user, None)
