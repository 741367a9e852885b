"""The fake Discord's world: users, guilds, channels, roles, members.

Objects are plain dataclasses holding snowflake *strings* (as Discord sends
them) and know how to render themselves as the gateway/REST payloads that
discord.py parses.  They stay free of networking so scenarios can be built
before any bot connects.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

DISCORD_EPOCH_MS = 1420070400000

# Permission bits used by the world model (see Discord's permission docs).
ADMINISTRATOR = 1 << 3
ALL_PERMISSIONS = (1 << 51) - 1
DEFAULT_EVERYONE_PERMISSIONS = (
    (1 << 0)  # CREATE_INSTANT_INVITE
    | (1 << 6)  # ADD_REACTIONS
    | (1 << 10)  # VIEW_CHANNEL
    | (1 << 11)  # SEND_MESSAGES
    | (1 << 14)  # EMBED_LINKS
    | (1 << 15)  # ATTACH_FILES
    | (1 << 16)  # READ_MESSAGE_HISTORY
    | (1 << 18)  # USE_EXTERNAL_EMOJIS
    | (1 << 20)  # CONNECT
    | (1 << 21)  # SPEAK
    | (1 << 26)  # CHANGE_NICKNAME
    | (1 << 31)  # USE_APPLICATION_COMMANDS
)

TEXT_CHANNEL = 0
DM_CHANNEL = 1
GROUP_DM_CHANNEL = 3
PUBLIC_THREAD = 11
FORUM_CHANNEL = 15
THREAD_TYPES = (10, 11, 12)


class SnowflakeFactory:
    """Makes strictly increasing, time-based snowflake strings.

    Real snowflakes encode a timestamp, so ids created later sort later; the
    low 22 bits keep a counter so that ids never collide or go backwards.
    """

    def __init__(self) -> None:
        self._counter = itertools.count(1)
        self._last = 0

    def __call__(self) -> str:
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        value = (ms << 22) | (next(self._counter) & ((1 << 22) - 1))
        self._last = max(value, self._last + 1)
        return str(self._last)


def iso_now() -> str:
    """Discord-style ISO 8601 timestamp with a UTC offset."""
    return datetime.now(UTC).isoformat()


@dataclass(eq=False)
class User:
    """A Discord user (a human or a bot)."""

    id: str
    username: str
    bot: bool = False
    global_name: str | None = None

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"

    def to_payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "id": self.id,
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": None,
            "avatar_decoration_data": None,
            "public_flags": 0,
            "flags": 0,
            "banner": None,
            "accent_color": None,
            "primary_guild": None,
        }
        if self.bot:
            payload["bot"] = True
        return payload


@dataclass(eq=False)
class Role:
    """A guild role; ``permissions`` is an integer bit set."""

    id: str
    name: str
    permissions: int
    position: int
    guild_id: str
    managed: bool = False

    @property
    def mention(self) -> str:
        return f"<@&{self.id}>"

    def to_payload(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            # Discord sends permission bit sets as strings (they exceed 2**53).
            "permissions": str(self.permissions),
            "managed": self.managed,
            "mentionable": False,
            "flags": 0,
        }


@dataclass(eq=False)
class Channel:
    """A guild channel (text, forum, or a thread with a ``parent``) or a DM / group DM.

    A forum post is a thread whose ``parent`` is a forum channel; its starter
    message has the thread's id, and ``starter_posted`` says whether it exists
    yet (Discord refuses bot messages in the post until it does).
    """

    id: str
    name: str
    type: int
    guild: Guild | None = None
    position: int = 0
    recipients: list[User] = field(default_factory=list)
    parent: Channel | None = None
    owner: User | None = None
    starter_posted: bool = False
    pending_content: str = ""
    created_at: str = field(default_factory=iso_now)

    @property
    def is_thread(self) -> bool:
        return self.type in THREAD_TYPES

    @property
    def is_forum_post(self) -> bool:
        return self.is_thread and self.parent is not None and self.parent.type == FORUM_CHANNEL

    @property
    def guild_id(self) -> str | None:
        return self.guild.id if self.guild is not None else None

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"

    def to_payload(self) -> dict[str, Any]:
        if self.guild is None:
            payload: dict[str, Any] = {
                "id": self.id,
                "type": self.type,
                "last_message_id": None,
                "flags": 0,
                "recipients": [u.to_payload() for u in self.recipients],
            }
            if self.type == GROUP_DM_CHANNEL:
                owner = self.owner or (self.recipients[0] if self.recipients else None)
                payload |= {"name": self.name or None, "icon": None}
                if owner is not None:
                    payload["owner_id"] = owner.id
            return payload
        if self.is_thread:
            return self._thread_payload()
        if self.type == FORUM_CHANNEL:
            return self._guild_channel_payload() | {
                "available_tags": [],
                "default_reaction_emoji": None,
                "default_thread_rate_limit_per_user": 0,
                "default_sort_order": None,
                "default_forum_layout": 0,
                "default_tag_setting": "match_some",
            }
        return self._guild_channel_payload()

    def _thread_payload(self) -> dict[str, Any]:
        """A thread as Discord's ``ThreadResponse`` (checked against the spec by the server)."""
        assert self.guild is not None and self.parent is not None and self.owner is not None
        return {
            "id": self.id,
            "type": self.type,
            "guild_id": self.guild.id,
            "name": self.name,
            "parent_id": self.parent.id,
            "owner_id": self.owner.id,
            "last_message_id": self.id if self.starter_posted else None,
            "flags": 0,
            "rate_limit_per_user": 0,
            "thread_metadata": {
                "archived": False,
                "archive_timestamp": self.created_at,
                "auto_archive_duration": 4320,
                "locked": False,
                "create_timestamp": self.created_at,
            },
            "message_count": 1 if self.starter_posted else 0,
            "member_count": 1,
            "total_message_sent": 1 if self.starter_posted else 0,
            "applied_tags": [],
        }

    def _guild_channel_payload(self) -> dict[str, Any]:
        assert self.guild is not None
        return {
            "id": self.id,
            "type": self.type,
            "guild_id": self.guild.id,
            "name": self.name,
            "position": self.position,
            "permission_overwrites": [],
            "nsfw": False,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "parent_id": None,
            "flags": 0,
        }


@dataclass(eq=False)
class Member:
    """A user's membership in a guild, with its roles."""

    user: User
    guild: Guild
    roles: list[Role] = field(default_factory=list)
    nick: str | None = None
    joined_at: str = field(default_factory=iso_now)

    @property
    def id(self) -> str:
        return self.user.id

    @property
    def mention(self) -> str:
        return self.user.mention

    def permissions(self) -> int:
        """Guild-level permissions, computed like Discord does (no overwrites)."""
        if self.user.id == self.guild.owner.id:
            return ALL_PERMISSIONS
        value = self.guild.everyone.permissions
        for role in self.roles:
            value |= role.permissions
        return ALL_PERMISSIONS if value & ADMINISTRATOR else value

    def to_payload(self, *, with_user: bool = True) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "roles": [r.id for r in self.roles],
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "joined_at": self.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }
        if with_user:
            payload["user"] = self.user.to_payload()
        return payload


@dataclass(eq=False)
class Guild:
    """A guild.  Mutators notify the server so a connected bot sees changes."""

    id: str
    name: str
    owner: User
    everyone: Role
    _new_id: Callable[[], str]
    _on_change: Callable[[Guild, str, dict[str, Any]], None]
    channels: list[Channel] = field(default_factory=list)
    threads: list[Channel] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    members: dict[str, Member] = field(default_factory=dict)
    joined_at: str = field(default_factory=iso_now)

    def add_channel(self, name: str, *, type: int = TEXT_CHANNEL) -> Channel:
        channel = Channel(
            id=self._new_id(), name=name, type=type, guild=self, position=len(self.channels)
        )
        self.channels.append(channel)
        self._on_change(self, "CHANNEL_CREATE", channel.to_payload())
        return channel

    def add_forum(self, name: str) -> Channel:
        """A forum channel (``GUILD_FORUM``): members post threads in it, not messages."""
        return self.add_channel(name, type=FORUM_CHANNEL)

    def add_thread(self, parent: Channel, name: str, owner: User) -> Channel:
        """A public thread in ``parent`` (no event: the server dispatches THREAD_CREATE)."""
        thread = Channel(
            id=self._new_id(),
            name=name,
            type=PUBLIC_THREAD,
            guild=self,
            parent=parent,
            owner=owner,
        )
        self.threads.append(thread)
        return thread

    def add_role(self, name: str, permissions: int = 0, *, managed: bool = False) -> Role:
        role = Role(
            id=self._new_id(),
            name=name,
            permissions=permissions,
            position=len(self.roles),
            guild_id=self.id,
            managed=managed,
        )
        self.roles.append(role)
        self._on_change(self, "GUILD_ROLE_CREATE", {"guild_id": self.id, "role": role.to_payload()})
        return role

    def add_member(
        self, user: User, roles: Iterable[Role] = (), *, nick: str | None = None
    ) -> Member:
        member = Member(user=user, guild=self, roles=list(roles), nick=nick)
        self.members[user.id] = member
        self._on_change(self, "GUILD_MEMBER_ADD", {"guild_id": self.id, **member.to_payload()})
        return member

    def member(self, user: User | Member) -> Member:
        """The membership of ``user``; raises ``KeyError`` with a clear message."""
        try:
            return self.members[user.id]
        except KeyError:
            raise KeyError(f"user {user.id} is not a member of guild {self.name!r}") from None

    def channel(self, channel_id: str) -> Channel | None:
        return next((c for c in [*self.channels, *self.threads] if c.id == channel_id), None)

    def role(self, role_id: str) -> Role | None:
        return next((r for r in self.roles if r.id == role_id), None)

    def to_create_payload(self) -> dict[str, Any]:
        """The full GUILD_CREATE payload (what discord.py caches)."""
        return {
            "id": self.id,
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": self.owner.id,
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "features": [],
            "mfa_level": 0,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
            "max_members": 500000,
            "max_video_channel_users": 25,
            "roles": [self.everyone.to_payload(), *(r.to_payload() for r in self.roles)],
            "emojis": [],
            "stickers": [],
            "joined_at": self.joined_at,
            "large": False,
            "unavailable": False,
            "member_count": len(self.members),
            "members": [m.to_payload() for m in self.members.values()],
            "channels": [c.to_payload() for c in self.channels],
            "threads": [],
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "application_command_counts": {},
        }
