"""Whole member messages end to end: two questions answered at once, other languages.

Against FakeDiscord, which checks every request body against Discord's schema and
limits (at most 10 embeds, 6,000 characters in all) and that nothing pings anyone.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.client import FAQBot
from bot.engine.message import ask_message
from tests.e2e.harness import World, custom_ids, mention, rows, slash
from tests.e2e.test_moderation import World as ModWorld
from tests.e2e.test_moderation import invoke, text_of
from tests.e2e.test_moderation import world as mod_world  # noqa: F401  (fixture)
from tests.fakediscord import FakeDiscord

TWO_QUESTIONS = "why do my legs cramp at night. also is magnesium worth it"
SPANISH = "tengo calambres en las piernas por la noche, qué puedo hacer?"


def _answer_ids(bot: FAQBot, text: str) -> list[str]:
    result = ask_message(bot.engine, text)
    return [d.entry.id for d in result.answers if d.entry is not None]


def _feedback_entries(message: dict[str, Any]) -> list[str]:
    return [i.split(":", 3)[3] for i in custom_ids(message) if i.startswith("faq:fb:1:")]


@pytest.mark.asyncio
async def test_ask_with_two_questions_gets_two_cards_and_nothing_logged(
    server: FakeDiscord, world: World, bot: FAQBot
) -> None:
    expected = _answer_ids(bot, TWO_QUESTIONS)
    assert len(expected) == 2
    data = await slash(server, "ask", world.alice, world.general, question=TWO_QUESTIONS)
    titles = [e["title"] for e in data["embeds"]]
    assert titles == [f"{n}. {bot.knowledge.entries[i].title}" for n, i in enumerate(expected, 1)]
    assert all(e["footer"]["text"] == bot.knowledge.texts.disclaimer for e in data["embeds"])
    assert all(any(f["name"] == "Sources" for f in e["fields"]) for e in data["embeds"])
    assert sum(len(e.get("description") or "") for e in data["embeds"]) <= 6000
    # One Helpful / Not helpful pair per answer.
    assert _feedback_entries(data) == expected
    assert await rows(bot, world.guild.id) == []


@pytest.mark.asyncio
async def test_mention_with_two_questions_feedback_per_answer(
    server: FakeDiscord, world: World, bot: FAQBot
) -> None:
    expected = _answer_ids(bot, TWO_QUESTIONS)
    _, reply = await mention(server, world.general, world.alice, TWO_QUESTIONS)
    assert len(reply["embeds"]) == 2
    assert _feedback_entries(reply) == expected
    labels = [c.get("label") for row in reply["components"] for c in row["components"]]
    assert "Helpful (1)" in labels and "Not helpful (2)" in labels
    # "Not helpful" on the second card logs the question against that card's entry.
    second = next(i for i in custom_ids(reply) if i == f"faq:fb:0:{expected[1]}")
    interaction = await server.click(reply, second, user=world.alice)
    await server.wait_for_interaction_response(interaction.id)
    logged = await rows(bot, world.guild.id)
    assert [(r.reason, r.shown_entry_id) for r in logged] == [("not_helpful", expected[1])]


@pytest.mark.asyncio
async def test_an_unanswered_second_question_is_logged_on_its_own(
    server: FakeDiscord, world: World, bot: FAQBot
) -> None:
    message = "why do my calves cramp at night? also why does my elbow click when i type?"
    result = ask_message(bot.engine, message)
    assert result.answers and len(result.unanswered) == 1
    _, reply = await mention(server, world.general, world.alice, message)
    assert reply["embeds"][0]["title"] == result.answers[0].entry.title  # type: ignore[union-attr]
    logged = await rows(bot, world.guild.id)
    assert [(r.question, r.kind) for r in logged] == [
        ("why does my elbow click when i type?", "missed")
    ]


@pytest.mark.asyncio
async def test_spanish_mention_gets_english_only_notice_and_is_logged_as_language(
    server: FakeDiscord, world: World, bot: FAQBot
) -> None:
    _, reply = await mention(server, world.general, world.alice, SPANISH)
    body = reply["embeds"][0]["description"]
    texts = bot.knowledge.texts.english_only
    assert texts["en"] in body and texts["es"] in body
    assert "Spanish" in reply["embeds"][0]["title"]
    assert not [i for i in custom_ids(reply) if i.startswith("faq:fb:")]
    logged = await rows(bot, world.guild.id)
    assert [(r.question, r.kind, r.language) for r in logged] == [(SPANISH, "language", "es")]


@pytest.mark.asyncio
async def test_missed_list_shows_and_filters_the_language_kind(
    mod_world: ModWorld,  # noqa: F811
) -> None:
    w = mod_world
    bot_user = w.server.bot_user
    for text in (SPANISH, "how do i fix a squeaky bicycle chain"):
        message = await w.server.send_message(
            w.chan_a, w.member, f"{w.server.mention(bot_user)} {text}", mentions=[bot_user]
        )
        await w.server.wait_for_reply(message["id"])
    await w.bot.drain()
    await w.store.writer.flush()
    _, everything = await invoke(w, w.mod_a, w.chan_a, "missed", "list")
    text = text_of(everything)
    assert "calambres" in text and "bicycle chain" in text
    assert "[not English]" in text
    _, language = await invoke(w, w.mod_a, w.chan_a, "missed", "list", kind="language")
    assert "calambres" in text_of(language) and "bicycle chain" not in text_of(language)
    _, missed = await invoke(w, w.mod_a, w.chan_a, "missed", "list", kind="missed")
    assert "calambres" not in text_of(missed) and "bicycle chain" in text_of(missed)
