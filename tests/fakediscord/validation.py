"""Request validation: Discord's OpenAPI schema plus the limits it leaves out.

The OpenAPI document is large, so it is loaded once per process and every
operation's validator is compiled lazily and cached.  Two deliberate
relaxations keep the checks honest about what Discord *accepts* rather than
what the spec literally says:

* snowflakes may be JSON integers (discord.py sends some ids that way);
* permission bit sets may be digit strings (discord.py and Discord both
  serialise them as strings, the spec types some as integers).
"""

from __future__ import annotations

import copy
import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
from jsonschema.exceptions import ValidationError, best_match  # type: ignore[import-untyped]
from referencing import Registry
from referencing.jsonschema import DRAFT202012

SPEC_URI = "urn:discord-openapi"
_PERMISSION_FIELDS = {"default_member_permissions", "permissions", "allow", "deny"}
_HTTP_METHODS = ("get", "put", "post", "patch", "delete")


@dataclass(frozen=True)
class Operation:
    """One OpenAPI operation matched for a concrete request path."""

    method: str
    template: str
    params: dict[str, str]
    operation_id: str
    has_body: bool


def _relax(spec: dict[str, Any]) -> dict[str, Any]:
    """Apply the documented relaxations (see module docstring) to a copy."""
    spec = copy.deepcopy(spec)
    schemas = spec["components"]["schemas"]
    schemas["SnowflakeType"] = {
        "anyOf": [schemas["SnowflakeType"], {"type": "integer", "minimum": 0}],
    }
    digits = {"type": "string", "pattern": "^[0-9]+$"}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            props = node.get("properties")
            if isinstance(props, dict):
                for name, sub in props.items():
                    if (
                        name in _PERMISSION_FIELDS
                        and isinstance(sub, dict)
                        and _allows_integer(sub)
                    ):
                        props[name] = {"anyOf": [sub, digits]}
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    return spec


def _allows_integer(schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    return kind == "integer" or (isinstance(kind, list) and "integer" in kind)


def _pointer(*tokens: str) -> str:
    return "/".join(quote(t.replace("~", "~0").replace("/", "~1"), safe="~@") for t in tokens)


class OpenApiValidator:
    """Matches request paths to spec operations and validates JSON bodies."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self._spec = _relax(spec)
        self._registry: Registry[Any] = Registry().with_resource(
            SPEC_URI, DRAFT202012.create_resource(self._spec)
        )
        self._templates: dict[int, list[tuple[str, list[str]]]] = {}
        for template in self._spec["paths"]:
            segments = template.strip("/").split("/")
            self._templates.setdefault(len(segments), []).append((template, segments))
        self._validators: dict[tuple[str, str], Draft202012Validator | None] = {}

    @classmethod
    @functools.cache
    def from_path(cls, path: Path) -> OpenApiValidator:
        """Load (once per process) the spec at ``path``."""
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def match(self, method: str, path: str) -> Operation | None:
        """Find the operation for ``path`` (relative to the API base).

        Literal segments win over parameters, so ``/users/@me`` matches its
        own template rather than ``/users/{user_id}``.
        """
        method = method.lower()
        segments = path.strip("/").split("/")
        best: tuple[int, str, dict[str, str]] | None = None
        for template, tsegs in self._templates.get(len(segments), []):
            item = self._spec["paths"][template]
            if method not in item:
                continue
            params: dict[str, str] = {}
            literal = 0
            for seg, tseg in zip(segments, tsegs, strict=True):
                if tseg.startswith("{") and tseg.endswith("}"):
                    params[tseg[1:-1]] = seg
                elif seg == tseg:
                    literal += 1
                else:
                    break
            else:
                if best is None or literal > best[0]:
                    best = (literal, template, params)
        if best is None:
            return None
        op = self._spec["paths"][best[1]][method]
        return Operation(
            method=method.upper(),
            template=best[1],
            params=best[2],
            operation_id=op.get("operationId", ""),
            has_body="requestBody" in op,
        )

    def _validator(self, op: Operation) -> Draft202012Validator | None:
        key = (op.method, op.template)
        if key not in self._validators:
            content = (
                self._spec["paths"][op.template][op.method.lower()]
                .get("requestBody", {})
                .get("content", {})
            )
            if "application/json" in content:
                ref = _pointer(
                    "paths",
                    op.template,
                    op.method.lower(),
                    "requestBody",
                    "content",
                    "application/json",
                )
                schema = {"$ref": f"{SPEC_URI}#/{ref}/schema"}
                self._validators[key] = Draft202012Validator(schema, registry=self._registry)
            else:
                self._validators[key] = None
        return self._validators[key]

    def check_schema(self, name: str, payload: Any) -> list[str]:
        """Errors of ``payload`` against ``#/components/schemas/<name>``.

        For what the fake itself sends the bot (threads, messages, channels):
        a payload real Discord could not send would make a test prove nothing.
        """
        key = ("schema", name)
        if key not in self._validators:
            schema = {"$ref": f"{SPEC_URI}#/components/schemas/{name}"}
            self._validators[key] = Draft202012Validator(schema, registry=self._registry)
        validator = self._validators[key]
        assert validator is not None
        return [_describe(e) for e in validator.iter_errors(payload)]

    def enum_values(self, name: str) -> set[Any]:
        """The ``const`` values of an enum schema such as ``InteractionContextType``."""
        schema = self._spec["components"]["schemas"][name]
        return {item["const"] for item in schema.get("oneOf", []) if "const" in item}

    def validate(self, op: Operation, body: Any) -> list[str]:
        """Schema errors for ``body`` (the JSON body or multipart payload_json)."""
        validator = self._validator(op)
        if validator is None:
            return [] if body is None else [f"operation {op.operation_id} takes no JSON body"]
        return [_describe(e) for e in validator.iter_errors(body)]


def _describe(error: ValidationError) -> str:
    """A short, specific message: dig into anyOf/oneOf for the closest miss."""
    if error.context:
        deepest = best_match(error.context)
        if deepest is not None:
            error = deepest
    location = "/".join(str(p) for p in error.absolute_path) or "<root>"
    message = error.message if len(error.message) <= 200 else error.message[:200] + "..."
    keyword = f"{error.validator!r}={_short(error.validator_value)}"
    return f"{location}: {message} (schema keyword {keyword})"


def _short(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 80 else text[:80] + "..."


# --- Discord's documented limits that the OpenAPI document does not encode ---

_NAME_RE = re.compile(r"^[-_\w]{1,32}$")  # \w covers \p{L}\p{N} and "_" for str patterns


def _embed_chars(embed: dict[str, Any]) -> int:
    total = len(embed.get("title") or "") + len(embed.get("description") or "")
    for f in embed.get("fields") or []:
        total += len(f.get("name") or "") + len(f.get("value") or "")
    total += len((embed.get("footer") or {}).get("text") or "")
    total += len((embed.get("author") or {}).get("name") or "")
    return total


def _check_len(errors: list[str], where: str, value: Any, limit: int, minimum: int = 0) -> None:
    if isinstance(value, str) and not minimum <= len(value) <= limit:
        errors.append(f"{where}: length {len(value)} outside {minimum}..{limit}")


def check_embeds(embeds: Any) -> list[str]:
    errors: list[str] = []
    if not isinstance(embeds, list):
        return errors
    if len(embeds) > 10:
        errors.append(f"embeds: {len(embeds)} embeds > 10")
    total = 0
    for i, embed in enumerate(embeds):
        if not isinstance(embed, dict):
            continue
        w = f"embeds/{i}"
        _check_len(errors, f"{w}/title", embed.get("title"), 256)
        _check_len(errors, f"{w}/description", embed.get("description"), 4096)
        fields = embed.get("fields") or []
        if len(fields) > 25:
            errors.append(f"{w}/fields: {len(fields)} fields > 25")
        for j, f in enumerate(fields):
            _check_len(errors, f"{w}/fields/{j}/name", f.get("name"), 256, 1)
            _check_len(errors, f"{w}/fields/{j}/value", f.get("value"), 1024, 1)
        _check_len(errors, f"{w}/footer/text", (embed.get("footer") or {}).get("text"), 2048)
        _check_len(errors, f"{w}/author/name", (embed.get("author") or {}).get("name"), 256)
        total += _embed_chars(embed)
    if total > 6000:
        errors.append(f"embeds: {total} total embed characters > 6000")
    return errors


def _check_select_options(errors: list[str], where: str, comp: dict[str, Any]) -> None:
    options = comp.get("options") or []
    if len(options) > 25:
        errors.append(f"{where}/options: {len(options)} options > 25")
    for k, opt in enumerate(options):
        for key in ("label", "value", "description"):
            _check_len(
                errors,
                f"{where}/options/{k}/{key}",
                opt.get(key),
                100,
                0 if key == "description" else 1,
            )


def check_components(components: Any) -> list[str]:
    errors: list[str] = []
    if not isinstance(components, list):
        return errors
    rows = [c for c in components if isinstance(c, dict) and c.get("type") == 1]
    if len(rows) > 5:
        errors.append(f"components: {len(rows)} action rows > 5")
    for i, row in enumerate(components):
        if not isinstance(row, dict) or row.get("type") != 1:
            continue
        children = row.get("components") or []
        buttons = [c for c in children if c.get("type") == 2]
        if len(buttons) > 5:
            errors.append(f"components/{i}: {len(buttons)} buttons > 5")
        for j, comp in enumerate(children):
            w = f"components/{i}/components/{j}"
            _check_len(errors, f"{w}/custom_id", comp.get("custom_id"), 100, 1)
            if comp.get("type") == 2:
                _check_len(errors, f"{w}/label", comp.get("label"), 80)
            if comp.get("type") in (3, 5, 6, 7, 8):
                _check_select_options(errors, w, comp)
    return errors


def check_message(payload: Any, *, creates_message: bool) -> tuple[list[str], list[str]]:
    """Limits and mention policy for a message-shaped payload.

    Returns ``(limit_errors, mention_violations)``: limit errors make the
    request fail with 400 like Discord would; mention violations are policy
    findings (Discord would accept them and ping people) and are only recorded.
    """
    if not isinstance(payload, dict):
        return [], []
    errors: list[str] = []
    content = payload.get("content")
    if isinstance(content, str) and len(content) > 2000:
        errors.append(f"content: {len(content)} characters > 2000")
    errors += check_embeds(payload.get("embeds"))
    errors += check_components(payload.get("components"))
    mentions: list[str] = []
    if creates_message or "content" in payload:
        mentions = check_allowed_mentions(payload)
    return errors, mentions


def check_allowed_mentions(payload: dict[str, Any]) -> list[str]:
    """The FAQ bot must never ping: allowed_mentions must exist and allow nothing."""
    am = payload.get("allowed_mentions")
    if not isinstance(am, dict):
        return ["allowed_mentions missing: Discord would parse every mention in the content"]
    problems = []
    if am.get("parse"):
        problems.append(f"allowed_mentions.parse={am['parse']!r} lets mentions through")
    for key in ("users", "roles"):
        if am.get(key):
            problems.append(f"allowed_mentions.{key}={am[key]!r} lets mentions through")
    if am.get("replied_user"):
        problems.append(
            "allowed_mentions.replied_user=true pings the author of the replied-to message"
        )
    return problems


def check_command(cmd: Any, where: str = "") -> list[str]:
    """Name/description/option limits for an application command definition."""
    errors: list[str] = []
    if not isinstance(cmd, dict):
        return errors
    prefix = f"{where}/" if where else ""
    ctype = cmd.get("type", 1)
    if ctype in (2, 3):
        # User and message menus: 1-32 characters, mixed case and spaces allowed.
        _check_len(errors, f"{prefix}name", cmd.get("name"), 32, 1)
        if cmd.get("description"):
            errors.append(f"{prefix}description: context menu commands take no description")
        if cmd.get("options"):
            errors.append(f"{prefix}options: context menu commands take no options")
    else:
        errors += _check_name(f"{prefix}name", cmd.get("name"), lowercase=True)
    if ctype in (1, None):
        _check_len(errors, f"{prefix}description", cmd.get("description"), 100, 1)
        errors += _check_options(cmd.get("options"), f"{prefix}options")
    return errors


def _check_name(where: str, name: Any, *, lowercase: bool) -> list[str]:
    if not isinstance(name, str):
        return [f"{where}: missing name"]
    if not _NAME_RE.fullmatch(name):
        return [f"{where}: {name!r} does not match ^[-_\\p{{L}}\\p{{N}}]{{1,32}}$"]
    if lowercase and name != name.lower():
        return [f"{where}: {name!r} must be lowercase"]
    return []


def _check_options(options: Any, where: str) -> list[str]:
    errors: list[str] = []
    if not isinstance(options, list):
        return errors
    if len(options) > 25:
        errors.append(f"{where}: {len(options)} options > 25")
    for i, opt in enumerate(options):
        if not isinstance(opt, dict):
            continue
        w = f"{where}/{i}"
        errors += _check_name(f"{w}/name", opt.get("name"), lowercase=True)
        _check_len(errors, f"{w}/description", opt.get("description"), 100, 1)
        choices = opt.get("choices") or []
        if len(choices) > 25:
            errors.append(f"{w}/choices: {len(choices)} choices > 25")
        for j, choice in enumerate(choices):
            _check_len(errors, f"{w}/choices/{j}/name", choice.get("name"), 100, 1)
            _check_len(errors, f"{w}/choices/{j}/value", choice.get("value"), 100)
        if opt.get("type") in (1, 2):
            errors += _check_options(opt.get("options"), f"{w}/options")
    return errors


def check_autocomplete(data: Any) -> list[str]:
    errors: list[str] = []
    choices = (data or {}).get("choices") if isinstance(data, dict) else None
    if not isinstance(choices, list):
        return ["data/choices: autocomplete result needs a choices list"]
    if len(choices) > 25:
        errors.append(f"data/choices: {len(choices)} choices > 25")
    for j, choice in enumerate(choices):
        _check_len(errors, f"data/choices/{j}/name", choice.get("name"), 100, 1)
        _check_len(errors, f"data/choices/{j}/value", choice.get("value"), 100)
    return errors


def check_modal(data: Any) -> list[str]:
    errors: list[str] = []
    if not isinstance(data, dict):
        return ["data: modal needs data"]
    _check_len(errors, "data/title", data.get("title"), 45, 1)
    _check_len(errors, "data/custom_id", data.get("custom_id"), 100, 1)
    n = len(data.get("components") or [])
    if not 1 <= n <= 5:
        errors.append(f"data/components: {n} components outside 1..5")
    return errors
