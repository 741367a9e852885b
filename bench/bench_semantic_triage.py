"""What the semantic triage layer adds to a question's latency, and its start-up cost.

Every question is cold (ranking, vector and triage caches cleared), asked with the hybrid
engine as shipped and with its semantic triage switched off (the same engine, so the
comparison is the layer alone). The layer reuses the question vector the retriever
computes, so a one-sentence message costs no extra model pass; a message of several
sentences embeds each once (vectors that ``ask_message`` then reuses for its parts).

Usage: python bench/bench_semantic_triage.py [--questions 1000]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from bot.config import SHIPPED_CONTENT
from bot.content import load_content
from bot.engine import Engine
from bot.engine.evaluation import load_cases
from bot.engine.message import ask_message
from bot.engine.semantic_triage import SemanticTriage

REPO = Path(__file__).resolve().parents[1]
SETS = ("dev", "dev5", "dev6")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def timed(engine: Engine, call: Callable[[str], object], questions: list[str]) -> list[float]:
    out = []
    for question in questions:
        engine.clear_cache()
        start = time.perf_counter()
        call(question)
        out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=1000)
    args = parser.parse_args()
    questions = [
        c.question
        for name in SETS
        if (REPO / f"tests/eval/{name}.jsonl").exists()
        for c in load_cases(REPO / f"tests/eval/{name}.jsonl")
    ]
    questions = (questions * (args.questions // max(len(questions), 1) + 1))[: args.questions]
    knowledge = load_content(SHIPPED_CONTENT)
    engine = Engine(knowledge)
    if engine.encoder is None:
        raise SystemExit("no model: run python scripts/fetch_model.py")
    start = time.perf_counter()
    layer = SemanticTriage(knowledge, engine.encoder, engine.triage, engine._phrase_vectors)
    build_ms = (time.perf_counter() - start) * 1000
    print(f"{len(questions)} questions, cold; semantic triage build (warm cache) {build_ms:.0f} ms")
    print(f"{'system':44} {'p50 ms':>8} {'p99 ms':>8} {'mean ms':>8}")
    for label, triage in (("off", None), ("on", layer)):
        engine.semantic_triage = triage
        for what, call in (
            ("engine.ask", lambda q: engine.ask(q)),
            ("ask_message", lambda q: ask_message(engine, q)),
        ):
            times = timed(engine, call, questions)
            print(
                f"{what + ', semantic triage ' + label:44} {statistics.median(times):8.2f} "
                f"{percentile(times, 0.99):8.2f} {statistics.fmean(times):8.2f}"
            )


if __name__ == "__main__":
    main()
