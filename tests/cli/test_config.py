"""Configuration: defaults, file, environment, and one clear line for every mistake."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from bot.config import SCHEMA, SHIPPED_CONTENT, ConfigError, load_config

REPO = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = load_config(env={})
    assert config.source is None
    assert config.discord.api_base_url == "https://discord.com/api/v10"
    assert config.discord.gateway_url == "wss://gateway.discord.gg/"
    assert config.discord.dev_guild_ids == ()
    assert config.storage.database_path == Path("data/bot.sqlite3")
    assert config.storage.retention_days == 30
    assert config.content.path == SHIPPED_CONTENT
    assert config.logging.level == "INFO"
    assert config.token is None


def test_example_config_documents_every_key_and_loads(tmp_path: Path) -> None:
    text = (REPO / "config.example.toml").read_text(encoding="utf-8")
    for section, keys in SCHEMA.items():
        assert f"[{section}]" in text
        for key in keys:
            assert f"{key} =" in text, f"config.example.toml does not document [{section}] {key}"
    config = load_config(write(tmp_path, text), env={})
    assert config.storage.database_path == tmp_path / "data/bot.sqlite3"


def test_values_and_relative_paths(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [discord]
        api_base_url = "http://127.0.0.1:9999/api/v10/"
        gateway_url = "ws://127.0.0.1:9999/gateway"
        dev_guild_ids = [123456789012345678, "223456789012345678"]
        [storage]
        database_path = "db/x.sqlite3"
        [content]
        path = "/srv/content"
        [logging]
        level = "debug"
        """,
    )
    config = load_config(path, env={})
    assert config.discord.api_base_url == "http://127.0.0.1:9999/api/v10"
    assert config.discord.dev_guild_ids == (123456789012345678, 223456789012345678)
    assert config.storage.database_path == tmp_path / "db/x.sqlite3"
    assert config.content.path == Path("/srv/content")
    assert config.logging.level == "DEBUG"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (
            "[storage]\ndatabse_path = 'x'\n",
            "unknown key [storage] databse_path (did you mean 'database_path'?)",
        ),
        ("[storag]\ndatabase_path = 'x'\n", "unknown section [storag] (did you mean 'storage'?)"),
        (
            "[storage]\nretention_days = -3\n",
            "[storage] retention_days: expected an integer from 1 to 3650, got -3",
        ),
        ("[storage]\nretention_days = '30'\n", "[storage] retention_days: expected an integer"),
        (
            "[discord]\ndev_guild_ids = 5\n",
            "[discord] dev_guild_ids: expected a list of Discord ids",
        ),
        (
            "[discord]\napi_base_url = 'discord.com'\n",
            "[discord] api_base_url: expected a URL starting with http://",
        ),
        (
            "[discord]\ngateway_url = 'https://x'\n",
            "[discord] gateway_url: expected a URL starting with ws://",
        ),
        ("[logging]\nlevel = 'LOUD'\n", "[logging] level: expected one of DEBUG"),
        ("[engine]\nmin_score = true\n", "[engine] min_score: expected a number"),
        ("storage = 3\n", "[storage] must be a table"),
        ("[discord]\nshard_ids = [0]\n", "[discord] shard_ids needs [discord] shard_count"),
        ("[discord]\nshard_count = 2\nshard_ids = [2]\n", "expected numbers below shard_count (2)"),
        (
            "[storage]\nurl = 'mysql://x'\n",
            "[storage] url: expected a URL starting with postgresql://",
        ),
        ("[storage\n", "not valid TOML"),
    ],
)
def test_mistakes_fail_with_one_clear_line(tmp_path: Path, text: str, fragment: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path, env={})
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    assert fragment in message


def test_token_in_file_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "[discord]\ntoken = 'abc.def.ghi'\n")
    with pytest.raises(ConfigError) as info:
        load_config(path, env={})
    assert "DISCORD_TOKEN" in str(info.value)
    assert "abc.def.ghi" not in str(info.value)


def test_token_from_environment_then_dotenv(tmp_path: Path) -> None:
    path = write(tmp_path, "")
    (tmp_path / ".env").write_text("# secrets\nDISCORD_TOKEN='from-dotenv'\n", encoding="utf-8")
    assert load_config(path, env={}).token == "from-dotenv"
    assert load_config(path, env={"DISCORD_TOKEN": "from-env"}).token == "from-env"
    assert "from-env" not in repr(load_config(path, env={"DISCORD_TOKEN": "from-env"}))


def test_environment_overrides(tmp_path: Path) -> None:
    path = write(tmp_path, "[storage]\nretention_days = 10\n")
    env = {
        "BOT_STORAGE_RETENTION_DAYS": "7",
        "BOT_LOGGING_LEVEL": "warning",
        "BOT_DISCORD_DEV_GUILD_IDS": "[42]",
        "BOT_STORAGE_DATABASE_PATH": "/tmp/x.sqlite3",
    }
    config = load_config(path, env=env)
    assert config.storage.retention_days == 7
    assert config.logging.level == "WARNING"
    assert config.discord.dev_guild_ids == (42,)
    assert config.storage.database_path == Path("/tmp/x.sqlite3")
    with pytest.raises(ConfigError, match="environment BOT_STORAGE_RETENTION_DAYS"):
        load_config(path, env={"BOT_STORAGE_RETENTION_DAYS": "0"})


def test_missing_explicit_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.toml", env={})


def test_example_is_valid_toml() -> None:
    tomllib.loads((REPO / "config.example.toml").read_text(encoding="utf-8"))


def test_answers_keys_default_and_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    defaults = load_config(env={})
    assert defaults.answers.context_menu_public is True
    assert defaults.answers.forum_channel_ids == ()
    assert defaults.health.heartbeat_path is None
    path = write(
        tmp_path,
        "[answers]\ncontext_menu_public = false\nforum_channel_ids = [123456789012345678]\n"
        '[health]\nheartbeat_path = "run/heartbeat"\n',
    )
    config = load_config(path, env={"BOT_ANSWERS_FORUM_CHANNEL_IDS": '["223456789012345678"]'})
    assert config.answers.context_menu_public is False
    assert config.answers.forum_channel_ids == (223456789012345678,)
    assert config.health.heartbeat_path == tmp_path / "run/heartbeat"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[answers]\ncontext_menu_public = "no"\n', "[answers] context_menu_public: expected true"),
        ("[answers]\nforum_channel_ids = 5\n", "[answers] forum_channel_ids: expected a list"),
        ("[answers]\nforum_channel = []\n", "did you mean 'forum_channel_ids'"),
    ],
)
def test_answers_keys_reject_bad_values(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(expected)):
        load_config(write(tmp_path, text), env={})


def test_engine_semantic_keys(tmp_path: Path) -> None:
    default = load_config(env={})
    assert default.engine.semantic is True
    assert default.engine.model_path.name == "all-MiniLM-L6-v2"
    assert default.engine.model_path.is_absolute()
    config = load_config(
        write(tmp_path, '[engine]\nsemantic = false\nmodel_path = "models/minilm"\n'), env={}
    )
    assert config.engine.semantic is False
    assert config.engine.model_path == tmp_path / "models/minilm"
    home = load_config(write(tmp_path, '[engine]\nmodel_path = "~/m"\n'), env={})
    assert home.engine.model_path == Path.home() / "m"
    env = load_config(env={"BOT_ENGINE_SEMANTIC": "false"})
    assert env.engine.semantic is False
    with pytest.raises(ConfigError, match=r"\[engine\] semantic: expected true or false"):
        load_config(write(tmp_path, '[engine]\nsemantic = "yes"\n'), env={})


def documented_keys(text: str) -> dict[tuple[str, str], str | None]:
    """(section, key) -> the value text, for ``key = value`` and ``# key = value`` lines."""
    found: dict[tuple[str, str], str | None] = {}
    section = ""
    for raw in text.splitlines():
        line = raw.strip()
        header = re.fullmatch(r"\[(\w+)\]", line)
        if header:
            section = header.group(1)
            continue
        match = re.fullmatch(r"(#\s*)?([a-z_]+)\s*=\s*(.+)", line)
        if match and section:
            found[(section, match.group(2))] = None if match.group(1) else match.group(3)
    return found


def test_example_config_documents_each_declared_key_in_its_section() -> None:
    """Derived from the declarations: a new key fails here until config.example.toml has it."""
    text = (REPO / "config.example.toml").read_text(encoding="utf-8")
    documented = documented_keys(text)
    declared = {(s, k) for s, keys in SCHEMA.items() for k in keys}
    assert declared - set(documented) == set(), "missing from config.example.toml"
    assert set(documented) - declared == set(), "config.example.toml documents unknown keys"
    for (section, name), value in documented.items():
        key = SCHEMA[section][name]
        assert key.doc.strip(), f"[{section}] {name} has no doc"
        if value is not None and not key.relative_path:
            # Uncommented values in the example are the built-in defaults.
            converted = key.check(tomllib.loads(f"v = {value}")["v"])
            assert converted == key.default, f"[{section}] {name}: example differs from default"


def test_every_declared_key_has_an_environment_override(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each key's BOT_<SECTION>_<KEY> reaches that key's check, whatever its section."""
    monkeypatch.chdir(tmp_path)
    for section, keys in SCHEMA.items():
        for name, key in keys.items():
            assert key.env_name == f"BOT_{section.upper()}_{name.upper()}"
            with pytest.raises(ConfigError) as info:
                load_config(env={key.env_name: "[true]"})  # no key accepts a list of bools
            assert f"environment {key.env_name}: [{section}] {name}: expected" in str(info.value)
