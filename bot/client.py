"""The ``commands.Bot`` subclass: shared resources injected, features in extensions.

Config, store and engine are passed in (never imported as globals) so tests and
the runner build exactly the bot they need. Features live in ``bot/exts/``,
one extension each, loaded in ``setup_hook``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

import discord
import discord.gateway
import discord.http
import discord.webhook.async_
import yarl
from discord import app_commands
from discord.ext import commands

from bot.config import Config
from bot.content import ContentError, Knowledge, load_content
from bot.engine import Decision, Engine, Learned, Reply, render_decision
from bot.storage import MissedRecord, Store
from bot.ui import DYNAMIC_ITEMS

log = logging.getLogger(__name__)

PURGE_INTERVAL = 24 * 60 * 60.0


def apply_endpoints(api_base_url: str, gateway_url: str) -> None:
    """Point discord.py's three hard-coded bases at ``api_base_url`` / ``gateway_url``.

    The one place that does it, called before login: REST (``discord.http``),
    interaction responses and follow-ups (the webhook adapter), and the gateway
    a non-sharded client opens without asking ``/gateway/bot`` (a ``yarl.URL``
    in discord.py 2.7, which calls ``with_query`` on it).
    """
    base = api_base_url.rstrip("/")
    discord.http.Route.BASE = base
    discord.webhook.async_.Route.BASE = base  # type: ignore[attr-defined]
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


def build_intents() -> discord.Intents:
    """Only what the bot uses; no privileged intent (no message content, members, presence).

    Discord still delivers the content of messages that mention the bot and of DMs.
    """
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.dm_messages = True
    return intents


async def learned_phrasings(store: Store) -> list[Learned]:
    """Moderator-approved phrasings from the store, as the engine takes them."""
    return [Learned(p.phrasing, p.entry_id, p.guild_id) for p in await store.learned()]


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


class FAQTree(app_commands.CommandTree["FAQBot"]):
    """The command tree; refuses new interactions once shutdown began."""

    async def interaction_check(self, interaction: discord.Interaction[FAQBot], /) -> bool:
        return not interaction.client.stopping


class FAQBot(commands.Bot):
    """The FAQ bot; ``engine`` is swapped atomically on content reload."""

    def __init__(
        self,
        config: Config,
        store: Store,
        engine: Engine,
        *,
        extensions: Sequence[str] | None = None,
        sync_on_start: bool = True,
        background_tasks: bool = True,
        guild_ready_timeout: float = 2.0,
    ) -> None:
        super().__init__(
            guild_ready_timeout=guild_ready_timeout,
            command_prefix=commands.when_mentioned,
            intents=build_intents(),
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            tree_cls=FAQTree,
        )
        self.config = config
        self.store = store
        self._engine = engine
        self._extensions = extensions
        self._sync_on_start = sync_on_start
        self._background_tasks = background_tasks
        self._purge_task: asyncio.Task[None] | None = None
        self._reload_lock = asyncio.Lock()
        self._inflight: set[asyncio.Task[object]] = set()
        self.limiter = UserRateLimiter(config.cooldown.rate, config.cooldown.per_seconds)
        self.synced: dict[int, list[str]] = {}
        #: Set by ``stop_taking_events``: handlers ignore new questions from then on.
        self.stopping = False

    # -- shared resources ----------------------------------------------------------------------

    @property
    def engine(self) -> Engine:
        return self._engine

    @property
    def knowledge(self) -> Knowledge:
        """The content the current engine answers from."""
        return self._engine.knowledge

    def user_ref(self, user_id: int) -> str:
        """How logs name a member: the raw id only when the config opts in."""
        if self.config.storage.store_raw_user_ids:
            return str(user_id)
        return self.store.hash_user(user_id)[:12]

    async def on_message(self, message: discord.Message, /) -> None:
        """No prefix commands: ``commands.Bot`` would treat every mention as one and log
        CommandNotFound errors. Mentions and DMs are answered by ``bot.exts.mentions``."""

    # -- answering -----------------------------------------------------------------------------

    def decide(self, text: str, guild_id: int | None) -> tuple[Decision, Reply]:
        """The same decision and reply for /ask, mentions and DMs (one engine snapshot)."""
        engine = self._engine
        decision = engine.ask(text, guild_id=str(guild_id) if guild_id else None)
        limit = engine.settings.max_question_chars
        return decision, render_decision(engine.knowledge, decision, limit=limit)

    async def record_decision(
        self,
        decision: Decision,
        *,
        source_id: int,
        guild_id: int | None,
        channel_id: int | None,
        author_id: int,
    ) -> None:
        """After the reply went out: a debug line, and unanswered questions into the queue."""
        guild = str(guild_id) if guild_id else "dm"
        log.debug(
            "question %s in guild %s by %s: %s entry=%s score=%.3f",
            source_id,
            guild,
            self.user_ref(author_id),
            decision.outcome,
            decision.entry.id if decision.entry else None,
            decision.score,
        )
        if decision.outcome != "no_answer":
            return
        await self.store.log_missed(
            MissedRecord(
                source_id=str(source_id),
                guild_id=guild,
                channel_id=str(channel_id or 0),
                author_id=author_id,
                question=decision.question,
                normalised=decision.cleaned,
                candidates=[(c.entry.id, c.score) for c in decision.candidates],
                reason="no_answer",
            )
        )

    # -- start-up ------------------------------------------------------------------------------

    async def setup_hook(self) -> None:
        from bot.exts import EXTENSIONS

        for name in self._extensions if self._extensions is not None else EXTENSIONS:
            await self.load_extension(name)
        self.add_dynamic_items(*DYNAMIC_ITEMS)
        if self._sync_on_start:
            await self.sync_dev_guilds()
        if self._background_tasks:
            self._purge_task = asyncio.create_task(self._purge_daily(), name="faqbot: purge")

    async def sync_dev_guilds(self) -> None:
        """Sync to ``[discord] dev_guild_ids`` only: instant there, never global on start."""
        for guild_id in self.config.discord.dev_guild_ids:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            try:
                synced = await self.tree.sync(guild=guild)
            except discord.HTTPException as exc:
                log.error("could not sync commands to guild %s: %s", guild_id, exc)
                continue
            self.synced[guild_id] = [c.name for c in synced]
            log.info("synced %d commands to guild %s", len(synced), guild_id)

    async def _purge_daily(self) -> None:
        """Delete rows older than ``[storage] retention_days``, now and then once a day."""
        while True:
            try:
                removed = await self.store.purge(self.config.storage.retention_days)
                log.info(
                    "purged %d logged rows older than %d days",
                    removed,
                    self.config.storage.retention_days,
                )
            except Exception:
                log.exception("daily purge failed; will retry tomorrow")
            await asyncio.sleep(PURGE_INTERVAL)

    # -- content -------------------------------------------------------------------------------

    async def reload_content(self) -> list[str]:
        """Reload ``[content] path``; ``[]`` on success, else the errors (old content kept).

        Loading and indexing run in a worker thread so the gateway keeps its
        heartbeat; the new engine replaces the old in one assignment, so a
        question is answered wholly by the old or wholly by the new content.
        """
        async with self._reload_lock:
            try:
                knowledge = await asyncio.to_thread(load_content, self.config.content.path)
            except ContentError as exc:
                return [str(issue) for issue in exc.issues] or [str(exc)]
            except OSError as exc:
                return [f"{self.config.content.path}: cannot read the content ({exc})"]
            learned = await learned_phrasings(self.store)
            engine = await asyncio.to_thread(Engine, knowledge, self.config.engine, learned)
            self._engine = engine
            log.info("content reloaded: %s", knowledge.summary_line())
            return []

    # -- shutdown ------------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def hold(self) -> AsyncIterator[None]:
        """Mark the current handler in flight, so shutdown waits for its rows."""
        task = asyncio.current_task()
        if task is not None:
            self._inflight.add(task)
        try:
            yield
        finally:
            if task is not None:
                self._inflight.discard(task)

    def stop_taking_events(self) -> None:
        """First step of a clean shutdown: new questions are ignored, replies in flight go out."""
        self.stopping = True

    async def drain(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait (bounded) for handlers still answering or queueing rows."""
        current = asyncio.current_task()
        pending = [t for t in self._inflight if t is not current and not t.done()]
        if pending:
            await asyncio.wait(pending, timeout=timeout)

    async def close(self) -> None:
        if self._purge_task is not None:
            self._purge_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._purge_task
            self._purge_task = None
        await super().close()
