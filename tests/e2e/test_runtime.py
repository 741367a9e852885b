"""Runtime behaviour around the answers: reload, logs, rate limits, reconnects, errors."""

from __future__ import annotations

import asyncio
import logging
import shutil
from pathlib import Path
from typing import Any

import pytest

from bot.client import FAQBot, UserRateLimiter
from bot.runner import REDACTED, RedactToken
from tests.e2e.harness import (
    CONTENT,
    World,
    custom_ids,
    mention,
    poll,
    rows,
    running_bot,
    slash,
)
from tests.fakediscord import FakeDiscord

QUESTION = "why do my calves cramp at night?"
UNANSWERED = "tell me about elbow stuff"


@pytest.mark.asyncio
async def test_reload_with_broken_content_keeps_the_old_engine(
    server: FakeDiscord, world: World, tmp_path: Path
) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    async with running_bot(tmp_path, server, world, content={"path": content}) as bot:
        before = bot.engine
        texts = content / "texts.toml"
        good = texts.read_text(encoding="utf-8")
        texts.write_text("this is = = not toml", encoding="utf-8")
        errors = await bot.reload_content()
        assert errors and "texts.toml" in errors[0]
        assert bot.engine is before
        data = await slash(server, "ask", world.alice, world.general, question=QUESTION)
        assert data["embeds"][0]["title"] == before.ask(QUESTION).entry.title  # type: ignore[union-attr]
        texts.write_text(good, encoding="utf-8")
        assert await bot.reload_content() == []
        assert bot.engine is not before


def test_rate_limiter_allows_rate_per_window_and_warns_once() -> None:
    limiter = UserRateLimiter(rate=2, per=10.0)
    assert limiter.hit(1, now=0.0).allowed and limiter.hit(1, now=1.0).allowed
    refused = limiter.hit(1, now=2.0)
    assert not refused.allowed and refused.first_refusal and refused.retry_after == 8.0
    assert not limiter.hit(1, now=3.0).first_refusal  # one note per window
    assert limiter.hit(2, now=3.0).allowed  # per user
    assert limiter.hit(1, now=10.5).allowed  # the window moved on


def test_token_is_redacted_from_messages_args_and_tracebacks() -> None:
    token = "MTIz.secret-token.value"
    redact = RedactToken(token)
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "token %s in %s", (token, "x"), None)
    assert redact.filter(record) and token not in record.getMessage()
    assert REDACTED in record.getMessage()
    try:
        raise RuntimeError(f"bad {token}")
    except RuntimeError as exc:
        failed = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "boom", None, (type(exc), exc, exc.__traceback__)
        )
    redact.filter(failed)
    assert failed.exc_text and token not in failed.exc_text
    assert token not in logging.Formatter().format(failed)


@pytest.mark.asyncio
async def test_one_debug_line_per_answer_without_raw_user_ids(
    server: FakeDiscord, world: World, bot: FAQBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot")
    await slash(server, "ask", world.alice, world.general, question=QUESTION)
    await bot.drain()
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.client"]
    assert len([m for m in lines if m.startswith("question ")]) == 1
    assert not any(world.alice.id in m for m in lines)


@pytest.mark.asyncio
async def test_questions_during_a_gateway_drop_are_answered_and_logged_once(
    server: FakeDiscord, world: World, bot: FAQBot
) -> None:
    await mention(server, world.general, world.alice, QUESTION)
    await server.drop_gateway()
    sent = [
        await server.send_message(
            world.general, world.bob, f"{server.mention(server.bot_user)} {UNANSWERED} {i}"
        )
        for i in range(3)
    ]
    for message in sent:
        await server.wait_for_reply(message["id"], timeout=15)
    await poll(lambda: server.gateway.resumes or None, 15, "a RESUME")
    logged = await rows(bot, world.guild.id)
    assert sorted(r.question for r in logged) == [f"{UNANSWERED} {i}" for i in range(3)]
    replies = [m for m in server.messages[world.general.id] if m.get("message_reference")]
    assert len(replies) == 4


@pytest.mark.asyncio
async def test_a_failing_click_shows_an_error_id(
    server: FakeDiscord, world: World, bot: FAQBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: Any) -> None:
        raise OSError("disk on fire")

    _, reply = await mention(server, world.general, world.alice, QUESTION)
    monkeypatch.setattr(bot.store, "log_feedback", broken)
    helpful = next(i for i in custom_ids(reply) if i.startswith("faq:fb:1:"))
    interaction = await server.click(reply, helpful, user=world.alice)
    [followup] = await interaction.followups(1)
    assert "error id" in followup["content"] and "disk on fire" not in followup["content"]
    await asyncio.sleep(0)


@pytest.mark.asyncio
async def test_after_stop_taking_events_new_questions_are_ignored(
    server: FakeDiscord, world: World, bot: FAQBot
) -> None:
    bot.stop_taking_events()
    await server.send_message(
        world.general, world.alice, f"{server.mention(server.bot_user)} {UNANSWERED}"
    )
    interaction = await server.invoke_command(
        "ask", user=world.alice, channel=world.general, options={"question": UNANSWERED}
    )
    await asyncio.sleep(0.3)
    assert interaction.callback is None
    assert not any(m.get("message_reference") for m in server.messages[world.general.id])
    assert await rows(bot, world.guild.id) == []


@pytest.mark.asyncio
async def test_only_unprivileged_intents_are_requested(
    server: FakeDiscord, world: World, bot: FAQBot
) -> None:
    assert not bot.intents.message_content and not bot.intents.members
    assert not bot.intents.presences
    [session] = server.gateway.live_sessions()
    guilds, guild_messages, dm_messages = 1 << 0, 1 << 9, 1 << 12
    assert session.intents == guilds | guild_messages | dm_messages


@pytest.mark.asyncio
async def test_rows_past_retention_are_purged_at_start(
    server: FakeDiscord, world: World, tmp_path: Path
) -> None:
    from datetime import UTC, datetime, timedelta

    from bot.storage import MissedRecord, SQLiteStore

    store = await SQLiteStore.open(tmp_path / "bot.sqlite3")
    now = datetime.now(UTC)
    for source, age in (("old", 40), ("recent", 1)):
        await store.log_missed(
            MissedRecord(
                source_id=source,
                guild_id=world.guild.id,
                channel_id=world.general.id,
                author_id=1,
                question=f"{source} question",
                normalised=source,
                created_at=now - timedelta(days=age),
            )
        )
    await store.close()
    async with running_bot(tmp_path, server, world, storage={"retention_days": 30}) as bot:
        questions: list[str] = []
        for _ in range(100):  # the purge task runs right after start-up
            questions = [r.question for r in await rows(bot, world.guild.id)]
            if questions == ["recent question"]:
                break
            await asyncio.sleep(0.05)
        assert questions == ["recent question"]
