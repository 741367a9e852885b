"""Where discord.py connects (a Discord-compatible server in tests) and which intents it asks."""

from __future__ import annotations

import discord
import discord.gateway
import discord.http
import discord.webhook.async_
import yarl


def apply_endpoints(api_base_url: str, gateway_url: str) -> None:
    """Point discord.py's three hard-coded bases at ``api_base_url`` / ``gateway_url``.

    The one place that does it, called before login: REST (``discord.http``),
    interaction responses and follow-ups (the webhook adapter), and the gateway
    a non-sharded client opens without asking ``/gateway/bot`` (a ``yarl.URL``
    in discord.py 2.7, which calls ``with_query`` on it).
    """
    base = api_base_url.rstrip("/")
    discord.http.Route.BASE = base
    discord.webhook.async_.Route.BASE = base  # type: ignore[attr-defined]
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


def build_intents() -> discord.Intents:
    """Only what the bot uses; no privileged intent (no message content, members, presence).

    Discord still delivers the content of messages that mention the bot and of DMs.
    """
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.dm_messages = True
    return intents
