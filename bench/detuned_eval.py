"""Evaluate the dev sets as if their own tuning had never happened (a generalisation proxy).

dev3 and dev4 were tuned on partly by adding member phrasings and synonyms to the
content, so the shipped content scores them higher than it would score blind questions.
This script rebuilds the content without the lines those tuning commits added
(phrasing and synonym lines that are still present verbatim) in a temporary folder and
reports the hybrid engine on each set against its de-tuned content, next to the shipped
content. Engine code tuned on the same sets is not undone, so the proxy is still
optimistic; the blind holdouts remain the real measure.

Usage: python bench/detuned_eval.py [--set NAME=COMMIT[,COMMIT...] ...]
(default: dev3 without ae76ae5,24b2943 and dev4 without 01d41a4)
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from pathlib import Path

from bot.config import SHIPPED_CONTENT, EngineSettings
from bot.content import load_content
from bot.engine import Engine
from bot.engine.evaluation import engine_predictor, load_cases, score

REPO = Path(__file__).resolve().parents[1]
DEFAULT = ("dev3=ae76ae5,24b2943", "dev4=01d41a4")


def added_lines(commit: str) -> dict[str, set[str]]:
    """Content path (relative to content/) -> quoted lines the commit added."""
    diff = subprocess.run(
        ["git", "-C", str(REPO), "diff", f"{commit}^", commit, "--", "content"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    out: dict[str, set[str]] = {}
    path: str | None = None
    for line in diff.splitlines():
        if line.startswith("+++ "):
            path = line[len("+++ b/content/") :] if line.startswith("+++ b/content/") else None
        elif line.startswith("+") and path and line[1:].strip().startswith('"'):
            out.setdefault(path, set()).add(line[1:])
    return out


def detuned_content(commits: list[str], into: Path) -> int:
    """Copy the shipped content to ``into`` without the lines ``commits`` added."""
    shutil.copytree(SHIPPED_CONTENT, into)
    removed = 0
    for commit in commits:
        for name, lines in added_lines(commit).items():
            path = into / name
            if not path.is_file():
                continue
            kept = path.read_text(encoding="utf-8").splitlines()
            left = [line for line in kept if line not in lines]
            removed += len(kept) - len(left)
            path.write_text("\n".join(left) + "\n", encoding="utf-8")
    return removed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", help="NAME=COMMIT[,COMMIT...] (dev sets only)")
    args = parser.parse_args()
    specs = args.set or list(DEFAULT)
    shipped = Engine(load_content(SHIPPED_CONTENT), EngineSettings())
    print(f"{'set':<16}{'top-1':>8}{'correct':>9}{'no-ans R':>10}")
    with tempfile.TemporaryDirectory() as tmp:
        for spec in specs:
            name, _, commits = spec.partition("=")
            if "holdout" in name:
                parser.error("the holdout splits are never tuned on, nor measured here")
            cases = load_cases(REPO / "tests" / "eval" / f"{name}.jsonl")
            folder = Path(tmp) / name
            removed = detuned_content(commits.split(","), folder)
            engine = Engine(load_content(folder), EngineSettings())
            for label, eng in ((name, shipped), (f"{name}-detuned", engine)):
                r = score(label, cases, engine_predictor(eng))
                print(
                    f"{label:<16}{r.top1:>8.1%}{r.answers_correct:>9.1%}{r.no_answer_recall:>10.1%}"
                )
            print(f"  ({removed} tuning lines removed)")


if __name__ == "__main__":
    main()
