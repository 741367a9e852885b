"""The exit status of ``python -m bot run`` tells whether every logged row was saved."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import bot.runner as runner
from bot.config import Config, StorageSettings


class FakeStore:
    """Just enough of a store for ``_run``: no learned phrasings, a chosen close() result."""

    def __init__(self, unwritten: int) -> None:
        self.unwritten = unwritten
        self.closed = False

    async def learned(self, guild_id: str | None = None) -> list[Any]:
        return []

    async def close(self, timeout: float = 10.0) -> int:  # noqa: ASYNC109
        self.closed = True
        return self.unwritten


@pytest.mark.asyncio
@pytest.mark.parametrize(("unwritten", "served", "expected"), [(0, 0, 0), (3, 0, 1), (3, 2, 2)])
async def test_unwritten_rows_turn_a_clean_stop_into_a_failure(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, unwritten: int, served: int, expected: int
) -> None:
    store = FakeStore(unwritten)

    async def fake_open(config: Config) -> FakeStore:
        return store

    async def fake_serve(bot: object, token: str) -> int:
        return served

    monkeypatch.setattr(runner, "open_store", fake_open)
    monkeypatch.setattr(runner, "_serve", fake_serve)
    config = Config(storage=StorageSettings(database_path=tmp_path / "x.sqlite3"), token="t")
    assert await runner._run(config) == expected
    assert store.closed
