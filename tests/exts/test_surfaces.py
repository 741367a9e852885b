"""Unit and property tests for the helpers behind the menu, forum and user-install flows."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

from discord import app_commands
from hypothesis import given
from hypothesis import strategies as st

from bot.engine import Engine
from bot.engine.render import render_decision
from bot.exts._reach import reach
from bot.exts.forums import SUGGESTION_LEAD, forum_payload
from bot.exts.mentions import question_text
from bot.ui import reply_payload
from tests.e2e.harness import shipped_knowledge

BOT_ID = 1_234_567_890_123_456_789


@given(st.text(), st.sampled_from(["<@{}>", "<@!{}>"]), st.text())
def test_question_text_drops_the_bot_mention_and_folds_space(
    before: str, form: str, after: str
) -> None:
    text = question_text(before + form.format(BOT_ID) + after, BOT_ID)
    assert not re.search(rf"<@!?{BOT_ID}>", text)
    assert text == text.strip() and "  " not in text
    assert question_text(text, BOT_ID) == text  # idempotent


@given(st.text())
def test_question_text_keeps_every_word_without_a_mention(text: str) -> None:
    assert question_text(text, None).split() == text.split()


def interaction(
    *, guild_id: int | None, owners: dict[int, int], context: int, user_id: int = 7
) -> Any:
    """The parts of a discord.Interaction that ``reach`` reads."""
    return SimpleNamespace(
        guild_id=guild_id,
        channel_id=99,
        client=object(),
        context=app_commands.AppCommandContext._from_value([context]),  # type: ignore[list-item]
        is_guild_integration=lambda: guild_id is not None and owners.get(0) == guild_id,
    )


def test_reach_tells_own_servers_and_dms_from_foreign_places() -> None:
    own = reach(interaction(guild_id=5, owners={0: 5, 1: 7}, context=0))
    assert (own.present, own.guild_id, own.channel_id) == (True, 5, 99)
    foreign = reach(interaction(guild_id=6, owners={1: 7}, context=0))
    assert (foreign.present, foreign.guild_id, foreign.channel_id) == (False, None, None)
    bot_dm = reach(interaction(guild_id=None, owners={1: 7}, context=1))
    assert (bot_dm.present, bot_dm.guild_id, bot_dm.channel_id) == (True, None, 99)
    between_members = reach(interaction(guild_id=None, owners={1: 7}, context=2))
    assert (between_members.present, between_members.guild_id) == (False, None)


def test_forum_payload_leads_answers_with_the_suggestion_line_only() -> None:
    knowledge = shipped_knowledge()
    engine = Engine(knowledge)
    answer = engine.ask("why do my calves cramp at night?")
    urgent = engine.ask("I have chest pain and my arm is cramping")
    assert answer.outcome == "answer" and urgent.outcome == "urgent"
    suggested = forum_payload(answer, reply_payload(render_decision(knowledge, answer)))
    assert suggested.content is not None and suggested.content.startswith(SUGGESTION_LEAD)
    guidance = reply_payload(render_decision(knowledge, urgent))
    kept = forum_payload(urgent, reply_payload(render_decision(knowledge, urgent)))
    assert kept.content == guidance.content
