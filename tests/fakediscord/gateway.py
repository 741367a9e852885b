"""The fake gateway: websocket sessions, sequence numbers, RESUME replay.

Each IDENTIFY creates a :class:`GatewaySession`.  A session outlives its
websocket: every dispatch is numbered and kept in the session's log, so
events sent while the bot is disconnected are replayed after RESUME, and a
bot that resumes with the last sequence it saw receives each event exactly
once.  Frames go out through one writer task per connection so dispatching
stays synchronous (world mutators can dispatch without awaiting).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

if TYPE_CHECKING:
    from .server import FakeDiscord

log = logging.getLogger(__name__)

HEARTBEAT_INTERVAL_MS = 41250
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_MESSAGE_CONTENT = 1 << 15

Frame = dict[str, Any]
# Either a payload for every session, or a per-session builder (None = skip).
EventData = dict[str, Any] | Callable[["GatewaySession"], dict[str, Any] | None]


class Connection:
    """One websocket; frames are queued and written in order by a task."""

    def __init__(self, ws: web.WebSocketResponse) -> None:
        self.ws = ws
        self.queue: asyncio.Queue[Frame] = asyncio.Queue()
        self.dropped = False
        self.session: GatewaySession | None = None
        self._writer = asyncio.create_task(self._write())

    def send(self, frame: Frame) -> None:
        self.queue.put_nowait(frame)

    async def _write(self) -> None:
        while True:
            frame = await self.queue.get()
            try:
                if not self.ws.closed:
                    await self.ws.send_str(json.dumps(frame))
            except (ConnectionError, RuntimeError) as exc:  # peer went away mid-write
                log.debug("gateway write failed: %s", exc)
            finally:
                self.queue.task_done()

    async def flush(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.queue.join(), timeout)

    async def stop(self) -> None:
        self._writer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._writer


@dataclass(eq=False)
class GatewaySession:
    """A bot's gateway session (survives disconnects until ended)."""

    id: str
    shard: tuple[int, int] | None
    intents: int
    identify: dict[str, Any]
    seq: int = 0
    log: list[Frame] = field(default_factory=list)
    conn: Connection | None = None
    ended: bool = False

    @property
    def connected(self) -> bool:
        return self.conn is not None and not self.ended

    def handles_guild(self, guild_id: str | None) -> bool:
        """Discord's shard routing: DMs go to shard 0."""
        if self.shard is None:
            return True
        shard_id, count = self.shard
        if guild_id is None:
            return shard_id == 0
        return (int(guild_id) >> 22) % count == shard_id

    def has_intent(self, bit: int) -> bool:
        return bool(self.intents & bit)

    def dispatch(self, event: str, data: dict[str, Any]) -> None:
        self.seq += 1
        frame: Frame = {"op": 0, "t": event, "s": self.seq, "d": data}
        self.log.append(frame)
        if self.conn is not None:
            self.conn.send(frame)


class GatewayHub:
    """Accepts websocket connections and routes dispatches to sessions."""

    def __init__(self, server: FakeDiscord) -> None:
        self._server = server
        self.sessions: list[GatewaySession] = []
        self.connections: set[Connection] = set()
        self.resumes: list[dict[str, Any]] = []

    # -- dispatching -------------------------------------------------------
    def live_sessions(self) -> list[GatewaySession]:
        return [s for s in self.sessions if not s.ended]

    def dispatch(self, event: str, data: EventData, *, guild_id: str | None) -> int:
        """Send ``event`` to every live session that owns ``guild_id``."""
        sent = 0
        for session in self.live_sessions():
            if not session.handles_guild(guild_id):
                continue
            payload = data(session) if callable(data) else data
            if payload is None:
                continue
            session.dispatch(event, payload)
            sent += 1
        return sent

    async def flush(self) -> None:
        for conn in list(self.connections):
            await conn.flush()

    async def drop(self, code: int) -> None:
        for conn in list(self.connections):
            if conn.session is not None and conn.session.conn is conn:
                conn.session.conn = None
            conn.dropped = True
            await conn.flush(timeout=1.0)
            await conn.ws.close(code=code)

    def invalidate(self, resumable: bool = False) -> None:
        for session in self.live_sessions():
            if session.conn is not None:
                session.conn.send({"op": 9, "d": resumable, "s": None, "t": None})
            if not resumable:
                session.ended = True

    async def close(self) -> None:
        for conn in list(self.connections):
            conn.dropped = True
            await conn.ws.close(code=1001)
            await conn.stop()

    # -- the websocket endpoint -------------------------------------------
    async def handle(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        conn = Connection(ws)
        self.connections.add(conn)
        conn.send(
            {"op": 10, "s": None, "t": None, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}}
        )
        try:
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    await self._on_frame(conn, json.loads(msg.data))
                elif msg.type is WSMsgType.ERROR:
                    break
        finally:
            session = conn.session
            if session is not None and session.conn is conn:
                session.conn = None
                # discord.py closes with 1000 on Client.close(): the session ends.
                if not conn.dropped and ws.close_code == 1000:
                    session.ended = True
            self.connections.discard(conn)
            await conn.flush(timeout=0.5)
            await conn.stop()
        return ws

    async def _on_frame(self, conn: Connection, frame: Frame) -> None:
        op, data = frame.get("op"), frame.get("d")
        if op == 1:
            conn.send({"op": 11, "s": None, "t": None, "d": None})
        elif op == 2:
            self._identify(conn, data or {})
        elif op == 6:
            self._resume(conn, data or {})
        elif op == 8:
            self._request_members(conn, data or {})
        elif op in (3, 4):
            pass  # presence / voice state updates: accepted, not modelled
        else:
            self._server.record_violation(f"gateway: unexpected op {op!r}")

    def _identify(self, conn: Connection, data: dict[str, Any]) -> None:
        shard = data.get("shard")
        session = GatewaySession(
            id=secrets.token_hex(16),
            shard=(int(shard[0]), int(shard[1])) if shard else None,
            intents=int(data.get("intents", (1 << 25) - 1)),
            identify=data,
        )
        self.sessions.append(session)
        session.conn = conn
        conn.session = session
        server = self._server
        guilds = [g for g in server.guilds.values() if session.handles_guild(g.id)]
        ready: dict[str, Any] = {
            "v": 10,
            "user": server.bot_user.to_payload()
            | {"verified": True, "mfa_enabled": False, "email": None},
            "guilds": [{"id": g.id, "unavailable": True} for g in guilds],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": server.gateway_url,
            "application": {"id": server.application_id, "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "user_settings": {},
            "geo_ordered_rtc_regions": [],
            "guild_join_requests": [],
            "_trace": ["fakediscord"],
        }
        if session.shard is not None:
            ready["shard"] = list(session.shard)
        session.dispatch("READY", ready)
        for guild in guilds:
            session.dispatch("GUILD_CREATE", guild.to_create_payload())

    def _resume(self, conn: Connection, data: dict[str, Any]) -> None:
        self.resumes.append(data)
        session = next((s for s in self.sessions if s.id == data.get("session_id")), None)
        if session is None or session.ended:
            conn.send({"op": 9, "s": None, "t": None, "d": False})
            return
        if session.conn is not None and session.conn is not conn:
            session.conn.dropped = True  # superseded by this connection
        session.conn = conn
        conn.session = session
        last = data.get("seq") or 0
        for frame in session.log:
            if frame["s"] > last:
                conn.send(frame)
        conn.send({"op": 0, "t": "RESUMED", "s": None, "d": {"_trace": ["fakediscord"]}})

    def _request_members(self, conn: Connection, data: dict[str, Any]) -> None:
        guild = self._server.guilds.get(str(data.get("guild_id")))
        if guild is None or conn.session is None:
            return
        wanted = {str(u) for u in data.get("user_ids") or []}
        query = (data.get("query") or "").lower()
        members = [
            m
            for m in guild.members.values()
            if (not wanted or m.id in wanted) and m.user.username.lower().startswith(query)
        ]
        chunk: dict[str, Any] = {
            "guild_id": guild.id,
            "members": [m.to_payload() for m in members],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": sorted(wanted - {m.id for m in members}),
        }
        if data.get("nonce") is not None:
            chunk["nonce"] = data["nonce"]
        conn.session.dispatch("GUILD_MEMBERS_CHUNK", chunk)
