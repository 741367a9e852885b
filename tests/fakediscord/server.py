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
    FORUM_CHANNEL,
    GROUP_DM_CHANNEL,
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
        # Servers and DMs between members that the bot is NOT in (reached by a user install).
        self.foreign_guilds: dict[str, Guild] = {}
        self.private_channels: dict[str, Channel] = {}
        self.dm_channels: dict[str, Channel] = {}
        # Thread ids of every bot message refused with 40058 (a forum post not yet postable).
        self.forum_refusals: list[str] = []
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

    def _new_guild(self, name: str, owner: User) -> Guild:
        """A guild with its @everyone role and its owner as a member, registered nowhere."""
        guild_id = self.new_id()
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
        return guild

    def add_guild(self, name: str, *, owner: User | None = None) -> Guild:
        """A guild the bot is in, with @everyone, the owner and the bot as members."""
        guild = self._new_guild(name, owner or self.owner)
        guild.members[self.bot_user.id] = Member(user=self.bot_user, guild=guild)
        self.guilds[guild.id] = guild
        self.gateway.dispatch("GUILD_CREATE", guild.to_create_payload(), guild_id=guild.id)
        return guild

    def add_foreign_guild(self, name: str) -> Guild:
        """A server the bot is not in: no GUILD_CREATE, and its channels are unknown to REST.

        Members reach the bot there only through the app installed to their account.
        """
        guild = self._new_guild(name, self.owner)
        self.foreign_guilds[guild.id] = guild
        return guild

    def private_channel(self, *users: User, group: bool = False) -> Channel:
        """A DM (or group DM) between members, without the bot."""
        channel = Channel(
            id=self.new_id(),
            name="",
            type=GROUP_DM_CHANNEL if group else DM_CHANNEL,
            recipients=list(users),
            owner=users[0] if users else None,
        )
        self.private_channels[channel.id] = channel
        return channel

    def bot_present(self, channel: Channel) -> bool:
        """Whether the bot is in ``channel``'s server or DM (and so receives its events)."""
        if channel.guild is not None:
            return channel.guild.id in self.guilds
        return channel.id not in self.private_channels

    def check_own_payload(self, schema: str, payload: dict[str, Any], what: str) -> None:
        """Record a violation if a payload the fake sends the bot breaks Discord's spec."""
        for problem in self.validator.check_schema(schema, payload):
            self.record_violation(f"fake {what} is not a valid {schema}: {problem}")

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
        channels = {c.id: c for g in self.guilds.values() for c in [*g.channels, *g.threads]}
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
        if not self.bot_present(channel):
            return message  # the bot is not there: it receives nothing
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
        self,
        type: int,
        user: User | Member,
        channel: Channel,
        data: dict[str, Any],
        *,
        user_install: bool = False,
        **extra: Any,
    ) -> FakeInteraction:
        user = user.user if isinstance(user, Member) else user
        guild = channel.guild
        present = self.bot_present(channel)
        if not present and not user_install:
            raise ValueError("the bot is not in this channel: only a user install reaches it")
        interaction_id, token = self.new_id(), "fake-" + secrets.token_urlsafe(48)
        payload = payloads.interaction_base(
            interaction_id=interaction_id,
            token=token,
            application_id=self.application_id,
            type=type,
            user=user,
            channel=channel,
            bot_member=guild.members.get(self.bot_user.id) if guild and present else None,
            user_install=user_install,
            bot_present=present,
        )
        self._check_interaction_owners(payload)
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

    def _check_interaction_owners(self, payload: dict[str, Any]) -> None:
        """``context`` and ``authorizing_integration_owners`` use only the spec's enum values."""
        contexts = self.validator.enum_values("InteractionContextType")
        installs = {str(v) for v in self.validator.enum_values("ApplicationIntegrationType")}
        if payload["context"] not in contexts:
            self.record_violation(
                f"fake interaction context {payload['context']} not in {contexts}"
            )
        unknown = set(payload["authorizing_integration_owners"]) - installs
        if unknown:
            self.record_violation(f"fake integration owner keys {unknown} not in {installs}")

    def _check_invocable(
        self, command: dict[str, Any], channel: Channel, user_install: bool
    ) -> None:
        """Refuse what Discord's client would not offer: a command not installed or allowed here."""
        integration_types = command.get("integration_types") or [0]
        wanted_install = 1 if user_install else 0
        if wanted_install not in integration_types:
            raise LookupError(
                f"{command['name']!r} is not installable as "
                f"{'a user' if user_install else 'a guild'} app "
                f"(integration_types {integration_types})"
            )
        if channel.guild is not None:
            context = payloads.CONTEXT_GUILD
        elif self.bot_present(channel):
            context = payloads.CONTEXT_BOT_DM
        else:
            context = payloads.CONTEXT_PRIVATE_CHANNEL
        contexts = command.get("contexts")
        if contexts is not None and context not in contexts:
            raise LookupError(
                f"{command['name']!r} is not allowed in context {context} ({contexts})"
            )

    async def _dispatch_interaction(self, interaction: FakeInteraction) -> FakeInteraction:
        interaction.created_at = time.monotonic()
        # Interactions from servers the bot is not in arrive on shard 0, like DMs.
        guild_id = interaction.channel.guild_id if self.bot_present(interaction.channel) else None
        sent = self.gateway.dispatch("INTERACTION_CREATE", interaction.payload, guild_id=guild_id)
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
        user_install: bool = False,
    ) -> FakeInteraction:
        """A user runs the slash command ``/name`` the bot registered.

        ``user_install``: from the app installed to the user's account (needed in
        servers and DMs the bot is not in; only global commands exist there).
        """
        guild = guild or channel.guild
        lookup_guild = guild if guild is not None and guild.id in self.guilds else None
        self._check_invocable(self._command(name, lookup_guild), channel, user_install)
        data = self._command_data(
            name, guild=lookup_guild, options=options, subcommand=subcommand, group=group
        )
        return await self._dispatch_interaction(
            self._new_interaction(
                APPLICATION_COMMAND, user, channel, data, user_install=user_install
            )
        )

    async def invoke_message_command(
        self,
        name: str,
        *,
        user: User | Member,
        message: dict[str, Any],
        user_install: bool = False,
    ) -> FakeInteraction:
        """A user picks Apps > ``name`` on ``message`` (a message context menu, type 3).

        Like Discord, the interaction carries the whole target message in
        ``data.resolved.messages`` -- content included, whatever the bot's intents.
        """
        channel = self.get_channel(message["channel_id"]) or self._foreign_channel(
            message["channel_id"]
        )
        guild = channel.guild if channel.guild and channel.guild.id in self.guilds else None
        command = self._command(name, guild, type=3)
        self._check_invocable(command, channel, user_install)
        target = self.find_message(message["id"]) or message
        self.check_own_payload("MessageResponse", target, "resolved message")
        data: dict[str, Any] = {
            "id": command["id"],
            "name": name,
            "type": 3,
            "target_id": target["id"],
            "resolved": {"messages": {target["id"]: target}},
        }
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        return await self._dispatch_interaction(
            self._new_interaction(
                APPLICATION_COMMAND, user, channel, data, user_install=user_install
            )
        )

    def _foreign_channel(self, channel_id: str) -> Channel:
        for guild in self.foreign_guilds.values():
            channel = guild.channel(channel_id)
            if channel is not None:
                return channel
        if channel_id in self.private_channels:
            return self.private_channels[channel_id]
        raise LookupError(f"channel {channel_id} is unknown")

    # -- forums ----------------------------------------------------------------
    async def create_forum_post(
        self,
        forum: Channel,
        author: User | Member,
        title: str,
        content: str = "",
        *,
        post_starter: bool = True,
    ) -> Channel:
        """A member opens a post in ``forum``: THREAD_CREATE, then (unless told not to)
        the starter message, whose id is the thread's.

        ``post_starter=False`` models the gap real Discord leaves between the two,
        during which bot messages in the post are refused with 40058.
        """
        if forum.type != FORUM_CHANNEL or forum.guild is None:
            raise ValueError("create_forum_post needs a forum channel (Guild.add_forum)")
        user = author.user if isinstance(author, Member) else author
        thread = forum.guild.add_thread(forum, title, user)
        thread.pending_content = content
        self.check_own_payload("GuildChannelResponse", forum.to_payload(), "forum channel")
        payload = thread.to_payload()
        self.check_own_payload("ThreadResponse", payload, "thread")
        self.gateway.dispatch(
            "THREAD_CREATE", payload | {"newly_created": True}, guild_id=forum.guild.id
        )
        self.notifier.notify()
        await self.gateway.flush()
        if post_starter:
            await self.post_starter(thread)
        return thread

    async def post_starter(self, thread: Channel, content: str | None = None) -> dict[str, Any]:
        """The post's first message arrives (MESSAGE_CREATE; content only with the intent
        or a mention of the bot, as on Discord)."""
        if thread.starter_posted:
            raise ValueError(f"post {thread.id} already has its starter message")
        assert thread.owner is not None
        text = content if content is not None else thread.pending_content
        users, roles = payloads.parse_mentions(text, thread.guild, self.users)
        message = payloads.user_message(
            message_id=thread.id,
            channel=thread,
            author=thread.owner,
            content=text,
            mentions=users,
            mention_roles=roles,
            mention_everyone=False,
        )
        self.check_own_payload("MessageResponse", message, "starter message")
        thread.starter_posted = True
        self.messages.setdefault(thread.id, []).append(message)
        bot_mentioned = any(u.id == self.bot_user.id for u in users)
        self.gateway.dispatch(
            "MESSAGE_CREATE",
            lambda s: _message_for_session(s, message, dm=False, bot_mentioned=bot_mentioned),
            guild_id=thread.guild_id,
        )
        self.notifier.notify()
        await self.gateway.flush()
        return message

    async def redeliver_thread_create(self, thread: Channel) -> None:
        """THREAD_CREATE for ``thread`` again (a duplicate delivery, e.g. to a restarted bot)."""
        assert thread.guild is not None
        payload = thread.to_payload() | {"newly_created": True}
        self.gateway.dispatch("THREAD_CREATE", payload, guild_id=thread.guild.id)
        await self.gateway.flush()

    def bot_messages(self, channel: Channel) -> list[dict[str, Any]]:
        """Messages the bot posted in ``channel`` (not interaction responses)."""
        return [
            m
            for m in self.messages.get(channel.id, [])
            if m["author"]["id"] == self.bot_user.id and "interaction_metadata" not in m
        ]

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
        user_install: bool = False,
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
        channel = self.get_channel(stored["channel_id"]) or self._foreign_channel(
            stored["channel_id"]
        )
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component["type"]}
        if component["type"] != 2:
            data["values"] = list(values or [])
            allowed = [o.get("value") for o in component.get("options") or []]
            if component["type"] == 3 and any(v not in allowed for v in data["values"]):
                raise ValueError(f"values {values} are not among the select's options {allowed}")
        elif values:
            raise ValueError("buttons take no values")
        interaction = self._new_interaction(
            MESSAGE_COMPONENT, user, channel, data, message=stored, user_install=user_install
        )
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
