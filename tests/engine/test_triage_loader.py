"""The loader checks the concept format: unknown concept names, bad 'within', bad tiers."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.content import ContentError, load_content
from bot.engine.triage import Triage

BASE = Path(__file__).resolve().parents[1] / "fixtures" / "content_broken" / "valid_base"

CONCEPTS = """
[negation]
words = ["no", "not"]

[concepts]
fever = ["fever*", "high temperature"]
stiff-neck = ["stiff neck", "neck _ stiff"]
"""


def make(tmp_path: Path, rule_tail: str, concepts: str = CONCEPTS) -> Path:
    root = tmp_path / "content"
    shutil.copytree(BASE, root)
    (root / "triage_concepts.toml").write_text(concepts, encoding="utf-8")
    text = (root / "triage.toml").read_text(encoding="utf-8")
    (root / "triage.toml").write_text(text + rule_tail, encoding="utf-8")
    return root


RULE = '''
[[rules]]
id = "meningitis"
name = "Fever with a stiff neck"
severity = "{severity}"
guidance = """Call your emergency number now."""
when = [{when}]
{extra}
'''


def test_concept_rule_loads_and_matches(tmp_path: Path) -> None:
    root = make(
        tmp_path, RULE.format(severity="emergency", when='["fever", "stiff-neck"]', extra="")
    )
    triage = Triage(load_content(root))
    rule = triage.match("feverish and my neck is stiff")
    assert rule is not None and rule.id == "meningitis"
    assert triage.match("no fever, my neck is stiff") is None


def test_unknown_concept_is_reported_with_its_line(tmp_path: Path) -> None:
    root = make(
        tmp_path, RULE.format(severity="emergency", when='["fever", "stif-neck"]', extra="")
    )
    with pytest.raises(ContentError) as info:
        load_content(root)
    [issue] = info.value.issues
    assert "unknown concept 'stif-neck'" in issue.message
    lines = (root / "triage.toml").read_text(encoding="utf-8").splitlines()
    assert issue.line is not None and "stif-neck" in lines[issue.line - 1]


@pytest.mark.parametrize("severity", ["urgent", "panic", "Emergency"])
def test_only_the_three_tiers_are_accepted(tmp_path: Path, severity: str) -> None:
    root = make(tmp_path, RULE.format(severity=severity, when='["fever"]', extra=""))
    with pytest.raises(ContentError) as info:
        load_content(root)
    [issue] = info.value.issues
    assert f"severity '{severity}' must be one of: crisis, emergency, same-day" in issue.message
    assert issue.line is not None


def test_within_must_be_a_small_whole_number(tmp_path: Path) -> None:
    root = make(tmp_path, RULE.format(severity="emergency", when='["fever"]', extra="within = 0"))
    with pytest.raises(ContentError) as info:
        load_content(root)
    assert "'within' must be a whole number" in str(info.value)
