"""Load benchmark, PostgreSQL column: the FAQ bot with SQLite and with PostgreSQL storage, one run.

Why a separate script: ``bench/bench_load.py`` compares the FAQ bot with a
minimal discord.py bot; this one reuses its load, server and measurements
(imported, not copied) to answer the scaling-out question: what does moving the
question log to PostgreSQL cost? Both bots get the same questions from the same
FakeDiscord setup, back to back; each PostgreSQL run gets a fresh database.

PostgreSQL is a throwaway server started like the tests do (``tests/pg.py``),
or ``--pg-url postgresql://...`` of a server you run (the benchmark creates and
drops its own databases there; the URL's database is only used to do that).

Usage: python bench/bench_load_pg.py [--questions 2000] [--rate 100] [--seconds 10] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

BENCH = Path(__file__).resolve().parent
for folder in (BENCH, BENCH.parent):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import asyncpg  # noqa: E402
import bench_load as bl  # noqa: E402

from tests.fakediscord import FakeDiscord  # noqa: E402

Command = Callable[[FakeDiscord, Path, str], list[str]]


def pg_bot_command(url: str) -> Command:
    """``python -m bot run`` with ``[storage] url``; otherwise as ``bench_load.faq_bot_command``."""

    def command(server: FakeDiscord, folder: Path, guild_id: str) -> list[str]:
        config = folder / "config.toml"
        config.write_text(
            "[discord]\n"
            f'api_base_url = "{server.api_base_url}"\n'
            f'gateway_url = "{server.gateway_url}"\n'
            "[storage]\n"
            f'url = "{url}"\n',
            encoding="utf-8",
        )
        return [sys.executable, "-m", "bot", "run", "--config", str(config)]

    return command


def database_url(server_url: str, name: str) -> str:
    return server_url.rsplit("/", 1)[0] + "/" + name


async def create_database(server_url: str, name: str) -> str:
    conn = await asyncpg.connect(server_url)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return database_url(server_url, name)


async def drop_database(server_url: str, name: str) -> None:
    conn = await asyncpg.connect(server_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
    finally:
        await conn.close()


async def with_pg_rows(result: bl.Result, load: bl.Load, url: str) -> bl.Result:
    """``run_bot`` counts rows in a SQLite file; count them in PostgreSQL instead."""
    expected = {
        i
        for phase, texts in ((result.burst, load.burst), (result.steady, load.steady))
        for i, text in zip(phase.sent, texts, strict=True)
        if text in load.unanswered
    }
    conn = await asyncpg.connect(url)
    try:
        logged = [r["source_id"] for r in await conn.fetch("SELECT source_id FROM missed")]
    finally:
        await conn.close()
    return dataclasses.replace(
        result,
        expected_rows=len(expected),
        rows=len(logged),
        distinct_rows=len(set(logged)),
        lost_rows=len(expected - set(logged)),
        unexpected_rows=len(set(logged) - expected),
    )


async def run_one(
    name: str, command: Command, load: bl.Load, args: argparse.Namespace
) -> bl.Result:
    return await bl.run_bot(
        name,
        command,
        load,
        rate=args.rate,
        per_user=args.per_user,
        workdir=args.workdir,
        validate_every=args.validate_every,
    )


async def run_pair(
    run: int, load: bl.Load, server_url: str, args: argparse.Namespace
) -> tuple[bl.Result, bl.Result]:
    """SQLite then PostgreSQL, same load, back to back (a fresh database for each)."""
    sqlite = await run_one(f"sqlite-{run}", bl.faq_bot_command, load, args)
    print(f"run {run + 1}: SQLite {sqlite.qps:,.0f} q/s", file=sys.stderr)
    name = f"faqbot_bench_{os.getpid()}_{run}"
    url = await create_database(server_url, name)
    try:
        result = await run_one(f"postgresql-{run}", pg_bot_command(url), load, args)
        postgres = await with_pg_rows(result, load, url)
    finally:
        await drop_database(server_url, name)
    print(f"run {run + 1}: PostgreSQL {postgres.qps:,.0f} q/s", file=sys.stderr)
    return sqlite, postgres


def report(sqlite: bl.Result, postgres: bl.Result, args: argparse.Namespace) -> str:
    """One Markdown table, the two storage backends side by side (median runs)."""

    def row(label: str, fmt: Callable[[bl.Result], str]) -> str:
        return f"| {label} | {fmt(sqlite)} | {fmt(postgres)} |"

    lines = [
        f"Load: burst of {args.questions} mentions, then {args.rate:g}/s for {args.seconds:g} s; "
        f"median of {args.repeat} run(s) per backend. {bl.machine()}",
        "",
        "| | SQLite | PostgreSQL |",
        "|---|---:|---:|",
        row("burst throughput (q/s)", lambda r: f"{r.qps:,.0f}"),
        row("burst p99 (ms)", lambda r: bl.fmt(r.lat(r.burst, 99))),
        row("steady p50 (ms)", lambda r: bl.fmt(r.lat(r.steady, 50))),
        row("steady p99 (ms)", lambda r: bl.fmt(r.lat(r.steady, 99))),
        row("replies / sent", lambda r: f"{r.replied:,} / {r.sent:,}"),
        row("duplicate replies", lambda r: str(r.duplicate_replies)),
        row("rows logged / expected", lambda r: f"{r.rows:,} / {r.expected_rows:,}"),
        row("rows lost / duplicated", lambda r: f"{r.lost_rows} / {r.rows - r.distinct_rows}"),
        row("exit status on SIGTERM", lambda r: str(r.exit_code)),
        row("start-up to READY (s)", lambda r: bl.fmt(r.startup, 2)),
        row("peak RSS (MB)", lambda r: bl.fmt(r.peak_rss_mb)),
    ]
    return "\n".join(lines)


async def main_async(args: argparse.Namespace) -> str:
    load = bl.make_load(args.questions, int(args.rate * args.seconds))
    throwaway = None
    server_url = args.pg_url
    if server_url is None:
        from tests.pg import PgServer

        throwaway = await asyncio.to_thread(PgServer)
        server_url = throwaway.url
    try:
        with tempfile.TemporaryDirectory(prefix="faqbot-bench-pg-") as tmp:
            args.workdir = Path(tmp)
            pairs = [await run_pair(run, load, server_url, args) for run in range(args.repeat)]
    finally:
        if throwaway is not None:
            await asyncio.to_thread(throwaway.destroy)
    sqlite = bl.median_run([s for s, _ in pairs])
    postgres = bl.median_run([p for _, p in pairs])
    return report(sqlite, postgres, args)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--questions", type=int, default=2000, help="burst size")
    parser.add_argument("--rate", type=float, default=100.0, help="steady questions per second")
    parser.add_argument("--seconds", type=float, default=10.0, help="steady phase length")
    parser.add_argument("--repeat", type=int, default=3, help="runs per backend (median reported)")
    parser.add_argument("--per-user", type=int, default=5, help="questions per member per phase")
    parser.add_argument("--validate-every", type=int, default=50, help="as in bench_load.py")
    parser.add_argument("--pg-url", help="a PostgreSQL server to use instead of a throwaway one")
    parser.add_argument("--out", type=Path, help="also write the Markdown table here")
    args = parser.parse_args(argv)
    table = asyncio.run(main_async(args))
    print(table)
    if args.out:
        args.out.write_text(table + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
