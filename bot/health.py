"""A heartbeat file the running bot refreshes, and the check that reads it.

Why a file: a container HEALTHCHECK runs a separate process, which cannot ask
the bot's event loop anything. The bot touches ``[health] heartbeat_path``
every ``HEARTBEAT_INTERVAL`` seconds while it is ready and connected; a hung
event loop or a client that closed stops the beats, and
``python -m bot healthcheck`` reports the file stale (exit 1).
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

HEARTBEAT_INTERVAL = 30.0
#: Three missed beats: stale.
DEFAULT_MAX_AGE = 3 * HEARTBEAT_INTERVAL


def write_heartbeat(path: Path, now: float | None = None) -> None:
    """Record a beat: the file holds the Unix time, written atomically (rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(f"{time.time() if now is None else now:.3f}\n", encoding="ascii")
    tmp.replace(path)


def heartbeat_age(path: Path, now: float | None = None) -> float | None:
    """Seconds since the last beat, or None when there is no readable beat."""
    try:
        beat = float(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None
    if not math.isfinite(beat):
        return None
    return max((time.time() if now is None else now) - beat, 0.0)


def check(path: Path | None, max_age: float = DEFAULT_MAX_AGE) -> tuple[bool, str]:
    """(healthy, one line for the operator)."""
    if path is None:
        return False, "no heartbeat file configured: set [health] heartbeat_path"
    age = heartbeat_age(path)
    if age is None:
        return False, f"{path}: no heartbeat yet (bot starting, or not running)"
    if age > max_age:
        return False, f"{path}: last heartbeat {age:.0f} s ago (more than {max_age:.0f} s)"
    return True, f"healthy: last heartbeat {age:.0f} s ago"


async def beat_while(
    path: Path, healthy: Callable[[], bool], interval: float = HEARTBEAT_INTERVAL
) -> None:
    """Write a beat every ``interval`` seconds while ``healthy()``; runs until cancelled.

    Until the first beat it checks every second, so a bot that just became
    ready is reported healthy at once, not an interval later.
    """
    beaten = False
    while True:
        if healthy():
            try:
                await asyncio.to_thread(write_heartbeat, path)
                beaten = True
            except OSError as exc:
                log.warning("could not write the heartbeat file %s: %s", path, exc)
        await asyncio.sleep(interval if beaten else min(interval, 1.0))
