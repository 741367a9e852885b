"""A ready-made async context manager for tests (the lead wires it into conftest)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from .patching import point_discord_py_at
from .server import FakeDiscord


@asynccontextmanager
async def running_fake_discord(openapi_path: Path | None = None) -> AsyncIterator[FakeDiscord]:
    """Start a FakeDiscord, point discord.py at it, and undo both on exit.

    Usage in a conftest or test module::

        @pytest_asyncio.fixture
        async def fake_discord():
            async with running_fake_discord() as server:
                yield server
    """
    server = FakeDiscord(openapi_path)
    await server.start()
    restore = point_discord_py_at(server)
    try:
        yield server
    finally:
        restore()
        await server.close()
