"""CPU-time limits for the phases of a check (building a claim, its numbers, each rewrite).

The limit counts the process's CPU time (user + system), not the wall clock, so that a busy
machine, or a run with --jobs, does not change what finishes in time.  It is a safety net:
the engines end hopeless work by counted budgets, the same on every machine.

Limits nest: one interval timer is armed for the earliest deadline among those in force, and
each block, as it ends, arms it again for the blocks around it.  The exception a limit raises
is its own and names it (`raised_by`), so a block can tell its limit from one around it.  A
forked child keeps none of its parent's limits.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

TIMER, TIMER_SIGNAL = signal.ITIMER_PROF, signal.SIGPROF


class TimeLimitExceeded(Exception):
    """The phase ran past its CPU-time limit."""


@dataclass(eq=False)
class Limit:
    """One limit in force: its deadline in the process's CPU seconds, the exception it raises,
    and whether it was reached (even where something inside caught that exception)."""

    deadline: float
    exception: type[BaseException]
    reached: bool = False


#: The limits in force, outermost first.
_ACTIVE: list[Limit] = []


def _due() -> list[Limit]:
    return [limit for limit in _ACTIVE if not limit.reached]


def _on_timer(signum, frame):
    due = _due()
    if not due:
        return
    # Among equal deadlines the outermost is reached.
    limit = min(due, key=lambda x: x.deadline)
    if time.process_time() < limit.deadline:
        # The signal of a limit that has ended since (or a timer a little ahead of this clock).
        _arm()
        return
    limit.reached = True
    _arm()  # the limits around it stay armed, even where what it raises is caught
    error = limit.exception()
    error.limit = limit  # type: ignore[attr-defined]
    raise error


def raised_by(error: BaseException, limit: Limit | None) -> bool:
    """Whether `error` is the exception that reaching `limit` raised."""
    return limit is not None and getattr(error, "limit", None) is limit


def _forget_limits() -> None:
    """A forked child keeps no limit of its parent's: their deadlines are on the parent's CPU clock
    (the child's starts at zero, and its interval timer unset), and the blocks that set them never
    end in the child."""
    _ACTIVE.clear()


os.register_at_fork(after_in_child=_forget_limits)


def _arm() -> None:
    """Arm the timer for the earliest deadline not yet reached (at once if it has passed)."""
    due = _due()
    if not due:
        signal.setitimer(TIMER, 0)
        return
    signal.setitimer(TIMER, max(min(x.deadline for x in due) - time.process_time(), 1e-6))


@contextlib.contextmanager
def cpu_time_limit(seconds: float, exception: type[BaseException] = TimeLimitExceeded) -> Iterator[Limit]:
    """Raise `exception` inside the block once it has used `seconds` of CPU time.  Off the main
    thread, where Python cannot take signals, the block runs without a limit."""
    limit = Limit(time.process_time() + seconds, exception)
    if threading.current_thread() is not threading.main_thread():
        yield limit
        return
    outermost = not _ACTIVE
    previous = signal.signal(TIMER_SIGNAL, _on_timer) if outermost else None
    _ACTIVE.append(limit)
    _arm()
    try:
        yield limit
    finally:
        # This limit and any left inside it (a block interrupted as it ended) end here.
        del _ACTIVE[_ACTIVE.index(limit) :]
        if outermost:
            signal.setitimer(TIMER, 0)
            signal.signal(TIMER_SIGNAL, previous)
        else:
            _arm()
