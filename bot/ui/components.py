"""Persistent buttons and selects under answers, as ``discord.ui.DynamicItem`` s.

Everything a click needs is in the ``custom_id`` (which entry, helpful or not)
or on the clicked message itself (the asker's question in the embed author), so
the items work on messages posted before a restart with no state in memory:
``FAQBot.setup_hook`` registers ``DYNAMIC_ITEMS`` with ``add_dynamic_items``.

custom_ids: ``faq:fb:<1|0>:<entry-id>`` (Helpful / Not helpful), ``faq:rel``
(the Related select, entry ids as option values), ``faq:sug:<entry-id>`` (a
near-miss suggestion under a no-answer reply). Each is at most 100 characters.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import discord

from bot.content import Entry, limits
from bot.engine.text import clip
from bot.utils.interactions import report_error

CUSTOM_ID_MAX = limits.CUSTOM_ID
BUTTON_LABEL_MAX = limits.BUTTON_LABEL
SELECT_LABEL_MAX = limits.SELECT_OPTION_LABEL
SELECT_OPTIONS_MAX = limits.SELECT_OPTIONS_MAX
_ENTRY = r"(?P<entry>[a-z0-9][a-z0-9_-]{0,80})"
FEEDBACK_TEMPLATE = rf"faq:fb:(?P<helpful>[01]):{_ENTRY}"
RELATED_ID = "faq:rel"
SUGGESTION_TEMPLATE = rf"faq:sug:{_ENTRY}"
_ENTRY_RE = re.compile(_ENTRY)


def usable_entry_id(entry_id: str | None) -> bool:
    """Whether an entry id fits the custom_id templates (content ids are short slugs)."""
    return entry_id is not None and _ENTRY_RE.fullmatch(entry_id) is not None


class ClickHandlers(Protocol):
    """What a click does; ``bot.exts.feedback`` registers its implementation on load."""

    async def record_feedback(
        self, interaction: discord.Interaction[Any], entry_id: str, helpful: bool
    ) -> None: ...

    async def show_entry(self, interaction: discord.Interaction[Any], entry_id: str) -> None: ...


_handlers: ClickHandlers | None = None


def register_handlers(handlers: ClickHandlers | None) -> None:
    """Install (or, with None, remove) what clicks call; one set per process."""
    global _handlers
    _handlers = handlers


def _current() -> ClickHandlers:
    if _handlers is None:
        raise RuntimeError("no click handlers registered (is bot.exts.feedback loaded?)")
    return _handlers


async def _delegate(
    interaction: discord.Interaction[Any],
    action: Callable[[ClickHandlers], Awaitable[None]],
) -> None:
    """Run the click's behaviour on the registered handlers; errors get an error id.

    The items stay presentation-only (labels, custom_ids, parsing); what a click
    does (store writes, showing an entry) lives in the feedback extension.
    Dynamic item callbacks do not reach ``tree.on_error``, so errors are
    reported here.
    """
    try:
        await action(_current())
    except Exception as exc:
        await report_error(interaction, exc)


class FeedbackButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=FEEDBACK_TEMPLATE):
    """ "Helpful" / "Not helpful" under an answer card."""

    def __init__(self, entry_id: str, helpful: bool, suffix: str = "") -> None:
        super().__init__(
            discord.ui.Button(
                label=("Helpful" if helpful else "Not helpful") + suffix,
                style=discord.ButtonStyle.success if helpful else discord.ButtonStyle.secondary,
                custom_id=f"faq:fb:{int(helpful)}:{entry_id}",
            )
        )
        self.entry_id = entry_id
        self.helpful = helpful

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> FeedbackButton:
        return cls(match["entry"], match["helpful"] == "1")

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await _delegate(
            interaction, lambda h: h.record_feedback(interaction, self.entry_id, self.helpful)
        )


class RelatedSelect(discord.ui.DynamicItem[discord.ui.Select[Any]], template=RELATED_ID):
    """A select of related entries (an answer's see-also, or a topic's questions)."""

    def __init__(self, entries: tuple[Entry, ...] = (), placeholder: str = "Related questions"):
        options = [
            discord.SelectOption(label=clip(e.title, SELECT_LABEL_MAX), value=e.id)
            for e in entries[:SELECT_OPTIONS_MAX]
        ] or [discord.SelectOption(label="-", value="-")]
        super().__init__(
            discord.ui.Select(
                custom_id=RELATED_ID,
                placeholder=clip(placeholder, 150),
                min_values=1,
                max_values=1,
                options=options,
            )
        )

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> RelatedSelect:
        made = cls()
        if isinstance(item, discord.ui.Select):
            made.item.options = item.options
        return made

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        values = self.item.values
        if values:
            choice = values[0]
            await _delegate(interaction, lambda h: h.show_entry(interaction, choice))


class SuggestionButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=SUGGESTION_TEMPLATE
):
    """A near-miss entry offered under a no-answer reply."""

    def __init__(self, entry_id: str, title: str = "") -> None:
        super().__init__(
            discord.ui.Button(
                label=clip(title or entry_id, BUTTON_LABEL_MAX),
                style=discord.ButtonStyle.primary,
                custom_id=f"faq:sug:{entry_id}",
            )
        )
        self.entry_id = entry_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> SuggestionButton:
        label = item.label if isinstance(item, discord.ui.Button) else None
        return cls(match["entry"], label or "")

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await _delegate(interaction, lambda h: h.show_entry(interaction, self.entry_id))


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (
    FeedbackButton,
    RelatedSelect,
    SuggestionButton,
)
