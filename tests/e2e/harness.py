"""End-to-end harness: the real FAQBot against FakeDiscord, with a temp SQLite db.

Reusable by any e2e test (members, moderation, privacy)::

    from tests.e2e.harness import make_world, running_bot, slash, mention, rows

    async def test_something(server, tmp_path):          # ``server``: conftest fixture
        world = make_world(server)                       # guild, #general, alice, bob, mods role
        async with running_bot(tmp_path, server, world,  # commands synced to world.guild
                               cooldown={"rate": 2}) as bot:
            data = await slash(server, "ask", world.alice, world.general,
                               question="why do my calves cramp?")
            assert data["embeds"][0]["title"]
            await bot.store.writer.flush()               # before reading the db

``running_bot(tmp_path, server, world=None, *, db_path=None, **sections)``:
``sections`` override config sections by name with a dict of keys, e.g.
``storage={"retention_days": 7}``, ``engine={"min_score": 0.99}``,
``moderation={"role_ids": (int(world.mods.id),)}``. The same ``db_path``
(default ``tmp_path / "bot.sqlite3"``) in a second ``running_bot`` is a
restart. Endpoints are set with ``bot.client.apply_endpoints`` and restored on
exit; the bot, gateway task and store are always closed.

The ``server`` fixture (tests/conftest.py) checks ``server.violations`` is
empty after each test: every request body was valid and pinged nobody.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from bot.client import FAQBot, apply_endpoints, learned_phrasings
from bot.config import Config, DiscordSettings, StorageSettings
from bot.content import Knowledge, load_content
from bot.engine import Engine
from bot.storage import MissedRow, SQLiteStore

try:
    from tests.fakediscord import Channel, FakeDiscord, Guild, Restore, Role, User
except ImportError:  # pragma: no cover - tests/ itself on sys.path
    from fakediscord import (  # type: ignore[import-not-found,no-redef]
        Channel,
        FakeDiscord,
        Guild,
        Restore,
        Role,
        User,
    )

REPO = Path(__file__).resolve().parents[2]
CONTENT = REPO / "content"
FAKE_TOKEN = "fake-token-for-tests.abcdef.0123456789"
READY_TIMEOUT = 10.0
T = TypeVar("T")


@dataclass
class World:
    """A guild with a text channel, two members, a moderator role and its holder."""

    guild: Guild
    general: Channel
    alice: User
    bob: User
    mods: Role
    mod: User


def make_world(server: FakeDiscord, name: str = "Cramp Club") -> World:
    guild = server.add_guild(name)
    general = guild.add_channel("general")
    mods = guild.add_role("moderators", permissions=1 << 13)  # MANAGE_MESSAGES
    alice, bob, mod = server.add_user("alice"), server.add_user("bob"), server.add_user("mod")
    for user in (alice, bob):
        guild.add_member(user)
    guild.add_member(mod, roles=[mods])
    return World(guild, general, alice, bob, mods, mod)


@functools.cache
def shipped_knowledge(path: Path = CONTENT) -> Knowledge:
    """Content is immutable: load it once per test process (engines are built per bot)."""
    return load_content(path)


def make_config(
    tmp_path: Path,
    server: FakeDiscord,
    world: World | None = None,
    *,
    db_path: Path | None = None,
    **sections: dict[str, Any],
) -> Config:
    config = Config(
        discord=DiscordSettings(
            api_base_url=server.api_base_url,
            gateway_url=server.gateway_url,
            dev_guild_ids=(int(world.guild.id),) if world else (),
        ),
        storage=StorageSettings(database_path=db_path or tmp_path / "bot.sqlite3"),
        token=FAKE_TOKEN,
    )
    for section, keys in sections.items():
        current = getattr(config, section)
        config = dataclasses.replace(config, **{section: dataclasses.replace(current, **keys)})
    return config


@contextlib.asynccontextmanager
async def running_bot(
    tmp_path: Path,
    server: FakeDiscord,
    world: World | None = None,
    *,
    db_path: Path | None = None,
    config: Config | None = None,
    **sections: dict[str, Any],
) -> AsyncIterator[FAQBot]:
    """A started FAQBot connected to ``server``; closed (store flushed) on exit."""
    config = config or make_config(tmp_path, server, world, db_path=db_path, **sections)
    restore = Restore()
    apply_endpoints(config.discord.api_base_url, config.discord.gateway_url)
    store = await SQLiteStore.open(
        config.storage.database_path,
        store_raw_user_ids=config.storage.store_raw_user_ids,
        queue_size=config.storage.queue_size,
    )
    bot: FAQBot | None = None
    task: asyncio.Task[None] | None = None
    try:
        knowledge = (
            shipped_knowledge()
            if config.content.path == CONTENT
            else load_content(config.content.path)
        )
        engine = Engine(knowledge, config.engine, await learned_phrasings(store))
        bot = FAQBot(config, store, engine, guild_ready_timeout=0.05)
        await bot.login(FAKE_TOKEN)
        task = asyncio.create_task(bot.connect(reconnect=True))
        await asyncio.wait_for(bot.wait_until_ready(), READY_TIMEOUT)
        yield bot
    finally:
        if bot is not None:
            await bot.close()
        if task is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(task, 5)
        await store.close()
        restore()


# -- scenario helpers ----------------------------------------------------------------------------


async def slash(
    server: FakeDiscord,
    name: str,
    user: User,
    channel: Channel,
    *,
    timeout: float = 5.0,  # noqa: ASYNC109 - passed on to the fake server
    **options: Any,
) -> dict[str, Any]:
    """Run ``/name`` with ``options``; the message data the member sees."""
    interaction = await server.invoke_command(name, user=user, channel=channel, options=options)
    return await server.wait_for_interaction_response(interaction.id, timeout)


async def mention(
    server: FakeDiscord, channel: Channel, user: User, text: str, **kwargs: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``user`` posts ``@bot text``; (the question message, the bot's reply)."""
    message = await server.send_message(
        channel, user, f"{server.mention(server.bot_user)} {text}", **kwargs
    )
    reply = await server.wait_for_reply(message["id"])
    return message, reply


async def rows(bot: FAQBot, guild_id: str, status: str = "all") -> list[MissedRow]:
    """Logged questions of a guild (or "dm") once handlers finished and the writer flushed."""
    await bot.drain()
    await bot.store.writer.flush()
    return await bot.store.list_rows(guild_id, status)


def no_answer_title(question: str = "tell me about elbow stuff") -> str:
    """The no-answer card's title as the engine currently words it (content may change it)."""
    from bot.engine import render_decision

    knowledge = shipped_knowledge()
    reply = render_decision(knowledge, Engine(knowledge).ask(question))
    return reply.cards[0].title


def custom_ids(message: dict[str, Any]) -> list[str]:
    """Every component custom_id on a message, in order."""
    return [
        c["custom_id"]
        for row in message.get("components") or []
        for c in row.get("components") or []
        if "custom_id" in c
    ]


def component(message: dict[str, Any], custom_id: str) -> dict[str, Any]:
    for row in message.get("components") or []:
        for c in row.get("components") or []:
            if c.get("custom_id") == custom_id:
                return dict(c)
    raise LookupError(custom_id)


async def poll(
    check: Callable[[], T | None],
    timeout: float = 10.0,  # noqa: ASYNC109 - a deadline for polling, not for one await
    what: str = "a condition",
) -> T:
    """Re-check ``check`` every 20 ms; for state whose changes the server does not announce
    (e.g. a gateway session connecting: ``FakeDiscord.wait_for_session`` only wakes on notify)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = check()
        if result is not None:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.02)
