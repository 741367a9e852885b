"""Moderator views quote member text inert: no live mentions, no markdown, bounded length."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from bot.exts.moderation import quote

# What Discord would turn into a ping if allowed_mentions were ever loosened.
LIVE_MENTION = re.compile(r"@(everyone|here|[!&]?[0-9]{17,20})")


def test_quote_defuses_everyone_here_user_and_role_mentions() -> None:
    text = quote("hi @everyone and @here <@123456789012345678> <@&123456789012345678>", 200)
    assert LIVE_MENTION.search(text) is None
    assert "@\u200beveryone" in text and "@\u200bhere" in text


def test_quote_escapes_markdown_and_flattens_lines() -> None:
    assert quote("toe **wave**\n\n> not a quote", 100) == "toe \\*\\*wave\\*\\* > not a quote"


@given(
    st.lists(
        st.sampled_from(["@everyone", "@here", "<@123456789012345678>", "<@&98765432109876543>"])
        | st.text(max_size=20),
        max_size=12,
    ).map(" ".join),
    st.integers(min_value=10, max_value=300),
)
def test_quote_never_leaves_a_live_mention(text: str, limit: int) -> None:
    out = quote(text, limit)
    assert LIVE_MENTION.search(out) is None
    assert "\n" not in out
    assert len(out) <= limit + 40
