"""The command line: help for every subcommand, ask/--json/--jsonl, check-content, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main

SUBCOMMANDS = ["run", "sync", "ask", "check-content", "eval", "missed"]
ASK_KEYS = {
    "question",
    "outcome",
    "mode",
    "entry",
    "score",
    "alternatives",
    "answers",
    "language",
    "text",
    "triage",
}


def test_help_for_every_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in ([], *([name] for name in SUBCOMMANDS)):
        with pytest.raises(SystemExit) as exit_info:
            main([*argv, "--help"])
        assert exit_info.value.code == 0
        assert "--config" in capsys.readouterr().out


def test_ask_prints_the_reply(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "why do my calves cramp at night?"]) == 0
    out = capsys.readouterr().out
    assert "General information only" in out
    assert "night" in out.lower()


def test_ask_json_has_exactly_the_documented_keys(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--json", "What is tetany?"]) == 0
    obj = json.loads(capsys.readouterr().out)
    assert set(obj) == ASK_KEYS
    assert obj["outcome"] == "answer"
    assert set(obj["entry"]) == {"id", "title", "topic", "questions"}
    assert "What is tetany?" in obj["entry"]["questions"]
    assert isinstance(obj["score"], float)


def test_ask_jsonl_keeps_order_and_answers_empty_lines(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    questions = ["What is tetany?", "", "hello there", "my calf is swollen and hot after a flight"]
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(questions) + "\n"))
    assert main(["ask", "--jsonl"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["question"] for r in rows] == questions
    assert [r["outcome"] for r in rows] == ["answer", "no_answer", "no_answer", "urgent"]
    assert all(set(r) == ASK_KEYS for r in rows)
    assert [r["triage"] for r in rows[:3]] == [None, None, None]
    assert rows[3]["triage"] == {"rule": "blood-clot", "severity": "emergency"}


def test_config_before_the_subcommand_is_honoured(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[storage]\nretention_days = 0\n", encoding="utf-8")
    assert main(["--config", str(bad), "ask", "x"]) == 1
    assert "retention_days" in capsys.readouterr().err
    assert main(["ask", "--config", str(bad), "x"]) == 1


def test_run_without_token_explains_how_to_provide_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["run"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "DISCORD_TOKEN" in err and "python -m bot ask" in err


def test_check_content_summary_and_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check-content"]) == 0
    assert capsys.readouterr().out.startswith("OK:")
    assert main(["check-content", str(tmp_path / "missing")]) == 1
    assert "error:" in capsys.readouterr().err


def test_check_content_warns_when_a_review_is_due(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-content", "--today", "2026-12-03"]) == 0
    assert "warning:" not in capsys.readouterr().err
    assert main(["check-content", "--today", "2031-01-01"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("OK:")
    assert "was due for review on 2027-12-02" in captured.err
    assert ".toml:" in captured.err.splitlines()[0]


def test_bot_command_names_come_from_the_command_tree() -> None:
    from bot.command_names import bot_command_names
    from bot.config import Config

    names = bot_command_names(Config())
    assert {"ask", "topics", "about", "missed", "forget-me", "faq-reload"} <= names
    from bot.content import load_content

    topics = load_content(Path(__file__).parents[2] / "content").topics.values()
    assert not names & {t.command for t in topics}  # topic commands are not the bot's own


def test_check_content_rejects_a_topic_named_like_a_bot_command(
    capsys: pytest.CaptureFixture[str],
) -> None:
    fixture = Path(__file__).parent.parent / "fixtures" / "content_broken" / "bot_command"
    assert main(["check-content", str(fixture)]) == 1
    err = capsys.readouterr().err
    assert "topics/extra.toml:4:" in err
    assert "command 'missed' is one of the bot's own commands" in err


def test_python_dash_m_bot_runs_as_a_module() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--json", "what is a charley horse"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["outcome"] == "answer"
