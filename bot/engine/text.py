"""Turn a raw Discord message into plain, comparable text.

Everything downstream (triage rules, retrieval, the question log) sees the
same cleaned form, so a rule or a learned phrasing written once matches the
message however it was typed: fancy Unicode, mentions, spoilers, markdown.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_DISCORD_MARKUP = re.compile(
    r"<a?:[A-Za-z0-9_~]+:\d+>"  # custom emoji
    r"|<@[!&]?\d+>"  # user and role mentions
    r"|<#\d+>"  # channel mentions
    r"|</[^:<>]{1,100}:\d+>"  # slash-command mentions
    r"|<t:-?\d+(?::[tTdDfFR])?>"  # timestamps
    r"|@everyone|@here"
)
# A masked link "[text](https://...)" keeps its text; bare URLs go entirely.
_MASKED_LINK = re.compile(r"\[([^\]]*)\]\(<?(?:https?|ftp)://[^)\s]*>?\)", re.IGNORECASE)
_URL = re.compile(r"<?\b(?:https?|ftp)://\S+|\bwww\.\S+", re.IGNORECASE)
_FENCE = re.compile(r"```[A-Za-z0-9_+-]*\n?|```")
_MARKDOWN = re.compile(r"\|\||\*\*|__|~~|[*_`]|^\s*(?:>>>|>|#{1,3}|-#)\s", re.MULTILINE)
_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2033": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
    }
)
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Cleaned:
    """The cleaned text, and whether it was cut to the length cap."""

    text: str
    truncated: bool


_ASCII_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _drop_invisible(text: str) -> str:
    """Remove control, format and combining characters (zalgo, zero-width joiners, RTL marks)."""
    if text.isascii():
        return _ASCII_CONTROL.sub(" ", text)
    out = []
    for char in text:
        category = unicodedata.category(char)
        if category in ("Mn", "Me", "Cf", "Cs", "Co", "Cn"):
            continue
        if category == "Cc":
            out.append(" ")
            continue
        out.append(char)
    return "".join(out)


def clean(raw: str, max_chars: int = 500) -> Cleaned:
    """Normalise a message for matching; answer from the first ``max_chars`` characters."""
    # NFKC folds look-alike forms (full-width, ligatures); NFKD then splits accents off
    # so that stripping combining marks turns "crámp" and zalgo text into plain "cramp".
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", raw))
    text = _drop_invisible(text.translate(_QUOTES))
    text = _FENCE.sub(" ", text)
    text = _DISCORD_MARKUP.sub(" ", text)
    text = _MASKED_LINK.sub(r" \1 ", text)
    text = _URL.sub(" ", text)
    # Until nothing is left: removing one marker can expose another ("> *0" -> "> 0").
    while (stripped := _MARKDOWN.sub(" ", text)) != text:
        text = stripped
    text = text.casefold()
    text = _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()
    truncated = len(text) > max_chars
    if truncated:
        cut = text[:max_chars]
        space = cut.rfind(" ")
        text = (cut[:space] if space > max_chars // 2 else cut).rstrip()
    return Cleaned(text, truncated)


def clip(text: str, limit: int) -> str:
    """Cut ``text`` to ``limit`` characters, marking the cut with an ellipsis."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)].rstrip() + "…"


def escape_markdown(text: str) -> str:
    """Escape Discord markdown and neutralise mentions in user text we quote back."""
    text = re.sub(r"([\\*_~`|>#\[\]()-])", r"\\\1", text)
    return text.replace("@", "@\u200b")
