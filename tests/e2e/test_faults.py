"""Faults Discord and the disk really produce, injected on the wire, with the real bot.

Why these exist: a reply that fails once and is retried must still reach the
member exactly once; an unavailable database must delay only the logging,
never a reply, and lose nothing; SIGTERM and a gateway drop in the middle of a
burst must neither drop nor duplicate a logged question. Each test ends by
checking that FakeDiscord saw no request Discord would reject (``violations``).

Injected 500s cost about a second each (discord.py sleeps ``1 + 2 * try``
before retrying), so each test injects at most one.
"""

from __future__ import annotations

import asyncio
import logging
import re
import signal
import sqlite3
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.harness import REPO, World, mention, poll, rows, running_bot, slash
from tests.e2e.test_smoke import TOKEN, bot_env
from tests.fakediscord import FakeDiscord

ANSWERED = "why do my calves cramp at night?"
UNANSWERED = "tell me about elbow stuff"
REPLY_PATH = r"^/channels/\d+/messages$"
CALLBACK_PATH = r"^/interactions/\d+/[^/]+/callback$"
#: Bursts come from one member: lift the per-member cooldown so every question is answered.
NO_COOLDOWN: dict[str, Any] = {"rate": 1000}


def unanswerable(i: int) -> str:
    """A distinct question the engine cannot answer (so each one is logged)."""
    return f"{UNANSWERED} {i}"


def statuses(server: FakeDiscord, path_regex: str) -> list[int | None]:
    """Status of every POST to ``path_regex`` in order (faulted ones have no route)."""
    pattern = re.compile(path_regex)
    return [r.status for r in server.requests if r.method == "POST" and pattern.search(r.api_path)]


def reply_counts(server: FakeDiscord) -> Counter[str]:
    """How many bot messages reference each question id."""
    return Counter(
        str(m["message_reference"]["message_id"])
        for messages in server.messages.values()
        for m in messages
        if m["author"]["id"] == server.bot_user.id and m.get("message_reference")
    )


async def burst(server: FakeDiscord, world: World, questions: list[str]) -> list[str]:
    """Post each question as ``@bot question`` by alice; the message ids, in order."""
    at_bot = server.mention(server.bot_user)
    return [
        (await server.send_message(world.general, world.alice, f"{at_bot} {q}"))["id"]
        for q in questions
    ]


async def all_replied(server: FakeDiscord, ids: list[str], timeout: float) -> Counter[str]:  # noqa: ASYNC109
    """Wait (on server notifications) until every message in ``ids`` has a reply."""

    def check() -> Counter[str] | None:
        counts = reply_counts(server)
        return counts if all(counts[i] for i in ids) else None

    return await server.notifier.wait_for(check, timeout, f"replies to {len(ids)} questions")


# -- 5xx and 429 are retried, the member sees one reply -----------------------------------------


@pytest.mark.asyncio
async def test_a_500_on_the_reply_is_retried_and_answers_once(
    server: FakeDiscord, world: World, tmp_path: Path
) -> None:
    async with running_bot(tmp_path, server, world) as bot:
        server.fail_next("POST", REPLY_PATH, 500)
        message, reply = await mention(server, world.general, world.alice, UNANSWERED)
        assert reply["embeds"]
        assert statuses(server, REPLY_PATH) == [500, 200]
        assert reply_counts(server)[message["id"]] == 1
        assert [r.question for r in await rows(bot, world.guild.id)] == [UNANSWERED]
    assert server.violations == []


@pytest.mark.asyncio
async def test_a_500_on_the_interaction_callback_is_retried_and_answers_once(
    server: FakeDiscord, world: World, tmp_path: Path
) -> None:
    async with running_bot(tmp_path, server, world) as bot:
        server.fail_next("POST", CALLBACK_PATH, 500)
        data = await slash(server, "ask", world.alice, world.general, question=UNANSWERED)
        assert data["embeds"]
        assert statuses(server, CALLBACK_PATH) == [500, 200]
        assert [r.question for r in await rows(bot, world.guild.id)] == [UNANSWERED]
    assert server.violations == []


@pytest.mark.asyncio
async def test_429s_with_discords_headers_are_retried_and_answer_once(
    server: FakeDiscord, world: World, tmp_path: Path
) -> None:
    async with running_bot(tmp_path, server, world, cooldown=NO_COOLDOWN):
        server.fail_next("POST", REPLY_PATH, 429, count=2, retry_after=0.05)
        message, reply = await mention(server, world.general, world.alice, ANSWERED)
        assert reply["embeds"]
        assert statuses(server, REPLY_PATH) == [429, 429, 200]
        assert reply_counts(server)[message["id"]] == 1

        server.fail_next("POST", CALLBACK_PATH, 429, retry_after=0.05)
        data = await slash(server, "ask", world.alice, world.general, question=ANSWERED)
        assert data["embeds"]
        assert statuses(server, CALLBACK_PATH) == [429, 200]
    assert server.violations == []


# -- the database unavailable for a while -------------------------------------------------------


@pytest.mark.asyncio
async def test_questions_are_answered_while_the_database_is_locked_and_logged_after(
    server: FakeDiscord, world: World, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.storage")
    questions = [unanswerable(i) for i in range(20)]
    async with running_bot(tmp_path, server, world, cooldown=NO_COOLDOWN) as bot:
        database = bot.config.storage.database_path
        locker = sqlite3.connect(database, isolation_level=None, timeout=5)
        try:
            locker.execute("BEGIN EXCLUSIVE")
            locked_at = time.monotonic()
            ids = await burst(server, world, questions)
            counts = await all_replied(server, ids, timeout=10)
            # Every reply went out while the lock was held: logging never delays a reply.
            assert time.monotonic() - locked_at < 1.5
            assert all(counts[i] == 1 for i in ids)
            await poll(
                lambda: (
                    any("database unavailable" in r.getMessage() for r in caplog.records) or None
                ),
                10,
                "the writer to notice the outage",
            )
            # Each question is queued just after its reply goes out, so the last may lag.
            await poll(
                lambda: bot.store.writer.pending == len(questions) or None,
                10,
                "every unanswered question to be queued",
            )
            # Keep the outage going for ~1.5 s in all, so the writer backs off and retries.
            await asyncio.sleep(max(0.0, 1.5 - (time.monotonic() - locked_at)))
        finally:
            locker.rollback()
            locker.close()
        await bot.store.writer.flush(timeout=10)
        assert bot.store.writer.pending == 0
        logged = await rows(bot, world.guild.id)
        assert sorted(r.question for r in logged) == sorted(questions)
        assert any("database available again" in r.getMessage() for r in caplog.records)
        with sqlite3.connect(database) as check:
            source_ids = [row[0] for row in check.execute("SELECT source_id FROM missed")]
        assert sorted(source_ids) == sorted(ids)
    assert server.violations == []


# -- SIGTERM in the middle of a burst, as users run the bot --------------------------------------


def write_run_config(tmp_path: Path, server: FakeDiscord, world: World) -> Path:
    """Like test_smoke's config, at INFO (a DEBUG burst would fill the log pipe) and
    without a cooldown (the burst comes from one member)."""
    path = tmp_path / "config.toml"
    path.write_text(
        "[discord]\n"
        f'api_base_url = "{server.api_base_url}"\n'
        f'gateway_url = "{server.gateway_url}"\n'
        f'dev_guild_ids = ["{world.guild.id}"]\n'
        "[storage]\n"
        'database_path = "data/bot.sqlite3"\n'
        "[cooldown]\n"
        f"rate = {NO_COOLDOWN['rate']}\n"
        "[logging]\n"
        'level = "INFO"\n',
        encoding="utf-8",
    )
    return path


@pytest.mark.asyncio
async def test_sigterm_mid_burst_exits_0_with_every_answered_question_logged_once(
    server: FakeDiscord, world: World, tmp_path: Path
) -> None:
    config = write_run_config(tmp_path, server, world)
    log_path = tmp_path / "bot.log"
    with log_path.open("wb") as log_file:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            "--config",
            str(config),
            cwd=tmp_path,
            env=bot_env(TOKEN) | {"PYTHONPATH": str(REPO)},
            stdout=log_file,
            stderr=asyncio.subprocess.STDOUT,
        )
    try:
        await poll(lambda: server.guild_commands.get(world.guild.id), 30, "commands synced")
        await poll(  # connected: a MESSAGE_CREATE now reaches the bot
            lambda: next((s for s in server.gateway.live_sessions() if s.connected), None), 30
        )
        await mention(server, world.general, world.alice, ANSWERED)  # up and answering
        questions = [unanswerable(i) for i in range(200)]
        ids = await burst(server, world, questions)
        await server.notifier.wait_for(
            lambda: sum(reply_counts(server)[i] for i in ids) >= 20 or None, 20, "20 replies"
        )
        proc.send_signal(signal.SIGTERM)
        at_signal = sum(1 for i in ids if reply_counts(server)[i])
        await asyncio.wait_for(proc.wait(), 30)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    log = log_path.read_text(encoding="utf-8", errors="replace")
    assert proc.returncode == 0, log
    assert at_signal < len(ids), "SIGTERM came after the burst was answered: not mid-burst"
    assert "could not be written" not in log, log
    counts = reply_counts(server)
    assert all(counts[i] <= 1 for i in ids), "a question was answered twice"
    replied = {i for i in ids if counts[i]}
    with sqlite3.connect(tmp_path / "data/bot.sqlite3") as db:
        logged = [row[0] for row in db.execute("SELECT source_id FROM missed")]
    assert len(logged) == len(set(logged)), "a question was logged twice"
    # A row is queued right after its reply, and shutdown waits for both: none lost.
    assert set(logged) == replied
    assert len(replied) >= 20
    assert server.violations == []


# -- a gateway drop and RESUME in the middle of a burst ------------------------------------------


@pytest.mark.asyncio
async def test_a_gateway_drop_mid_burst_answers_and_logs_every_question_once(
    server: FakeDiscord, world: World, tmp_path: Path
) -> None:
    questions = [unanswerable(i) for i in range(50)]
    async with running_bot(tmp_path, server, world, cooldown=NO_COOLDOWN) as bot:
        ids = await burst(server, world, questions[:25])
        await server.drop_gateway()
        ids += await burst(server, world, questions[25:])  # while disconnected: replayed
        counts = await all_replied(server, ids, timeout=20)
        await poll(lambda: server.gateway.resumes or None, 15, "a RESUME")
        assert [i for i in ids if counts[i] != 1] == []
        logged = await rows(bot, world.guild.id)
        assert sorted(r.question for r in logged) == sorted(questions)
    assert server.violations == []
