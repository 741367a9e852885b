"""Member slash commands: /ask, one command per content topic, /topics and /about.

Each answers first (Discord allows 3 seconds) and writes logs afterwards; each
takes an optional ``private`` flag to answer ephemerally.

/ask and /topics are also available to members who install the app to their
account (``allowed_installs`` users, every context). Where the bot is not in
the server (or in a DM between members) they always answer ephemerally, and
/ask logs only as DM scope (see ``bot.exts._reach``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.content import limits
from bot.engine.render import info_reply, topic_reply, topics_reply
from bot.exts._reach import reach
from bot.ui import reply_payload
from bot.utils.interactions import cooldown_text

if TYPE_CHECKING:
    from bot.client import FAQBot

log = logging.getLogger(__name__)

QUESTION_MAX = 500
CHOICES_MAX = 25
PRIVATE_HELP = "Only you see the answer"


def everywhere(func: Any) -> Any:
    """Installable to servers and to members' accounts; usable in servers, DMs, group DMs."""
    func = app_commands.allowed_installs(guilds=True, users=True)(func)
    return app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)(func)


def about_text(bot: FAQBot) -> str:
    """/about: the curated text plus what is stored, for how long, and how to report."""
    days = bot.config.storage.retention_days
    who = (
        "your Discord user id"
        if bot.config.storage.store_raw_user_ids
        else ("a salted hash of your user id (not the id itself)")
    )
    return (
        f"{bot.knowledge.texts.about}\n\n"
        '**What I store:** questions I could not answer and answers marked "Not helpful" '
        f"(the question text, server, channel and {who}), plus Helpful / Not helpful clicks, "
        "so moderators can improve the answers. Answered questions are not stored. "
        f"Stored rows are deleted after {days} days.\n\n"
        "**Wrong answer?** Click **Not helpful** under it: the moderators will see your "
        "question and fix the answer."
    )


class Answers(commands.Cog):
    """The member-facing FAQ commands."""

    def __init__(self, bot: FAQBot) -> None:
        self.bot = bot
        self._topic_commands: list[app_commands.Command[Any, ..., None]] = []

    async def cog_load(self) -> None:
        # This cog's own commands join the tree only after cog_load, so ask the cog.
        own = {command.name for command in self.get_app_commands()}
        for topic in sorted(self.bot.knowledge.topics.values(), key=lambda t: t.order):
            if topic.command in own or self.bot.tree.get_command(topic.command):
                log.warning("topic %s: /%s is taken; no command for it", topic.id, topic.command)
                continue
            command = self._topic_command(topic.id, topic.command, topic.description)
            self.bot.tree.add_command(command)
            self._topic_commands.append(command)

    async def cog_unload(self) -> None:
        for command in self._topic_commands:
            self.bot.tree.remove_command(command.name)
        self._topic_commands.clear()

    # -- /ask ----------------------------------------------------------------------------------

    @app_commands.command(name="ask", description="Ask a question about muscle spasms or cramps")
    @everywhere
    @app_commands.describe(question="Your question, in your own words", private=PRIVATE_HELP)
    async def ask(
        self,
        interaction: discord.Interaction[Any],
        question: app_commands.Range[str, 1, QUESTION_MAX],
        private: bool = False,
    ) -> None:
        bot = self.bot
        async with bot.hold():
            verdict = bot.limiter.hit(interaction.user.id, mark_refusal=False)
            if not verdict.allowed:
                await interaction.response.send_message(
                    cooldown_text(verdict.retry_after), ephemeral=True
                )
                return
            where = reach(interaction)
            decision, reply = await bot.decide_message(question, where.guild_id)
            payload = reply_payload(reply, question=question)
            await interaction.response.send_message(
                **payload.kwargs(), ephemeral=private or not where.present
            )
            await bot.record_decision(
                decision,
                source_id=interaction.id,
                guild_id=where.guild_id,
                channel_id=where.channel_id,
                author_id=interaction.user.id,
            )

    @ask.autocomplete("question")
    async def ask_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        choices: list[app_commands.Choice[str]] = []
        for text in self.bot.engine.suggest(current, limit=CHOICES_MAX):
            label = text.strip()[: limits.CHOICE_NAME_MAX]
            if label:
                choices.append(app_commands.Choice(name=label, value=label))
        return choices[:CHOICES_MAX]

    # -- topics, /topics, /about ---------------------------------------------------------------

    def _topic_command(
        self, topic_id: str, name: str, description: str
    ) -> app_commands.Command[Any, ..., None]:
        """A slash command for one topic, read from the content current at call time."""
        cog = self

        @app_commands.describe(private=PRIVATE_HELP)
        async def callback(interaction: discord.Interaction[Any], private: bool = False) -> None:
            await cog.send_topic(interaction, topic_id, private)

        return app_commands.Command(
            name=name,
            description=description[: limits.COMMAND_DESCRIPTION_MAX],
            callback=callback,
        )

    async def send_topic(
        self, interaction: discord.Interaction[Any], topic_id: str, private: bool
    ) -> None:
        knowledge = self.bot.knowledge
        topic = knowledge.topics.get(topic_id)
        if topic is None:
            await interaction.response.send_message(
                "That topic is no longer in the FAQ. Try `/topics`.", ephemeral=True
            )
            return
        payload = reply_payload(topic_reply(knowledge, topic))
        await interaction.response.send_message(**payload.kwargs(), ephemeral=private)

    @app_commands.command(name="topics", description="List the topics I can help with")
    @everywhere
    @app_commands.describe(private=PRIVATE_HELP)
    async def topics(self, interaction: discord.Interaction[Any], private: bool = False) -> None:
        payload = reply_payload(topics_reply(self.bot.knowledge))
        ephemeral = private or not reach(interaction).present
        await interaction.response.send_message(**payload.kwargs(), ephemeral=ephemeral)

    @app_commands.command(
        name="about",
        description="What this bot is, what it stores, and how to report a wrong answer",
    )
    @app_commands.describe(private=PRIVATE_HELP)
    async def about(self, interaction: discord.Interaction[Any], private: bool = False) -> None:
        knowledge = self.bot.knowledge
        payload = reply_payload(info_reply(knowledge, "About this bot", about_text(self.bot)))
        await interaction.response.send_message(**payload.kwargs(), ephemeral=private)


async def setup(bot: FAQBot) -> None:
    await bot.add_cog(Answers(bot))
