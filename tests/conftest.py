"""Shared fixtures: a running FakeDiscord whose violations fail the test.

The repository root goes on ``sys.path`` so tests import ``tests.fakediscord``
and ``tests.e2e.harness`` the same way whatever folder pytest starts in.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
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


@pytest_asyncio.fixture
async def close_opened_stores(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[list[Any]]:
    """Close every store the test opened, even when it failed before its own ``close``.

    A store left open keeps its writer task and connections alive, so one failing
    assert could otherwise hang the run. ``Store.close`` is idempotent, so tests
    that close their stores themselves are unaffected. Storage test modules opt in
    with ``pytestmark = pytest.mark.usefixtures("close_opened_stores")``.
    """
    from bot.storage.postgres import PostgresStore
    from bot.storage.sqlite import SQLiteStore

    opened: list[Any] = []
    for cls in (SQLiteStore, PostgresStore):
        func = cls.__dict__["open"].__func__

        async def open_and_track(
            klass: type[Any], /, *args: Any, _func: Any = func, **kw: Any
        ) -> Any:
            store = await _func(klass, *args, **kw)
            opened.append(store)
            return store

        monkeypatch.setattr(cls, "open", classmethod(open_and_track))
    try:
        yield opened
    finally:
        for store in reversed(opened):
            await store.close(timeout=2.0)
