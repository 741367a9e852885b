"""What clicks under answers do: Helpful / Not helpful, Related, near-miss suggestions.

The buttons and select themselves (labels, custom_ids) are in ``bot.ui.components``;
they call the handlers here. Every handler answers first (Discord's 3-second
deadline), then queues rows. Nothing here keeps state: the entry id is in the
custom_id and the asker's question is on the clicked message, so clicks on
messages from before a restart behave the same.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import discord

from bot.content import Entry, Knowledge
from bot.engine.render import Reply, entry_card
from bot.exts._reach import reach
from bot.storage import FeedbackRecord, MissedRecord
from bot.ui import DYNAMIC_ITEMS, question_from, reply_payload
from bot.ui.components import ClickHandlers, register_handlers

if TYPE_CHECKING:
    from bot.client import FAQBot

THANKS_HELPFUL = "Thanks — glad it helped!"
THANKS_NOT_HELPFUL = (
    "Thanks for telling us. The moderators will see your question and improve the answer."
)
GONE = "That answer is no longer in the FAQ. Try `/ask` or `/topics`."
RELATED_MAX = 25


def place(interaction: discord.Interaction[Any]) -> tuple[str, str]:
    """(guild id or "dm", channel id) as the store keys them.

    Clicks on answers shown by a user install in a server the bot is not in are
    DM scope: that server's queue is not the bot's to fill.
    """
    where = reach(interaction)
    guild = str(where.guild_id) if where.guild_id else "dm"
    return guild, str(where.channel_id or 0)


def related_entries(knowledge: Knowledge, entry: Entry) -> tuple[Entry, ...]:
    found = (knowledge.entries[i] for i in entry.see_also if i in knowledge.entries)
    return tuple(found)[:RELATED_MAX]


async def show_entry(interaction: discord.Interaction[Any], entry_id: str) -> None:
    """Answer a Related / suggestion pick with that entry's own card, for the clicker only.

    The original question travels along, so "Not helpful" on this card still
    queues what the member actually asked.
    """
    bot: FAQBot = interaction.client
    knowledge = bot.knowledge
    entry = knowledge.entries.get(entry_id)
    if entry is None:
        await interaction.response.send_message(GONE, ephemeral=True)
        return
    reply = Reply(
        None,
        (entry_card(knowledge, entry),),
        related=related_entries(knowledge, entry),
        feedback=True,
    )
    question = question_from(interaction.message.embeds) if interaction.message else None
    payload = reply_payload(reply, question=question)
    await interaction.response.send_message(**payload.kwargs(), ephemeral=True)


async def record_feedback(
    interaction: discord.Interaction[Any], entry_id: str, helpful: bool
) -> None:
    """Thank the member, log the click; "Not helpful" also queues the question (open)."""
    bot: FAQBot = interaction.client
    await interaction.response.send_message(
        THANKS_HELPFUL if helpful else THANKS_NOT_HELPFUL, ephemeral=True
    )
    async with bot.hold():
        guild, channel = place(interaction)
        message = interaction.message
        question = question_from(message.embeds) if message else None
        await bot.store.log_feedback(
            FeedbackRecord(
                source_id=str(interaction.id),
                guild_id=guild,
                channel_id=channel,
                message_id=str(message.id if message else 0),
                author_id=interaction.user.id,
                entry_id=entry_id,
                helpful=helpful,
                question=question,
            )
        )
        if helpful:
            return
        shown = bot.engine.entry(entry_id)
        text = question or (shown.title if shown else entry_id)
        ask = functools.partial(bot.engine.ask, text, guild_id=None if guild == "dm" else guild)
        decision = await bot.in_engine_thread(ask)
        await bot.store.log_missed(
            MissedRecord(
                source_id=str(interaction.id),
                guild_id=guild,
                channel_id=channel,
                author_id=interaction.user.id,
                question=text,
                normalised=decision.cleaned,
                candidates=[(c.entry.id, c.score) for c in decision.candidates],
                reason="not_helpful",
                shown_entry_id=entry_id,
            )
        )


class FeedbackClicks:
    """The ``bot.ui.components.ClickHandlers`` the persistent items call."""

    async def record_feedback(
        self, interaction: discord.Interaction[Any], entry_id: str, helpful: bool
    ) -> None:
        await record_feedback(interaction, entry_id, helpful)

    async def show_entry(self, interaction: discord.Interaction[Any], entry_id: str) -> None:
        await show_entry(interaction, entry_id)


HANDLERS: ClickHandlers = FeedbackClicks()


async def setup(bot: FAQBot) -> None:
    """Register the click handlers and the persistent items (``setup_hook`` adds the items too)."""
    register_handlers(HANDLERS)
    bot.add_dynamic_items(*DYNAMIC_ITEMS)


async def teardown(bot: FAQBot) -> None:
    # Handlers stay registered: they are stateless, and other bots in this
    # process (shards, tests) may still be using them.
    bot.remove_dynamic_items(*DYNAMIC_ITEMS)
