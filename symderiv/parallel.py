"""Run numbered tasks in forked worker processes, in the order given, and hand back their results
in the tasks' own order.

Workers are forked: they inherit the task function and everything it reads (the loaded proof
modules, the settings, the cache), so nothing but an index travels to them, and a worker may fork
again for the symbolic engine's time-limited attempts (pool workers are not daemons).  The order
in which workers take the tasks changes no result when each task is a function of its index alone
(the checker seeds every obligation and size from its id and the size alone).  This module knows
nothing of obligations: the checker gives it the work, the order to start it in (`schedule`) and
what a failed worker means.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing.queues import SimpleQueue
from typing import Any

# What a forked worker inherits from the parent: the function of the run, and where its events go.
_work: Callable[[int], Any] | None = None
_events: SimpleQueue | None = None


def _inherit(work: Callable[[int], Any], events: SimpleQueue | None) -> None:
    global _work, _events
    _work, _events = work, events


def send(event: object) -> None:
    """From inside a task: hand `event` to the run's `on_event` in the parent, as it happens (signs
    of life of a long task).  Outside a run in workers, or in a run without `on_event`, nothing."""
    if _events is not None:
        _events.put(event)


def _task(index: int) -> Any:
    assert _work is not None, "a worker runs only tasks of the run that forked it"
    return _work(index)


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # no affinity on this system (macOS)
        return os.cpu_count() or 1


def run(
    work: Callable[[int], Any],
    start_order: Sequence[int],
    jobs: int,
    on_failure: Callable[[int, Exception], Any],
    on_event: Callable[[Any], None] | None = None,
) -> Generator[Any, None, None]:
    """`work(i)` for every task i of `start_order` in `jobs` workers, started in that order and
    yielded in index order as each becomes available.  A task whose result does not come back yields
    `on_failure(i, exception)` instead; a worker that dies (the system's out-of-memory killer) breaks
    the pool, and every task not finished by then comes back so.  What a task `send`s reaches
    `on_event`, called on a thread of this process."""
    context = multiprocessing.get_context("fork")
    events = context.SimpleQueue() if on_event is not None else None
    with ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=_inherit, initargs=(work, events)
    ) as pool:
        futures: dict[int, Future] = {i: pool.submit(_task, i) for i in start_order}
        # Started once every worker is forked, so that no worker inherits it half-way through a read.
        relay = _Relay(events, on_event) if events is not None and on_event is not None else None
        try:
            for i in sorted(futures):
                try:
                    yield futures[i].result()
                except Exception as exc:
                    yield on_failure(i, exc)
        finally:
            if relay is not None:
                relay.stop()


class _Relay:
    """Hands the events workers send to `on_event`, on a thread of the parent, until stopped."""

    _END = ("symderiv.parallel", "end of run")

    def __init__(self, events: SimpleQueue, on_event: Callable[[Any], None]):
        self.events, self.on_event = events, on_event
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while (event := self.events.get()) != self._END:
            self.on_event(event)

    def stop(self) -> None:
        self.events.put(self._END)
        self.thread.join()
