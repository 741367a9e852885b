"""Open the configured storage backend.

``[storage] url`` set (``postgresql://...``) -> ``PostgresStore`` (asyncpg is
imported only then); otherwise ``SQLiteStore`` at ``[storage] database_path``.
Both get ``store_raw_user_ids`` and ``queue_size`` from the same section.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import Store
from .sqlite import SQLiteStore

if TYPE_CHECKING:
    from bot.config import Config

__all__ = ["describe_store", "open_store"]


async def open_store(config: Config, *, readonly: bool = False) -> Store:
    """Open (and, unless ``readonly``, migrate) the configured store; start its writer.

    Raises ``StorageError`` with an operator-readable message if the database
    cannot be used. ``readonly=True`` is for the CLI while bots run: no
    migration, no writes, no writer.
    """
    settings = config.storage
    if settings.url:
        from .postgres import PostgresStore

        return await PostgresStore.open(
            settings.url,
            store_raw_user_ids=settings.store_raw_user_ids,
            queue_size=settings.queue_size,
            readonly=readonly,
        )
    return await SQLiteStore.open(
        settings.database_path,
        store_raw_user_ids=settings.store_raw_user_ids,
        queue_size=settings.queue_size,
        readonly=readonly,
    )


def describe_store(config: Config) -> str:
    """Where the configured store lives, for log lines (a URL's password is hidden)."""
    if config.storage.url:
        from .postgres import safe_url

        return safe_url(config.storage.url)
    return str(config.storage.database_path)
