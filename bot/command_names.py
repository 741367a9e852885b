"""The slash command names the bot defines, read from its own command tree.

``check-content`` refuses a topic whose ``command`` collides with one of these
(the bot would otherwise skip that topic's command at start-up). The names come
from building ``FAQBot`` offline and loading every extension, never from a hand
list, so a command added later is covered without editing anything here. Topic
commands are left out: the tree is built with no topics.
"""

from __future__ import annotations

import asyncio
from types import MappingProxyType, SimpleNamespace
from typing import TYPE_CHECKING, Any, cast

import discord

if TYPE_CHECKING:
    from bot.config import Config
    from bot.engine import Engine
    from bot.storage import Store


def _no_topics_engine() -> Engine:
    """Just enough engine for the answers cog's ``cog_load`` (it reads the topics)."""
    knowledge = SimpleNamespace(topics=MappingProxyType({}), entries=MappingProxyType({}))
    return cast("Engine", SimpleNamespace(knowledge=knowledge))


async def bot_command_names_async(config: Config) -> frozenset[str]:
    from bot.client import FAQBot
    from bot.exts import EXTENSIONS

    bot = FAQBot(
        config,
        cast("Store", None),  # no extension touches the store while loading
        _no_topics_engine(),
        sync_on_start=False,
        background_tasks=False,
    )
    try:
        for name in EXTENSIONS:
            await bot.load_extension(name)
        commands: list[Any] = bot.tree.get_commands(type=discord.AppCommandType.chat_input)
        return frozenset(command.name for command in commands)
    finally:
        for name in tuple(bot.extensions):
            await bot.unload_extension(name)
        await bot.http.close()


def bot_command_names(config: Config) -> frozenset[str]:
    """Top-level slash command names (groups count by their own name, e.g. ``missed``)."""
    return asyncio.run(bot_command_names_async(config))
