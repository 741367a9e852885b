"""A whole ``Reply`` as the keyword arguments of a Discord send: content, embeds, view."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import discord

from bot.engine.render import Reply
from bot.ui.components import FeedbackButton, RelatedSelect, SuggestionButton, usable_entry_id
from bot.ui.embeds import reply_content, reply_embeds

MAX_SUGGESTIONS = 3
#: Helpful / Not helpful pairs under one reply (a button row holds five buttons).
MAX_FEEDBACK_PAIRS = 3


@dataclass(slots=True)
class Payload:
    """What one message carries; ``kwargs()`` leaves out what is empty."""

    content: str | None
    embeds: list[discord.Embed] = field(default_factory=list)
    view: discord.ui.View | None = None

    def kwargs(self) -> dict[str, Any]:
        out: dict[str, Any] = {"embeds": self.embeds}
        if self.content:
            out["content"] = self.content
        if self.view is not None:
            out["view"] = self.view
        return out


def reply_view(reply: Reply) -> discord.ui.View | None:
    """Buttons and selects for a reply, or None when it offers nothing to click."""
    view = discord.ui.View(timeout=None)
    card = reply.cards[0] if reply.cards else None
    if reply.feedback:
        # One pair per answer card; with several answers each pair names its card's number.
        answered = [
            c.entry_id
            for c in reply.cards
            if c.entry_id is not None and usable_entry_id(c.entry_id)
        ]
        answered = list(dict.fromkeys(answered))[:MAX_FEEDBACK_PAIRS]
        for number, entry_id in enumerate(answered, 1):
            suffix = f" ({number})" if len(answered) > 1 else ""
            view.add_item(FeedbackButton(entry_id, helpful=True, suffix=suffix))
            view.add_item(FeedbackButton(entry_id, helpful=False, suffix=suffix))
    for candidate in reply.suggestions[:MAX_SUGGESTIONS]:
        if usable_entry_id(candidate.entry.id):
            view.add_item(SuggestionButton(candidate.entry.id, candidate.entry.title))
    related = tuple(e for e in reply.related if usable_entry_id(e.id))
    if related:
        placeholder = (
            "Questions in this topic" if card and card.kind == "topic" else ("Related questions")
        )
        view.add_item(RelatedSelect(related, placeholder))
    return view if view.children else None


def reply_payload(reply: Reply, *, question: str | None = None) -> Payload:
    """The message for ``reply``; ``question`` is recorded on answer cards (see embeds)."""
    return Payload(
        content=reply_content(reply),
        embeds=reply_embeds(reply, question=question),
        view=reply_view(reply),
    )


def text_payload(text: str) -> Payload:
    """A plain short message (help, cooldown notes)."""
    return Payload(content=text[:2000])
