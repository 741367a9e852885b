"""BM25 over one text field, fitted by rank-bm25 and scored through postings.

rank-bm25 fits the model (idf per term, document lengths, k1/b/delta) and its
``get_scores`` is the reference. Its scorer loops over every document for
every query term, which at 100,000 phrasings costs tens of milliseconds, so
this module precomputes each (term, document) contribution once from the
fitted model and answers a query by touching only the documents that contain
its terms. ``test_postings_scorer_matches_rank_bm25`` (tests/engine/test_engine.py)
checks both give the same scores.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from rank_bm25 import BM25L, BM25Okapi, BM25Plus

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

VARIANTS: dict[str, type[Any]] = {"okapi": BM25Okapi, "plus": BM25Plus, "l": BM25L}


@dataclass(frozen=True, slots=True)
class BM25Params:
    """Which rank-bm25 variant to fit and with which parameters.

    Okapi's idf floor (rank_bm25 #39/#43) makes "muscle" and "spasm" nearly
    worthless for ranking; that is fine here because confidence comes from
    coverage, not from the BM25 score, and on the tuning sets Okapi, L and Plus
    end within 1 point of each other (see bench/tune_engine.py).
    """

    variant: str = "okapi"
    k1: float = 1.2
    b: float = 0.75
    delta: float = 0.5
    epsilon: float = 0.25

    def build(self, corpus: list[list[str]]) -> Any:
        cls = VARIANTS[self.variant]
        if self.variant == "okapi":
            return cls(corpus, k1=self.k1, b=self.b, epsilon=self.epsilon)
        return cls(corpus, k1=self.k1, b=self.b, delta=self.delta)


class FieldIndex:
    """A fitted BM25 model over one field, with an inverted index for fast scoring."""

    def __init__(self, corpus: Sequence[Sequence[str]], params: BM25Params) -> None:
        docs = [list(doc) or ["\0empty"] for doc in corpus] or [["\0empty"]]
        self.params = params
        self.model = params.build(docs)
        self.size = len(docs)
        self.avgdl = float(self.model.avgdl)
        self.idf: dict[str, float] = dict(self.model.idf)
        # Every (term, document) pair as flat arrays, weighted in one vectorised pass.
        terms: list[str] = []
        doc_ids: list[int] = []
        tfs: list[int] = []
        for doc_id, freqs in enumerate(self.model.doc_freqs):
            terms.extend(freqs)
            doc_ids.extend([doc_id] * len(freqs))
            tfs.extend(freqs.values())
        self.document_frequency: Counter[str] = Counter(terms)
        vocabulary = list(self.document_frequency)
        term_id = {t: i for i, t in enumerate(vocabulary)}
        tids = np.fromiter((term_id[t] for t in terms), dtype=np.int64, count=len(terms))
        docs_arr = np.array(doc_ids, dtype=np.int64)
        idf = np.array([self.idf.get(t, 0.0) for t in vocabulary], dtype=np.float64)
        lengths = np.array(self.model.doc_len, dtype=np.float64)[docs_arr]
        weights = self._weights(idf[tids], np.array(tfs, dtype=np.float64), lengths)
        weights -= self._baselines(idf)[tids]
        order = np.argsort(tids, kind="stable")
        bounds = np.searchsorted(tids[order], np.arange(len(vocabulary) + 1))
        base = self._baselines(idf)
        self._baseline = {t: float(b) for t, b in zip(vocabulary, base, strict=True) if b}
        self.postings: dict[str, tuple[IntArray, FloatArray]] = {
            term: (
                docs_arr[order[bounds[i] : bounds[i + 1]]],
                weights[order[bounds[i] : bounds[i + 1]]],
            )
            for i, term in enumerate(vocabulary)
        }
        # The reference model's per-document dicts are only needed to fit it.
        self.model.doc_freqs = []

    def _weights(self, idf: FloatArray, tf: FloatArray, length: FloatArray) -> FloatArray:
        """Term-in-document contributions, exactly as rank-bm25's ``get_scores`` computes them."""
        p = self.params
        norm = 1 - p.b + p.b * length / self.avgdl
        if p.variant == "okapi":
            out: FloatArray = idf * (tf * (p.k1 + 1) / (tf + p.k1 * norm))
        elif p.variant == "plus":
            out = idf * (p.delta + (tf * (p.k1 + 1)) / (p.k1 * norm + tf))
        else:
            ctd = tf / norm
            out = idf * tf * (p.k1 + 1) * (ctd + p.delta) / (p.k1 + ctd + p.delta)
        return out

    def _baselines(self, idf: FloatArray) -> FloatArray:
        """Contribution of a term to documents that lack it (non-zero only for BM25+)."""
        if self.params.variant == "plus":
            out: FloatArray = idf * self.params.delta
            return out
        return np.zeros_like(idf)

    def contribution(self, term: str, tf: int, length: int, idf: float | None = None) -> float:
        weight = self.idf.get(term, 0.0) if idf is None else idf
        return float(
            self._weights(np.array([weight]), np.array([float(tf)]), np.array([float(length)]))[0]
        )

    def baseline(self, term: str) -> float:
        return self._baseline.get(term, 0.0)

    def scores(self, terms: Sequence[str]) -> FloatArray:
        """Scores of every document for ``terms``, equal to rank-bm25's ``get_scores``."""
        out = np.zeros(self.size, dtype=np.float64)
        base = 0.0
        for term in terms:
            base += self.baseline(term)
            posting = self.postings.get(term)
            if posting is not None:
                out[posting[0]] += posting[1]
        if base:
            out += base
        return out

    def score_extra(self, terms: Sequence[str], doc: Sequence[str]) -> float:
        """Score a document that is not in the corpus (a learned phrasing) with this model.

        Its terms unknown to the corpus get the idf of a term seen in one document,
        so a moderator's new word still counts.
        """
        freqs = Counter(doc)
        rare = self.rare_idf
        total = 0.0
        for term in terms:
            tf = freqs.get(term, 0)
            idf = self.idf.get(term, rare if tf else 0.0)
            total += self.contribution(term, tf, len(doc), idf) if tf else self.baseline(term)
        return total

    @property
    def rare_idf(self) -> float:
        """The idf this model gives a term found in a single document."""
        n = self.size
        if self.params.variant == "okapi":
            return math.log(n - 1 + 0.5) - math.log(1.5) if n > 1 else 0.0
        if self.params.variant == "plus":
            return math.log((n + 1) / 1)
        return math.log(n + 1) - math.log(1.5)
