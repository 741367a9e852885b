"""Reply -> discord.Embed / discord.ui.View mapping, and Discord's limits."""

from __future__ import annotations

import dataclasses

import discord
import pytest

from bot.content import Knowledge
from bot.engine import Candidate, Engine
from bot.engine.render import (
    Card,
    Reply,
    entry_card,
    render_decision,
    tier_guidance,
    topic_reply,
)
from bot.ui import (
    asked_label,
    question_from,
    quote,
    reply_embeds,
    reply_payload,
    reply_view,
)
from bot.ui.components import FeedbackButton, RelatedSelect, SuggestionButton
from tests.e2e.harness import shipped_knowledge


@pytest.fixture(scope="module")
def knowledge() -> Knowledge:
    return shipped_knowledge()


def components(view: discord.ui.View) -> list[dict[str, object]]:
    return [c for row in view.to_components() for c in row["components"]]


def test_long_answer_is_clipped_to_every_limit(knowledge: Knowledge) -> None:
    entry = next(iter(knowledge.entries.values()))
    huge = dataclasses.replace(
        entry, title="T" * 400, answer="word " * 1000, sources=("s" * 300,) * 10
    )
    card = entry_card(knowledge, huge)
    long_card = dataclasses.replace(card, footer="f" * 3000, description="d" * 5000)
    reply = Reply("c" * 2500, (long_card, long_card), feedback=True)
    payload = reply_payload(reply, question="q" * 1000)
    assert payload.content is not None and len(payload.content) <= 2000
    assert sum(len(e) for e in payload.embeds) <= 6000
    for embed in payload.embeds:
        assert len(embed.title or "") <= 256
        assert len(embed.description or "") <= 4096
        assert len(embed.footer.text or "") <= 2048
        assert all(len(f.value or "") <= 1024 for f in embed.fields)
        assert len(embed.author.name or "") <= 256


def test_answer_card_maps_to_embed(knowledge: Knowledge) -> None:
    entry = next(e for e in knowledge.entries.values() if e.see_also)
    reply = Reply(None, (entry_card(knowledge, entry),), related=(entry,), feedback=True)
    [embed] = reply_embeds(reply, question="why?")
    assert embed.title == entry.title
    assert embed.footer.text == knowledge.texts.disclaimer
    assert [f.name for f in embed.fields] == ["Sources"]
    assert embed.colour == discord.Colour.green()
    assert question_from([embed]) == "why?"


def test_question_round_trips_through_the_embed_escaped_and_clipped() -> None:
    question = "@everyone @here <@123456789012345678> why " + "x" * 500
    label = asked_label(question)
    assert "@everyone" not in label and "@here" not in label
    assert len(label) <= 256
    embed = discord.Embed().set_author(name=label)
    recovered = question_from([embed])
    assert recovered is not None and recovered.startswith("@everyone @here <@123456789012345678>")
    assert len(recovered) <= 200


def test_quote_escapes_markdown_and_mentions() -> None:
    text = quote("**bold** @everyone <@&1234567890123456789> `code`", 100)
    assert "\\*\\*bold\\*\\*" in text and "@\u200beveryone" in text and "\\`code\\`" in text


def test_feedback_and_related_components(knowledge: Knowledge) -> None:
    entry = next(e for e in knowledge.entries.values() if e.see_also)
    related = tuple(knowledge.entries.values())[:30]
    reply = Reply(None, (entry_card(knowledge, entry),), related=related, feedback=True)
    view = reply_view(reply)
    assert view is not None
    items = components(view)
    labels = [c.get("label") for c in items if c["type"] == 2]
    assert labels == ["Helpful", "Not helpful"]
    [select] = [c for c in items if c["type"] == 3]
    assert select["custom_id"] == "faq:rel"
    options = select["options"]
    assert isinstance(options, list) and len(options) == 25
    assert all(len(o["label"]) <= 100 for o in options)
    assert all(len(str(c["custom_id"])) <= 100 for c in items)


def test_no_answer_offers_at_most_three_suggestion_buttons(knowledge: Knowledge) -> None:
    entries = tuple(knowledge.entries.values())
    long_entry = dataclasses.replace(entries[0], title="L" * 200)
    suggestions = tuple(Candidate(e, 0.3) for e in (long_entry, *entries[1:6]))
    card = Card("no_answer", "I don't have an answer for that yet", "nothing yet")
    view = reply_view(Reply(None, (card,), suggestions=suggestions))
    assert view is not None
    buttons = components(view)
    assert len(buttons) == 3
    assert all(str(b["custom_id"]).startswith("faq:sug:") for b in buttons)
    assert all(len(str(b["label"])) <= 80 for b in buttons)


def test_urgent_guidance_is_the_message_content(knowledge: Knowledge) -> None:
    engine = Engine(knowledge)
    decision = engine.ask("I have chest pain and my arm is cramping")
    assert decision.outcome == "urgent" and decision.triage is not None
    payload = reply_payload(render_decision(knowledge, decision), question="q")
    assert payload.content is not None
    assert payload.content.startswith(
        tier_guidance(decision.triage.guidance, decision.triage.severity)[:130]
    )


def test_topic_and_info_replies_carry_no_feedback(knowledge: Knowledge) -> None:
    topic = next(iter(knowledge.topics.values()))
    view = reply_view(topic_reply(knowledge, topic))
    ids = [c["custom_id"] for c in components(view)] if view else []
    assert not any(str(i).startswith("faq:fb:") for i in ids)
    [embed] = reply_embeds(topic_reply(knowledge, topic), question="ignored")
    assert embed.author.name is None


def test_custom_id_templates_match_what_the_items_emit() -> None:
    for item in (
        FeedbackButton("night-leg-cramps", True),
        FeedbackButton("a-b", False),
        SuggestionButton("night-leg-cramps", "x"),
        RelatedSelect(),
    ):
        custom_id = item.item.custom_id
        assert custom_id is not None
        assert item.__discord_ui_compiled_template__.fullmatch(custom_id)
        assert len(custom_id) <= 100


def test_an_answer_card_offers_its_see_also_entries_as_related(knowledge: Knowledge) -> None:
    """An answered question carries the entry's see-also as the Related select, in order."""
    engine = Engine(knowledge)
    answered = [
        (entry, decision)
        for entry in knowledge.entries.values()
        if entry.see_also
        for decision in [engine.ask(entry.questions[0])]
        if decision.outcome == "answer" and decision.entry is entry
    ]
    assert answered, "no entry with see_also answers its own first phrasing"
    for entry, decision in answered:
        reply = render_decision(knowledge, decision)
        expected = [i for i in entry.see_also if i in knowledge.entries]
        assert [e.id for e in reply.related] == expected
        view = reply_view(reply)
        assert view is not None
        [select] = [c for c in components(view) if c["type"] == 3]
        options = select["options"]
        assert isinstance(options, list)
        assert [o["value"] for o in options] == expected


def test_a_related_pick_shows_that_entrys_own_related(knowledge: Knowledge) -> None:
    from bot.exts.feedback import related_entries

    entry = next(e for e in knowledge.entries.values() if len(e.see_also) >= 2)
    assert [e.id for e in related_entries(knowledge, entry)] == list(entry.see_also)
