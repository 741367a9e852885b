"""Start-up, signals and shutdown for ``python -m bot run``; ``python -m bot sync``.

Operator mistakes (bad token, unreadable database, broken content) end as one
clear line on stderr and exit status 1, never a traceback; SIGTERM/SIGINT stop
the gateway, flush every pending row and exit 0; SIGHUP reloads the content
(and, with a shared PostgreSQL store, every other bot process's).

The store is whatever ``[storage]`` configures (SQLite file or PostgreSQL URL,
via ``bot.storage.open_store``); the bot class is ``bot_class(config)``, so
``[discord] shard_count``/``shard_ids`` make this process one of several.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from typing import Any

import aiohttp
import discord

from bot.client import FAQBot, apply_endpoints, bot_class, learned_phrasings
from bot.config import Config
from bot.content import ContentError, Knowledge, load_content
from bot.engine import Engine
from bot.storage import SQLiteStore, StorageError, Store, describe_store
from bot.storage import open_store as open_configured_store

log = logging.getLogger("bot")

EXIT_OK, EXIT_ERROR = 0, 1
REDACTED = "[token redacted]"


class RedactToken(logging.Filter):
    """Defence in depth: whatever logs it, the token never reaches a log line."""

    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secret:
            return True
        message = record.getMessage()
        if self.secret in message:
            record.msg = message.replace(self.secret, REDACTED)
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and self.secret in record.exc_text:
            record.exc_text = record.exc_text.replace(self.secret, REDACTED)
        return True


def setup_logging(config: Config) -> None:
    discord.utils.setup_logging(level=logging.getLevelName(config.logging.level), root=True)
    if config.token:
        redact = RedactToken(config.token)
        for handler in logging.getLogger().handlers:
            handler.addFilter(redact)


def _error(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_ERROR


async def open_store(config: Config) -> Store:
    """The configured store, opened and migrated; ``StorageError`` says what is wrong."""
    store = await open_configured_store(config)
    log.info("storage: %s", describe_store(config))
    if config.discord.shard_ids is not None and not config.storage.url:
        log.warning(
            "[discord] shard_ids with SQLite storage: other bot processes will not hear "
            "this one's content reloads or learned phrasings; set [storage] url (PostgreSQL)"
        )
    return store


def _storage_error(exc: StorageError) -> int:
    """One line even if the driver's message has several (a URL's password is never in it)."""
    return _error(" ".join(str(exc).split()))


async def load_knowledge(config: Config) -> Knowledge:
    return await asyncio.to_thread(load_content, config.content.path)


def _content_error(exc: ContentError) -> int:
    lines = [str(issue) for issue in exc.issues] or [str(exc)]
    return _error("content has errors:\n  " + "\n  ".join(lines))


# -- run -----------------------------------------------------------------------------------------


def run_bot(config: Config) -> int:
    """``python -m bot run``: the exit status."""
    setup_logging(config)
    try:
        return asyncio.run(_run(config))
    except KeyboardInterrupt:  # a second Ctrl-C during shutdown
        return 130


async def _run(config: Config) -> int:
    assert config.token, "cli checks the token before calling run_bot"
    apply_endpoints(config.discord.api_base_url, config.discord.gateway_url)
    try:
        store = await open_store(config)
    except StorageError as exc:
        return _storage_error(exc)
    status = 1
    try:
        try:
            knowledge = await load_knowledge(config)
        except ContentError as exc:
            return _content_error(exc)
        learned = await learned_phrasings(store)
        engine = await asyncio.to_thread(Engine, knowledge, config.engine, learned)
        log.info("content loaded: %s", knowledge.summary_line())
        bot = bot_class(config)(config, store, engine)
        status = await _serve(bot, config.token)
    finally:
        unwritten = await store.close()
        if unwritten:
            log.error("%d logged rows could not be written before exit", unwritten)
    # A clean stop means every logged row reached the database; say so in the status.
    return 1 if unwritten and status == 0 else status


async def _serve(bot: FAQBot, token: str) -> int:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    reloads: set[asyncio.Task[Any]] = set()

    def on_stop(signame: str) -> None:
        log.info("%s received: stopping", signame)
        stop.set()

    def on_hup() -> None:
        task = asyncio.create_task(_reload(bot))
        reloads.add(task)
        task.add_done_callback(reloads.discard)

    handled: list[signal.Signals] = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, on_stop, sig.name)
        handled.append(sig)
    if hasattr(signal, "SIGHUP"):
        loop.add_signal_handler(signal.SIGHUP, on_hup)
        handled.append(signal.SIGHUP)
    try:
        async with bot:
            runner = asyncio.create_task(bot.start(token), name="faqbot: gateway")
            stopper = asyncio.create_task(stop.wait())
            await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
            stopper.cancel()
            if runner.done():
                return _start_failure(runner)
            # Stop taking questions, let handlers in flight reply and queue their rows,
            # then close the gateway and HTTP session; the store is flushed by the caller.
            bot.stop_taking_events()
            await bot.drain()
            await bot.close()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(runner, 10)
            log.info("stopped cleanly")
            return EXIT_OK
    finally:
        for sig in handled:
            loop.remove_signal_handler(sig)


def _start_failure(runner: asyncio.Task[None]) -> int:
    """The gateway task ended on its own: say why in one line."""
    exc = runner.exception()
    if exc is None:
        return EXIT_OK
    if isinstance(exc, discord.LoginFailure):
        return _error(
            "Discord rejected the token (DISCORD_TOKEN): check it in the "
            "Developer Portal, Bot page, and reset it if needed"
        )
    if isinstance(exc, discord.PrivilegedIntentsRequired):
        return _error("Discord refused the gateway intents the bot asked for")
    log.error("the bot stopped", exc_info=(type(exc), exc, exc.__traceback__))
    return _error(f"the bot stopped: {type(exc).__name__}: {exc}")


async def _reload(bot: FAQBot) -> None:
    errors = await bot.reload_content()
    if errors:
        log.error("SIGHUP: content NOT reloaded, old content kept:\n  %s", "\n  ".join(errors))
    else:
        log.info("SIGHUP: content reloaded")


# -- sync ----------------------------------------------------------------------------------------


def sync_commands(config: Config, guild_id: int | None) -> int:
    """``python -m bot sync [--guild ID]``: register the commands, print what was synced."""
    setup_logging(config)
    return asyncio.run(_sync(config, guild_id))


async def _sync(config: Config, guild_id: int | None) -> int:
    assert config.token, "cli checks the token before calling sync_commands"
    apply_endpoints(config.discord.api_base_url, config.discord.gateway_url)
    try:
        knowledge = await load_knowledge(config)
    except ContentError as exc:
        return _content_error(exc)
    engine = await asyncio.to_thread(Engine, knowledge, config.engine)
    # The command tree needs no data: a throw-away store keeps the real database untouched.
    store = await SQLiteStore.open(":memory:")
    try:
        bot = FAQBot(config, store, engine, sync_on_start=False, background_tasks=False)
        async with bot:
            try:
                await bot.login(config.token)  # runs setup_hook: extensions build the tree
            except discord.LoginFailure:
                return _error("Discord rejected the token (DISCORD_TOKEN)")
            except (discord.HTTPException, aiohttp.ClientError, OSError) as exc:
                return _error(f"cannot reach Discord at {config.discord.api_base_url}: {exc}")
            try:
                if guild_id is None:
                    synced = await bot.tree.sync()
                    where = "globally (may take up to an hour to appear)"
                else:
                    guild = discord.Object(id=guild_id)
                    bot.tree.copy_global_to(guild=guild)
                    synced = await bot.tree.sync(guild=guild)
                    where = f"to guild {guild_id}"
            except discord.HTTPException as exc:
                return _error(f"Discord refused the commands: {exc}")
        names = ", ".join(
            f"/{c.name}" if c.type is discord.AppCommandType.chat_input else f'"{c.name}" (menu)'
            for c in sorted(synced, key=lambda c: (c.type.value, c.name))
        )
        print(f"synced {len(synced)} commands {where}: {names}")
        return EXIT_OK
    finally:
        await store.close()
