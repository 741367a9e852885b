"""Two ``python -m bot run`` processes (shards 0 and 1 of 2), one PostgreSQL, one FakeDiscord.

The proof of issue 10: each question is answered once, by the process whose
shard owns the guild; every unanswered question lands in the one database and
``missed list`` shows it from either process's config; ``/faq-reload`` in one
process reloads the other's content at once; SIGTERM to one process flushes its
rows and exits 0 while the other keeps answering.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.content import load_content
from bot.engine import Engine
from bot.storage import MissedRow
from tests import pg
from tests.e2e.harness import CONTENT, REPO, World, make_world, mention, poll
from tests.fakediscord import FakeDiscord

TOKEN = "shard.token-that-must-never-be-logged.XYZ"
SHARDS = 2
NEW_PHRASING = "zorblax quiver wobble"
UNANSWERED = "tell me about elbow stuff"
START_TIMEOUT = 30.0


@dataclass
class BotProcess:
    """One bot subprocess; its stderr is read continuously (a full pipe would block it)."""

    shard: int
    config: Path
    proc: asyncio.subprocess.Process
    lines: list[str] = field(default_factory=list)
    reader: asyncio.Task[None] | None = None

    async def _read(self) -> None:
        assert self.proc.stderr is not None
        async for raw in self.proc.stderr:
            self.lines.append(raw.decode(errors="replace").rstrip())

    def count(self, text: str) -> int:
        return sum(text in line for line in self.lines)

    async def wait_for_line(self, text: str, times: int = 1, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        await poll(
            lambda: True if self.count(text) >= times else None,
            timeout,
            f"shard {self.shard} to log {text!r} x{times}\n" + "\n".join(self.lines[-30:]),
        )

    async def stop(self) -> int:
        """SIGTERM; the exit status."""
        self.proc.send_signal(signal.SIGTERM)
        status = await asyncio.wait_for(self.proc.wait(), 30)
        if self.reader is not None:
            await asyncio.wait_for(self.reader, 5)
        return status

    @property
    def log(self) -> str:
        return "\n".join(self.lines)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_") and k != "DISCORD_TOKEN"}
    env["PYTHONPATH"] = str(REPO)
    env["DISCORD_TOKEN"] = TOKEN
    return env


def shard_of(world: World) -> int:
    return (int(world.guild.id) >> 22) % SHARDS


def worlds_on_every_shard(server: FakeDiscord) -> dict[int, World]:
    """One guild (with members and a moderator) per shard; snowflakes decide the shard."""
    worlds: dict[int, World] = {}
    while len(worlds) < SHARDS:
        world = make_world(server, f"Guild {len(server.guilds)}")
        worlds.setdefault(shard_of(world), world)
    return worlds


def write_config(root: Path, server: FakeDiscord, world: World, url: str, shard: int) -> Path:
    folder = root / f"shard{shard}"
    folder.mkdir()
    path = folder / "config.toml"
    path.write_text(
        "[discord]\n"
        f'api_base_url = "{server.api_base_url}"\n'
        f'gateway_url = "{server.gateway_url}"\n'
        f'dev_guild_ids = ["{world.guild.id}"]\n'
        f"shard_count = {SHARDS}\n"
        f"shard_ids = [{shard}]\n"
        "[storage]\n"
        f'url = "{url}"\n'
        "[content]\n"
        'path = "../content"\n'
        "[cooldown]\n"
        "rate = 100\n"
        "[logging]\n"
        'level = "INFO"\n',
        encoding="utf-8",
    )
    return path


def add_phrasing(content: Path, phrasing: str) -> str:
    """Teach the copied content a new phrasing (first entry of the first topic); its title."""
    topic = sorted((content / "topics").glob("*.toml"))[0]
    text = topic.read_text(encoding="utf-8")
    text = re.sub(
        r"^questions = \[\n", f'questions = [\n  "{phrasing}",\n', text, count=1, flags=re.M
    )
    topic.write_text(text, encoding="utf-8")
    entry = Engine(load_content(content)).ask(phrasing).entry
    assert entry is not None, "the edited content does not answer the new phrasing"
    return entry.title


async def start(shard: int, config: Path) -> BotProcess:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        "--config",
        str(config),
        cwd=config.parent,
        env=_env(),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    bot = BotProcess(shard, config, proc)
    bot.reader = asyncio.create_task(bot._read())
    return bot


async def cli(config: Path, *args: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        "--config",
        str(config),
        cwd=config.parent,
        env=_env(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


def receivers(server: FakeDiscord, message_id: str) -> list[tuple[int, int] | None]:
    """The shards of the gateway sessions that were sent this MESSAGE_CREATE."""
    return [
        session.shard
        for session in server.gateway.sessions
        if any(
            frame.get("t") == "MESSAGE_CREATE" and frame["d"]["id"] == message_id
            for frame in session.log
        )
    ]


def replies_to(server: FakeDiscord, message_id: str) -> int:
    return sum(
        str((m.get("message_reference") or {}).get("message_id")) == message_id
        for messages in server.messages.values()
        for m in messages
    )


@contextlib.asynccontextmanager
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord(shard_count=SHARDS)
    await server.start()
    try:
        yield server
        assert server.violations == [], "\n".join(server.violations)
    finally:
        await server.close()


async def rows_in(url: str, guild_id: str, count: int) -> list[MissedRow]:
    """The guild's rows once ``count`` of them are in the database (writers batch)."""
    from bot.storage.postgres import PostgresStore

    store = await PostgresStore.open(url, readonly=True)
    try:
        found: list[MissedRow] = []
        for _ in range(200):
            found = await store.list_rows(guild_id, "all")
            if len(found) >= count:
                return found
            await asyncio.sleep(0.05)
        return found
    finally:
        await store.close()


@pytest.mark.asyncio
async def test_two_shard_processes_share_one_postgresql(tmp_path: Path) -> None:
    url = pg.fresh_database(pg.get_server(), "shard")
    shutil.copytree(CONTENT, tmp_path / "content")
    async with fake_discord() as server:
        worlds = worlds_on_every_shard(server)
        configs = {s: write_config(tmp_path, server, w, url, s) for s, w in worlds.items()}
        bots = {s: await start(s, configs[s]) for s in sorted(configs)}
        try:
            await _scenario(server, worlds, bots, url, tmp_path / "content")
        finally:
            for bot in bots.values():
                if bot.proc.returncode is None:
                    bot.proc.kill()
                    await bot.proc.wait()
                if bot.reader is not None:
                    bot.reader.cancel()
                print(f"--- shard {bot.shard} log ---\n{bot.log}")  # shown if the test fails
        for bot in bots.values():
            assert TOKEN not in bot.log


async def _connected(server: FakeDiscord) -> None:
    def both() -> bool | None:
        shards = {s.shard for s in server.gateway.live_sessions() if s.connected}
        return True if shards == {(i, SHARDS) for i in range(SHARDS)} else None

    await poll(both, START_TIMEOUT, "one gateway session per shard")


async def _scenario(
    server: FakeDiscord,
    worlds: dict[int, World],
    bots: dict[int, BotProcess],
    url: str,
    content: Path,
) -> None:
    await _connected(server)
    # Each process asked for the session start limit, then identified for its own shard only.
    assert sum(r.api_path == "/gateway/bot" for r in server.requests) == SHARDS
    assert sorted(s.shard for s in server.gateway.sessions if s.shard) == [(0, 2), (1, 2)]
    await poll(lambda: server.guild_commands.get(worlds[0].guild.id), START_TIMEOUT, "sync")

    # 1. Questions on both shards: answered once, by the process owning the guild.
    asked: dict[str, int] = {}
    for shard, world in worlds.items():
        for user, text in ((world.alice, "why do my calves cramp?"), (world.bob, UNANSWERED)):
            message, reply = await mention(server, world.general, user, text)
            assert reply["embeds"], reply
            asked[message["id"]] = shard

    # 2. Every unanswered row is in the one database; `missed list` shows it from either config.
    for world in worlds.values():
        assert [r.question for r in await rows_in(url, world.guild.id, 1)] == [UNANSWERED]
    for config in (bots[0].config, bots[1].config):
        for world in worlds.values():
            status, out, err = await cli(
                config, "missed", "list", "--guild", world.guild.id, "--json"
            )
            assert status == 0, err
            assert [json.loads(line)["question"] for line in out.splitlines()] == [UNANSWERED]

    # 3. /faq-reload in shard 0's guild reloads shard 1's process at once.
    title = add_phrasing(content, NEW_PHRASING)
    interaction = await server.invoke_command(
        "faq-reload", user=worlds[0].mod, channel=worlds[0].general
    )
    response = await server.wait_for_interaction_response(interaction.id, 15)
    assert response["content"].startswith("Content reloaded."), response
    await bots[1].wait_for_line("content reload requested by another bot process")
    await bots[1].wait_for_line("content reloaded", times=1)
    message, reply = await mention(server, worlds[1].general, worlds[1].alice, NEW_PHRASING)
    asked[message["id"]] = 1
    assert reply["embeds"][0]["title"] == title
    assert bots[0].count("requested by another bot process") == 0  # no echo, no loop
    assert bots[1].count("content reloaded") == 1

    # 4. SIGTERM to shard 1: its rows are flushed, exit 0; shard 0 keeps answering.
    pending = [f"{UNANSWERED} number {i}" for i in range(5)]
    for text in pending:
        message, _ = await mention(server, worlds[1].general, worlds[1].bob, text)
        asked[message["id"]] = 1
    assert await bots[1].stop() == 0, bots[1].log
    assert "stopped cleanly" in bots[1].log
    stored = {r.question for r in await rows_in(url, worlds[1].guild.id, 1 + len(pending))}
    assert stored == {UNANSWERED, *pending}
    message, reply = await mention(
        server, worlds[0].general, worlds[0].alice, "what is a charley horse?"
    )
    asked[message["id"]] = 0
    assert reply["embeds"]

    # Exactly one reply per question, each delivered only to its guild's shard.
    await asyncio.sleep(0.3)  # a duplicate reply would have arrived by now
    for message_id, shard in asked.items():
        assert receivers(server, message_id) == [(shard, SHARDS)]
        assert replies_to(server, message_id) == 1
