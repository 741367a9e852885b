"""The fake REST API under ``/api/v10``.

One aiohttp catch-all handler records each request, applies injected
faults, validates the body (OpenAPI schema + Discord's limits + mention
policy) and dispatches to a small route table.  Anything the table does not
know is a violation ("unknown endpoint ...") answered with a Discord-style
404, so a bot calling an endpoint the fake does not model is noticed.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import BodyPartReader, web

from . import store, validation
from .interactions import APPLICATION_COMMAND, AUTOCOMPLETE, MESSAGE_COMPONENT, FakeInteraction
from .models import FORUM_CHANNEL
from .records import RecordedFile, RecordedRequest

if TYPE_CHECKING:
    from .models import Channel
    from .server import FakeDiscord

Result = tuple[int, Any]
Handler = Callable[["RestApi", RecordedRequest, dict[str, str]], Awaitable[Result]]
_ROUTES: list[tuple[frozenset[str], re.Pattern[str], Handler]] = []
#: A bot retrying a not-yet-postable forum post more often than this is hammering Discord.
FORUM_REFUSALS_MAX = 10


def route(methods: str, pattern: str) -> Callable[[Handler], Handler]:
    """Register a handler for ``methods`` ("GET|POST") and a path regex."""

    def register(func: Handler) -> Handler:
        _ROUTES.append((frozenset(methods.split("|")), re.compile(pattern + "$"), func))
        return func

    return register


class ApiError(Exception):
    """An error answered with Discord's JSON error shape."""

    def __init__(
        self, status: int, code: int, message: str, errors: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.errors = status, code, message, errors

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors is not None:
            body["errors"] = self.errors
        return body


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> web.Response:
    """Exactly ``application/json`` (no charset): discord.py compares it verbatim."""
    if status == 204:
        return web.Response(status=204, headers=headers)
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    return web.Response(status=status, body=json.dumps(body).encode(), headers=all_headers)


def form_errors(problems: list[str]) -> dict[str, Any]:
    """Nest ``"a/0/b: message"`` strings the way Discord's 50035 errors do."""
    tree: dict[str, Any] = {}
    for problem in problems:
        location, _, message = problem.partition(": ")
        node = tree
        for part in [p for p in location.split("/") if p and p != "<root>"]:
            node = node.setdefault(part, {})
        node.setdefault("_errors", []).append(
            {"code": "BASE_TYPE_INVALID", "message": message or problem}
        )
    return tree


def invalid_form(problems: list[str]) -> ApiError:
    return ApiError(400, 50035, "Invalid Form Body", form_errors(problems))


class RestApi:
    """Route handlers; state lives on the :class:`FakeDiscord` instance."""

    def __init__(self, server: FakeDiscord) -> None:
        self.server = server

    # -- plumbing -------------------------------------------------------------
    async def handle(self, request: web.Request) -> web.StreamResponse:
        from .server import API_PREFIX

        server = self.server
        body, files = await _read_body(request)
        api_path = (
            request.path[len(API_PREFIX) :] if request.path.startswith(API_PREFIX + "/") else None
        )
        rec = RecordedRequest(
            index=len(server.requests),
            method=request.method,
            path=request.path,
            api_path=api_path or request.path,
            query=dict(request.query),
            json=body,
            files=files,
            received_at=time.monotonic(),
            headers=dict(request.headers),
        )
        server.requests.append(rec)
        headers: dict[str, str] | None = None
        try:
            status, result, headers = await self._process(rec, api_path)
        except ApiError as exc:
            status, result = exc.status, exc.body()
        rec.status, rec.response = status, result
        server.notifier.notify()
        return json_response(status, result, headers)

    async def _process(
        self, rec: RecordedRequest, api_path: str | None
    ) -> tuple[int, Any, dict[str, str] | None]:
        server = self.server
        fault = server.take_fault(rec.method, api_path) if api_path is not None else None
        if fault is not None:
            return _fault_response(fault.status, fault.retry_after)
        op = server.validator.match(rec.method, api_path) if api_path is not None else None
        handler, params = _find_handler(rec.method, api_path)
        if handler is None:
            known = " (in Discord's API but not modelled by FakeDiscord)" if op else ""
            self.violation(rec, f"unknown endpoint {rec.method} {rec.path}{known}")
            raise ApiError(404, 0, "404: Not Found")
        if op is not None:
            rec.route, rec.params = op.template, op.params
            # Bodiless calls (typing, GETs) have nothing to validate.
            if rec.json is not None and (errors := server.validator.validate(op, rec.json)):
                self.reject(rec, errors, "schema")
        status, result = await handler(self, rec, params)
        return status, result, None

    def violation(self, rec: RecordedRequest, text: str) -> None:
        rec.violations.append(text)
        self.server.record_violation(f"{rec.method} {rec.path}: {text}")

    def reject(self, rec: RecordedRequest, problems: list[str], kind: str) -> None:
        """Record limit/schema problems and fail with 400 like Discord."""
        for problem in problems:
            self.violation(rec, f"{kind}: {problem}")
        raise invalid_form(problems)

    def check_message(self, rec: RecordedRequest, payload: Any, *, creates: bool) -> None:
        errors, mention_problems = validation.check_message(payload, creates_message=creates)
        for problem in mention_problems:
            self.violation(rec, f"mentions: {problem}")
        if errors:
            self.reject(rec, errors, "limit")

    def channel(self, rec: RecordedRequest, channel_id: str) -> Channel:
        channel = self.server.get_channel(channel_id)
        if channel is None:
            self.violation(rec, f"unknown channel {channel_id}")
            raise ApiError(404, 10003, "Unknown Channel")
        return channel

    def store(self, message: dict[str, Any], *, dispatch: bool = True) -> dict[str, Any]:
        server = self.server
        server.messages.setdefault(message["channel_id"], []).append(message)
        if dispatch and not message["flags"] & store.EPHEMERAL:
            channel = server.get_channel(message["channel_id"])
            server.gateway.dispatch(
                "MESSAGE_CREATE", message, guild_id=channel.guild_id if channel else None
            )
        return message

    def updated(self, message: dict[str, Any]) -> dict[str, Any]:
        if not message["flags"] & store.EPHEMERAL:
            channel = self.server.get_channel(message["channel_id"])
            self.server.gateway.dispatch(
                "MESSAGE_UPDATE", message, guild_id=channel.guild_id if channel else None
            )
        return message

    def attachments(
        self,
        channel_id: str,
        rec: RecordedRequest,
        existing: list[dict[str, Any]] | None = None,
        payload: dict[str, Any] | None = None,
    ) -> list[dict[str, Any]] | None:
        """Attachments after this request; ``None`` when an edit leaves them alone."""
        payload = payload if payload is not None else rec.json or {}
        if "attachments" not in payload and not rec.files and existing is not None:
            return None
        return store.attachments(
            self.server.new_id,
            self.server.base_url,
            channel_id,
            payload.get("attachments"),
            rec.files,
            existing or [],
        )

    def new_bot_message(
        self, rec: RecordedRequest, channel: Channel, payload: dict[str, Any], **kwargs: Any
    ) -> dict[str, Any]:
        if not store.has_body(payload, rec.files):
            self.violation(
                rec, "empty message (no content, embeds, components, files, stickers or poll)"
            )
            raise ApiError(400, 50006, "Cannot send an empty message")
        return store.bot_message(
            message_id=self.server.new_id(),
            channel=channel,
            author=self.server.bot_user,
            payload=payload,
            attachment_list=self.attachments(channel.id, rec, payload=payload) or [],
            **kwargs,
        )

    # -- identity & gateway ---------------------------------------------------
    @route("GET", r"/users/@me")
    async def users_me(self, rec: RecordedRequest, p: dict[str, str]) -> Result:
        user = self.server.bot_user.to_payload()
        return 200, user | {
            "verified": True,
            "mfa_enabled": False,
            "email": None,
            "locale": "en-US",
        }

    @route("GET", r"/oauth2/applications/@me")
    async def application_me(self, rec: RecordedRequest, p: dict[str, str]) -> Result:
        s = self.server
        return 200, {
            "id": s.application_id,
            "name": s.bot_user.username,
            "icon": None,
            "description": "FAQ bot under test",
            "summary": "",
            "type": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "flags": 0,
            "owner": s.owner.to_payload(),
            "team": None,
            "bot": s.bot_user.to_payload(),
            "tags": [],
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "approximate_guild_count": len(s.guilds),
            "integration_types_config": {"0": {}},
        }

    @route("GET", r"/gateway")
    async def gateway(self, rec: RecordedRequest, p: dict[str, str]) -> Result:
        return 200, {"url": self.server.gateway_url}

    @route("GET", r"/gateway/bot")
    async def gateway_bot(self, rec: RecordedRequest, p: dict[str, str]) -> Result:
        limit = {"total": 1000, "remaining": 999, "reset_after": 14400000, "max_concurrency": 1}
        return 200, {
            "url": self.server.gateway_url,
            "shards": self.server.shard_count,
            "session_start_limit": limit,
        }

    # -- application commands -------------------------------------------------
    def _commands(self, rec: RecordedRequest, p: dict[str, str]) -> list[dict[str, Any]]:
        if p["app"] != self.server.application_id:
            self.violation(
                rec, f"application id {p['app']} is not the bot's ({self.server.application_id})"
            )
            raise ApiError(404, 10002, "Unknown Application")
        guild_id = p.get("guild")
        if guild_id is None:
            return self.server.commands
        if guild_id not in self.server.guilds:
            self.violation(rec, f"unknown guild {guild_id}")
            raise ApiError(404, 10004, "Unknown Guild")
        return self.server.guild_commands.setdefault(guild_id, [])

    def _command_object(
        self, body: dict[str, Any], guild_id: str | None, old: dict[str, Any] | None
    ) -> dict[str, Any]:
        ctype = body.get("type") or 1
        command: dict[str, Any] = {
            "id": old["id"] if old else self.server.new_id(),
            "application_id": self.server.application_id,
            "version": self.server.new_id(),
            "type": ctype,
            "name": body["name"],
            "name_localizations": body.get("name_localizations"),
            "description": body.get("description") or "",
            "description_localizations": body.get("description_localizations"),
            "options": body.get("options") or [],
            "default_member_permissions": _opt_str(body.get("default_member_permissions")),
            "dm_permission": body.get("dm_permission", True),
            "nsfw": bool(body.get("nsfw")),
            "contexts": body.get("contexts"),
            "integration_types": body.get("integration_types") or [0],
        }
        if guild_id is not None:
            command["guild_id"] = guild_id
        return command

    @route("GET|PUT|POST", r"/applications/(?P<app>\d+)(?:/guilds/(?P<guild>\d+))?/commands")
    async def commands(self, rec: RecordedRequest, p: dict[str, str]) -> Result:
        current = self._commands(rec, p)
        if rec.method == "GET":
            return 200, current
        bodies = rec.json if rec.method == "PUT" else [rec.json]
        if not isinstance(bodies, list):
            raise invalid_form(["<root>: expected a list of commands"])
        problems = [e for i, b in enumerate(bodies) for e in validation.check_command(b, str(i))]
        names = [(b.get("type") or 1, b.get("name")) for b in bodies]
        problems += [
            f"{i}/name: duplicate command name {n[1]!r}"
            for i, n in enumerate(names)
            if names.index(n) != i
        ]
        if problems:
            self.reject(rec, problems, "limit")
        created = []
        for body in bodies:
            old = next(
                (
                    c
                    for c in current
                    if (c["type"], c["name"]) == (body.get("type") or 1, body["name"])
                ),
                None,
            )
            created.append(self._command_object(body, p.get("guild"), old))
        if rec.method == "PUT":
            current[:] = created
            return 200, created
        old_ids = {c["id"] for c in current}
        current[:] = [c for c in current if c["id"] != created[0]["id"]] + created
        return (200 if created[0]["id"] in old_ids else 201), created[0]

    @route(
        "GET|PATCH|DELETE",
        r"/applications/(?P<app>\d+)(?:/guilds/(?P<guild>\d+))?/commands/(?P<cid>\d+)",
    )
    async def command(self, rec: RecordedRequest, p: dict[str, str]) -> Result:
        current = self._commands(rec, p)
        command = next((c for c in current if c["id"] == p["cid"]), None)
        if command is None:
            raise ApiError(404, 10063, "Unknown application command")
        if rec.method == "DELETE":
            current.remove(command)
            return 204, None
        if rec.method == "PATCH":
            merged = {**command, **(rec.json or {})}
            problems = validation.check_command(merged)
            if problems:
                self.reject(rec, problems, "limit")
            command.update(self._command_object(merged, p.get("guild"), command))
        return 200, command

    # -- channels & messages --------------------------------------------------
    @route("GET", r"/channels/(?P<channel>\d+)")
    async def get_channel(self, rec: RecordedRequest, p: dict[str, str]) -> Result:
        return 200, self.channel(rec, p["channel"]).to_payload()

    @route("POST", r"/channels/(?P<channel>\d+)/typing")
    async def typing(self, rec: RecordedRequest, p: dict[str, str]) -> Result:
        self.channel(rec, p["channel"])
        return 204, None

    @route("GET|POST", r"/channels/(?P<channel>\d+)/messages")
    async def channel_messages(self, rec: RecordedRequest, p: dict[str, str]) -> Result:
        channel = self.channel(rec, p["channel"])
        if rec.method == "GET":
            limit = int(rec.query.get("limit", "50"))
            return 200, list(reversed(self.server.messages.get(channel.id, [])))[:limit]
        payload = rec.json or {}
        self.check_message(rec, payload, creates=True)
        self._check_postable(rec, channel)
        referenced = None
        ref = payload.get("message_reference")
        if ref:
            referenced = self.server.find_message(str(ref["message_id"]))
            if referenced is None and ref.get("fail_if_not_exists", True):
                raise invalid_form([f"message_reference: unknown message {ref['message_id']}"])
        message = self.new_bot_message(rec, channel, payload, referenced=referenced)
        return 200, self.store(message)

    def _check_postable(self, rec: RecordedRequest, channel: Channel) -> None:
        """Forums take threads, not messages; a new post takes none until its first message.

        Discord answers both with 40058. That refusal is expected of a new post
        (the bot must retry), so it is counted, not a violation -- unless the
        bot keeps hammering the same post.
        """
        if channel.type == FORUM_CHANNEL:
            self.violation(rec, "bot message sent to a forum channel itself (post in a thread)")
            raise ApiError(400, 40058, "Cannot send a message in a forum channel")
        if channel.is_forum_post and not channel.starter_posted:
            self.server.forum_refusals.append(channel.id)
            if self.server.forum_refusals.count(channel.id) > FORUM_REFUSALS_MAX:
                self.violation(rec, f"more than {FORUM_REFUSALS_MAX} refused posts in {channel.id}")
            raise ApiError(400, 40058, "Cannot send a message in a forum channel")

    def _message(self, rec: RecordedRequest, p: dict[str, str]) -> dict[str, Any]:
        self.channel(rec, p["channel"])
        message = next(
            (m for m in self.server.messages.get(p["channel"], []) if m["id"] == p["mid"]), None
        )
        if message is None:
            raise ApiError(404, 10008, "Unknown Message")
        return message

    @route("GET|PATCH|DELETE", r"/channels/(?P<channel>\d+)/messages/(?P<mid>\d+)")
    async def channel_message(self, rec: RecordedRequest, p: dict[str, str]) -> Result:
        message = self._message(rec, p)
        if rec.method == "GET":
            return 200, message
        if rec.method == "DELETE":
            return self._delete(message)
        if message["author"]["id"] != self.server.bot_user.id and set(rec.json or {}) - {"flags"}:
            raise ApiError(403, 50005, "Cannot edit a message authored by another user")
        self.check_message(rec, rec.json or {}, creates=False)
        store.apply_edit(
            message,
            rec.json or {},
            self.attachments(message["channel_id"], rec, message["attachments"]),
        )
        return 200, self.updated(message)

    def _delete(self, message: dict[str, Any]) -> Result:
        server = self.server
        server.messages[message["channel_id"]].remove(message)
        channel = server.get_channel(message["channel_id"])
        event = {"id": message["id"], "channel_id": message["channel_id"]}
        if channel is not None and channel.guild_id:
            event["guild_id"] = channel.guild_id
        server.gateway.dispatch(
            "MESSAGE_DELETE", event, guild_id=channel.guild_id if channel else None
        )
        return 204, None

    @route(
        "PUT|DELETE",
        r"/channels/(?P<channel>\d+)/messages/(?P<mid>\d+)/reactions/(?P<emoji>[^/]+)/@me",
    )
    async def own_reaction(self, rec: RecordedRequest, p: dict[str, str]) -> Result:
        self._message(rec, p)
        return 204, None

    @route("POST", r"/users/@me/channels")
    async def create_dm(self, rec: RecordedRequest, p: dict[str, str]) -> Result:
        user = self.server.users.get(str((rec.json or {}).get("recipient_id")))
        if user is None:
            raise ApiError(400, 50033, "Invalid Recipient(s)")
        return 200, self.server.dm_channel(user).to_payload()

    @route("GET", r"/guilds/(?P<guild>\d+)")
    async def get_guild(self, rec: RecordedRequest, p: dict[str, str]) -> Result:
        guild = self.server.guilds.get(p["guild"])
        if guild is None:
            raise ApiError(404, 10004, "Unknown Guild")
        payload = guild.to_create_payload()
        for key in (
            "members",
            "channels",
            "threads",
            "presences",
            "voice_states",
            "joined_at",
            "large",
        ):
            payload.pop(key, None)
        return 200, payload

    @route("GET", r"/guilds/(?P<guild>\d+)/members/(?P<user>\d+)")
    async def get_member(self, rec: RecordedRequest, p: dict[str, str]) -> Result:
        guild = self.server.guilds.get(p["guild"])
        member = guild.members.get(p["user"]) if guild else None
        if member is None:
            raise ApiError(404, 10007, "Unknown Member")
        return 200, member.to_payload()

    # -- interactions -----------------------------------------------------------
    def _interaction_metadata(self, interaction: FakeInteraction) -> dict[str, Any]:
        meta: dict[str, Any] = {
            "id": interaction.id,
            "type": interaction.type,
            "user": interaction.user.to_payload(),
            "authorizing_integration_owners": interaction.payload.get(
                "authorizing_integration_owners", {}
            ),
        }
        if interaction.type == APPLICATION_COMMAND:
            meta["name"] = interaction.payload["data"]["name"]
        if interaction.type == MESSAGE_COMPONENT:
            meta["interacted_message_id"] = interaction.payload["message"]["id"]
        return meta

    def _response_message(
        self, rec: RecordedRequest, interaction: FakeInteraction, payload: dict[str, Any]
    ) -> dict[str, Any]:
        kind = (
            store.MESSAGE_CHAT_INPUT_COMMAND
            if interaction.type == APPLICATION_COMMAND
            else store.MESSAGE_DEFAULT
        )
        return self.new_bot_message(
            rec,
            interaction.channel,
            payload,
            webhook_id=self.server.application_id,
            interaction_metadata=self._interaction_metadata(interaction),
            message_type=kind,
        )

    @route("POST", r"/interactions/(?P<iid>\d+)/(?P<token>[^/]+)/callback")
    async def callback(self, rec: RecordedRequest, p: dict[str, str]) -> Result:
        interaction = self.server.interactions.get(p["iid"])
        if interaction is None or interaction.token != p["token"]:
            self.violation(rec, "callback for an unknown interaction id/token")
            raise ApiError(404, 10062, "Unknown interaction")
        if interaction.callback is not None:
            self.violation(rec, f"interaction {interaction.id} was already acknowledged")
            raise ApiError(400, 40060, "Interaction has already been acknowledged.")
        elapsed = time.monotonic() - interaction.created_at
        if elapsed > self.server.interaction_deadline:
            self.violation(
                rec, f"callback {elapsed:.2f}s after the interaction (Discord allows 3s)"
            )
            raise ApiError(404, 10062, "Unknown interaction")
        body = rec.json or {}
        kind = body["type"] if isinstance(body.get("type"), int) else -1
        data = body.get("data") or {}
        allowed = {AUTOCOMPLETE: {8}, MESSAGE_COMPONENT: {4, 5, 6, 7, 9}}.get(
            interaction.type, {4, 5, 9}
        )
        if kind not in allowed:
            problem = (
                f"type: callback type {kind} is invalid for interaction type {interaction.type}"
            )
            self.reject(rec, [problem], "rule")
        if kind in (4, 7):
            self.check_message(rec, data, creates=True)
        elif kind == 8:
            if problems := validation.check_autocomplete(data):
                self.reject(rec, problems, "limit")
        elif kind == 9 and (problems := validation.check_modal(data)):
            self.reject(rec, problems, "limit")
        message = self._apply_callback(rec, interaction, kind, data)
        interaction.callback = body
        if "with_response" not in rec.query and "with_response" not in {
            k.lower() for k in rec.query
        }:
            return 204, None
        return 200, _callback_body(interaction, kind, data, message)

    def _apply_callback(
        self, rec: RecordedRequest, interaction: FakeInteraction, kind: int, data: dict[str, Any]
    ) -> dict[str, Any] | None:
        if kind == 4:
            interaction.original_message = self.store(
                self._response_message(rec, interaction, data)
            )
        elif kind == 5:
            flags = store.LOADING | (data.get("flags", 0) & store.EPHEMERAL)
            loading = {"content": "", "flags": flags}
            message = store.bot_message(
                message_id=self.server.new_id(),
                channel=interaction.channel,
                author=self.server.bot_user,
                payload=loading,
                attachment_list=[],
                webhook_id=self.server.application_id,
                interaction_metadata=self._interaction_metadata(interaction),
                message_type=store.MESSAGE_CHAT_INPUT_COMMAND
                if interaction.type == APPLICATION_COMMAND
                else store.MESSAGE_DEFAULT,
            )
            interaction.original_message = self.store(message)
        elif kind in (6, 7):
            target = self.server.find_message(interaction.payload["message"]["id"])
            interaction.original_message = target
            if kind == 7 and target is not None:
                attachments = self.attachments(
                    target["channel_id"], rec, target["attachments"], data
                )
                self.updated(store.apply_edit(target, data, attachments))
        return interaction.original_message if kind in (4, 5, 7) else None

    def _interaction_for_webhook(self, rec: RecordedRequest, p: dict[str, str]) -> FakeInteraction:
        interaction = next(
            (i for i in self.server.interactions.values() if i.token == p["token"]), None
        )
        if p["app"] != self.server.application_id or interaction is None:
            self.violation(rec, "webhook call with an unknown application id or interaction token")
            raise ApiError(404, 10015, "Unknown Webhook")
        if interaction.callback is None:
            self.violation(
                rec, f"webhook call before interaction {interaction.id} was acknowledged"
            )
            raise ApiError(404, 10015, "Unknown Webhook")
        return interaction

    @route("POST", r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)")
    async def followup(self, rec: RecordedRequest, p: dict[str, str]) -> Result:
        interaction = self._interaction_for_webhook(rec, p)
        payload = rec.json or {}
        self.check_message(rec, payload, creates=True)
        original = interaction.original_message
        if (
            interaction.callback_type == 5
            and original is not None
            and original["flags"] & store.LOADING
        ):
            # Discord turns the first follow-up after a "thinking" defer into the original response.
            message = self.updated(
                store.apply_edit(original, payload, self.attachments(original["channel_id"], rec))
            )
        else:
            message = self._response_message(rec, interaction, payload)
            self.store(message)
        interaction.followup_payloads.append(payload)
        interaction.followup_messages.append(message)
        wait = rec.query.get("wait", "false").lower() in ("1", "true")
        return (200, message) if wait else (204, None)

    @route(
        "GET|PATCH|DELETE",
        r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)/messages/(?P<mid>@original|\d+)",
    )
    async def webhook_message(self, rec: RecordedRequest, p: dict[str, str]) -> Result:
        interaction = self._interaction_for_webhook(rec, p)
        if p["mid"] == "@original":
            message = interaction.original_message
        else:
            message = next((m for m in interaction.followup_messages if m["id"] == p["mid"]), None)
        if message is None:
            self.violation(rec, f"no such message for interaction {interaction.id}: {p['mid']}")
            raise ApiError(404, 10008, "Unknown Message")
        if rec.method == "GET":
            return 200, message
        if rec.method == "DELETE":
            return self._delete(message)
        payload = rec.json or {}
        self.check_message(rec, payload, creates=False)
        store.apply_edit(
            message, payload, self.attachments(message["channel_id"], rec, message["attachments"])
        )
        if p["mid"] == "@original":
            interaction.original_edits.append(payload)
        return 200, self.updated(message)


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _callback_body(
    interaction: FakeInteraction, kind: int, data: dict[str, Any], message: dict[str, Any] | None
) -> dict[str, Any]:
    """The ``?with_response=1`` body discord.py 2.7 parses (see NOTES.md)."""
    info: dict[str, Any] = {
        "id": interaction.id,
        "type": interaction.type,
        "response_message_loading": kind == 5,
        "response_message_ephemeral": bool(message and message["flags"] & store.EPHEMERAL),
    }
    body: dict[str, Any] = {"interaction": info}
    if message is not None:
        info["response_message_id"] = message["id"]
        body["resource"] = {"type": kind, "message": message}
    return body


def _find_handler(method: str, api_path: str | None) -> tuple[Handler | None, dict[str, str]]:
    if api_path is None:
        return None, {}
    for methods, pattern, handler in _ROUTES:
        match = pattern.match(api_path)
        if match and method in methods:
            return handler, {k: v for k, v in match.groupdict().items() if v is not None}
    return None, {}


def _fault_response(status: int, retry_after: float) -> tuple[int, Any, dict[str, str]]:
    if status == 429:
        headers = {
            "Via": "1.1 google",
            "Retry-After": str(math.ceil(retry_after)),
            "X-RateLimit-Limit": "5",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
            "X-RateLimit-Reset-After": f"{retry_after:.3f}",
            "X-RateLimit-Scope": "user",
        }
        return (
            429,
            {"message": "You are being rate limited.", "retry_after": retry_after, "global": False},
            headers,
        )
    reason = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}.get(
        status, "Error"
    )
    return status, {"message": f"{status}: {reason}", "code": 0}, {}


async def _read_body(request: web.Request) -> tuple[Any, list[RecordedFile]]:
    """JSON body, or multipart ``payload_json`` plus ``files[n]`` parts."""
    files: list[RecordedFile] = []
    if request.content_type.startswith("multipart/"):
        payload: Any = None
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader):
                continue  # nested multipart: Discord does not use it
            data = await part.read()
            if part.name == "payload_json":
                payload = json.loads(data)
            else:
                content_type = part.headers.get("Content-Type")
                files.append(
                    RecordedFile(part.name or "", part.filename, content_type, bytes(data))
                )
        return payload, files
    raw = await request.read()
    if not raw:
        return None, files
    try:
        return json.loads(raw), files
    except ValueError:
        return {"_unparsable_body": raw.decode(errors="replace")}, files
