"""New posts in watched forum channels get one suggestion card when the bot is sure.

Why: in health communities members ask in forum channels, where nobody
mentions a bot. For forums listed in ``[answers] forum_channel_ids`` a new post
(THREAD_CREATE with a forum parent) is read -- its title, plus the first
message where Discord delivers its text (without the message-content intent it
usually does not, so the title carries the question) -- and decided like any
question:

* confident: one card, "This may answer your question", with Helpful / Not helpful;
* urgent warning signs: the urgent guidance, always (cooldown or not);
* unsure: nothing is posted, but the question is logged for the moderators.

Discord refuses bot messages in a new forum post until the author's first
message exists (40058, "Cannot send a message in a forum channel"); the post
is retried when that message arrives, else with a short backoff, bounded.
A post is answered once: a thread seen in this process is skipped, and after a
restart the thread's recent history is checked for a message of the bot's.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.engine import Decision
from bot.exts.mentions import question_text
from bot.ui import Payload, reply_payload

if TYPE_CHECKING:
    from bot.client import FAQBot

log = logging.getLogger(__name__)

SUGGESTION_LEAD = "This may answer your question:"
#: Discord's "Cannot send a message in a forum channel", given before the first message exists.
NOT_YET_POSTABLE = 40058
#: How long to wait for the post's first message before deciding on the title alone.
STARTER_WAIT = 2.0
#: Pauses between attempts after a 40058 (each ends early when the first message arrives).
RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0)
HISTORY_CHECK = 20
SEEN_MAX = 4096


class Forums(commands.Cog):
    """Answers new posts in the forum channels of ``[answers] forum_channel_ids``."""

    def __init__(self, bot: FAQBot) -> None:
        self.bot = bot
        self._handled: OrderedDict[int, None] = OrderedDict()
        # Starter messages by thread id (they share it), and who waits for one.
        self._starters: OrderedDict[int, discord.Message] = OrderedDict()
        self._waiters: dict[int, asyncio.Event] = {}

    # -- events --------------------------------------------------------------------------------

    def watched(self, thread: discord.Thread) -> bool:
        if thread.parent_id not in self.bot.config.answers.forum_channel_ids:
            return False
        parent = thread.parent
        return parent is None or isinstance(parent, discord.ForumChannel)

    def _first_time(self, thread_id: int) -> bool:
        if thread_id in self._handled:
            return False
        self._handled[thread_id] = None
        if len(self._handled) > SEEN_MAX:
            self._handled.popitem(last=False)
        return True

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """Keep each post's first message (it may arrive before or after the thread).

        Only a thread's starter message shares its channel's id; whether the
        thread is a watched forum post may not be known yet, so all are kept
        (a bounded few).
        """
        if message.id != message.channel.id:
            return
        self._starters[message.id] = message
        if len(self._starters) > SEEN_MAX:
            self._starters.popitem(last=False)
        event = self._waiters.get(message.id)
        if event is not None:
            event.set()

    @commands.Cog.listener()
    async def on_thread_create(self, thread: discord.Thread) -> None:
        me = self.bot.user
        if self.bot.stopping or me is None or not self.watched(thread):
            return
        if thread.owner_id == me.id or not self._first_time(thread.id):
            return
        async with self.bot.hold():
            try:
                await self._answer(thread)
            except discord.Forbidden as exc:
                log.warning(
                    "no permission to answer in forum %s (needs Send Messages in Threads): %s",
                    thread.parent_id,
                    exc,
                )
            except Exception:
                log.exception("could not answer forum post %s", thread.id)

    # -- answering -----------------------------------------------------------------------------

    async def _starter(self, thread_id: int, timeout: float) -> discord.Message | None:  # noqa: ASYNC109
        """The post's first message, waiting at most ``timeout`` seconds for it."""
        found = self._starters.get(thread_id)
        if found is not None or timeout <= 0:
            return found
        event = self._waiters.setdefault(thread_id, asyncio.Event())
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), timeout)
        finally:
            self._waiters.pop(thread_id, None)
        return self._starters.get(thread_id)

    async def _answer(self, thread: discord.Thread) -> None:
        bot = self.bot
        starter = thread.starter_message or await self._starter(thread.id, STARTER_WAIT)
        if starter is not None and (starter.author.bot or starter.webhook_id is not None):
            return  # posts by bots and webhooks are announcements, not questions
        me = bot.user
        body = question_text(starter.content, me.id if me else None) if starter else ""
        text = "\n".join(part for part in (thread.name.strip(), body) if part)
        if not text:
            return
        author_id = thread.owner_id or (starter.author.id if starter else 0)
        decision, reply = await bot.decide(text, thread.guild.id)
        posted = False
        if decision.outcome != "no_answer" and self._allowed(author_id, decision):
            payload = forum_payload(decision, reply_payload(reply, question=text))
            posted = await self._post(thread, payload)
        if decision.outcome == "no_answer" or posted:
            await bot.record_decision(
                decision,
                source_id=thread.id,
                guild_id=thread.guild.id,
                channel_id=thread.id,
                author_id=author_id,
            )

    def _allowed(self, author_id: int, decision: Decision) -> bool:
        """The usual per-member cooldown; urgent guidance goes out regardless."""
        verdict = self.bot.limiter.hit(author_id)
        return verdict.allowed or decision.outcome == "urgent"

    async def _already_answered(self, thread: discord.Thread) -> bool:
        """After a restart the in-memory set is empty: look for our own message instead."""
        me = self.bot.user
        try:
            async for message in thread.history(limit=HISTORY_CHECK):
                if me is not None and message.author.id == me.id:
                    return True
        except discord.HTTPException as exc:
            log.debug("could not read forum post %s history: %s", thread.id, exc)
        return False

    async def _post(self, thread: discord.Thread, payload: Payload) -> bool:
        """Send ``payload`` in the thread; retry the refusals of a post not yet postable."""
        if await self._already_answered(thread):
            return False
        for delay in (0.0, *RETRY_DELAYS):
            if delay:
                if thread.id in self._starters:
                    await asyncio.sleep(delay)
                else:
                    await self._starter(thread.id, delay)
            try:
                await thread.send(
                    **payload.kwargs(), allowed_mentions=discord.AllowedMentions.none()
                )
            except discord.HTTPException as exc:
                if exc.code != NOT_YET_POSTABLE:
                    raise
                log.debug("forum post %s not postable yet (40058); retrying", thread.id)
                continue
            return True
        log.warning("gave up answering forum post %s: Discord kept refusing (40058)", thread.id)
        return False


def forum_payload(decision: Decision, payload: Payload) -> Payload:
    """A suggestion, not an answer to a direct question: say so above the card.

    Urgent guidance keeps the first line (it leads the content already).
    """
    if decision.outcome == "answer":
        payload.content = SUGGESTION_LEAD + (f"\n{payload.content}" if payload.content else "")
    return payload


async def setup(bot: FAQBot) -> None:
    await bot.add_cog(Forums(bot))
