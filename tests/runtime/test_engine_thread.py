"""Answering runs on the engine's worker thread, never on the event loop's thread."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from pathlib import Path

import pytest

from bot.client import FAQBot
from bot.config import Config, ContentSettings, StorageSettings
from bot.engine import Decision, Engine
from bot.storage import open_store
from tests.e2e.harness import CONTENT, shipped_knowledge

pytestmark = pytest.mark.asyncio


class RecordingEngine(Engine):
    """The shipped engine, noting which thread each question was answered on."""

    threads: list[str]

    def ask(self, question: str, *, guild_id: str | None = None) -> Decision:
        self.threads.append(threading.current_thread().name)
        return super().ask(question, guild_id=guild_id)


async def test_questions_are_answered_off_the_event_loop(tmp_path: Path) -> None:
    config = Config(
        storage=StorageSettings(database_path=tmp_path / "bot.sqlite3"),
        content=ContentSettings(path=CONTENT),
    )
    engine = RecordingEngine(
        shipped_knowledge(), dataclasses.replace(config.engine, semantic=False)
    )
    engine.threads = []
    store = await open_store(config)
    bot = FAQBot(config, store, engine)
    try:
        decision, reply = await bot.decide("why do my legs cramp at night", None)
        message, _ = await bot.decide_message("calf cramp help. also is magnesium good", 1)
        # Questions queue on one worker: a burst is answered in order, none lost.
        burst = await asyncio.gather(*(bot.decide(f"cramp {i}", None) for i in range(5)))
    finally:
        await bot.close()
        await store.close()
    assert decision.entry is not None and reply.cards
    assert len(message.answers) == 2
    assert len(burst) == 5
    loop_thread = threading.main_thread().name
    assert engine.threads and loop_thread not in engine.threads
    assert {name.split("_")[0] for name in engine.threads} == {"faq-engine"}
