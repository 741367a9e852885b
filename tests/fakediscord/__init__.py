"""A fake, Discord-compatible server for end-to-end tests of discord.py bots.

See :class:`FakeDiscord` for the entry point and ``fixtures.running_fake_discord``
for a ready-made async context manager.
"""

from .interactions import FakeInteraction
from .models import Channel, Guild, Member, Role, User
from .patching import Restore, point_discord_py_at
from .records import RecordedFile, RecordedRequest
from .server import FakeDiscord

__all__ = [
    "Channel",
    "FakeDiscord",
    "FakeInteraction",
    "Guild",
    "Member",
    "RecordedFile",
    "RecordedRequest",
    "Restore",
    "Role",
    "User",
    "point_discord_py_at",
]
