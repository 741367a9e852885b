"""Questions by mention (in servers) and by direct message.

Works without the privileged message-content intent: Discord delivers the text
of messages that mention the bot and of DMs, which is all this reads. Replies
reference the question (``mention_author`` off) and never ping anyone.
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

import discord
from discord.ext import commands

from bot.ui import Payload, reply_payload, text_payload
from bot.utils.interactions import cooldown_text, new_error_id

if TYPE_CHECKING:
    from bot.client import FAQBot

log = logging.getLogger(__name__)

SEEN_MAX = 4096


def question_text(content: str, bot_id: int | None) -> str:
    """A message's text as a question: the bot's own mention removed, whitespace folded."""
    text = content
    if bot_id is not None:
        text = re.sub(rf"<@!?{bot_id}>", " ", text)
    return " ".join(text.split())


def is_forum_starter(message: discord.Message, forum_ids: tuple[int, ...]) -> bool:
    """The first message of a post in a watched forum (answered by ``bot.exts.forums``).

    A thread's starter message has the thread's own id.
    """
    channel = message.channel
    return (
        isinstance(channel, discord.Thread)
        and message.id == channel.id
        and channel.parent_id in forum_ids
    )


class Mentions(commands.Cog):
    """Answers ``@bot question`` in servers and any DM."""

    def __init__(self, bot: FAQBot) -> None:
        self.bot = bot
        # Message ids already handled: a gateway RESUME may replay a MESSAGE_CREATE.
        self._seen: OrderedDict[int, None] = OrderedDict()

    def _first_time(self, message_id: int) -> bool:
        if message_id in self._seen:
            return False
        self._seen[message_id] = None
        if len(self._seen) > SEEN_MAX:
            self._seen.popitem(last=False)
        return True

    def addressed(self, message: discord.Message) -> bool:
        """A DM, or a server message mentioning the bot user itself (not a role, not @everyone)."""
        me = self.bot.user
        if self.bot.stopping or me is None:
            return False
        if message.author.bot or message.webhook_id is not None:
            return False
        if message.author.id == me.id:
            return False
        if message.guild is None:
            return True
        if is_forum_starter(message, self.bot.config.answers.forum_channel_ids):
            return False  # the forum post as a whole is answered once, by bot.exts.forums
        return any(user.id == me.id for user in message.mentions)

    def question_text(self, message: discord.Message) -> str:
        me = self.bot.user
        return question_text(message.content, me.id if me else None)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if not self.addressed(message) or not self._first_time(message.id):
            return
        async with self.bot.hold():
            try:
                await self._answer(message)
            except Exception:
                error_id = new_error_id()
                log.exception("error %s answering message %s", error_id, message.id)
                await self._send(
                    message,
                    text_payload(
                        f"Sorry, something went wrong on my side. (error id `{error_id}`)"
                    ),
                )

    async def _answer(self, message: discord.Message) -> None:
        bot = self.bot
        text = self.question_text(message)
        if not text:
            await self._send(message, text_payload(bot.knowledge.texts.help))
            return
        verdict = bot.limiter.hit(message.author.id)
        if not verdict.allowed:
            if verdict.first_refusal:
                await self._send(message, text_payload(cooldown_text(verdict.retry_after)))
            return
        decision, reply = await bot.decide_message(
            text, message.guild.id if message.guild else None
        )
        await self._send(message, reply_payload(reply, question=text))
        await bot.record_decision(
            decision,
            source_id=message.id,
            guild_id=message.guild.id if message.guild else None,
            channel_id=message.channel.id,
            author_id=message.author.id,
        )

    async def _send(self, message: discord.Message, payload: Payload) -> None:
        kwargs: dict[str, Any] = payload.kwargs()
        try:
            await message.reply(
                **kwargs, mention_author=False, allowed_mentions=discord.AllowedMentions.none()
            )
        except discord.HTTPException as exc:
            # The question may have been deleted; a plain message still answers it.
            log.warning("reply to %s failed (%s); sending without a reference", message.id, exc)
            if exc.status >= 500 or exc.code not in (10008, 50035, 160002):
                raise
            await message.channel.send(**kwargs, allowed_mentions=discord.AllowedMentions.none())


async def setup(bot: FAQBot) -> None:
    await bot.add_cog(Mentions(bot))
