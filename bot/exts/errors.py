"""Global app-command error handler: members see a short note, the log gets the traceback.

Cooldowns and failed checks are expected and get a friendly line; anything else
gets an apology with an error id (8 hex characters) that is also on the error
log line with the traceback, so a member's report can be matched to the cause.
"""

from __future__ import annotations

import logging
import math
import secrets
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

if TYPE_CHECKING:
    from bot.client import FAQBot

log = logging.getLogger(__name__)


def cooldown_text(retry_after: float) -> str:
    return f"You're asking quickly — try again in {max(math.ceil(retry_after), 1)} s."


def new_error_id() -> str:
    return secrets.token_hex(4)


async def send_ephemeral(interaction: discord.Interaction[Any], text: str) -> None:
    """Tell only the member, whether or not the interaction was already answered."""
    if interaction.type is discord.InteractionType.autocomplete:
        return  # autocomplete cannot carry a message
    try:
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, ephemeral=True)
    except discord.HTTPException as exc:
        log.warning("could not tell the member about an error: %s", exc)


def describe(error: BaseException) -> str | None:
    """The member-facing text for expected errors, None for unexpected ones."""
    if isinstance(error, app_commands.CommandOnCooldown):
        return cooldown_text(error.retry_after)
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command only works in a server."
    if isinstance(error, app_commands.CheckFailure):
        text = str(error).strip()
        return (
            text
            if text and not text.startswith("The check functions")
            else ("You can't use this command here.")
        )
    return None


async def report_error(interaction: discord.Interaction[Any], error: BaseException) -> None:
    """Answer an interaction that failed: friendly for expected errors, else an error id."""
    original = getattr(error, "original", None) or error
    text = describe(error)
    if text is None:
        error_id = new_error_id()
        command = interaction.command.qualified_name if interaction.command else None
        custom_id = interaction.data.get("custom_id") if interaction.data else None
        log.error(
            "error %s in %s",
            error_id,
            f"/{command}" if command else f"component {custom_id}",
            exc_info=(type(original), original, original.__traceback__),
        )
        text = f"Sorry, something went wrong on my side. (error id `{error_id}`)"
    await send_ephemeral(interaction, text)


class Errors(commands.Cog):
    """Installs ``report_error`` as the command tree's error handler."""

    def __init__(self, bot: FAQBot) -> None:
        self.bot = bot
        self._previous = bot.tree.on_error

    async def cog_load(self) -> None:
        self.bot.tree.on_error = self.on_app_command_error  # type: ignore[method-assign]

    async def cog_unload(self) -> None:
        self.bot.tree.on_error = self._previous  # type: ignore[method-assign]

    async def on_app_command_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None:
        await report_error(interaction, error)


async def setup(bot: FAQBot) -> None:
    await bot.add_cog(Errors(bot))
