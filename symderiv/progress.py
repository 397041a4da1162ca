"""Signs of life on stderr while a long check runs: which obligation, size and phase, and for how long."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from .obligation import Obligation, Size

_PHASES = {"build": "building the claim", "numeric": "numeric check", "symbolic": "symbolic proof"}

#: Say nothing about a phase until it has run this long, then repeat every REPEAT seconds.
QUIET_FOR, REPEAT = 5.0, 10.0


class Heartbeat:
    """Use as a context manager around a run; pass `phase` as the checker's `on_phase` and call
    `verdict` for each finished obligation.  A background thread prints a line when a phase has
    lasted a while: of the pairs (obligation, size) being checked, in this process or in workers,
    the one whose phase has run longest; with none running, the wait for the next verdict."""

    def __init__(self, stream: TextIO | None = None, clock: Callable[[], float] = time.monotonic):
        # sys.stderr as it is now, not as it was at import (a test's capture, closed since).
        self.stream, self.clock = stream if stream is not None else sys.stderr, clock
        self._waiting = "checking"
        self._waiting_since = clock()
        #: The line last printed, as (what, since), and when: each is repeated every REPEAT seconds.
        self._printed: tuple[str, float] | None = None
        self._printed_at = 0.0
        #: (obligation id, size) -> (what it is doing, since when), for every pair being checked.
        self._running: dict[tuple[str, str], tuple[str, float]] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def phase(self, ob: Obligation, size: Size | None, name: str) -> None:
        """`name` is a phase the pair enters ("build", "numeric", "symbolic"), or "done"."""
        key, now = (ob.id, str(size)), self.clock()
        with self._lock:
            if name == "done":
                self._running.pop(key, None)
                return
            where = f" at {size}" if size else ""
            self._running[key] = (f"{_PHASES[name]} of {ob.id}{where}", now)

    def verdict(self, k: int, n: int) -> None:
        now = self.clock()
        with self._lock:
            self._waiting, self._waiting_since = f"waiting for the next verdict ({k}/{n} done)", now

    def line(self) -> str | None:
        """The line to print now, if any."""
        now = self.clock()
        with self._lock:
            what, since = min(self._running.values(), key=lambda entry: entry[1], default=(None, 0.0))
            others = len(self._running) - 1
            if what is None:
                what, since = self._waiting, self._waiting_since
            if now - since < QUIET_FOR or self._printed == (what, since) and now - self._printed_at < REPEAT:
                return None
            self._printed, self._printed_at = (what, since), now
        more = f" ({others} more running)" if others > 0 else ""
        return f"  ... {what}: {now - since:.0f}s{more}"

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            text = self.line()
            if text:
                print(text, file=self.stream, flush=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
