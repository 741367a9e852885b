"""``python -m bot``: run, sync, ask, check-content, eval, missed, healthcheck.

Each subcommand loads the configuration the same way, reports problems as one
clear line on stderr with a non-zero exit status, and never shows a traceback
for an operator's mistake.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from bot.config import TOKEN_ENV, Config, ConfigError, load_config
from bot.health import DEFAULT_MAX_AGE

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2
REPO_ROOT = Path(__file__).resolve().parent.parent
#: ``missed --kind``: "missed" (the FAQ had no answer), "language" (not English) or both.
KIND_CHOICES = ["missed", "language", "all"]
KIND_HELP = "missed (no answer), language (not English) or all (default)"
DEFAULT_EVAL_SETS = (REPO_ROOT / "tests/eval/dev.jsonl", REPO_ROOT / "tests/eval/holdout.jsonl")
DEFAULT_SEEDS = REPO_ROOT.parent / "shared" / "seeds"


class CommandError(Exception):
    """An error to print as one line, exiting with status 1."""


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_ERROR


# -- shared loading ------------------------------------------------------------------------------


def _load_knowledge(
    config: Config, path: Path | None = None, *, bot_commands: frozenset[str] = frozenset()
) -> Any:
    from bot.content import ContentError, load_content

    try:
        return load_content(path or config.content.path, bot_commands=bot_commands)
    except ContentError as exc:
        raise CommandError(f"content has errors:\n{exc}") from None


def _engine(config: Config) -> Any:
    from bot.engine import Engine

    return Engine(_load_knowledge(config), config.engine)


# -- subcommands ---------------------------------------------------------------------------------


def cmd_run(config: Config, args: argparse.Namespace) -> int:
    if not config.token:
        return _fail(
            f"no Discord token: set the {TOKEN_ENV} environment variable (or put "
            f"{TOKEN_ENV}=... in a .env file beside the config). To try answers without "
            'Discord, use: python -m bot ask "why do my legs cramp at night?"'
        )
    from bot.runner import run_bot

    return run_bot(config)


def cmd_healthcheck(config: Config, args: argparse.Namespace) -> int:
    """For a container HEALTHCHECK: exit 0 while the running bot's heartbeat is fresh."""
    from bot.health import check

    healthy, line = check(config.health.heartbeat_path, args.max_age)
    print(line, file=sys.stdout if healthy else sys.stderr)
    return EXIT_OK if healthy else EXIT_ERROR


def cmd_sync(config: Config, args: argparse.Namespace) -> int:
    if not config.token:
        return _fail(f"no Discord token: set the {TOKEN_ENV} environment variable to sync commands")
    from bot.runner import sync_commands

    return sync_commands(config, guild_id=args.guild)


def _decision_json(engine: Any, question: str) -> dict[str, Any]:
    """The ``ask --json`` object. ``answers`` lists every answer of the message (a
    two-question message has two; the first is ``entry``); ``language`` is the detected
    language code when the message is not English (``outcome`` is then "no_answer")."""
    from bot.engine import reply_text
    from bot.engine.message import ask_message, render_message

    result = ask_message(engine, question)
    decision = result.decision
    entry = decision.entry
    return {
        "question": question,
        "outcome": decision.outcome,
        "mode": decision.mode,
        "entry": None
        if entry is None
        else {
            "id": entry.id,
            "title": entry.title,
            "topic": entry.topic,
            "questions": [*entry.questions, *engine.learned_phrasings(entry.id)],
        },
        "score": float(decision.score),
        "alternatives": [
            {"id": c.entry.id, "title": c.entry.title, "score": round(float(c.score), 4)}
            for c in decision.alternatives
        ],
        "answers": [
            {
                "id": d.entry.id,
                "title": d.entry.title,
                "topic": d.entry.topic,
                "score": float(d.score),
                "question": d.question,
            }
            for d in result.answers
            if d.entry is not None
        ],
        "language": result.language,
        "text": reply_text(
            render_message(engine.knowledge, result, limit=engine.settings.max_question_chars)
        ),
        "triage": None
        if decision.triage is None
        else {"rule": decision.triage.id, "severity": decision.triage.severity},
    }


def cmd_ask(config: Config, args: argparse.Namespace) -> int:
    from bot.engine import reply_text
    from bot.engine.message import ask_message, render_message

    engine = _engine(config)
    out: TextIO = sys.stdout
    if args.jsonl:
        for line in sys.stdin:
            question = line.rstrip("\r\n")
            out.write(json.dumps(_decision_json(engine, question), ensure_ascii=False) + "\n")
        return EXIT_OK
    if args.question is None:
        raise CommandError('give a question, e.g. python -m bot ask "what is a charley horse?"')
    if args.json:
        out.write(json.dumps(_decision_json(engine, args.question), ensure_ascii=False) + "\n")
        return EXIT_OK
    result = ask_message(engine, args.question)
    limit = engine.settings.max_question_chars
    out.write(reply_text(render_message(engine.knowledge, result, limit=limit)) + "\n")
    return EXIT_OK


def cmd_check_content(config: Config, args: argparse.Namespace) -> int:
    import datetime

    from bot.command_names import bot_command_names

    knowledge = _load_knowledge(config, args.path, bot_commands=bot_command_names(config))
    print(knowledge.summary_line())
    today = args.today or datetime.datetime.now(datetime.UTC).date()
    for entry in knowledge.overdue(today):
        print(
            f"warning: {entry.file}:{entry.line}: entry '{entry.id}' was due for review on "
            f"{entry.next_review}",
            file=sys.stderr,
        )
    return EXIT_OK


def _iso_date(text: str) -> Any:
    import datetime

    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date like 2026-12-02: {text!r}") from None


def cmd_eval(config: Config, args: argparse.Namespace) -> int:
    from bot.engine import Engine
    from bot.engine.evaluation import (
        baseline_predictor,
        engine_predictor,
        load_cases,
        score,
        seed_questions,
        side_by_side,
    )

    knowledge = _load_knowledge(config)
    engine = Engine(knowledge, config.engine)
    # The lexical engine alone, beside the configured one, shows what the semantic layer adds.
    lexical = (
        Engine(knowledge, dataclasses.replace(config.engine, semantic=False))
        if engine.mode == "hybrid"
        else None
    )
    seeds = seed_questions(args.seeds) if args.seeds.is_dir() else []
    baseline = baseline_predictor(knowledge, seeds)
    sets = args.set or [p for p in DEFAULT_EVAL_SETS if p.exists()]
    if not sets:
        raise CommandError("no evaluation set found; pass --set PATH")
    results = []
    for path in sets:
        try:
            cases = load_cases(path)
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from None
        ours = score(path.stem, cases, engine_predictor(engine))
        base = score(
            f"{path.stem} (baseline: raw seed questions, BM25Okapi, no threshold)", cases, baseline
        )
        result = {"engine": {**ours.as_dict(), "mode": engine.mode}, "baseline": base.as_dict()}
        columns = [(engine.mode, ours)]
        if lexical is not None:
            plain = score(path.stem, cases, engine_predictor(lexical))
            result["lexical"] = plain.as_dict()
            columns = [("lexical", plain), ("hybrid", ours)]
        result[engine.mode] = ours.as_dict()
        results.append(result)
        if not args.json:
            print("\n".join(side_by_side(columns)))
            print("\n".join(base.lines()))
            if ours.failures and not args.quiet:
                print(f"  failures ({len(ours.failures)}):")
                print("\n".join(f"    {line}" for line in ours.failures))
            print()
    if args.json:
        print(json.dumps(results, indent=2))
    return EXIT_OK


def cmd_missed(config: Config, args: argparse.Namespace) -> int:
    from bot.cli.missed import missed_export, missed_list

    kind = None if args.kind == "all" else args.kind
    if args.action == "list":
        return missed_list(
            config, guild=args.guild, status=args.status, as_json=args.json, kind=kind
        )
    return missed_export(config, guild=args.guild, output=args.output, kind=kind)


def cmd_migrate_sqlite(config: Config, args: argparse.Namespace) -> int:
    from bot.storage import StorageError
    from bot.storage.sqlite_to_postgres import migrate_sqlite

    source = args.source or config.storage.database_path
    if not Path(source).exists():
        raise CommandError(f"{source}: no SQLite database there (use --from PATH)")
    try:
        report = asyncio.run(migrate_sqlite(source, args.to))
    except StorageError as exc:
        raise CommandError(f"migrate-sqlite: {exc}") from None
    print("\n".join(report.lines()))
    return EXIT_OK


# -- parser --------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        type=Path,
        # SUPPRESS: a --config given before the subcommand must not be reset by its parser.
        default=argparse.SUPPRESS,
        metavar="PATH",
        help="TOML config file (default: ./config.toml if present, else built-in defaults)",
    )
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="A Discord FAQ bot for muscle spasms and cramps, from curated content.",
        parents=[common],
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(name: str, func: Callable[[Config, argparse.Namespace], int], help_: str) -> Any:
        p = sub.add_parser(name, help=help_, description=help_, parents=[common])
        p.set_defaults(func=func)
        return p

    add("run", cmd_run, "Start the bot (token from DISCORD_TOKEN).")
    health = add(
        "healthcheck",
        cmd_healthcheck,
        "Exit 0 if the running bot wrote its heartbeat file recently, else 1.",
    )
    health.add_argument(
        "--max-age",
        type=float,
        default=DEFAULT_MAX_AGE,
        metavar="SECONDS",
        help=f"a heartbeat older than this is stale (default: {DEFAULT_MAX_AGE:.0f})",
    )
    sync = add("sync", cmd_sync, "Register slash commands globally, or with --guild to one guild.")
    sync.add_argument("--guild", type=int, metavar="ID", help="sync to this guild only (instant)")
    ask = add(
        "ask", cmd_ask, "Answer a question locally, exactly as the bot would; no Discord needed."
    )
    ask.add_argument("question", nargs="?", help="the question, in quotes")
    mode = ask.add_mutually_exclusive_group()
    mode.add_argument("--json", action="store_true", help="print one JSON object")
    mode.add_argument(
        "--jsonl",
        action="store_true",
        help="read one question per line from stdin, print one JSON object per line",
    )
    check = add("check-content", cmd_check_content, "Validate the knowledge files.")
    check.add_argument("path", nargs="?", type=Path, help="content folder (default: from config)")
    check.add_argument(
        "--today",
        type=_iso_date,
        metavar="DATE",
        help="warn about entries whose next_review is before DATE (default: today)",
    )
    ev = add("eval", cmd_eval, "Answer-quality report on the labelled question sets.")
    ev.add_argument(
        "--set",
        action="append",
        type=Path,
        metavar="PATH",
        help="JSONL question set (repeatable; default: tests/eval dev and holdout)",
    )
    ev.add_argument(
        "--seeds",
        type=Path,
        default=DEFAULT_SEEDS,
        help="seed documents folder for the naive baseline",
    )
    ev.add_argument("--json", action="store_true", help="print the figures as JSON")
    ev.add_argument("--quiet", action="store_true", help="do not list failures")
    missed = add("missed", cmd_missed, "List or export logged unanswered questions.")
    msub = missed.add_subparsers(dest="action", metavar="ACTION", required=True)
    ml = msub.add_parser("list", help="list logged questions of one guild", parents=[common])
    ml.add_argument("--guild", required=True, help="guild id (or 'dm' for direct messages)")
    ml.add_argument("--status", default="open", choices=["open", "resolved", "dismissed", "all"])
    ml.add_argument("--json", action="store_true", help="one JSON object per logged question")
    ml.add_argument("--kind", default="all", choices=KIND_CHOICES, help=KIND_HELP)
    me = msub.add_parser(
        "export", help="CSV plus a content snippet of open questions", parents=[common]
    )
    me.add_argument("--guild", required=True, help="guild id (or 'dm')")
    me.add_argument(
        "--output",
        type=Path,
        metavar="DIR",
        help="write missed.csv and missed-snippet.toml here (default: print)",
    )
    me.add_argument("--kind", default="all", choices=KIND_CHOICES, help=KIND_HELP)
    mig = add(
        "migrate-sqlite",
        cmd_migrate_sqlite,
        "Copy an existing SQLite log into PostgreSQL, verifying counts; the source is not changed.",
    )
    mig.add_argument("--to", required=True, metavar="URL", help="postgresql://user:pass@host/db")
    mig.add_argument(
        "--from",
        dest="source",
        type=Path,
        metavar="PATH",
        help="SQLite file (default: [storage] database_path)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        config = load_config(getattr(args, "config", None))
        result: int = args.func(config, args)
    except (ConfigError, CommandError) as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Output piped into `head` and the like: stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ERROR
    return result
