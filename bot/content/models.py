"""Immutable data model of the curated knowledge base (no Discord imports)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Entry", "Knowledge", "Reference", "Texts", "Topic", "TriageLexicon", "TriageRule"]

#: Triage tiers, most severe first: a message matching several rules gets the first tier here.
SEVERITY_ORDER: tuple[str, ...] = ("crisis", "emergency", "same-day")


@dataclass(frozen=True, slots=True)
class Reference:
    """A piece of published guidance a reader can check: its name and an https link."""

    id: str
    name: str
    url: str


@dataclass(frozen=True, slots=True)
class Entry:
    """One FAQ answer together with every phrasing that should reach it."""

    id: str
    topic: str
    title: str
    questions: tuple[str, ...]
    answer: str
    see_also: tuple[str, ...]
    sources: tuple[str, ...]
    reviewed: datetime.date
    file: Path
    line: int
    #: Named guidance with links (``guidance`` ids resolved against references.toml).
    guidance: tuple[Reference, ...] = ()
    #: When the entry must be checked again (the NHS Standard asks for both dates).
    next_review: datetime.date | None = None


@dataclass(frozen=True, slots=True)
class Topic:
    """A group of entries with its own slash command and summary card."""

    id: str
    name: str
    command: str
    description: str
    summary: str
    order: int
    lead_with_warnings: bool
    entry_ids: tuple[str, ...]
    #: Guidance behind the topic's entries, in order, each once (shown on the summary card).
    guidance: tuple[Reference, ...] = ()


_BACKREFERENCE = re.compile(r"\\[1-9]|\(\?P=")


def _combine(patterns: tuple[re.Pattern[str], ...]) -> re.Pattern[str] | None:
    """One alternation equivalent to ``any(p.search(...))``: one scan instead of many.

    None when there is nothing to combine or a pattern cannot be combined safely
    (its own flags or a backreference whose group number would shift).
    """
    if not patterns:
        return None
    if any(p.flags != re.UNICODE or _BACKREFERENCE.search(p.pattern) for p in patterns):
        return None
    return re.compile("|".join(f"(?:{p.pattern})" for p in patterns))


def _search_any(
    combined: re.Pattern[str] | None, patterns: tuple[re.Pattern[str], ...], cleaned: str
) -> bool:
    if combined is not None:
        return combined.search(cleaned) is not None
    return any(p.search(cleaned) for p in patterns)


@dataclass(frozen=True, slots=True)
class TriageRule:
    """An urgent warning-sign rule matched against a cleaned message."""

    id: str
    name: str
    severity: str
    guidance: str
    related: str | None
    any: tuple[re.Pattern[str], ...]
    all: tuple[tuple[re.Pattern[str], ...], ...]
    unless: tuple[re.Pattern[str], ...]
    #: Concept groups (names from triage_concepts.toml): the rule fires when every concept
    #: of one group is present, not negated and not a past, resolved event.
    when: tuple[tuple[str, ...], ...] = ()
    #: Fire on informational questions too ("what's a lethal dose of ..." is a crisis signal).
    on_questions: bool = False
    #: Concepts of a ``when`` group must sit within this many words of each other (None: anywhere).
    within: int | None = None
    _any: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    _unless: re.Pattern[str] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_any", _combine(self.any))
        object.__setattr__(self, "_unless", _combine(self.unless))

    @property
    def rank(self) -> int:
        """0 for the most severe tier; lower wins when several rules match."""
        return SEVERITY_ORDER.index(self.severity) if self.severity in SEVERITY_ORDER else 99

    def pattern_hit(self, cleaned: str) -> bool:
        """The regex escape hatch alone (``any`` / ``all``), ignoring ``unless``."""
        return _search_any(self._any, self.any, cleaned) or any(
            group and all(p.search(cleaned) for p in group) for group in self.all
        )

    def vetoed(self, cleaned: str) -> bool:
        """An ``unless`` regex matches: the rule never fires on this message."""
        return _search_any(self._unless, self.unless, cleaned)

    def matches(self, cleaned: str) -> bool:
        """Return True if the rule's regexes trigger for an already cleaned message
        (concept groups are matched by ``bot.engine.triage``, which also calls this).

        The positive patterns run first: almost every message matches none of them,
        so the ``unless`` patterns are only searched when they could matter.
        """
        triggered = _search_any(self._any, self.any, cleaned) or any(
            group and all(p.search(cleaned) for p in group) for group in self.all
        )
        return triggered and not _search_any(self._unless, self.unless, cleaned)


@dataclass(frozen=True, slots=True)
class TriageLexicon:
    """``triage_concepts.toml``: the concepts rules combine, and the words that mark a
    mention as negated ("no fever"), past and resolved, or an informational question."""

    #: concept name -> terms (words or phrases; ``*`` ends a prefix, ``#`` is any number).
    concepts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    negators: frozenset[str] = frozenset()
    #: Negation reaches this many words forward, within one clause.
    negation_window: int = 3
    #: A negator followed by one of these negates nothing ("not sure how many he took").
    not_negating: frozenset[str] = frozenset()
    #: Concepts a negator never cancels: who and which medicine ("haven't taken my baclofen").
    unnegatable: frozenset[str] = frozenset()
    clause_breaks: frozenset[str] = frozenset()
    present: tuple[re.Pattern[str], ...] = ()
    resolved: tuple[re.Pattern[str], ...] = ()
    #: A clause set in the distant past ("two years ago", "in 2015") without a ``present``
    #: marker tells history, not what is happening now: only crisis rules read it.
    distant: tuple[re.Pattern[str], ...] = ()
    #: ...unless it is about one of these (the date of the last tetanus jab is the point).
    history: tuple[re.Pattern[str], ...] = ()
    question_frames: tuple[re.Pattern[str], ...] = ()
    personal: tuple[re.Pattern[str], ...] = ()
    #: A question that looks ahead ("what should i look out for") about a time to come ("my
    #: surgery is in 3 weeks", "for my kids") is informational even when it says "my".
    ahead: tuple[re.Pattern[str], ...] = ()
    future: tuple[re.Pattern[str], ...] = ()
    #: A symptom word used in another sense ("hay fever", "wound up", "gave me a heart
    #: attack"): blanked out before concepts and rule patterns are matched.
    figurative: tuple[re.Pattern[str], ...] = ()


@dataclass(frozen=True, slots=True)
class TriageExamples:
    """``triage_examples.toml``: example messages per triage rule and decoys, for the
    semantic triage layer (a message close in meaning to a rule's examples, and clearly
    closer to them than to any decoy or FAQ question, fires that rule)."""

    #: rule id -> example messages that describe its warning sign.
    examples: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: rule id -> concepts of which the message must mention one (set for a rule here,
    #: else every concept of its ``when`` groups that is not ``generic``).
    anchors: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: Concepts that never anchor a rule alone (who, which medicine): "my son" or
    #: "baclofen" says nothing about danger.
    generic: frozenset[str] = frozenset()
    #: Concepts that must be said in words, as one of a rule's concept groups names them
    #: (pregnancy, a child, the medicine), for the semantic layer to fire that rule.
    required: frozenset[str] = frozenset()
    #: Ordinary or informational messages that look like warning signs.
    decoys: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ScopeRule:
    """Something that shares words with this FAQ but is outside it (period cramps,
    a "cramped" flat): answered with ``reply`` instead of a wrong entry."""

    id: str
    name: str
    reply: str
    any: tuple[re.Pattern[str], ...]
    unless: tuple[re.Pattern[str], ...]
    _any: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    _unless: re.Pattern[str] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_any", _combine(self.any))
        object.__setattr__(self, "_unless", _combine(self.unless))

    def matches(self, cleaned: str) -> bool:
        """True if the cleaned message is about this out-of-scope subject."""
        return _search_any(self._any, self.any, cleaned) and not _search_any(
            self._unless, self.unless, cleaned
        )


@dataclass(frozen=True, slots=True)
class Texts:
    """Fixed bot texts curated alongside the content."""

    disclaimer: str
    about: str
    help: str
    no_answer: str
    #: Readable names for entry ``sources`` ids (seed file names are not for members).
    source_names: Mapping[str, str] = field(default_factory=dict)
    #: The "FAQ is in English only" notice: ``en`` and one text per language code.
    english_only: Mapping[str, str] = field(default_factory=dict)

    def source_name(self, source: str) -> str:
        return self.source_names.get(source, source)


@dataclass(frozen=True, slots=True)
class Knowledge:
    """Everything loaded from the content folder."""

    root: Path
    entries: Mapping[str, Entry]
    topics: Mapping[str, Topic]
    triage: tuple[TriageRule, ...]
    synonyms: Mapping[str, str]
    texts: Texts
    scope: tuple[ScopeRule, ...] = ()
    lexicon: TriageLexicon = field(default_factory=TriageLexicon)
    triage_examples: TriageExamples = field(default_factory=TriageExamples)
    references: Mapping[str, Reference] = field(default_factory=dict)

    def overdue(self, today: datetime.date) -> tuple[Entry, ...]:
        """Entries whose ``next_review`` date has passed."""
        return tuple(
            e for e in self.entries.values() if e.next_review is not None and e.next_review < today
        )

    @property
    def phrasing_count(self) -> int:
        return sum(len(e.questions) for e in self.entries.values())

    def entries_for(self, topic_id: str) -> tuple[Entry, ...]:
        """Entries of one topic, in file order (empty if the topic is unknown)."""
        topic = self.topics.get(topic_id)
        if topic is None:
            return ()
        return tuple(self.entries[i] for i in topic.entry_ids)

    def summary_line(self) -> str:
        return (
            f"OK: {len(self.entries)} entries, {self.phrasing_count} phrasings, "
            f"{len(self.topics)} topics, {len(self.triage)} triage rules"
        )
