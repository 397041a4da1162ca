"""In which order worker processes take the (obligation, size) pairs of a run: slowest first.

A run in workers ends when its last pair does; started last, a slow pair keeps one worker busy
while the others idle.  What a pair cost when it was last checked (the verdict cache keeps it) is
the best guess of what it costs now; a pair never measured comes before every measured one (it may
be slow), ordered by a static estimate: an index-level obligation checked whole (for every size,
at sizes up to the largest its ranges allow, and then at its fixed sizes) first, then the model's
volume (the product of its size's extents: states × actions for an MDP), larger models first
(an MDP's claims go through the solved systems of every state and action).  The order changes no
verdict.
"""

from __future__ import annotations

from collections.abc import Sequence

from .cache import VerdictCache
from .obligation import Obligation, Size


def static_estimate(size: Size | str | None) -> float:
    """A pair's relative cost before it has been measured; `size` a string for an obligation
    checked whole (the checker's tasks for index-level obligations)."""
    if isinstance(size, str):
        return float("inf")
    return size.volume if size is not None else 1


def slowest_first(
    pairs: Sequence[tuple[Obligation, Size | str | None]], cache: VerdictCache | None = None
) -> list[int]:
    """Indices of `pairs` in the order to start them: never measured first (largest models first),
    then by their last measured time, longest first; ties keep the run's order."""

    def key(i: int) -> tuple[int, float, int]:
        ob, size = pairs[i]
        measured = cache.last_seconds(ob.id, ob.name, size) if cache is not None else None
        if measured is None:
            return (0, -static_estimate(size), i)
        return (1, -measured, i)

    return sorted(range(len(pairs)), key=key)
