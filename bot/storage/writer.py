"""One background task that writes logged rows in batches.

Why: logging a missed question must never delay a reply, and a burst of
messages must not turn into thousands of tiny transactions. Rows go into a
bounded ``asyncio.Queue``; a single task takes up to ``batch_size`` rows (or
whatever arrived within ``batch_delay``) and hands them to ``write_batch``,
which commits them in one transaction.

If the database is briefly unavailable (locked, read-only, disk full, I/O
error) the batch is kept and retried with capped exponential backoff while
newer rows keep queueing, so nothing is dropped; ``write_batch`` must be
idempotent (``ON CONFLICT DO NOTHING``) so a retry never writes twice. The
writer knows nothing about SQL, so a PostgreSQL backend can reuse it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Final, Generic, TypeVar

from .errors import WriterClosedError

__all__ = ["Writer"]

log = logging.getLogger(__name__)

T = TypeVar("T")


class _Stop:
    """Queue sentinel that wakes an idle worker when the writer closes."""


_STOP: Final = _Stop()


class Writer(Generic[T]):
    """Bounded queue plus one worker task that commits rows in batches.

    ``pending`` counts rows submitted but not yet committed (or given up).
    ``failed`` counts rows dropped because ``write_batch`` rejected them for a
    reason that retrying cannot fix (each is logged at error level).
    """

    def __init__(
        self,
        write_batch: Callable[[Sequence[T]], Awaitable[None]],
        *,
        is_transient: Callable[[BaseException], bool],
        queue_size: int = 10_000,
        batch_size: int = 100,
        batch_delay: float = 0.05,
        initial_backoff: float = 0.05,
        max_backoff: float = 2.0,
        prepare: Callable[[T], T] | None = None,
        describe: Callable[[T], str] = repr,
    ) -> None:
        if queue_size < 1 or batch_size < 1:
            raise ValueError("queue_size and batch_size must be at least 1")
        if batch_delay < 0 or initial_backoff <= 0 or max_backoff < initial_backoff:
            raise ValueError("need batch_delay >= 0 and 0 < initial_backoff <= max_backoff")
        self._write_batch = write_batch
        self._is_transient = is_transient
        self._queue: asyncio.Queue[T | _Stop] = asyncio.Queue(maxsize=queue_size)
        self._batch_size = batch_size
        self._batch_delay = batch_delay
        self._initial_backoff = initial_backoff
        self._max_backoff = max_backoff
        self._prepare = prepare
        self._describe = describe
        self._inflight: list[T] = []
        self._submitted = 0
        self._done = 0
        self._failed = 0
        self._closing = False
        self._finished = False
        self._producers_waiting = 0
        self._deadline: float | None = None
        self._outage_since: float | None = None
        self._outage_attempts = 0
        self._progress = asyncio.Condition()
        self._task: asyncio.Task[None] | None = None

    # -- public -------------------------------------------------------------
    def start(self) -> None:
        """Start the worker task (needs a running event loop)."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="storage-writer")

    @property
    def pending(self) -> int:
        """Rows submitted and not yet committed (for monitoring)."""
        return self._submitted - self._done

    @property
    def failed(self) -> int:
        """Rows dropped because they could never be written (logged as errors)."""
        return self._failed

    @property
    def closed(self) -> bool:
        """True once ``close`` was called; no more rows are taken."""
        return self._closing

    async def submit(self, row: T) -> None:
        """Queue a row, waiting for space if the queue is full (backpressure)."""
        self._ensure_open()
        item = self._prepare(row) if self._prepare is not None else row
        self._producers_waiting += 1
        try:
            await self._queue.put(item)
        finally:
            self._producers_waiting -= 1
        self._submitted += 1
        if self._finished:
            # close() ended while this call waited for space: nobody will write it.
            raise WriterClosedError("the storage writer closed before this row could be queued")

    def submit_nowait(self, row: T) -> None:
        """Queue a row from sync code; raises ``asyncio.QueueFull`` if full."""
        self._ensure_open()
        item = self._prepare(row) if self._prepare is not None else row
        self._queue.put_nowait(item)
        self._submitted += 1

    async def flush(self, timeout: float | None = None) -> None:  # noqa: ASYNC109
        """Wait until every row submitted before this call is committed.

        Raises ``TimeoutError`` after ``timeout`` seconds, and
        ``WriterClosedError`` if the worker stopped with those rows unwritten.
        """
        target = self._submitted

        def reached() -> bool:
            return self._done >= target or self._worker_finished()

        async def wait() -> None:
            async with self._progress:
                await self._progress.wait_for(reached)

        if not reached():
            await asyncio.wait_for(wait(), timeout)
        if self._done < target:
            raise WriterClosedError(
                f"the writer stopped with {target - self._done} submitted rows unwritten"
            )

    async def close(self, timeout: float = 10.0) -> int:  # noqa: ASYNC109
        """Stop taking rows, write everything pending, return rows NOT written.

        While the database is unavailable the worker keeps retrying until
        ``timeout`` seconds have passed; whatever is still unwritten then is
        logged (one error line listing the rows) and counted in the result,
        together with rows dropped earlier (``failed``).
        """
        loop = asyncio.get_running_loop()
        if not self._closing:
            self._closing = True
            self._deadline = loop.time() + timeout
            if not self._queue.full():
                self._queue.put_nowait(_STOP)
        task = self._task
        if task is not None and not task.done():
            try:
                await asyncio.wait_for(asyncio.shield(task), timeout)
            except TimeoutError:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        unwritten = self._take_unwritten()
        if unwritten:
            log.error(
                "storage writer closed with %d rows not written: %s",
                len(unwritten),
                ", ".join(self._describe(row) for row in unwritten),
            )
        async with self._progress:
            self._progress.notify_all()
        self._finished = True
        return len(unwritten) + self._failed

    # -- worker ---------------------------------------------------------------
    def _ensure_open(self) -> None:
        if self._closing:
            raise WriterClosedError("the storage writer is closed; no more rows are taken")

    def _worker_finished(self) -> bool:
        return self._task is not None and self._task.done()

    def _take_unwritten(self) -> list[T]:
        rows = list(self._inflight)
        self._inflight.clear()
        while not self._queue.empty():
            item = self._queue.get_nowait()
            if not isinstance(item, _Stop):
                rows.append(item)
        return rows

    async def _run(self) -> None:
        while await self._collect():
            written = await self._write_reliably(self._inflight)
            if not written:
                return  # gave up at the close deadline; close() reports the rows
            self._done += len(self._inflight)
            self._inflight.clear()
            async with self._progress:
                self._progress.notify_all()
        async with self._progress:
            self._progress.notify_all()

    async def _collect(self) -> bool:
        """Fill ``_inflight`` with the next batch; False when closed and drained."""
        batch = self._inflight
        while not batch:
            if not self._closing:
                item = await self._queue.get()
            elif self._queue.empty() and not self._producers_waiting:
                return False
            else:
                # Closing: a producer that waited for space may still add a row,
                # so poll briefly instead of waiting forever on an empty queue.
                try:
                    item = await asyncio.wait_for(self._queue.get(), 0.05)
                except TimeoutError:
                    continue
            if not isinstance(item, _Stop):
                batch.append(item)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._batch_delay
        while len(batch) < self._batch_size:
            try:
                item = self._queue.get_nowait()
            except asyncio.QueueEmpty:
                remaining = deadline - loop.time()
                if self._closing or remaining <= 0:
                    break
                try:
                    item = await asyncio.wait_for(self._queue.get(), remaining)
                except TimeoutError:
                    break
            if not isinstance(item, _Stop):
                batch.append(item)
        return True

    async def _write_reliably(self, batch: Sequence[T]) -> bool:
        """Write ``batch``, retrying transient errors; False if the close deadline passed.

        A permanent error on a multi-row batch is narrowed down row by row so
        that one bad row cannot take the others with it.
        """
        loop = asyncio.get_running_loop()
        backoff = self._initial_backoff
        while True:
            try:
                await self._write_batch(batch)
            except Exception as exc:  # classified below
                if not self._is_transient(exc):
                    return await self._write_one_by_one(batch, exc)
                now = loop.time()
                if self._deadline is not None and now >= self._deadline:
                    return False
                self._note_outage(exc, now)
                delay = backoff
                if self._deadline is not None:
                    delay = max(0.0, min(delay, self._deadline - now))
                await asyncio.sleep(delay)
                backoff = min(backoff * 2, self._max_backoff)
            else:
                self._note_recovered(loop.time())
                return True

    async def _write_one_by_one(self, batch: Sequence[T], exc: Exception) -> bool:
        if len(batch) == 1:
            self._failed += 1
            self._done += 1
            log.error(
                "dropping a row the database rejected: %s (%s)", self._describe(batch[0]), exc
            )
            self._inflight.remove(batch[0])
            return True
        for row in list(batch):
            if not await self._write_reliably([row]):
                return False
            if row in self._inflight:
                self._inflight.remove(row)
                self._done += 1
        return True

    def _note_outage(self, exc: BaseException, now: float) -> None:
        self._outage_attempts += 1
        if self._outage_since is None:
            self._outage_since = now
            log.warning(
                "database unavailable (%s); keeping %d pending rows and retrying", exc, self.pending
            )

    def _note_recovered(self, now: float) -> None:
        if self._outage_since is not None:
            log.info(
                "database available again after %.1f s and %d retries",
                now - self._outage_since,
                self._outage_attempts,
            )
            self._outage_since = None
            self._outage_attempts = 0
