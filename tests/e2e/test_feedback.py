"""Clicks under answers: Related, Helpful / Not helpful, suggestions; also after a restart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.client import FAQBot
from tests.e2e.harness import World, component, custom_ids, mention, rows, running_bot, slash
from tests.fakediscord import FakeDiscord, User

EPHEMERAL = 64
QUESTION = "why do my calves cramp at night?"


async def click(
    server: FakeDiscord,
    message: dict[str, Any],
    custom_id: str,
    user: User,
    values: list[str] | None = None,
) -> dict[str, Any]:
    interaction = await server.click(message, custom_id, user=user, values=values)
    return await server.wait_for_interaction_response(interaction.id)


def feedback_ids(message: dict[str, Any]) -> tuple[str, str]:
    ids = custom_ids(message)
    helpful = next(i for i in ids if i.startswith("faq:fb:1:"))
    not_helpful = next(i for i in ids if i.startswith("faq:fb:0:"))
    return helpful, not_helpful


@pytest.mark.asyncio
async def test_related_select_shows_that_entry_privately(
    server: FakeDiscord, world: World, bot: FAQBot
) -> None:
    _, reply = await mention(server, world.general, world.alice, QUESTION)
    select = component(reply, "faq:rel")
    picked = select["options"][0]
    shown = await click(server, reply, "faq:rel", world.bob, values=[picked["value"]])
    assert shown["flags"] & EPHEMERAL
    entry = bot.knowledge.entries[picked["value"]]
    assert shown["embeds"][0]["title"] == entry.title
    # The shown card carries its own feedback buttons and the original question.
    assert feedback_ids(shown)[0] == f"faq:fb:1:{entry.id}"
    assert shown["embeds"][0]["author"]["name"] == f"You asked: {QUESTION}"


@pytest.mark.asyncio
async def test_helpful_is_thanked_and_counted(
    server: FakeDiscord, world: World, bot: FAQBot
) -> None:
    _, reply = await mention(server, world.general, world.alice, QUESTION)
    helpful, _ = feedback_ids(reply)
    thanks = await click(server, reply, helpful, world.alice)
    assert thanks["flags"] & EPHEMERAL and "Thanks" in thanks["content"]
    await rows(bot, world.guild.id)
    stats = await bot.store.stats(world.guild.id)
    assert (stats.feedback_helpful, stats.feedback_not_helpful) == (1, 0)
    assert await rows(bot, world.guild.id) == []


@pytest.mark.asyncio
async def test_not_helpful_puts_the_question_in_the_queue(
    server: FakeDiscord, world: World, bot: FAQBot
) -> None:
    data = await slash(server, "ask", world.alice, world.general, question=QUESTION)
    message = await _original(server)
    _, not_helpful = feedback_ids(data)
    thanks = await click(server, message, not_helpful, world.alice)
    assert thanks["flags"] & EPHEMERAL
    [row] = await rows(bot, world.guild.id, "open")
    entry_id = not_helpful.rsplit(":", 1)[1]
    assert (row.question, row.reason, row.shown_entry_id) == (QUESTION, "not_helpful", entry_id)
    stats = await bot.store.stats(world.guild.id)
    assert stats.feedback_not_helpful == 1


async def _original(server: FakeDiscord) -> dict[str, Any]:
    """The last interaction's public response message, as stored by the server."""
    interaction = list(server.interactions.values())[-1]
    message = interaction.original_message
    assert message is not None
    return message


@pytest.mark.asyncio
async def test_no_answer_offers_up_to_three_suggestions(
    server: FakeDiscord, world: World, tmp_path: Path
) -> None:
    # A threshold no question reaches: every question becomes a near miss.
    async with running_bot(tmp_path, server, world, engine={"min_score": 99.0}) as bot:
        _, reply = await mention(server, world.general, world.alice, QUESTION)
        suggestions = [i for i in custom_ids(reply) if i.startswith("faq:sug:")]
        assert 1 <= len(suggestions) <= 3
        assert not any(i.startswith("faq:fb:") for i in custom_ids(reply))
        shown = await click(server, reply, suggestions[0], world.alice)
        entry = bot.knowledge.entries[suggestions[0].removeprefix("faq:sug:")]
        assert shown["flags"] & EPHEMERAL and shown["embeds"][0]["title"] == entry.title
        assert [r.reason for r in await rows(bot, world.guild.id)] == ["no_answer"]


@pytest.mark.asyncio
async def test_buttons_still_work_after_a_restart(
    server: FakeDiscord, world: World, tmp_path: Path
) -> None:
    async with running_bot(tmp_path, server, world):
        _, reply = await mention(server, world.general, world.alice, QUESTION)
    # A new process: nothing in memory, same database, same old message.
    async with running_bot(tmp_path, server, world) as bot:
        helpful, not_helpful = feedback_ids(reply)
        assert "Thanks" in (await click(server, reply, helpful, world.bob))["content"]
        await click(server, reply, not_helpful, world.alice)
        option = component(reply, "faq:rel")["options"][0]["value"]
        shown = await click(server, reply, "faq:rel", world.alice, values=[option])
        assert shown["embeds"][0]["title"] == bot.knowledge.entries[option].title
        [row] = await rows(bot, world.guild.id, "open")
        assert (row.question, row.reason) == (QUESTION, "not_helpful")
