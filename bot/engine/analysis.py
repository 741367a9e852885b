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
        self._correct = lru_cache(maxsize=4096)(self._correct_uncached)

    # -- vocabulary for typo tolerance ---------------------------------------------------------

    def set_vocabulary(self, words: Iterable[str]) -> None:
        """Surface words a typo may be corrected to (the index's words and lay terms)."""
        known = {w for w in words if len(w) >= 3 and not w.isdigit()}
        for key in self._synonyms:
            known.update(w for w in key if len(w) >= 3)
        self._known = frozenset(known)
        self._vocabulary = tuple(sorted(known))
        self._correct.cache_clear()

    def _correct_uncached(self, word: str) -> str:
        """The vocabulary word a misspelling most likely meant; real English words stay."""
        if (
            word in self._known
            or word in STOP_WORDS
            or word in common_words()
            or len(word) < 5
            or not word.isalpha()
            or not self._vocabulary
        ):
            return word
        limit = 1 if len(word) < 8 else 2
        match = process.extractOne(
            word,
            self._vocabulary,
            scorer=DamerauLevenshtein.distance,
            score_cutoff=limit,
        )
        if match is None or (match[0][0] != word[0] and match[1] > 1):
            return word
        return str(match[0])

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
