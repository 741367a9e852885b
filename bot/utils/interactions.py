"""What every interaction surface says when something goes wrong: cooldowns, checks, error ids.

Shared by the error cog (``tree.on_error``), the answer and mention extensions
(cooldown text, error ids) and the persistent components (their callbacks do
not reach ``tree.on_error``), so it lives below all of them.
"""

from __future__ import annotations

import logging
import math
import secrets
from typing import Any

import discord
from discord import app_commands

log = logging.getLogger("bot.exts.errors")


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
