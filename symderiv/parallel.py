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
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

# What a forked worker inherits from the parent: the function of the run.
_work: Callable[[int], Any] | None = None


def _inherit(work: Callable[[int], Any]) -> None:
    global _work
    _work = work


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
) -> Iterator[Any]:
    """`work(i)` for every task i of `start_order` in `jobs` workers, started in that order and
    yielded in index order as each becomes available.  A task whose worker fails yields
    `on_failure(i, exception)` instead: it costs its own result only."""
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_inherit, initargs=(work,)) as pool:
        futures: dict[int, Future] = {i: pool.submit(_task, i) for i in start_order}
        for i in sorted(futures):
            try:
                yield futures[i].result()
            except Exception as exc:
                yield on_failure(i, exc)
