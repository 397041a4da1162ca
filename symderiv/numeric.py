"""The numeric engine: evaluate both sides of a claim on many random instances of its domain.

Instances are drawn from the claim's own domain, evaluated at once with NumPy
(`lambdify`), and compared with a tolerance scaled by the size of the terms.
Every instance that fails in floating point is evaluated again, all at once, in
extended precision (NumPy's long double, where the platform has one), and what
still fails is re-evaluated with mpmath at high precision before anything is
called refuted; a confirmed failure is shrunk towards the simplest instance that
still fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import mpmath
import numpy as np
import sympy as sp
from sympy.core.function import AppliedUndef

from .domain import Domains, Simplex
from .expressions import atoms_of

#: Digits used by the high-precision re-check.
MP_DIGITS = 50
#: At most this many float failures, or this fraction of the instances if that is more, are
#: re-checked at high precision (about a millisecond each).
MAX_RECHECKS, RECHECK_FRACTION = 500, 1e-3
#: NumPy's extended precision (a 64-bit mantissa on x86), or None where long double is double.
EXTENDED = np.longdouble if np.finfo(np.longdouble).eps < np.finfo(float).eps else None
#: How closely the encoding must agree with a claim's NumPy reference: within REFERENCE_RTOL of the
#: larger of the terms and the reference's value, plus REFERENCE_ATOL times the claim's typical
#: size (the median over the sampled instances of their largest terms).  A reference computes in
#: floating point, so a value far below the claim's usual size, which it obtains by cancelling
#: terms of that size (a gradient of 1e-10 at a nearly deterministic prior, where the objective is
#: of order one), carries an absolute error of about 1e-16 times that size.
REFERENCE_RTOL, REFERENCE_ATOL = 1e-7, 1e-12
#: Instances re-checked at high precision even when the floats agreed, where a constraint
#: (Σp = 1) holds in floats only up to rounding.
SPOT_CHECKS = 2


@dataclass
class Mismatch:
    """One confirmed failure: the instance, the element and both sides at high precision."""

    values: dict
    element: tuple
    lhs: float
    rhs: float
    note: str = ""


@dataclass
class NumericResult:
    agreed: bool
    instances: int
    max_rel_error: float
    mismatch: Mismatch | None = None
    rechecked: int = 0
    message: str = ""


def _terms(expr: sp.Expr) -> tuple:
    return sp.Add.make_args(expr)


class Comparison:
    """Pairs (lhs_i, rhs_i) related by `==` or `<=`, compiled for NumPy and for mpmath."""

    def __init__(
        self, pairs: Sequence[tuple[tuple, sp.Expr, sp.Expr]], relation: str, domains: Domains,
        sample_all: bool = False,
    ):
        """`sample_all`: a reference function reads the whole model, so the parts of `domains`
        that the pairs do not use (`rest`) are drawn too, for the instances it is compared on."""
        if relation not in ("==", "<="):
            raise ValueError(f"relation must be '==' or '<=', got {relation!r}")
        self.relation = relation
        self.index = [ix for ix, _, _ in pairs]
        lhs = [domains.concretise(sp.sympify(l)) for _, l, _ in pairs]
        rhs = [domains.concretise(sp.sympify(r)) for _, _, r in pairs]
        symbols = set().union(*(e.free_symbols for e in lhs + rhs))
        domains.check_covers(symbols, atoms_of(lhs + rhs, AppliedUndef))
        self.domains = domains.restricted_to(symbols)
        self.rest = Domains([d for d in domains.parts if d not in self.domains.parts] if sample_all else [])
        self.symbols = sorted(symbols, key=str)
        # Unevaluated: Abs would query the assumptions of every term to simplify |t|, which costs
        # more than compiling, and the scale is only ever evaluated numerically.
        scale = [sp.Add(*(sp.Abs(t, evaluate=False) for t in _terms(l) + _terms(r))) for l, r in zip(lhs, rhs)]
        self._exprs = (lhs, rhs, scale)
        # One flat list: SymPy's cse does not look into nested lists, so [lhs, rhs, scale]
        # would be compiled without sharing the subexpressions the three have in common.
        self._np = compile_lambdified(self.symbols, lhs + rhs + scale, "numpy")
        self._mp = None

    def evaluate(self, values: dict, n: int, dtype=float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Arrays of shape (elements, n): lhs, rhs and the size of their terms, computed in `dtype`."""
        args = [np.asarray(values[s], dtype=dtype) for s in self.symbols]
        out = np.empty((len(self._exprs[0]) * 3, n), dtype=dtype)
        with np.errstate(all="ignore"):
            for row, value in zip(out, self._np(*args)):
                row[...] = _real_or_nan_array(value)  # broadcasts constants and scalars
        return tuple(out.reshape(3, -1, n))

    def relative_error(self, lhs, rhs, scale) -> np.ndarray:
        """How far each element is from satisfying the relation, relative to its terms."""
        with np.errstate(all="ignore"):
            gap = lhs - rhs if self.relation == "<=" else np.abs(lhs - rhs)
            rel = np.maximum(gap, 0.0) / np.maximum(scale, np.finfo(float).tiny)
        # An overflowing scale would make any gap look small: undecided in floats, so a failure
        # to re-check at high precision, like NaN or inf on either side.
        return np.where(np.isfinite(lhs) & np.isfinite(rhs) & np.isfinite(scale), rel, np.inf)

    @property
    def constrained(self) -> bool:
        """Whether the claim uses a symbol that a constraint fixes (a simplex's last entry)."""
        return not set(self.domains.eliminations()).isdisjoint(self.symbols)

    def evaluate_mp(self, values: dict, digits: int = MP_DIGITS) -> tuple[list, list, list]:
        """One instance at `digits` digits, with the domain's constraints made exact."""
        if self._mp is None:
            # One flat list with cse, as for NumPy: the generated code is then far shorter to print.
            flat = [e for side in self._exprs for e in side]
            self._mp = compile_lambdified(self.symbols, flat, "mpmath")
        with mpmath.workdps(digits):
            exact = exact_values(self.domains, values)
            try:
                flat = self._mp(*[exact[s] for s in self.symbols])
                k = len(self.index)
                return flat[:k], flat[k:2 * k], flat[2 * k:]
            except (ZeroDivisionError, ValueError, OverflowError):
                nan = [mpmath.mpf("nan")] * len(self.index)
                return nan, nan, nan


def compile_lambdified(symbols, exprs, modules):
    """`lambdify` with common subexpressions shared.  Two of its defaults walk a large claim as a
    tree rather than a graph and cost seconds at three states (measured: benchmarks/run.py): the
    canonical ordering of `cse`, which sorts every sum by node counts, and the search for
    implemented functions, which claims never contain.  Without the ordering, `cse` takes the
    arguments in the order SymPy stores them, which is deterministic."""
    return sp.lambdify(symbols, exprs, modules=modules, cse=lambda e: sp.cse(e, order="none"), use_imps=False)


def _real_or_nan_array(value) -> np.ndarray:
    """A complex value is not a value of a real claim: NaN unless its imaginary part is zero
    (assigning it to a float array would silently drop the imaginary part)."""
    value = np.asarray(value)
    if np.iscomplexobj(value):
        return np.where(value.imag == 0, value.real, np.nan)
    return value


def exact_values(domains: Domains, values: dict) -> dict:
    """mpmath values, with each simplex's largest entry set so the entries sum to exactly 1 (the
    largest, at least 1/k, stays positive; an entry of 1e-20 recomputed could not)."""
    exact = {s: mpmath.mpf(float(v)) for s, v in values.items()}
    for d in domains.parts:
        if isinstance(d, Simplex) and len(d.symbols) > 1:
            largest = max(d.symbols, key=lambda s: exact[s])
            exact[largest] = 1 - mpmath.fsum(exact[s] for s in d.symbols if s is not largest)
    return exact


def extended_values(domains: Domains, values: dict, instances: np.ndarray) -> dict:
    """The given instances in extended precision, each simplex's largest entry set so that the
    entries sum to 1 in that precision (in floats they do only up to rounding)."""
    extended = {s: np.asarray(v).reshape(-1)[instances].astype(EXTENDED) for s, v in values.items()}
    for d in domains.parts:
        if isinstance(d, Simplex) and len(d.symbols) > 1:
            block = np.stack([extended[s] for s in d.symbols])
            largest = block.argmax(axis=0) == np.arange(len(d.symbols))[:, None]
            block = np.where(largest, 1 - np.where(largest, 0, block).sum(axis=0), block)
            extended.update(zip(d.symbols, block))
    return extended


def _mp_rel_error(relation, l, r, scale) -> float:
    """inf when a side is not a finite real number (outside the claim's meaning), else the gap."""
    for x in (l, r, scale):
        if isinstance(x, mpmath.mpc) and x.imag != 0 or not mpmath.isfinite(x):
            return float("inf")
    l, r, scale = (mpmath.re(x) for x in (l, r, scale))
    gap = l - r if relation == "<=" else abs(l - r)
    return float(max(gap, 0) / max(scale, mpmath.mpf(10) ** (-MP_DIGITS)))


def _real_or_nan(x) -> float:
    return float(x) if not isinstance(x, mpmath.mpc) else (float(x.real) if x.imag == 0 else float("nan"))


def _failure_at(cmp: Comparison, values: dict, rtol: float, digits: int) -> tuple | None:
    with mpmath.workdps(digits):
        lhs, rhs, scale = cmp.evaluate_mp(values, digits)
        for k, (l, r, s) in enumerate(zip(lhs, rhs, scale)):
            if _mp_rel_error(cmp.relation, l, r, s) > rtol:
                return cmp.index[k], _real_or_nan(l), _real_or_nan(r)
    return None


def confirmed_failure(cmp: Comparison, values: dict, rtol: float) -> tuple | None:
    """(element, lhs, rhs) if the instance fails at MP_DIGITS digits and again at twice as many,
    else None.  A value far below the intermediate terms it is computed from (a gradient of
    1e-49 through exp(±100)) loses every digit to cancellation at MP_DIGITS; the second
    evaluation resolves it, while a real failure keeps its gap at any precision."""
    if _failure_at(cmp, values, rtol, MP_DIGITS) is None:
        return None
    return _failure_at(cmp, values, rtol, 2 * MP_DIGITS)


def _instance(values: dict, i: int) -> dict:
    return {s: float(np.asarray(v).reshape(-1)[i]) for s, v in values.items()}


def _complexity(values: dict) -> tuple:
    """Shorter decimals first, then smaller magnitudes: 0 < 1 < 0.5 < 0.27 < 12.1087."""
    digits = sum(len(repr(abs(float(v))).rstrip("0").rstrip(".")) for v in values.values())
    return digits, sum(abs(float(v)) for v in values.values())


def shrink(cmp: Comparison, values: dict, rtol: float, budget: int = 300) -> dict:
    """Greedily replace values by simpler ones (round numbers, uniform distributions)
    while the instance stays in the domain and still fails at high precision."""
    current = dict(values)
    used = set(cmp.symbols)
    improved = True
    while improved and budget > 0:
        improved = False
        for candidate in cmp.domains.simpler(current):
            if used.isdisjoint(candidate) or _complexity(candidate) >= _complexity(
                {s: current[s] for s in candidate}
            ):
                continue
            budget -= 1
            if budget <= 0:
                break
            trial = {**current, **candidate}
            if not cmp.domains.contains({s: np.asarray([v]) for s, v in trial.items()}):
                continue
            if confirmed_failure(cmp, trial, rtol) is not None:
                current, improved = trial, True
                break
    return current


def _settle_in_extended_precision(cmp, values, failing, worst_per_instance, rtol) -> tuple[int, np.ndarray]:
    """Most float failures are rounding (a softmax gradient cancelling its terms): evaluated again
    in extended precision, still vectorised, most agree before the slow mpmath re-check.  Returns
    how many agreed (their errors updated in `worst_per_instance`) and the instances still failing.
    A claim whose functions do not take long double leaves them all to mpmath."""
    if not len(failing) or EXTENDED is None:
        return 0, failing
    try:
        l_ext, r_ext, s_ext = cmp.evaluate(extended_values(cmp.domains, values, failing), len(failing), EXTENDED)
    except (TypeError, ValueError, AttributeError):
        return 0, failing
    rel_ext = cmp.relative_error(l_ext, r_ext, s_ext).max(axis=0).astype(float)
    settled = rel_ext <= rtol
    worst_per_instance[failing[settled]] = rel_ext[settled]
    return int(settled.sum()), failing[~settled]


def check(
    cmp: Comparison,
    rng: np.random.Generator,
    samples: int,
    rtol: float,
    reference: Callable[[dict], object] | None = None,
    reference_samples: int = 32,
) -> NumericResult:
    """Sample `samples` instances; agreed only if every one satisfies the relation."""
    values = cmp.domains.sample(rng, samples)
    lhs, rhs, scale = cmp.evaluate(values, samples)
    rel = cmp.relative_error(lhs, rhs, scale)
    worst_per_instance = rel.max(axis=0)
    failing = np.flatnonzero(worst_per_instance > rtol)
    extended, failing = _settle_in_extended_precision(cmp, values, failing, worst_per_instance, rtol)
    failing = failing[np.argsort(-worst_per_instance[failing])]
    budget = max(MAX_RECHECKS, int(RECHECK_FRACTION * samples))
    rechecked = min(len(failing), budget)
    # Floats satisfy a constraint only up to rounding, so a claim that is 0/0 on the constrained
    # domain can agree in floats everywhere: a few agreeing instances are re-checked as well.
    spot = [i for i in range(min(SPOT_CHECKS, samples)) if i not in failing] if cmp.constrained else []
    for i in [*failing[:budget], *spot]:
        instance = _instance(values, i)
        if confirmed_failure(cmp, instance, rtol) is not None:
            small = shrink(cmp, instance, rtol)
            element, l, r = confirmed_failure(cmp, small, rtol)
            undefined = "" if np.isfinite(l) and np.isfinite(r) else (
                "a side is not a finite real number here (undefined, infinite or complex): "
                "narrow the domain, or fix the expression"
            )
            return NumericResult(
                False, samples, float(worst_per_instance[i]), Mismatch(small, element, l, r, undefined), rechecked
            )
    agreed_rel = np.where(worst_per_instance > rtol, 0.0, worst_per_instance)
    if len(failing) > budget:
        return NumericResult(
            False, samples, float(np.max(worst_per_instance)), None, rechecked,
            f"{len(failing) + extended} instances failed in floating point; {extended} agreed in extended "
            f"precision and the {budget} worst of the rest at {MP_DIGITS} digits, but {len(failing) - budget} "
            "were not re-checked: raise the tolerance or narrow the domain",
        )
    settled = []
    if extended:
        settled.append(f"{extended} in extended precision")
    if rechecked:
        settled.append(f"{rechecked} at {MP_DIGITS} digits")
    message = ""
    if settled:
        message = f"{extended + rechecked} instance(s) failed in floating point but agreed, {' and '.join(settled)}"
    if reference is not None:
        # Only the compared instances need the symbols the claim does not use.
        n = min(reference_samples, samples)
        compared = {**{s: np.asarray(v)[:n] for s, v in values.items()}, **cmp.rest.sample(rng, n)}
        mismatch = _check_reference(cmp, compared, lhs, scale, reference, n)
        if mismatch is not None:
            return NumericResult(False, samples, float(np.max(agreed_rel)), mismatch, rechecked, message)
    return NumericResult(True, samples, float(np.max(agreed_rel, initial=0.0)), None, rechecked, message)


def _check_reference(cmp, values, lhs, scale, reference, count) -> Mismatch | None:
    """Compare the encoded lhs with an independent NumPy computation on a few instances."""
    n = min(count, lhs.shape[1])
    with np.errstate(all="ignore"):
        largest = np.max(np.where(np.isfinite(scale), scale, 0.0), axis=0)
    floor = REFERENCE_ATOL * float(np.median(largest))
    for i in range(n):
        instance = _instance(values, i)
        expected = np.asarray(reference(instance), dtype=float).reshape(-1)
        if expected.shape[0] != lhs.shape[0]:
            raise ValueError(
                f"the reference returned {expected.shape[0]} value(s) for a claim with {lhs.shape[0]} element(s)"
            )
        allowed = REFERENCE_RTOL * np.maximum(scale[:, i], np.abs(expected)) + floor
        with np.errstate(all="ignore"):
            gap = np.abs(lhs[:, i] - expected)
        bad = np.flatnonzero(~np.isfinite(gap) | ~(gap <= allowed))
        if len(bad):
            # As for the claim itself, only a disagreement that the encoding keeps at high
            # precision counts: the float lhs may have lost the digits the reference kept.
            exact = [_real_or_nan(value) for value in cmp.evaluate_mp(instance)[0]]
            for k in bad:
                if not abs(exact[k] - expected[k]) <= allowed[k]:
                    return Mismatch(
                        instance, cmp.index[k], exact[k], float(expected[k]),
                        "the encoding disagrees with its NumPy reference (rhs is the reference's value)",
                    )
    return None
