"""Point discord.py's REST, webhook and gateway bases at a FakeDiscord."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord.gateway
import discord.http
import discord.webhook.async_
import yarl

# discord.webhook.async_ uses Route without re-exporting it.
_WebhookRoute: type[discord.http.Route] = discord.webhook.async_.Route  # type: ignore[attr-defined]

if TYPE_CHECKING:
    from types import TracebackType

    from .server import FakeDiscord


class Restore:
    """Undo :func:`point_discord_py_at`; call it, or use it as a context manager."""

    def __init__(self) -> None:
        self._http_base = discord.http.Route.BASE
        self._webhook_base = _WebhookRoute.BASE
        self._gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY

    def __call__(self) -> None:
        _WebhookRoute.BASE = self._webhook_base
        discord.http.Route.BASE = self._http_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = self._gateway

    def __enter__(self) -> Restore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self()


def point_discord_py_at(server: FakeDiscord) -> Restore:
    """Make discord.py talk to ``server``; the returned object restores the originals.

    ``DEFAULT_GATEWAY`` is a ``yarl.URL`` in discord.py 2.7 (it calls
    ``with_query`` on it); the Route bases are plain strings.  The webhook
    adapter imports ``Route`` from ``discord.http`` today, but both are set
    so a future split does not silently send interaction calls to Discord.
    """
    restore = Restore()
    discord.http.Route.BASE = server.api_base_url
    _WebhookRoute.BASE = server.api_base_url
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(server.gateway_url)
    return restore
