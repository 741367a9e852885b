"""Turning the bot's message payloads into stored Discord message objects.

Discord answers message-creating calls with a full message object, and
discord.py builds its ``Message`` (and registers views) from it, so the
stored messages carry every field a real response would.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .models import iso_now

if TYPE_CHECKING:
    from .models import Channel, User
    from .records import RecordedFile

EPHEMERAL = 1 << 6
LOADING = 1 << 7

MESSAGE_DEFAULT = 0
MESSAGE_REPLY = 19
MESSAGE_CHAT_INPUT_COMMAND = 20


class EmptyMessage(ValueError):
    """Discord's 50006 "Cannot send an empty message"."""


def has_body(payload: dict[str, Any], files: list[RecordedFile]) -> bool:
    keys = ("embeds", "components", "sticker_ids", "poll", "attachments")
    return bool(payload.get("content")) or bool(files) or any(payload.get(k) for k in keys)


def _embed(embed: dict[str, Any]) -> dict[str, Any]:
    return {"type": "rich", **embed}


def attachments(
    new_id: Any,
    base_url: str,
    channel_id: str,
    declared: list[dict[str, Any]] | None,
    files: list[RecordedFile],
    existing: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """Attachment objects for uploaded ``files[n]`` parts plus kept old ones."""
    by_field = {f.field_name: f for f in files}
    result: list[dict[str, Any]] = []
    kept_ids = {str(a.get("id")) for a in declared or []}
    result += [a for a in existing if a["id"] in kept_ids]
    uploads: list[tuple[dict[str, Any], RecordedFile]] = []
    for item in declared or []:
        upload = by_field.pop(f"files[{item.get('id')}]", None)
        if upload is not None:
            uploads.append((item, upload))
    uploads += [({"filename": f.filename}, f) for f in by_field.values()]
    for item, upload in uploads:
        attachment_id = new_id()
        filename = item.get("filename") or upload.filename or "file"
        url = f"{base_url}/attachments/{channel_id}/{attachment_id}/{filename}"
        entry: dict[str, Any] = {
            "id": attachment_id,
            "filename": filename,
            "size": len(upload.data),
            "url": url,
            "proxy_url": url,
            "content_type": upload.content_type or "application/octet-stream",
        }
        if item.get("description"):
            entry["description"] = item["description"]
        result.append(entry)
    return result


def bot_message(
    *,
    message_id: str,
    channel: Channel,
    author: User,
    payload: dict[str, Any],
    attachment_list: list[dict[str, Any]],
    referenced: dict[str, Any] | None = None,
    webhook_id: str | None = None,
    interaction_metadata: dict[str, Any] | None = None,
    message_type: int = MESSAGE_DEFAULT,
) -> dict[str, Any]:
    """A message object for something the bot sent."""
    message: dict[str, Any] = {
        "id": message_id,
        "channel_id": channel.id,
        "author": author.to_payload(),
        "content": payload.get("content") or "",
        "timestamp": iso_now(),
        "edited_timestamp": None,
        "tts": bool(payload.get("tts")),
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": attachment_list,
        "embeds": [_embed(e) for e in payload.get("embeds") or []],
        "pinned": False,
        "type": message_type,
        "flags": payload.get("flags") or 0,
        "components": payload.get("components") or [],
    }
    if channel.guild is not None:
        message["guild_id"] = channel.guild.id
    if payload.get("nonce") is not None:
        message["nonce"] = payload["nonce"]
    if referenced is not None:
        message["type"] = MESSAGE_REPLY
        message["message_reference"] = {
            "type": 0,
            "message_id": referenced["id"],
            "channel_id": referenced["channel_id"],
            **({"guild_id": channel.guild.id} if channel.guild else {}),
        }
        message["referenced_message"] = {
            k: v for k, v in referenced.items() if k != "referenced_message"
        }
    if webhook_id is not None:
        message["webhook_id"] = webhook_id
        message["application_id"] = webhook_id
    if interaction_metadata is not None:
        message["interaction_metadata"] = interaction_metadata
    return message


def apply_edit(
    message: dict[str, Any], payload: dict[str, Any], attachment_list: list[dict[str, Any]] | None
) -> dict[str, Any]:
    """Edit ``message`` in place like PATCH does: only given fields change."""
    if "content" in payload:
        message["content"] = payload["content"] or ""
    if "embeds" in payload:
        message["embeds"] = [_embed(e) for e in payload["embeds"] or []]
    if "components" in payload:
        message["components"] = payload["components"] or []
    if "flags" in payload and payload["flags"] is not None:
        message["flags"] = (message["flags"] & (EPHEMERAL | LOADING)) | payload["flags"]
    if attachment_list is not None:
        message["attachments"] = attachment_list
    message["flags"] &= ~LOADING
    message["edited_timestamp"] = iso_now()
    return message
