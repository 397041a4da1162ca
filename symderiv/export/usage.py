"""Which reference implementations a claim's NumPy reference calls, so that an appendix shows
only those.  The calls are recorded while the reference runs on one typical instance of the
claim's own domain: a reading of the builder's code would also count names it merely mentions
(the model's `m.kl` is not the reference `kl`)."""

from __future__ import annotations

import sys
from types import FrameType

import numpy as np

from ..claims import Claim


def called_functions(claim: Claim | None, module_file: str, seed: int = 0) -> set[str]:
    """The names of the functions defined in `module_file` that `claim.reference` calls, directly or
    not; none for a claim without a reference, or whose reference fails on the instance drawn."""
    reference = getattr(claim, "reference", None)
    if claim is None or reference is None:
        return set()
    drawn = claim.domain.sample(np.random.default_rng(seed), 1, typical=True)
    instance = {s: float(np.asarray(v).reshape(-1)[0]) for s, v in drawn.items()}
    called: set[str] = set()

    def record(frame: FrameType, event: str, arg: object) -> None:
        if event == "call" and frame.f_code.co_filename == module_file:
            called.add(frame.f_code.co_name)

    previous = sys.getprofile()
    sys.setprofile(record)
    try:
        with np.errstate(all="ignore"):
            reference(instance)
    except Exception:  # the numeric check reports a broken reference; here it only calls nothing
        return set()
    finally:
        sys.setprofile(previous)
    return called
