"""The "Answer with FAQ" message context menu, end to end against FakeDiscord.

The interaction carries the target message (``data.resolved.messages``), so the
bot answers it although its gateway session lacks the message-content intent
and received the message with empty content. The fake checks every request
against Discord's OpenAPI spec and that nothing pings anyone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.client import FAQBot
from bot.engine.render import tier_guidance
from bot.exts.context_menu import MENU_NAME, MODERATORS_ONLY, NO_TEXT
from tests.e2e.harness import World, mention, no_answer_title, rows, running_bot
from tests.fakediscord import FakeDiscord, User
from tests.fakediscord.gateway import INTENT_MESSAGE_CONTENT

EPHEMERAL = 64
ANSWERED = "why do my calves cramp at night?"
UNANSWERED = "tell me about elbow stuff"
URGENT = "I have chest pain and my arm is cramping"


async def use_menu(server: FakeDiscord, user: User, message: dict[str, Any]) -> dict[str, Any]:
    """``user`` picks Apps > Answer with FAQ on ``message``; what the user then sees."""
    interaction = await server.invoke_message_command(MENU_NAME, user=user, message=message)
    return await server.wait_for_interaction_response(interaction.id)


def replies_to(server: FakeDiscord, message: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        m
        for m in server.messages.get(message["channel_id"], [])
        if (m.get("message_reference") or {}).get("message_id") == message["id"]
    ]


@pytest.mark.asyncio
async def test_menu_is_registered_as_a_message_command(
    server: FakeDiscord, world: World, bot: FAQBot
) -> None:
    """Synced to the dev guild at start (installs/contexts matter for global commands:
    see test_user_install)."""
    menus = [c for c in server.guild_commands[world.guild.id] if c["type"] == 3]
    assert [c["name"] for c in menus] == [MENU_NAME]
    assert not menus[0]["description"] and not menus[0]["options"]


@pytest.mark.asyncio
async def test_menu_replies_to_the_message_in_the_channel(
    server: FakeDiscord, world: World, bot: FAQBot
) -> None:
    question = await server.send_message(world.general, world.alice, ANSWERED)
    session = await server.wait_for_session()
    assert not session.has_intent(INTENT_MESSAGE_CONTENT)
    shown = await use_menu(server, world.bob, question)
    reply = await server.wait_for_reply(question["id"])
    decision = bot.engine.ask(ANSWERED)
    assert decision.entry is not None
    assert reply["embeds"][0]["title"] == decision.entry.title
    assert reply["embeds"][0]["author"]["name"] == f"You asked: {ANSWERED}"
    assert not reply["flags"] & EPHEMERAL
    labels = [c.get("label") for row in reply["components"] for c in row["components"]]
    assert "Helpful" in labels and "Not helpful" in labels
    post = next(r for r in server.requests if r.route == "/channels/{channel_id}/messages")
    assert post.json["allowed_mentions"] == {"parse": [], "replied_user": False}
    # The member who used the menu gets a private pointer to the public answer.
    assert shown["flags"] & EPHEMERAL
    assert reply["id"] in shown["content"]
    assert await rows(bot, world.guild.id) == []


@pytest.mark.asyncio
async def test_menu_on_an_unanswerable_message_logs_it_under_its_author(
    server: FakeDiscord, world: World, bot: FAQBot
) -> None:
    question = await server.send_message(world.general, world.alice, UNANSWERED)
    await use_menu(server, world.bob, question)
    reply = await server.wait_for_reply(question["id"])
    assert reply["embeds"][0]["title"] == no_answer_title()
    logged = await rows(bot, world.guild.id)
    assert [(r.question, r.reason, r.channel_id) for r in logged] == [
        (UNANSWERED, "no_answer", world.general.id)
    ]
    # The question is the asker's: /forget-me by bob (who used the menu) leaves it.
    assert await bot.store.forget_user(int(world.bob.id)) == 0
    assert await bot.store.forget_user(int(world.alice.id)) >= 1


@pytest.mark.asyncio
async def test_menu_puts_urgent_guidance_first(
    server: FakeDiscord, world: World, bot: FAQBot
) -> None:
    question = await server.send_message(world.general, world.alice, URGENT)
    await use_menu(server, world.bob, question)
    reply = await server.wait_for_reply(question["id"])
    decision = bot.engine.ask(URGENT)
    assert decision.outcome == "urgent" and decision.triage is not None
    assert reply["content"].startswith(
        tier_guidance(decision.triage.guidance, decision.triage.severity)[:150]
    )


@pytest.mark.asyncio
async def test_second_use_on_the_same_message_answers_privately(
    server: FakeDiscord, world: World, bot: FAQBot
) -> None:
    question = await server.send_message(world.general, world.alice, ANSWERED)
    await use_menu(server, world.bob, question)
    await server.wait_for_reply(question["id"])
    again = await use_menu(server, world.alice, question)
    assert again["flags"] & EPHEMERAL
    assert again["embeds"][0]["title"] == bot.engine.ask(ANSWERED).entry.title  # type: ignore[union-attr]
    assert len(replies_to(server, question)) == 1


@pytest.mark.asyncio
async def test_menu_on_a_message_without_text_explains(
    server: FakeDiscord, world: World, bot: FAQBot
) -> None:
    question = await server.send_message(world.general, world.alice, "   ")
    shown = await use_menu(server, world.bob, question)
    assert shown["content"] == NO_TEXT and shown["flags"] & EPHEMERAL
    assert replies_to(server, question) == []


@pytest.mark.asyncio
async def test_menu_respects_the_member_cooldown(
    server: FakeDiscord, world: World, tmp_path: Path
) -> None:
    async with running_bot(tmp_path, server, world, cooldown={"rate": 1}) as bot:
        first = await server.send_message(world.general, world.alice, ANSWERED)
        second = await server.send_message(world.general, world.alice, "what is a charley horse")
        await use_menu(server, world.bob, first)
        await server.wait_for_reply(first["id"])
        refused = await use_menu(server, world.bob, second)
        assert refused["flags"] & EPHEMERAL and "try again in" in refused["content"]
        assert replies_to(server, second) == []
        assert bot.limiter.rate == 1


@pytest.mark.asyncio
async def test_moderators_only_setting_refuses_members_privately(
    server: FakeDiscord, world: World, tmp_path: Path
) -> None:
    async with running_bot(
        tmp_path,
        server,
        world,
        answers={"context_menu_public": False},
        moderation={"role_ids": (int(world.mods.id),)},
    ) as bot:
        question = await server.send_message(world.general, world.alice, UNANSWERED)
        refused = await use_menu(server, world.bob, question)
        assert refused["content"] == MODERATORS_ONLY and refused["flags"] & EPHEMERAL
        assert replies_to(server, question) == []
        assert await rows(bot, world.guild.id) == []
        await use_menu(server, world.mod, question)
        reply = await server.wait_for_reply(question["id"])
        assert reply["embeds"][0]["title"] == no_answer_title()
        assert len(replies_to(server, question)) == 1
        assert [r.question for r in await rows(bot, world.guild.id)] == [UNANSWERED]


@pytest.mark.asyncio
async def test_menu_on_a_mention_the_bot_answered_stays_private(
    server: FakeDiscord, world: World, bot: FAQBot
) -> None:
    question, _ = await mention(server, world.general, world.alice, ANSWERED)
    shown = await use_menu(server, world.bob, question)
    assert shown["flags"] & EPHEMERAL and shown["embeds"]
    assert len(replies_to(server, question)) == 1  # the mention's reply only


@pytest.mark.asyncio
async def test_menu_answers_privately_when_the_channel_refuses_the_reply(
    server: FakeDiscord, world: World, bot: FAQBot
) -> None:
    question = await server.send_message(world.general, world.alice, ANSWERED)
    server.fail_next("POST", r"^/channels/\d+/messages$", 403)
    shown = await use_menu(server, world.bob, question)
    assert shown["flags"] & EPHEMERAL
    assert shown["embeds"][0]["title"] == bot.engine.ask(ANSWERED).entry.title  # type: ignore[union-attr]
    assert replies_to(server, question) == []
