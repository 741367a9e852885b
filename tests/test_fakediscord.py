"""End-to-end tests of FakeDiscord driven by a real discord.py bot.

The bot here is deliberately tiny (a /ping and /faq command, a mention
handler replying with an embed and a button): it exercises the same
gateway, REST and webhook paths the FAQ bot uses, so if these pass the
fake is a faithful enough stand-in for Discord.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest
import pytest_asyncio
from discord import app_commands
from discord.ext import commands
from discord.http import Route

try:
    from tests.fakediscord import FakeDiscord
    from tests.fakediscord.fixtures import running_fake_discord
except ImportError:  # tests/ is not a package: pytest put tests/ itself on sys.path
    from fakediscord import FakeDiscord  # type: ignore[no-redef]
    from fakediscord.fixtures import running_fake_discord  # type: ignore[no-redef]

TOPICS = ["install", "invite", "permissions", "slash-commands"]


class HelpfulView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Helpful", custom_id="faq:helpful", style=discord.ButtonStyle.success)
    async def helpful(self, interaction: discord.Interaction, button: discord.ui.Button[HelpfulView]) -> None:
        await interaction.response.edit_message(content="Thanks for the feedback!", view=None)


def make_bot() -> commands.Bot:
    """A minimal FAQ-like bot: no message_content intent, never pings."""
    bot = commands.Bot(
        command_prefix=commands.when_mentioned,
        intents=discord.Intents.default(),
        allowed_mentions=discord.AllowedMentions.none(),
        help_command=None,
        guild_ready_timeout=0.05,
    )

    @bot.tree.command(name="ping", description="Check that the bot is alive")
    async def ping(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("pong", ephemeral=True)

    @bot.tree.command(name="faq", description="Look up an FAQ entry")
    @app_commands.describe(topic="The FAQ topic")
    async def faq(interaction: discord.Interaction, topic: str) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.followup.send(f"Here is the FAQ entry about {topic}.")

    @faq.autocomplete("topic")
    async def faq_topics(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=t, value=t) for t in TOPICS if current in t]

    @bot.event
    async def on_message(message: discord.Message) -> None:
        if message.author.bot or bot.user is None or bot.user not in message.mentions:
            return
        embed = discord.Embed(title="FAQ", description="Try /faq to search the FAQ.")
        await message.reply(embed=embed, view=HelpfulView())

    return bot


@contextlib.asynccontextmanager
async def running_bot(server: FakeDiscord, bot: commands.Bot | None = None) -> AsyncIterator[commands.Bot]:
    """Log in, connect in the background, wait for on_ready; always close."""
    bot = bot or make_bot()
    await bot.login("fake-token")
    task = asyncio.create_task(bot.connect())
    try:
        await asyncio.wait_for(bot.wait_until_ready(), 10)
        yield bot
    finally:
        await bot.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 5)


@pytest_asyncio.fixture
async def server() -> AsyncIterator[FakeDiscord]:
    async with running_fake_discord() as fake:
        yield fake


@pytest_asyncio.fixture
async def world(server: FakeDiscord) -> dict[str, Any]:
    guild = server.add_guild("FAQ Test Guild")
    helper = guild.add_role("helper", permissions=1 << 13)
    alice = server.add_user("alice")
    guild.add_member(alice, roles=[helper])
    general = guild.add_channel("general")
    return {"guild": guild, "alice": alice, "general": general, "helper": helper}


@pytest.mark.asyncio
async def test_ready_and_guild_create_reach_on_ready(server: FakeDiscord, world: dict[str, Any]) -> None:
    async with running_bot(server) as bot:
        guild = bot.get_guild(int(world["guild"].id))
        assert guild is not None and guild.name == "FAQ Test Guild"
        assert guild.get_channel(int(world["general"].id)) is not None
        assert guild.member_count == 3  # owner, bot, alice (members are not cached without the intent)
        assert bot.user is not None and str(bot.user.id) == server.bot_user.id
        assert bot.application_id == int(server.application_id)
    assert server.violations == []
