"""Bounded concurrency for expensive routes (the Cypher console): at most ``total`` calls at
once over all callers and ``per_caller`` for one caller; a call beyond either is refused at
once with 429 and ``Retry-After`` instead of waiting for a worker thread, so heavy queries
cannot use up the workers that serve the rest of the API."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from fastapi import HTTPException, status

RETRY_AFTER_SECONDS = 2


class Slots:
    """Counters of running calls, overall and per caller (thread-safe)."""

    def __init__(self, total: int, per_caller: int) -> None:
        self.total = total
        self.per_caller = per_caller
        self.running = 0
        self.by_caller: dict[str, int] = {}
        self._lock = threading.Lock()

    def _refuse(self, why: str) -> HTTPException:
        return HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            f"{why}; try again when one has finished",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )

    @contextlib.contextmanager
    def take(self, caller: str) -> Iterator[None]:
        """Hold one slot for ``caller`` while the block runs (429 when none is free)."""
        with self._lock:
            mine = self.by_caller.get(caller, 0)
            if mine >= self.per_caller:
                raise self._refuse(
                    f"token {caller!r} already runs {mine} console queries (the most at once)"
                )
            if self.running >= self.total:
                raise self._refuse(
                    f"{self.running} console queries are running (the most the service runs)"
                )
            self.running += 1
            self.by_caller[caller] = mine + 1
        try:
            yield
        finally:
            with self._lock:
                self.running -= 1
                left = self.by_caller[caller] - 1
                if left:
                    self.by_caller[caller] = left
                else:
                    del self.by_caller[caller]
