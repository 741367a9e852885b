"""``python -m bot missed list|export`` against a real SQLite file seeded through the store."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.storage import MissedRecord, SQLiteStore

GUILD_A, GUILD_B = "111", "222"
T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _rec(n: int, guild: str, question: str, **kw: object) -> MissedRecord:
    return MissedRecord(
        source_id=f"src-{guild}-{n}",
        guild_id=guild,
        channel_id="999",
        author_id=4242,
        question=question,
        normalised=question.lower().strip("?! "),
        created_at=T0 + timedelta(minutes=n),
        **kw,  # type: ignore[arg-type]
    )


async def _seed(path: Path) -> None:
    store = await SQLiteStore.open(path)
    try:
        for rec in (
            _rec(
                1,
                GUILD_A,
                "Why do my toes curl at night?",
                candidates=[("night-cramps", 0.31), ("causes", 0.2)],
            ),
            _rec(2, GUILD_A, "why do my toes curl at night"),
            _rec(3, GUILD_A, '=HYPERLINK("http://evil")'),
            _rec(4, GUILD_A, "Is pickle juice a scam?"),
            _rec(5, GUILD_B, "guild B secret question"),
        ):
            await store.log_missed(rec)
        await store.writer.flush()
        rows = await store.list_rows(GUILD_A, "open")
        pickle = next(r for r in rows if r.question.startswith("Is pickle"))
        assert await store.dismiss(GUILD_A, pickle.id, moderator_id=1, reason="joke") == 1
    finally:
        await store.close()


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    db = tmp_path / "data" / "bot.sqlite3"
    asyncio.run(_seed(db))
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[storage]\ndatabase_path = "{db.as_posix()}"\n', encoding="utf-8")
    return cfg


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_json_lines_have_the_documented_keys(
    config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(
        capsys, "missed", "list", "--guild", GUILD_A, "--json", "--config", str(config_file)
    )
    assert code == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) == 3  # open rows only, one per logged question (not grouped)
    for item in lines:
        assert {
            "id",
            "guild_id",
            "channel_id",
            "question",
            "status",
            "created_at",
            "entry_id",
        } <= item.keys()
        assert isinstance(item["id"], int)
        assert item["guild_id"] == GUILD_A
        assert item["status"] == "open"
        assert item["entry_id"] is None
    # newest first
    assert [i["created_at"] for i in lines] == sorted(
        (i["created_at"] for i in lines), reverse=True
    )


def test_list_status_filter_and_all(config_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        capsys,
        "missed",
        "list",
        "--guild",
        GUILD_A,
        "--status",
        "dismissed",
        "--json",
        "--config",
        str(config_file),
    )
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["question"] for r in rows] == ["Is pickle juice a scam?"]
    assert rows[0]["status"] == "dismissed"
    code, out, _ = _run(
        capsys,
        "missed",
        "list",
        "--guild",
        GUILD_A,
        "--status",
        "all",
        "--json",
        "--config",
        str(config_file),
    )
    assert code == 0
    assert len(out.splitlines()) == 4


def test_list_text_table(config_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "missed", "list", "--guild", GUILD_A, "--config", str(config_file))
    assert code == 0
    assert out.splitlines()[0].split()[:2] == ["id", "status"]
    assert "Why do my toes curl at night?" in out
    assert "pickle" not in out  # dismissed, not in the default (open) view
    assert out.rstrip().endswith(f"3 open question(s) logged for guild {GUILD_A}")


def test_list_is_scoped_to_the_guild(config_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        capsys,
        "missed",
        "list",
        "--guild",
        GUILD_A,
        "--status",
        "all",
        "--json",
        "--config",
        str(config_file),
    )
    assert code == 0
    assert "guild B secret" not in out
    code, out, _ = _run(
        capsys, "missed", "list", "--guild", GUILD_B, "--json", "--config", str(config_file)
    )
    assert [json.loads(line)["question"] for line in out.splitlines()] == [
        "guild B secret question"
    ]
    code, out, _ = _run(capsys, "missed", "list", "--guild", "333", "--config", str(config_file))
    assert code == 0
    assert out.strip() == "0 open question(s) logged for guild 333"


def test_export_to_folder_parses(
    config_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outdir = tmp_path / "export"
    code, out, err = _run(
        capsys,
        "missed",
        "export",
        "--guild",
        GUILD_A,
        "--output",
        str(outdir),
        "--config",
        str(config_file),
    )
    assert code == 0, err
    assert "missed.csv" in out
    rows = list(csv.DictReader(io.StringIO((outdir / "missed.csv").read_text(encoding="utf-8"))))
    by_question = {r["question"]: r for r in rows}
    # identical questions grouped; the dismissed one and guild B are absent
    assert by_question["why do my toes curl at night"]["count"] == "2"
    assert "Is pickle juice a scam?" not in by_question
    assert not any("guild B" in q for q in by_question)
    # spreadsheet formula injection defused
    assert '\'=HYPERLINK("http://evil")' in by_question
    snippet = tomllib.loads((outdir / "missed-snippet.toml").read_text(encoding="utf-8"))
    titles = [e["title"] for e in snippet.get("entries", [])]
    assert '=HYPERLINK("http://evil")' in titles


def test_export_prints_both_parts(config_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        capsys, "missed", "export", "--guild", GUILD_A, "--config", str(config_file)
    )
    assert code == 0
    assert out.startswith("id,count,first_asked")
    assert "# Suggested content changes" in out


def test_missing_database_is_one_line_and_not_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "nowhere" / "bot.sqlite3"
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[storage]\ndatabase_path = "{db.as_posix()}"\n', encoding="utf-8")
    for action in (["list"], ["export"]):
        code, out, err = _run(capsys, "missed", *action, "--guild", GUILD_A, "--config", str(cfg))
        assert code == 1
        assert out == ""
        assert len(err.strip().splitlines()) == 1
        assert err.startswith("error: ") and "no database" in err
    assert not db.exists()
    assert not db.parent.exists()


def test_list_works_while_the_bot_holds_the_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The bot keeps a writable WAL connection open; the read-only CLI still reads."""
    db = tmp_path / "live.sqlite3"
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[storage]\ndatabase_path = "{db.as_posix()}"\n', encoding="utf-8")

    async def scenario() -> None:
        store = await SQLiteStore.open(db)
        try:
            await store.log_missed(_rec(1, GUILD_A, "live question"))
            await store.writer.flush()
            code = await asyncio.to_thread(
                main, ["missed", "list", "--guild", GUILD_A, "--json", "--config", str(cfg)]
            )
            assert code == 0
        finally:
            await store.close()

    asyncio.run(scenario())
    out, _ = capsys.readouterr()
    assert json.loads(out)["question"] == "live question"


def test_list_and_export_filter_by_kind(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "bot.sqlite3"

    async def seed() -> None:
        store = await SQLiteStore.open(db)
        try:
            await store.log_missed(_rec(1, GUILD_A, "elbow clicking when i type"))
            await store.log_missed(
                _rec(2, GUILD_A, "tengo calambres en la pierna", kind="language", language="es")
            )
            await store.writer.flush()
        finally:
            await store.close()

    asyncio.run(seed())
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[storage]\ndatabase_path = "{db.as_posix()}"\n', encoding="utf-8")
    base = ("missed", "list", "--guild", GUILD_A, "--config", str(cfg))
    code, out, _ = _run(capsys, *base, "--json")
    assert code == 0
    kinds = {json.loads(line)["question"]: json.loads(line)["kind"] for line in out.splitlines()}
    assert kinds == {
        "elbow clicking when i type": "missed",
        "tengo calambres en la pierna": "language",
    }
    code, out, _ = _run(capsys, *base, "--kind", "language")
    assert code == 0 and "tengo calambres" in out and "elbow" not in out and "language" in out
    code, out, _ = _run(
        capsys, "missed", "export", "--guild", GUILD_A, "--kind", "missed", "--config", str(cfg)
    )
    assert code == 0 and "elbow clicking" in out and "tengo calambres" not in out
    code, out, _ = _run(capsys, "missed", "export", "--guild", GUILD_A, "--config", str(cfg))
    # Every kind is in the CSV; only FAQ gaps become new-entry templates.
    assert "tengo calambres" in out and "tengo calambres" not in out[out.index("[[entries]]") :]
