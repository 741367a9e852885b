"""Cross-file checks (bot.content.checks): one mistake gives one issue, at its own line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.content import ContentError, ContentIssue, load_content

BASE = Path(__file__).resolve().parents[1] / "fixtures" / "content_broken" / "valid_base"


def broken(tmp_path: Path, rel: str, old: str, new: str) -> list[ContentIssue]:
    """The issues of a copy of the valid fixture with ``old`` replaced by ``new`` in ``rel``."""
    root = tmp_path / "content"
    shutil.copytree(BASE, root)
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ContentError) as info:
        load_content(root)
    return info.value.issues


def located(issues: list[ContentIssue]) -> list[tuple[str, int | None]]:
    return [(f"{i.file.parent.name}/{i.file.name}", i.line) for i in issues]


def test_a_second_rule_with_the_same_id_is_reported_at_its_header(tmp_path: Path) -> None:
    rule = (BASE / "triage.toml").read_text(encoding="utf-8")
    issues = broken(tmp_path, "triage.toml", rule, f"{rule}\n{rule}")
    assert located(issues) == [("content/triage.toml", 10)]
    assert issues[0].message == "duplicate rule id 'chest-pain'"


def test_two_topics_with_the_same_order(tmp_path: Path) -> None:
    issues = broken(tmp_path, "topics/extra.toml", "order = 2", "order = 1")
    assert located(issues) == [("topics/extra.toml", 6)]
    assert issues[0].message == "order 1 is also used by topic 'basics'"


def test_a_link_to_an_invalid_entry_is_not_reported_again(tmp_path: Path) -> None:
    # 'stretching' exists but has no title: the see_also pointing to it is fine.
    issues = broken(tmp_path, "topics/basics.toml", 'title = "Does stretching help?"\n', "")
    assert [i.message for i in issues] == ["entry 'stretching' is missing required key 'title'"]


def test_a_file_that_does_not_parse_holds_back_the_link_checks(tmp_path: Path) -> None:
    # Entries of extra.toml are unknown, so triage 'related = "heat"' is not reported.
    issues = broken(tmp_path, "topics/extra.toml", 'id = "heat"', 'id = "heat')
    assert located(issues) == [("topics/extra.toml", 10)]
    assert issues[0].message.startswith("TOML syntax error")
