"""What the fake server remembers about each REST call, and injected faults."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


@dataclass
class RecordedFile:
    """One uploaded file part of a multipart request."""

    field_name: str
    filename: str | None
    content_type: str | None
    data: bytes


@dataclass
class RecordedRequest:
    """A REST request as received.

    ``path`` is the full URL path (``/api/v10/channels/1/messages``),
    ``api_path`` the part after the API base and ``route`` the OpenAPI
    template it matched (``/channels/{channel_id}/messages``) or ``None``.
    ``json`` is the JSON body, or the ``payload_json`` part of a multipart
    body.  ``status``/``response`` are filled in once the server answered;
    ``wait_for_request`` only returns answered requests, so the server state
    already reflects them.
    """

    index: int
    method: str
    path: str
    api_path: str
    query: dict[str, str]
    json: Any
    files: list[RecordedFile]
    received_at: float
    headers: dict[str, str] = field(default_factory=dict)
    route: str | None = None
    params: dict[str, str] = field(default_factory=dict)
    status: int | None = None
    response: Any = None
    violations: list[str] = field(default_factory=list)

    @property
    def answered(self) -> bool:
        return self.status is not None


@dataclass
class Fault:
    """An injected failure for the next ``remaining`` matching calls."""

    method: str
    pattern: re.Pattern[str]
    status: int
    remaining: int
    retry_after: float

    def matches(self, method: str, api_path: str) -> bool:
        return (
            self.remaining > 0
            and self.method in ("*", method)
            and self.pattern.search(api_path) is not None
        )
