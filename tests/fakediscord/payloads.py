"""Builders for the payloads a real Discord would dispatch to the bot.

Kept apart from the server so the shapes (which discord.py parses
strictly) are easy to compare with Discord's documentation.
"""

from __future__ import annotations

import re
from typing import Any

from .models import DM_CHANNEL, Channel, Guild, Member, Role, User, iso_now

#: Interaction ``context`` values (InteractionContextType in the spec).
CONTEXT_GUILD = 0
CONTEXT_BOT_DM = 1
CONTEXT_PRIVATE_CHANNEL = 2
#: Keys of ``authorizing_integration_owners`` (ApplicationIntegrationType).
GUILD_INSTALL = "0"
USER_INSTALL = "1"
#: What a user-installed app may do in a server it is not in (Discord's fixed set).
USER_INSTALL_APP_PERMISSIONS = (1 << 14) | (1 << 15) | (1 << 17) | (1 << 18)

ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024

OPTION_SUB_COMMAND = 1
OPTION_SUB_COMMAND_GROUP = 2
OPTION_STRING = 3
OPTION_INTEGER = 4
OPTION_BOOLEAN = 5
OPTION_USER = 6
OPTION_CHANNEL = 7
OPTION_ROLE = 8
OPTION_MENTIONABLE = 9
OPTION_NUMBER = 10

_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")


def member_with_permissions(member: Member) -> dict[str, Any]:
    """Interaction members carry their computed permissions as a string."""
    return member.to_payload() | {"permissions": str(member.permissions())}


def user_message(
    *,
    message_id: str,
    channel: Channel,
    author: User,
    content: str,
    mentions: list[User],
    mention_roles: list[Role],
    mention_everyone: bool,
) -> dict[str, Any]:
    """A MESSAGE_CREATE payload for a message a user typed."""
    guild = channel.guild
    mention_payloads = []
    for user in mentions:
        payload = user.to_payload()
        if guild is not None and user.id in guild.members:
            payload["member"] = guild.members[user.id].to_payload(with_user=False)
        mention_payloads.append(payload)
    message: dict[str, Any] = {
        "id": message_id,
        "channel_id": channel.id,
        "author": author.to_payload(),
        "content": content,
        "timestamp": iso_now(),
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": mention_everyone,
        "mentions": mention_payloads,
        "mention_roles": [r.id for r in mention_roles],
        "attachments": [],
        "embeds": [],
        "pinned": False,
        "type": 0,
        "flags": 0,
        "components": [],
    }
    if guild is not None:
        message["guild_id"] = guild.id
        message["member"] = guild.member(author).to_payload(with_user=False)
    return message


def parse_mentions(
    content: str, guild: Guild | None, users: dict[str, User]
) -> tuple[list[User], list[Role]]:
    """Mentions Discord would resolve from ``<@id>``/``<@&id>`` in content."""
    found_users = [users[uid] for uid in _USER_MENTION.findall(content) if uid in users]
    found_roles: list[Role] = []
    if guild is not None:
        for rid in _ROLE_MENTION.findall(content):
            role = guild.role(rid)
            if role is not None:
                found_roles.append(role)
    return found_users, found_roles


def interaction_base(
    *,
    interaction_id: str,
    token: str,
    application_id: str,
    type: int,
    user: User,
    channel: Channel,
    bot_member: Member | None,
    user_install: bool = False,
    bot_present: bool = True,
) -> dict[str, Any]:
    """Fields every interaction shares, for a guild or a DM.

    ``user_install``: run from the app installed to ``user``'s account, so
    ``authorizing_integration_owners`` names the user; with ``bot_present``
    False the server (or DM between members) is one the bot is not in.
    """
    guild = channel.guild
    payload: dict[str, Any] = {
        "id": interaction_id,
        "application_id": application_id,
        "type": type,
        "token": token,
        "version": 1,
        "channel_id": channel.id,
        "channel": channel.to_payload(),
        "locale": "en-US",
        "entitlements": [],
        "entitlement_sku_ids": [],
        "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
    }
    if guild is not None:
        member = guild.member(user)
        payload["guild_id"] = guild.id
        payload["guild"] = {"id": guild.id, "locale": "en-US", "features": []}
        payload["guild_locale"] = "en-US"
        payload["member"] = member_with_permissions(member)
        payload["channel"]["permissions"] = str(member.permissions())
        payload["app_permissions"] = str(bot_member.permissions() if bot_member else 0)
        owners = {GUILD_INSTALL: guild.id} if bot_present else {}
        if user_install:
            owners[USER_INSTALL] = user.id
        if not bot_present:
            payload["app_permissions"] = str(USER_INSTALL_APP_PERMISSIONS)
        payload["authorizing_integration_owners"] = owners
        payload["context"] = CONTEXT_GUILD
    elif user_install or not bot_present:
        payload["user"] = user.to_payload()
        payload["app_permissions"] = str(USER_INSTALL_APP_PERMISSIONS)
        payload["authorizing_integration_owners"] = {USER_INSTALL: user.id}
        payload["context"] = CONTEXT_BOT_DM if bot_present else CONTEXT_PRIVATE_CHANNEL
    else:
        payload["user"] = user.to_payload()
        payload["app_permissions"] = "0"
        payload["authorizing_integration_owners"] = (
            {"0": "0"} if channel.type != DM_CHANNEL else {"1": user.id}
        )
        payload["context"] = 1
    return payload


class OptionBuilder:
    """Turns ``{"name": value}`` into typed interaction options + ``resolved``.

    Types come from the command the bot registered, so a test cannot send an
    option the bot never declared (Discord's client would not let a user).
    """

    def __init__(
        self, guild: Guild | None, users: dict[str, User], channels: dict[str, Channel]
    ) -> None:
        self.guild = guild
        self.users = users
        self.channels = channels
        self.resolved: dict[str, dict[str, Any]] = {}

    def build(
        self,
        definitions: list[dict[str, Any]],
        values: dict[str, Any],
        *,
        focused: str | None = None,
        where: str = "",
    ) -> list[dict[str, Any]]:
        by_name = {d["name"]: d for d in definitions}
        out: list[dict[str, Any]] = []
        for name, value in values.items():
            definition = by_name.get(name)
            if definition is None:
                raise ValueError(
                    f"{where} has no option {name!r}; registered options: {sorted(by_name)}"
                )
            option: dict[str, Any] = {"name": name, "type": definition["type"]}
            if name == focused:
                option["value"] = str(value)
                option["focused"] = True
            else:
                option["value"] = self._convert(definition, value, where)
            out.append(option)
        if focused is None:
            missing = [
                d["name"] for d in definitions if d.get("required") and d["name"] not in values
            ]
            if missing:
                raise ValueError(f"{where}: required option(s) {missing} not given")
        elif focused not in values:
            raise ValueError(
                f"{where}: focused option {focused!r} needs a (partial) value in options"
            )
        return out

    def _convert(self, definition: dict[str, Any], value: Any, where: str) -> Any:
        kind = definition["type"]
        if kind == OPTION_STRING:
            converted: Any = str(value)
        elif kind == OPTION_INTEGER:
            converted = int(value)
        elif kind == OPTION_NUMBER:
            converted = float(value)
        elif kind == OPTION_BOOLEAN:
            converted = bool(value)
        elif kind in (OPTION_USER, OPTION_MENTIONABLE) and isinstance(value, User | Member):
            converted = self._resolve_user(value.user if isinstance(value, Member) else value)
        elif kind in (OPTION_ROLE, OPTION_MENTIONABLE) and isinstance(value, Role):
            self.resolved.setdefault("roles", {})[value.id] = value.to_payload()
            converted = value.id
        elif kind == OPTION_CHANNEL and isinstance(value, Channel):
            payload = value.to_payload() | {"permissions": str((1 << 41) - 1)}
            self.resolved.setdefault("channels", {})[value.id] = payload
            converted = value.id
        else:
            raise ValueError(
                f"{where}: option {definition['name']!r} (type {kind}) cannot take {value!r}"
            )
        choices = definition.get("choices")
        if choices and converted not in [c["value"] for c in choices]:
            raise ValueError(
                f"{where}: {converted!r} is not one of the registered choices {choices}"
            )
        return converted

    def _resolve_user(self, user: User) -> str:
        self.resolved.setdefault("users", {})[user.id] = user.to_payload()
        if self.guild is not None and user.id in self.guild.members:
            member = member_with_permissions(self.guild.members[user.id])
            del member["user"]
            self.resolved.setdefault("members", {})[user.id] = member
        return user.id


def find_component(components: list[dict[str, Any]], custom_id: str) -> dict[str, Any] | None:
    """Depth-first search of a message's components for ``custom_id``."""
    for comp in components:
        if comp.get("custom_id") == custom_id:
            return comp
        for key in ("components", "accessory"):
            child = comp.get(key)
            children = [child] if isinstance(child, dict) else child or []
            found = find_component(children, custom_id)
            if found is not None:
                return found
    return None
