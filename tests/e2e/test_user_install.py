"""The app installed to a member's account (a user install), end to end.

/ask, /topics and "Answer with FAQ" are registered with integration_types
[guild, user] and contexts [guild, bot DM, private channel] (the PUT of the
global commands is validated against Discord's OpenAPI spec). Used in a server
the bot is not in, or in a DM between members, they answer ephemerally, post
nothing in the channel (the fake records any REST call to such a channel as a
violation) and log nothing for that server, only DM scope.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.client import FAQBot
from bot.exts.context_menu import MENU_NAME
from tests.e2e.harness import World, rows
from tests.e2e.test_smoke import start, write_config
from tests.fakediscord import Channel, FakeDiscord, Guild

EPHEMERAL = 64
ANSWERED = "why do my calves cramp at night?"
UNANSWERED = "tell me about elbow stuff"


@pytest_asyncio.fixture
async def synced(server: FakeDiscord, bot: FAQBot) -> AsyncIterator[FAQBot]:
    """The bot with its commands registered globally, as ``python -m bot sync`` does."""
    await bot.tree.sync()
    yield bot


@pytest_asyncio.fixture
async def elsewhere(server: FakeDiscord, world: World) -> tuple[Guild, Channel]:
    """A server the bot is not in, where alice is a member."""
    guild = server.add_foreign_guild("Other Place")
    guild.add_member(world.alice)
    guild.add_member(world.bob)
    return guild, guild.add_channel("chat")


def global_command(server: FakeDiscord, name: str, type: int = 1) -> dict[str, Any]:
    return next(c for c in server.commands if c["name"] == name and c["type"] == type)


@pytest.mark.asyncio
async def test_global_commands_declare_user_installs_and_contexts(
    server: FakeDiscord, synced: FAQBot
) -> None:
    for name, type in (("ask", 1), ("topics", 1), (MENU_NAME, 3)):
        command = global_command(server, name, type)
        assert sorted(command["integration_types"]) == [0, 1], name
        assert sorted(command["contexts"]) == [0, 1, 2], name
    # Moderator and other commands stay server installs only.
    assert global_command(server, "about")["integration_types"] == [0]
    sync = next(
        r
        for r in server.requests
        if r.method == "PUT" and r.route == "/applications/{application_id}/commands"
    )
    assert sync.status == 200 and sync.violations == []


@pytest.mark.asyncio
async def test_ask_in_a_server_without_the_bot_is_private_and_logged_as_dm(
    server: FakeDiscord, world: World, synced: FAQBot, elsewhere: tuple[Guild, Channel]
) -> None:
    guild, chat = elsewhere
    interaction = await server.invoke_command(
        "ask", user=world.alice, channel=chat, options={"question": UNANSWERED}, user_install=True
    )
    data = await interaction.final_response()
    assert data["flags"] & EPHEMERAL
    assert data["embeds"]
    assert await rows(synced, guild.id) == []
    logged = await rows(synced, "dm")
    assert [(r.question, r.channel_id) for r in logged] == [(UNANSWERED, "0")]


@pytest.mark.asyncio
async def test_ask_answers_privately_even_when_asked_publicly_elsewhere(
    server: FakeDiscord, world: World, synced: FAQBot, elsewhere: tuple[Guild, Channel]
) -> None:
    _, chat = elsewhere
    interaction = await server.invoke_command(
        "ask",
        user=world.alice,
        channel=chat,
        options={"question": ANSWERED, "private": False},
        user_install=True,
    )
    data = await interaction.final_response()
    assert data["flags"] & EPHEMERAL
    assert data["embeds"][0]["title"] == synced.engine.ask(ANSWERED).entry.title  # type: ignore[union-attr]


@pytest.mark.asyncio
async def test_topics_in_a_dm_between_members(
    server: FakeDiscord, world: World, synced: FAQBot
) -> None:
    dm = server.private_channel(world.alice, world.bob)
    interaction = await server.invoke_command(
        "topics", user=world.alice, channel=dm, user_install=True
    )
    data = await interaction.final_response()
    assert data["flags"] & EPHEMERAL
    assert data["embeds"]


@pytest.mark.asyncio
async def test_context_menu_in_a_server_without_the_bot_answers_privately(
    server: FakeDiscord, world: World, synced: FAQBot, elsewhere: tuple[Guild, Channel]
) -> None:
    guild, chat = elsewhere
    question = await server.send_message(chat, world.bob, UNANSWERED)
    interaction = await server.invoke_message_command(
        MENU_NAME, user=world.alice, message=question, user_install=True
    )
    data = await interaction.final_response()
    assert data["flags"] & EPHEMERAL
    assert data["embeds"][0]["author"]["name"] == f"You asked: {UNANSWERED}"
    assert server.bot_messages(chat) == []
    assert await rows(synced, guild.id) == []
    assert [r.question for r in await rows(synced, "dm")] == [UNANSWERED]


@pytest.mark.asyncio
async def test_not_helpful_on_a_private_answer_elsewhere_is_dm_scope(
    server: FakeDiscord, world: World, synced: FAQBot, elsewhere: tuple[Guild, Channel]
) -> None:
    guild, chat = elsewhere
    interaction = await server.invoke_command(
        "ask", user=world.alice, channel=chat, options={"question": ANSWERED}, user_install=True
    )
    await interaction.final_response()
    answer = interaction.original_message
    assert answer is not None
    entry = synced.engine.ask(ANSWERED).entry
    assert entry is not None
    click = await server.click(answer, f"faq:fb:0:{entry.id}", user=world.alice, user_install=True)
    await click.final_response()
    assert await rows(synced, guild.id) == []
    assert [(r.question, r.reason) for r in await rows(synced, "dm")] == [(ANSWERED, "not_helpful")]


@pytest.mark.asyncio
async def test_server_only_commands_cannot_be_reached_from_a_user_install(
    server: FakeDiscord, world: World, synced: FAQBot, elsewhere: tuple[Guild, Channel]
) -> None:
    _, chat = elsewhere
    with pytest.raises(LookupError, match="not installable"):
        await server.invoke_command("about", user=world.alice, channel=chat, user_install=True)


@pytest.mark.asyncio
async def test_ask_in_the_bots_own_server_via_user_install_is_logged_there(
    server: FakeDiscord, world: World, synced: FAQBot
) -> None:
    """Installed both ways: in a server the bot is in, it behaves as usual."""
    interaction = await server.invoke_command(
        "ask",
        user=world.alice,
        channel=world.general,
        options={"question": UNANSWERED},
        user_install=True,
    )
    data = await interaction.final_response()
    assert not data.get("flags", 0) & EPHEMERAL
    assert [r.question for r in await rows(synced, world.guild.id)] == [UNANSWERED]


@pytest.mark.asyncio
async def test_cli_sync_registers_user_installable_commands_globally(
    server: FakeDiscord, world: World, tmp_path: Path
) -> None:
    """``python -m bot sync`` (global): the PUT is validated against the OpenAPI spec."""
    config = write_config(tmp_path, server, world)
    proc = await start(config, "sync")
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()
    assert "globally" in out.decode()
    assert f'"{MENU_NAME}" (menu)' in out.decode() and "/ask" in out.decode()
    menu = global_command(server, MENU_NAME, 3)
    assert sorted(menu["integration_types"]) == [0, 1]
    assert sorted(global_command(server, "ask")["contexts"]) == [0, 1, 2]
