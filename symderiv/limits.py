"""CPU-time limits for the phases of a check (building a claim, its numbers, each rewrite).

The limit counts the process's CPU time (user + system), not the wall clock, so that a busy
machine, or a run with --jobs, does not change what finishes in time.  It is a safety net:
the engines end hopeless work by counted budgets, the same on every machine.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

TIMER, TIMER_SIGNAL = signal.ITIMER_PROF, signal.SIGPROF


class TimeLimitExceeded(Exception):
    """The phase ran past its CPU-time limit."""


def _on_timer(signum, frame):
    raise TimeLimitExceeded


@contextlib.contextmanager
def cpu_time_limit(seconds: float) -> Iterator[None]:
    """Raise `TimeLimitExceeded` inside the block once it has used `seconds` of CPU time.  Off the
    main thread, where Python cannot take signals, the block runs without a limit."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(TIMER_SIGNAL, _on_timer)
    signal.setitimer(TIMER, seconds)
    try:
        yield
    finally:
        signal.setitimer(TIMER, 0)
        signal.signal(TIMER_SIGNAL, previous)
