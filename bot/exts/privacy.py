"""``/forget-me``: any member deletes every logged row tied to them, everywhere.

Why it is its own cog: it is the one storage command open to everyone
(including in DMs), so it must not share the moderator cog's checks.

The writer is flushed first so rows the member caused moments ago (still in
the queue) are on disk when the delete runs and cannot arrive afterwards.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Protocol, cast

import discord
from discord import app_commands
from discord.ext import commands

from bot.storage import StorageError

if TYPE_CHECKING:
    from bot.storage import Store

__all__ = ["Privacy", "forget_message", "setup"]

log = logging.getLogger(__name__)

FLUSH_TIMEOUT = 10.0
FAILED = (
    "Sorry, the question log could not be changed right now, so nothing was deleted yet. "
    "Please try `/forget-me` again in a minute."
)


class PrivacyBot(Protocol):
    """What this cog needs from ``bot.client.FAQBot``."""

    @property
    def store(self) -> Store: ...


def forget_message(deleted: int) -> str:
    """The reply: how many rows went, and what that covers."""
    if deleted == 0:
        return (
            "Nothing was stored about you: no logged questions or feedback tied to you "
            "in any server or DM."
        )
    return (
        f"Done: deleted {deleted} stored row(s) tied to you (logged questions and "
        "Helpful/Not helpful clicks) in every server and DM. New questions the bot cannot "
        "answer are logged again as described in /about."
    )


class Privacy(commands.Cog):
    """Member-facing data deletion."""

    def __init__(self, bot: PrivacyBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="forget-me", description="Delete everything this bot stored about you, everywhere"
    )
    async def forget_me(self, interaction: discord.Interaction[Any]) -> None:
        # Defer first: a flush during a database outage may take seconds.
        await interaction.response.defer(ephemeral=True, thinking=True)
        store = self.bot.store
        try:
            try:
                await store.writer.flush(timeout=FLUSH_TIMEOUT)
            except TimeoutError:
                log.warning(
                    "forget-me: writer did not flush in %.0f s; deleting anyway", FLUSH_TIMEOUT
                )
            deleted = await store.forget_user(interaction.user.id)
        except StorageError as exc:
            log.warning("forget-me failed: %s", exc)
            await interaction.followup.send(FAILED, ephemeral=True)
            return
        log.info("forget-me: deleted %d rows for a member", deleted)
        await interaction.followup.send(forget_message(deleted), ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    """Extension entry point (loaded by the bot's ``setup_hook``)."""
    await bot.add_cog(Privacy(cast(PrivacyBot, bot)))
