"""Sharding: the same bot on an AutoShardedBot for configured shards, with IDENTIFY pacing."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from discord.ext import commands

from bot.client.bot import FAQBot
from bot.config import Config
from bot.engine import Engine
from bot.storage import Store

log = logging.getLogger("bot.client")

#: Discord allows one IDENTIFY per rate-limit bucket every 5 seconds.
IDENTIFY_INTERVAL = 5.0


class IdentifyGate:
    """Spaces IDENTIFYs the way Discord allows: one per rate-limit bucket every 5 seconds.

    Why not discord.py's default hook: it sleeps 5 s before every IDENTIFY but
    the first, whatever ``session_start_limit.max_concurrency`` allows. Discord
    puts shard ``s`` in bucket ``s % max_concurrency``; shards of different
    buckets may identify at once, so large bots start in seconds, not minutes.
    """

    def __init__(self, max_concurrency: int = 1, interval: float = IDENTIFY_INTERVAL) -> None:
        self.max_concurrency = max(max_concurrency, 1)
        self.interval = interval
        self._next: dict[int, float] = {}
        self._locks: dict[int, asyncio.Lock] = {}

    def bucket(self, shard_id: int | None) -> int:
        return (shard_id or 0) % self.max_concurrency

    async def wait(self, shard_id: int | None) -> None:
        """Return when ``shard_id`` may IDENTIFY; reserves its bucket for ``interval``."""
        key = self.bucket(shard_id)
        loop = asyncio.get_running_loop()
        async with self._locks.setdefault(key, asyncio.Lock()):
            delay = self._next.get(key, 0.0) - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            self._next[key] = loop.time() + self.interval


class ShardedFAQBot(FAQBot, commands.AutoShardedBot):
    """``FAQBot`` on an ``AutoShardedBot``, running only ``[discord] shard_ids`` of ``shard_count``.

    N processes with disjoint ``shard_ids`` cover every guild. discord.py skips
    ``GET /gateway/bot`` when the shard count is given and then connects to
    ``DiscordWebSocket.DEFAULT_GATEWAY`` (set by ``apply_endpoints`` from
    ``[discord] gateway_url``), so the session start limit is asked for here,
    before the shards launch, and its ``max_concurrency`` paces the IDENTIFYs.
    """

    def __init__(self, config: Config, store: Store, engine: Engine, **options: Any) -> None:
        super().__init__(config, store, engine, **options)
        self.identify_gate = IdentifyGate()

    @classmethod
    def shard_options(cls, config: Config) -> dict[str, Any]:
        shard_ids = config.discord.shard_ids
        return {
            "shard_count": config.discord.shard_count,
            "shard_ids": list(shard_ids) if shard_ids is not None else None,
        }

    async def launch_shards(self) -> None:
        if not self.is_closed():
            limits = await self.fetch_session_start_limits()  # GET /gateway/bot
            self.identify_gate = IdentifyGate(limits.max_concurrency)
            wanted = len(self.shard_ids or range(self.shard_count or 1))
            log.info(
                "shards %s of %s; session starts left %d of %d (max_concurrency %d)",
                self.shard_ids if self.shard_ids is not None else "all",
                self.shard_count,
                limits.remaining,
                limits.total,
                limits.max_concurrency,
            )
            if limits.remaining < wanted:
                log.error(
                    "Discord allows %d more session starts (reset in %.0f s); %d shards need one",
                    limits.remaining,
                    limits.reset_after / 1000,
                    wanted,
                )
        await super().launch_shards()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        await self.identify_gate.wait(shard_id)


def bot_class(config: Config) -> type[FAQBot]:
    """``ShardedFAQBot`` when ``[discord] shard_count`` is set, else today's ``FAQBot``."""
    return ShardedFAQBot if config.discord.shard_count is not None else FAQBot
