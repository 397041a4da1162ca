"""Signs of life on stderr while a long check runs: which obligation, size and phase, and for how long."""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

#: Say nothing about a phase until it has run this long, then repeat every REPEAT seconds.
QUIET_FOR, REPEAT = 5.0, 10.0


class Heartbeat:
    """Use as a context manager around a run; pass `phase` as the checker's `on_phase` and call
    `verdict` for each finished obligation.  A background thread prints a line when the current
    phase (serial runs) or the wait for the next verdict (runs in workers) has lasted a while."""

    def __init__(self, stream: TextIO = sys.stderr, clock=time.monotonic):
        self.stream, self.clock = stream, clock
        self._what = "checking"
        self._since = self._last = clock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def phase(self, ob, size, name: str) -> None:
        where = f" at {size}" if size else ""
        self._set(
            {"build": "building the claim", "numeric": "numeric check", "symbolic": "symbolic proof"}[name]
            + f" of {ob.id}{where}"
        )

    def verdict(self, k: int, n: int) -> None:
        self._set(f"waiting for the next verdict ({k}/{n} done)")

    def _set(self, what: str) -> None:
        self._what, self._since = what, self.clock()
        self._last = self._since

    def line(self) -> str | None:
        """The line to print now, if any."""
        now = self.clock()
        if now - self._since < QUIET_FOR or now - self._last < REPEAT and self._last != self._since:
            return None
        self._last = now
        return f"  ... {self._what}: {now - self._since:.0f}s"

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
