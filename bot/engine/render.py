"""Decisions to replies: the words and cards, independent of Discord's classes.

The Discord adapter maps a ``Reply`` one to one onto a message (content plus
embeds), and the CLI prints ``reply_text`` of the same ``Reply``, so what
``python -m bot ask`` shows is what the bot posts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from bot.content import Entry, Knowledge, Reference, Topic, limits
from bot.engine.engine import Candidate, Decision
from bot.engine.text import clip, escape_markdown

CardKind = Literal["answer", "urgent", "no_answer", "topic", "info"]

# Discord's documented limits (one table, in bot/content/limits.py): every reply is
# cut to fit before it is sent.
CONTENT_MAX = limits.MESSAGE_CONTENT
TITLE_MAX = limits.EMBED_TITLE
DESCRIPTION_MAX = limits.EMBED_DESCRIPTION
FIELD_VALUE_MAX = limits.EMBED_FIELD_VALUE
FOOTER_MAX = limits.EMBED_FOOTER

DOSE_REFUSAL = (
    "I can't give doses or advice on taking a particular medicine. A pharmacist or your doctor "
    "can tell you what is safe for you, including with your other medicines."
)


#: The first line of an urgent reply: how fast to act, in plain words, before the guidance.
TIER_HEADINGS: dict[str, str] = {
    "crisis": "🆘 **Crisis support: please reach out now.**",
    "emergency": "🚨 **Emergency: call your emergency number now (999 UK, 911 US).**",
    "same-day": "🩺 **See a doctor today (UK: GP or NHS 111; US: your doctor or urgent care).**",
}


def tier_guidance(guidance: str, severity: str) -> str:
    """Tier heading, then the rule's guidance."""
    heading = TIER_HEADINGS.get(severity)
    return f"{heading}\n{guidance}" if heading else guidance


@dataclass(frozen=True, slots=True)
class Card:
    """One embed: a title, a body, a footer and optional name/value fields."""

    kind: CardKind
    title: str
    description: str
    footer: str = ""
    fields: tuple[tuple[str, str], ...] = ()
    entry_id: str | None = None


@dataclass(frozen=True, slots=True)
class Reply:
    """A whole reply: optional message text, cards, and what buttons to offer."""

    content: str | None
    cards: tuple[Card, ...]
    suggestions: tuple[Candidate, ...] = ()
    related: tuple[Entry, ...] = ()
    feedback: bool = False


def source_names(knowledge: Knowledge, entry: Entry) -> str:
    """The entry's sources as members should read them, one per line."""
    names = dict.fromkeys(knowledge.texts.source_name(s) for s in entry.sources)
    return "\n".join(names) or "Curated by the moderators"


def guidance_links(guidance: Iterable[Reference], limit: int = FIELD_VALUE_MAX) -> str:
    """Named guidance as markdown links, one per line, whole links only within ``limit``.

    A link cut in half would show raw markdown, so a link that does not fit is left out.
    """
    lines: list[str] = []
    used = 0
    for ref in guidance:
        name = " ".join(ref.name.split()).replace("[", "(").replace("]", ")")
        if not name:
            continue
        line = f"[{name}]({ref.url})"
        if used + len(line) + (1 if lines else 0) > limit:
            break
        lines.append(line)
        used += len(line) + (1 if len(lines) > 1 else 0)
    return "\n".join(lines)


def sources_text(knowledge: Knowledge, entry: Entry) -> str:
    """What an answer card says about where it comes from: guidance links, then the
    curators' sources, then when it was reviewed and is due again."""
    review = f"Reviewed {entry.reviewed.isoformat()}"
    if entry.next_review is not None:
        review += f", next review {entry.next_review.isoformat()}"
    tail = f"{source_names(knowledge, entry)}\n{review}"
    budget = FIELD_VALUE_MAX - len(tail) - 1
    links = guidance_links(entry.guidance, max(budget, 0))
    return clip(f"{links}\n{tail}" if links else tail, FIELD_VALUE_MAX)


def entry_card(knowledge: Knowledge, entry: Entry) -> Card:
    """The answer card for one entry: title, answer, sources, disclaimer."""
    return Card(
        kind="answer",
        title=clip(entry.title, TITLE_MAX),
        description=clip(entry.answer, DESCRIPTION_MAX),
        footer=clip(knowledge.texts.disclaimer, FOOTER_MAX),
        fields=(("Sources", sources_text(knowledge, entry)),),
        entry_id=entry.id,
    )


def _related(knowledge: Knowledge, entry: Entry) -> tuple[Entry, ...]:
    return tuple(knowledge.entries[i] for i in entry.see_also if i in knowledge.entries)[:25]


def _truncation_note(decision: Decision, limit: int) -> str | None:
    if decision.truncated:
        return f"(Your message was long, so I answered from its first {limit} characters.)"
    return None


def urgent_content(knowledge: Knowledge, guidance: str, note: str | None) -> str:
    """Triage guidance first, then the disclaimer, which is never the part cut off."""
    disclaimer = f"-# {knowledge.texts.disclaimer}"
    body = guidance + (f"\n{note}" if note else "")
    return f"{clip(body, CONTENT_MAX - len(disclaimer) - 2)}\n\n{disclaimer}"


def render_decision(knowledge: Knowledge, decision: Decision, *, limit: int = 500) -> Reply:
    """Build the reply the bot posts for ``decision``."""
    note = _truncation_note(decision, limit)
    if decision.outcome == "urgent" and decision.triage is not None:
        guidance = tier_guidance(decision.triage.guidance, decision.triage.severity)
        content = urgent_content(knowledge, guidance, note)
        cards = (entry_card(knowledge, decision.entry),) if decision.entry else ()
        related = _related(knowledge, decision.entry) if decision.entry else ()
        return Reply(content, cards, related=related, feedback=bool(cards))
    if decision.outcome == "answer" and decision.entry is not None:
        card = entry_card(knowledge, decision.entry)
        related = _related(knowledge, decision.entry)
        return Reply(note, (card,), related=related, feedback=True)
    if decision.scope is not None:
        body = decision.scope.reply
    elif decision.refusal == "dose":
        body = DOSE_REFUSAL
    else:
        body = knowledge.texts.no_answer
    if decision.alternatives and decision.scope is None:
        lines = "\n".join(f"• {escape_markdown(c.entry.title)}" for c in decision.alternatives)
        body += f"\n\n**Maybe one of these helps:**\n{lines}"
    card = Card(
        kind="no_answer",
        title="No curated answer yet",
        description=clip(body, DESCRIPTION_MAX),
        footer=clip(knowledge.texts.disclaimer, FOOTER_MAX),
    )
    return Reply(note, (card,), suggestions=decision.alternatives)


def topic_reply(knowledge: Knowledge, topic: Topic) -> Reply:
    """The summary card of a topic's slash command; warning signs first where the topic asks."""
    description = topic.summary
    if topic.lead_with_warnings:
        signs = "\n".join(f"• {rule.name}" for rule in knowledge.triage)
        description = (
            f"**Get urgent help now for any of these warning signs:**\n{signs}\n\n{topic.summary}"
        )
    entries = [knowledge.entries[i] for i in topic.entry_ids if i in knowledge.entries]
    fields: list[tuple[str, str]] = []
    if entries:
        titles = clip("\n".join(f"• {e.title}" for e in entries), FIELD_VALUE_MAX)
        fields.append(("Questions in this topic", titles))
    links = guidance_links(topic.guidance)
    if links:
        fields.append(("Sources", links))
    card = Card(
        kind="topic",
        title=clip(topic.name, TITLE_MAX),
        description=clip(description, DESCRIPTION_MAX),
        footer=clip(knowledge.texts.disclaimer, FOOTER_MAX),
        fields=tuple(fields),
    )
    return Reply(None, (card,), related=tuple(entries[:25]))


def topics_reply(knowledge: Knowledge) -> Reply:
    lines = [f"`/{t.command}` — {t.description}" for t in knowledge.topics.values()]
    body = "\n".join(lines) + "\n\nOr ask anything with `/ask`, or mention me with a question."
    card = Card(
        "info",
        "Topics I can help with",
        clip(body, DESCRIPTION_MAX),
        footer=clip(knowledge.texts.disclaimer, FOOTER_MAX),
    )
    return Reply(None, (card,))


def info_reply(knowledge: Knowledge, title: str, text: str) -> Reply:
    card = Card(
        "info",
        title,
        clip(text, DESCRIPTION_MAX),
        footer=clip(knowledge.texts.disclaimer, FOOTER_MAX),
    )
    return Reply(None, (card,))


def reply_text(reply: Reply) -> str:
    """The plain-text form of a reply, as the CLI prints it."""
    parts: list[str] = []
    if reply.content:
        parts.append(reply.content)
    for card in reply.cards:
        block = [f"## {card.title}", card.description]
        block.extend(f"{name}: {value}" for name, value in card.fields)
        if card.footer:
            block.append(f"-- {card.footer}")
        parts.append("\n".join(block))
    if reply.related:
        parts.append("Related: " + "; ".join(e.title for e in reply.related))
    return "\n\n".join(parts)
