"""``python -m bot run`` / ``sync`` as users start them, as subprocesses, against FakeDiscord."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from bot.storage import open_readonly
from tests.e2e.harness import REPO, World, make_world, mention, no_answer_title, poll, slash
from tests.fakediscord import FakeDiscord

TOKEN = "smoke.token-that-must-never-be-logged.XYZ"
UNANSWERED = "tell me about elbow stuff"


def write_config(tmp_path: Path, server: FakeDiscord, world: World) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        "[discord]\n"
        f'api_base_url = "{server.api_base_url}"\n'
        f'gateway_url = "{server.gateway_url}"\n'
        f'dev_guild_ids = ["{world.guild.id}"]\n'
        "[storage]\n"
        'database_path = "data/bot.sqlite3"\n'
        "[logging]\n"
        'level = "DEBUG"\n',
        encoding="utf-8",
    )
    return path


def bot_env(token: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_") and k != "DISCORD_TOKEN"}
    env["PYTHONPATH"] = str(REPO)
    if token:
        env["DISCORD_TOKEN"] = token
    return env


async def start(config: Path, *args: str, token: str | None = TOKEN) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        "--config",
        str(config),
        cwd=config.parent,
        env=bot_env(token),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


@pytest.mark.asyncio
async def test_run_connects_syncs_answers_and_exits_0_on_sigterm(
    server: FakeDiscord, tmp_path: Path
) -> None:
    world = make_world(server)
    config = write_config(tmp_path, server, world)
    proc = await start(config, "run")
    try:
        await poll(lambda: next(iter(server.gateway.live_sessions()), None), 30, "a session")
        commands = await poll(
            lambda: server.guild_commands.get(world.guild.id), 30, "commands synced to the guild"
        )
        await poll(
            lambda: next((s for s in server.gateway.live_sessions() if s.connected), None), 30
        )
        assert {"ask", "topics", "about", "spasm-causes", "when-to-see-doctor"} <= {
            c["name"] for c in commands
        }
        assert server.commands == []  # never global on start
        _, reply = await mention(server, world.general, world.alice, "why do my calves cramp?")
        assert reply["embeds"]
        data = await slash(server, "ask", world.alice, world.general, question=UNANSWERED)
        assert data["embeds"][0]["title"] == no_answer_title()
        dm = server.dm_channel(world.bob)
        asked = await server.send_message(dm, world.bob, "what is a charley horse?")
        assert (await server.wait_for_reply(asked["id"]))["embeds"]
        proc.send_signal(signal.SIGHUP)  # reload the content, keep running
        assert proc.stderr is not None
        seen = b""
        while b"content reloaded" not in seen:
            seen += await asyncio.wait_for(proc.stderr.readline(), 15)
        proc.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(proc.communicate(), 30)
        err = seen + err
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    log = (out + err).decode()
    assert proc.returncode == 0, log
    assert TOKEN not in log
    store = await open_readonly(tmp_path / "data/bot.sqlite3")
    try:
        assert [r.question for r in await store.list_rows(world.guild.id)] == [UNANSWERED]
    finally:
        await store.close()


@pytest.mark.asyncio
async def test_sync_registers_commands_to_one_guild(server: FakeDiscord, tmp_path: Path) -> None:
    world = make_world(server)
    config = write_config(tmp_path, server, world)
    proc = await start(config, "sync", "--guild", world.guild.id)
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()
    assert f"to guild {world.guild.id}" in out.decode() and "/ask" in out.decode()
    assert {c["name"] for c in server.guild_commands[world.guild.id]} >= {"ask", "about"}
    assert not (tmp_path / "data").exists()  # sync leaves the database alone


@pytest.mark.asyncio
async def test_run_with_a_rejected_token_says_so_in_one_line(
    server: FakeDiscord, tmp_path: Path
) -> None:
    world = make_world(server)
    config = write_config(tmp_path, server, world)
    server.fail_next("GET", r"^/users/@me$", 401)
    proc = await start(config, "run")
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 1
    lines = [line for line in err.decode().splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "token" in lines[0]
    assert TOKEN not in (out + err).decode()


@pytest.mark.asyncio
async def test_run_without_token_exits_nonzero_with_one_clear_line(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    proc = await start(config, "run", token=None)
    _, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode != 0
    lines = err.decode().strip().splitlines()
    assert len(lines) == 1 and "DISCORD_TOKEN" in lines[0]


@pytest.mark.asyncio
async def test_run_with_a_corrupt_database_stops_and_touches_nothing(
    server: FakeDiscord, tmp_path: Path
) -> None:
    world = make_world(server)
    config = write_config(tmp_path, server, world)
    database = tmp_path / "data/bot.sqlite3"
    database.parent.mkdir()
    database.write_bytes(b"not a database at all" * 100)
    proc = await start(config, "run")
    _, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 1
    lines = [line for line in err.decode().splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "bot.sqlite3" in lines[0], lines
    assert database.read_bytes() == b"not a database at all" * 100
    assert sorted(p.name for p in database.parent.iterdir()) == ["bot.sqlite3"]


@pytest.mark.asyncio
async def test_run_with_broken_content_says_where(server: FakeDiscord, tmp_path: Path) -> None:
    world = make_world(server)
    config = write_config(tmp_path, server, world)
    (tmp_path / "content").mkdir()
    config.write_text(
        config.read_text(encoding="utf-8") + '[content]\npath = "content"\n', encoding="utf-8"
    )
    proc = await start(config, "run")
    _, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 1
    text = err.decode()
    assert any(line.startswith("error: content has errors") for line in text.splitlines())
    assert "texts.toml" in text
    assert "Traceback" not in text
