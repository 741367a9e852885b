"""Member-facing behaviour end to end: slash commands, mentions, DMs, against FakeDiscord.

Every test also passes the ``server`` fixture's check that no request broke
Discord's schema or limits and that nothing could ping anyone.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.client import FAQBot
from bot.engine.render import (
    DOSE_REFUSAL,  # noqa: F401  (documents the refusal path)
    tier_guidance,
)
from tests.e2e.harness import World, custom_ids, mention, no_answer_title, rows, slash
from tests.fakediscord import FakeDiscord

EPHEMERAL = 64
ANSWERED = "why do my calves cramp at night?"
UNANSWERED = "tell me about elbow stuff"
URGENT = "I have chest pain and my arm is cramping"


def message_posts(server: FakeDiscord) -> list[dict[str, Any]]:
    """Bodies of every channel message the bot created."""
    return [
        r.json
        for r in server.requests
        if r.method == "POST" and r.route == "/channels/{channel_id}/messages"
    ]


# -- /ask ----------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_ask_answers_with_card_and_feedback_buttons(
    server: FakeDiscord, world: World, bot: FAQBot
) -> None:
    data = await slash(server, "ask", world.alice, world.general, question=ANSWERED)
    embed = data["embeds"][0]
    decision = bot.engine.ask(ANSWERED)
    assert decision.entry is not None
    assert embed["title"] == decision.entry.title
    assert embed["footer"]["text"] == bot.knowledge.texts.disclaimer
    assert embed["author"]["name"] == f"You asked: {ANSWERED}"
    sources = next(f["value"] for f in embed["fields"] if f["name"] == "Sources")
    for ref in decision.entry.guidance:
        assert f"[{ref.name}]({ref.url})" in sources
    assert f"Reviewed {decision.entry.reviewed.isoformat()}" in sources
    labels = [c.get("label") for row in data["components"] for c in row["components"]]
    assert "Helpful" in labels and "Not helpful" in labels
    assert not data.get("flags", 0) & EPHEMERAL
    assert data["allowed_mentions"] == {"parse": []}
    assert await rows(bot, world.guild.id) == []


@pytest.mark.asyncio
async def test_ask_without_answer_is_logged_once(
    server: FakeDiscord, world: World, bot: FAQBot
) -> None:
    data = await slash(server, "ask", world.alice, world.general, question=UNANSWERED)
    embed = data["embeds"][0]
    assert embed["title"] == no_answer_title()
    assert "faq:fb:0" not in " ".join(custom_ids(data))
    logged = await rows(bot, world.guild.id)
    assert [(r.question, r.reason, r.status) for r in logged] == [(UNANSWERED, "no_answer", "open")]
    assert logged[0].channel_id == world.general.id


@pytest.mark.asyncio
async def test_ask_urgent_puts_guidance_first(
    server: FakeDiscord, world: World, bot: FAQBot
) -> None:
    data = await slash(server, "ask", world.alice, world.general, question=URGENT)
    decision = bot.engine.ask(URGENT)
    assert decision.outcome == "urgent" and decision.triage is not None
    assert data["content"].startswith(
        tier_guidance(decision.triage.guidance, decision.triage.severity)[:150]
    )
    assert bot.knowledge.texts.disclaimer in data["content"]
    assert data["allowed_mentions"] == {"parse": []}


@pytest.mark.asyncio
async def test_urgent_reply_without_a_card_still_carries_the_disclaimer(
    server: FakeDiscord, world: World, bot: FAQBot
) -> None:
    question = "i want to kill myself"
    decision = bot.engine.ask(question)
    assert decision.outcome == "urgent" and decision.triage is not None
    data = await slash(server, "ask", world.alice, world.general, question=question)
    assert data["content"].startswith(
        tier_guidance(decision.triage.guidance, decision.triage.severity)[:150]
    )
    assert bot.knowledge.texts.disclaimer in data["content"]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("ask", {"question": ANSWERED}),
        ("topics", {}),
        ("about", {}),
        ("spasm-causes", {}),
        ("when-to-see-doctor", {}),
    ],
)
async def test_private_answers_ephemerally(
    server: FakeDiscord, world: World, bot: FAQBot, command: str, options: dict[str, Any]
) -> None:
    public = await slash(server, command, world.alice, world.general, **options)
    private = await slash(server, command, world.bob, world.general, private=True, **options)
    assert not public.get("flags", 0) & EPHEMERAL
    assert private.get("flags", 0) & EPHEMERAL
    assert private["embeds"][0]["title"] == public["embeds"][0]["title"]


@pytest.mark.asyncio
@pytest.mark.parametrize("typed", ["", "cramp", "why do my calves", "x" * 99, "zzzz"])
async def test_ask_autocomplete_within_limits(
    server: FakeDiscord, world: World, bot: FAQBot, typed: str
) -> None:
    interaction = await server.autocomplete(
        "ask",
        user=world.alice,
        channel=world.general,
        options={"question": typed},
        focused="question",
    )
    choices = await server.wait_for_autocomplete(interaction)
    assert len(choices) <= 25
    assert all(1 <= len(c["name"]) <= 100 and 1 <= len(c["value"]) <= 100 for c in choices)
    if typed == "cramp":
        assert choices and all("cramp" in c["name"].lower() for c in choices[:3])


# -- topic commands, /topics, /about -------------------------------------------------------------


@pytest.mark.asyncio
async def test_every_topic_has_a_command(server: FakeDiscord, world: World, bot: FAQBot) -> None:
    registered = {c["name"] for c in server.guild_commands[world.guild.id]}
    topics = list(bot.knowledge.topics.values())
    assert {"spasm-causes", "when-to-see-doctor"} <= {t.command for t in topics}
    for topic in topics:
        assert topic.command in registered
        data = await slash(server, topic.command, world.alice, world.general)
        assert data["embeds"][0]["title"] == topic.name
        fields = {f["name"]: f["value"] for f in data["embeds"][0].get("fields", [])}
        assert topic.guidance and f"]({topic.guidance[0].url})" in fields["Sources"]


@pytest.mark.asyncio
async def test_when_to_see_doctor_leads_with_warning_signs(
    server: FakeDiscord, world: World, bot: FAQBot
) -> None:
    data = await slash(server, "when-to-see-doctor", world.alice, world.general)
    description = data["embeds"][0]["description"]
    first_rule = bot.knowledge.triage[0].name
    assert description.lower().startswith("**get urgent help now")
    assert description.index(first_rule) < description.index("\n\n")


@pytest.mark.asyncio
async def test_topics_lists_the_topic_commands(
    server: FakeDiscord, world: World, bot: FAQBot
) -> None:
    data = await slash(server, "topics", world.alice, world.general)
    text = data["embeds"][0]["description"]
    assert all(f"/{t.command}" in text for t in bot.knowledge.topics.values())


@pytest.mark.asyncio
async def test_about_says_what_is_stored_and_for_how_long(
    server: FakeDiscord, world: World, bot: FAQBot
) -> None:
    data = await slash(server, "about", world.alice, world.general)
    text = data["embeds"][0]["description"]
    assert f"{bot.config.storage.retention_days} days" in text
    assert "Not helpful" in text


# -- mentions and DMs ----------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_mention_gets_a_reply_that_pings_nobody(
    server: FakeDiscord, world: World, bot: FAQBot
) -> None:
    message, reply = await mention(server, world.general, world.alice, ANSWERED)
    assert str(reply["message_reference"]["message_id"]) == message["id"]
    assert reply["embeds"][0]["title"] == bot.engine.ask(ANSWERED).entry.title  # type: ignore[union-attr]
    [posted] = message_posts(server)
    assert posted["allowed_mentions"] == {"parse": [], "replied_user": False}
    assert str(posted["message_reference"]["message_id"]) == message["id"]


@pytest.mark.asyncio
async def test_mention_without_answer_logged_once_even_when_replayed(
    server: FakeDiscord, world: World, bot: FAQBot
) -> None:
    message, reply = await mention(server, world.general, world.alice, UNANSWERED)
    assert reply["embeds"][0]["title"] == no_answer_title()
    # Discord may deliver the same MESSAGE_CREATE again (e.g. after a RESUME).
    server.gateway.dispatch("MESSAGE_CREATE", message, guild_id=world.guild.id)
    await server.gateway.flush()
    await asyncio.sleep(0.3)
    logged = await rows(bot, world.guild.id)
    assert [(r.question, r.reason) for r in logged] == [(UNANSWERED, "no_answer")]
    assert len(message_posts(server)) == 1


@pytest.mark.asyncio
async def test_mention_urgent_puts_guidance_first(
    server: FakeDiscord, world: World, bot: FAQBot
) -> None:
    _, reply = await mention(server, world.general, world.alice, URGENT)
    triage = bot.engine.ask(URGENT).triage
    assert triage is not None and reply["content"].startswith(
        tier_guidance(triage.guidance, triage.severity)[:150]
    )
    assert bot.knowledge.texts.disclaimer in reply["content"]


@pytest.mark.asyncio
async def test_bare_mention_gets_help(server: FakeDiscord, world: World, bot: FAQBot) -> None:
    _, reply = await mention(server, world.general, world.alice, "")
    assert reply["content"] == bot.knowledge.texts.help


@pytest.mark.asyncio
async def test_messages_without_a_bot_mention_are_ignored(
    server: FakeDiscord, world: World, bot: FAQBot
) -> None:
    await server.send_message(world.general, world.alice, ANSWERED)
    await server.send_message(
        world.general, world.alice, f"{world.mods.mention} {ANSWERED}", mention_everyone=False
    )
    await server.send_message(
        world.general, world.alice, f"@everyone {ANSWERED}", mention_everyone=True
    )
    await asyncio.sleep(0.3)
    assert message_posts(server) == []


@pytest.mark.asyncio
async def test_dm_is_answered_without_mention_and_logged_as_dm(
    server: FakeDiscord, world: World, bot: FAQBot
) -> None:
    dm = server.dm_channel(world.alice)
    asked = await server.send_message(dm, world.alice, ANSWERED)
    reply = await server.wait_for_reply(asked["id"])
    assert reply["embeds"][0]["author"]["name"] == f"You asked: {ANSWERED}"
    missed = await server.send_message(dm, world.alice, UNANSWERED)
    await server.wait_for_reply(missed["id"])
    assert [r.question for r in await rows(bot, "dm")] == [UNANSWERED]


@pytest.mark.asyncio
async def test_mentions_inside_a_question_ping_nobody(
    server: FakeDiscord, world: World, bot: FAQBot
) -> None:
    texts = [
        f"@everyone @here {world.mods.mention} {server.mention(world.bob)} why do my calves cramp?",
        f"@everyone {UNANSWERED} {world.mods.mention}",
    ]
    for text in texts:
        await mention(server, world.general, world.alice, text, mention_everyone=True)
    await slash(server, "ask", world.alice, world.general, question=texts[0][:500])
    for body in message_posts(server):
        assert body["allowed_mentions"] == {"parse": [], "replied_user": False}
    callbacks = [
        r.json["data"] for r in server.requests if r.route and r.route.endswith("/callback")
    ]
    assert callbacks and all(c["allowed_mentions"] == {"parse": []} for c in callbacks)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "text",
    [
        "why do my calves cramp " * 175,  # ~4,000 characters
        "```\n**__~~||>>> \\\\ <@&1> <#2> :smile: ``` " * 40,
        "\u0000\u200b\ufffd 🦵🦵🦵 ¿¿¿ ??? !!!",
        "a",
    ],
)
async def test_long_and_junk_questions_are_answered(
    server: FakeDiscord, world: World, bot: FAQBot, text: str
) -> None:
    _, reply = await mention(server, world.general, world.alice, text[:4000])
    assert reply["embeds"] or reply["content"]


# -- cooldowns and errors ------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_cooldown_replies_kindly(server: FakeDiscord, tmp_path: Any) -> None:
    from tests.e2e.harness import make_world, running_bot

    world = make_world(server)
    async with running_bot(tmp_path, server, world, cooldown={"rate": 1, "per_seconds": 60}):
        await slash(server, "ask", world.alice, world.general, question=ANSWERED)
        second = await slash(server, "ask", world.alice, world.general, question=ANSWERED)
        assert second["content"].startswith("You're asking quickly — try again in")
        assert second["flags"] & EPHEMERAL
        _, reply = await mention(server, world.general, world.alice, ANSWERED)
        assert reply["content"].startswith("You're asking quickly")
        # Bob has his own budget.
        other = await slash(server, "ask", world.bob, world.general, question=ANSWERED)
        assert other["embeds"]


@pytest.mark.asyncio
async def test_unexpected_error_shows_an_error_id_not_a_traceback(
    server: FakeDiscord,
    world: World,
    bot: FAQBot,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("engine exploded")

    monkeypatch.setattr(bot.engine, "ask", broken)
    data = await slash(server, "ask", world.alice, world.general, question=ANSWERED)
    assert data["flags"] & EPHEMERAL
    assert "Traceback" not in data["content"] and "exploded" not in data["content"]
    error_id = data["content"].split("`")[1]
    assert len(error_id) == 8 and int(error_id, 16) >= 0
    logged = [r for r in caplog.records if error_id in r.getMessage()]
    assert logged and logged[0].levelname == "ERROR" and logged[0].exc_info
    _, reply = await mention(server, world.general, world.alice, ANSWERED)
    assert "error id" in reply["content"]
