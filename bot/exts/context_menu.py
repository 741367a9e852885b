"""The message context menu "Answer with FAQ" (Apps > Answer with FAQ on any message).

Why: members ask in ordinary chat without mentioning the bot, and moderators
answer the same questions again and again. The menu answers the chosen
message's question as a reply to it, visible to the channel, with the usual
card (triage first), cooldown and logging. It needs no message-content intent:
the interaction carries the resolved message with its text.

``[answers] context_menu_public = false`` keeps it to moderators (the same
check as /missed) in servers. Installed to a member's account it also works in
servers the bot is not in and in DMs between members; there only the member
sees the answer (ephemeral) and the question is logged as DM scope.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.exts._reach import Reach, reach
from bot.exts.mentions import question_text
from bot.ui import Payload, reply_payload
from bot.utils.checks import is_moderator
from bot.utils.interactions import cooldown_text

if TYPE_CHECKING:
    from bot.client import FAQBot

log = logging.getLogger(__name__)

MENU_NAME = "Answer with FAQ"
ANSWERED_MAX = 4096
MODERATORS_ONLY = (
    '"Answer with FAQ" is for this server\'s moderators here. You can still ask me '
    "yourself with `/ask`."
)
NO_TEXT = "That message has no text I can answer. Try `/ask` with the question."
OWN_MESSAGE = "That is one of my own messages."
ANSWERED = "Answered in the channel: {url}"


class ContextMenu(commands.Cog):
    """Registers the message menu on the tree (cogs cannot hold context menus directly)."""

    def __init__(self, bot: FAQBot) -> None:
        self.bot = bot
        self.menu = app_commands.ContextMenu(
            name=MENU_NAME,
            callback=self.answer_message,
            allowed_installs=app_commands.AppInstallationType(guild=True, user=True),
            allowed_contexts=app_commands.AppCommandContext(
                guild=True, dm_channel=True, private_channel=True
            ),
        )
        # Messages already answered in their channel: a second use answers privately.
        self._answered: OrderedDict[int, str] = OrderedDict()

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)

    def refusal(self, interaction: discord.Interaction[Any], where: Reach) -> str | None:
        """Why this member may not post an answer here, or None."""
        public = self.bot.config.answers.context_menu_public
        in_server = where.present and where.guild_id is not None
        if in_server and not public and not is_moderator(interaction, self._mod_roles):
            return MODERATORS_ONLY
        return None

    @property
    def _mod_roles(self) -> tuple[int, ...]:
        return self.bot.config.moderation.role_ids

    async def answer_message(
        self, interaction: discord.Interaction[Any], message: discord.Message
    ) -> None:
        bot = self.bot
        async with bot.hold():
            where = reach(interaction)
            me = bot.user
            text = question_text(message.content, me.id if me else None)
            refused = self.refusal(interaction, where)
            if refused is None and me is not None and message.author.id == me.id:
                refused = OWN_MESSAGE
            if refused is None and not text:
                refused = NO_TEXT
            if refused is None:
                verdict = bot.limiter.hit(interaction.user.id, mark_refusal=False)
                if not verdict.allowed:
                    refused = cooldown_text(verdict.retry_after)
            if refused is not None:
                await interaction.response.send_message(refused, ephemeral=True)
                return
            decision, reply = await bot.decide_message(text, where.guild_id)
            payload = reply_payload(reply, question=text)
            if where.present and not self._answered_already(message):
                await self._reply_in_channel(interaction, message, payload)
            else:
                await interaction.response.send_message(**payload.kwargs(), ephemeral=True)
            await bot.record_decision(
                decision,
                source_id=message.id,
                guild_id=where.guild_id,
                channel_id=where.channel_id,
                author_id=message.author.id,
            )

    def _answered_already(self, message: discord.Message) -> bool:
        """Answered in its channel before: by this menu, or as a mention or DM."""
        if message.id in self._answered:
            return True
        # By name, not class: load_extension executes the module afresh, so an
        # imported ``Mentions`` is not the class of the loaded cog.
        addressed = getattr(self.bot.get_cog("Mentions"), "addressed", None)
        return callable(addressed) and bool(addressed(message))

    async def _reply_in_channel(
        self, interaction: discord.Interaction[Any], message: discord.Message, payload: Payload
    ) -> None:
        """Reply to the message for everyone; the member gets a private link to it.

        Deferred first: the reply is a REST call, and Discord allows 3 seconds.
        If the channel refuses the reply (no permission, message gone), the
        member still gets the answer, privately.
        """
        # Claimed before the REST call, so two members using the menu at once get one reply.
        self._answered[message.id] = ""
        if len(self._answered) > ANSWERED_MAX:
            self._answered.popitem(last=False)
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            sent = await message.reply(
                **payload.kwargs(),
                mention_author=False,
                allowed_mentions=discord.AllowedMentions.none(),
            )
        except discord.HTTPException as exc:
            self._answered.pop(message.id, None)
            log.warning("could not reply to message %s (%s); answering privately", message.id, exc)
            await interaction.followup.send(**payload.kwargs(), ephemeral=True)
            return
        self._answered[message.id] = sent.jump_url
        await interaction.followup.send(ANSWERED.format(url=sent.jump_url), ephemeral=True)


async def setup(bot: FAQBot) -> None:
    await bot.add_cog(ContextMenu(bot))
