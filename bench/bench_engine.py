"""Lexical engine benchmark (semantic = false): build time, per-question latency, memory.

bench/bench_semantic.py times the hybrid engine.

Measures, in one run, the shipped content and synthetic corpora of 1,000 and
10,000 entries generated from the content's own vocabulary, next to the naive
baseline (rank-bm25 ``get_scores`` over whitespace tokens of the same phrasings).
Questions are the dev evaluation set, cycled. Memory is the peak traced by
tracemalloc while building and querying each engine, in a separate pass so that
tracing does not slow the timed one.

Usage: python bench/bench_engine.py [--questions 2000] [--sizes 1000,10000]
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import platform
import random
import statistics
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from types import MappingProxyType

from rank_bm25 import BM25Okapi

from bot.config import SHIPPED_CONTENT, EngineSettings
from bot.content import Entry, Knowledge, load_content
from bot.engine import Engine
from bot.engine.evaluation import load_cases
from bot.engine.message import ask_message

REPO = Path(__file__).resolve().parents[1]


def synthetic(knowledge: Knowledge, size: int, seed: int = 7) -> Knowledge:
    """A corpus of ``size`` entries whose phrasings and answers mix the real vocabulary."""
    rng = random.Random(seed)
    real = list(knowledge.entries.values())
    words = sorted({w for e in real for q in e.questions for w in q.lower().split()})
    answer_words = sorted({w for e in real for w in e.answer.lower().split()})
    entries: dict[str, Entry] = {}
    for i in range(size):
        base = real[i % len(real)]
        questions = tuple(
            " ".join(rng.choices(words, k=rng.randint(4, 10))) + f" {i}?" for _ in range(8)
        )
        answer = " ".join(rng.choices(answer_words, k=rng.randint(60, 120)))
        entry_id = f"synthetic-{i}"
        entries[entry_id] = dataclasses.replace(
            base, id=entry_id, title=questions[0], questions=questions, answer=answer, see_also=()
        )
    return dataclasses.replace(knowledge, entries=MappingProxyType(entries))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def time_queries(ask: Callable[[str], object], questions: list[str]) -> list[float]:
    for q in questions[:50]:  # warm caches
        ask(q)
    out = []
    for q in questions:
        start = time.perf_counter()
        ask(q)
        out.append((time.perf_counter() - start) * 1000)
    return out


def peak_memory(build: Callable[[], Callable[[str], object]], questions: list[str]) -> int:
    """Peak traced allocation while building and querying; run apart from the timings,
    because tracemalloc slows every allocation several times."""
    gc.collect()
    tracemalloc.start()
    ask = build()
    for q in questions[:200]:
        ask(q)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def measure(name: str, knowledge: Knowledge, questions: list[str]) -> list[str]:
    docs = [q for e in knowledge.entries.values() for q in (e.title, *e.questions)]

    def build_engine() -> Callable[[str], object]:
        return Engine(knowledge, EngineSettings(semantic=False)).ask

    def build_cold_engine() -> Callable[[str], object]:
        engine = Engine(knowledge, EngineSettings(semantic=False))

        def ask(question: str) -> object:
            engine.clear_cache()  # every question as if never seen before
            return engine.ask(question)

        return ask

    def build_cold_message() -> Callable[[str], object]:
        engine = Engine(knowledge, EngineSettings())

        def ask(question: str) -> object:
            engine.clear_cache()
            return ask_message(engine, question)  # segments, story clauses, language

        return ask

    def build_naive() -> Callable[[str], object]:
        naive = BM25Okapi([d.lower().split() for d in docs])
        return lambda question: int(naive.get_scores(question.lower().split()).argmax())

    rows = []
    systems = (
        ("engine, cold (cache cleared per question)", build_cold_engine),
        ("engine, warm (repeats served from cache)", build_engine),
        ("whole message (ask_message), cold", build_cold_message),
        ("naive baseline", build_naive),
    )
    for system, build in systems:
        gc.collect()
        start = time.perf_counter()
        ask = build()
        build_ms = (time.perf_counter() - start) * 1000
        latencies = time_queries(ask, questions)
        del ask
        rows.append(row(name, system, build_ms, latencies, peak_memory(build, questions)))
    return rows


def row(corpus: str, system: str, build_ms: float, latencies: list[float], peak: int) -> str:
    return (
        f"| {corpus} | {system} | {build_ms:,.0f} | {statistics.median(latencies):.3f} | "
        f"{percentile(latencies, 0.99):.3f} | {peak / 2**20:,.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=2000)
    parser.add_argument("--sizes", default="1000,10000")
    args = parser.parse_args()
    knowledge = load_content(SHIPPED_CONTENT)
    cases = load_cases(REPO / "tests/eval/dev.jsonl")
    questions = [cases[i % len(cases)].question for i in range(args.questions)]
    print(f"machine: {platform.processor() or platform.machine()}, {platform.python_version()}")
    print("| corpus | system | build ms | p50 ms | p99 ms | peak MiB |")
    print("|---|---|---:|---:|---:|---:|")
    phrasings = sum(1 + len(e.questions) for e in knowledge.entries.values())
    for line in measure(
        f"shipped ({len(knowledge.entries)} entries, {phrasings} phrasings)", knowledge, questions
    ):
        print(line, flush=True)
    for size in (int(s) for s in args.sizes.split(",") if s):
        corpus = synthetic(knowledge, size)
        for line in measure(f"synthetic {size:,} entries", corpus, questions):
            print(line, flush=True)


if __name__ == "__main__":
    main()
