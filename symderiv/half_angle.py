"""sin and cos through t = tan(x/2), for claims compiled for NumPy where that is faster.

NumPy computes float64 sin and cos one value at a time (8 to 15 ns a value on x86), and on a
processor with AVX-512 computes tan in SIMD (about 1.6 ns).  There sin x = 2t/(1 + t²) and
cos x = 2/(1 + t²) − 1 cost a quarter of NumPy's own: at 10⁶ instances, a sixth of a check of a
claim about smooth functions, whose members each hold a sine and its derivatives.

Both stay within 4·10⁻¹⁶ of the exact value at every finite float, and within 4·10⁻¹³ of it
relatively at every normal one (halving a subnormal x rounds it); tests/test_half_angle.py checks
them against mpmath, from 10⁻³⁰⁰ to 10³⁰⁰ and at the floats nearest to multiples of π/2.  No float
is an odd multiple of π, so t is finite, and cos is written so that t² overflowing gives −1, its
limit.  Complex arguments get NumPy's own.  Floats are only the numeric engine's first filter: an
instance they fail is judged again in extended precision and in ball arithmetic, which compute sin
and cos themselves.
"""

from __future__ import annotations

import numpy as np

#: Where |cos x| is below this, the form above is within 4·10⁻¹³ of it relatively at most, and
#: NumPy's cos is used instead (near an odd multiple of π/2, about 0.06% of uniform arguments).
NEAR_ZERO = 1e-3


def sin_by_half_angle(x):
    """sin x as 2t/(1 + t²), t = tan(x/2), for real x (NumPy's own for complex x, where 1 + t²
    cancels once the imaginary part passes about 37)."""
    if np.iscomplexobj(x):
        return np.sin(x)
    t = np.tan(0.5 * x)
    return 2 * t / (1 + t * t)


def cos_by_half_angle(x):
    """cos x as 2/(1 + t²) − 1, t = tan(x/2), for real x, and NumPy's own where that is below
    NEAR_ZERO (the subtraction keeps only absolute accuracy there) or x is complex."""
    if np.iscomplexobj(x):
        return np.cos(x)
    x = np.asarray(x)
    t = np.tan(0.5 * x)
    c = np.asarray(2 / (1 + t * t) - 1)  # an array at a 0-d x too, to be written to
    near_zero = np.abs(c) < NEAR_ZERO
    if near_zero.any():
        c[near_zero] = np.cos(x[near_zero])
    return c


def tan_is_vectorised() -> bool:
    """Whether NumPy runs float64 tan in a SIMD loop on this processor (NumPy 2's dispatch record
    names the loop in use; only x86 with AVX-512 has one), where the forms above are faster."""
    try:
        from numpy.lib.introspect import opt_func_info
    except ImportError:  # NumPy 1, which records nothing of its dispatch
        return False
    loops = opt_func_info(func_name="^tan$", signature="float64").get("tan", {}).get("dd", {})
    current, available = loops.get("current", ""), loops.get("available", "").split()
    # The baseline is listed as "baseline(NAME)": only a loop beyond it appears bare.
    return current in available
