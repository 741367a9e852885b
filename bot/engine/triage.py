"""Triage: find the most severe warning sign a message describes, from concepts not strings.

Rules (``content/triage.toml``) combine *concepts* (``content/triage_concepts.toml``):
"fever" + "stiff-neck", "exertion" + "dark-urine". A concept is a list of words and
phrases, matched word by word on the stem (PyStemmer) with typo tolerance (rapidfuzz
Damerau-Levenshtein, as ``analysis.py`` does for retrieval), so "feaver", "swolen"
and "calfs" count. A mention does not count when it is negated ("no fever", "not
swollen or red", "without a rash") or sits in a sentence about a past, resolved event
("had a cramp last week, fine now"). Informational questions about a danger ("what
does a stroke feel like?") fire no rule unless the rule says ``on_questions``.

Regexes (``any`` / ``all``) remain an escape hatch; they see the message with its
past, resolved sentences removed. When several rules fire, the most severe tier
wins; ties go to the rule earlier in the file.

It runs on every message, so everything per-term is precomputed once, per-word work
is cached, and a message is scanned once whatever the number of rules.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

import Stemmer
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from bot.content import Knowledge, TriageLexicon, TriageRule
from bot.engine.analysis import common_words

_TOKEN = re.compile(r"\d+(?:[.,]\d+)?|[^\W_]+(?:'[^\W_]+)*|[.,;:!?()]")
#: Sentence ends; a point between digits ("39.5") is not one.
_SENTENCE_SPLIT = re.compile(r"(?:(?<!\d)[.!?;]|[.!?;](?!\d))+")
_CLAUSE_PUNCT = frozenset(".,;:!?()")
#: Clause ends for telling the distant past from now.
_CLAUSE_SPLIT = re.compile(r"(?:(?<!\d)[.!?;,]|[.!?;,](?!\d))+|\s(?:and|but|though|although)\s")
_NUMBER_WORDS = frozenset(
    "one two three four five six seven eight nine ten eleven twelve fifteen twenty thirty "
    "forty fifty hundred few several couple dozen half".split()
)
_DECIMAL = re.compile(r"\d+(?:[.,]\d+)?")
#: A term word matching any number ("# missing", "# tablets").
_ANY_NUMBER = "#"
#: A term word matching written digits only ("## weeks" is "30 weeks", not "a few weeks").
_DIGITS = "##"
#: A term word matching any one word ("urine _ dark": "urine is dark", "urine looks dark").
_ANY_WORD = "_"


@dataclass(frozen=True, slots=True)
class _Word:
    """One word of a concept term, as it is matched."""

    surface: str
    stem: str
    prefix: bool


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of the message and where its word tokens are."""

    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Analysis:
    """What triage saw in one message (for tests, debugging and curators)."""

    #: The message is about a past event that is over: only crisis rules may still fire.
    past: bool
    positions: dict[str, list[int]]
    negated: frozenset[str]
    informational: bool

    @property
    def concepts(self) -> frozenset[str]:
        return frozenset(self.positions)

    def has(self, group: tuple[str, ...], within: int | None) -> bool:
        """Every concept of ``group`` is present (all within ``within`` words of the first)."""
        if not all(name in self.positions for name in group):
            return False
        if within is None or len(group) < 2:
            return True
        first, *rest = group
        return any(
            all(any(abs(q - p) <= within for q in self.positions[name]) for name in rest)
            for p in self.positions[first]
        )


class Triage:
    """Every triage rule over one version of the content; ``match`` picks the winner."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.rules: tuple[TriageRule, ...] = knowledge.triage
        self.lexicon: TriageLexicon = knowledge.lexicon
        self._stemmer = Stemmer.Stemmer("english")
        self._stems: dict[str, str] = {}
        self._common = common_words()
        # term -> words; terms indexed by the stem (or prefix) of their first word.
        self._terms: list[tuple[str, tuple[_Word, ...]]] = []
        by_stem: dict[str, list[int]] = defaultdict(list)
        prefix_index: dict[str, list[int]] = defaultdict(list)
        self._number_terms: list[int] = []
        surfaces: set[str] = set()
        for concept, terms in self.lexicon.concepts.items():
            for term in terms:
                words = tuple(self._word(w) for w in term.replace("-", " ").split())
                index = len(self._terms)
                self._terms.append((concept, words))
                first = words[0]
                if first.surface in (_ANY_NUMBER, _DIGITS):
                    self._number_terms.append(index)
                elif first.prefix:
                    prefix_index[first.surface].append(index)
                else:
                    by_stem[first.stem].append(index)
                for word in words:
                    if word.surface.isalpha() and len(word.surface) >= 5:
                        surfaces.add(word.surface)
        self._by_stem = dict(by_stem)
        # Prefix terms by prefix; a word is looked up once per distinct prefix length.
        self._prefix_index = dict(prefix_index)
        self._prefix_lengths = sorted({len(p) for p in prefix_index})
        self._vocabulary = tuple(sorted(surfaces))
        # Short concept words by (first letter, last letter, length): "hed" is "head".
        short: dict[tuple[str, str, int], list[str]] = defaultdict(list)
        for _, words in self._terms:
            for word in words:
                w = word.surface
                if w.isalpha() and 4 <= len(w) <= 5 and w not in short[(w[0], w[-1], len(w))]:
                    short[(w[0], w[-1], len(w))].append(w)
        self._short = dict(short)
        self._known_stems = frozenset(
            w.stem for _, words in self._terms for w in words if not w.prefix
        )
        # A rule's key concepts: a regex hit does not count when one of them is negated
        # ("never swollen, never red" vetoes the clot regexes).
        spec = knowledge.triage_examples
        self._keys: dict[str, frozenset[str]] = {}
        for rule in self.rules:
            used = {name for group in rule.when for name in group}
            used.update(spec.anchors.get(rule.id, ()))
            self._keys[rule.id] = frozenset(used - spec.generic)
        self._corrected = lru_cache(maxsize=8192)(self._correct)
        # Members repeat themselves; the verdict is pure given the content, so it is cached.
        self._match = lru_cache(maxsize=4096)(self._match_uncached)
        # The concept rules and the semantic layer read the same message and sentences.
        self._analysis = lru_cache(maxsize=4096)(self._analyse)

    # -- words ---------------------------------------------------------------------------------

    def _stem(self, word: str) -> str:
        stem = self._stems.get(word)
        if stem is None:
            stem = self._stems[word] = str(self._stemmer.stemWord(word))
        return stem

    def _word(self, raw: str) -> _Word:
        raw = raw.replace("'", "")
        if raw.endswith("*") and len(raw) > 1:
            return _Word(raw[:-1], raw[:-1], True)
        return _Word(
            raw, raw if raw in (_ANY_NUMBER, _DIGITS, _ANY_WORD) else self._stem(raw), False
        )

    def _correct(self, token: str) -> str:
        """The stem a message word counts as: its own, or a concept word it misspells.

        Real English words are never "corrected" ("fewer" is not "fever"), and short
        words are left alone: only a likely typo of a long concept word is rescued.
        """
        stem = self._stem(token)
        if stem in self._known_stems or not token.isalpha() or token in self._common:
            return stem
        if len(token) in (3, 4):
            match = self._dropped_letter(token)
            return stem if match is None else self._stem(match)
        if len(token) < 5 or not self._vocabulary:
            return stem
        match = self._nearest(token)
        if match is None and token.endswith("in"):
            # A dropped final g ("shakin", "swelin") is spelling, not a different word.
            match = self._nearest(token + "g")
        return stem if match is None else self._stem(match)

    def _dropped_letter(self, token: str) -> str | None:
        """The one short concept word ``token`` is with one inner letter dropped ("hed",
        "bak", "nek"): same first and last letter, so "bed" never becomes "head"."""
        candidates = self._short.get((token[0], token[-1], len(token) + 1), ())
        found = [w for w in candidates if DamerauLevenshtein.distance(token, w) == 1]
        return found[0] if len(found) == 1 else None

    def _nearest(self, token: str) -> str | None:
        """The concept word ``token`` most likely misspells, sharing its first letter."""
        limit = 1 if len(token) < 8 else 2
        match = process.extractOne(
            token, self._vocabulary, scorer=DamerauLevenshtein.distance, score_cutoff=limit
        )
        if match is None or match[0][0] != token[0]:
            return None
        return str(match[0])

    @staticmethod
    def _is_number(token: str) -> bool:
        """Digits, a decimal ("potassium came back 2.9", "39.5") or a number word."""
        return _DECIMAL.fullmatch(token) is not None or token in _NUMBER_WORDS

    def _word_matches(self, word: _Word, token: str, stem: str) -> bool:
        if word.surface == _ANY_WORD:
            return bool(stem)
        if word.surface == _DIGITS:
            return token.isdigit()
        if word.surface == _ANY_NUMBER:
            return self._is_number(token)
        if word.prefix:
            return token.startswith(word.surface) or stem.startswith(word.surface)
        return stem == word.stem or token == word.surface

    # -- sentences -----------------------------------------------------------------------------

    def _split(self, cleaned: str) -> tuple[list[str], list[Sentence]]:
        """Tokens of the whole message (sentences joined by ".") and its sentences."""
        tokens: list[str] = []
        sentences: list[Sentence] = []
        for part in _SENTENCE_SPLIT.split(cleaned):
            words = [t.replace("'", "") for t in _TOKEN.findall(part)]
            if not words:
                continue
            if tokens:
                tokens.append(".")
            start = len(tokens)
            tokens.extend(words)
            sentences.append(Sentence(part.strip(), start, len(tokens)))
        return tokens, sentences

    def resolved(self, cleaned: str) -> bool:
        """The message reports a past event that is over ("had a cramp last week, fine now").

        Only a ``resolved`` phrase makes it so, and only when nothing else in the message
        is happening now: "it went away but now it's back" and "stepped on a nail last
        week, now my jaw won't open" are live.
        """
        lex = self.lexicon
        if not any(p.search(cleaned) for p in lex.resolved):
            return False
        rest = cleaned
        for pattern in lex.resolved:
            rest = pattern.sub(" ", rest)
        return not any(p.search(rest) for p in lex.present)

    def literal(self, cleaned: str) -> str:
        """``cleaned`` with its figurative uses of symptom words blanked out: "hay fever"
        is no fever, "all this stress has me wound up" no wound."""
        for pattern in self.lexicon.figurative:
            cleaned = pattern.sub(" ", cleaned)
        return cleaned

    def current(self, cleaned: str) -> str:
        """``cleaned`` without its clauses set in the distant past ("my son had a febrile
        convulsion two years ago and has been fine since" keeps "has been fine since")."""
        lex = self.lexicon
        cleaned = self.literal(cleaned)
        if not lex.distant or not any(p.search(cleaned) for p in lex.distant):
            return cleaned
        kept = [
            clause
            for clause in _CLAUSE_SPLIT.split(cleaned)
            if not any(p.search(clause) for p in lex.distant)
            or any(p.search(clause) for p in (*lex.present, *lex.history))
        ]
        return ". ".join(c.strip() for c in kept if c.strip())

    def informational(self, cleaned: str) -> bool:
        """A question about a danger in general, with nobody's symptoms in it, or one that
        prepares for a time to come ("having my thyroid op in 3 weeks, what should i look
        out for?") with nothing happening now."""
        lex = self.lexicon
        if any(p.search(cleaned) for p in lex.question_frames) and not any(
            p.search(cleaned) for p in lex.personal
        ):
            return True
        return (
            any(p.search(cleaned) for p in lex.ahead)
            and any(p.search(cleaned) for p in lex.future)
            and not any(p.search(cleaned) for p in lex.present)
        )

    # -- concepts ------------------------------------------------------------------------------

    def _negated(self, tokens: list[str], start: int) -> bool:
        """A negator shortly before ``start``, in the same clause ("not swollen or red")."""
        lex = self.lexicon
        for i in range(start - 1, max(start - 1 - lex.negation_window, -1), -1):
            token = tokens[i]
            if token in _CLAUSE_PUNCT or token in lex.clause_breaks:
                return False
            if token in lex.negators:
                following = tokens[i + 1] if i + 1 < len(tokens) else ""
                return following not in lex.not_negating
        return False

    def _concepts(self, tokens: list[str]) -> tuple[dict[str, list[int]], set[str]]:
        """Where each concept is mentioned (token positions), and concepts only negated."""
        stems = [self._corrected(t) if t not in _CLAUSE_PUNCT else "" for t in tokens]
        live: dict[str, list[int]] = defaultdict(list)
        dead: set[str] = set()
        for i, token in enumerate(tokens):
            if not stems[i]:
                continue
            candidates = list(self._by_stem.get(stems[i], ()))
            if token in self._by_stem and token != stems[i]:
                candidates.extend(self._by_stem[token])
            for size in self._prefix_lengths:
                if size > len(token) and size > len(stems[i]):
                    break
                heads = {token[:size], stems[i][:size]}
                for head in heads:
                    candidates.extend(self._prefix_index.get(head, ()))
            if self._is_number(token):
                candidates.extend(self._number_terms)
            for index in candidates:
                concept, words = self._terms[index]
                if i + len(words) > len(tokens):
                    continue
                if all(
                    self._word_matches(w, tokens[i + k], stems[i + k]) for k, w in enumerate(words)
                ):
                    if concept not in self.lexicon.unnegatable and self._negated(tokens, i):
                        dead.add(concept)
                    else:
                        live[concept].append(i)
        return live, dead

    # -- public --------------------------------------------------------------------------------

    def analyse(self, cleaned: str) -> Analysis:
        """What the concept layer sees in ``cleaned`` (cached: its callers share it)."""
        return self._analysis(cleaned)

    def _analyse(self, cleaned: str) -> Analysis:
        cleaned = self.literal(cleaned)
        tokens, _ = self._split(cleaned)
        live, dead = self._concepts(tokens)
        return Analysis(
            past=self.resolved(cleaned),
            positions=dict(live),
            negated=frozenset(dead - live.keys()),
            informational=self.informational(cleaned),
        )

    def fired(self, cleaned: str) -> list[TriageRule]:
        """Every rule the cleaned message triggers, in file order."""
        if not cleaned or not self.rules:
            return []
        cleaned = self.literal(cleaned)
        whole = self.analyse(cleaned)
        now = self.current(cleaned)
        present = whole if now == cleaned else self.analyse(now)
        out: list[TriageRule] = []
        for rule in self.rules:
            if (whole.informational or whole.past) and not rule.on_questions:
                continue
            # Crisis rules read the whole message; the others only what happens now.
            seen, text = (whole, cleaned) if rule.on_questions else (present, now)
            hit = any(seen.has(group, rule.within) for group in rule.when) or (
                rule.pattern_hit(text) and seen.negated.isdisjoint(self._keys[rule.id])
            )
            if hit and not rule.vetoed(cleaned):
                out.append(rule)
        return out

    def clear_cache(self) -> None:
        """Forget cached verdicts and analyses (the typo cache, like the retrieval one, is
        kept)."""
        self._match.cache_clear()
        self._analysis.cache_clear()

    def match(self, cleaned: str) -> TriageRule | None:
        """The most severe rule that fires (ties: file order), or None."""
        return self._match(cleaned)

    def _match_uncached(self, cleaned: str) -> TriageRule | None:
        fired = self.fired(cleaned)
        return min(fired, key=lambda r: r.rank) if fired else None
