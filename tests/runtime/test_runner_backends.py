"""Bot processes sharing one database: purge lock, reload and learned-phrasing broadcast,
shard options and IDENTIFY pacing, and the runner's one-line storage errors.

Two ``FAQBot`` objects on two ``PostgresStore``s of one database stand in for two
shard processes (no gateway needed: coordination goes through the database).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path

import discord
import discord.gateway
import discord.http
import discord.webhook.async_
import pytest

from bot.client import FAQBot, IdentifyGate, ShardedFAQBot, bot_class
from bot.config import Config, ContentSettings, DiscordSettings, StorageSettings
from bot.engine import Engine, Learned
from bot.runtime.coordination import Coordinator, LearnedNotice
from bot.storage import MissedRecord, Store, open_store
from bot.storage.sqlite import SQLiteStore
from tests import pg
from tests.e2e.harness import CONTENT, shipped_knowledge

pytestmark = pytest.mark.asyncio
NEW_PHRASING = "zorblax quiver wobble"


def config_for(url: str | None, tmp_path: Path) -> Config:
    return Config(
        storage=StorageSettings(url=url, database_path=tmp_path / "bot.sqlite3"),
        content=ContentSettings(path=CONTENT),
    )


def some_entry() -> str:
    return sorted(shipped_knowledge().entries)[0]


@contextlib.asynccontextmanager
async def bots(config: Config, count: int = 2) -> AsyncIterator[list[FAQBot]]:
    """``count`` bots (as if in separate processes), each with its own store, listening."""
    stores: list[Store] = []
    made: list[FAQBot] = []
    try:
        for _ in range(count):
            store = await open_store(config)
            stores.append(store)
            bot = FAQBot(config, store, Engine(shipped_knowledge(), config.engine))
            made.append(bot)
            await bot.start_coordination()
        yield made
    finally:
        for bot in made:
            await bot.coordinator.stop()
        for store in stores:
            await store.close()


@pytest.fixture
def pg_config(tmp_path: Path) -> Config:
    return config_for(pg.fresh_database(pg.get_server(), "runner"), tmp_path)


async def eventually(check: object, timeout: float = 5.0) -> None:  # noqa: ASYNC109
    assert callable(check)
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


# -- purge ---------------------------------------------------------------------------------------


async def test_purge_runs_in_one_process_only(pg_config: Config) -> None:
    async with bots(pg_config) as (a, b):
        assert await a.purge_once() == 0
        assert await b.purge_once() is None  # a holds the lock
        assert await a.purge_once() == 0  # and keeps it, day after day
        await a.store.close()  # the holder goes away: its lock goes with its connection
        assert await b.purge_once() == 0


async def test_purge_with_sqlite_always_runs(tmp_path: Path) -> None:
    async with bots(config_for(None, tmp_path), count=1) as (a,):
        assert await a.purge_once() == 0
        assert await a.purge_once() == 0


# -- reload and learned phrasings ----------------------------------------------------------------


async def test_reload_reaches_the_other_process_once_without_echo(pg_config: Config) -> None:
    async with bots(pg_config) as (a, b):
        a_before, b_before = a.engine, b.engine
        assert await a.reload_content() == []
        a_after = a.engine
        await eventually(lambda: b.engine is not b_before)
        await asyncio.sleep(0.3)  # an echo back to a would have arrived by now
        assert a.engine is a_after is not a_before


async def test_global_learned_phrasing_reaches_the_other_process(pg_config: Config) -> None:
    entry = some_entry()
    async with bots(pg_config) as (a, b):
        assert b.engine.ask(NEW_PHRASING).entry is None
        assert await a.learn(Learned(NEW_PHRASING, entry, None)) is True
        assert a.engine.ask(NEW_PHRASING).entry.id == entry  # type: ignore[union-attr]
        await eventually(lambda: b.engine.ask(NEW_PHRASING).entry is not None)
        assert b.engine.ask(NEW_PHRASING, guild_id="42").entry.id == entry  # type: ignore[union-attr]


async def test_guild_learned_phrasing_reaches_the_other_process_for_that_guild(
    pg_config: Config,
) -> None:
    entry = some_entry()
    async with bots(pg_config) as (a, b):
        await a.learn(Learned(NEW_PHRASING, entry, "7"))
        await eventually(lambda: b.engine.ask(NEW_PHRASING, guild_id="7").entry is not None)
        assert b.engine.ask(NEW_PHRASING, guild_id="8").entry is None


async def test_a_phrasing_too_long_to_send_is_read_back_from_the_store(pg_config: Config) -> None:
    entry = some_entry()
    async with bots(pg_config) as (a, b):
        await a.store.log_missed(
            MissedRecord(
                source_id="1",
                guild_id="7",
                channel_id="1",
                author_id=1,
                question=NEW_PHRASING,
                normalised=NEW_PHRASING,
                candidates=[],
                reason="no_answer",
            )
        )
        await a.store.writer.flush()
        row = (await a.store.list_rows("7"))[0]
        assert await a.store.resolve("7", row.id, entry, moderator_id=1) is not None
        await b._learned_elsewhere(LearnedNotice(entry, "7", None))
        assert b.engine.ask(NEW_PHRASING, guild_id="7").entry.id == entry  # type: ignore[union-attr]


async def test_coordinator_ignores_its_own_and_malformed_payloads(tmp_path: Path) -> None:
    store = await SQLiteStore.open(":memory:")
    try:
        coordinator = Coordinator(store)
        heard: list[object] = []

        async def on_reload() -> None:
            heard.append("reload")

        async def on_learned(notice: LearnedNotice) -> None:
            heard.append(notice)

        reload_cb = coordinator._reload(on_reload)
        learned_cb = coordinator._learned(on_learned)
        await reload_cb(json.dumps({"origin": coordinator.origin}))
        await reload_cb("not json")
        await learned_cb(json.dumps({"origin": "other", "entry_id": 5}))
        assert heard == []
        await reload_cb(json.dumps({"origin": "other"}))
        payload = {"origin": "other", "entry_id": "e", "guild_id": None, "phrasing": "p"}
        await learned_cb(json.dumps(payload))
        assert heard == ["reload", LearnedNotice("e", None, "p")]
    finally:
        await store.close()


# -- sharding ------------------------------------------------------------------------------------


async def test_bot_class_follows_shard_settings(tmp_path: Path) -> None:
    plain = config_for(None, tmp_path)
    sharded = Config(discord=DiscordSettings(shard_count=4, shard_ids=(1, 3)))
    assert bot_class(plain) is FAQBot
    assert bot_class(sharded) is ShardedFAQBot
    store = await SQLiteStore.open(":memory:")
    try:
        bot = bot_class(sharded)(sharded, store, Engine(shipped_knowledge()))
        assert isinstance(bot, discord.AutoShardedClient) and isinstance(bot, FAQBot)
        assert (bot.shard_count, bot.shard_ids) == (4, [1, 3])
        single = bot_class(plain)(plain, store, Engine(shipped_knowledge()))
        assert not isinstance(single, discord.AutoShardedClient)
        assert single.shard_count is None
    finally:
        await store.close()


async def test_identify_gate_spaces_shards_of_one_bucket_only() -> None:
    gate = IdentifyGate(max_concurrency=2, interval=0.3)
    loop = asyncio.get_running_loop()
    started = loop.time()
    await gate.wait(0)
    await gate.wait(1)  # another bucket: at once
    assert loop.time() - started < 0.1
    await gate.wait(2)  # bucket 0 again: waits out the interval
    assert loop.time() - started >= 0.29


# -- runner --------------------------------------------------------------------------------------


async def test_unreachable_postgresql_is_one_line_without_password(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.runner import _run

    for owner, name in (
        (discord.http.Route, "BASE"),
        (discord.webhook.async_.Route, "BASE"),  # type: ignore[attr-defined]
        (discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY"),
    ):
        monkeypatch.setattr(owner, name, getattr(owner, name))  # _run points them elsewhere

    url = "postgresql://bob:s3cret@127.0.0.1:9/faq"  # port 9 (discard): refused
    config = Config(storage=StorageSettings(url=url), token="x.y.z")
    assert await _run(config) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: postgresql://bob:***@127.0.0.1:9/faq")
    assert "s3cret" not in err[0]
