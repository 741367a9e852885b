"""Split one message into the questions it may hold.

Members write stories ("so i was at my nan's 80th ... why does that happen at
night?") and ask two things at once ("what causes cramps and should i use heat
or ice?"). The engine answers one question at a time, so the message is cut at
sentence ends, line breaks, numbered list items, "also" and "and" before a new
question. Every segment is a substring of the message, in order; the message
itself is always answered first, so splitting can only add answers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

#: Never more segments than this: a long rant is not twenty questions.
MAX_SEGMENTS = 4

# Words that open a new question when they follow "and" / "also" / a comma.
_OPENERS = (
    r"(?:should|shall|is|are|am|can|could|do|does|did|how|what|whats|why|when|where|which|who"
    r"|will|would|was|were|has|have|any|it'?s|i'?m)"
)
#: Sentence ends and line breaks (numbered and bulleted lists included).
_SENTENCE_END = r"(?<=[.?!;])\s+|\s*\n\s*"
_SENTENCE = re.compile(_SENTENCE_END)
_BOUNDARY = re.compile(
    _SENTENCE_END + r"|\s+(?=\d{1,2}[.)]\s)"  # an inline numbered item "1) ... 2) ..."
    rf"|,?\s+(?=(?:and\s+)?also\s+{_OPENERS}?)"  # "... also is magnesium worth it"
    rf"|,?\s+(?=and\s+{_OPENERS}\b)"  # "... and should i use heat or ice?"
    rf"|,\s+(?={_OPENERS}\b[^,]*\?)",  # "..., why does that happen at night?"
    re.IGNORECASE,
)
_LEAD = re.compile(r"(?:\d{1,2}[.)]|[-*•]|and\b|also\b|so\b|plus\b)[\s,]*", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class Segment:
    """A part of the message: ``text == message[start:end]``."""

    start: int
    end: int
    text: str


def _pieces(message: str, boundary: re.Pattern[str]) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of each piece between ``boundary`` matches (``end`` is where the
    next boundary begins), lead-ins ("also", "and", "1.") skipped."""
    start = 0
    bounds = [(m.start(), m.end()) for m in boundary.finditer(message)]
    bounds.append((len(message), len(message)))
    for cut, resume in bounds:
        piece_start = start
        start = resume
        lead = _LEAD.match(message, piece_start, cut)
        if lead is not None:
            piece_start = lead.end()
        yield piece_start, cut


def sentences(message: str) -> list[str]:
    """The message's sentences, cut at sentence ends and line breaks only (not at "and" or
    "also", as ``segments`` is), blank ones dropped."""
    return [part for part in _SENTENCE.split(message) if part.strip()]


def segments(message: str, max_segments: int = MAX_SEGMENTS) -> list[Segment]:
    """Candidate questions of ``message``, in order, at most ``max_segments``.

    Pieces without two words are dropped ("go.", "ok"). A message that does
    not split gives one segment (or none if it has no words).
    """
    out: list[Segment] = []
    for piece_start, piece_end in _pieces(message, _BOUNDARY):
        while piece_start < piece_end and message[piece_start].isspace():
            piece_start += 1
        while piece_end > piece_start and message[piece_end - 1] in " \t\r\n,":
            piece_end -= 1
        text = message[piece_start:piece_end]
        if len(_WORD.findall(text)) >= 2:
            out.append(Segment(piece_start, piece_end, text))
    if len(out) > max_segments:
        # Keep the questions: pieces ending in "?" first, then the last ones.
        ranked = sorted(range(len(out)), key=lambda i: (out[i].text.endswith("?"), i), reverse=True)
        keep = sorted(ranked[:max_segments])
        out = [out[i] for i in keep]
    return out


_CLAUSE = re.compile(r"\s*[()]\s*|[,;:.!?]+\s*|\s+(?=(?:and|but|then)\s)", re.IGNORECASE)
_QUESTION = re.compile(rf"\?\s*$|^\W*(?:and\s+|so\s+|but\s+)?{_OPENERS}\b", re.IGNORECASE)


def clauses(message: str) -> list[Segment]:
    """The message cut at every comma, sentence end and "and"/"but"/"then": the
    finest pieces, for stories whose question refers back to an earlier detail."""
    out: list[Segment] = []
    for piece_start, cut in _pieces(message, _CLAUSE):
        piece_end = cut
        while piece_end > piece_start and message[piece_end - 1].isspace():
            piece_end -= 1
        # A question mark belongs to its clause: keep it, so it still reads as a question.
        if cut < len(message) and message[cut] == "?":
            piece_end = cut + 1
        text = message[piece_start:piece_end]
        if _WORD.search(text):
            out.append(Segment(piece_start, piece_end, text))
    return out


def is_question(text: str) -> bool:
    """Ends in "?" or opens with a question word ("why does that happen at night")."""
    return bool(_QUESTION.search(text.strip()))


# A sentence that asks without a question word first: a request ("any tips", "i want to
# know ...", "genuinely curious what ...") rather than a statement opening with "i'm"/"it's".
_ASKING_OPENERS = (
    r"(?:should|shall|is|are|am|can|could|do|does|did|how|what|whats|why|when|where|which|who"
    r"|will|would|was|were|has|have|any|anyone|anybody)"
)
_ASKS = re.compile(
    rf"\?\s*$|^\W*(?:and\s+|so\s+|but\s+|also\s+)?{_ASKING_OPENERS}\b"
    r"|\b(?:want(?:ed)? to know|wondering|wonder (?:if|whether|what|why|how)|curious"
    r"|tips|advice|tell me|explain|what do you (?:reckon|think))\b",
    re.IGNORECASE,
)


def asks(text: str) -> bool:
    """Whether a sentence asks something: a question, or a request for an answer.

    Stricter than ``is_question`` about openers ("i'm sick of it" is a statement) and
    looser about requests ("i want to know what red flags mean", "any general guidance").
    A story's statements are its context; the sentence that asks carries its topic.
    """
    return bool(_ASKS.search(text.strip()))
