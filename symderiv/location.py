"""Where in the user's code something happened: errors name the line to edit.

A claim that fails to build raises deep inside symderiv or SymPy; the line worth
reading is the innermost one of the user's own code (a proof module, a script, a
notebook cell), not of this package or of an installed library.
"""

from __future__ import annotations

import site
import sys
import sysconfig
import traceback
from pathlib import Path
from types import FrameType, TracebackType

_PACKAGE = Path(__file__).resolve().parent
#: Where the interpreter's and installed packages' code lives (a user's site-packages too).
_LIBRARIES = tuple(
    {
        Path(p).resolve()
        for p in [
            *(sysconfig.get_path(key) for key in ("stdlib", "platstdlib", "purelib", "platlib")),
            *site.getsitepackages(),
            site.getusersitepackages(),
        ]
        if p
    }
)


def is_user_file(filename: str) -> bool:
    """Not symderiv's, not an installed library's, not the interpreter's own (frozen modules, and
    code generated at run time, such as a dataclass's `__init__`, named `<string>`)."""
    if filename.startswith("<frozen") or filename == "<string>":
        return False
    path = Path(filename).resolve()
    return not any(path.is_relative_to(root) for root in (_PACKAGE, *_LIBRARIES))


def user_frame(tb: TracebackType | None) -> str | None:
    """`file:line` of the innermost frame of a traceback in the user's code, if it has one."""
    frames = [f for f in traceback.extract_tb(tb) if is_user_file(f.filename)]
    return f"{frames[-1].filename}:{frames[-1].lineno}" if frames else None


def caller(depth: int = 1) -> str:
    """`file:line` of the innermost user frame at least `depth` levels above the function that
    calls this one (depth 1: that function's caller)."""
    start = sys._getframe(depth + 1)
    frame: FrameType | None = start
    while frame is not None and not is_user_file(frame.f_code.co_filename):
        frame = frame.f_back
    found = frame or start
    return f"{found.f_code.co_filename}:{found.f_lineno}"


def where(exc: BaseException, defined_at: str = "") -> str:
    """Which line of the user's code to read about `exc`: the innermost of theirs in its traceback
    (their builder, or a helper it called), else `defined_at` (where the failing claim was declared),
    else the line that raised."""
    user = user_frame(exc.__traceback__)
    if user is not None:
        return f"at {user}"
    if defined_at:
        return f"in the claim at {defined_at}"
    frames = traceback.extract_tb(exc.__traceback__)
    return f"at {frames[-1].filename}:{frames[-1].lineno}" if frames else "no traceback"
