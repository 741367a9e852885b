"""Checks that need every content file loaded: what one file cannot know alone.

Duplicate topic commands and orders (and clashes with the bot's own slash
commands), duplicate entry ids and phrasings across topics, ``see_also`` and
triage ``related`` links to entries, and the embed size with the disclaimer.
A link to an entry that exists but failed validation, or any link while some
file could not be parsed, is not reported: one mistake gives one issue.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from . import limits
from .cleaning import collapse
from .issues import Issues, display
from .models import Entry
from .source import Source
from .topics import LoadedTopics
from .triage_rules import LoadedRules

__all__ = ["check_entries", "check_topics", "check_triage"]


def check_topics(loaded: LoadedTopics, issues: Issues, bot_commands: Collection[str]) -> None:
    """Each topic's command is unused by the bot and other topics; each order is unique."""
    by_command: dict[str, str] = {}
    by_order: dict[int, str] = {}
    for topic in loaded.topics:
        src = loaded.sources[topic.id]
        tline = loaded.lines[topic.id]
        end = src.block_end(tline)
        if topic.command in bot_commands:
            issues.add(
                src.path,
                src.key_line("command", tline, end),
                f"command '{topic.command}' is one of the bot's own commands "
                f"(/{topic.command}); pick another name",
            )
        other = by_command.get(topic.command)
        if other is not None:
            issues.add(
                src.path,
                src.key_line("command", tline, end),
                f"command '{topic.command}' is also used by topic '{other}'",
            )
        else:
            by_command[topic.command] = topic.id
        other = by_order.get(topic.order)
        if other is not None:
            issues.add(
                src.path,
                src.key_line("order", tline, end),
                f"order {topic.order} is also used by topic '{other}'",
            )
        else:
            by_order[topic.order] = topic.id


def check_entries(loaded: LoadedTopics, issues: Issues, disclaimer: str | None) -> None:
    """Unique ids and phrasings, ``see_also`` links that resolve, cards that fit an embed."""
    entries = loaded.entries
    by_id: dict[str, Entry] = {}
    for entry in entries:
        first = by_id.get(entry.id)
        if first is not None:
            issues.add(
                entry.file,
                entry.line,
                f"duplicate entry id '{entry.id}' (first defined at "
                f"{display(first.file)}:{first.line})",
            )
        else:
            by_id[entry.id] = entry
    phrasing_owner: dict[str, Entry] = {}
    files: dict[Path, Source] = {}
    for entry in entries:
        src = files.get(entry.file)
        if src is None:
            src = files[entry.file] = Source(entry.file, entry.file.read_text(encoding="utf-8"))
        end = src.block_end(entry.line)
        for q in entry.questions:
            key = collapse(q)
            owner = phrasing_owner.get(key)
            if owner is None:
                phrasing_owner[key] = entry
            elif owner is not entry:
                issues.add(
                    entry.file,
                    src.value_line(q, entry.line, end),
                    f"duplicate phrasing {q!r} (also in entry '{owner.id}' at "
                    f"{display(owner.file)}:{owner.line})",
                )
        for target in entry.see_also:
            line = src.key_line("see_also", entry.line, end) or entry.line
            if target == entry.id:
                issues.add(entry.file, line, f"entry '{entry.id}' lists itself in see_also")
            elif (
                target not in by_id
                and target not in loaded.declared_ids
                and not issues.parse_failed
            ):
                issues.add(
                    entry.file,
                    line,
                    f"entry '{entry.id}' see_also points to unknown entry '{target}'",
                )
        if len(set(entry.see_also)) != len(entry.see_also):
            issues.add(
                entry.file,
                src.key_line("see_also", entry.line, end) or entry.line,
                f"entry '{entry.id}' repeats an id in see_also",
            )
        footer = len(disclaimer) if disclaimer else 0
        total = len(entry.title) + len(entry.answer) + footer
        if total >= limits.EMBED_TOTAL:
            issues.add(
                entry.file,
                entry.line,
                f"entry '{entry.id}': title + answer + disclaimer is {total} "
                f"characters (Discord embed limit {limits.EMBED_TOTAL})",
            )


def check_triage(rules: LoadedRules, issues: Issues, topics: LoadedTopics) -> None:
    """Rule ids are unique and each ``related`` names an entry."""
    src = rules.src
    if src is None:
        return
    entry_ids = {e.id for e in topics.entries}
    seen: set[str] = set()
    for rule, line in zip(rules.rules, rules.lines, strict=True):
        end = src.block_end(line)
        if rule.id in seen:
            issues.add(src.path, line, f"duplicate rule id '{rule.id}'")
        seen.add(rule.id)
        if (
            rule.related is not None
            and rule.related not in entry_ids
            and rule.related not in topics.declared_ids
            and not issues.parse_failed
        ):
            issues.add(
                src.path,
                src.key_line("related", line, end) or line,
                f"rule '{rule.id}' related points to unknown entry '{rule.related}'",
            )
