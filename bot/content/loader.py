"""Load and validate the curated knowledge base from TOML files.

``load_content`` collects *every* problem it can find (each naming a file and,
where possible, a line) and raises a single :class:`ContentError` listing them.
tomllib gives no line numbers for values, so lines are found by searching the
raw file text for the offending key or value.
"""

from __future__ import annotations

import datetime
import re
import tomllib
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from . import limits
from .cleaning import collapse
from .models import (
    Entry,
    Knowledge,
    Reference,
    ScopeRule,
    Texts,
    Topic,
    TriageExamples,
    TriageLexicon,
    TriageRule,
)

__all__ = ["ContentError", "ContentIssue", "load_content"]

TOPICS_DIR = "topics"
TRIAGE_FILE = "triage.toml"
CONCEPTS_FILE = "triage_concepts.toml"
EXAMPLES_FILE = "triage_examples.toml"
SCOPE_FILE = "scope.toml"
SYNONYMS_FILE = "synonyms.toml"
TEXTS_FILE = "texts.toml"
REFERENCES_FILE = "references.toml"

_TOML_POS = re.compile(r"\(at line (\d+), column (\d+)\)")
_HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\-\"' ]+?)\s*\]\]?\s*(#.*)?$")
_TOKEN = re.compile(r"[^\W_]+")

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
REFERENCE_KEYS = {"id": True, "name": True, "url": True}
_URL_RE = re.compile(r"^https://[A-Za-z0-9.-]+\.[A-Za-z]{2,}(/[^\s<>\"'()\[\]]*)?$")
SCOPE_KEYS = {"id": True, "name": True, "reply": True, "any": True, "unless": False}
RULE_KEYS = {
    "id": True,
    "name": True,
    "severity": True,
    "guidance": True,
    "related": False,
    "any": False,
    "all": False,
    "unless": False,
    "when": False,
    "on_questions": False,
    "within": False,
}
EXAMPLES_FILE_KEYS = {"rules": True, "decoys": False, "semantic": False}
EXAMPLE_RULE_KEYS = {"examples": True, "anchors": False}
#: An example or decoy longer than this is a story, not an example.
EXAMPLE_MAX = 300
CONCEPT_FILE_KEYS = {
    "concepts": True,
    "negation": False,
    "time": False,
    "questions": False,
}
TEXT_LIMITS = {
    "disclaimer": limits.DISCLAIMER_MAX,
    "about": limits.ABOUT_MAX,
    "help": limits.HELP_MAX,
    "no_answer": limits.NO_ANSWER_MAX,
}


#: Each text of ``[english_only]`` (two of them share one embed).
ENGLISH_ONLY_MAX = 400


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


class ContentIssue(NamedTuple):
    """One problem in the content, located as precisely as possible."""

    file: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        where = _display(self.file)
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.message}"


class ContentError(Exception):
    """Raised by :func:`load_content` with every issue that was found."""

    def __init__(self, issues: Iterable[ContentIssue]) -> None:
        self.issues: list[ContentIssue] = list(issues)
        super().__init__("\n".join(str(i) for i in self.issues))

    def __str__(self) -> str:
        return "\n".join(str(i) for i in self.issues)


class _Source:
    """A TOML file's raw text, used to find line numbers."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()

    def block_starts(self, name: str) -> list[int]:
        """1-based lines of ``[[name]]`` headers, in file order."""
        pat = re.compile(rf"^\s*\[\[\s*{re.escape(name)}\s*\]\]\s*(#.*)?$")
        return [i + 1 for i, line in enumerate(self.lines) if pat.match(line)]

    def header_line(self, name: str) -> int | None:
        pat = re.compile(rf"^\s*\[\s*{re.escape(name)}\s*\]\s*(#.*)?$")
        for i, line in enumerate(self.lines):
            if pat.match(line):
                return i + 1
        return None

    def block_end(self, start: int | None) -> int:
        """Last line of the table starting at ``start`` (1-based, inclusive)."""
        if start is None:
            return len(self.lines)
        for i in range(start, len(self.lines)):
            if _HEADER.match(self.lines[i]):
                return i
        return len(self.lines)

    def find(self, needle: str, start: int | None = None, end: int | None = None) -> int | None:
        """First 1-based line in [start, end] containing ``needle``."""
        first = (start or 1) - 1
        last = end if end is not None else len(self.lines)
        for i in range(max(first, 0), min(last, len(self.lines))):
            if needle in self.lines[i]:
                return i + 1
        return None

    def key_line(self, key: str, start: int | None, end: int | None = None) -> int | None:
        pat = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
        first = (start or 1) - 1
        last = end if end is not None else len(self.lines)
        for i in range(max(first, 0), min(last, len(self.lines))):
            if pat.match(self.lines[i]):
                return i + 1
        return None

    def value_line(self, value: str, start: int | None, end: int | None = None) -> int | None:
        """Line of a string value, trying its first line of text if multi-line."""
        for candidate in (value, value.strip().splitlines()[0] if value.strip() else ""):
            if candidate:
                line = self.find(candidate, start, end)
                if line is not None:
                    return line
        return start


class _Loader:
    def __init__(self, root: Path, bot_commands: frozenset[str] = frozenset()) -> None:
        self.root = root
        self.bot_commands = bot_commands
        self.issues: list[ContentIssue] = []
        self.parse_failed = False
        # ids of entries that exist but failed validation: references to them
        # are not reported again, so one mistake gives one issue.
        self.declared_ids: set[str] = set()
        self.entries_incomplete = False
        self.lexicon = TriageLexicon()
        self.references: dict[str, Reference] = {}
        # ids of references that exist but are invalid: one mistake gives one issue.
        self.declared_refs: set[str] = set()

    # -- helpers -----------------------------------------------------------
    def issue(self, file: Path, line: int | None, message: str) -> None:
        self.issues.append(ContentIssue(file, line, message))

    def read(self, path: Path) -> tuple[dict[str, Any], _Source] | None:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            self.issue(path, None, "required file is missing")
            self.parse_failed = True
            return None
        except (OSError, UnicodeDecodeError) as exc:
            self.issue(path, None, f"cannot read file: {exc}")
            self.parse_failed = True
            return None
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            msg = str(exc)
            m = _TOML_POS.search(msg)
            line = int(m.group(1)) if m else None
            self.issue(path, line, f"TOML syntax error: {msg}")
            self.parse_failed = True
            return None
        return data, _Source(path, text)

    def check_keys(
        self,
        table: Mapping[str, Any],
        spec: Mapping[str, bool],
        what: str,
        src: _Source,
        line: int | None,
        end: int | None,
    ) -> None:
        for key, required in spec.items():
            if required and key not in table:
                self.issue(src.path, line, f"{what} is missing required key '{key}'")
        for key in table:
            if key not in spec:
                allowed = ", ".join(spec)
                self.issue(
                    src.path,
                    src.key_line(key, line, end) or line,
                    f"{what} has unknown key '{key}' (allowed: {allowed})",
                )

    def get_str(
        self,
        table: Mapping[str, Any],
        key: str,
        what: str,
        src: _Source,
        line: int | None,
        end: int | None,
        *,
        max_len: int | None = None,
        min_len: int = 1,
        required: bool = True,
    ) -> str | None:
        if key not in table:
            return None  # reported by check_keys when required
        value = table[key]
        where = src.key_line(key, line, end) or line
        if not isinstance(value, str):
            self.issue(src.path, where, f"{what} '{key}' must be a string")
            return None
        if len(value.strip()) < min_len:
            self.issue(src.path, where, f"{what} '{key}' must not be empty")
            return None
        if max_len is not None and len(value) > max_len:
            self.issue(
                src.path,
                where,
                f"{what} '{key}' is {len(value)} characters (limit {max_len})",
            )
        return value

    def get_str_list(
        self,
        table: Mapping[str, Any],
        key: str,
        what: str,
        src: _Source,
        line: int | None,
        end: int | None,
    ) -> list[str] | None:
        if key not in table:
            return None
        value = table[key]
        where = src.key_line(key, line, end) or line
        if not isinstance(value, list):
            self.issue(src.path, where, f"{what} '{key}' must be a list of strings")
            return None
        out: list[str] = []
        for item in value:
            if not isinstance(item, str):
                self.issue(src.path, where, f"{what} '{key}' contains a non-string: {item!r}")
            elif not item.strip():
                self.issue(src.path, where, f"{what} '{key}' contains an empty string")
            else:
                out.append(item)
        return out

    # -- topics ------------------------------------------------------------
    def load_topics(
        self,
    ) -> tuple[list[Topic], list[Entry], dict[str, _Source], dict[str, int]]:
        topics: list[Topic] = []
        entries: list[Entry] = []
        sources: dict[str, _Source] = {}
        topic_lines: dict[str, int] = {}
        folder = self.root / TOPICS_DIR
        if not folder.is_dir():
            self.issue(folder, None, "topics folder is missing")
            self.parse_failed = True
            return topics, entries, sources, topic_lines
        files = sorted(folder.glob("*.toml"))
        if not files:
            self.issue(folder, None, "topics folder has no .toml files")
            self.parse_failed = True
        for path in files:
            loaded = self.read(path)
            if loaded is None:
                continue
            data, src = loaded
            result = self.load_topic_file(path, data, src)
            if result is None:
                continue
            topic, topic_entries, line = result
            sources[topic.id] = src
            topic_lines[topic.id] = line
            topics.append(topic)
            entries.extend(topic_entries)
        return topics, entries, sources, topic_lines

    def load_topic_file(
        self, path: Path, data: dict[str, Any], src: _Source
    ) -> tuple[Topic, list[Entry], int] | None:
        for key in data:
            if key not in ("topic", "entries"):
                self.issue(
                    path,
                    src.header_line(key) or src.key_line(key, None),
                    f"unknown top-level key '{key}' (allowed: topic, entries)",
                )
        raw_topic = data.get("topic")
        tline = src.header_line("topic") or 1
        if not isinstance(raw_topic, dict):
            self.issue(path, None, "missing [topic] table")
            return None
        tend = src.block_end(tline)
        what = "topic"
        self.check_keys(raw_topic, TOPIC_KEYS, what, src, tline, tend)
        tid = self.get_str(raw_topic, "id", what, src, tline, tend)
        if tid is not None and not limits.SLUG_RE.match(tid):
            self.issue(
                path,
                src.key_line("id", tline, tend),
                f"topic id '{tid}' must be a lowercase slug like 'night-cramps'",
            )
        if tid is not None and tid != path.stem:
            self.issue(
                path,
                src.key_line("id", tline, tend),
                f"topic id '{tid}' must match the file name '{path.stem}.toml'",
            )
        name = self.get_str(
            raw_topic, "name", what, src, tline, tend, max_len=limits.TOPIC_NAME_MAX
        )
        command = self.get_str(raw_topic, "command", what, src, tline, tend)
        if command is not None and not limits.COMMAND_NAME_RE.match(command):
            self.issue(
                path,
                src.key_line("command", tline, tend),
                f"command '{command}' is not a valid Discord command name "
                "(lowercase letters, digits, '-' or '_', 1-32 characters)",
            )
        description = self.get_str(
            raw_topic,
            "description",
            what,
            src,
            tline,
            tend,
            max_len=limits.TOPIC_DESCRIPTION_MAX,
        )
        summary = self.get_str(
            raw_topic, "summary", what, src, tline, tend, max_len=limits.SUMMARY_MAX
        )
        order = raw_topic.get("order")
        if "order" in raw_topic and (not isinstance(order, int) or isinstance(order, bool)):
            self.issue(path, src.key_line("order", tline, tend), "topic 'order' must be an integer")
            order = None
        lead = raw_topic.get("lead_with_warnings", False)
        if not isinstance(lead, bool):
            self.issue(
                path,
                src.key_line("lead_with_warnings", tline, tend),
                "topic 'lead_with_warnings' must be true or false",
            )
            lead = False

        raw_entries = data.get("entries", [])
        starts = src.block_starts("entries")
        entries: list[Entry] = []
        if not isinstance(raw_entries, list) or not all(isinstance(e, dict) for e in raw_entries):
            self.issue(path, None, "'entries' must be written as [[entries]] tables")
            raw_entries = []
        if not raw_entries:
            self.issue(path, tline, "topic has no [[entries]]")
        for index, raw in enumerate(raw_entries):
            eline = starts[index] if index < len(starts) else None
            entry = self.load_entry(raw, tid or path.stem, src, eline)
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

    def load_entry(
        self, raw: dict[str, Any], topic_id: str, src: _Source, line: int | None
    ) -> Entry | None:
        end = src.block_end(line)
        raw_id = raw.get("id")
        what = f"entry '{raw_id}'" if isinstance(raw_id, str) else "entry"
        if isinstance(raw_id, str):
            self.declared_ids.add(raw_id)
        self.check_keys(raw, ENTRY_KEYS, what, src, line, end)
        eid = self.get_str(raw, "id", what, src, line, end)
        if eid is not None and not limits.SLUG_RE.match(eid):
            self.issue(
                src.path,
                src.key_line("id", line, end),
                f"entry id '{eid}' must be a lowercase slug like 'night-leg-cramps'",
            )
        title = self.get_str(raw, "title", what, src, line, end, max_len=limits.EMBED_TITLE)
        answer = self.get_str(raw, "answer", what, src, line, end, max_len=limits.ANSWER_MAX)
        questions = self.get_str_list(raw, "questions", what, src, line, end)
        if questions is not None and not questions:
            self.issue(
                src.path,
                src.key_line("questions", line, end) or line,
                f"{what} has an empty 'questions' list",
            )
        if questions:
            seen: set[str] = set()
            for q in questions:
                if q in seen:
                    self.issue(
                        src.path,
                        src.value_line(q, line, end),
                        f"{what} lists the phrasing {q!r} twice",
                    )
                seen.add(q)
        see_also = self.get_str_list(raw, "see_also", what, src, line, end)
        sources = self.get_str_list(raw, "sources", what, src, line, end)
        if sources is not None and not sources:
            self.issue(
                src.path,
                src.key_line("sources", line, end) or line,
                f"{what} has an empty 'sources' list (use \"curator\" for general knowledge)",
            )
        reviewed = raw.get("reviewed")
        if "reviewed" in raw and (
            not isinstance(reviewed, datetime.date) or isinstance(reviewed, datetime.datetime)
        ):
            self.issue(
                src.path,
                src.key_line("reviewed", line, end) or line,
                f"{what} 'reviewed' must be a date like 2026-11-23 (no quotes)",
            )
            reviewed = None
        next_review = self.get_date(raw, "next_review", what, src, line, end)
        if (
            isinstance(reviewed, datetime.date)
            and next_review is not None
            and next_review <= reviewed
        ):
            self.issue(
                src.path,
                src.key_line("next_review", line, end) or line,
                f"{what} 'next_review' ({next_review}) must be after 'reviewed' ({reviewed})",
            )
        guidance_ids = self.get_str_list(raw, "guidance", what, src, line, end) or []
        guidance: list[Reference] = []
        for gid in guidance_ids:
            ref = self.references.get(gid)
            if ref is None and gid not in self.declared_refs:
                self.issue(
                    src.path,
                    src.value_line(gid, line, end) or src.key_line("guidance", line, end) or line,
                    f"{what} lists unknown guidance '{gid}' (define it in {REFERENCES_FILE})",
                )
            elif ref is not None and ref not in guidance:
                guidance.append(ref)
        if (
            eid is None
            or title is None
            or answer is None
            or not questions
            or sources is None
            or not isinstance(reviewed, datetime.date)
        ):
            self.entries_incomplete = True
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

    def get_date(
        self,
        raw: dict[str, Any],
        key: str,
        what: str,
        src: _Source,
        line: int | None,
        end: int | None,
    ) -> datetime.date | None:
        """An optional TOML date (not a datetime, not a string); None if absent or invalid."""
        value = raw.get(key)
        if value is None:
            return None
        if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
            self.issue(
                src.path,
                src.key_line(key, line, end) or line,
                f"{what} '{key}' must be a date like 2027-12-02 (no quotes)",
            )
            return None
        return value

    def load_references(self) -> dict[str, Reference]:
        """``references.toml`` (optional): named guidance with https links, by id."""
        path = self.root / REFERENCES_FILE
        if not path.exists():
            return {}
        tables = self.read_tables(path, "references")
        if tables is None:
            return {}
        raw_refs, src, starts = tables
        refs: dict[str, Reference] = {}
        for index, raw in enumerate(raw_refs or []):
            line = starts[index] if index < len(starts) else None
            end = src.block_end(line)
            raw_id = raw.get("id")
            what = f"reference '{raw_id}'" if isinstance(raw_id, str) else "reference"
            if isinstance(raw_id, str):
                self.declared_refs.add(raw_id)
            self.check_keys(raw, REFERENCE_KEYS, what, src, line, end)
            rid = self.get_str(raw, "id", what, src, line, end)
            if rid is not None and (not limits.SLUG_RE.match(rid) or rid in refs):
                self.issue(
                    path,
                    src.key_line("id", line, end) or line,
                    f"reference id '{rid}' must be a unique slug",
                )
                rid = None
            name = self.get_str(
                raw, "name", what, src, line, end, max_len=limits.REFERENCE_NAME_MAX
            )
            if name is not None and not name.strip():
                self.issue(
                    path, src.key_line("name", line, end) or line, f"{what} has an empty name"
                )
                name = None
            url = self.get_str(raw, "url", what, src, line, end, max_len=limits.REFERENCE_URL_MAX)
            if url is not None and not _URL_RE.match(url.strip()):
                self.issue(
                    path,
                    src.key_line("url", line, end) or line,
                    f"{what} 'url' must be a full https:// link without spaces, got {url!r}",
                )
                url = None
            if rid and name and url:
                refs[rid] = Reference(rid, " ".join(name.split()), url.strip())
        return refs

    # -- cross-file checks -------------------------------------------------
    def check_topics(
        self,
        topics: list[Topic],
        sources: dict[str, _Source],
        topic_lines: dict[str, int],
    ) -> None:
        by_command: dict[str, str] = {}
        by_order: dict[int, str] = {}
        for topic in topics:
            src = sources[topic.id]
            tline = topic_lines[topic.id]
            end = src.block_end(tline)
            if topic.command in self.bot_commands:
                self.issue(
                    src.path,
                    src.key_line("command", tline, end),
                    f"command '{topic.command}' is one of the bot's own commands "
                    f"(/{topic.command}); pick another name",
                )
            other = by_command.get(topic.command)
            if other is not None:
                self.issue(
                    src.path,
                    src.key_line("command", tline, end),
                    f"command '{topic.command}' is also used by topic '{other}'",
                )
            else:
                by_command[topic.command] = topic.id
            other = by_order.get(topic.order)
            if other is not None:
                self.issue(
                    src.path,
                    src.key_line("order", tline, end),
                    f"order {topic.order} is also used by topic '{other}'",
                )
            else:
                by_order[topic.order] = topic.id

    def check_entries(self, entries: list[Entry], disclaimer: str | None) -> None:
        by_id: dict[str, Entry] = {}
        for entry in entries:
            first = by_id.get(entry.id)
            if first is not None:
                self.issue(
                    entry.file,
                    entry.line,
                    f"duplicate entry id '{entry.id}' (first defined at "
                    f"{_display(first.file)}:{first.line})",
                )
            else:
                by_id[entry.id] = entry
        phrasing_owner: dict[str, Entry] = {}
        for entry in entries:
            src_lines = _Source(entry.file, entry.file.read_text(encoding="utf-8"))
            end = src_lines.block_end(entry.line)
            for q in entry.questions:
                key = collapse(q)
                owner = phrasing_owner.get(key)
                if owner is None:
                    phrasing_owner[key] = entry
                elif owner is not entry:
                    self.issue(
                        entry.file,
                        src_lines.value_line(q, entry.line, end),
                        f"duplicate phrasing {q!r} (also in entry '{owner.id}' at "
                        f"{_display(owner.file)}:{owner.line})",
                    )
            for target in entry.see_also:
                line = src_lines.key_line("see_also", entry.line, end) or entry.line
                if target == entry.id:
                    self.issue(entry.file, line, f"entry '{entry.id}' lists itself in see_also")
                elif (
                    target not in by_id
                    and target not in self.declared_ids
                    and not self.parse_failed
                ):
                    self.issue(
                        entry.file,
                        line,
                        f"entry '{entry.id}' see_also points to unknown entry '{target}'",
                    )
            if len(set(entry.see_also)) != len(entry.see_also):
                self.issue(
                    entry.file,
                    src_lines.key_line("see_also", entry.line, end) or entry.line,
                    f"entry '{entry.id}' repeats an id in see_also",
                )
            footer = len(disclaimer) if disclaimer else 0
            total = len(entry.title) + len(entry.answer) + footer
            if total >= limits.EMBED_TOTAL:
                self.issue(
                    entry.file,
                    entry.line,
                    f"entry '{entry.id}': title + answer + disclaimer is {total} "
                    f"characters (Discord embed limit {limits.EMBED_TOTAL})",
                )

    # -- triage ------------------------------------------------------------
    def compile_list(
        self,
        value: Any,
        key: str,
        what: str,
        src: _Source,
        line: int | None,
        end: int | None,
    ) -> tuple[re.Pattern[str], ...]:
        where = src.key_line(key, line, end) or line
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.issue(src.path, where, f"{what} '{key}' must be a list of regex strings")
            return ()
        out: list[re.Pattern[str]] = []
        for pattern in value:
            try:
                out.append(re.compile(pattern))
            except re.error as exc:
                self.issue(
                    src.path,
                    src.value_line(pattern, line, end) or where,
                    f"{what} '{key}': invalid regex {pattern!r}: {exc}",
                )
        return tuple(out)

    def load_scope(self) -> list[ScopeRule]:
        """``scope.toml`` (optional): subjects that share words with the FAQ but are outside it."""
        path = self.root / SCOPE_FILE
        if not path.exists():
            return []
        tables = self.read_tables(path, "outside")
        if tables is None:
            return []
        raw_rules, src, starts = tables
        if raw_rules is None:
            return []
        rules: list[ScopeRule] = []
        seen: set[str] = set()
        for index, raw in enumerate(raw_rules):
            line = starts[index] if index < len(starts) else None
            end = src.block_end(line)
            raw_id = raw.get("id")
            what = f"scope '{raw_id}'" if isinstance(raw_id, str) else "scope"
            self.check_keys(raw, SCOPE_KEYS, what, src, line, end)
            rid = self.get_str(raw, "id", what, src, line, end)
            if rid is not None and (not limits.SLUG_RE.match(rid) or rid in seen):
                self.issue(
                    path,
                    src.key_line("id", line, end) or line,
                    f"scope id '{rid}' must be a unique slug",
                )
            name = self.get_str(raw, "name", what, src, line, end, max_len=limits.EMBED_TITLE)
            reply = self.get_str(raw, "reply", what, src, line, end, max_len=limits.GUIDANCE_MAX)
            any_ = self.compile_list(raw.get("any", []), "any", what, src, line, end)
            unless = self.compile_list(raw.get("unless", []), "unless", what, src, line, end)
            if rid and name and reply and any_:
                seen.add(rid)
                rules.append(ScopeRule(rid, name, reply.strip(), any_, unless))
        return rules

    def read_tables(
        self, path: Path, name: str
    ) -> tuple[list[dict[str, Any]] | None, _Source, list[int]] | None:
        """A file made only of ``[[name]]`` tables: the tables (None if malformed, reported),
        the source and their start lines; None if the file cannot be read."""
        loaded = self.read(path)
        if loaded is None:
            return None
        data, src = loaded
        for key in data:
            if key != name:
                self.issue(
                    path,
                    src.header_line(key) or src.key_line(key, None),
                    f"unknown top-level key '{key}' (allowed: {name})",
                )
        tables = data.get(name, [])
        if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
            self.issue(path, None, f"'{name}' must be written as [[{name}]] tables")
            return None, src, []
        return tables, src, src.block_starts(name)

    def load_triage(self) -> tuple[list[TriageRule], _Source | None, list[int]]:
        path = self.root / TRIAGE_FILE
        tables = self.read_tables(path, "rules")
        if tables is None:
            return [], None, []
        raw_rules, src, starts = tables
        if raw_rules is None:
            return [], src, []
        if not raw_rules:
            self.issue(path, None, "no [[rules]] defined")
        rules: list[TriageRule] = []
        lines: list[int] = []
        for index, raw in enumerate(raw_rules):
            line = starts[index] if index < len(starts) else None
            end = src.block_end(line)
            raw_id = raw.get("id")
            what = f"rule '{raw_id}'" if isinstance(raw_id, str) else "rule"
            self.check_keys(raw, RULE_KEYS, what, src, line, end)
            rid = self.get_str(raw, "id", what, src, line, end)
            if rid is not None and not limits.SLUG_RE.match(rid):
                self.issue(path, src.key_line("id", line, end), f"rule id '{rid}' must be a slug")
            name = self.get_str(raw, "name", what, src, line, end, max_len=limits.EMBED_TITLE)
            severity = self.get_str(raw, "severity", what, src, line, end)
            if severity is not None and severity not in limits.TRIAGE_SEVERITIES:
                allowed = ", ".join(sorted(limits.TRIAGE_SEVERITIES))
                self.issue(
                    path,
                    src.key_line("severity", line, end),
                    f"{what} severity '{severity}' must be one of: {allowed}",
                )
            guidance = self.get_str(
                raw, "guidance", what, src, line, end, max_len=limits.GUIDANCE_MAX
            )
            related = self.get_str(raw, "related", what, src, line, end)
            any_ = self.compile_list(raw.get("any", []), "any", what, src, line, end)
            all_groups: list[tuple[re.Pattern[str], ...]] = []
            raw_all = raw.get("all", [])
            if not isinstance(raw_all, list) or not all(isinstance(g, list) for g in raw_all):
                self.issue(
                    path,
                    src.key_line("all", line, end) or line,
                    f"{what} 'all' must be a list of lists of regex strings",
                )
                raw_all = []
            for group in raw_all:
                if not group:
                    self.issue(
                        path,
                        src.key_line("all", line, end) or line,
                        f"{what} 'all' contains an empty group",
                    )
                    continue
                compiled = self.compile_list(group, "all", what, src, line, end)
                if len(compiled) == len(group):
                    all_groups.append(compiled)
            unless = self.compile_list(raw.get("unless", []), "unless", what, src, line, end)
            when = self.concept_groups(raw.get("when", []), what, src, line, end)
            on_questions = raw.get("on_questions", False)
            if not isinstance(on_questions, bool):
                self.issue(
                    path,
                    src.key_line("on_questions", line, end) or line,
                    f"{what} 'on_questions' must be true or false",
                )
                on_questions = False
            within = raw.get("within")
            if within is not None and (
                not isinstance(within, int) or isinstance(within, bool) or not 1 <= within <= 60
            ):
                self.issue(
                    path,
                    src.key_line("within", line, end) or line,
                    f"{what} 'within' must be a whole number of words from 1 to 60",
                )
                within = None
            if not raw.get("any") and not raw.get("all") and not raw.get("when"):
                self.issue(
                    path,
                    line,
                    f"{what} needs at least one 'any' regex, 'all' group or 'when' group",
                )
            if rid is None or name is None or severity is None or guidance is None:
                continue
            rules.append(
                TriageRule(
                    id=rid,
                    name=name.strip(),
                    severity=severity,
                    guidance=guidance.strip(),
                    related=related,
                    any=any_,
                    all=tuple(all_groups),
                    unless=unless,
                    when=when,
                    on_questions=on_questions,
                    within=within,
                )
            )
            lines.append(line or 1)
        return rules, src, lines

    def concept_groups(
        self, value: Any, what: str, src: _Source, line: int | None, end: int | None
    ) -> tuple[tuple[str, ...], ...]:
        """``when = [["fever", "stiff-neck"], ...]``: every name must be a known concept."""
        where = src.key_line("when", line, end) or line
        if not isinstance(value, list) or not all(
            isinstance(g, list) and g and all(isinstance(n, str) for n in g) for g in value
        ):
            self.issue(src.path, where, f"{what} 'when' must be a list of non-empty lists of names")
            return ()
        known = self.lexicon.concepts
        for group in value:
            for name in group:
                if name not in known:
                    self.issue(
                        src.path,
                        src.value_line(name, line, end) or where,
                        f"{what} 'when' names unknown concept '{name}' "
                        f"(define it in {CONCEPTS_FILE})",
                    )
        return tuple(tuple(g) for g in value)

    def load_lexicon(self) -> TriageLexicon:
        """``triage_concepts.toml`` (optional): concepts and negation / time / question words."""
        path = self.root / CONCEPTS_FILE
        if not path.exists():
            return TriageLexicon()
        loaded = self.read(path)
        if loaded is None:
            return TriageLexicon()
        data, src = loaded
        self.check_keys(data, CONCEPT_FILE_KEYS, CONCEPTS_FILE, src, None, None)
        concepts: dict[str, tuple[str, ...]] = {}
        raw_concepts = data.get("concepts", {})
        if not isinstance(raw_concepts, dict):
            self.issue(path, src.header_line("concepts"), "[concepts] must be a table")
            raw_concepts = {}
        for name, terms in raw_concepts.items():
            where = src.key_line(name, None, None)
            if not limits.SLUG_RE.match(name):
                self.issue(path, where, f"concept name '{name}' must be a lowercase slug")
            if (
                not isinstance(terms, list)
                or not terms
                or not all(isinstance(t, str) and t.strip() for t in terms)
            ):
                self.issue(path, where, f"concept '{name}' must be a non-empty list of terms")
                continue
            concepts[name] = tuple(collapse(t) for t in terms)

        def table(key: str) -> dict[str, Any]:
            value = data.get(key, {})
            if not isinstance(value, dict):
                self.issue(path, src.header_line(key), f"[{key}] must be a table")
                return {}
            return value

        def words(tab: dict[str, Any], key: str) -> frozenset[str]:
            value = tab.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                self.issue(path, src.key_line(key, None), f"'{key}' must be a list of words")
                return frozenset()
            return frozenset(collapse(v) for v in value)

        negation, time, questions = table("negation"), table("time"), table("questions")
        window = negation.get("window", 3)
        if not isinstance(window, int) or not 1 <= window <= 8:
            self.issue(path, src.key_line("window", None), "negation window must be 1 to 8")
            window = 3

        def regexes(tab: dict[str, Any], key: str) -> tuple[re.Pattern[str], ...]:
            return self.compile_list(tab.get(key, []), key, CONCEPTS_FILE, src, None, None)

        return TriageLexicon(
            concepts=MappingProxyType(concepts),
            negators=words(negation, "words"),
            negation_window=window,
            not_negating=words(negation, "not_negating"),
            unnegatable=words(negation, "unnegatable"),
            clause_breaks=words(negation, "clause_breaks"),
            present=regexes(time, "present"),
            resolved=regexes(time, "resolved"),
            distant=regexes(time, "distant"),
            history=regexes(time, "history"),
            question_frames=regexes(questions, "frames"),
            personal=regexes(questions, "personal"),
        )

    def load_examples(self, rules: list[TriageRule]) -> TriageExamples:
        """``triage_examples.toml`` (optional): example messages per rule, and decoys."""
        path = self.root / EXAMPLES_FILE
        if not path.exists():
            return TriageExamples()
        loaded = self.read(path)
        if loaded is None:
            return TriageExamples()
        data, src = loaded
        self.check_keys(data, EXAMPLES_FILE_KEYS, EXAMPLES_FILE, src, None, None)
        rule_ids = {r.id for r in rules}
        concepts = self.lexicon.concepts

        def texts(value: Any, what: str, line: int | None) -> tuple[str, ...]:
            if (
                not isinstance(value, list)
                or not value
                or not all(isinstance(t, str) and t.strip() for t in value)
            ):
                self.issue(path, line, f"{what} must be a non-empty list of messages")
                return ()
            for text in value:
                if len(text) > EXAMPLE_MAX:
                    self.issue(
                        path,
                        src.value_line(text[:40], None) or line,
                        f"{what}: a message over {EXAMPLE_MAX} characters",
                    )
            return tuple(collapse(t) for t in value)

        def names(value: Any, what: str, line: int | None) -> tuple[str, ...]:
            if not isinstance(value, list) or not all(isinstance(n, str) for n in value):
                self.issue(path, line, f"{what} must be a list of concept names")
                return ()
            for name in value:
                if name not in concepts:
                    self.issue(
                        path,
                        src.value_line(name, line) or line,
                        f"{what} names unknown concept '{name}' (define it in {CONCEPTS_FILE})",
                    )
            return tuple(value)

        examples: dict[str, tuple[str, ...]] = {}
        anchors: dict[str, tuple[str, ...]] = {}
        raw_rules = data.get("rules", {})
        if not isinstance(raw_rules, dict):
            self.issue(path, src.header_line("rules"), "[rules.<id>] must be tables")
            raw_rules = {}
        for rid, table in raw_rules.items():
            line = src.header_line(f"rules.{rid}")
            what = f"examples of rule '{rid}'"
            if rid not in rule_ids:
                self.issue(path, line, f"{what}: no such rule in {TRIAGE_FILE}")
                continue
            if not isinstance(table, dict):
                self.issue(path, line, f"{what} must be a table")
                continue
            self.check_keys(table, EXAMPLE_RULE_KEYS, what, src, line, src.block_end(line))
            examples[rid] = texts(table.get("examples"), what, line)
            if "anchors" in table:
                anchors[rid] = names(table["anchors"], f"anchors of rule '{rid}'", line)
        decoys: tuple[str, ...] = ()
        raw_decoys = data.get("decoys", {})
        if isinstance(raw_decoys, dict) and "examples" in raw_decoys:
            decoys = texts(raw_decoys["examples"], "[decoys] examples", src.header_line("decoys"))
        elif raw_decoys:
            self.issue(path, src.header_line("decoys"), "[decoys] needs an 'examples' list")
        semantic = data.get("semantic", {})
        generic: tuple[str, ...] = ()
        required: tuple[str, ...] = ()
        if isinstance(semantic, dict):
            self.check_keys(
                semantic,
                {"generic": False, "required": False},
                "[semantic]",
                src,
                src.header_line("semantic"),
                None,
            )
            generic = names(semantic.get("generic", []), "[semantic] generic", None)
            required = names(semantic.get("required", []), "[semantic] required", None)
        return TriageExamples(
            examples=MappingProxyType(examples),
            anchors=MappingProxyType(anchors),
            generic=frozenset(generic),
            required=frozenset(required),
            decoys=decoys,
        )

    def check_triage(
        self,
        rules: list[TriageRule],
        src: _Source | None,
        lines: list[int],
        entry_ids: set[str],
    ) -> None:
        if src is None:
            return
        seen: set[str] = set()
        for rule, line in zip(rules, lines, strict=True):
            end = src.block_end(line)
            if rule.id in seen:
                self.issue(src.path, line, f"duplicate rule id '{rule.id}'")
            seen.add(rule.id)
            if (
                rule.related is not None
                and rule.related not in entry_ids
                and rule.related not in self.declared_ids
                and not self.parse_failed
            ):
                self.issue(
                    src.path,
                    src.key_line("related", line, end) or line,
                    f"rule '{rule.id}' related points to unknown entry '{rule.related}'",
                )

    # -- synonyms and texts --------------------------------------------------
    def load_synonyms(self, entries: list[Entry]) -> dict[str, str]:
        path = self.root / SYNONYMS_FILE
        loaded = self.read(path)
        if loaded is None:
            return {}
        data, src = loaded
        for key in data:
            if key != "synonyms":
                self.issue(
                    path,
                    src.header_line(key) or src.key_line(key, None),
                    f"unknown top-level key '{key}' (allowed: synonyms)",
                )
        table = data.get("synonyms")
        if not isinstance(table, dict):
            self.issue(path, None, "missing [synonyms] table")
            return {}
        vocabulary: set[str] = set()
        for entry in entries:
            for text in (entry.title, entry.answer, *entry.questions):
                vocabulary.update(_TOKEN.findall(text.casefold()))
        out: dict[str, str] = {}
        original: dict[str, str] = {}
        for raw_key, value in table.items():
            line = src.find(f'"{raw_key}"') or src.find(raw_key)
            key = collapse(raw_key)
            if not key:
                self.issue(path, line, "empty synonym key")
                continue
            if not isinstance(value, str) or not value.strip():
                self.issue(path, line, f"synonym '{raw_key}' must map to a non-empty string")
                continue
            if key in out:
                self.issue(
                    path,
                    line,
                    f"synonym '{raw_key}' duplicates '{original[key]}' "
                    "(keys are compared lowercase)",
                )
                continue
            words = collapse(value)
            if entries and not self.parse_failed and not self.entries_incomplete:
                unknown = [w for w in words.split() if w not in vocabulary]
                if unknown:
                    self.issue(
                        path,
                        line,
                        f"synonym '{raw_key}' maps to word(s) not used in any entry: "
                        + ", ".join(unknown),
                    )
            out[key] = words
            original[key] = raw_key
        return out

    def load_texts(self) -> Texts | None:
        path = self.root / TEXTS_FILE
        loaded = self.read(path)
        if loaded is None:
            return None
        data, src = loaded
        spec = {**dict.fromkeys(TEXT_LIMITS, True), "source_names": False, "english_only": False}
        self.check_keys(data, spec, "texts.toml", src, None, None)
        values: dict[str, str] = {}
        for key, max_len in TEXT_LIMITS.items():
            value = self.get_str(data, key, "texts", src, None, None, max_len=max_len)
            if value is not None:
                values[key] = value.strip()
        names = self.load_source_names(data.get("source_names", {}), src)
        english_only = self.load_english_only(data.get("english_only", {}), src)
        if len(values) != len(TEXT_LIMITS):
            return None
        return Texts(
            **values,
            source_names=MappingProxyType(names),
            english_only=MappingProxyType(english_only),
        )

    def load_english_only(self, table: object, src: _Source) -> dict[str, str]:
        """``[english_only]``: language code -> the "FAQ is English only" notice."""
        if not isinstance(table, dict):
            self.issue(
                src.path, src.key_line("english_only", None, None), "english_only must be a table"
            )
            return {}
        texts: dict[str, str] = {}
        for key, value in table.items():
            if not re.fullmatch(r"[a-z]{2}", key):
                self.issue(
                    src.path,
                    src.key_line(key, None, None),
                    f"english_only.{key}: keys are two-letter language codes (en, es, de, ...)",
                )
                continue
            if not isinstance(value, str) or not value.strip() or len(value) > ENGLISH_ONLY_MAX:
                self.issue(
                    src.path,
                    src.key_line(key, None, None),
                    f"english_only.{key} must be a non-empty string of at most "
                    f"{ENGLISH_ONLY_MAX} characters",
                )
                continue
            texts[key] = value.strip()
        return texts

    def load_source_names(self, table: object, src: _Source) -> dict[str, str]:
        """``[source_names]``: seed file name -> the name members see under an answer."""
        if not isinstance(table, dict):
            self.issue(
                src.path, src.key_line("source_names", None, None), "source_names must be a table"
            )
            return {}
        names: dict[str, str] = {}
        for key, value in table.items():
            if (
                not isinstance(value, str)
                or not value.strip()
                or len(value) > limits.SOURCE_NAME_MAX
            ):
                self.issue(
                    src.path,
                    src.key_line(key, None, None),
                    f"source_names.{key} must be a non-empty string of at most "
                    f"{limits.SOURCE_NAME_MAX} characters",
                )
                continue
            names[key] = value.strip()
        return names

    # -- main --------------------------------------------------------------
    def load(self) -> Knowledge:
        if not self.root.is_dir():
            raise ContentError([ContentIssue(self.root, None, "content folder does not exist")])
        self.references = self.load_references()
        topics, entries, sources, topic_lines = self.load_topics()
        texts = self.load_texts()
        self.lexicon = self.load_lexicon()
        rules, triage_src, rule_lines = self.load_triage()
        examples = self.load_examples(rules)
        synonyms = self.load_synonyms(entries)
        scope = self.load_scope()
        self.check_topics(topics, sources, topic_lines)
        self.check_entries(entries, texts.disclaimer if texts else None)
        self.check_triage(rules, triage_src, rule_lines, {e.id for e in entries})
        if self.issues or texts is None:
            if not self.issues:  # pragma: no cover - defensive
                self.issue(self.root / TEXTS_FILE, None, "texts could not be loaded")
            raise ContentError(self.issues)
        topics.sort(key=lambda t: t.order)
        by_topic: dict[str, list[Entry]] = {}
        for entry in entries:
            by_topic.setdefault(entry.topic, []).append(entry)
        ordered: dict[str, Entry] = {}
        for topic in topics:
            for entry in by_topic.get(topic.id, []):
                ordered[entry.id] = entry
        return Knowledge(
            root=self.root,
            entries=MappingProxyType(ordered),
            topics=MappingProxyType({t.id: t for t in topics}),
            triage=tuple(rules),
            synonyms=MappingProxyType(dict(sorted(synonyms.items()))),
            texts=texts,
            scope=tuple(scope),
            lexicon=self.lexicon,
            triage_examples=examples,
            references=MappingProxyType(self.references),
        )


def load_content(path: Path, *, bot_commands: Collection[str] = ()) -> Knowledge:
    """Load the content folder at ``path``; raise ContentError listing all issues.

    ``bot_commands`` are slash command names the bot itself defines; a topic
    ``command`` equal to one is an issue (``check-content`` passes the names
    read from the bot's command tree, see ``bot.command_names``).
    """
    return _Loader(Path(path), frozenset(bot_commands)).load()
