"""Shared fixtures: a running FakeDiscord whose violations fail the test.

The repository root goes on ``sys.path`` so tests import ``tests.fakediscord``
and ``tests.e2e.harness`` the same way whatever folder pytest starts in.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.fakediscord import FakeDiscord  # noqa: E402
from tests.fakediscord.fixtures import running_fake_discord  # noqa: E402


@pytest_asyncio.fixture
async def server() -> AsyncIterator[FakeDiscord]:
    """A FakeDiscord on 127.0.0.1; the test fails if any request broke Discord's rules."""
    async with running_fake_discord() as fake:
        yield fake
        assert fake.violations == [], "requests Discord would reject or that ping:\n" + "\n".join(
            fake.violations
        )
