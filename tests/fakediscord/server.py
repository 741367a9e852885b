"""FakeDiscord: a Discord-compatible REST + gateway server on 127.0.0.1.

It stands in for Discord in end-to-end tests of a real discord.py bot.  The
server owns the world (users, guilds, channels, registered commands, stored
messages), records every request, validates every body against Discord's
OpenAPI spec and documented limits, and lets tests inject faults.  Anything
the bot does that real Discord would reject, or that breaks the FAQ bot's
"never ping anyone" policy, lands in :attr:`FakeDiscord.violations` instead
of crashing the server.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web

from . import payloads
from .gateway import (
    INTENT_DIRECT_MESSAGES,
    INTENT_GUILD_MESSAGES,
    INTENT_MESSAGE_CONTENT,
    GatewayHub,
    GatewaySession,
)
from .interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    MESSAGE_COMPONENT,
    FakeInteraction,
    Notifier,
)
from .models import (
    DEFAULT_EVERYONE_PERMISSIONS,
    DM_CHANNEL,
    Channel,
    Guild,
    Member,
    Role,
    SnowflakeFactory,
    User,
)
from .records import Fault, RecordedRequest
from .rest import RestApi
from .validation import OpenApiValidator

_T = TypeVar("_T")

API_PREFIX = "/api/v10"
DEFAULT_OPENAPI_PATH = Path(__file__).resolve().parents[2].parent / "shared/discord/openapi.json"


class FakeDiscord:
    """A Discord stand-in.  ``await start()``, point discord.py at it, test, ``await close()``."""

    def __init__(self, openapi_path: Path | None = None, *, shard_count: int = 1) -> None:
        self.validator = OpenApiValidator.from_path(
            Path(openapi_path or DEFAULT_OPENAPI_PATH).resolve()
        )
        self.new_id = SnowflakeFactory()
        self.shard_count = shard_count
        self.application_id = self.new_id()
        self.bot_user = User(id=self.application_id, username="FAQBot", bot=True)
        self.owner = User(id=self.new_id(), username="guild-owner")
        self.users: dict[str, User] = {u.id: u for u in (self.bot_user, self.owner)}
        self.guilds: dict[str, Guild] = {}
        self.dm_channels: dict[str, Channel] = {}
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.commands: list[dict[str, Any]] = []
        self.guild_commands: dict[str, list[dict[str, Any]]] = {}
        self.interactions: dict[str, FakeInteraction] = {}
        self.requests: list[RecordedRequest] = []
        self.violations: list[str] = []
        self.faults: list[Fault] = []
        # Discord refuses interaction callbacks after 3 s ("Unknown interaction").
        self.interaction_deadline = 3.0
        self.notifier = Notifier()
        self.gateway = GatewayHub(self)
        self.rest = RestApi(self)
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    # -- lifecycle -----------------------------------------------------------
    async def start(self) -> None:
        """Bind 127.0.0.1 on a free port."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get("/gateway/", self.gateway.handle)
        app.router.add_route("*", "/{tail:.*}", self.rest.handle)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[attr-defined]
        self._port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    async def close(self) -> None:
        await self.gateway.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeDiscord.start() has not been awaited")
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base_url(self) -> str:
        return self.base_url + API_PREFIX

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    # -- world building ------------------------------------------------------
    def add_user(self, name: str, *, bot: bool = False) -> User:
        user = User(id=self.new_id(), username=name, bot=bot)
        self.users[user.id] = user
        return user

    def add_guild(self, name: str, *, owner: User | None = None) -> Guild:
        """A guild the bot is in, with @everyone, the owner and the bot as members."""
        guild_id = self.new_id()
        owner = owner or self.owner
        everyone = Role(
            id=guild_id,
            name="@everyone",
            permissions=DEFAULT_EVERYONE_PERMISSIONS,
            position=0,
            guild_id=guild_id,
        )
        guild = Guild(
            id=guild_id,
            name=name,
            owner=owner,
            everyone=everyone,
            _new_id=self.new_id,
            _on_change=self._guild_changed,
        )
        guild.members[owner.id] = Member(user=owner, guild=guild)
        guild.members[self.bot_user.id] = Member(user=self.bot_user, guild=guild)
        self.guilds[guild.id] = guild
        self.gateway.dispatch("GUILD_CREATE", guild.to_create_payload(), guild_id=guild.id)
        return guild

    def _guild_changed(self, guild: Guild, event: str, data: dict[str, Any]) -> None:
        if guild.id in self.guilds:
            self.gateway.dispatch(event, data, guild_id=guild.id)

    def dm_channel(self, user: User) -> Channel:
        """The DM channel between ``user`` and the bot (created on first use)."""
        channel = self.dm_channels.get(user.id)
        if channel is None:
            channel = Channel(id=self.new_id(), name="", type=DM_CHANNEL, recipients=[user])
            self.dm_channels[user.id] = channel
        return channel

    def get_channel(self, channel_id: str) -> Channel | None:
        for guild in self.guilds.values():
            channel = guild.channel(channel_id)
            if channel is not None:
                return channel
        return next((c for c in self.dm_channels.values() if c.id == channel_id), None)

    def all_channels(self) -> dict[str, Channel]:
        channels = {c.id: c for g in self.guilds.values() for c in g.channels}
        channels.update({c.id: c for c in self.dm_channels.values()})
        return channels

    def find_message(self, message_id: str) -> dict[str, Any] | None:
        for messages in self.messages.values():
            for message in messages:
                if message["id"] == str(message_id):
                    return message
        return None

    @staticmethod
    def mention(user: User | Member) -> str:
        return f"<@{user.id}>"

    # -- record keeping ------------------------------------------------------
    def record_violation(self, text: str) -> None:
        self.violations.append(text)
        self.notifier.notify()

    def fail_next(
        self, method: str, path_regex: str, status: int, count: int = 1, retry_after: float = 0.05
    ) -> None:
        """Make the next ``count`` REST calls matching ``method`` (or ``"*"``) and
        ``path_regex`` (searched in the path after ``/api/v10``) fail with
        ``status``; 429s carry Discord's rate-limit headers and ``retry_after``."""
        self.faults.append(
            Fault(method.upper(), re.compile(path_regex), status, count, retry_after)
        )

    def take_fault(self, method: str, api_path: str) -> Fault | None:
        for fault in self.faults:
            if fault.matches(method, api_path):
                fault.remaining -= 1
                return fault
        return None

    async def wait_for_request(
        self,
        predicate: Callable[[RecordedRequest], bool],
        timeout: float = 5.0,  # noqa: ASYNC109
        *,
        after: int = 0,
    ) -> RecordedRequest:
        """The first answered request with index >= ``after`` matching ``predicate``."""

        def check() -> RecordedRequest | None:
            return next((r for r in self.requests[after:] if r.answered and predicate(r)), None)

        return await self.notifier.wait_for(check, timeout, "a matching request")

    async def wait_for_reply(
        self,
        to_message_id: str | int,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> dict[str, Any]:
        """The stored message the bot sent as a reply to ``to_message_id``."""
        wanted = str(to_message_id)

        def check() -> dict[str, Any] | None:
            for messages in self.messages.values():
                for message in messages:
                    if str((message.get("message_reference") or {}).get("message_id")) == wanted:
                        return message
            return None

        return await self.notifier.wait_for(check, timeout, f"a reply to message {wanted}")

    async def wait_for_interaction_response(
        self,
        interaction_id: str,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> dict[str, Any]:
        """The answer the user sees (callback data, or the edit/follow-up after a defer)."""
        return await self.interactions[str(interaction_id)].final_response(timeout)

    async def wait_for_autocomplete(
        self,
        interaction: FakeInteraction,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[dict[str, Any]]:
        return await interaction.autocomplete_choices(timeout)

    async def wait_for_session(self, timeout: float = 5.0) -> GatewaySession:  # noqa: ASYNC109
        """A connected gateway session (the bot has identified or resumed)."""
        return await self.notifier.wait_for(
            lambda: next((s for s in self.gateway.live_sessions() if s.connected), None),
            timeout,
            "a gateway session",
        )

    # -- gateway faults ------------------------------------------------------
    async def drop_gateway(self, code: int = 4000) -> None:
        """Close the bot's websocket(s) with a resumable close code."""
        await self.gateway.drop(code)

    def invalidate_session(self, resumable: bool = False) -> None:
        """Send op 9; with ``resumable=False`` the bot must IDENTIFY afresh."""
        self.gateway.invalidate(resumable)

    # -- scenarios: things users do ------------------------------------------
    async def send_message(
        self,
        channel: Channel,
        author: User | Member,
        content: str,
        *,
        mentions: Iterable[User | Member] = (),
        mention_roles: Iterable[Role] = (),
        mention_everyone: bool = False,
    ) -> dict[str, Any]:
        """A user posts ``content``; dispatches MESSAGE_CREATE and returns it.

        Mentions written as ``<@id>``/``<@&id>`` in the content are resolved
        like Discord does, in addition to the explicit ones.  Sessions
        without the MESSAGE_CONTENT intent get empty content unless the bot
        is mentioned or it is a DM, as on Discord.
        """
        user = author.user if isinstance(author, Member) else author
        parsed_users, parsed_roles = payloads.parse_mentions(content, channel.guild, self.users)
        users = _unique([m.user if isinstance(m, Member) else m for m in mentions] + parsed_users)
        roles = _unique([*mention_roles, *parsed_roles])
        message = payloads.user_message(
            message_id=self.new_id(),
            channel=channel,
            author=user,
            content=content,
            mentions=users,
            mention_roles=roles,
            mention_everyone=mention_everyone,
        )
        self.messages.setdefault(channel.id, []).append(message)
        bot_mentioned = any(u.id == self.bot_user.id for u in users)
        self.gateway.dispatch(
            "MESSAGE_CREATE",
            lambda s: _message_for_session(
                s, message, dm=channel.guild is None, bot_mentioned=bot_mentioned
            ),
            guild_id=channel.guild_id,
        )
        self.notifier.notify()
        await self.gateway.flush()
        return message

    def _command(self, name: str, guild: Guild | None, type: int = 1) -> dict[str, Any]:
        candidates = [*(self.guild_commands.get(guild.id, []) if guild else []), *self.commands]
        for command in candidates:
            if command["name"] == name and command.get("type", 1) == type:
                return command
        registered = sorted(c["name"] for c in candidates)
        raise LookupError(
            f"command {name!r} is not registered (guild and global commands: {registered})"
        )

    def _new_interaction(
        self, type: int, user: User | Member, channel: Channel, data: dict[str, Any], **extra: Any
    ) -> FakeInteraction:
        user = user.user if isinstance(user, Member) else user
        guild = channel.guild
        interaction_id, token = self.new_id(), "fake-" + secrets.token_urlsafe(48)
        payload = payloads.interaction_base(
            interaction_id=interaction_id,
            token=token,
            application_id=self.application_id,
            type=type,
            user=user,
            channel=channel,
            bot_member=guild.members.get(self.bot_user.id) if guild else None,
        )
        payload["data"] = data
        payload.update(extra)
        interaction = FakeInteraction(
            id=interaction_id,
            token=token,
            type=type,
            payload=payload,
            user=user,
            channel=channel,
            guild=guild,
            notifier=self.notifier,
        )
        self.interactions[interaction_id] = interaction
        return interaction

    async def _dispatch_interaction(self, interaction: FakeInteraction) -> FakeInteraction:
        interaction.created_at = time.monotonic()
        sent = self.gateway.dispatch(
            "INTERACTION_CREATE", interaction.payload, guild_id=interaction.channel.guild_id
        )
        if not sent:
            raise RuntimeError("no connected gateway session to receive the interaction")
        await self.gateway.flush()
        return interaction

    def _command_data(
        self,
        name: str,
        *,
        guild: Guild | None,
        options: dict[str, Any] | None,
        subcommand: str | None,
        group: str | None,
        focused: str | None = None,
    ) -> dict[str, Any]:
        command = self._command(name, guild)
        builder = payloads.OptionBuilder(guild, self.users, self.all_channels())
        definitions: list[dict[str, Any]] = command.get("options") or []
        path = [name]
        for wanted, kind in (
            (group, payloads.OPTION_SUB_COMMAND_GROUP),
            (subcommand, payloads.OPTION_SUB_COMMAND),
        ):
            if wanted is None:
                continue
            parent = next(
                (o for o in definitions if o["name"] == wanted and o["type"] == kind), None
            )
            if parent is None:
                raise LookupError(
                    f"/{' '.join(path)} has no {'group' if kind == 2 else 'subcommand'} {wanted!r}"
                )
            path.append(wanted)
            definitions = parent.get("options") or []
        built = builder.build(
            definitions, options or {}, focused=focused, where="/" + " ".join(path)
        )
        if subcommand is not None:
            built = [{"name": subcommand, "type": payloads.OPTION_SUB_COMMAND, "options": built}]
        if group is not None:
            built = [{"name": group, "type": payloads.OPTION_SUB_COMMAND_GROUP, "options": built}]
        data: dict[str, Any] = {"id": command["id"], "name": name, "type": command.get("type", 1)}
        if built:
            data["options"] = built
        if builder.resolved:
            data["resolved"] = builder.resolved
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        return data

    async def invoke_command(
        self,
        name: str,
        *,
        user: User | Member,
        channel: Channel,
        guild: Guild | None = None,
        options: dict[str, Any] | None = None,
        subcommand: str | None = None,
        group: str | None = None,
    ) -> FakeInteraction:
        """A user runs the slash command ``/name`` the bot registered."""
        guild = guild or channel.guild
        data = self._command_data(
            name, guild=guild, options=options, subcommand=subcommand, group=group
        )
        return await self._dispatch_interaction(
            self._new_interaction(APPLICATION_COMMAND, user, channel, data)
        )

    async def autocomplete(
        self,
        name: str,
        *,
        user: User | Member,
        channel: Channel,
        options: dict[str, Any],
        focused: str,
        guild: Guild | None = None,
        subcommand: str | None = None,
        group: str | None = None,
    ) -> FakeInteraction:
        """A user types into option ``focused``; the bot should answer with type 8."""
        guild = guild or channel.guild
        data = self._command_data(
            name, guild=guild, options=options, subcommand=subcommand, group=group, focused=focused
        )
        return await self._dispatch_interaction(
            self._new_interaction(AUTOCOMPLETE, user, channel, data)
        )

    async def click(
        self,
        message: dict[str, Any],
        custom_id: str,
        *,
        user: User | Member,
        values: list[str] | None = None,
    ) -> FakeInteraction:
        """A user clicks a button (or picks ``values`` in a select) on a stored message."""
        stored = self.find_message(message["id"]) or message
        component = payloads.find_component(stored.get("components") or [], custom_id)
        if component is None:
            raise LookupError(
                f"message {stored['id']} has no component with custom_id {custom_id!r}"
            )
        if component.get("disabled"):
            raise ValueError(f"component {custom_id!r} is disabled; a user cannot use it")
        channel = self.get_channel(stored["channel_id"])
        if channel is None:
            raise LookupError(
                f"channel {stored['channel_id']} of message {stored['id']} is unknown"
            )
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component["type"]}
        if component["type"] != 2:
            data["values"] = list(values or [])
            allowed = [o.get("value") for o in component.get("options") or []]
            if component["type"] == 3 and any(v not in allowed for v in data["values"]):
                raise ValueError(f"values {values} are not among the select's options {allowed}")
        elif values:
            raise ValueError("buttons take no values")
        interaction = self._new_interaction(MESSAGE_COMPONENT, user, channel, data, message=stored)
        return await self._dispatch_interaction(interaction)


def _unique(items: Iterable[_T]) -> list[_T]:
    seen: list[_T] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


def _message_for_session(
    session: GatewaySession, message: dict[str, Any], *, dm: bool, bot_mentioned: bool
) -> dict[str, Any] | None:
    """Apply the intents Discord applies to MESSAGE_CREATE."""
    if not session.has_intent(INTENT_DIRECT_MESSAGES if dm else INTENT_GUILD_MESSAGES):
        return None
    if dm or bot_mentioned or session.has_intent(INTENT_MESSAGE_CONTENT):
        return message
    return message | {"content": "", "embeds": [], "attachments": [], "components": []}
