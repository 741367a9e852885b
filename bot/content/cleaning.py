"""Message cleaning shared by triage matching and the content tests.

Triage regexes in ``content/triage.toml`` are written against text cleaned by
:func:`clean_message`: Unicode NFKC, casefolded, curly quotes made straight,
Discord markup removed and whitespace collapsed to single spaces.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["clean_message", "collapse"]

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "\u0060": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
    }
)
_CODE_BLOCK = re.compile(r"```(?:[a-z0-9_+-]*\n)?(.*?)```", re.DOTALL)
_MENTION = re.compile(r"<(?:@[!&]?|#)\d+>")
_CUSTOM_EMOJI = re.compile(r"<a?:(\w+):\d+>")
_TIMESTAMP = re.compile(r"<t:\d+(?::[a-z])?>", re.IGNORECASE)
_LINK = re.compile(r"\[([^\]]*)\]\((?:<)?https?://[^)\s]*(?:>)?\)")
_MARKUP = re.compile(r"(\*\*|\*|__|_|~~|\|\||`)")
_LINE_PREFIX = re.compile(r"(?m)^\s*(?:>>>|>|#{1,3}|-#)\s+")
_SPACE = re.compile(r"\s+")


def collapse(text: str) -> str:
    """Casefold and collapse whitespace (used to compare phrasings)."""
    return _SPACE.sub(" ", text.casefold()).strip()


def clean_message(text: str) -> str:
    """Normalise a user message the way triage regexes expect it."""
    text = unicodedata.normalize("NFKC", text)
    text = _CODE_BLOCK.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    text = _MENTION.sub(" ", text)
    text = _TIMESTAMP.sub(" ", text)
    text = _CUSTOM_EMOJI.sub(r" \1 ", text)
    text = _LINE_PREFIX.sub("", text)
    text = _MARKUP.sub("", text)
    text = text.translate(_QUOTES)
    return collapse(text)
