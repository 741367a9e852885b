"""End-to-end tests of FakeDiscord driven by a real discord.py bot.

The bot here is deliberately tiny (a /ping and /faq command, a mention
handler replying with an embed and a button): it exercises the same
gateway, REST and webhook paths the FAQ bot uses, so if these pass the
fake is a faithful enough stand-in for Discord.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import discord
import pytest
import pytest_asyncio
from discord import app_commands
from discord.ext import commands
from discord.http import Route

try:
    from tests.fakediscord import FakeDiscord, RecordedRequest
    from tests.fakediscord.fixtures import running_fake_discord
except ImportError:  # tests/ is not a package: pytest put tests/ itself on sys.path
    from fakediscord import FakeDiscord, RecordedRequest  # type: ignore[no-redef,import-not-found,unused-ignore]
    from fakediscord.fixtures import running_fake_discord  # type: ignore[no-redef,import-not-found,unused-ignore]

TOPICS = ["install", "invite", "permissions", "slash-commands"]


class HelpfulView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Helpful", custom_id="faq:helpful", style=discord.ButtonStyle.success)
    async def helpful(
        self, interaction: discord.Interaction, button: discord.ui.Button[HelpfulView]
    ) -> None:
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
    async def faq_topics(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=t, value=t) for t in TOPICS if current in t]

    @bot.event
    async def on_message(message: discord.Message) -> None:
        if message.author.bot or bot.user is None or bot.user not in message.mentions:
            return
        embed = discord.Embed(title="FAQ", description="Try /faq to search the FAQ.")
        await message.reply(embed=embed, view=HelpfulView())

    return bot


def _replies_to(server: FakeDiscord, request: RecordedRequest, text: str) -> bool:
    """Whether ``request`` posted a reply to a stored message containing ``text``."""
    reference = (request.json or {}).get("message_reference") or {}
    original = server.find_message(str(reference.get("message_id")))
    return original is not None and text in original["content"]


@contextlib.asynccontextmanager
async def running_bot(
    server: FakeDiscord, bot: commands.Bot | None = None
) -> AsyncIterator[commands.Bot]:
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
async def test_ready_and_guild_create_reach_on_ready(
    server: FakeDiscord, world: dict[str, Any]
) -> None:
    async with running_bot(server) as bot:
        guild = bot.get_guild(int(world["guild"].id))
        assert guild is not None and guild.name == "FAQ Test Guild"
        assert guild.get_channel(int(world["general"].id)) is not None
        assert (
            guild.member_count == 3
        )  # owner, bot, alice (members are not cached without the intent)
        assert bot.user is not None and str(bot.user.id) == server.bot_user.id
        assert bot.application_id == int(server.application_id)
    assert server.violations == []


@pytest.mark.asyncio
async def test_sync_stores_commands_and_invoke_gets_response(
    server: FakeDiscord, world: dict[str, Any]
) -> None:
    async with running_bot(server) as bot:
        synced = await bot.tree.sync()
        assert sorted(c.name for c in synced) == ["faq", "ping"]
        assert sorted(c["name"] for c in server.commands) == ["faq", "ping"]
        faq = next(c for c in server.commands if c["name"] == "faq")
        assert faq["options"][0]["name"] == "topic" and faq["options"][0]["autocomplete"] is True

        ping = await server.invoke_command("ping", user=world["alice"], channel=world["general"])
        callback = await ping.response()
        assert callback["type"] == 4
        assert callback["data"]["content"] == "pong"
        assert callback["data"]["flags"] & 64  # ephemeral
        assert ping.original_message is not None and ping.original_message["content"] == "pong"

        deferred = await server.invoke_command(
            "faq", user=world["alice"], channel=world["general"], options={"topic": "install"}
        )
        answer = await server.wait_for_interaction_response(deferred.id)
        assert answer["content"] == "Here is the FAQ entry about install."
        assert (await deferred.response())["type"] == 5
        assert [f["content"] for f in await deferred.followups(1)] == [answer["content"]]
    assert server.violations == []


@pytest.mark.asyncio
async def test_invoke_unregistered_command_fails_clearly(
    server: FakeDiscord, world: dict[str, Any]
) -> None:
    async with running_bot(server):
        with pytest.raises(LookupError, match="not registered"):
            await server.invoke_command("ping", user=world["alice"], channel=world["general"])


@pytest.mark.asyncio
async def test_autocomplete_returns_choices(server: FakeDiscord, world: dict[str, Any]) -> None:
    async with running_bot(server) as bot:
        await bot.tree.sync()
        typing = await server.autocomplete(
            "faq",
            user=world["alice"],
            channel=world["general"],
            options={"topic": "in"},
            focused="topic",
        )
        choices = await server.wait_for_autocomplete(typing)
        assert [c["value"] for c in choices] == ["install", "invite"]
    assert server.violations == []


@pytest.mark.asyncio
async def test_mention_gets_reply_and_button_click_updates_it(
    server: FakeDiscord, world: dict[str, Any]
) -> None:
    async with running_bot(server):
        alice, general = world["alice"], world["general"]
        question = await server.send_message(
            general, alice, f"{server.mention(server.bot_user)} how do I install?"
        )
        reply = await server.wait_for_reply(question["id"])
        assert reply["embeds"][0]["title"] == "FAQ"
        assert reply["components"][0]["components"][0]["custom_id"] == "faq:helpful"
        sent = await server.wait_for_request(
            lambda r: r.method == "POST" and r.path.endswith("/messages")
        )
        assert sent.json["allowed_mentions"]["parse"] == []
        assert not sent.json["allowed_mentions"].get("replied_user")

        click = await server.click(reply, "faq:helpful", user=alice)
        assert (await click.response())["type"] == 7
        assert server.find_message(reply["id"])["content"] == "Thanks for the feedback!"  # type: ignore[index]
        assert server.find_message(reply["id"])["components"] == []  # type: ignore[index]
    assert server.violations == []


@pytest.mark.asyncio
async def test_message_without_mention_has_no_content_for_bot_without_intent(
    server: FakeDiscord, world: dict[str, Any]
) -> None:
    seen: list[str] = []
    bot = make_bot()

    @bot.listen("on_message")
    async def record(message: discord.Message) -> None:
        seen.append(message.content)

    async with running_bot(server, bot):
        await server.send_message(world["general"], world["alice"], "no mention here")
        await server.send_message(
            world["general"], world["alice"], f"hi {server.mention(server.bot_user)}"
        )
        await server.wait_for_request(lambda r: r.method == "POST" and r.path.endswith("/messages"))
    assert seen[:2] == ["", f"hi <@{server.bot_user.id}>"]


@pytest.mark.asyncio
async def test_schema_and_limit_violations_are_reported(
    server: FakeDiscord, world: dict[str, Any]
) -> None:
    async with running_bot(server) as bot:
        route = Route("POST", "/channels/{channel_id}/messages", channel_id=world["general"].id)
        with pytest.raises(discord.HTTPException) as too_long:
            await bot.http.request(
                route, json={"content": "x" * 2001, "allowed_mentions": {"parse": []}}
            )
        assert too_long.value.status == 400 and too_long.value.code == 50035
        assert any("content" in v and "2000" in v for v in server.violations)

        server.violations.clear()
        with pytest.raises(discord.HTTPException):
            await bot.http.request(route, json={"content": 42, "allowed_mentions": {"parse": []}})
        assert any("schema" in v and "content" in v for v in server.violations)


@pytest.mark.asyncio
async def test_missing_or_permissive_allowed_mentions_is_a_violation(
    server: FakeDiscord, world: dict[str, Any]
) -> None:
    async with running_bot(server) as bot:
        route = Route("POST", "/channels/{channel_id}/messages", channel_id=world["general"].id)
        await bot.http.request(route, json={"content": "hello"})
        assert any("allowed_mentions missing" in v for v in server.violations)
        server.violations.clear()
        await bot.http.request(
            route, json={"content": "@everyone", "allowed_mentions": {"parse": ["everyone"]}}
        )
        assert any("parse" in v for v in server.violations)


@pytest.mark.asyncio
async def test_unknown_endpoint_is_a_violation(server: FakeDiscord, world: dict[str, Any]) -> None:
    async with running_bot(server) as bot:
        with pytest.raises(discord.NotFound):
            await bot.http.request(Route("GET", "/definitely/not/discord"))
    assert server.violations == [
        "GET /api/v10/definitely/not/discord: unknown endpoint GET /api/v10/definitely/not/discord"
    ]


@pytest.mark.asyncio
async def test_injected_500_and_429_are_retried(server: FakeDiscord, world: dict[str, Any]) -> None:
    async with running_bot(server) as bot:
        channel = bot.get_channel(int(world["general"].id))
        assert isinstance(channel, discord.TextChannel)
        start = len(server.requests)
        server.fail_next("POST", r"/channels/\d+/messages$", 500)
        await channel.send("after a 500")
        server.fail_next("POST", r"/channels/\d+/messages$", 429, retry_after=0.05)
        await channel.send("after a 429")
        statuses = [r.status for r in server.requests[start:] if r.method == "POST"]
        assert statuses == [500, 200, 429, 200]
        limited = server.requests[start:][2]
        assert limited.response["retry_after"] == 0.05
        assert [m["content"] for m in server.messages[world["general"].id]] == [
            "after a 500",
            "after a 429",
        ]
    assert server.violations == []


@pytest.mark.asyncio
async def test_messages_sent_while_disconnected_arrive_once_after_resume(
    server: FakeDiscord, world: dict[str, Any]
) -> None:
    bot = make_bot()
    received: list[str] = []
    resumed = asyncio.Event()

    @bot.listen("on_message")
    async def record(message: discord.Message) -> None:
        if not message.author.bot:
            received.append(message.content)

    @bot.listen("on_resumed")
    async def on_resumed() -> None:
        resumed.set()

    async with running_bot(server, bot):
        mention = server.mention(server.bot_user)
        await server.send_message(world["general"], world["alice"], f"{mention} before")
        await server.drop_gateway(code=4000)
        await server.send_message(world["general"], world["alice"], f"{mention} while away")
        await asyncio.wait_for(resumed.wait(), 10)
        await server.send_message(world["general"], world["alice"], f"{mention} after")
        await server.wait_for_request(lambda r: _replies_to(server, r, "after"))
        assert (
            server.gateway.resumes
            and server.gateway.resumes[0]["session_id"] == server.gateway.sessions[0].id
        )
        assert len(server.gateway.sessions) == 1
    assert received == [f"{mention} before", f"{mention} while away", f"{mention} after"]
    assert server.violations == []


@pytest.mark.asyncio
async def test_rest_answers_with_bare_json_content_type(server: FakeDiscord) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(server.api_base_url + "/users/@me") as response:
            assert response.headers["Content-Type"] == "application/json"
            assert (await response.json())["username"] == "FAQBot"
        async with http.get(server.api_base_url + "/gateway/bot") as response:
            body = await response.json()
            assert body["url"] == server.gateway_url and body["shards"] == 1


@pytest.mark.asyncio
async def test_raw_gateway_sharding_resume_and_invalidation(server: FakeDiscord) -> None:
    # Shards are picked by the snowflake's timestamp: make guilds until both shards own one.
    guilds = [server.add_guild("g0")]
    while len({(int(g.id) >> 22) % 2 for g in guilds}) < 2:
        await asyncio.sleep(0.002)
        guilds.append(server.add_guild(f"g{len(guilds)}"))
    expected = {g.id for g in guilds if (int(g.id) >> 22) % 2 == 1}
    async with aiohttp.ClientSession() as http, http.ws_connect(server.gateway_url) as ws:
        hello = await ws.receive_json(timeout=2)
        assert hello["op"] == 10 and hello["d"]["heartbeat_interval"] > 0
        await ws.send_json({"op": 1, "d": None})
        assert (await ws.receive_json(timeout=2))["op"] == 11
        await ws.send_json({"op": 2, "d": {"token": "t", "intents": 513, "shard": [1, 2]}})
        ready = await ws.receive_json(timeout=2)
        assert ready["t"] == "READY" and ready["s"] == 1 and ready["d"]["shard"] == [1, 2]
        assert {g["id"] for g in ready["d"]["guilds"]} == expected and 0 < len(expected) < len(
            guilds
        )
        creates = [await ws.receive_json(timeout=2) for _ in expected]
        assert [c["t"] for c in creates] == ["GUILD_CREATE"] * len(expected)
        assert [c["s"] for c in creates] == list(range(2, 2 + len(expected)))

        server.invalidate_session()
        assert await ws.receive_json(timeout=2) == {"op": 9, "d": False, "s": None, "t": None}

    async with aiohttp.ClientSession() as http, http.ws_connect(server.gateway_url) as ws:
        await ws.receive_json(timeout=2)
        await ws.send_json({"op": 6, "d": {"token": "t", "session_id": "nope", "seq": 3}})
        assert (await ws.receive_json(timeout=2))["op"] == 9


@pytest.mark.asyncio
async def test_file_upload_and_dm_reply(server: FakeDiscord, world: dict[str, Any]) -> None:
    async with running_bot(server) as bot:
        channel = bot.get_channel(int(world["general"].id))
        assert isinstance(channel, discord.TextChannel)
        await channel.send("see attached", file=discord.File(io.BytesIO(b"hello"), "faq.txt"))
        upload = await server.wait_for_request(lambda r: bool(r.files))
        assert upload.json["attachments"][0]["filename"] == "faq.txt"
        stored = server.messages[world["general"].id][-1]
        assert stored["attachments"][0]["size"] == 5

        dm = server.dm_channel(world["alice"])
        question = await server.send_message(
            dm, world["alice"], f"{server.mention(server.bot_user)} hi"
        )
        assert "guild_id" not in question and "member" not in question
        reply = await server.wait_for_reply(question["id"])
        assert reply["channel_id"] == dm.id
    assert server.violations == []


@pytest.mark.asyncio
async def test_late_interaction_callback_is_a_violation(
    server: FakeDiscord, world: dict[str, Any]
) -> None:
    server.interaction_deadline = 0.0  # as if the bot took longer than Discord's 3 s
    async with running_bot(server) as bot:
        await bot.tree.sync()
        await server.invoke_command("ping", user=world["alice"], channel=world["general"])
        await server.wait_for_request(lambda r: r.path.endswith("/callback"))
    assert any("Discord allows 3s" in v for v in server.violations)
