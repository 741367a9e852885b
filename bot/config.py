"""Configuration: a TOML file, environment overrides and built-in defaults.

Every key is declared once, as a field of its section's dataclass below:
``name: type = setting(default, check, doc)``. Everything else derives from those
declarations: ``SCHEMA`` (what the TOML loader accepts and checks, which paths are
resolved against the config file's folder), the ``BOT_<SECTION>_<KEY>`` environment
overrides, and the test that ``config.example.toml`` documents every key. A typo or
an impossible value fails at start-up with one line that names the file, the key
and what was expected, instead of surfacing later deep inside discord.py or SQLite.

Adding a key: one ``setting(...)`` line in its section dataclass, plus its commented
entry in ``config.example.toml`` (tests/test_config.py fails until it is there). A
new section: a new dataclass of settings and one field of ``Config``.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar

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
T = TypeVar("T")


class ConfigError(Exception):
    """A configuration problem, described in one line fit to show an operator."""


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


# ---------------------------------------------------------------------------
# The table of keys: one ``setting(default, check, doc)`` per key, in the section
# dataclasses below (they give the rest of the bot typed access, config.engine.min_score).


@dataclass(frozen=True, slots=True)
class Key:
    """One declared key, as the loader, the environment overrides and the tests see it."""

    section: str
    name: str
    default: Any
    check: Check
    doc: str
    #: A relative path in the file is resolved against the config file's folder.
    relative_path: bool

    @property
    def env_name(self) -> str:
        return f"{ENV_PREFIX}{self.section.upper()}_{self.name.upper()}"


def setting(default: T, check: Check, doc: str) -> T:
    """Declare a key of a section dataclass: its default (and so its type), check and doc."""
    relative = check in (_path, _user_path)
    meta = {"check": check, "doc": doc, "relative_path": relative}
    return field(default=default, metadata=meta)


@dataclass(frozen=True, slots=True)
class DiscordSettings:
    api_base_url: str = setting(
        "https://discord.com/api/v10", _url("http", "https"), "REST base URL (proxy or test server)"
    )
    gateway_url: str = setting(
        "wss://gateway.discord.gg/", _url("ws", "wss"), "Gateway (websocket) URL"
    )
    dev_guild_ids: tuple[int, ...] = setting(
        (), _snowflakes, "Guilds whose slash commands are synced at every start-up"
    )
    shard_count: int | None = setting(None, _int(1, 100_000), "Total shards (with shard_ids)")
    shard_ids: tuple[int, ...] | None = setting(None, _shard_ids, "Shards this process runs")


@dataclass(frozen=True, slots=True)
class StorageSettings:
    database_path: Path = setting(Path("data/bot.sqlite3"), _path, "SQLite database file")
    url: str | None = setting(None, _postgres_url, "PostgreSQL URL instead of SQLite")
    retention_days: int = setting(30, _int(1, 3650), "Days logged rows are kept")
    store_raw_user_ids: bool = setting(False, _bool, "Raw user ids instead of salted hashes")
    queue_size: int = setting(10_000, _int(100, 1_000_000), "Rows waiting for the writer")


@dataclass(frozen=True, slots=True)
class ContentSettings:
    path: Path = setting(SHIPPED_CONTENT, _path, "Folder of the knowledge files")


@dataclass(frozen=True, slots=True)
class EngineSettings:
    """Decision thresholds; defaults are the values calibrated on tests/eval/dev.jsonl."""

    min_score: float = setting(0.52, _float(0.0, 100.0), "Confidence needed to answer")
    min_margin: float = setting(0.0, _float(0.0, 100.0), "Lead needed over the runner-up")
    suggestion_min_score: float = setting(
        0.2, _float(0.0, 100.0), "Confidence needed for a near-miss suggestion"
    )
    max_question_chars: int = setting(500, _int(20, 4000), "Characters of a question read")
    model_path: Path = setting(
        DEFAULT_MODEL_PATH, _user_path, "Folder of the sentence-embedding model (fetch_model.py)"
    )
    semantic: bool = setting(
        True, _bool, "Combine word matching with sentence embeddings (lexical if no model)"
    )


@dataclass(frozen=True, slots=True)
class CooldownSettings:
    rate: int = setting(5, _int(1, 1000), "Questions per member per per_seconds")
    per_seconds: float = setting(30.0, _float(0.0, 86_400.0), "The cooldown window")


@dataclass(frozen=True, slots=True)
class ModerationSettings:
    role_ids: tuple[int, ...] = setting((), _snowflakes, "Roles that may moderate")


@dataclass(frozen=True, slots=True)
class AnswersSettings:
    """Where members are answered besides /ask, mentions and DMs."""

    context_menu_public: bool = setting(
        True, _bool, 'False: only moderators may use the "Answer with FAQ" menu in a server'
    )
    forum_channel_ids: tuple[int, ...] = setting(
        (), _snowflakes, "Forum channels whose new posts get one suggestion card when confident"
    )


@dataclass(frozen=True, slots=True)
class HealthSettings:
    heartbeat_path: Path | None = setting(
        None, _path, "File the bot touches while healthy, for python -m bot healthcheck"
    )


@dataclass(frozen=True, slots=True)
class LoggingSettings:
    level: str = setting("INFO", _level, "Log level")


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


# Derived from the declarations above; nothing below names a key.
_SECTION_TYPES: dict[str, type[Any]] = {
    f.name: f.default_factory  # type: ignore[misc]
    for f in fields(Config)
    if f.default_factory is not MISSING
}
SCHEMA: dict[str, dict[str, Key]] = {
    section: {
        f.name: Key(
            section,
            f.name,
            f.default,
            f.metadata["check"],
            f.metadata["doc"],
            f.metadata["relative_path"],
        )
        for f in fields(cls)
    }
    for section, cls in _SECTION_TYPES.items()
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
    by_env = {key.env_name: key for keys in SCHEMA.values() for key in keys.values()}
    out: dict[str, dict[str, Any]] = {}
    for name, raw in env.items():
        if not name.startswith(ENV_PREFIX):
            continue
        key = by_env.get(ENV_PREFIX + name[len(ENV_PREFIX) :].upper())
        if key is not None:
            out.setdefault(key.section, {})[key.name] = _parse_env_value(raw)
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
                converted = SCHEMA[section][key].check(value)
            except ValueError as exc:
                raise ConfigError(
                    f"{origin}: [{section}] {key}: expected {exc}, got {_describe(value)}"
                ) from None
            if SCHEMA[section][key].relative_path and not converted.is_absolute():
                converted = base / converted
            kwargs[key] = converted
        built[section] = _SECTION_TYPES[section](**kwargs)
    _check_shards(built.get("discord"), where)
    dotenv = read_dotenv((source.resolve().parent if source else base) / ".env")
    token = environ.get(TOKEN_ENV) or dotenv.get(TOKEN_ENV) or None
    return Config(**built, source=source, token=token.strip() if token else None)
