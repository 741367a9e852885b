"""Configuration: a TOML file, environment overrides and built-in defaults.

Every key is declared once in ``SCHEMA`` with its type, default and a check, so
that a typo or an impossible value fails at start-up with one line that names
the file, the key and what was expected, instead of surfacing later as a
confusing error deep inside discord.py or SQLite.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PACKAGE_ROOT = Path(__file__).resolve().parent
SHIPPED_CONTENT = PACKAGE_ROOT.parent / "content"
DEFAULT_CONFIG_FILE = Path("config.toml")
TOKEN_ENV = "DISCORD_TOKEN"
ENV_PREFIX = "BOT_"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
#: Where ``scripts/fetch_model.py`` puts the sentence-embedding model by default: a per-user
#: cache, shared by every checkout, outside the repository (the weights are 90 MB).
DEFAULT_MODEL_PATH = (
    Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    / "spasm-faq-bot"
    / "models"
    / "all-MiniLM-L6-v2"
)


class ConfigError(Exception):
    """A configuration problem, described in one line fit to show an operator."""


@dataclass(frozen=True, slots=True)
class DiscordSettings:
    api_base_url: str = "https://discord.com/api/v10"
    gateway_url: str = "wss://gateway.discord.gg/"
    dev_guild_ids: tuple[int, ...] = ()
    shard_count: int | None = None
    shard_ids: tuple[int, ...] | None = None


@dataclass(frozen=True, slots=True)
class StorageSettings:
    database_path: Path = Path("data/bot.sqlite3")
    url: str | None = None
    retention_days: int = 30
    store_raw_user_ids: bool = False
    queue_size: int = 10_000


@dataclass(frozen=True, slots=True)
class ContentSettings:
    path: Path = SHIPPED_CONTENT


@dataclass(frozen=True, slots=True)
class EngineSettings:
    """Decision thresholds; defaults are the values calibrated on tests/eval/dev.jsonl."""

    min_score: float = 0.52
    min_margin: float = 0.0
    suggestion_min_score: float = 0.2
    max_question_chars: int = 500
    #: Folder of the sentence-embedding model (``scripts/fetch_model.py`` fills it).
    model_path: Path = DEFAULT_MODEL_PATH
    #: Combine the lexical engine with sentence embeddings (falls back if the model is absent).
    semantic: bool = True


@dataclass(frozen=True, slots=True)
class CooldownSettings:
    rate: int = 5
    per_seconds: float = 30.0


@dataclass(frozen=True, slots=True)
class ModerationSettings:
    role_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class AnswersSettings:
    """Where members are answered besides /ask, mentions and DMs."""

    #: False: only moderators may use the "Answer with FAQ" message menu in a server.
    context_menu_public: bool = True
    #: Forum channels whose new posts get one suggestion card when the bot is confident.
    forum_channel_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class HealthSettings:
    #: File the bot touches while healthy, for ``python -m bot healthcheck`` (unset: none).
    heartbeat_path: Path | None = None


@dataclass(frozen=True, slots=True)
class LoggingSettings:
    level: str = "INFO"


@dataclass(frozen=True, slots=True)
class Config:
    discord: DiscordSettings = field(default_factory=DiscordSettings)
    storage: StorageSettings = field(default_factory=StorageSettings)
    content: ContentSettings = field(default_factory=ContentSettings)
    engine: EngineSettings = field(default_factory=EngineSettings)
    cooldown: CooldownSettings = field(default_factory=CooldownSettings)
    moderation: ModerationSettings = field(default_factory=ModerationSettings)
    answers: AnswersSettings = field(default_factory=AnswersSettings)
    health: HealthSettings = field(default_factory=HealthSettings)
    logging: LoggingSettings = field(default_factory=LoggingSettings)
    source: Path | None = None
    token: str | None = field(default=None, repr=False)


# ---------------------------------------------------------------------------
# Key checks: each returns the converted value or raises ValueError(expected).

Check = Callable[[Any], Any]


def _url(*schemes: str) -> Check:
    def check(value: Any) -> str:
        if not isinstance(value, str) or not value.startswith(tuple(f"{s}://" for s in schemes)):
            raise ValueError(f"a URL starting with {' or '.join(s + '://' for s in schemes)}")
        return value.rstrip("/") if "http" in schemes else value

    return check


def _snowflakes(value: Any) -> tuple[int, ...]:
    if not isinstance(value, list):
        raise ValueError("a list of Discord ids, e.g. [123456789012345678]")
    out = []
    for item in value:
        if isinstance(item, str) and item.isdigit():
            item = int(item)
        if isinstance(item, bool) or not isinstance(item, int) or not 0 < item < 2**64:
            raise ValueError("a list of Discord ids (positive integers), e.g. [123456789012345678]")
        out.append(item)
    return tuple(out)


def _shard_ids(value: Any) -> tuple[int, ...]:
    if not isinstance(value, list) or not value:
        raise ValueError("a non-empty list of shard numbers, e.g. [0, 1]")
    if any(isinstance(v, bool) or not isinstance(v, int) or v < 0 for v in value):
        raise ValueError("a non-empty list of shard numbers (integers from 0), e.g. [0, 1]")
    if len(set(value)) != len(value):
        raise ValueError("a list of distinct shard numbers, e.g. [0, 1]")
    return tuple(value)


def _postgres_url(value: Any) -> str:
    if not isinstance(value, str) or not value.startswith(("postgresql://", "postgres://")):
        raise ValueError("a URL starting with postgresql://")
    return value


def _int(low: int, high: int) -> Check:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"an integer from {low} to {high}")
        return value

    return check


def _float(low: float, high: float) -> Check:
    def check(value: Any) -> float:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not low <= value <= high
        ):
            raise ValueError(f"a number from {low} to {high}")
        return float(value)

    return check


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("true or false")
    return value


def _path(value: Any) -> Path:
    if not isinstance(value, str) or not value.strip() or "\0" in value:
        raise ValueError("a non-empty path string")
    return Path(value)


def _user_path(value: Any) -> Path:
    """A path that may start with ``~`` (the model cache usually lives in a home folder)."""
    return _path(value).expanduser()


def _level(value: Any) -> str:
    if not isinstance(value, str) or value.upper() not in LOG_LEVELS:
        raise ValueError("one of " + ", ".join(LOG_LEVELS))
    return value.upper()


SCHEMA: dict[str, dict[str, Check]] = {
    "discord": {
        "api_base_url": _url("http", "https"),
        "gateway_url": _url("ws", "wss"),
        "dev_guild_ids": _snowflakes,
        "shard_count": _int(1, 100_000),
        "shard_ids": _shard_ids,
    },
    "storage": {
        "database_path": _path,
        "url": _postgres_url,
        "retention_days": _int(1, 3650),
        "store_raw_user_ids": _bool,
        "queue_size": _int(100, 1_000_000),
    },
    "content": {"path": _path},
    "engine": {
        "min_score": _float(0.0, 100.0),
        "min_margin": _float(0.0, 100.0),
        "suggestion_min_score": _float(0.0, 100.0),
        "max_question_chars": _int(20, 4000),
        "model_path": _user_path,
        "semantic": _bool,
    },
    "cooldown": {"rate": _int(1, 1000), "per_seconds": _float(0.0, 86_400.0)},
    "moderation": {"role_ids": _snowflakes},
    "answers": {"context_menu_public": _bool, "forum_channel_ids": _snowflakes},
    "health": {"heartbeat_path": _path},
    "logging": {"level": _level},
}
_SECTION_TYPES: dict[str, type[Any]] = {
    "discord": DiscordSettings,
    "storage": StorageSettings,
    "content": ContentSettings,
    "engine": EngineSettings,
    "cooldown": CooldownSettings,
    "moderation": ModerationSettings,
    "answers": AnswersSettings,
    "health": HealthSettings,
    "logging": LoggingSettings,
}
PATH_KEYS = {
    ("storage", "database_path"),
    ("content", "path"),
    ("health", "heartbeat_path"),
    ("engine", "model_path"),
}


def _suggest(name: str, options: list[str]) -> str:
    close = difflib.get_close_matches(name, options, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def read_dotenv(path: Path) -> dict[str, str]:
    """Parse a ``.env`` file: ``KEY=value`` lines, ``#`` comments, optional quotes."""
    values: dict[str, str] = {}
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return values
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the .env file ({exc})") from exc
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def _parse_env_value(raw: str) -> Any:
    """Environment values are TOML literals when they parse as one, else plain strings."""
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


def _env_overrides(env: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """``BOT_STORAGE_DATABASE_PATH=/x`` overrides ``[storage] database_path``."""
    out: dict[str, dict[str, Any]] = {}
    for name, raw in env.items():
        if not name.startswith(ENV_PREFIX):
            continue
        rest = name[len(ENV_PREFIX) :].lower()
        for section, keys in SCHEMA.items():
            if rest.startswith(section + "_") and rest[len(section) + 1 :] in keys:
                out.setdefault(section, {})[rest[len(section) + 1 :]] = _parse_env_value(raw)
                break
    return out


def _check_shards(discord: DiscordSettings | None, where: str) -> None:
    if discord is None or discord.shard_ids is None:
        return
    if discord.shard_count is None:
        raise ConfigError(f"{where}: [discord] shard_ids needs [discord] shard_count as well")
    too_big = [i for i in discord.shard_ids if i >= discord.shard_count]
    if too_big:
        raise ConfigError(
            f"{where}: [discord] shard_ids: expected numbers below shard_count "
            f"({discord.shard_count}), got {too_big}"
        )


def load_config(
    path: Path | None = None,
    *,
    env: Mapping[str, str] | None = None,
) -> Config:
    """Load ``path`` (default ``config.toml`` if it exists), apply environment overrides.

    Relative paths inside the file are resolved against the file's folder, so a
    config works the same whatever the current directory is.
    """
    environ = dict(os.environ if env is None else env)
    explicit = path is not None
    path = path or DEFAULT_CONFIG_FILE
    data: dict[str, Any] = {}
    base = Path.cwd()
    source: Path | None = None
    if path.exists():
        source = path
        base = path.resolve().parent
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read the config file ({exc})") from exc
    elif explicit:
        raise ConfigError(
            f"{path}: config file not found (copy config.example.toml to start one, "
            "or leave out --config to use the built-in defaults)"
        )
    where = str(source) if source else "built-in defaults"
    sections: dict[str, dict[str, Any]] = {}
    for section, table in data.items():
        if section not in SCHEMA:
            raise ConfigError(
                f"{where}: unknown section [{section}]{_suggest(section, list(SCHEMA))}; "
                f"known sections: {', '.join(SCHEMA)}"
            )
        if not isinstance(table, dict):
            raise ConfigError(
                f"{where}: [{section}] must be a table of keys, got {_describe(table)}"
            )
        for key, value in table.items():
            if section == "discord" and key == "token":
                raise ConfigError(
                    f"{where}: [discord] token: the token is never read from a config file, "
                    "which gets committed and shared; remove it and set the DISCORD_TOKEN "
                    "environment variable (or put DISCORD_TOKEN=... in a .env file beside "
                    "the config)"
                )
            if key not in SCHEMA[section]:
                raise ConfigError(
                    f"{where}: unknown key [{section}] {key}"
                    f"{_suggest(key, list(SCHEMA[section]))}; "
                    f"known keys: {', '.join(SCHEMA[section])}"
                )
            sections.setdefault(section, {})[key] = (value, where)
    for section, keys in _env_overrides(environ).items():
        for key, value in keys.items():
            origin = f"environment {ENV_PREFIX}{section.upper()}_{key.upper()}"
            sections.setdefault(section, {})[key] = (value, origin)
    built: dict[str, Any] = {}
    for section, keys in sections.items():
        kwargs: dict[str, Any] = {}
        for key, (value, origin) in keys.items():
            try:
                converted = SCHEMA[section][key](value)
            except ValueError as exc:
                raise ConfigError(
                    f"{origin}: [{section}] {key}: expected {exc}, got {_describe(value)}"
                ) from None
            if (section, key) in PATH_KEYS and not converted.is_absolute():
                converted = base / converted
            kwargs[key] = converted
        built[section] = _SECTION_TYPES[section](**kwargs)
    _check_shards(built.get("discord"), where)
    dotenv = read_dotenv((source.resolve().parent if source else base) / ".env")
    token = environ.get(TOKEN_ENV) or dotenv.get(TOKEN_ENV) or None
    return Config(**built, source=source, token=token.strip() if token else None)
