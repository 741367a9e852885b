"""Semantic layer benchmark: lexical vs hybrid latency, build time, start-up and RSS.

- per-question latency over the dev questions, every question cold (ranking cache
  cleared), for the lexical engine, the hybrid, and the encoder alone (int8 ONNX and
  the float32 numpy pass);
- per-message latency of the whole-message path (``ask_message``: stories, two
  questions, follow-ups) over the members'-style dev sets, which asks the engine once
  per clause and so costs more than one question;
- engine build time with an empty embedding cache (cold: every phrasing embedded) and
  with a warm one;
- start-up: a fresh process importing the bot, loading the content and building the
  engine, wall clock (the part of start-up to READY that does not wait on Discord);
- peak RSS of such a process after answering 300 questions.

Usage: python bench/bench_semantic.py [--questions 1000]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bot.config import SHIPPED_CONTENT, EngineSettings
from bot.content import load_content
from bot.engine import Engine
from bot.engine.evaluation import load_cases
from bot.engine.message import ask_message
from bot.engine.semantic import CACHE_DIR, Encoder, load_encoder

REPO = Path(__file__).resolve().parents[1]

CHILD = """
import sys, time
start = time.perf_counter()
from bot.config import SHIPPED_CONTENT, EngineSettings
from bot.content import load_content
from bot.engine import Engine
engine = Engine(load_content(SHIPPED_CONTENT), EngineSettings(semantic={semantic}))
ready = time.perf_counter() - start
for line in open(sys.argv[1], encoding="utf-8").read().splitlines()[:300]:
    engine.ask(line)
# VmHWM, not ru_maxrss: Linux carries the parent's ru_maxrss across fork and exec.
status = open("/proc/self/status", encoding="utf-8").read().split("VmHWM:")[1]
rss = int(status.split()[0]) / 1024
print(f"{{ready:.3f}} {{rss:.1f}} {{engine.mode}}")
"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def timed(call: Callable[[str], object], questions: list[str]) -> tuple[float, float]:
    for q in questions[:30]:
        call(q)
    out = []
    for q in questions:
        start = time.perf_counter()
        call(q)
        out.append((time.perf_counter() - start) * 1000)
    return statistics.median(out), percentile(out, 0.99)


def cold(engine: Engine) -> Callable[[str], object]:
    def ask(question: str) -> object:
        engine.clear_cache()
        return engine.ask(question)

    return ask


def cold_message(engine: Engine) -> Callable[[str], object]:
    def ask(message: str) -> object:
        engine.clear_cache()
        return ask_message(engine, message)

    return ask


def child(semantic: bool, questions_file: Path) -> tuple[float, float, str]:
    result = subprocess.run(
        [sys.executable, "-c", CHILD.format(semantic=semantic), str(questions_file)],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    ready, rss, mode = result.stdout.split()
    return float(ready), float(rss), mode


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=1000)
    args = parser.parse_args()
    settings = EngineSettings()
    encoder = load_encoder(settings.model_path)
    if encoder is None:
        sys.exit("the model is missing: run python scripts/fetch_model.py")
    knowledge = load_content(SHIPPED_CONTENT)
    cases = [
        c for name in ("dev", "dev2", "dev3") for c in load_cases(REPO / f"tests/eval/{name}.jsonl")
    ]
    questions = [cases[i % len(cases)].question for i in range(args.questions)]
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, encoder backend {encoder.backend}"
    )
    messages = [
        c.question
        for name in ("dev4", "dev5", "dev6")
        for c in load_cases(REPO / f"tests/eval/{name}.jsonl")
    ]
    print("| system | p50 ms | p99 ms |")
    print("|---|---:|---:|")
    lexical = Engine(knowledge, EngineSettings(semantic=False))
    hybrid = Engine(knowledge, settings, encoder=encoder)
    for name, call in (
        ("lexical engine, cold", cold(lexical)),
        (f"hybrid engine, cold ({encoder.backend})", cold(hybrid)),
        (f"encoder alone ({encoder.backend})", lambda q: encoder.encode([q])),
        ("encoder alone (numpy float32)", Encoder(settings.model_path, prefer_onnx=False).encode),
    ):
        if name.startswith("encoder alone (numpy"):
            numpy_encode = call
            call = lambda q, f=numpy_encode: f([q])  # noqa: E731
        p50, p99 = timed(call, questions)
        print(f"| {name} | {p50:.2f} | {p99:.2f} |", flush=True)
    for engine in (lexical, hybrid):
        p50, p99 = timed(cold_message(engine), messages)
        print(f"| whole message, {engine.mode}, cold | {p50:.2f} | {p99:.2f} |", flush=True)

    print()
    print("| build | ms |")
    print("|---|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        model = Path(tmp)
        for item in settings.model_path.iterdir():
            if item.name != CACHE_DIR:
                (model / item.name).symlink_to(item)
        fresh = Encoder(model)
        start = time.perf_counter()
        Engine(knowledge, settings, encoder=fresh)
        print(
            f"| hybrid engine, cold embedding cache | {(time.perf_counter() - start) * 1000:,.0f} |"
        )
        start = time.perf_counter()
        Engine(knowledge, settings, encoder=Encoder(model))
        warm = (time.perf_counter() - start) * 1000
        print(f"| hybrid engine, warm cache (new encoder) | {warm:,.0f} |")
        shutil.rmtree(model / CACHE_DIR, ignore_errors=True)
    start = time.perf_counter()
    Engine(knowledge, EngineSettings(semantic=False))
    print(f"| lexical engine | {(time.perf_counter() - start) * 1000:,.0f} |")

    print()
    print("| fresh process | imports + content + engine, s | peak RSS after 300 questions, MiB |")
    print("|---|---:|---:|")
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write("\n".join(questions))
    try:
        for semantic in (False, True):
            ready, rss, mode = child(semantic, Path(handle.name))
            print(f"| {mode} | {ready:.2f} | {rss:.0f} |", flush=True)
    finally:
        Path(handle.name).unlink()


if __name__ == "__main__":
    main()
