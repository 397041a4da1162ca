"""Check obligations in worker processes, with the verdicts a serial run gives.

The unit of work is one obligation at one size, so that the sizes of a slow
obligation spread over the workers too.  Workers are forked: they inherit the loaded
proof modules, so nothing but indices travels to them, and a worker may fork again
for the symbolic engine's time-limited attempts (pool workers are not daemons).
Every size is seeded from the obligation's id and the size alone
(`checker.instance_seed`), so the order in which workers take the tasks does not
change any verdict.  Verdicts are reported in the order of the obligations.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor

from .cache import VerdictCache
from .checker import Settings, check_size, sizes_for, verdict_of
from .obligation import Obligation
from .verdict import SizeEvidence, Status, Verdict

# What a forked worker inherits from the parent: the obligations, settings and cache of the run.
_job: tuple = ()


def _inherit(obligations, settings, cache) -> None:
    global _job
    _job = (obligations, settings, cache)


def _check_task(k: int, size_index: int) -> tuple[SizeEvidence, float]:
    obligations, settings, cache = _job
    ob = obligations[k]
    t0 = time.perf_counter()
    evidence = check_size(ob, sizes_for(ob, settings)[size_index], settings, cache)
    return evidence, time.perf_counter() - t0


def _result(future, size) -> tuple[SizeEvidence, float]:
    """The worker's evidence; a worker that died costs its own verdict only, as in a serial run."""
    try:
        return future.result()
    except Exception as exc:
        message = f"the worker process failed: {type(exc).__name__}: {exc}"
        return SizeEvidence(size=str(size) if size else "", status=Status.ERROR, message=message), 0.0


def check_all_in_workers(
    obligations: Sequence[Obligation],
    settings: Settings,
    on_verdict: Callable[[int, int, Verdict], None] | None = None,
    *,
    cache: VerdictCache | None = None,
    jobs: int = 2,
) -> list[Verdict]:
    """Like `checker.check_all`, with every (obligation, size) checked in one of `jobs` workers.

    A verdict's `seconds` is the sum of its sizes' times in the workers."""
    obligations = list(obligations)
    context = multiprocessing.get_context("fork")
    verdicts = []
    with ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=_inherit, initargs=(obligations, settings, cache)
    ) as pool:
        futures = [
            [pool.submit(_check_task, k, i) for i in range(len(sizes_for(ob, settings)))]
            for k, ob in enumerate(obligations)
        ]
        for k, (ob, pending) in enumerate(zip(obligations, futures), 1):
            results = [_result(f, size) for f, size in zip(pending, sizes_for(ob, settings))]
            verdict = verdict_of(ob, [e for e, _ in results], settings, sum(s for _, s in results))
            verdicts.append(verdict)
            if on_verdict:
                on_verdict(k, len(obligations), verdict)
    return verdicts
