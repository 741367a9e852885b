"""Fixtures for member-facing e2e tests: a world and a bot connected to the fake server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio

from bot.client import FAQBot
from tests.e2e.harness import World, make_world, running_bot
from tests.fakediscord import FakeDiscord


@pytest_asyncio.fixture
async def world(server: FakeDiscord) -> World:
    return make_world(server)


@pytest_asyncio.fixture
async def bot(server: FakeDiscord, world: World, tmp_path: Path) -> AsyncIterator[FAQBot]:
    async with running_bot(tmp_path, server, world) as running:
        yield running
