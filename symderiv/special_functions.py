"""gamma, erf and erfc on arrays, for claims compiled for NumPy.

NumPy has none of them, and SymPy's NumPy printer prints Python's `math` functions, which take one
float and fail on an array.  Here each applies `math`'s function value by value (about 60 ns a
value: a check's 10⁴ instances in a millisecond), with SymPy's meaning on the reals: gamma is
undefined (NaN) at its poles 0, −1, −2, … and at −∞, and infinite, with the sign of x, where it
overflows (x above 171.6, or within about 10⁻³⁰⁸ of 0).  Ball arithmetic, which judges what floats
fail, has its own (`enclosure`).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np


def _gamma(x: float) -> float:
    try:
        return math.gamma(x)
    except ValueError:  # a pole, or −∞
        return math.nan
    except OverflowError:
        return math.copysign(math.inf, x)


def _of_reals(function: Callable[[float], float]) -> Callable:
    """`function` value by value; at a complex argument, of its real part where the imaginary part
    is zero and NaN elsewhere (math's functions take no complex value: a float failure, which ball
    arithmetic judges)."""
    values = np.vectorize(function, otypes=[float])

    def elementwise(x):
        if np.iscomplexobj(x):
            x = np.asarray(x)
            return np.where(x.imag == 0, values(x.real), np.nan)
        return values(x)

    return elementwise


elementwise_gamma = _of_reals(_gamma)
elementwise_erf = _of_reals(math.erf)
elementwise_erfc = _of_reals(math.erfc)

#: SymPy's function names, and the names of the functions above that compute them.
ELEMENTWISE = {"gamma": "elementwise_gamma", "erf": "elementwise_erf", "erfc": "elementwise_erfc"}
