"""FakeDiscord's forum posts, user-install payloads and self-checks, without a bot.

The e2e tests trust these behaviours of the fake; here they are pinned down
directly over raw HTTP so a regression in the fake cannot hide one in the bot.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from tests.fakediscord import FakeDiscord
from tests.fakediscord.fixtures import running_fake_discord
from tests.fakediscord.payloads import interaction_base

BODY = {"content": "hello", "allowed_mentions": {"parse": []}}


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with running_fake_discord() as server:
        yield server


async def post(fake: FakeDiscord, channel_id: str) -> tuple[int, dict[str, object]]:
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{fake.api_base_url}/channels/{channel_id}/messages", json=BODY) as resp,
    ):
        return resp.status, await resp.json()


@pytest.mark.asyncio
async def test_new_post_refuses_messages_with_40058_until_its_first_message(
    fake: FakeDiscord,
) -> None:
    guild = fake.add_guild("G")
    forum = guild.add_forum("questions")
    author = fake.add_user("alice")
    guild.add_member(author)
    thread = await fake.create_forum_post(forum, author, "Night cramps?", post_starter=False)
    status, body = await post(fake, thread.id)
    assert (status, body["code"]) == (400, 40058)
    assert fake.forum_refusals == [thread.id] and fake.violations == []
    starter = await fake.post_starter(thread, "they wake me up")
    assert starter["id"] == thread.id
    status, _ = await post(fake, thread.id)
    assert status == 200
    # The forum channel itself never takes messages; that one is the bot's mistake.
    status, body = await post(fake, forum.id)
    assert (status, body["code"]) == (400, 40058)
    assert len(fake.violations) == 1 and "forum channel itself" in fake.violations[0]


@pytest.mark.asyncio
async def test_fake_payloads_are_checked_against_the_spec(fake: FakeDiscord) -> None:
    guild = fake.add_guild("G")
    forum = guild.add_forum("questions")
    author = fake.add_user("alice")
    thread = guild.add_thread(forum, "t", author)
    fake.check_own_payload("ThreadResponse", thread.to_payload(), "thread")
    fake.check_own_payload("GuildChannelResponse", forum.to_payload(), "forum")
    assert fake.violations == []
    broken = thread.to_payload()
    del broken["owner_id"]
    fake.check_own_payload("ThreadResponse", broken, "thread")
    assert fake.violations and "owner_id" in fake.violations[0]


def test_user_install_payloads_name_the_user_as_owner(fake: FakeDiscord) -> None:
    user = fake.add_user("alice")
    foreign = fake.add_foreign_guild("Elsewhere")
    foreign.add_member(user)
    chat = foreign.add_channel("chat")
    common: dict[str, Any] = {
        "interaction_id": "1",
        "token": "t",
        "application_id": fake.application_id,
        "type": 2,
        "user": user,
        "bot_member": None,
    }
    there = interaction_base(channel=chat, user_install=True, bot_present=False, **common)
    assert there["authorizing_integration_owners"] == {"1": user.id}
    assert there["context"] == 0 and there["guild_id"] == foreign.id
    dm = fake.private_channel(user, fake.add_user("bob"))
    between = interaction_base(channel=dm, user_install=True, bot_present=False, **common)
    assert between["context"] == 2 and "guild_id" not in between
    assert fake.bot_present(chat) is False and fake.bot_present(dm) is False
