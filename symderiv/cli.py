"""The `symderiv` command line.

A rerun of `symderiv check` with nothing changed is answered from the record of the last run
(`replay`) before the checker, SymPy and NumPy are imported; any other run goes to `commands`.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence

from . import replay


def main(argv: Sequence[str] | None = None) -> int:
    started_ns = time.time_ns()
    argv = list(sys.argv[1:] if argv is None else argv)
    status = replay.replayed(argv)
    if status is not None:
        return status
    from .allocation import collect_less_often, keep_freed_memory
    from .commands import run

    keep_freed_memory()
    collect_less_often()
    return run(argv, started_ns)


if __name__ == "__main__":
    sys.exit(main())
