"""``Reply`` (engine, Discord-free) -> ``discord.Embed`` objects that fit Discord's limits.

The engine already clips each part of a card; this module is the last line of
defence: it clips again at the exact Discord limits (a content edit must never
turn into a 400 from Discord) and keeps the 6,000-character total of all embeds
of one message, which no single card can know about.
"""

from __future__ import annotations

import discord

from bot.content import limits
from bot.engine.render import Card, Reply
from bot.engine.text import clip

CONTENT_MAX = limits.MESSAGE_CONTENT
TITLE_MAX = limits.EMBED_TITLE
DESCRIPTION_MAX = limits.EMBED_DESCRIPTION
FIELD_NAME_MAX = limits.EMBED_FIELD_NAME
FIELD_VALUE_MAX = limits.EMBED_FIELD_VALUE
FIELDS_MAX = limits.EMBED_FIELDS_MAX
FOOTER_MAX = limits.EMBED_FOOTER
AUTHOR_MAX = limits.EMBED_AUTHOR_NAME
EMBEDS_MAX = limits.EMBEDS_PER_MESSAGE
TOTAL_MAX = limits.EMBED_TOTAL
QUESTION_MAX = 200
ASKED_PREFIX = "You asked: "

COLOURS: dict[str, discord.Colour] = {
    "answer": discord.Colour.green(),
    "urgent": discord.Colour.red(),
    "no_answer": discord.Colour.light_grey(),
    "topic": discord.Colour.teal(),
    "info": discord.Colour.blurple(),
}


def quote(text: str, limit: int) -> str:
    """User text made safe to show in markdown: no formatting, no mention syntax, clipped."""
    escaped = discord.utils.escape_mentions(discord.utils.escape_markdown(" ".join(text.split())))
    return clip(escaped, limit)


def asked_label(question: str) -> str:
    """The embed author line that records the asker's question on the message itself.

    Author names are plain text in Discord (no markdown), so only mention syntax
    is neutralised (a zero-width space after ``@``, reversed by ``question_from``).
    Storing it here is what lets "Not helpful" work after a restart with no state
    in memory: the click's ``interaction.message`` carries it back.
    """
    flat = discord.utils.escape_mentions(" ".join(question.split()))
    return clip(ASKED_PREFIX + clip(flat, QUESTION_MAX), AUTHOR_MAX)


def question_from(embeds: list[discord.Embed]) -> str | None:
    """The question recorded by ``asked_label`` on a message's embeds, if any."""
    for embed in embeds:
        name = embed.author.name
        if name and name.startswith(ASKED_PREFIX):
            return name[len(ASKED_PREFIX) :].replace("@\u200b", "@").strip() or None
    return None


def card_embed(card: Card, *, question: str | None = None) -> discord.Embed:
    """One card as an embed: title, body, sources as fields, disclaimer as footer."""
    embed = discord.Embed(
        title=clip(card.title, TITLE_MAX) or None,
        description=clip(card.description, DESCRIPTION_MAX) or None,
        colour=COLOURS.get(card.kind, discord.Colour.default()),
    )
    if question and card.kind in ("answer", "urgent", "no_answer"):
        embed.set_author(name=asked_label(question))
    for name, value in card.fields[:FIELDS_MAX]:
        if name.strip() and value.strip():
            embed.add_field(
                name=clip(name, FIELD_NAME_MAX), value=clip(value, FIELD_VALUE_MAX), inline=False
            )
    if card.footer:
        embed.set_footer(text=clip(card.footer, FOOTER_MAX))
    return embed


def _fit(embed: discord.Embed, budget: int) -> None:
    """Make ``embed`` at most ``budget`` characters: the body gives way first, then the
    footer, then fields from the last; the title (which entry this is) is kept."""
    excess = len(embed) - budget
    if excess > 0 and embed.description:
        embed.description = clip(embed.description, max(len(embed.description) - excess, 1))
        excess = len(embed) - budget
    if excess > 0 and embed.footer.text:
        footer = embed.footer.text
        embed.set_footer(text=clip(footer, max(len(footer) - excess, 1)))
        excess = len(embed) - budget
    while excess > 0 and embed.fields:
        embed.remove_field(len(embed.fields) - 1)
        excess = len(embed) - budget


def reply_embeds(reply: Reply, *, question: str | None = None) -> list[discord.Embed]:
    """Every card of ``reply`` as embeds whose combined size fits one message (6,000)."""
    embeds = [card_embed(card, question=question) for card in reply.cards[:EMBEDS_MAX]]
    while len(embeds) > 1 and sum(len(e) for e in embeds[:-1]) >= TOTAL_MAX:
        embeds.pop()  # a later card that cannot fit at all is dropped, not the first
    budget = TOTAL_MAX
    for embed in embeds[:-1]:
        budget -= len(embed)
    if embeds:
        _fit(embeds[-1], budget)
    while len(embeds) > 1 and sum(len(e) for e in embeds) > TOTAL_MAX:
        embeds.pop()
    if embeds:
        _fit(embeds[0], TOTAL_MAX)
    return embeds


def reply_content(reply: Reply) -> str | None:
    """The message text (triage guidance first for urgent replies), within 2,000 characters."""
    return clip(reply.content, CONTENT_MAX) if reply.content else None
