"""Global app-command error handler: members see a short note, the log gets the traceback.

Cooldowns and failed checks are expected and get a friendly line; anything else
gets an apology with an error id (8 hex characters) that is also on the error
log line with the traceback, so a member's report can be matched to the cause.
The texts and ``report_error`` live in ``bot.utils.interactions``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.utils.interactions import report_error

if TYPE_CHECKING:
    from bot.client import FAQBot


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
