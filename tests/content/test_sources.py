"""Cards show checkable sources within Discord's limits; urgent replies keep the disclaimer."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.config import SHIPPED_CONTENT
from bot.content import Knowledge, Reference, limits, load_content
from bot.engine import Engine, render_decision
from bot.engine.render import entry_card, guidance_links, topic_reply, urgent_content
from bot.ui.embeds import reply_content, reply_embeds

LINK = re.compile(r"^\[[^\[\]]+\]\(https://[^\s()]+\)$")


@pytest.fixture(scope="module")
def knowledge() -> Knowledge:
    return load_content(SHIPPED_CONTENT)


def test_every_answer_card_links_its_guidance(knowledge: Knowledge) -> None:
    for entry in knowledge.entries.values():
        card = entry_card(knowledge, entry)
        (name, value), *_ = card.fields
        assert name == "Sources"
        assert len(value) <= limits.EMBED_FIELD_VALUE
        for ref in entry.guidance:
            assert f"[{ref.name}]({ref.url})" in value, entry.id
        assert f"next review {entry.next_review}" in value


def test_every_topic_card_shows_sources(knowledge: Knowledge) -> None:
    for topic in knowledge.topics.values():
        (card,) = topic_reply(knowledge, topic).cards
        fields = dict(card.fields)
        assert "Sources" in fields, topic.id
        lines = fields["Sources"].splitlines()
        assert lines and all(LINK.match(line) for line in lines)
        (embed,) = reply_embeds(topic_reply(knowledge, topic))
        assert len(embed) <= limits.EMBED_TOTAL


_names = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=80)


@given(st.lists(st.tuples(_names, st.integers(0, 10**6)), max_size=40), st.integers(0, 1024))
def test_guidance_links_are_whole_and_fit(items: list[tuple[str, int]], limit: int) -> None:
    refs = [
        Reference(f"r{i}", name, f"https://example.org/{n}") for i, (name, n) in enumerate(items)
    ]
    text = guidance_links(refs, limit)
    assert len(text) <= limit
    for line in text.split("\n") if text else []:
        assert line.startswith("[") and "](https://example.org/" in line and line.endswith(")")


@pytest.mark.parametrize(
    "question",
    ["I have chest pain and my arm is cramping", "i want to kill myself", "my calf is swollen"],
)
def test_every_urgent_reply_carries_the_disclaimer(knowledge: Knowledge, question: str) -> None:
    decision = Engine(knowledge).ask(question)
    assert decision.outcome == "urgent"
    content = reply_content(render_decision(knowledge, decision))
    assert content is not None and knowledge.texts.disclaimer in content


def test_long_guidance_is_cut_before_the_disclaimer(knowledge: Knowledge) -> None:
    content = urgent_content(knowledge, "⚠️ " + "call now " * 400, "(note)")
    assert len(content) <= limits.MESSAGE_CONTENT
    assert content.endswith(knowledge.texts.disclaimer)
