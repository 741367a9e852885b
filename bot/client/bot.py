"""The ``commands.Bot`` subclass: shared resources injected, features in extensions.

Config, store and engine are passed in (never imported as globals) so tests and
the runner build exactly the bot they need. Features live in ``bot/exts/``,
one extension each, loaded in ``setup_hook``.

``bot_class(config)`` picks ``FAQBot`` (one process, discord.py decides) or,
with ``[discord] shard_count`` set, ``ShardedFAQBot``: the same bot on
``commands.AutoShardedBot`` for the configured shards only. Processes sharing a
PostgreSQL store stay in step through ``bot.runtime.coordination`` (reloads,
learned phrasings) and an advisory lock (the daily purge runs in one of them).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import math
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import discord
import discord.gateway
import discord.http
import discord.webhook.async_
from discord import app_commands
from discord.ext import commands

from bot.client.endpoints import build_intents
from bot.client.ratelimit import UserRateLimiter
from bot.config import Config
from bot.content import ContentError, Knowledge, load_content
from bot.engine import Decision, Engine, Learned, Reply, render_decision
from bot.engine.message import MessageDecision, ask_message, render_message
from bot.health import beat_while
from bot.runtime.coordination import Coordinator, LearnedNotice
from bot.storage import MissedRecord, StorageError, Store
from bot.storage.coordination import try_advisory_lock
from bot.ui import DYNAMIC_ITEMS

# One logger name for the whole client package, as operators configure it.
log = logging.getLogger("bot.client")

PURGE_INTERVAL = 24 * 60 * 60.0
#: Advisory-lock name: of several processes sharing one database, only the holder purges.
PURGE_LOCK = "purge"
#: Discord allows one IDENTIFY per rate-limit bucket every 5 seconds.

T = TypeVar("T")


async def learned_phrasings(store: Store) -> list[Learned]:
    """Moderator-approved phrasings from the store, as the engine takes them."""
    return [Learned(p.phrasing, p.entry_id, p.guild_id) for p in await store.learned()]


def _decide(engine: Engine, text: str, guild_id: int | None) -> tuple[Decision, Reply]:
    decision = engine.ask(text, guild_id=str(guild_id) if guild_id else None)
    limit = engine.settings.max_question_chars
    return decision, render_decision(engine.knowledge, decision, limit=limit)


def _decide_message(
    engine: Engine, text: str, guild_id: int | None
) -> tuple[MessageDecision, Reply]:
    result = ask_message(engine, text, guild_id=str(guild_id) if guild_id else None)
    limit = engine.settings.max_question_chars
    return result, render_message(engine.knowledge, result, limit=limit)


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
            # No feature reads the message cache (clicks carry their message), and a
            # cache of the bot's own large replies was most of its memory under load.
            max_messages=None,
            **self.shard_options(config),
        )
        self.config = config
        self.store = store
        self._engine = engine
        self.coordinator = Coordinator(store)
        self._extensions = extensions
        self._sync_on_start = sync_on_start
        self._background_tasks = background_tasks
        self._purge_task: asyncio.Task[None] | None = None
        self._heartbeat_task: asyncio.Task[None] | None = None
        self._reload_lock = asyncio.Lock()
        self._inflight: set[asyncio.Task[object]] = set()
        # Answering is CPU work (BM25, the sentence encoder, triage): it runs on one worker
        # thread so the gateway heartbeat and other events never wait behind it, and one
        # worker keeps questions in arrival order with no locking inside the engine.
        self._engine_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="faq-engine")
        self.limiter = UserRateLimiter(config.cooldown.rate, config.cooldown.per_seconds)
        self.synced: dict[int, list[str]] = {}
        #: Set by ``stop_taking_events``: handlers ignore new questions from then on.
        self.stopping = False

    @classmethod
    def shard_options(cls, config: Config) -> dict[str, Any]:
        """Extra client options; none for one process (discord.py decides)."""
        return {}

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

    async def in_engine_thread(self, call: Callable[[], T]) -> T:
        """``call()`` on the engine thread, awaited without blocking the event loop."""
        return await asyncio.get_running_loop().run_in_executor(self._engine_thread, call)

    async def decide(self, text: str, guild_id: int | None) -> tuple[Decision, Reply]:
        """The same decision and reply for /ask, mentions and DMs (one engine snapshot)."""
        return await self.in_engine_thread(functools.partial(_decide, self._engine, text, guild_id))

    async def decide_message(
        self, text: str, guild_id: int | None
    ) -> tuple[MessageDecision, Reply]:
        """A whole member message: every question in it answered, or the English-only
        notice (``bot.engine.message``); same engine snapshot for decision and reply."""
        return await self.in_engine_thread(
            functools.partial(_decide_message, self._engine, text, guild_id)
        )

    async def record_decision(
        self,
        decision: Decision | MessageDecision,
        *,
        source_id: int,
        guild_id: int | None,
        channel_id: int | None,
        author_id: int,
    ) -> None:
        """After the reply went out: a debug line, and unanswered questions into the queue.

        A message in another language is queued as its own kind ("language"), so
        moderators can tell it from a gap in the FAQ.
        """
        language: str | None = None
        if isinstance(decision, MessageDecision):
            for n, part in enumerate(decision.unanswered, 2):
                # A question of a message whose other question was answered.
                await self._log_missed(part, f"{source_id}-{n}", guild_id, channel_id, author_id)
            if not decision.missed and not decision.language:
                decision = decision.decision
                if decision.outcome == "no_answer":
                    return  # another question of the message was answered
            else:
                language = decision.language
                decision = decision.decision
        guild = str(guild_id) if guild_id else "dm"
        log.debug(
            "question %s in guild %s by %s: %s entry=%s score=%.3f",
            source_id,
            guild,
            self.user_ref(author_id),
            f"other_language:{language}" if language else decision.outcome,
            decision.entry.id if decision.entry else None,
            decision.score,
        )
        if decision.outcome != "no_answer":
            return
        await self._log_missed(decision, str(source_id), guild_id, channel_id, author_id, language)

    async def _log_missed(
        self,
        decision: Decision,
        source_id: str,
        guild_id: int | None,
        channel_id: int | None,
        author_id: int,
        language: str | None = None,
    ) -> None:
        await self.store.log_missed(
            MissedRecord(
                source_id=source_id,
                guild_id=str(guild_id) if guild_id else "dm",
                channel_id=str(channel_id or 0),
                author_id=author_id,
                question=decision.question,
                normalised=decision.cleaned,
                candidates=[(c.entry.id, c.score) for c in decision.candidates],
                reason="no_answer",
                kind="language" if language else "missed",
                language=language,
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
            await self.start_coordination()
            self._purge_task = asyncio.create_task(self._purge_daily(), name="faqbot: purge")
        heartbeat = self.config.health.heartbeat_path
        if heartbeat is not None:
            self._heartbeat_task = asyncio.create_task(
                beat_while(heartbeat, self.healthy), name="faqbot: heartbeat"
            )

    def healthy(self) -> bool:
        """Ready, connected (a heartbeat was acknowledged) and not shutting down."""
        if self.stopping or self.is_closed() or not self.is_ready():
            return False
        return math.isfinite(self.latency)

    async def start_coordination(self) -> None:
        """Hear reloads and learned phrasings from processes sharing the database (PostgreSQL)."""
        await self.coordinator.start(self._reload_requested, self._learned_elsewhere)

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
                removed = await self.purge_once()
                if removed is None:
                    log.debug("purge skipped: another bot process holds the purge lock")
                else:
                    log.info(
                        "purged %d logged rows older than %d days",
                        removed,
                        self.config.storage.retention_days,
                    )
            except Exception:
                log.exception("daily purge failed; will retry tomorrow")
            await asyncio.sleep(PURGE_INTERVAL)

    async def purge_once(self) -> int | None:
        """Purge if this process holds the cluster-wide purge lock; None if another one does.

        The lock stays with its holder (released when its connection closes), so
        of N processes sharing a PostgreSQL database exactly one purges each day;
        with SQLite the lock is always ours.
        """
        if not await try_advisory_lock(self.store, PURGE_LOCK):
            return None
        return await self.store.purge(self.config.storage.retention_days)

    # -- content -------------------------------------------------------------------------------

    async def reload_content(self, *, announce: bool = True) -> list[str]:
        """Reload ``[content] path``; ``[]`` on success, else the errors (old content kept).

        Loading and indexing run in a worker thread so the gateway keeps its
        heartbeat; the new engine replaces the old in one assignment, so a
        question is answered wholly by the old or wholly by the new content.
        On success the other processes sharing the database are told to reload
        too (``announce=False`` when this reload was itself such a request).
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
        if announce:
            await self.coordinator.announce_reload()
        return []

    async def learn(self, learned: Learned) -> bool:
        """Teach the live engine a phrasing already saved in the store, here and elsewhere.

        For ``/missed resolve``: applied at once in this process (False if the
        entry is not in the live content), then announced, so the processes
        serving other shards answer it too -- a guild's shard can move between
        processes on restart, so guild-scoped phrasings are announced as well.
        """
        live = await self._apply_learned([learned])
        await self.coordinator.announce_learned(learned)
        return live

    async def _apply_learned(self, items: Sequence[Learned]) -> bool:
        """Under the reload lock, so a reload in progress cannot swap the phrasing away."""
        async with self._reload_lock:
            engine = self._engine
            return all([engine.add_learned(item) for item in items])

    async def _reload_requested(self) -> None:
        """Another process reloaded its content: reload ours, without announcing back."""
        errors = await self.reload_content(announce=False)
        if errors:
            log.error(
                "content reload requested by another process FAILED, old content kept:\n  %s",
                "\n  ".join(errors),
            )

    async def _learned_elsewhere(self, notice: LearnedNotice) -> None:
        """Another process learned a phrasing (too long to send: read its scope back)."""
        learned = notice.learned
        if learned is not None:
            items = [learned]
        else:
            items = [
                Learned(p.phrasing, p.entry_id, p.guild_id)
                for p in await self.store.learned(notice.guild_id)
            ]
        if not await self._apply_learned(items):
            log.warning("a learned phrasing names entry %r, not in this content", notice.entry_id)

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
        with contextlib.suppress(StorageError):
            await self.coordinator.stop()
        if self._heartbeat_task is not None:
            self._heartbeat_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._heartbeat_task
            self._heartbeat_task = None
        if self._purge_task is not None:
            self._purge_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._purge_task
            self._purge_task = None
        await super().close()
        self._engine_thread.shutdown(wait=False, cancel_futures=True)
