"""Discord presentation: ``Reply`` -> embeds and persistent components.

The engine decides and renders Discord-free ``Reply`` objects; this package is
the only place that turns them into ``discord.Embed`` and ``discord.ui`` items.
"""

from bot.ui.components import DYNAMIC_ITEMS, FeedbackButton, RelatedSelect, SuggestionButton
from bot.ui.embeds import asked_label, card_embed, question_from, quote, reply_embeds
from bot.ui.messages import Payload, reply_payload, reply_view, text_payload

__all__ = [
    "DYNAMIC_ITEMS",
    "FeedbackButton",
    "Payload",
    "RelatedSelect",
    "SuggestionButton",
    "asked_label",
    "card_embed",
    "question_from",
    "quote",
    "reply_embeds",
    "reply_payload",
    "reply_view",
    "text_payload",
]
