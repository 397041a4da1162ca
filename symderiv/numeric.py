"""The numeric engine: evaluate both sides of a claim on many random instances of its domain.

Instances are drawn from the claim's own domain, evaluated at once with NumPy
(`lambdify`), and compared with a tolerance scaled by the size of the terms: a first
filter.  Every instance that fails in floating point is evaluated again, all at once, in
extended precision (NumPy's long double, where the platform has one); what still fails,
and a few instances that agreed, are judged at an exact rational point of the domain in
ball arithmetic (`enclosure`), the precision raised until the balls decide.  Only a
certified failure is a counterexample: a ball of lhs − rhs that excludes zero, with both
sides finite, or a side that is certainly not a real number.  It is shrunk towards the
simplest point of the domain that still fails so.
"""

from __future__ import annotations

import enum
import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction

import flint
import numpy as np
import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.printing.numpy import NumPyPrinter

from . import half_angle, special_functions
from .domain import OWN_DOMAINS, Domains
from .enclosure import (
    OUTSIDE_BALL_ARITHMETIC,
    PRECISIONS,
    BallFunction,
    NotReal,
    Undecided,
    Undefined,
    certainly_not_real,
)
from .expressions import atoms_of, free_symbols_of, shared_subexpressions
from .printing import LinearArithmetic, NoCode, compiled

#: At most this many float failures, or this fraction of the instances if that is more, are
#: judged in ball arithmetic (about a millisecond each).
MAX_RECHECKS, RECHECK_FRACTION = 500, 1e-3
#: Typical instances of every check, drawn apart, are judged in ball arithmetic with the strict
#: tolerance below: a difference that the float tolerance hides under huge terms which cancel
#: exactly on both sides (x + 10³⁰ against x + 10³⁰ + 10¹⁰) is caught there.
HIGH_PRECISION_SUBSAMPLE = 8
#: Where more instances fail in floats than may be judged in balls, this many of the worst are
#: judged before any is evaluated again in extended precision.
FIRST_JUDGED = 8


@dataclass(frozen=True)
class Tolerance:
    """When an instance agrees in ball arithmetic: |lhs − rhs| at most 2^-bits of the size of the
    terms (and, if `absolute`, at most 2^-bits itself when the terms are larger than one), tried
    at each of `precisions` in turn.  A failure needs only a ball of lhs − rhs that excludes zero."""

    bits: int
    precisions: tuple[int, ...]
    absolute: bool = False


#: A float failure is rounding when it agrees to 100 bits of the terms' size.
FLOAT_FAILURE = Tolerance(100, PRECISIONS)
#: The subsample must agree to 4000 bits, relative to terms below one and absolute above: a
#: difference of 1 under terms of 10²⁰⁰⁰ is found, the precision raised with the terms' size.
STRICT = Tolerance(4000, (4096, 8192, 16384, 32768), absolute=True)
#: Instances a compiled function evaluates at a time (`Comparison.evaluate`): 16,384 to 65,536 were
#: fastest at 10⁶ instances of N8, N16 and N18.one_state, a third to half less time than all at once.
EVALUATED_AT_ONCE = 32_768
#: NumPy's extended precision (a 64-bit mantissa on x86), or None where long double is double.
EXTENDED = np.longdouble if np.finfo(np.longdouble).eps < np.finfo(float).eps else None
#: How closely the encoding must agree with a claim's NumPy reference: within REFERENCE_RTOL of the
#: larger of the terms and the reference's value, plus REFERENCE_ATOL times the claim's typical
#: size (the median over the sampled instances of their largest terms).  A reference computes in
#: floating point, so a value far below the claim's usual size, which it obtains by cancelling
#: terms of that size (a gradient of 1e-10 at a nearly deterministic prior, where the objective is
#: of order one), carries an absolute error of about 1e-16 times that size.
REFERENCE_RTOL, REFERENCE_ATOL = 1e-7, 1e-12


@dataclass
class Mismatch:
    """One certified failure: the exact point, the element and both sides (ball midpoints)."""

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
    #: Instances judged in ball arithmetic: float failures and the agreeing subsample.
    rechecked: int = 0
    message: str = ""
    #: Instances that no precision of ball arithmetic decided: not counterexamples.
    undecided: int = 0
    #: The typical instances drawn for the strict judgement and not yet judged (`check_typical`).
    typical: list[dict] = field(default_factory=list)


class Outcome(enum.Enum):
    FAILS = "fails"
    AGREES = "agrees"
    #: No precision decided: the difference is too small for the precisions tried.
    UNDECIDED = "undecided"
    #: Ball arithmetic has no enclosure of a function the claim uses (atan2, Mod, re, ...).
    UNEVALUATED = "unevaluated"


@dataclass
class Judgement:
    """What ball arithmetic concluded at one exact point."""

    outcome: Outcome
    element: tuple = ()
    lhs: float = float("nan")
    rhs: float = float("nan")
    #: For a failure: whether both sides are finite reals (else a side is certainly not real).
    finite: bool = True
    #: The working precision that decided it (0: none did).
    bits: int = 0
    #: For a failure whose sides lie beyond floats (lhs and rhs then read inf or 0): both, in decimal.
    beyond_floats: str = ""


def _terms(expr: sp.Expr) -> list:
    """The terms a side adds up, as SymPy's evaluation lists them: a sum inside a sum flattened, and
    a number times a sum distributed over it.  A side whose unknown functions were replaced by
    their families unevaluated (`SmoothFunctions.concretise`) holds such sums, which evaluating it
    would have merged into the side's own terms: its rounding scale is theirs."""
    out: list = []
    for term in sp.Add.make_args(expr):
        if term.is_Add:
            out += _terms(term)
        elif term.is_Mul and len(term.args) == 2 and term.args[0].is_Rational and term.args[1].is_Add:
            out += [sp.Mul(term.args[0], t, evaluate=False) for t in _terms(term.args[1])]
        else:
            out.append(term)
    return out


class Comparison:
    """Pairs (lhs_i, rhs_i) related by `==` or `<=`, compiled for NumPy and for ball arithmetic."""

    def __init__(
        self,
        pairs: Sequence[tuple[tuple, sp.Expr, sp.Expr]],
        relation: str,
        domains: Domains,
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
        symbols = free_symbols_of(lhs + rhs)
        domains.check_covers(symbols, atoms_of(lhs + rhs, AppliedUndef))
        self.domains = domains.restricted_to(symbols)
        self.rest = Domains([d for d in domains.parts if d not in self.domains.parts] if sample_all else [])
        self.symbols = sorted(symbols, key=str)
        # Unevaluated: Abs would query the assumptions of every term to simplify |t|, which costs
        # more than compiling, and the scale is only ever evaluated numerically.
        # A number's size is taken here: NumPy's abs of an integer beyond 2⁶³ overflows.
        scale = [
            sp.Add(*(abs(t) if t.is_Number else sp.Abs(t, evaluate=False) for t in _terms(l) + _terms(r)))
            for l, r in zip(lhs, rhs)
        ]
        self._exprs = (lhs, rhs, scale)
        # One flat list, so that the subexpressions the three have in common are computed once.
        self._shared = shared_subexpressions(lhs + rhs + scale)
        self._np = compile_numpy(self.symbols, lhs + rhs + scale, self._shared)
        self._balls: BallFunction | None = None

    def evaluate(self, values: dict, n: int, dtype=float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Arrays of shape (elements, n): lhs, rhs and the size of their terms, computed in `dtype`;
        NaN throughout where a constant of the claim (an integer of 2000 digits) has no float.
        Evaluated EVALUATED_AT_ONCE instances at a time (every operation is element by element, so
        the values are the same): a chunk's temporaries stay in the processor's cache, where a
        million instances' arrays went through memory at each operation (a third of the time)."""
        args = [np.asarray(values[s], dtype=dtype) for s in self.symbols]
        out = np.empty((len(self._exprs[0]) * 3, n), dtype=dtype)
        with np.errstate(all="ignore"):
            for start in range(0, max(n, 1), EVALUATED_AT_ONCE):
                chunk = slice(start, start + EVALUATED_AT_ONCE)
                try:
                    computed = self._np(*(a[chunk] if a.ndim else a for a in args))
                except OverflowError:
                    computed = [np.nan] * len(out)
                for row, value in zip(out, computed):
                    row[chunk] = _real_or_nan_array(value)  # broadcasts constants and scalars
        lhs, rhs, scale = out.reshape(3, -1, n)
        return lhs, rhs, scale

    def relative_error(self, lhs, rhs, scale) -> np.ndarray:
        """How far each element is from satisfying the relation, relative to its terms."""
        with np.errstate(all="ignore"):
            gap = lhs - rhs if self.relation == "<=" else np.abs(lhs - rhs)
            rel = np.maximum(gap, 0.0) / np.maximum(scale, np.finfo(float).tiny)
        # An overflowing scale would make any gap look small: undecided in floats, so a failure
        # to re-check at high precision, like NaN or inf on either side.
        return np.where(np.isfinite(lhs) & np.isfinite(rhs) & np.isfinite(scale), rel, np.inf)

    def reproducing(self, point: dict) -> dict:
        """The values of `point` that reproduce it: those the claim uses, and every symbol of a
        domain whose constraint ties them to one it uses (the simplex entry that is 1 minus the
        others depends on all of them)."""
        used = set(self.symbols)
        tied = {s for d in self.domains.parts if d.eliminations() and used & set(d.symbols) for s in d.symbols}
        return {s: v for s, v in point.items() if s in used | tied}

    def balls(self, point: dict, bits: int, complex_: bool = False) -> tuple[list, list, list]:
        """lhs, rhs and the size of their terms in ball arithmetic at an exact point."""
        if self._balls is None:
            self._balls = BallFunction(self.symbols, [e for side in self._exprs for e in side], self._shared)
        flat = self._balls(point, bits, complex_)
        k = len(self.index)
        return flat[:k], flat[k : 2 * k], flat[2 * k :]


#: Whether compiled claims compute sin and cos by `half_angle` (where NumPy's tan is vectorised).
HALF_ANGLE = half_angle.tan_is_vectorised()


class _NumPyPrinter(LinearArithmetic, NumPyPrinter):
    """NumPy's printer, with sums and products printed in linear time, and sin and cos by
    `half_angle` where that is faster (HALF_ANGLE)."""

    def _print_sin(self, expr: sp.sin) -> str:
        return self._half_angle("sin", expr) if HALF_ANGLE else super()._print_sin(expr)

    def _print_cos(self, expr: sp.cos) -> str:
        return self._half_angle("cos", expr) if HALF_ANGLE else super()._print_cos(expr)

    def _half_angle(self, name: str, expr: sp.Expr) -> str:
        function = self._module_format(f"{half_angle.__name__}.{name}_by_half_angle")
        return f"{function}({self._print(expr.args[0])})"

    def _print_ComplexInfinity(self, expr: sp.Expr) -> str:
        return self._print_not_supported(expr)

    # SymPy prints these as Python's math functions, of one float: they failed only when run.
    def _print_loggamma(self, expr: sp.Expr) -> str:
        return self._print_not_supported(expr)

    def _print_factorial(self, expr: sp.Expr) -> str:
        return self._print_not_supported(expr)


class NotEvaluable(ValueError):
    """A claim, or a node of one, that NumPy cannot evaluate on arrays."""


def _printer() -> _NumPyPrinter:
    """The printer of claims for NumPy: a function it does not know raises `NoCode` (printed as a
    call, it failed only when run), and gamma, erf and erfc are `special_functions`'."""
    functions = {name: f"{special_functions.__name__}.{f}" for name, f in special_functions.ELEMENTWISE.items()}
    return _NumPyPrinter(
        {
            "fully_qualified_modules": False,
            "inline": True,
            "allow_unknown_functions": False,
            "user_functions": functions,
            "order": "none",
        }
    )


def numpy_functions() -> list[str]:
    """The names of the SymPy functions compiled claims evaluate on arrays, for messages (besides
    arithmetic, powers, Piecewise and the like, which NumPy's printer prints in its own way)."""
    known = _printer().known_functions
    return sorted(
        name
        for name, code in known.items()
        if not code.startswith("math.") and isinstance(getattr(sp, name, None), sp.FunctionClass) and name != "ln"
    )


def compile_numpy(symbols, exprs, shared=None):
    """`exprs` as one NumPy function of `symbols` (`printing.compiled`), common subexpressions
    computed once (`shared`, if given, is their `shared_subexpressions`) and terms printed in the
    order SymPy stores them (the printer's default sorts every sum, most of the time of compiling a
    mutant), sin and cos by `half_angle` where HALF_ANGLE."""
    try:
        return compiled(_printer(), symbols, shared if shared is not None else shared_subexpressions(exprs), "numpy")
    except NoCode as missing:
        if missing.part is sp.zoo:
            raise NotEvaluable(
                "the claim holds zoo, SymPy's complex infinity: a division by zero as it was built"
            ) from None
        raise NotEvaluable(
            f"NumPy has no form of {missing.part}; compiled claims evaluate {', '.join(numpy_functions())}, "
            "with arithmetic, powers and Piecewise: write the claim with those"
        ) from missing


def _real_or_nan_array(value) -> np.ndarray:
    """A complex value is not a value of a real claim: NaN unless its imaginary part is zero
    (assigning it to a float array would silently drop the imaginary part)."""
    value = np.asarray(value)
    if np.iscomplexobj(value):
        return np.where(value.imag == 0, value.real, np.nan)
    return value


def exact_point(domains: Domains, values: dict, within: dict | None = None) -> dict | None:
    """The instance as exact rationals, with the constraints of every domain that draws them made
    exact (a simplex's largest entry is 1 minus the others); None if a value is not finite or the
    point then lies outside those domains.  Each value is its float, an exact binary rational that
    ball arithmetic holds exactly: kept a float in symderiv's own domains (`OWN_DOMAINS`; a Fraction
    of each cost more than judging the point), and a Fraction wherever a domain of the user's draws
    it, so that its `make_exact` and `contains_exact` read Fractions.  With `within`, an exact point
    that `values` replace some values of: only the domains that draw them are made exact again
    (shrinking's candidates change a few values of hundreds)."""
    given = {s: float(v) for s, v in values.items()}
    if not all(map(math.isfinite, given.values())):
        return None
    point = {**(within or {}), **given}
    touched = [(d, drawn) for d, drawn in domains.parts_drawn() if not given.keys().isdisjoint(drawn)]
    for d, drawn in touched:
        own = type(d) in OWN_DOMAINS
        floats = {
            s: given[s] if s in given else float(point[s])
            for s in (d.symbols if own else (*d.symbols, *drawn))
            if s in point
        }
        if own:
            point.update(d.make_exact(floats))
        else:
            exact = {s: Fraction(*v.as_integer_ratio()) for s, v in floats.items()}
            point.update(exact)  # what its `make_exact` leaves out stays a Fraction
            point.update(d.make_exact({s: exact[s] for s in d.symbols if s in exact}))
    return point if all(d.contains_exact(point) for d, drawn in touched if drawn <= point.keys()) else None


def extended_values(domains: Domains, values: dict, instances: np.ndarray) -> dict:
    """The given instances in extended precision, with every domain's constraints holding in that
    precision (in floats a simplex sums to 1 only up to rounding)."""
    extended = {s: np.asarray(v).reshape(-1)[instances].astype(EXTENDED) for s, v in values.items()}
    for d in domains.parts:
        extended.update(d.make_extended({s: extended[s] for s in d.symbols if s in extended}))
    return extended


def _midpoint(ball) -> float:
    """The ball's centre as a float; NaN for a value that is not finite or certainly not real."""
    if certainly_not_real(ball):
        return float("nan")
    ball = ball.real if isinstance(ball, flint.acb) else ball
    return float(ball.mid()) if ball.is_finite() else float("nan")


def _judge_at(cmp: Comparison, point: dict, bits: int, tolerance: Tolerance) -> Judgement | None:
    """The judgement at one precision, or None when this precision does not decide."""
    try:
        lhs, rhs, scale = cmp.balls(point, bits)
    except NotReal:
        return _complex_failure(cmp, point, bits)
    undecided = not_finite = False
    for k, (l, r, s) in enumerate(zip(lhs, rhs, scale)):
        if not (l.is_finite() and r.is_finite()):
            not_finite = True
            continue
        gap = l - r
        if (gap > 0) if cmp.relation == "<=" else not gap.contains(0):
            return _failure(cmp.index[k], l, r, bits)
        size = abs(s).abs_upper()
        if tolerance.absolute and size > 1:
            size = flint.arb(1)
        bound = size * flint.arb(2) ** -tolerance.bits
        within = gap.upper() if cmp.relation == "<=" else gap.abs_upper()
        if not (within <= bound):
            undecided = True
    if not_finite:
        return _complex_failure(cmp, point, bits, compare_sides=False)
    return None if undecided else Judgement(Outcome.AGREES, bits=bits)


def _complex_failure(cmp: Comparison, point: dict, bits: int, compare_sides: bool = True) -> Judgement | None:
    """A failure that complex balls certify, else None (this precision decides nothing): a side
    certainly not real, and with `compare_sides` sides that certainly differ (for `<=`, real parts
    in the wrong order).  Sides are compared where the claim holds the imaginary unit, which real
    balls cannot evaluate; only the first is looked for where a side is not finite in real balls.
    Never agreement: complex balls give a root or a log of a negative number a value, where the
    claim's reals have none.  Where they cannot decide or evaluate (floor, Mod), nothing is found."""
    try:
        lhs, rhs, _ = cmp.balls(point, bits, complex_=True)
    except (Undecided, *OUTSIDE_BALL_ARITHMETIC):
        return None
    for k, (l, r) in enumerate(zip(lhs, rhs)):
        if certainly_not_real(l) or certainly_not_real(r):
            return Judgement(Outcome.FAILS, cmp.index[k], _midpoint(l), _midpoint(r), finite=False, bits=bits)
        if not (compare_sides and l.is_finite() and r.is_finite()):
            continue
        gap = l - r
        if cmp.relation == "<=":
            differs = (gap.real if isinstance(gap, flint.acb) else gap) > 0
        else:
            differs = not gap.contains(0)
        if differs:
            return _failure(cmp.index[k], l, r, bits)
    return None


def _failure(element: tuple, lhs, rhs, bits: int) -> Judgement:
    """A failure between two finite balls; where a side is beyond floats (e^800, or 10⁻⁴⁰⁰ beside
    another value), both sides are said in decimal as well."""
    sides = [ball.real if isinstance(ball, flint.acb) else ball for ball in (lhs, rhs)]
    mids = [_midpoint(ball) for ball in sides]
    beyond = any(m != 0 and not 1e-300 < abs(m) < 1e300 for m in mids) or any(
        m == 0 and not ball.mid().is_zero() for m, ball in zip(mids, sides)
    )
    said = ""
    if beyond:
        lhs_text, rhs_text = (ball.mid().str(12, radius=False) for ball in sides)
        said = f"lhs = {lhs_text}, rhs = {rhs_text}"
    return Judgement(Outcome.FAILS, element, mids[0], mids[1], bits=bits, beyond_floats=said)


def judge(cmp: Comparison, point: dict, tolerance: Tolerance = FLOAT_FAILURE) -> Judgement:
    """Fails, agrees within `tolerance`, or undecided at an exact point, the precision raised
    through the tolerance's precisions until the balls decide."""
    for bits in tolerance.precisions:
        try:
            found = _judge_at(cmp, point, bits, tolerance)
        except Undecided:
            continue
        except Undefined:
            return Judgement(Outcome.FAILS, finite=False, bits=bits)
        except OUTSIDE_BALL_ARITHMETIC:
            return Judgement(Outcome.UNEVALUATED)
        if found is not None:
            return found
    return Judgement(Outcome.UNDECIDED)


def _instances(values: dict, indices: Sequence[int] | np.ndarray) -> list[dict]:
    """The instances at `indices`, each a dict of floats: each array is read once for all of them
    (a claim's hundreds of symbols, read once per instance, cost as much as judging it)."""
    symbols = list(values)
    if not len(indices) or not symbols:
        return [{} for _ in indices]
    table = np.stack([np.asarray(values[s], dtype=float).reshape(-1)[indices] for s in symbols], axis=1)
    return [dict(zip(symbols, row)) for row in table.tolist()]


def _complexity(values: dict) -> tuple:
    """Shorter decimals first, then smaller magnitudes: 0 < 1 < 0.5 < 0.27 < 12.1087."""
    magnitudes = [abs(float(v)) for v in values.values()]
    return sum(map(_digits, magnitudes)), sum(magnitudes)


@functools.lru_cache(maxsize=1 << 14)
def _digits(magnitude: float) -> int:
    """The length of a magnitude's shortest decimal: shrinking measures the same values again after
    each step it takes."""
    return len(repr(magnitude).rstrip("0").rstrip("."))


def shrink(cmp: Comparison, point: dict, failure: Judgement, budget: int = 300) -> tuple[dict, Judgement]:
    """Greedily replace values by simpler ones (round numbers, uniform distributions) while the
    point stays in the domain, exactly, and still fails the same way, certified: with both sides
    finite if they were (a point where neither side is defined is no simpler counterexample).
    A candidate is judged up to the precision that certified the failure, not beyond: most
    candidates that no lower precision decides would cost every precision to 4096 bits and be
    rejected still."""
    highest = max(failure.bits, FLOAT_FAILURE.precisions[0])
    tolerance = replace(FLOAT_FAILURE, precisions=tuple(p for p in FLOAT_FAILURE.precisions if p <= highest))
    current = dict(point)
    used = set(cmp.symbols)
    improved = True
    while improved and budget > 0:
        improved = False
        floats = {s: float(v) for s, v in current.items()}
        for candidate in cmp.domains.simpler(floats):
            if used.isdisjoint(candidate) or _complexity(candidate) >= _complexity({s: floats[s] for s in candidate}):
                continue
            budget -= 1
            if budget <= 0:
                break
            trial = exact_point(cmp.domains, candidate, within=current)
            # The same point again (a uniform distribution over three actions is not exact in
            # binary, and making it sum to one exactly gives back the current point): no progress.
            if trial is None or trial == current:
                continue
            found = judge(cmp, trial, tolerance)
            if found.outcome is Outcome.FAILS and found.finite == failure.finite:
                current, failure, improved = trial, found, True
                break
    return current, failure


def _settle_in_extended_precision(cmp, values, failing, worst_per_instance, rtol) -> tuple[int, np.ndarray]:
    """Most float failures are rounding (a softmax gradient cancelling its terms): evaluated again
    in extended precision, still vectorised, most agree before the slower judgement in balls.  Returns
    how many agreed (their errors updated in `worst_per_instance`) and the instances still failing.
    A claim whose functions do not take long double leaves them all to ball arithmetic."""
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


#: Float failures where balls cannot look that are evaluated in mpmath, the worst first.
UNEVALUATED_RECHECKS = 8
#: The digits they are evaluated to.
UNEVALUATED_DIGITS = 60


def _differs_in_mpmath(cmp: Comparison, instance: dict, rtol: float) -> bool:
    """Whether the claim fails at the instance evaluated to `UNEVALUATED_DIGITS` digits by SymPy's
    evalf, where ball arithmetic cannot look (atan2, Mod): rounding in floats and long double alike
    (terms of 10²⁴ cancelling) agrees there, a difference does not.  Not rigorous, it certifies
    nothing: it only tells a failure to report from rounding to leave uncounted."""
    point = exact_point(cmp.domains, instance)
    if point is None:
        return True
    subs = {
        s: sp.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else sp.Rational(v)
        for s, v in point.items()
    }
    try:
        for lhs, rhs, scale in zip(*cmp._exprs):
            gap = (lhs - rhs).evalf(UNEVALUATED_DIGITS, subs=subs)
            size = abs(scale.evalf(UNEVALUATED_DIGITS, subs=subs))
            # A claim holding i leaves an imaginary part of rounding (10⁻¹⁹¹): only one beyond the
            # tolerance is a side that is not real.
            real, imaginary = gap.as_real_imag()
            if abs(imaginary) > rtol * size:
                return True
            if (real if cmp.relation == "<=" else abs(real)) > rtol * size:
                return True
    except (TypeError, ValueError, ArithmeticError):
        return True
    return False


def check(
    cmp: Comparison,
    rng: np.random.Generator,
    samples: int,
    rtol: float,
    reference: Callable[[dict], object] | None = None,
    reference_samples: int = 32,
    strict: bool = True,
) -> NumericResult:
    """Sample `samples` instances; agreed only if none fails, certified in ball arithmetic.

    Float failures that extended precision does not settle (the worst first, up to a budget) are
    judged at exact points, and so are, strictly, `HIGH_PRECISION_SUBSAMPLE` typical instances
    drawn apart.  With `strict` False those are drawn but left in `typical` (unless a counterexample
    was found), for `check_typical` once it is known whether a proof leaves anything to find."""
    values = cmp.domains.sample(rng, samples)
    lhs, rhs, scale = cmp.evaluate(values, samples)
    rel = cmp.relative_error(lhs, rhs, scale)
    worst_per_instance = rel.max(axis=0)
    failing = np.flatnonzero(worst_per_instance > rtol)
    budget = max(MAX_RECHECKS, int(RECHECK_FRACTION * samples))
    drawn = cmp.domains.sample(rng, HIGH_PRECISION_SUBSAMPLE, typical=True)
    typical = _instances(drawn, np.arange(HIGH_PRECISION_SUBSAMPLE))
    if len(failing) > budget:
        # More float failures than ball arithmetic may judge: most likely a false claim, whose
        # failures extended precision would evaluate again, every one, to settle none.  The worst
        # few are judged first; the first failure they certify is the one judged first below.
        worst = failing[np.argsort(-worst_per_instance[failing], kind="stable")[:FIRST_JUDGED]]
        first = _judged(cmp, [(instance, FLOAT_FAILURE) for instance in _instances(values, worst)])
        if first.found is not None:
            return NumericResult(
                False, samples, float(np.max(worst_per_instance)), first.found, len(worst), undecided=first.not_counted
            )
    extended, failing = _settle_in_extended_precision(cmp, values, failing, worst_per_instance, rtol)
    failing = failing[np.argsort(-worst_per_instance[failing], kind="stable")]
    judged = [(instance, FLOAT_FAILURE) for instance in _instances(values, failing[:budget])]
    if strict:
        judged += [(instance, STRICT) for instance in typical]
    judgements = _judged(cmp, judged)
    if judgements.found is not None:
        return NumericResult(
            False,
            samples,
            float(np.max(worst_per_instance)),
            judgements.found,
            len(judged),
            undecided=judgements.not_counted,
        )
    unevaluated = judgements.unevaluated
    agreed_rel = np.where(worst_per_instance > rtol, 0.0, worst_per_instance)
    left = [] if strict else typical
    # No agreement, though no certificate: failures where balls cannot look that still differ in
    # mpmath (the worst few), or more failures than balls may judge.  (What balls evaluate but no
    # precision decides is a cancellation beyond their precisions, as a true claim at its domain's
    # extremes has: not counted, like rounding where balls cannot look.)
    rechecked = unevaluated[:UNEVALUATED_RECHECKS]
    differing = sum(_differs_in_mpmath(cmp, judged[k][0], rtol) for k in rechecked)
    unsettled = ""
    if differing:
        unsettled = (
            f"{len(unevaluated)} instance(s) failed where ball arithmetic cannot evaluate the claim (it has "
            "no enclosure of a function the claim uses, such as atan2, Mod or re), and "
            f"{differing} of the {len(rechecked)} worst differ in floating point, in extended precision and to "
            f"{UNEVALUATED_DIGITS} digits in mpmath: the numbers do not agree, and no counterexample is certified"
        )
    elif len(failing) > budget:
        unsettled = (
            f"{len(failing) + extended} instances failed in floating point; {extended} agreed in extended "
            f"precision and the {budget} worst of the rest were judged in ball arithmetic, but "
            f"{len(failing) - budget} were not: raise the tolerance or narrow the domain"
        )
    if unsettled:
        return NumericResult(
            False,
            samples,
            float(np.max(worst_per_instance)),
            None,
            len(judged),
            unsettled,
            undecided=judgements.not_counted,
            typical=left,
        )
    settled = []
    if extended:
        settled.append(f"{extended} in extended precision")
    if judgements.agreed_in_balls:
        settled.append(f"{judgements.agreed_in_balls} in ball arithmetic")
    message = ""
    if settled:
        message = (
            f"{extended + judgements.agreed_in_balls} instance(s) failed in floating point but agreed, "
            f"{' and '.join(settled)}"
        )
    message = judgements.saying_what_was_not_counted(message)
    result = NumericResult(
        True, samples, float(np.max(agreed_rel, initial=0.0)), None, len(judged), message, judgements.not_counted, left
    )
    if reference is not None:
        # A reference computes in floats, which keep their digits on typical instances, not at a
        # domain's extremes: it is compared on instances of its own, drawn without them.
        n = min(reference_samples, samples)
        compared = {**cmp.domains.sample(rng, n, typical=True), **cmp.rest.sample(rng, n, typical=True)}
        typical_lhs, _, typical_scale = cmp.evaluate(compared, n)
        mismatch = _check_reference(cmp, compared, typical_lhs, typical_scale, reference, n)
        if mismatch is not None:
            result.agreed, result.mismatch, result.max_rel_error = False, mismatch, float(np.max(agreed_rel))
    return result


def check_typical(cmp: Comparison, typical: Sequence[dict]) -> NumericResult:
    """Judge the typical instances that `check(..., strict=False)` left, strictly.  A failure
    there is a difference too small for floats under terms that cancel: no symbolic proof was
    found for such a claim, since a proof leaves no difference at all."""
    judgements = _judged(cmp, [(instance, STRICT) for instance in typical])
    message = judgements.saying_what_was_not_counted("")
    return NumericResult(
        judgements.found is None, 0, 0.0, judgements.found, len(typical), message, judgements.not_counted
    )


@dataclass
class _Judgements:
    """What ball arithmetic concluded at a list of instances (`_judged`)."""

    #: The first certified failure, shrunk.
    found: Mismatch | None = None
    #: Instances no precision decided, and instances ball arithmetic cannot evaluate: not counted.
    undecided: int = 0
    unevaluable: int = 0
    #: Float failures that agreed in balls, and the positions of those balls cannot evaluate.
    agreed_in_balls: int = 0
    unevaluated: list[int] = field(default_factory=list)

    @property
    def not_counted(self) -> int:
        return self.undecided + self.unevaluable

    def saying_what_was_not_counted(self, message: str) -> str:
        """`message`, and the instances that were not counted, by why."""
        parts = []
        if self.undecided:
            parts.append(f"{self.undecided} instance(s) that no precision of ball arithmetic decided")
        if self.unevaluable:
            parts.append(
                f"{self.unevaluable} instance(s) that ball arithmetic cannot evaluate (it has no enclosure of "
                "a function the claim uses, such as atan2, Mod or arg)"
            )
        if not parts:
            return message
        said = f"{' and '.join(parts)} were not counted"
        return f"{message}; {said}" if message else said


def _judged(cmp: Comparison, judged: Sequence[tuple[dict, Tolerance]]) -> _Judgements:
    """Judge each (instance, tolerance) in ball arithmetic, in order, until a failure is certified."""
    out = _Judgements()
    for position, (instance, tolerance) in enumerate(judged):
        point = exact_point(cmp.domains, instance)
        found = judge(cmp, point, tolerance) if point is not None else Judgement(Outcome.UNDECIDED)
        if found.outcome is Outcome.FAILS and point is not None:
            small, found = shrink(cmp, point, found)
            if not found.finite:
                note = (
                    "a side is not a finite real number here (undefined, infinite or complex): "
                    "narrow the domain, or fix the expression"
                )
            else:
                note = f"beyond floats, {found.beyond_floats}" if found.beyond_floats else ""
            out.found = Mismatch(cmp.reproducing(small), found.element, found.lhs, found.rhs, note)
            return out
        out.undecided += found.outcome is Outcome.UNDECIDED
        out.unevaluable += found.outcome is Outcome.UNEVALUATED
        out.agreed_in_balls += found.outcome is Outcome.AGREES and tolerance is FLOAT_FAILURE
        if found.outcome is Outcome.UNEVALUATED and tolerance is FLOAT_FAILURE:
            out.unevaluated.append(position)
    return out


def _exact_lhs(cmp: Comparison, instance: dict) -> list[float]:
    """The encoded lhs at the instance, each element to double precision from a ball, NaN where
    ball arithmetic cannot evaluate it."""
    point = exact_point(cmp.domains, instance)
    if point is not None:
        for bits in PRECISIONS:
            try:
                lhs = cmp.balls(point, bits)[0]
            except Undecided:
                continue
            except OUTSIDE_BALL_ARITHMETIC:
                break
            if all(v.rel_accuracy_bits() >= 60 for v in lhs):
                return [_midpoint(v) for v in lhs]
    return [float("nan")] * len(cmp.index)


def _check_reference(cmp, values, lhs, scale, reference, count) -> Mismatch | None:
    """Compare the encoded lhs with an independent NumPy computation on a few instances.  A
    reference computes in floats: where its value, or the encoding's in floats, is not finite (exp
    overflowing at an extreme instance) it says nothing, and where the encoding's exact value is
    unknown neither does it; a reference that says nothing on every instance is an error to fix."""
    n = min(count, lhs.shape[1])
    with np.errstate(all="ignore"):
        largest = np.max(np.where(np.isfinite(scale), scale, 0.0), axis=0)
    floor = REFERENCE_ATOL * float(np.median(largest))
    compared = 0
    for i, instance in enumerate(_instances(values, np.arange(n))):
        expected = np.asarray(reference(instance), dtype=float).reshape(-1)
        if expected.shape[0] != lhs.shape[0]:
            raise ValueError(
                f"the reference returned {expected.shape[0]} value(s) for a claim with {lhs.shape[0]} element(s)"
            )
        if not (np.all(np.isfinite(expected)) and np.all(np.isfinite(scale[:, i]))):
            # Beyond floats' range for the reference or the encoding: neither says anything here.
            continue
        compared += 1
        allowed = REFERENCE_RTOL * np.maximum(scale[:, i], np.abs(expected)) + floor
        with np.errstate(all="ignore"):
            gap = np.abs(lhs[:, i] - expected)
        bad = np.flatnonzero(~np.isfinite(gap) | ~(gap <= allowed))
        if len(bad):
            # As for the claim itself, only a disagreement that the encoding keeps at high
            # precision counts: the float lhs may have lost the digits the reference kept.
            exact = _exact_lhs(cmp, instance)
            for k in bad:
                if np.isfinite(exact[k]) and not abs(exact[k] - expected[k]) <= allowed[k]:
                    return Mismatch(
                        instance,
                        cmp.index[k],
                        exact[k],
                        float(expected[k]),
                        "the encoding disagrees with its NumPy reference (rhs is the reference's value)",
                    )
    if n and not compared:
        raise ValueError(f"the reference returned NaN or inf on every one of the {n} instances it was compared on")
    return None
