"""Bot features, one extension (cog) per module, found by walking this package.

Like python-discord/bot: every module here with a ``setup`` function is an
extension; modules whose name starts with ``_`` are helpers and are skipped.
Adding a feature is adding a file, with no list to keep in sync.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator


def walk_extensions() -> Iterator[str]:
    """Dotted names of every extension module in this package."""
    for module in pkgutil.iter_modules(__path__, f"{__name__}."):
        if module.name.rsplit(".", 1)[-1].startswith("_") or module.ispkg:
            continue
        imported = importlib.import_module(module.name)
        if inspect.isfunction(getattr(imported, "setup", None)):
            yield module.name


EXTENSIONS: tuple[str, ...] = tuple(sorted(walk_extensions()))
