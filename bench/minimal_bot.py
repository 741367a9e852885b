"""The smallest useful discord.py bot: the baseline ``bench/bench_load.py`` compares the FAQ bot to.

Why it exists: absolute figures on a loopback server say little, because much of
the cost of a reply is discord.py's own (gateway parsing, the message cache, the
HTTP client). This bot pays exactly that cost and nothing else: the same intents
and ``AllowedMentions.none()`` as the FAQ bot, and one fixed embed as a reply to
each mention. The FAQ bot's figures divided by these are what its own code costs.

It points discord.py at the server the way ``bot.client.apply_endpoints`` does,
but copies those three lines instead of importing ``bot``: importing the FAQ bot's
package would load its engine and storage code and inflate this baseline's memory
and start-up time.

Usage: ``DISCORD_TOKEN=... python bench/minimal_bot.py --api-base-url URL --gateway-url URL``.
SIGTERM/SIGINT close the connection and exit 0.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys

import discord
import discord.gateway
import discord.http
import discord.webhook.async_
import yarl
from discord.ext import commands

EMBED = discord.Embed(
    title="Muscle cramps",
    description="A cramp is a sudden, involuntary contraction of a muscle. (fixed reply)",
)


def apply_endpoints(api_base_url: str, gateway_url: str) -> None:
    """Same as ``bot.client.apply_endpoints`` (copied, see the module docstring)."""
    base = api_base_url.rstrip("/")
    discord.http.Route.BASE = base
    discord.webhook.async_.Route.BASE = base  # type: ignore[attr-defined]
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


def build_intents() -> discord.Intents:
    """Same as ``bot.client.build_intents``: guilds, guild messages, DMs; nothing privileged."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.dm_messages = True
    return intents


class MinimalBot(commands.Bot):
    """Replies to every message that mentions it with :data:`EMBED`."""

    def __init__(self) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=build_intents(),
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
        )

    async def on_message(self, message: discord.Message, /) -> None:
        me = self.user
        if me is None or message.author.bot or message.author.id == me.id:
            return
        if message.guild is not None and not any(u.id == me.id for u in message.mentions):
            return
        await message.reply(embed=EMBED, mention_author=False)


async def run(token: str) -> int:
    bot = MinimalBot()
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with bot:
        runner = asyncio.create_task(bot.start(token))
        stopper = asyncio.create_task(stop.wait())
        await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
        stopper.cancel()
        if runner.done():
            runner.result()  # re-raise a start-up failure
            return 0
        await bot.close()
        await asyncio.gather(runner, return_exceptions=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api-base-url", required=True)
    parser.add_argument("--gateway-url", required=True)
    args = parser.parse_args(argv)
    token = os.environ.get("DISCORD_TOKEN")
    if not token:
        print("error: set DISCORD_TOKEN", file=sys.stderr)
        return 1
    apply_endpoints(args.api_base_url, args.gateway_url)
    return asyncio.run(run(token))


if __name__ == "__main__":
    sys.exit(main())
