"""Load benchmark (issue 9): the FAQ bot against a minimal discord.py bot, same server, same load.

Why this shape:

* The bot runs as users run it, a separate ``python -m bot run --config FILE``
  process with a fresh database, so start-up, memory and shutdown are the real
  ones. FakeDiscord (tests/fakediscord) runs in this process and records when
  each request arrived, so latency is measured at the server: from the moment a
  MESSAGE_CREATE frame was written to the bot's websocket to the moment the
  reply's ``POST /channels/{id}/messages`` was received.
* ``bench/minimal_bot.py`` (same intents, same ``AllowedMentions.none()``, a fixed
  embed per mention) gets the same load in the same run, so each figure reads
  as a ratio: what the FAQ bot costs on top of discord.py itself.
* Two phases per bot. A burst of ``--questions`` mentions sent as fast as the
  server can write them measures throughput (its latencies are queueing time).
  Then ``--rate`` questions per second for ``--seconds`` measures latency.
* Questions are a deterministic shuffle of tests/eval/dev.jsonl (answered,
  unanswered and urgent in the set's proportions). Each member asks at most
  ``--per-user`` questions per phase (the default cooldown is 5 per 30 s), so
  no question is refused by the cooldown and every one must get one reply.
* The rows the bot should log are the questions the engine itself classifies as
  ``no_answer`` (computed here with the shipped content and default settings);
  they are compared with the database after the bot exited on SIGTERM.

The fake server does in this process what Discord does elsewhere (schema
validation of every reply included), so the load generator's own CPU share is
printed too: near 100 % means the figures are capped by the server, not the bot.

Usage: python bench/bench_load.py [--questions 2000] [--rate 100] [--seconds 10] [--out FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import random
import re
import signal
import sqlite3
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bot.config import SHIPPED_CONTENT  # noqa: E402
from bot.content import load_content  # noqa: E402
from bot.engine import Engine  # noqa: E402
from tests.fakediscord import Channel, FakeDiscord, User  # noqa: E402
from tests.fakediscord.gateway import Connection, GatewayHub  # noqa: E402
from tests.fakediscord.validation import Operation  # noqa: E402

TOKEN = "bench.token-for-the-load-benchmark.XYZ"
DEV_SET = REPO / "tests/eval/dev.jsonl"
REPLY_PATH = re.compile(r"^/channels/\d+/messages$")
WARM_UP = "why do my calves cramp at night?"
CHANNELS = 4
#: Give up on a phase when no reply arrived for this long (lost replies are reported).
STALL_SECONDS = 15.0


# -- the server ----------------------------------------------------------------------------------


class BenchDiscord(FakeDiscord):
    """FakeDiscord with an id index for ``find_message``, sampled schema checks and a
    clock on READY.

    The benchmark measures the bot, not the fake server, and both share two cores:

    * the stock ``find_message`` scans every stored message (fine for a test,
      quadratic for thousands of replies);
    * OpenAPI (jsonschema) validation of a FAQ reply, with its embed and
      components, costs the server more than the bot spends answering: validated
      in full, it halves the FAQ bot's measured throughput and not the minimal
      bot's. So the first 50 bodies and then one in ``validate_every`` are
      validated; Discord's limits and the allowed-mentions policy are still
      checked on every body, and any violation is reported.

    READY's time is when this server sent the bot its session.
    """

    def __init__(self, validate_every: int = 50) -> None:
        super().__init__()
        self.bodies = self.validated = 0
        validate = self.validator.validate

        def sampled(op: Operation, body: Any) -> list[str]:
            self.bodies += 1
            if self.bodies > 50 and self.bodies % validate_every:
                return []
            self.validated += 1
            return validate(op, body)

        self.validator.validate = sampled  # type: ignore[method-assign]
        self.by_id: dict[str, dict[str, Any]] = {}
        self.ready_at: float | None = None
        hub: GatewayHub = self.gateway
        identify = hub._identify

        def timed_identify(conn: Connection, data: dict[str, Any]) -> None:
            if self.ready_at is None:
                self.ready_at = time.monotonic()
            identify(conn, data)

        hub._identify = timed_identify  # type: ignore[method-assign]

    def find_message(self, message_id: str) -> dict[str, Any] | None:
        return self.by_id.get(str(message_id)) or super().find_message(message_id)

    async def ask(self, channel: Channel, user: User, text: str) -> tuple[str, float]:
        """``user`` posts ``@bot text``; (message id, when the frame was written)."""
        message = await self.send_message(channel, user, f"{self.mention(self.bot_user)} {text}")
        self.by_id[message["id"]] = message
        return message["id"], time.monotonic()


class Replies:
    """Reply requests as the server received them, read incrementally from its log."""

    def __init__(self, server: FakeDiscord) -> None:
        self.server = server
        self.seen = 0
        self.times: dict[str, list[float]] = defaultdict(list)

    def collect(self) -> None:
        requests = self.server.requests
        for rec in requests[self.seen :]:
            if rec.method != "POST" or not REPLY_PATH.search(rec.api_path):
                continue
            ref = (rec.json or {}).get("message_reference") or {}
            if ref.get("message_id") is not None:
                self.times[str(ref["message_id"])].append(rec.received_at)
        self.seen = len(requests)

    async def wait_for(self, ids: Sequence[str]) -> None:
        """Until every id in ``ids`` has a reply, or nothing arrived for STALL_SECONDS."""
        last_progress, answered = time.monotonic(), -1
        while True:
            self.collect()
            now_answered = sum(1 for i in ids if self.times.get(i))
            if now_answered == len(ids):
                return
            if now_answered != answered:
                answered, last_progress = now_answered, time.monotonic()
            elif time.monotonic() - last_progress > STALL_SECONDS:
                return
            await asyncio.sleep(0.005)


# -- figures -------------------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


@dataclass
class Phase:
    """One load phase: what was sent and what came back."""

    sent: dict[str, float] = field(default_factory=dict)
    started: float = 0.0
    finished: float = 0.0
    send_seconds: float = 0.0
    server_cpu: float = 0.0

    def latencies(self, replies: Replies) -> list[float]:
        return [replies.times[i][0] - t for i, t in self.sent.items() if replies.times.get(i)]

    def replied(self, replies: Replies) -> int:
        return sum(1 for i in self.sent if replies.times.get(i))

    def duplicates(self, replies: Replies) -> int:
        return sum(len(replies.times[i]) - 1 for i in self.sent if len(replies.times[i]) > 1)

    def last_reply(self, replies: Replies) -> float:
        return max((replies.times[i][-1] for i in self.sent if replies.times.get(i)), default=0.0)


@dataclass
class Result:
    """Everything measured for one bot."""

    name: str
    startup: float
    burst: Phase
    steady: Phase
    replies: Replies
    expected_rows: int
    rows: int
    distinct_rows: int
    lost_rows: int
    unexpected_rows: int
    peak_rss_mb: float
    idle_rss_mb: float
    exit_code: int | None
    violations: list[str]
    validated: str

    @property
    def qps(self) -> float:
        span = self.burst.last_reply(self.replies) - min(self.burst.sent.values())
        return self.burst.replied(self.replies) / span if span > 0 else math.nan

    def lat(self, phase: Phase, p: float) -> float:
        return percentile(phase.latencies(self.replies), p) * 1000

    @property
    def sent(self) -> int:
        return len(self.burst.sent) + len(self.steady.sent)

    @property
    def replied(self) -> int:
        return self.burst.replied(self.replies) + self.steady.replied(self.replies)

    @property
    def duplicate_replies(self) -> int:
        return self.burst.duplicates(self.replies) + self.steady.duplicates(self.replies)


# -- one run -------------------------------------------------------------------------------------


@dataclass
class Load:
    """The questions of both phases, and which ones the engine leaves unanswered."""

    burst: list[str]
    steady: list[str]
    unanswered: set[str]
    mix: Counter[str]


def make_load(questions: int, steady: int, seed: int = 9) -> Load:
    cases = [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines() if line]
    rng = random.Random(seed)
    pool: list[dict[str, Any]] = []
    while len(pool) < questions + steady:
        batch = list(cases)
        rng.shuffle(batch)
        pool.extend(batch)
    pool = pool[: questions + steady]
    engine = Engine(load_content(SHIPPED_CONTENT))
    texts = [" ".join(str(c["question"]).split()) for c in pool]
    unanswered = {t for t in set(texts) if engine.ask(t).outcome == "no_answer"}
    return Load(
        texts[:questions],
        texts[questions:],
        unanswered,
        Counter(str(c["expect"]) for c in pool[:questions]),
    )


def vm_mb(pid: int, field: str = "VmHWM") -> float:
    """A memory figure of a live process from /proc (VmHWM: peak RSS; VmRSS: now), in MB."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return math.nan
    match = re.search(rf"^{field}:\s+(\d+)\s+kB", status, re.MULTILINE)
    return int(match.group(1)) / 1024 if match else math.nan


def faq_bot_command(server: FakeDiscord, folder: Path, guild_id: str) -> list[str]:
    """``python -m bot run --config FILE`` with a fresh database under ``folder``.

    No ``dev_guild_ids``: a production start does not sync commands. Default
    cooldown, engine and logging (INFO), as a deployment would have them.
    """
    config = folder / "config.toml"
    config.write_text(
        "[discord]\n"
        f'api_base_url = "{server.api_base_url}"\n'
        f'gateway_url = "{server.gateway_url}"\n'
        "[storage]\n"
        'database_path = "bot.sqlite3"\n',
        encoding="utf-8",
    )
    return [sys.executable, "-m", "bot", "run", "--config", str(config)]


def minimal_bot_command(server: FakeDiscord, folder: Path, guild_id: str) -> list[str]:
    return [
        sys.executable,
        str(REPO / "bench/minimal_bot.py"),
        "--api-base-url",
        server.api_base_url,
        "--gateway-url",
        server.gateway_url,
    ]


async def start_profiler(pid: int, output: Path) -> asyncio.subprocess.Process:
    """Attach py-spy (``pip install py-spy``) to the running bot; collapsed stacks to ``output``.

    Sampling from outside leaves the bot's code and start-up untouched.
    """
    py_spy = Path(sys.executable).with_name("py-spy")
    argv = [str(py_spy), "record", "-r", "250", "-f", "raw", "-o", str(output), "-p", str(pid)]
    spy = await asyncio.create_subprocess_exec(
        *argv, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
    )
    await asyncio.sleep(0.5)  # let it attach before the load starts
    return spy


async def send_burst(
    server: BenchDiscord, channels: list[Channel], users: list[User], texts: list[str]
) -> Phase:
    """Every question, each written as soon as the previous frame was."""
    phase = Phase()
    cpu, phase.started = time.process_time(), time.monotonic()
    for i, text in enumerate(texts):
        message_id, at = await server.ask(channels[i % len(channels)], users[i % len(users)], text)
        phase.sent[message_id] = at
    phase.send_seconds = time.monotonic() - phase.started
    phase.server_cpu = cpu  # completed in run_phase
    return phase


async def send_steady(
    server: BenchDiscord, channels: list[Channel], users: list[User], texts: list[str], rate: float
) -> Phase:
    """One question every ``1/rate`` seconds, on a fixed schedule (no drift)."""
    phase = Phase()
    cpu, phase.started = time.process_time(), time.monotonic()
    for i, text in enumerate(texts):
        delay = phase.started + i / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        message_id, at = await server.ask(channels[i % len(channels)], users[i % len(users)], text)
        phase.sent[message_id] = at
    phase.send_seconds = time.monotonic() - phase.started
    phase.server_cpu = cpu
    return phase


async def run_phase(sending: Any, replies: Replies) -> Phase:
    phase: Phase = await sending
    await replies.wait_for(list(phase.sent))
    phase.finished = time.monotonic()
    wall = phase.finished - phase.started
    phase.server_cpu = (time.process_time() - phase.server_cpu) / wall if wall > 0 else math.nan
    return phase


async def run_bot(
    name: str,
    command: Callable[[FakeDiscord, Path, str], list[str]],
    load: Load,
    *,
    rate: float,
    per_user: int,
    workdir: Path,
    validate_every: int,
    profile: Path | None = None,
) -> Result:
    server = BenchDiscord(validate_every)
    await server.start()
    folder = workdir / name
    folder.mkdir()
    try:
        guild = server.add_guild("Load Test")
        channels = [guild.add_channel(f"general-{i}") for i in range(CHANNELS)]
        burst_users = [server.add_user(f"b{i}") for i in range(-(-len(load.burst) // per_user))]
        steady_users = [server.add_user(f"s{i}") for i in range(-(-len(load.steady) // per_user))]
        warm_user = server.add_user("warm")
        for user in (*burst_users, *steady_users, warm_user):
            guild.add_member(user)
        env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
        env |= {"DISCORD_TOKEN": TOKEN, "PYTHONPATH": str(REPO)}
        argv = command(server, folder, guild.id)
        with (folder / "bot.log").open("wb") as log:
            spawned = time.monotonic()
            proc = await asyncio.create_subprocess_exec(
                *argv, cwd=folder, env=env, stdout=log, stderr=asyncio.subprocess.STDOUT
            )
        try:
            replies = Replies(server)
            deadline = time.monotonic() + 60
            while not any(s.connected for s in server.gateway.live_sessions()):
                if proc.returncode is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{name} did not connect; see {folder / 'bot.log'}")
                await asyncio.sleep(0.005)
            assert server.ready_at is not None
            startup = server.ready_at - spawned
            spy = await start_profiler(proc.pid, profile) if profile is not None else None
            warm_id, _ = await server.ask(channels[0], warm_user, WARM_UP)
            await replies.wait_for([warm_id])
            idle_rss = vm_mb(proc.pid, "VmRSS")
            burst = await run_phase(send_burst(server, channels, burst_users, load.burst), replies)
            steady = await run_phase(
                send_steady(server, channels, steady_users, load.steady, rate), replies
            )
            peak = vm_mb(proc.pid)
            if spy is not None:
                spy.send_signal(signal.SIGINT)  # py-spy writes its samples on SIGINT
                await asyncio.wait_for(spy.wait(), 60)
            proc.send_signal(signal.SIGTERM)
            await asyncio.wait_for(proc.wait(), 60)
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        replies.collect()
        expected_ids = {
            i
            for phase, texts in ((burst, load.burst), (steady, load.steady))
            for i, text in zip(phase.sent, texts, strict=True)
            if text in load.unanswered
        }
        rows = distinct = lost = unexpected = 0
        database = folder / "bot.sqlite3"
        if database.exists():
            with sqlite3.connect(database) as db:
                logged = [r[0] for r in db.execute("SELECT source_id FROM missed")]
            rows, distinct = len(logged), len(set(logged))
            lost = len(expected_ids - set(logged))
            unexpected = len(set(logged) - expected_ids)
        return Result(
            name=name,
            startup=startup,
            burst=burst,
            steady=steady,
            replies=replies,
            expected_rows=len(expected_ids) if database.exists() else 0,
            rows=rows,
            distinct_rows=distinct,
            lost_rows=lost,
            unexpected_rows=unexpected,
            peak_rss_mb=peak,
            idle_rss_mb=idle_rss,
            exit_code=proc.returncode,
            violations=list(server.violations),
            validated=f"{server.validated:,} of {server.bodies:,}",
        )
    finally:
        await server.close()


# -- report --------------------------------------------------------------------------------------


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {cpu}; "
        f"Python {platform.python_version()} on {platform.system()} {platform.release()}"
    )


def fmt(value: float, digits: int = 1) -> str:
    return "n/a" if math.isnan(value) else f"{value:,.{digits}f}"


def ratio(a: float, b: float) -> str:
    return "n/a" if not b or math.isnan(a) or math.isnan(b) else f"{a / b:.2f}x"


def report(
    bot: Result,
    base: Result,
    load: Load,
    args: argparse.Namespace,
    bots: list[Result],
    bases: list[Result],
) -> str:
    """The Markdown table (median runs), with each target and whether the FAQ bot met it."""

    def ok(passed: bool) -> str:
        return "met" if passed else "**missed**"

    steady_p99 = bot.lat(bot.steady, 99)
    rows: list[tuple[str, str, str, str, str]] = [
        (
            f"burst throughput (q/s, {len(load.burst):,} questions)",
            fmt(bot.qps),
            fmt(base.qps),
            ratio(bot.qps, base.qps),
            f">= 500 and >= 0.7x: {ok(bot.qps >= 500 and bot.qps >= 0.7 * base.qps)}",
        ),
    ]
    phases: list[tuple[str, Callable[[Result], Phase]]] = [
        ("burst", lambda r: r.burst),
        (f"steady {args.rate:g}/s", lambda r: r.steady),
    ]
    for label, phase_of in phases:
        for p in (50, 99, 100):
            name = "max" if p == 100 else f"p{p}"
            target = ""
            if label.startswith("steady") and p == 99:
                target = f"<= 20 ms: {ok(steady_p99 <= 20)}"
            elif label == "burst" and p == 50:
                target = "(queueing, not latency)"
            b, m = bot.lat(phase_of(bot), p), base.lat(phase_of(base), p)
            rows.append((f"{label} latency {name} (ms)", fmt(b), fmt(m), ratio(b, m), target))
    rows += [
        (
            "replies received / questions sent",
            f"{bot.replied:,} / {bot.sent:,}",
            f"{base.replied:,} / {base.sent:,}",
            "",
            f"zero lost: {ok(bot.replied == bot.sent)}",
        ),
        (
            "duplicate replies",
            str(bot.duplicate_replies),
            str(base.duplicate_replies),
            "",
            f"zero: {ok(bot.duplicate_replies == 0)}",
        ),
        (
            "missed rows in the db / expected",
            f"{bot.rows:,} / {bot.expected_rows:,}",
            "(no db)",
            "",
            f"zero lost: {ok(bot.lost_rows == 0 and bot.unexpected_rows == 0)}"
            f" ({bot.lost_rows} lost, {bot.unexpected_rows} unexpected)",
        ),
        (
            "duplicate rows",
            str(bot.rows - bot.distinct_rows),
            "",
            "",
            f"zero: {ok(bot.rows == bot.distinct_rows)}",
        ),
        (
            "peak RSS (MB, VmHWM)",
            fmt(bot.peak_rss_mb),
            fmt(base.peak_rss_mb),
            ratio(bot.peak_rss_mb, base.peak_rss_mb),
            f"<= 120 MB: {ok(bot.peak_rss_mb <= 120)}",
        ),
        (
            "RSS after start-up and one answer (MB)",
            fmt(bot.idle_rss_mb),
            fmt(base.idle_rss_mb),
            ratio(bot.idle_rss_mb, base.idle_rss_mb),
            "",
        ),
        (
            "start-up: process start to READY (s)",
            fmt(bot.startup, 2),
            fmt(base.startup, 2),
            ratio(bot.startup, base.startup),
            f"<= 1.5 s: {ok(bot.startup <= 1.5)}",
        ),
        ("exit status on SIGTERM", str(bot.exit_code), str(base.exit_code), "", ""),
        (
            "requests Discord would reject (violations)",
            str(len(bot.violations)),
            str(len(base.violations)),
            "",
            f"bodies schema-checked: {bot.validated} / {base.validated}",
        ),
        (
            "load generator + server CPU share (burst / steady)",
            f"{bot.burst.server_cpu:.0%} / {bot.steady.server_cpu:.0%}",
            f"{base.burst.server_cpu:.0%} / {base.steady.server_cpu:.0%}",
            "",
            "near 100% = server-bound",
        ),
    ]
    lines = [
        "| measure | FAQ bot | minimal bot | ratio | target |",
        "|---|---:|---:|---:|---|",
        *(f"| {' | '.join(r)} |" for r in rows),
    ]
    mix = ", ".join(f"{n} {kind}" for kind, n in sorted(load.mix.items()))
    return "\n".join(
        [
            *lines,
            "",
            f"Runs: {len(bots)}; the table shows each bot's median-throughput run. Burst "
            f"throughput of every run (q/s): FAQ bot {', '.join(fmt(r.qps, 0) for r in bots)}; "
            f"minimal bot {', '.join(fmt(r.qps, 0) for r in bases)}. Every run: "
            f"{sum(r.replied for r in bots):,} of {sum(r.sent for r in bots):,} FAQ replies, "
            f"{sum(r.lost_rows + r.unexpected_rows for r in bots)} lost or unexpected rows, "
            f"{sum(r.duplicate_replies for r in bots)} duplicate replies, "
            f"max steady p99 {fmt(max(r.lat(r.steady, 99) for r in bots))} ms, "
            f"max peak RSS {fmt(max(r.peak_rss_mb for r in bots))} MB, "
            f"max start-up {fmt(max(r.startup for r in bots), 2)} s, "
            f"exit statuses {sorted({r.exit_code for r in bots}, key=str)}.",
            "",
            f"Burst mix (tests/eval/dev.jsonl labels): {mix}; the engine leaves "
            f"{sum(1 for t in load.burst if t in load.unanswered)} of the burst and "
            f"{sum(1 for t in load.steady if t in load.unanswered)} of the steady "
            "questions unanswered (= rows expected).",
            f"Command: `{' '.join(['.venv/bin/python', 'bench/bench_load.py', *sys.argv[1:]])}`",
            f"Machine: {machine()}",
        ]
    )


async def main_async(args: argparse.Namespace) -> str:
    load = make_load(args.questions, int(args.rate * args.seconds))
    with tempfile.TemporaryDirectory(prefix="faqbot-bench-") as tmp:
        workdir = Path(args.keep) if args.keep else Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        common = {
            "rate": args.rate,
            "per_user": args.per_user,
            "workdir": workdir,
            "validate_every": args.validate_every,
        }
        bots: list[Result] = []
        bases: list[Result] = []
        for run in range(args.repeat):
            base = await run_bot(f"minimal-{run}", minimal_bot_command, load, **common)
            print(f"run {run + 1}: minimal bot {base.qps:,.0f} q/s", file=sys.stderr)
            bot = await run_bot(
                f"faqbot-{run}", faq_bot_command, load, **common, profile=args.profile
            )
            print(f"run {run + 1}: FAQ bot {bot.qps:,.0f} q/s", file=sys.stderr)
            bases.append(base)
            bots.append(bot)
    return report(median_run(bots), median_run(bases), load, args, bots, bases)


def median_run(results: list[Result]) -> Result:
    """The run with the median burst throughput (two cores shared with the load generator
    make single runs noisy; the median run is reported whole, so its figures belong together)."""
    ordered = sorted(results, key=lambda r: r.qps)
    return ordered[(len(ordered) - 1) // 2]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=2000, help="burst size")
    parser.add_argument("--rate", type=float, default=100.0, help="steady questions per second")
    parser.add_argument("--seconds", type=float, default=10.0, help="steady phase length")
    parser.add_argument("--repeat", type=int, default=3, help="runs per bot (median reported)")
    parser.add_argument("--per-user", type=int, default=5, help="questions per member per phase")
    parser.add_argument(
        "--validate-every",
        type=int,
        default=50,
        help="schema-check the first 50 bodies, then one in N (1 = all; slows the server)",
    )
    parser.add_argument("--keep", help="keep configs, logs and databases in this folder")
    parser.add_argument("--out", type=Path, help="also write the Markdown table here")
    parser.add_argument(
        "--profile",
        type=Path,
        help="run the FAQ bot under py-spy (pip install py-spy) and write collapsed stacks here",
    )
    args = parser.parse_args(argv)
    table = asyncio.run(main_async(args))
    print(table)
    if args.out:
        args.out.write_text(table + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
