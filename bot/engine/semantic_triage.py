"""Semantic triage: a warning sign recognised by its meaning when its words are new.

The concept rules (``triage.py``) know the words clinicians listed; members find others
("nobody would notice if i went to sleep for good"). Here a message, and each sentence
of it, is compared as a sentence embedding with example messages per rule
(``content/triage_examples.toml``). A rule fires when, for one of them:

- its best example is at least ``THRESHOLD`` close (cosine), and
- clearly closer (``MARGIN``) than the nearest decoy or FAQ question, so an ordinary
  question that resembles a warning sign ("how do I tell a clot from a cramp") goes to
  its FAQ answer, and
- the concept layer's vetoes allow it: no informational question or past, resolved
  event (unless the rule fires on questions, as crisis does), no ``unless`` regex, no
  negated key concept in that sentence ("no fever"), and an *anchor* concept present
  (the rule's own symptoms, not merely who or which medicine) unless the meaning is
  ``STRONG`` or clear of every decoy and FAQ question by ``FREE_MARGIN``; the
  circumstances one of the rule's concept groups names (pregnancy, a child, which
  medicine, the heat) must always be said in words.

The vectors are the ones the retriever computes for the same texts (``Engine`` caches
them), so triage adds no model pass for the whole message. Without the model, the concept
layer triages alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from bot.content import Knowledge, TriageRule
from bot.engine.semantic import Encoder
from bot.engine.triage import Analysis, Triage

Vector = npt.NDArray[np.float32]


class SemanticTriage:
    """Example and decoy vectors for every rule that has examples; ``match`` decides."""

    #: A message (or sentence) must be this close to one of a rule's examples...
    THRESHOLD = 0.4
    #: ...and this much closer to it than to any decoy or FAQ question (crisis: decoy)...
    MARGIN = 0.0
    #: ...and mention an anchor concept, or be this close (near-verbatim)...
    STRONG = 0.8
    #: ...or this much closer to it than to every decoy and FAQ question.
    FREE_MARGIN = 0.3

    def __init__(
        self,
        knowledge: Knowledge,
        encoder: Encoder,
        triage: Triage,
        faq_vectors: npt.NDArray[np.float32] | None = None,
    ) -> None:
        spec = knowledge.triage_examples
        self.triage = triage
        self.rules: tuple[TriageRule, ...] = tuple(
            r for r in knowledge.triage if spec.examples.get(r.id)
        )
        texts: list[str] = []
        owner: list[int] = []
        for index, rule in enumerate(self.rules):
            for text in spec.examples[rule.id]:
                texts.append(text)
                owner.append(index)
        self._owner = np.array(owner, dtype=np.int64)
        self._examples = encoder.embed_cached(texts)
        empty = np.zeros((0, encoder.dim), dtype=np.float32)
        self._decoys = encoder.embed_cached(list(spec.decoys)) if spec.decoys else empty
        self._faq = faq_vectors if faq_vectors is not None else empty
        self._anchors: list[frozenset[str]] = []
        self._keys: list[frozenset[str]] = []
        self._required: list[tuple[frozenset[str], ...]] = []
        for rule in self.rules:
            used = frozenset(name for group in rule.when for name in group)
            # The circumstances a concept group names (pregnancy, a child, the medicine, the
            # heat) must be said in words, for at least one group: meaning may fill in how
            # a symptom is put, not them.
            self._required.append(tuple(frozenset(g) & spec.required for g in rule.when))
            explicit = spec.anchors.get(rule.id)
            anchors = frozenset(explicit) if explicit is not None else used - spec.generic
            self._anchors.append(anchors)
            self._keys.append((used | anchors) - spec.generic)

    def scores(self, vector: Vector) -> tuple[npt.NDArray[np.float64], float, float]:
        """Each rule's best example cosine, the best decoy cosine and the best FAQ one."""
        sims = (self._examples @ vector).astype(np.float64)
        per = np.full(len(self.rules), -1.0)
        np.maximum.at(per, self._owner, sims)
        decoy = float((self._decoys @ vector).max()) if len(self._decoys) else -1.0
        faq = float((self._faq @ vector).max()) if len(self._faq) else -1.0
        return per, decoy, faq

    def _other(self, rule: TriageRule, decoy: float, faq: float) -> float:
        """What the message must be clearly closer to the rule than: decoys and FAQ
        questions; for crisis, decoys only (a crisis message names the member's medicine
        and cramps, so it always resembles some FAQ question; its intent is what counts)."""
        return decoy if rule.rank == 0 else max(decoy, faq)

    def _allowed(
        self,
        index: int,
        score: float,
        margins: tuple[float, float],
        cleaned: str,
        whole: Analysis,
        part: Analysis,
    ) -> bool:
        """The concept layer's vetoes, then an anchor concept or a meaning clear enough
        alone. ``margins`` are the score's lead over the rule's own comparison set and over
        decoys and FAQ questions together; ``whole`` and ``part`` are what the concept layer
        saw in the message and in this sentence (for non-crisis rules, without their
        distant-past clauses)."""
        rule = self.rules[index]
        asked = whole.informational or whole.past or part.informational
        if asked and not rule.on_questions:
            return False
        if rule.vetoed(cleaned) or not part.negated.isdisjoint(self._keys[index]):
            return False
        own, overall = margins
        if own < self.MARGIN:
            return False
        # Who and which medicine may be said anywhere in the message ("my son is 3. he is
        # shaking all over"); the anchor symptom must be in the sentence that means it.
        said = whole.concepts | part.concepts
        if self._required[index] and not any(need <= said for need in self._required[index]):
            return False
        return (
            score >= self.STRONG
            or overall >= self.FREE_MARGIN
            or not part.concepts.isdisjoint(self._anchors[index])
        )

    def match(
        self, cleaned: str, parts: Sequence[str], vector_of: Callable[[str], Vector]
    ) -> TriageRule | None:
        """The most severe rule the message or one of its ``parts`` means, or None.

        ``cleaned`` is the whole cleaned message, ``parts`` its cleaned sentences
        (possibly empty), ``vector_of`` the engine's cached encoder.
        """
        if not self.rules or not cleaned:
            return None
        whole = self.triage.analyse(cleaned)
        now = self.triage.current(cleaned)
        whole_now = whole if now == cleaned else self.triage.analyse(now)
        best: TriageRule | None = None
        for text in dict.fromkeys([cleaned, *parts]):
            if not text:
                continue
            per, decoy, faq = self.scores(vector_of(text))
            now_part = text if text == cleaned else self.triage.current(text)
            # A sentence that only tells history ("after a crash two years ago") means
            # nothing happening now: only crisis rules still read it.
            history = not now_part.strip()
            part = whole_now if text == cleaned else self.triage.analyse(now_part)
            for index in np.argsort(-per).tolist():
                score = float(per[index])
                if score < self.THRESHOLD:
                    break
                margins = (
                    score - self._other(self.rules[index], decoy, faq),
                    score - max(decoy, faq),
                )
                crisis = self.rules[index].on_questions
                if history and not crisis:
                    continue
                seen = (whole, self.triage.analyse(text)) if crisis else (whole_now, part)
                if self._allowed(index, score, margins, cleaned, *seen):
                    rule = self.rules[index]
                    if best is None or rule.rank < best.rank:
                        best = rule
                    break
        return best
