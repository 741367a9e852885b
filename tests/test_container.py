"""The container files carry what operators rely on, checked without a Docker engine.

CI builds the image only where ``docker info`` works (see .ci/run); these
checks run everywhere: slim Python 3.11 base, a non-root user, a HEALTHCHECK
that runs a real CLI command, no token baked in, and a compose file with the
bot, PostgreSQL, a named volume and the token from ``.env``.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli import build_parser
from bot.config import load_config

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE = ROOT / "compose.yaml"
DOCKERIGNORE = ROOT / ".dockerignore"


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs: comments dropped, continuation lines joined."""
    joined = re.sub(r"\\\n", " ", text)
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        out.append((keyword.upper(), rest.strip()))
    return out


def final_stage(items: list[tuple[str, str]]) -> list[tuple[str, str]]:
    last_from = max(i for i, (k, _) in enumerate(items) if k == "FROM")
    return items[last_from:]


def env_pairs(items: list[tuple[str, str]]) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for keyword, rest in items:
        if keyword == "ENV":
            for token in shlex.split(rest):
                key, _, value = token.partition("=")
                pairs[key] = value
    return pairs


@pytest.fixture(scope="module")
def dockerfile() -> list[tuple[str, str]]:
    return instructions(DOCKERFILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return data


def test_every_stage_is_slim_python_311(dockerfile: list[tuple[str, str]]) -> None:
    bases = [rest.split()[0] for keyword, rest in dockerfile if keyword == "FROM"]
    assert bases and all(base == "python:3.11-slim" for base in bases)


def test_runtime_runs_as_a_non_root_user(dockerfile: list[tuple[str, str]]) -> None:
    stage = final_stage(dockerfile)
    users = [rest for keyword, rest in stage if keyword == "USER"]
    assert users, "the runtime stage sets no USER (it would run as root)"
    assert users[-1].split(":")[0] not in ("root", "0")
    keywords = [k for k, _ in stage]
    assert keywords.index("USER") < keywords.index("CMD")


def test_no_build_tools_in_the_runtime_stage(dockerfile: list[tuple[str, str]]) -> None:
    runs = " ".join(rest for keyword, rest in final_stage(dockerfile) if keyword == "RUN")
    for tool in ("gcc", "build-essential", "apt-get install", "make "):
        assert tool not in runs


def test_healthcheck_runs_the_cli_healthcheck(dockerfile: list[tuple[str, str]]) -> None:
    checks = [rest for keyword, rest in final_stage(dockerfile) if keyword == "HEALTHCHECK"]
    assert len(checks) == 1
    command = checks[0].split("CMD", 1)[1]
    words = re.findall(r'"([^"]+)"', command) or command.split()
    assert words[:3] == ["python", "-m", "bot"]
    args = build_parser().parse_args(words[3:])
    assert args.command == "healthcheck"


def test_no_token_is_baked_into_the_image(dockerfile: list[tuple[str, str]]) -> None:
    for keyword, rest in dockerfile:
        if keyword in ("ENV", "ARG", "LABEL"):
            assert "TOKEN" not in rest.upper(), (keyword, rest)
        if keyword in ("COPY", "ADD"):
            assert ".env" not in rest.split(), rest
    ignored = DOCKERIGNORE.read_text(encoding="utf-8").split()
    assert ".env" in ignored and "config.toml" in ignored


def test_image_environment_names_real_config_keys(dockerfile: list[tuple[str, str]]) -> None:
    """A misspelt BOT_* variable would be silently ignored; these must all load."""
    env = {k: v for k, v in env_pairs(final_stage(dockerfile)).items() if k.startswith("BOT_")}
    assert "BOT_HEALTH_HEARTBEAT_PATH" in env
    config = load_config(None, env=env)
    assert config.health.heartbeat_path == Path(env["BOT_HEALTH_HEARTBEAT_PATH"])
    assert config.content.path == Path(env["BOT_CONTENT_PATH"])


def test_compose_runs_the_bot_with_postgresql(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) >= {"bot", "db"}
    bot, db = services["bot"], services["db"]
    assert bot["build"] == "." and bot["env_file"] in (".env", [".env"])
    url = bot["environment"]["BOT_STORAGE_URL"]
    assert url.startswith("postgresql://") and "@db:5432/" in url
    assert "DISCORD_TOKEN" not in bot.get("environment", {})
    assert bot["depends_on"]["db"]["condition"] == "service_healthy"
    assert db["image"].startswith("postgres:")
    assert "healthcheck" in db
    volume = db["volumes"][0].split(":")[0]
    assert volume in compose["volumes"], "the database needs a named volume"


def test_compose_environment_names_real_config_keys(compose: dict[str, Any]) -> None:
    env = {
        k: re.sub(r"\$\{(\w+):-([^}]*)\}", r"\2", v)
        for k, v in compose["services"]["bot"]["environment"].items()
        if k.startswith("BOT_")
    }
    config = load_config(None, env=env)
    assert config.storage.url is not None and config.storage.url.startswith("postgresql://")
