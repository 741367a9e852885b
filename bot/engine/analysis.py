"""Tokenise, expand lay terms, correct typos and stem: text to index terms.

One ``Analyzer`` is shared by the index and the queries, so a phrasing and a
question that mean the same thing end up as the same stems. The query side
keeps words grouped as *concepts* (a word plus the canonical words its lay term
expands to), which the decision step uses to measure how much of a question
the best entry really covers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import Stemmer
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_APOSTROPHE = re.compile(r"(?<=[^\W_])'(?=[^\W_])")

# Function words and chat filler that carry no topic. Question words that do
# carry intent ("how long", "when", "why") are deliberately kept.
STOP_WORDS = frozenset(
    """
    a about above after again against all am an and any are aren as at be because been
    before being below between both but by can could couldn did didn do does doesn doing don
    down during each few for from further had hadn has hasn have haven having he her here
    hers herself him himself his i if in into is isn it its itself just me mightn more most
    mustn my myself needn no nor not of off on once only or other our ours ourselves out
    over own same shan she should shouldn so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was wasn
    we were weren what which while who whom will with won would wouldn you your yours
    yourself yourselves s t ll re ve d m o y ain im ive id youre hey hi hello pls please plz
    thanks thank thx ty lol lmao omg ok okay yeah yes um uh hmm bot guys anyone anybody
    someone somebody kinda sorta really like just also still got get gets getting anyone's
    know tell me u ur r dont cant wont isnt doesnt whats hows thing things stuff something
    bit lot lots way
    rn btw btwn bc cuz coz abt smth ppl idk tbh rly wanna gonna gotta wat wut ya yall dunno
    pls plz lemme gimme kinda sorta ok okay lol lmao omg haha hahaha ty thx tho
    """.split()
)


COMMON_WORDS_FILE = Path(__file__).with_name("data") / "common_words.txt"


@cache
def common_words() -> dict[str, float]:
    """Everyday English words and their Zipf frequency (3.5 and up)."""
    out: dict[str, float] = {}
    for line in COMMON_WORDS_FILE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            word, _, zipf = line.partition(" ")
            out[word] = int(zipf) / 10
    return out


def specificity(word: str) -> float:
    """How much a word says about a topic: 1.0 for rare words, down to 0.1 for everyday ones."""
    zipf = common_words().get(word)
    if zipf is None:
        return 1.0
    return min(1.0, max(0.1, (6.0 - zipf) / 2.5))


_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_KEY_POS = {c: (r, i) for r, row in enumerate(_KEYBOARD_ROWS) for i, c in enumerate(row)}
_VOWELS = frozenset("aeiouy")
#: The most a three- or four-letter word's one edit may cost to be corrected.
SHORT_EDIT_MAX = 0.7


def _zipf(word: str) -> float:
    return common_words().get(word, 0.0)


def _consonants(word: str) -> str:
    return "".join(c for c in word if c not in _VOWELS)


def _adjacent_keys(a: str, b: str) -> bool:
    pa, pb = _KEY_POS.get(a), _KEY_POS.get(b)
    return pa is not None and pb is not None and abs(pa[0] - pb[0]) <= 1 and abs(pa[1] - pb[1]) <= 1


def edit_cost(typed: str, word: str) -> float:
    """How likely a slip turns ``word`` into ``typed``: lower is likelier.

    A swapped pair (0.5), a missing vowel (0.6), a doubled or missing letter (0.7),
    a neighbouring key (0.7), anything else, or any change of the first letter,
    1.0 per edit.
    """
    if typed == word:
        return 0.0
    if typed[:1] != word[:1]:
        # People rarely get the first letter wrong; "ibs" is not a slip for "ribs".
        return float(max(DamerauLevenshtein.distance(typed, word), 1))
    n, m = len(typed), len(word)
    if n == m:
        diff = [i for i in range(n) if typed[i] != word[i]]
        if len(diff) == 2 and diff[1] == diff[0] + 1:
            i = diff[0]
            if typed[i] == word[i + 1] and typed[i + 1] == word[i]:
                return 0.5
        if len(diff) == 1:
            i = diff[0]
            return 0.7 if _adjacent_keys(typed[i], word[i]) else 1.0
    elif m == n + 1:  # a letter left out
        for i in range(m):
            if word[:i] + word[i + 1 :] == typed:
                return 0.6 if word[i] in _VOWELS else 0.7
    elif n == m + 1:  # an extra letter
        for i in range(n):
            if typed[:i] + typed[i + 1 :] == word:
                doubled = (i > 0 and typed[i - 1] == typed[i]) or (
                    i + 1 < n and typed[i + 1] == typed[i]
                )
                return 0.7 if doubled or (i > 0 and _adjacent_keys(typed[i], typed[i - 1])) else 1.0
    return float(DamerauLevenshtein.distance(typed, word))


@dataclass(frozen=True, slots=True)
class Concept:
    """One word of a question (or one lay phrase) and the stems it may match."""

    surface: str
    stems: tuple[str, ...]


def _phrase_key(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(_APOSTROPHE.sub("", text.casefold())))


class Analyzer:
    """Text to stems, with a lay-term map and typo tolerance against a vocabulary."""

    def __init__(self, synonyms: Mapping[str, str]) -> None:
        self._stemmer = Stemmer.Stemmer("english")
        self._synonyms: dict[tuple[str, ...], tuple[str, ...]] = {}
        for lay, canonical in synonyms.items():
            key = _phrase_key(lay)
            if key:
                self._synonyms[key] = _phrase_key(canonical)
        # Longest lay phrase starting with each word, so most words skip phrase lookups.
        self._phrase_len: dict[str, int] = {}
        for key in self._synonyms:
            self._phrase_len[key[0]] = max(self._phrase_len.get(key[0], 0), len(key))
        self._stems: dict[str, str] = {}
        self._vocabulary: tuple[str, ...] = ()
        self._known: frozenset[str] = frozenset()
        self._skeletons: dict[str, str] = {}
        self._correct = lru_cache(maxsize=4096)(self._correct_uncached)

    # -- vocabulary for typo tolerance ---------------------------------------------------------

    def set_vocabulary(self, words: Iterable[str]) -> None:
        """Surface words a typo may be corrected to (the index's words and lay terms)."""
        known = {w for w in words if len(w) >= 3 and not w.isdigit()}
        for key in self._synonyms:
            known.update(w for w in key if len(w) >= 3)
        self._known = frozenset(known)
        self._vocabulary = tuple(sorted(known))
        # Consonant skeletons of longer words, for vowel-less texting ("mscl spsm").
        skeletons: dict[str, str] = {}
        for w in sorted(known, key=lambda w: (-_zipf(w), w)):
            skeleton = _consonants(w)
            if len(w) >= 5 and len(skeleton) >= 3 and skeleton != w:
                skeletons.setdefault(skeleton, w)
        self._skeletons = skeletons
        self._correct.cache_clear()

    def _correct_uncached(self, word: str) -> str:
        """The vocabulary word a misspelling most likely meant; real English words stay.

        A small noisy-channel choice: among vocabulary words within an edit distance
        that grows with the word's length, the cheapest edit wins (a swapped pair or
        a neighbouring key costs less than any other letter), then the more common
        word. Words of three or four letters are corrected only by one cheap edit
        with a single best candidate ("bak" -> "back", "crmap" -> "cramp"), or when
        they are a longer word's consonants ("mscl" -> "muscle").
        """
        if (
            word in self._known
            or word in STOP_WORDS
            or word in common_words()
            or len(word) < 3
            or not word.isalpha()
            or not self._vocabulary
        ):
            return word
        if len(word) < 5:
            return self._correct_short(word)
        limit = 1 if len(word) < 8 else 2
        matches = process.extract(
            word,
            self._vocabulary,
            scorer=DamerauLevenshtein.distance,
            score_cutoff=limit,
            limit=20,
        )
        options = [(str(m[0]), int(m[1])) for m in matches if m[0][0] == word[0] or int(m[1]) <= 1]
        if not options:
            return word
        best = min(options, key=lambda o: (o[1], edit_cost(word, o[0]), -_zipf(o[0])))
        return best[0]

    def _correct_short(self, word: str) -> str:
        skeleton = _consonants(word)
        if skeleton == word and len(word) >= 3:
            full = self._skeletons.get(word)
            if full is not None:
                return full
        matches = process.extract(
            word,
            self._vocabulary,
            scorer=DamerauLevenshtein.distance,
            score_cutoff=1,
            limit=20,
        )
        costs = sorted(
            (edit_cost(word, str(m[0])), -_zipf(str(m[0])), str(m[0]))
            for m in matches
            if len(str(m[0])) >= len(word)
        )
        if not costs or costs[0][0] > SHORT_EDIT_MAX:
            return word
        if len(costs) > 1 and costs[1][0] == costs[0][0] and costs[1][1] == costs[0][1]:
            return word  # two equally likely words: leave it
        return costs[0][2]

    def corrected(self, text: str) -> str:
        """``text``'s words with likely typos corrected ("how meny" -> "how many")."""
        return " ".join(self._correct(w) for w in self.words(text))

    # -- analysis ------------------------------------------------------------------------------

    def words(self, text: str) -> list[str]:
        """Lowercase word tokens, apostrophes inside words dropped ("don't" -> "dont")."""
        return _WORD.findall(_APOSTROPHE.sub("", text.casefold()))

    def stem(self, word: str) -> str:
        stem = self._stems.get(word)
        if stem is None:
            stem = self._stems[word] = str(self._stemmer.stemWord(word))
        return stem

    def concepts(self, text: str, *, correct_typos: bool = True) -> list[Concept]:
        """Group a text's content words into concepts, expanding lay phrases."""
        words = self.words(text)
        if correct_typos:
            words = [self._correct(w) for w in words]
        out: list[Concept] = []
        i = 0
        while i < len(words):
            longest = min(self._phrase_len.get(words[i], 0), len(words) - i)
            for size in range(longest, 0, -1):
                key = tuple(words[i : i + size])
                expansion = self._synonyms.get(key)
                if expansion is not None:
                    own = [w for w in key if w not in STOP_WORDS]
                    stems = dict.fromkeys(self.stem(w) for w in (*own, *expansion))
                    out.append(Concept(" ".join(key), tuple(stems)))
                    i += size
                    break
            else:
                word = words[i]
                i += 1
                if word in STOP_WORDS or word.isdigit() or len(word) < 2:
                    continue
                out.append(Concept(word, (self.stem(word),)))
        return out

    def terms(self, text: str) -> list[str]:
        """Index terms of a document: every stem of every concept, in order."""
        return [stem for c in self.concepts(text, correct_typos=False) for stem in c.stems]
