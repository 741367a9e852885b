"""Train the linear domain adapter (bot/engine/adapter.py) on the frozen sentence vectors.

Training data: the curated phrasings of content/topics (each one a query for its own
entry, itself left out) and the answer rows of the tuning sets dev..dev4 (their ids as
targets); their no_answer rows are negatives whose best entry cosine is pushed below a
margin. The loss is a softmax over entries of the engine's own entry cosine (0.75 best +
0.25 second-best phrasing), divided by a temperature, plus ``reg * ||A - I||^2``.
Full-batch Adam in numpy, fixed seed, A starts at the identity.

Validation: dev5 and dev6 only (never trained on); the held-out sets are not read.
Each configuration's checkpoints are scored by the whole engine (``score`` over
``engine_predictor``) on dev5+dev6, next to dev..dev4 for the "does not fall" check.

Usage:
  python bench/train_adapter.py [--temperature 0.05] [--reg 0.03] [--epochs 50] [--rank 0]
      [--neg-weight 0] [--min-score 0.52 0.56 ...] [--all-sets]
  (trains one configuration, prints raw vs adapted engine figures at each min_score)

Result (BENCHMARKS.md, "Domain adapter"): no configuration beat the raw vectors on
dev5+dev6 once min_score is matched, so nothing ships; this script is the record.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.config import SHIPPED_CONTENT, EngineSettings
from bot.content import load_content
from bot.engine import Engine
from bot.engine.evaluation import Report, engine_predictor, load_cases, score
from bot.engine.semantic import Encoder
from bot.engine.text import clean

EVAL = Path(__file__).resolve().parents[1] / "tests" / "eval"
TRAIN_SETS = ("dev", "dev2", "dev3", "dev4")
VALID_SETS = ("dev5", "dev6")
SEED = 14
F = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Config:
    temperature: float = 0.05
    reg: float = 0.03
    lr: float = 5e-4
    epochs: int = 50
    neg_weight: float = 0.0
    neg_margin: float = 0.55
    #: Weight of the dev-set questions relative to the content phrasings.
    dev_weight: float = 1.0
    #: 0: a full matrix; -1: diagonal only; r > 0: the identity plus a rank-r update U V^T.
    rank: int = 0


@dataclass
class Data:
    """Raw vectors and targets, everything the optimiser needs."""

    phrases: F  # (Np, d)
    owner: npt.NDArray[np.int64]  # (Np,) entry of each phrasing
    queries: F  # (Nq, d): phrasings as queries first, then dev questions
    targets: list[list[int]]
    self_col: npt.NDArray[np.int64]  # phrasing column to mask for each query, -1 if none
    weights: F
    negatives: F  # (Nn, d) no_answer questions


def memo_encode(encoder: Encoder) -> None:
    """Memoise the encoder (the sweep re-asks the same questions many times)."""
    raw = encoder.encode
    memo: dict[str, npt.NDArray[np.float32]] = {}

    def encode(texts: Sequence[str], batch_size: int = 32) -> npt.NDArray[np.float32]:
        missing = [t for t in dict.fromkeys(texts) if t not in memo]
        if missing:
            for text, vector in zip(missing, raw(missing, batch_size), strict=True):
                memo[text] = vector
        return np.stack([memo[t] for t in texts]) if texts else raw(texts)

    encoder.encode = encode  # type: ignore[method-assign]


def query_vectors(engine: Engine, questions: Sequence[str]) -> F:
    """Questions as the engine embeds them (cleaned, mended typos), raw vectors."""
    assert engine.encoder is not None
    limit = engine.settings.max_question_chars
    texts = [engine._for_encoder(clean(q, limit).text) for q in questions]
    return engine.encoder.encode(texts).astype(np.float64)


def build_data(engine: Engine, dev_weight: float) -> Data:
    assert engine._phrase_vectors is not None
    phrases = engine._phrase_vectors.astype(np.float64)
    starts = [*engine._starts.tolist(), len(phrases)]
    owner = np.repeat(np.arange(len(starts) - 1), np.diff(starts))
    counts = np.bincount(owner, minlength=len(starts) - 1)
    index = {e.id: i for i, e in enumerate(engine.entries)}
    # Phrasings as queries, left out of their own entry (entries with one phrasing skip).
    cols = [j for j in range(len(phrases)) if counts[owner[j]] >= 2]
    questions: list[str] = []
    targets: list[list[int]] = [[int(owner[j])] for j in cols]
    negatives: list[str] = []
    for name in TRAIN_SETS:
        for case in load_cases(EVAL / f"{name}.jsonl"):
            ids = [index[i] for i in case.ids if i in index]
            if case.expect == "answer" and ids:
                questions.append(case.question)
                targets.append(ids)
            elif case.expect == "no_answer":
                negatives.append(case.question)
    queries = np.vstack([phrases[cols], query_vectors(engine, questions)])
    self_col = np.array([*cols, *([-1] * len(questions))], dtype=np.int64)
    weights = np.array([1.0] * len(cols) + [dev_weight] * len(questions))
    return Data(
        phrases,
        owner,
        queries,
        targets,
        self_col,
        weights / weights.sum(),
        query_vectors(engine, negatives),
    )


def _normalise(z: F) -> tuple[F, F]:
    norms = np.linalg.norm(z, axis=1, keepdims=True)
    return z / norms, norms


def _entry_scores(sims: F, groups: list[npt.NDArray[np.int64]]) -> tuple[F, F, F]:
    """Per entry: 0.75 best + 0.25 second-best cosine, and the columns of both."""
    n = sims.shape[0]
    out = np.empty((n, len(groups)))
    best = np.empty((n, len(groups)), dtype=np.int64)
    second = np.empty((n, len(groups)), dtype=np.int64)
    rows = np.arange(n)
    for e, cols in enumerate(groups):
        sub = sims[:, cols]
        if len(cols) == 1:
            b = s = np.zeros(n, dtype=np.int64)
        else:
            top2 = np.argpartition(-sub, 1, axis=1)[:, :2]
            first = np.where(sub[rows, top2[:, 0]] >= sub[rows, top2[:, 1]], top2[:, 0], top2[:, 1])
            b, s = first, np.where(first == top2[:, 0], top2[:, 1], top2[:, 0])
            # A masked (-inf) second phrasing: the entry's cosine is its best alone.
            s = np.where(np.isfinite(sub[rows, s]), s, b)
        out[:, e] = 0.75 * sub[rows, b] + 0.25 * sub[rows, s]
        best[:, e], second[:, e] = cols[b], cols[s]
    return out, best.astype(np.float64), second.astype(np.float64)


def loss_and_grad(
    a: F, data: Data, groups: list[npt.NDArray[np.int64]], cfg: Config
) -> tuple[float, F]:
    """The objective at ``a`` and its gradient (hand-written backprop)."""
    zq, zp, zn = data.queries @ a, data.phrases @ a, data.negatives @ a
    q, nq = _normalise(zq)
    p, np_ = _normalise(zp)
    sims = q @ p.T
    masked = data.self_col >= 0
    sims[np.flatnonzero(masked), data.self_col[masked]] = -np.inf
    es, best, second = _entry_scores(sims, groups)
    logits = es / cfg.temperature
    logits -= logits.max(axis=1, keepdims=True)
    prob = np.exp(logits)
    prob /= prob.sum(axis=1, keepdims=True)
    target = np.zeros_like(prob)
    for r, ids in enumerate(data.targets):
        target[r, ids] = prob[r, ids] / max(prob[r, ids].sum(), 1e-300)
    loss = float(-(data.weights * np.log(np.maximum((prob * (target > 0)).sum(1), 1e-300))).sum())
    g_es = (prob - target) * data.weights[:, None] / cfg.temperature
    g_sims = np.zeros_like(sims)
    # (row, column) pairs are unique within each of the two updates: a column has one owner.
    rows = np.repeat(np.arange(len(sims)), len(groups))
    g_sims[rows, best.astype(np.int64).ravel()] += 0.75 * g_es.ravel()
    g_sims[rows, second.astype(np.int64).ravel()] += 0.25 * g_es.ravel()
    g_q = g_sims @ p
    g_p = g_sims.T @ q
    if cfg.neg_weight > 0 and len(zn):
        n, nn = _normalise(zn)
        nsims = n @ p.T
        top = nsims.argmax(axis=1)
        excess = np.maximum(nsims[np.arange(len(n)), top] - cfg.neg_margin, 0.0)
        loss += float(cfg.neg_weight * (excess**2).mean())
        g_top = 2 * cfg.neg_weight * excess / len(n)
        g_nsims = np.zeros_like(nsims)
        g_nsims[np.arange(len(n)), top] = g_top
        g_n = g_nsims @ p
        g_p += g_nsims.T @ n
        g_zn = (g_n - n * (n * g_n).sum(1, keepdims=True)) / nn
        grad_n = data.negatives.T @ g_zn
    else:
        grad_n = 0.0
    g_zq = (g_q - q * (q * g_q).sum(1, keepdims=True)) / nq
    g_zp = (g_p - p * (p * g_p).sum(1, keepdims=True)) / np_
    eye = np.eye(len(a))
    loss += cfg.reg * float(((a - eye) ** 2).sum())
    grad = data.queries.T @ g_zq + data.phrases.T @ g_zp + grad_n + 2 * cfg.reg * (a - eye)
    return loss, grad


def train(
    data: Data,
    cfg: Config,
    checkpoints: Sequence[int] = (),
    on_checkpoint: Callable[[int, F], None] | None = None,
) -> F:
    """Full-batch Adam from the identity; calls ``on_checkpoint`` at the given epochs."""
    groups = [np.flatnonzero(data.owner == e) for e in range(int(data.owner.max()) + 1)]
    dim = data.phrases.shape[1]
    eye = np.eye(dim)
    rng = np.random.default_rng(SEED)
    if cfg.rank > 0:
        # U small and random, V zero: A starts at the identity with a usable gradient.
        params = [0.01 * rng.standard_normal((dim, cfg.rank)), np.zeros((dim, cfg.rank))]
    elif cfg.rank < 0:
        params = [np.ones(dim)]
    else:
        params = [eye.copy()]

    def matrix() -> F:
        if cfg.rank > 0:
            return eye + params[0] @ params[1].T
        return np.diag(params[0]) if cfg.rank < 0 else params[0]

    moments = [(np.zeros_like(x), np.zeros_like(x)) for x in params]
    b1, b2 = 0.9, 0.999
    for step in range(1, cfg.epochs + 1):
        _, g_a = loss_and_grad(matrix(), data, groups, cfg)
        if cfg.rank > 0:
            grads = [g_a @ params[1], g_a.T @ params[0]]
        else:
            grads = [np.diag(g_a).copy()] if cfg.rank < 0 else [g_a]
        for x, g, (m, v) in zip(params, grads, moments, strict=True):
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * g**2
            x -= cfg.lr * (m / (1 - b1**step)) / (np.sqrt(v / (1 - b2**step)) + 1e-8)
        if on_checkpoint is not None and step in checkpoints:
            on_checkpoint(step, matrix())
    return matrix()


class AdaptedEncoder:
    """The engine's encoder with ``normalise(v @ A)`` applied to every question vector."""

    def __init__(self, encoder: Encoder, a: F) -> None:
        self.inner = encoder
        self.matrix = a.astype(np.float32)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> npt.NDArray[np.float32]:
        return apply(self.inner.encode(texts, batch_size), self.matrix)


def apply(vectors: npt.NDArray[np.float32], a: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    mapped = vectors @ a
    out: npt.NDArray[np.float32] = mapped / np.linalg.norm(mapped, axis=-1, keepdims=True)
    return out.astype(np.float32)


def evaluate(
    knowledge: Any,
    settings: EngineSettings,
    encoder: Encoder,
    a: F | None,
    sets: Sequence[str],
) -> dict[str, Report]:
    """Whole-engine reports; with ``a``, phrasings and questions both go through the map.

    The engine itself is not changed (the adapter did not ship): its phrasing vectors are
    replaced after construction and its encoder wrapped, which is exact here because an
    evaluation engine has no learned phrasings.
    """
    engine = Engine(knowledge, settings, encoder=encoder)
    if a is not None:
        assert engine._phrase_vectors is not None
        engine._phrase_vectors = apply(engine._phrase_vectors, a.astype(np.float32))
        engine.encoder = AdaptedEncoder(encoder, a)  # type: ignore[assignment]
    predict = engine_predictor(engine)
    return {name: score(name, load_cases(EVAL / f"{name}.jsonl"), predict) for name in sets}


def summary(reports: dict[str, Report]) -> str:
    return "  ".join(
        f"{n} {100 * r.top1:5.1f}/{100 * r.answers_correct:5.1f}/{100 * r.no_answer_recall:5.1f}"
        for n, r in reports.items()
    )


def pooled(reports: dict[str, Report], names: Sequence[str]) -> str:
    """top-1, answers-correct and no-answer recall over several sets (by answerable count)."""
    ans = sum(reports[n].answerable for n in names)
    top1 = sum(reports[n].top1 * reports[n].answerable for n in names) / ans
    correct = sum(reports[n].answers_correct * reports[n].answerable for n in names) / ans
    recall = sum(reports[n].no_answer_recall for n in names) / len(names)
    return f"{100 * top1:.1f}/{100 * correct:.1f}/{100 * recall:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--temperature", type=float, default=Config.temperature)
    parser.add_argument("--reg", type=float, default=Config.reg)
    parser.add_argument("--lr", type=float, default=Config.lr)
    parser.add_argument("--epochs", type=int, default=Config.epochs)
    parser.add_argument("--rank", type=int, default=Config.rank)
    parser.add_argument("--neg-weight", type=float, default=Config.neg_weight)
    parser.add_argument("--neg-margin", type=float, default=Config.neg_margin)
    parser.add_argument("--min-score", type=float, nargs="+", default=[EngineSettings().min_score])
    parser.add_argument("--all-sets", action="store_true", help="dev..dev4 too")
    args = parser.parse_args()
    settings = EngineSettings()
    knowledge = load_content(SHIPPED_CONTENT)
    base = Engine(knowledge, settings)
    assert base.encoder is not None, "the semantic model is needed: python scripts/fetch_model.py"
    encoder = base.encoder
    memo_encode(encoder)
    sets = (*TRAIN_SETS, *VALID_SETS) if args.all_sets else VALID_SETS
    cfg = Config(
        args.temperature,
        args.reg,
        args.lr,
        args.epochs,
        args.neg_weight,
        args.neg_margin,
        rank=args.rank,
    )
    a = train(build_data(base, cfg.dev_weight), cfg)
    print(cfg, f"|A - I| = {np.linalg.norm(a - np.eye(len(a))):.2f}")
    print("per set: top-1/answers-correct/no-answer-recall (%); valid = dev5+dev6 pooled")
    for min_score in args.min_score:
        tuned = dataclasses.replace(settings, min_score=min_score)
        for label, matrix in (("raw", None), ("adapted", a)):
            got = evaluate(knowledge, tuned, encoder, matrix, sets)
            print(
                f"min_score {min_score:.2f} {label:8s} {summary(got)}  "
                f"valid {pooled(got, VALID_SETS)}",
                flush=True,
            )


if __name__ == "__main__":
    main()
