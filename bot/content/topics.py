"""``topics/*.toml``: one topic per file, with its ``[[entries]]`` (the FAQ answers).

Each file is checked on its own here; what needs every file at once (duplicate
ids, commands and phrasings, ``see_also`` targets) is in :mod:`.checks`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import limits
from .fields import Fields, read_toml
from .issues import Issues
from .models import Entry, Reference, Topic
from .references import REFERENCES_FILE, LoadedReferences
from .source import Source

__all__ = ["TOPICS_DIR", "LoadedTopics", "load_topics"]

TOPICS_DIR = "topics"
TOPIC_KEYS = {
    "id": True,
    "name": True,
    "command": True,
    "description": True,
    "order": True,
    "lead_with_warnings": False,
    "summary": True,
}
ENTRY_KEYS = {
    "id": True,
    "title": True,
    "questions": True,
    "answer": True,
    "see_also": False,
    "sources": True,
    "reviewed": True,
    "next_review": False,
    "guidance": False,
}


@dataclass
class LoadedTopics:
    """The valid topics and entries, and what the cross-file checks need to know about them."""

    topics: list[Topic] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    #: Each topic's file and its ``[topic]`` header line, by topic id.
    sources: dict[str, Source] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    #: Ids of every entry written down, valid or not: a reference to an entry
    #: that exists but failed validation is not reported again (one mistake, one issue).
    declared_ids: set[str] = field(default_factory=set)
    #: Some entry failed validation, so the entries' vocabulary is incomplete.
    incomplete: bool = False


def load_topics(root: Path, issues: Issues, references: LoadedReferences) -> LoadedTopics:
    """Every ``topics/*.toml`` file, in name order."""
    loaded = LoadedTopics()
    folder = root / TOPICS_DIR
    if not folder.is_dir():
        issues.unreadable(folder, None, "topics folder is missing")
        return loaded
    files = sorted(folder.glob("*.toml"))
    if not files:
        issues.unreadable(folder, None, "topics folder has no .toml files")
    for path in files:
        read = read_toml(path, issues)
        if read is None:
            continue
        data, src = read
        result = _load_topic_file(path, data, src, issues, references, loaded)
        if result is None:
            continue
        topic, topic_entries, line = result
        loaded.sources[topic.id] = src
        loaded.lines[topic.id] = line
        loaded.topics.append(topic)
        loaded.entries.extend(topic_entries)
    return loaded


def _load_topic_file(
    path: Path,
    data: dict[str, Any],
    src: Source,
    issues: Issues,
    references: LoadedReferences,
    loaded: LoadedTopics,
) -> tuple[Topic, list[Entry], int] | None:
    """The topic, its valid entries and the ``[topic]`` line; None if the topic is invalid."""
    for key in data:
        if key not in ("topic", "entries"):
            issues.add(
                path,
                src.header_line(key) or src.key_line(key, None),
                f"unknown top-level key '{key}' (allowed: topic, entries)",
            )
    raw_topic = data.get("topic")
    tline = src.header_line("topic") or 1
    if not isinstance(raw_topic, dict):
        issues.add(path, None, "missing [topic] table")
        return None
    f = Fields(issues, src, raw_topic, "topic", tline, src.block_end(tline))
    f.check_keys(TOPIC_KEYS)
    tid = f.get_str("id")
    if tid is not None and not limits.SLUG_RE.match(tid):
        f.report(f.key_line("id"), f"topic id '{tid}' must be a lowercase slug like 'night-cramps'")
    if tid is not None and tid != path.stem:
        f.report(f.key_line("id"), f"topic id '{tid}' must match the file name '{path.stem}.toml'")
    name = f.get_str("name", max_len=limits.TOPIC_NAME_MAX)
    command = f.get_str("command")
    if command is not None and not limits.COMMAND_NAME_RE.match(command):
        f.report(
            f.key_line("command"),
            f"command '{command}' is not a valid Discord command name "
            "(lowercase letters, digits, '-' or '_', 1-32 characters)",
        )
    description = f.get_str("description", max_len=limits.TOPIC_DESCRIPTION_MAX)
    summary = f.get_str("summary", max_len=limits.SUMMARY_MAX)
    order = raw_topic.get("order")
    if "order" in raw_topic and (not isinstance(order, int) or isinstance(order, bool)):
        f.report(f.key_line("order"), "topic 'order' must be an integer")
        order = None
    lead = raw_topic.get("lead_with_warnings", False)
    if not isinstance(lead, bool):
        f.report(
            f.key_line("lead_with_warnings"), "topic 'lead_with_warnings' must be true or false"
        )
        lead = False

    raw_entries = data.get("entries", [])
    starts = src.block_starts("entries")
    entries: list[Entry] = []
    if not isinstance(raw_entries, list) or not all(isinstance(e, dict) for e in raw_entries):
        issues.add(path, None, "'entries' must be written as [[entries]] tables")
        raw_entries = []
    if not raw_entries:
        issues.add(path, tline, "topic has no [[entries]]")
    for index, raw in enumerate(raw_entries):
        eline = starts[index] if index < len(starts) else None
        entry = _load_entry(raw, tid or path.stem, src, eline, issues, references, loaded)
        if entry is not None:
            entries.append(entry)

    if (
        tid is None
        or name is None
        or command is None
        or description is None
        or summary is None
        or order is None
    ):
        return None
    topic = Topic(
        id=tid,
        name=name.strip(),
        command=command,
        description=description.strip(),
        summary=summary.strip(),
        order=order,
        lead_with_warnings=lead,
        entry_ids=tuple(e.id for e in entries),
        guidance=tuple(dict.fromkeys(g for e in entries for g in e.guidance)),
    )
    return topic, entries, tline


def _load_entry(
    raw: dict[str, Any],
    topic_id: str,
    src: Source,
    line: int | None,
    issues: Issues,
    references: LoadedReferences,
    loaded: LoadedTopics,
) -> Entry | None:
    """One ``[[entries]]`` table; None (reported, ``loaded.incomplete`` set) if invalid."""
    raw_id = raw.get("id")
    what = f"entry '{raw_id}'" if isinstance(raw_id, str) else "entry"
    if isinstance(raw_id, str):
        loaded.declared_ids.add(raw_id)
    f = Fields(issues, src, raw, what, line, src.block_end(line))
    f.check_keys(ENTRY_KEYS)
    eid = f.get_str("id")
    if eid is not None and not limits.SLUG_RE.match(eid):
        f.report(
            f.key_line("id"), f"entry id '{eid}' must be a lowercase slug like 'night-leg-cramps'"
        )
    title = f.get_str("title", max_len=limits.EMBED_TITLE)
    answer = f.get_str("answer", max_len=limits.ANSWER_MAX)
    questions = f.get_str_list("questions")
    if questions is not None and not questions:
        f.report(f.at("questions"), f"{what} has an empty 'questions' list")
    if questions:
        seen: set[str] = set()
        for q in questions:
            if q in seen:
                f.report(f.value_line(q), f"{what} lists the phrasing {q!r} twice")
            seen.add(q)
    see_also = f.get_str_list("see_also")
    sources = f.get_str_list("sources")
    if sources is not None and not sources:
        f.report(
            f.at("sources"),
            f"{what} has an empty 'sources' list (use \"curator\" for general knowledge)",
        )
    reviewed = raw.get("reviewed")
    if "reviewed" in raw and (
        not isinstance(reviewed, datetime.date) or isinstance(reviewed, datetime.datetime)
    ):
        f.report(f.at("reviewed"), f"{what} 'reviewed' must be a date like 2026-11-23 (no quotes)")
        reviewed = None
    next_review = f.get_date("next_review")
    if isinstance(reviewed, datetime.date) and next_review is not None and next_review <= reviewed:
        f.report(
            f.at("next_review"),
            f"{what} 'next_review' ({next_review}) must be after 'reviewed' ({reviewed})",
        )
    guidance = _guidance(f, references)
    if (
        eid is None
        or title is None
        or answer is None
        or not questions
        or sources is None
        or not isinstance(reviewed, datetime.date)
    ):
        loaded.incomplete = True
        return None
    return Entry(
        id=eid,
        topic=topic_id,
        title=title.strip(),
        questions=tuple(questions),
        answer=answer.strip(),
        see_also=tuple(see_also or ()),
        sources=tuple(sources),
        reviewed=reviewed,
        file=src.path,
        line=line or 1,
        guidance=tuple(guidance),
        next_review=next_review,
    )


def _guidance(f: Fields, references: LoadedReferences) -> list[Reference]:
    """The entry's ``guidance`` ids resolved to references, each once, in order."""
    guidance: list[Reference] = []
    for gid in f.get_str_list("guidance") or []:
        ref = references.by_id.get(gid)
        if ref is None and gid not in references.declared:
            f.report(
                f.value_line(gid) or f.key_line("guidance") or f.line,
                f"{f.what} lists unknown guidance '{gid}' (define it in {REFERENCES_FILE})",
            )
        elif ref is not None and ref not in guidance:
            guidance.append(ref)
    return guidance
