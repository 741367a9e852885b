"""Who counts as a moderator, checked at run time for every moderator command.

Why a run-time check on top of ``default_permissions``: default permissions
only hide a command in the client, and server admins can override them in
Integrations settings. The check below is what actually protects the queue.

A moderator is a guild member whose permissions in the interaction's channel
include Manage Messages or Administrator, or who holds one of the configured
``[moderation] role_ids``. Outside a guild (DMs) nobody is a moderator.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import discord
from discord import app_commands

__all__ = ["REFUSAL", "NotModerator", "is_moderator", "member_role_ids", "moderator_only"]

T = TypeVar("T")

#: Shown to anyone who is not a moderator; says nothing about the queue itself.
REFUSAL = (
    "This command is for this server's moderators (Manage Messages permission or a "
    "moderator role). Nothing was changed."
)


class NotModerator(app_commands.CheckFailure):
    """Raised by ``moderator_only`` when the member may not use a moderator command."""

    def __init__(self) -> None:
        super().__init__(REFUSAL)


def member_role_ids(user: discord.abc.User | Any) -> set[int]:
    """Role ids of a member, even when the guild's roles are not cached.

    ``Member.roles`` only returns roles the guild cache knows, which is empty
    for a bot without the guilds intent; the raw ids from the interaction
    payload (``Member._roles``) are used as well.
    """
    ids: set[int] = set()
    for role in getattr(user, "roles", None) or ():
        role_id = getattr(role, "id", None)
        if isinstance(role_id, int):
            ids.add(role_id)
    raw = getattr(user, "_roles", None)
    if raw is not None:
        ids.update(int(r) for r in raw)
    return ids


def is_moderator(interaction: discord.Interaction[Any], role_ids: Iterable[int]) -> bool:
    """True if the interaction's member may use the moderator commands."""
    if interaction.guild_id is None:
        return False  # DMs: no guild permissions exist, so no moderators either
    perms = interaction.permissions
    if perms.administrator or perms.manage_messages:
        return True
    wanted = set(role_ids)
    return bool(wanted) and not wanted.isdisjoint(member_role_ids(interaction.user))


def _configured_roles(interaction: discord.Interaction[Any]) -> tuple[int, ...]:
    config = getattr(interaction.client, "config", None)
    moderation = getattr(config, "moderation", None)
    return tuple(getattr(moderation, "role_ids", ()) or ())


def moderator_only() -> Callable[[T], T]:
    """``app_commands.check`` that raises ``NotModerator`` for everyone else.

    The role ids come from ``interaction.client.config.moderation.role_ids``,
    read per call so a config reload applies at once.
    """

    async def predicate(interaction: discord.Interaction[Any]) -> bool:
        if is_moderator(interaction, _configured_roles(interaction)):
            return True
        raise NotModerator()

    return app_commands.check(predicate)
