"""New posts in watched forum channels, end to end against FakeDiscord.

A post is THREAD_CREATE (a thread whose parent is a GUILD_FORUM channel)
followed by its starter message; without the message-content intent the
starter arrives with empty content, so the title carries the question. Until
the starter exists, the fake refuses bot messages in the post with 40058, as
Discord does.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.client import FAQBot
from bot.engine.render import tier_guidance
from bot.exts.forums import SUGGESTION_LEAD
from tests.e2e.harness import World, poll, rows, running_bot
from tests.fakediscord import Channel, FakeDiscord

CONFIDENT = "Why do my legs cramp at night?"
UNSURE = "Anyone tried the new elbow brace?"
URGENT = "I have chest pain and my arm is cramping"


@pytest_asyncio.fixture
async def forum(world: World) -> Channel:
    return world.guild.add_forum("ask-the-community")


@pytest_asyncio.fixture
async def forum_bot(
    server: FakeDiscord, world: World, forum: Channel, tmp_path: Path
) -> AsyncIterator[FAQBot]:
    async with running_bot(
        tmp_path, server, world, answers={"forum_channel_ids": (int(forum.id),)}
    ) as running:
        yield running


async def answers_in(server: FakeDiscord, thread: Channel, n: int = 1) -> list[dict[str, Any]]:
    """The bot's first ``n`` messages in ``thread`` once they exist."""
    return await poll(
        lambda: server.bot_messages(thread)[:n] if len(server.bot_messages(thread)) >= n else None,
        what=f"{n} bot message(s) in post {thread.id}",
    )


def labels(message: dict[str, Any]) -> list[str]:
    return [c.get("label") for row in message["components"] for c in row["components"]]


@pytest.mark.asyncio
async def test_confident_post_gets_one_suggestion_card(
    server: FakeDiscord, world: World, forum: Channel, forum_bot: FAQBot
) -> None:
    thread = await server.create_forum_post(forum, world.alice, CONFIDENT, "it wakes me up")
    [card] = await answers_in(server, thread)
    decision = forum_bot.engine.ask(CONFIDENT)
    assert decision.outcome == "answer" and decision.entry is not None
    assert card["content"].startswith(SUGGESTION_LEAD)
    assert card["embeds"][0]["title"] == decision.entry.title
    assert "Helpful" in labels(card) and "Not helpful" in labels(card)
    assert "message_reference" not in card
    post = next(
        r
        for r in server.requests
        if r.method == "POST" and r.route == "/channels/{channel_id}/messages"
    )
    assert post.json["allowed_mentions"] == {"parse": []}
    await forum_bot.drain()
    assert len(server.bot_messages(thread)) == 1
    assert await rows(forum_bot, world.guild.id) == []


@pytest.mark.asyncio
async def test_unsure_post_gets_no_message_but_is_logged(
    server: FakeDiscord, world: World, forum: Channel, forum_bot: FAQBot
) -> None:
    assert forum_bot.engine.ask(UNSURE).outcome == "no_answer"
    thread = await server.create_forum_post(forum, world.alice, UNSURE)

    found: list[Any] = []
    for _ in range(200):  # the row appears once the handler decided (no message to wait for)
        found = await rows(forum_bot, world.guild.id)
        if found:
            break
        await asyncio.sleep(0.02)
    assert [(r.question, r.reason, r.channel_id) for r in found] == [
        (UNSURE, "no_answer", thread.id)
    ]
    assert server.bot_messages(thread) == []


@pytest.mark.asyncio
async def test_urgent_post_always_gets_guidance(
    server: FakeDiscord, world: World, forum: Channel, forum_bot: FAQBot
) -> None:
    thread = await server.create_forum_post(forum, world.alice, URGENT)
    [card] = await answers_in(server, thread)
    decision = forum_bot.engine.ask(URGENT)
    assert decision.outcome == "urgent" and decision.triage is not None
    assert card["content"].startswith(
        tier_guidance(decision.triage.guidance, decision.triage.severity)[:150]
    )


@pytest.mark.asyncio
async def test_post_refused_before_its_first_message_is_retried_once_it_exists(
    server: FakeDiscord, world: World, forum: Channel, forum_bot: FAQBot
) -> None:
    thread = await server.create_forum_post(forum, world.alice, CONFIDENT, post_starter=False)
    await poll(lambda: thread.id in server.forum_refusals or None, what="a 40058 refusal")
    assert server.bot_messages(thread) == []
    await server.post_starter(thread)
    [card] = await answers_in(server, thread)
    assert card["content"].startswith(SUGGESTION_LEAD)
    refusals = server.forum_refusals.count(thread.id)
    assert 1 <= refusals <= 3  # retried when the first message came, not hammered
    await forum_bot.drain()
    assert len(server.bot_messages(thread)) == 1


@pytest.mark.asyncio
async def test_starter_text_is_read_where_discord_delivers_it(
    server: FakeDiscord, world: World, forum: Channel, forum_bot: FAQBot
) -> None:
    """A starter that mentions the bot arrives with its text: the post is answered from
    title and body together, once (the mention handler leaves forum posts alone)."""
    body = f"{server.mention(server.bot_user)} why do my calves cramp at night?"
    thread = await server.create_forum_post(forum, world.alice, "help please", body)
    [card] = await answers_in(server, thread)
    assert card["content"].startswith(SUGGESTION_LEAD)
    assert forum_bot.engine.ask("help please").outcome == "no_answer"
    await forum_bot.drain()
    assert len(server.bot_messages(thread)) == 1


@pytest.mark.asyncio
async def test_unwatched_forum_and_plain_threads_are_left_alone(
    server: FakeDiscord, world: World, forum: Channel, forum_bot: FAQBot
) -> None:
    other = world.guild.add_forum("off-topic")
    ignored = await server.create_forum_post(other, world.alice, CONFIDENT)
    watched = await server.create_forum_post(forum, world.bob, CONFIDENT)
    await answers_in(server, watched)  # events are handled in order: the first one is done
    await forum_bot.drain()
    assert server.bot_messages(ignored) == []
    assert await rows(forum_bot, world.guild.id) == []


@pytest.mark.asyncio
async def test_a_post_is_never_answered_twice_even_after_a_restart(
    server: FakeDiscord, world: World, forum: Channel, tmp_path: Path
) -> None:
    answers = {"forum_channel_ids": (int(forum.id),)}
    async with running_bot(tmp_path, server, world, answers=answers) as bot:
        thread = await server.create_forum_post(forum, world.alice, CONFIDENT)
        await answers_in(server, thread)
        await server.redeliver_thread_create(thread)
        await bot.drain()
    async with running_bot(tmp_path, server, world, answers=answers) as bot:
        await server.redeliver_thread_create(thread)
        marker = await server.create_forum_post(forum, world.bob, CONFIDENT)
        await answers_in(server, marker)
        await bot.drain()
    assert len(server.bot_messages(thread)) == 1


@pytest.mark.asyncio
async def test_cooldown_holds_back_suggestions_but_never_urgent_guidance(
    server: FakeDiscord, world: World, forum: Channel, tmp_path: Path
) -> None:
    answers = {"forum_channel_ids": (int(forum.id),)}
    async with running_bot(tmp_path, server, world, answers=answers, cooldown={"rate": 1}) as bot:
        first = await server.create_forum_post(forum, world.alice, CONFIDENT)
        await answers_in(server, first)
        held = await server.create_forum_post(forum, world.alice, "what is a charley horse")
        urgent = await server.create_forum_post(forum, world.alice, URGENT)
        [guidance] = await answers_in(server, urgent)
        await bot.drain()
        assert server.bot_messages(held) == []
        assert bot.engine.ask("what is a charley horse").outcome == "answer"  # held, not unsure
        decision = bot.engine.ask(URGENT)
        assert decision.triage is not None
        assert guidance["content"].startswith(
            tier_guidance(decision.triage.guidance, decision.triage.severity)[:150]
        )
