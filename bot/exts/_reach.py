"""Where an interaction happened, as far as answering and logging are concerned.

Why: with the app installed to a member's account (a *user install*), /ask,
/topics and "Answer with FAQ" also run in servers the bot is not in and in DMs
between members. There the bot cannot post in the channel, and nothing about
that server may enter a review queue (its moderators never agreed to the bot).
Such questions are answered ephemerally and logged, if at all, as DM scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import discord


@dataclass(frozen=True, slots=True)
class Reach:
    """``present``: the bot is in this server or DM and may post publicly there.

    ``guild_id`` / ``channel_id`` are what logs and learned phrasings are keyed
    by: the real ones where the bot is present, ``None`` (DM scope) elsewhere.
    """

    present: bool
    guild_id: int | None
    channel_id: int | None


def bot_in_guild(interaction: discord.Interaction[Any], guild_id: int) -> bool:
    """The app is installed to this server, or the bot's gateway knows the guild."""
    if interaction.is_guild_integration():
        return True
    client = interaction.client
    return isinstance(client, discord.Client) and client.get_guild(guild_id) is not None


def reach(interaction: discord.Interaction[Any]) -> Reach:
    """Classify ``interaction``: a server or DM of the bot's own, or a foreign place."""
    guild_id = interaction.guild_id
    if guild_id is not None:
        if bot_in_guild(interaction, guild_id):
            return Reach(True, guild_id, interaction.channel_id)
        return Reach(False, None, None)
    if interaction.context.private_channel:
        # A DM or group DM between members (user install): the bot is not a participant.
        return Reach(False, None, None)
    return Reach(True, None, interaction.channel_id)  # the bot's own DM
