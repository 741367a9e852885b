"""Load and validate the curated knowledge base from TOML files.

``load_content`` collects *every* problem it can find (each naming a file and,
where possible, a line) and raises a single :class:`ContentError` listing them.
This module only runs the steps in order and assembles :class:`Knowledge`:
each file kind has its own module (``topics``, ``references``, ``scope``,
``triage_concepts``, ``triage_rules``, ``triage_examples``, ``synonyms``, ``texts``),
checks across files are in ``checks``, and line numbers come from ``source``.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from types import MappingProxyType

from .checks import check_entries, check_topics, check_triage
from .issues import ContentError, ContentIssue, Issues
from .models import Entry, Knowledge, Topic
from .references import load_references
from .scope import load_scope
from .synonyms import load_synonyms
from .texts import TEXTS_FILE, load_texts
from .topics import load_topics
from .triage_concepts import load_lexicon
from .triage_examples import load_examples
from .triage_rules import load_triage

__all__ = ["ContentError", "ContentIssue", "load_content"]


def load_content(path: Path, *, bot_commands: Collection[str] = ()) -> Knowledge:
    """Load the content folder at ``path``; raise ContentError listing all issues.

    ``bot_commands`` are slash command names the bot itself defines; a topic
    ``command`` equal to one is an issue (``check-content`` passes the names
    read from the bot's command tree, see ``bot.command_names``).
    """
    root = Path(path)
    if not root.is_dir():
        raise ContentError([ContentIssue(root, None, "content folder does not exist")])
    issues = Issues()
    # The order matters: entries cite references, rules name concepts, and
    # synonyms are checked against the entries' words.
    references = load_references(root, issues)
    topics = load_topics(root, issues, references)
    texts = load_texts(root, issues)
    lexicon = load_lexicon(root, issues)
    rules = load_triage(root, issues, lexicon)
    examples = load_examples(root, issues, lexicon, rules.rules)
    complete = bool(topics.entries) and not issues.parse_failed and not topics.incomplete
    synonyms = load_synonyms(root, issues, topics.entries, check_words=complete)
    scope = load_scope(root, issues)
    check_topics(topics, issues, frozenset(bot_commands))
    check_entries(topics, issues, texts.disclaimer if texts else None)
    check_triage(rules, issues, topics)
    if issues.found or texts is None:
        if not issues.found:  # pragma: no cover - defensive
            issues.add(root / TEXTS_FILE, None, "texts could not be loaded")
        raise ContentError(issues.found)
    return Knowledge(
        root=root,
        entries=MappingProxyType(_in_topic_order(topics.topics, topics.entries)),
        topics=MappingProxyType({t.id: t for t in sorted(topics.topics, key=lambda t: t.order)}),
        triage=tuple(rules.rules),
        synonyms=MappingProxyType(dict(sorted(synonyms.items()))),
        texts=texts,
        scope=tuple(scope),
        lexicon=lexicon,
        triage_examples=examples,
        references=MappingProxyType(references.by_id),
    )


def _in_topic_order(topics: list[Topic], entries: list[Entry]) -> dict[str, Entry]:
    """Entries by id, topic by topic in ``order``, each topic's entries in file order."""
    by_topic: dict[str, list[Entry]] = {}
    for entry in entries:
        by_topic.setdefault(entry.topic, []).append(entry)
    ordered: dict[str, Entry] = {}
    for topic in sorted(topics, key=lambda t: t.order):
        for entry in by_topic.get(topic.id, []):
            ordered[entry.id] = entry
    return ordered
