"""The running bot: the ``commands.Bot`` subclass and the pieces it is built from.

- ``bot.py``: ``FAQBot`` (shared resources injected, features in ``bot/exts/``);
- ``ratelimit.py``: the per-member cooldown;
- ``endpoints.py``: where discord.py connects and which intents it asks;
- ``sharding.py``: ``ShardedFAQBot``, IDENTIFY pacing and ``bot_class(config)``.
"""

from bot.client.bot import PURGE_INTERVAL, PURGE_LOCK, FAQBot, FAQTree, learned_phrasings
from bot.client.endpoints import apply_endpoints, build_intents
from bot.client.ratelimit import UserRateLimiter, Verdict
from bot.client.sharding import IDENTIFY_INTERVAL, IdentifyGate, ShardedFAQBot, bot_class

__all__ = [
    "IDENTIFY_INTERVAL",
    "PURGE_INTERVAL",
    "PURGE_LOCK",
    "FAQBot",
    "FAQTree",
    "IdentifyGate",
    "ShardedFAQBot",
    "UserRateLimiter",
    "Verdict",
    "apply_endpoints",
    "bot_class",
    "build_intents",
    "learned_phrasings",
]
