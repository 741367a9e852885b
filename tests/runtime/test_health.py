"""The heartbeat file and ``python -m bot healthcheck`` (the container HEALTHCHECK)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from bot.cli import main
from bot.health import beat_while, check, heartbeat_age, write_heartbeat
from tests.e2e.harness import World, make_world, poll, running_bot
from tests.fakediscord import FakeDiscord


def test_fresh_beat_is_healthy_and_stale_or_missing_is_not(tmp_path: Path) -> None:
    beat = tmp_path / "hb" / "heartbeat"
    assert check(beat)[0] is False  # no file yet
    write_heartbeat(beat, now=time.time() - 10)
    healthy, line = check(beat, max_age=90)
    assert healthy and "healthy" in line
    write_heartbeat(beat, now=time.time() - 500)
    healthy, line = check(beat, max_age=90)
    assert not healthy and "500 s ago" in line
    beat.write_text("garbage\n")
    assert heartbeat_age(beat) is None
    assert check(None)[0] is False


def test_healthcheck_command_exit_status(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    beat = tmp_path / "heartbeat"
    monkeypatch.setenv("BOT_HEALTH_HEARTBEAT_PATH", str(beat))
    monkeypatch.chdir(tmp_path)
    assert main(["healthcheck"]) == 1
    assert "no heartbeat yet" in capsys.readouterr().err
    write_heartbeat(beat)
    assert main(["healthcheck"]) == 0
    write_heartbeat(beat, now=time.time() - 60)
    assert main(["healthcheck", "--max-age", "30"]) == 1


@pytest.mark.asyncio
async def test_beats_only_while_healthy(tmp_path: Path) -> None:
    beat = tmp_path / "heartbeat"
    state = {"healthy": False}
    task = asyncio.create_task(beat_while(beat, lambda: state["healthy"], interval=0.05))
    try:
        await asyncio.sleep(0.15)
        assert not beat.exists()
        state["healthy"] = True
        await poll(lambda: beat.exists() or None, timeout=3, what="a heartbeat")
    finally:
        task.cancel()


@pytest.mark.asyncio
async def test_running_bot_writes_its_heartbeat(server: FakeDiscord, tmp_path: Path) -> None:
    world: World = make_world(server)
    beat = tmp_path / "heartbeat"
    async with running_bot(tmp_path, server, world, health={"heartbeat_path": beat}) as bot:
        assert bot.healthy()
        await poll(lambda: beat.exists() or None, timeout=5, what="the bot's heartbeat")
        assert check(beat)[0]
    assert not bot.healthy()
