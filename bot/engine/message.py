"""A whole member message in, one or more decisions out.

``Engine.ask`` answers one question. A message may be a story with one
question at its end, two questions, or not English at all. This layer sits on
top of the engine (it only calls ``Engine.ask``):

1. The whole message is decided first. Urgent warning signs, out-of-scope
   subjects and dose requests found anywhere in it win, as before.
2. A message in another language gets the English-only notice.
3. Otherwise the message is split into candidate questions (``segment``);
   each is asked on its own and the distinct confident answers are kept (at
   most ``MAX_ANSWERS``), the whole message's own answer first. When the whole
   message is unsure, a part's answer counts only if the whole ranks its entry
   first, and the whole's best entry is answered, at a lower bar, when its
   question sentence ranks it first too. Otherwise the whole message's decision
   stands. In a story with a sentence that asks, the statements are its context: a
   statement's answer counts only where the asking sentence leans, and a question
   joined with a clause must not pull the clause away from their entry.
4. A dose request is read per sentence: a medicine in one and "every night" in
   another is no request.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.content import Knowledge
from bot.engine.dosing import is_dose_request
from bot.engine.engine import Decision, Engine
from bot.engine.language import NAMES, detect
from bot.engine.render import (
    DESCRIPTION_MAX,
    FOOTER_MAX,
    TITLE_MAX,
    Card,
    Reply,
    entry_card,
    render_decision,
)
from bot.engine.segment import asks, clauses, is_question, segments, sentences
from bot.engine.text import clean, clip

#: When the whole message is not answered, its best candidate must be at least this
#: close for a part of it to be answered on its own.
SEGMENT_WHOLE_MIN = 0.3
#: When the whole message is not answered, a part's answer must be one of the whole
#: message's first this many candidates (or as many as the parts answered, for two
#: questions in one message).
WHOLE_AGREE = 1
#: A message of several sentences whose question sentence ranks the whole message's best
#: entry first too is answered with it from this confidence (see ``_agreed_answer``;
#: below it, a dev4 no-answer story at 0.41 would be answered).
AGREED_MIN = 0.45
#: A story's question joined with a clause may fall this far below the clause alone on
#: their entry and still count (see ``_dilutes``): on the dev sets the joins that answered
#: right lost at most 0.05, the ones that answered a question about something else 0.07+.
QUESTION_DILUTES = 0.06
#: A statement's answer still counts when a sentence that asks has its entry among its
#: own best this many candidates (at suggestion confidence).
ASK_LEANING = 2
#: How much of a message language detection reads.
LANGUAGE_SAMPLE_CHARS = 1000
#: Earlier clauses of a story tried with its question (the nearest ones).
MAX_STORY_CLAUSES = 6
#: Answers one reply may carry (each is an embed; Discord allows 10 per message).
MAX_ANSWERS = 2

ENGLISH_ONLY_FALLBACK = (
    "Sorry, I can only answer in English: the FAQ is written in English only. "
    "Please ask your question again in English."
)


@dataclass(frozen=True, slots=True)
class MessageDecision:
    """What to do with one message: its main decision, every answer, its language.

    ``decision`` is what a single-answer caller acts on (and what is logged): the
    whole message's own decision when it answered. ``answers`` holds every answer,
    in the order the questions appear in the message.
    ``language`` is set (an ISO code) when the message was not English.
    """

    decision: Decision
    answers: tuple[Decision, ...] = ()
    language: str | None = None
    #: Questions of an answered message that got no answer: the moderators' queue wants
    #: them even though the member got a reply.
    unanswered: tuple[Decision, ...] = ()

    @property
    def outcome(self) -> str:
        return "other_language" if self.language else self.decision.outcome

    @property
    def missed(self) -> bool:
        """Nothing was answered: the question belongs in the moderators' queue."""
        return self.decision.outcome == "no_answer" and not self.answers


def ask_message(
    engine: Engine,
    message: str,
    *,
    guild_id: str | None = None,
    max_answers: int = MAX_ANSWERS,
) -> MessageDecision:
    """Decide a whole message (see the module docstring for the order)."""
    whole = engine.ask(message, guild_id=guild_id)
    if whole.refusal == "dose" and not _dose_in_one_sentence(message, engine):
        whole = _unrefused(engine, whole)
    if whole.outcome == "urgent" or whole.refusal is not None:
        return MessageDecision(whole, (whole,) if whole.entry and whole.answered else ())
    # On the cleaned text: links, mentions and markdown are not words of any language.
    if (
        whole.answered
        and is_dose_request(engine.analyzer.corrected(whole.cleaned))
        and _dose_in_one_sentence(message, engine)
    ):
        # A dose request with typos ("how meny ... can i tak") is still a dose request.
        refusal = replace(whole, outcome="no_answer", entry=None, refusal="dose")
        return MessageDecision(refusal, ())
    detection = detect(clean(message, LANGUAGE_SAMPLE_CHARS).text)
    if not detection.english:
        return MessageDecision(whole, (), detection.lang)
    parts = segments(message)
    if len(parts) <= 1:
        if whole.answered:
            return MessageDecision(whole, (whole,))
        story = tuple(_story_answer(engine, message, whole, guild_id).values())
        return MessageDecision(story[0] if story else whole, story)
    found: dict[str, Decision] = {}
    # Entries found by a sentence that asks (a question or a request), not a statement.
    asked: set[str] = set()
    missed: list[Decision] = []
    previous: str | None = None
    alone: list[Decision] = []
    for part in parts:
        decision = engine.ask(part.text, guild_id=guild_id)
        alone.append(decision)
        if decision.outcome == "urgent" or decision.refusal is not None:
            # A part's warning sign or refusal that the whole did not show: be careful.
            return MessageDecision(whole, (whole,) if whole.answered else ())
        if previous is not None and (
            is_question(part.text) or (not decision.answered and refers_back(part.text))
        ):
            # A later question may take its subject from the one before ("what does a
            # back spasm feel like and how long does it usually last"): asked with it,
            # the entry it leads to wins when it is at least as confident.
            joined = _with_context(engine, previous, part.text, decision, whole, found, guild_id)
            if not decision.answered or joined.score >= decision.score:
                decision = joined
        if decision.answered and decision.entry is not None:
            found.setdefault(decision.entry.id, decision)
        elif is_question(part.text):
            missed.append(decision)
        if asks(part.text):
            # What the asking sentence answered, or leaned to on its own.
            leaning = [
                c.entry.id
                for c in alone[-1].candidates[:ASK_LEANING]
                if c.score >= engine.settings.suggestion_min_score
            ]
            asked.update(leaning)
            if decision.answered and decision.entry is not None:
                asked.add(decision.entry.id)
        previous = part.text
    if not whole.answered and found and _whole_best(whole) < SEGMENT_WHOLE_MIN:
        # Nothing in the whole message is near the FAQ: a part answered on its own
        # ("is there anything that helps with that") lost what it refers to.
        found = {}
        missed = []
    if not whole.answered and found:
        # The whole message was unsure; a part answered on its own is trusted only when
        # the whole message leans the same way (the part's entry is among its first few
        # candidates): a detail clause ("my leg cramps too") answered alone, against
        # the message's own topic, was wrong far more often than right on blind sets.
        agree = {c.entry.id for c in whole.candidates[: max(WHOLE_AGREE, len(found))]}
        found = {k: v for k, v in found.items() if k in agree}
        if any(asks(p.text) for p in parts):
            # A story's statement answered alone ("i keep cramping at the gym") says what
            # the member lives with, not what they ask: when a sentence of the message
            # asks, only what that sentence was answered with counts.
            found = {k: v for k, v in found.items() if k in asked}
    if not found and not whole.answered:
        found = _story_answer(engine, message, whole, guild_id)
    if not found and not whole.answered:
        asking = [d for part, d in zip(parts, alone, strict=True) if is_question(part.text)]
        found = _agreed_answer(whole, (asking or alone)[-1])
        if not found:
            # A request earlier in the story ("i want to know what red flags mean. any
            # guidance?") may carry the topic that the closing question only points at.
            for part, decision in zip(parts, alone, strict=True):
                if asks(part.text) and not found:
                    found = _agreed_answer(whole, decision)
        if found:
            missed = [
                d for d in missed if not d.candidates or d.candidates[0].entry.id not in found
            ]
    if whole.answered and whole.entry is not None:
        main = whole
        if whole.entry.id in found:
            # In the message's order, with the whole message's (fuller) decision.
            found[whole.entry.id] = whole
            answers = tuple(found.values())
        elif len(found) >= 2:
            asked_found = [v for k, v in found.items() if k in asked]
            if whole.entry.id in asked and len(asked_found) < 2:
                # One sentence asks, and leans to the whole message's entry: it stays first,
                # with the part answer that was asked (a story's statements set the scene).
                answers = (whole, *asked_found[:1])
            else:
                # Two questions the whole message blended into a third entry: answer both.
                answers = tuple(found.values())
                main = answers[0]
        else:
            answers = (whole, *found.values())
    else:
        answers = tuple(found.values())
        if not answers:
            return MessageDecision(whole, ())
        main = answers[0]
    answers = answers[:max_answers]
    return MessageDecision(main, answers, unanswered=tuple(missed) if answers else ())


#: Words by which a later question points back at an earlier one's subject
#: ("how long does a back spasm last? and what can i do to ease it").
BACK_REFERENCES = frozenset({"it", "its", "they", "them", "one", "that", "this", "those", "these"})


#: The context may settle a follow-up only on one of its own best few candidates.
CONTEXT_LEANING = 3


def refers_back(text: str) -> bool:
    """Whether ``text`` leans on an earlier sentence for its subject (a pronoun)."""
    words = "".join(ch if ch.isalnum() else " " for ch in text.lower()).split()
    return any(word in BACK_REFERENCES for word in words)


def _with_context(
    engine: Engine,
    previous: str,
    question: str,
    alone: Decision,
    whole: Decision,
    found: dict[str, Decision],
    guild_id: str | None,
) -> Decision:
    """A follow-up question asked with the sentence before it, which names its subject.

    The joined text ranks the earlier sentence's entry first, so entries already found
    are set aside; the best one left is kept when the follow-up alone leaned to it (one
    of its best ``CONTEXT_LEANING``) and the context makes it confident.
    """
    if not alone.candidates:
        return alone
    taken = set(found)
    joined = engine.ask(f"{previous} {question}", guild_id=guild_id)
    if joined.outcome == "urgent" or joined.refusal is not None:
        return alone
    left = [c for c in joined.candidates if c.entry.id not in taken]
    leaning = {c.entry.id for c in alone.candidates[:CONTEXT_LEANING]}
    if not left or left[0].entry.id not in leaning:
        return alone
    if not engine.confident(left):
        return alone
    best = left[0]
    return replace(alone, outcome="answer", entry=best.entry, score=round(best.score, 4))


def _agreed_answer(whole: Decision, question: Decision) -> dict[str, Decision]:
    """The whole message's best entry, when its question sentence alone ranks it first too.

    Two views of the message that agree (the whole story, and the sentence that asks)
    are stronger evidence than either alone, so the whole message's confidence need
    only reach ``AGREED_MIN`` instead of the engine's ``min_score``.
    """
    if not whole.candidates or not question.candidates:
        return {}
    best = whole.candidates[0]
    if best.score < AGREED_MIN or question.candidates[0].entry.id != best.entry.id:
        return {}
    return {best.entry.id: replace(whole, outcome="answer", entry=best.entry)}


def _dose_in_one_sentence(message: str, engine: Engine) -> bool:
    """Whether one sentence of the message (or the message, if it is one) asks for a dose.

    A dose request names its medicine and its amount or timing together ("can i take
    two tonight"); a story that says "every night" in one sentence and "my wife buys me
    tablets" in another asks for no dose.
    """
    # Whole sentences, not the segmenter's questions: "take the tablets too, and how much
    # of each?" asks its amount of the medicine named before the "and".
    parts = sentences(message)
    if len(parts) <= 1:
        return True
    for part in parts:
        text = clean(part, LANGUAGE_SAMPLE_CHARS).text
        if is_dose_request(text) or is_dose_request(engine.analyzer.corrected(text)):
            return True
    return False


def _unrefused(engine: Engine, whole: Decision) -> Decision:
    """The whole message decided as if it had not been taken for a dose request."""
    ranked = whole.candidates
    if ranked and engine.confident(ranked):
        return replace(whole, outcome="answer", entry=ranked[0].entry, refusal=None)
    return replace(whole, refusal=None)


def _whole_best(whole: Decision) -> float:
    return whole.candidates[0].score if whole.candidates else 0.0


def _story_answer(
    engine: Engine, message: str, whole: Decision, guild_id: str | None
) -> dict[str, Decision]:
    """A story whose question is its last clause ("..., why does that happen at night?").

    The question alone lacks its subject ("that"); the whole story dilutes it with
    incidental details. So the question clause is asked with each earlier clause in
    turn, and an answer is kept only when it is the entry the whole message already
    ranked first: the details made the bot unsure, they did not change the topic.
    """
    if _whole_best(whole) < SEGMENT_WHOLE_MIN:
        return {}
    expected = whole.candidates[0].entry.id
    found = clauses(message)
    if len(found) < 2 or not is_question(found[-1].text):
        return {}
    question = found[-1].text
    best: Decision | None = None
    context = ""
    for part in found[:-1][-MAX_STORY_CLAUSES:]:
        decision = engine.ask(f"{part.text} {question}", guild_id=guild_id)
        if (
            decision.answered
            and decision.entry is not None
            and decision.entry.id == expected
            and (best is None or decision.score > best.score)
        ):
            best, context = decision, part.text
    if best is None or _dilutes(engine, context, best, guild_id):
        return {}
    # Report the member's own words, not the joined text.
    return {expected: replace(best, question=message)}


def _dilutes(engine: Engine, context: str, joined: Decision, guild_id: str | None) -> bool:
    """Whether the question pulled its context clause away from the entry they answer.

    A question about the clause's topic ("my eyelid keeps flickering" + "why does this
    happen?") keeps or raises the clause's match; one about something else ("my foot
    cramps at night too" + "what cream clears it?", asking about athlete's foot) lowers
    it, and the answer came from the detail, not from what was asked. One engine call.
    """
    if joined.entry is None:
        return True
    alone = engine.ask(context, guild_id=guild_id)
    score = next((c.score for c in alone.candidates if c.entry.id == joined.entry.id), 0.0)
    return joined.score < score - QUESTION_DILUTES


def english_only_text(knowledge: Knowledge, lang: str) -> str:
    """The notice in English and, when curated, in the member's language."""
    texts = getattr(knowledge.texts, "english_only", {}) or {}
    english = texts.get("en", ENGLISH_ONLY_FALLBACK)
    local = texts.get(lang)
    return f"{english}\n\n{local}" if local and local != english else english


def render_message(knowledge: Knowledge, result: MessageDecision, *, limit: int = 500) -> Reply:
    """The reply for a whole message: one card per answer, or the English-only notice."""
    if result.language:
        card = Card(
            kind="no_answer",
            title=f"English only ({NAMES.get(result.language, result.language)} detected)",
            description=clip(english_only_text(knowledge, result.language), DESCRIPTION_MAX),
            footer=clip(knowledge.texts.disclaimer, FOOTER_MAX),
        )
        return Reply(None, (card,))
    if len(result.answers) <= 1:
        return render_decision(knowledge, result.decision, limit=limit)
    first = render_decision(knowledge, result.answers[0], limit=limit)
    cards = list(first.cards)
    shown = {c.entry_id for c in cards if c.entry_id}
    for decision in result.answers[1:]:
        if decision.entry is not None and decision.entry.id not in shown:
            cards.append(entry_card(knowledge, decision.entry))
            shown.add(decision.entry.id)
    if len(cards) > 1:
        # Numbered so that "Helpful (2)" clearly belongs to the second card.
        cards = [
            replace(card, title=clip(f"{n}. {card.title}", TITLE_MAX))
            for n, card in enumerate(cards, 1)
        ]
    return Reply(first.content, tuple(cards), first.suggestions, first.related, first.feedback)
