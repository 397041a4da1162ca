"""How a checking run's process manages its memory: the C allocator keeps what is freed, and
Python's collector runs less often.

A run evaluates thousands of claims on arrays of ten thousand instances: each array larger than
glibc's threshold (128 KB at first) is mapped from the system and unmapped when freed, and the
heap is trimmed back whenever its free top passes another threshold, so the next array faults
its pages in again.  On the machines symderiv runs on, those page faults were a tenth of a run's
CPU.  Raising both thresholds keeps freed memory for reuse, at the cost of a larger resident size
(some hundreds of megabytes), which a run's forked workers share until they write to it.

A run also makes millions of short-lived SymPy objects and few reference cycles, and its caches
grow: with the collector's default thresholds its full collections walked those caches over and
over, 5% of the note's CPU.  A checking run collects the youngest generation after 200,000 more
allocations than deallocations, as mypy does, instead of 700.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc

#: Arrays up to this size come from the heap, not from a mapping of their own.
MMAP_THRESHOLD = 256 << 20
#: Free memory at the top of the heap kept, up to this size, instead of returned to the system.
TRIM_THRESHOLD = 512 << 20

#: The collector's thresholds for a checking run (`gc.set_threshold`): its youngest generation is
#: collected after this many more allocations than deallocations, each older one after 30
#: collections of the one before.
COLLECTOR_THRESHOLDS = (200_000, 30, 30)

# mallopt's parameter numbers (malloc.h).
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3


def keep_freed_memory() -> bool:
    """Raise the allocator's thresholds for this process and the workers it forks; False where
    the C library has no `mallopt` (not glibc), and nothing changes."""
    name = ctypes.util.find_library("c")
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError, TypeError):
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))


def collect_less_often() -> None:
    """Set the collector's thresholds for this process and the workers it forks."""
    gc.set_threshold(*COLLECTOR_THRESHOLDS)
