"""Rigorous enclosures of expressions at exact rational points, in ball arithmetic.

A refutation must not rest on rounding: a true identity whose sides cancel to a hundred digits
looks false at fifty.  python-flint's `arb` (real) and `acb` (complex) balls enclose the exact
value of every operation, so a ball of lhs − rhs that excludes zero proves the sides differ at
that point, whatever the precision it was computed at.  Expressions are compiled once
(`printing.compiled`, with shared subexpressions) and evaluated at any precision; a branch or
comparison that the balls cannot decide raises `Undecided` instead of picking a side.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from fractions import Fraction

import flint
import sympy as sp
from sympy.printing.pycode import MpmathPrinter

from .domain import Exact
from .expressions import free_symbols_of, shared_subexpressions
from .printing import LinearArithmetic, compiled

#: The working precisions tried in turn, in bits: from a little above double to a few thousand.
PRECISIONS = (128, 256, 512, 1024, 2048, 4096)


class Undecided(Exception):
    """The balls at this precision cannot decide a comparison, a sign or a branch."""


class NotReal(Exception):
    """A real evaluation met a complex constant: the value is to be found in complex balls."""


class Undefined(ArithmeticError):
    """A division by a ball that is exactly zero: the expression is undefined at the point."""


#: What evaluating a claim in ball arithmetic raises where it cannot cover the claim (a function
#: it does not know, or that complex balls lack, a Float, a division by a ball that is exactly zero).
OUTSIDE_BALL_ARITHMETIC = (ArithmeticError, TypeError, NameError, ValueError, KeyError, AttributeError)


class _BallPrinter(LinearArithmetic, MpmathPrinter):
    """Prints constants and comparisons as calls, so that they are computed at the working
    precision and decided rigorously (Python's `if x > 0` on a ball is false when unsure)."""

    def _module_format(self, fqn, register=True):
        # Names only, and no imports: lambdify would otherwise bring mpmath's gamma or erf into the
        # namespace, which evaluate a ball as a float and return an enclosure that is not one.
        return fqn.split(".")[-1]

    def _print_Pi(self, expr):
        return "_pi()"

    def _print_Exp1(self, expr):
        return "_e()"

    def _print_ImaginaryUnit(self, expr):
        return "_i()"

    def _print_Relational(self, expr):
        return f"_compare({self._print(expr.lhs)}, {self._print(expr.rhs)}, {expr.rel_op!r})"

    def _product(self, factors):
        # The default prints a/b, which divides a ball by an exact zero into NaN silently.
        divisors = [f for f in factors if f.is_Pow and f.exp.is_Integer and f.exp < 0]
        if not divisors:
            return super()._product(factors)
        rest = [f for f in factors if f not in divisors]
        below = "*".join(self._print(f) for f in divisors)
        return f"({self._print(sp.Mul(*rest, evaluate=False))})*{below}" if rest else below

    def _print_Pow(self, expr, rational=False):
        if expr.exp.is_Integer and expr.exp < 0:
            reciprocal = f"_reciprocal({self._print(expr.base)})"
            return reciprocal if expr.exp == -1 else f"{reciprocal}**{-int(expr.exp)}"
        return super()._print_Pow(expr, rational=rational)

    def _print_Float(self, expr):
        # Claims hold exact numbers only; a float here would be rounded before it is enclosed.
        raise TypeError(f"a Float ({expr}) cannot be enclosed exactly")


def _method(name):
    """The ball method `name` as a function, a number made a ball first: looked up once, not by
    name at each of the hundreds of calls a claim makes per point."""
    on_real, on_complex = getattr(flint.arb, name, None), getattr(flint.acb, name, None)

    def method(x):
        kind = type(x)
        if kind is flint.arb and on_real is not None:
            return on_real(x)
        if kind is flint.acb and on_complex is not None:
            return on_complex(x)
        return getattr(_ball(x), name)()

    return method


def _ball(x):
    """Integers in the generated code stay Python ints; methods need a ball."""
    return x if isinstance(x, (flint.arb, flint.acb)) else flint.arb(x)


def _reciprocal(x):
    x = _ball(x)
    if x.is_zero():
        raise Undefined("division by zero")
    return 1 / x


def _compare(lhs, rhs, op: str) -> bool:
    d = _ball(lhs - rhs)
    if isinstance(d, flint.acb):
        raise Undecided("a comparison of complex values")
    if d.is_zero():
        return op in ("==", "<=", ">=")
    positive, negative = d > 0, d < 0
    if not (positive or negative):
        raise Undecided(f"cannot decide {op} between balls that overlap")
    return {"==": False, "!=": True, ">": positive, ">=": positive, "<": negative, "<=": negative}[op]


def _sign(x) -> int:
    return 1 if _compare(x, 0, ">") else -1 if _compare(x, 0, "<") else 0


def _extremum(pick):
    def extremum(*args):
        balls = [_ball(a) for a in args]
        if any(isinstance(b, flint.acb) for b in balls):
            raise Undecided("max or min of complex values")
        return functools.reduce(pick, balls)

    return extremum


_FUNCTIONS = {
    name: _method(name)
    for name in (
        "exp",
        "log",
        "sqrt",
        "sin",
        "cos",
        "tan",
        "sec",
        "csc",
        "cot",
        "sinh",
        "cosh",
        "tanh",
        "sech",
        "csch",
        "coth",
        "asin",
        "acos",
        "atan",
        "asinh",
        "acosh",
        "atanh",
        "erf",
        "erfc",
        "gamma",
        "floor",
        "ceil",
    )
}
_FUNCTIONS.update(
    {
        "mpf": flint.arb,
        "ceiling": _method("ceil"),
        "sign": _sign,
        "max": _extremum(lambda a, b: a.max(b)),
        "min": _extremum(lambda a, b: a.min(b)),
        "_compare": _compare,
        "_reciprocal": _reciprocal,
        "_pi": flint.arb.pi,
        "_e": flint.arb.const_e,
    }
)


def _no_imaginary_unit():
    raise NotReal("the imaginary unit in real arithmetic")


_REAL = {**_FUNCTIONS, "_i": _no_imaginary_unit}
_COMPLEX = {**_FUNCTIONS, "mpf": flint.acb, "_i": lambda: flint.acb(0, 1), "_pi": lambda: flint.acb(flint.arb.pi())}


class BallFunction:
    """`exprs` as a function of `symbols` in ball arithmetic: real (`arb`), or complex (`acb`),
    where a log or square root of a negative number is a certified non-real value."""

    def __init__(self, symbols: Sequence[sp.Symbol], exprs: Sequence[sp.Expr], shared: tuple | None = None):
        """`shared`: the `shared_subexpressions` of `exprs`, if the caller has them already."""
        self.symbols = list(symbols)
        self.exprs = list(exprs)
        self._shared = shared
        self._compiled: dict = {}

    def _function(self, complex_: bool):
        """Compiled on first use: most claims never need the complex form."""
        if complex_ not in self._compiled:
            printer = _BallPrinter(
                {"fully_qualified_modules": False, "inline": True, "allow_unknown_functions": False, "order": "none"}
            )
            if self._shared is None:
                self._shared = shared_subexpressions(self.exprs)
            self._compiled[complex_] = compiled(printer, self.symbols, self._shared, [_COMPLEX if complex_ else _REAL])
        return self._compiled[complex_]

    def __call__(self, point: Mapping[sp.Symbol, Exact], bits: int, complex_: bool = False) -> list:
        """Balls enclosing each expression at the exact `point` (rationals, a float standing for its
        exact binary value); raises `Undecided` where the balls cannot decide a branch, and
        ArithmeticError, TypeError, NameError or ValueError where the expressions leave what ball
        arithmetic covers."""
        f = self._function(complex_)
        kind = flint.acb if complex_ else flint.arb
        values = [point[s] for s in self.symbols]
        # Each value converted exactly: a float is a ball of its own at any precision, a rational is
        # where its binary expansion ends (a sum of floats' does), so that a constraint which holds
        # exactly (Σp = 1) gives an exact zero, not a ball around it.
        ratios = {i: _ratio(v) for i, v in enumerate(values) if not isinstance(v, float)}
        needed = max((max(n.bit_length(), d.bit_length()) + 2 for n, d in ratios.values()), default=0)
        with flint.ctx.workprec(max(bits, needed)):
            args = [kind(v) if isinstance(v, float) else kind(flint.fmpq(*ratios[i])) for i, v in enumerate(values)]
        with flint.ctx.workprec(bits):
            return [_ball(v) for v in f(*args)]


def _ratio(x) -> tuple[int, int]:
    """An exact value as (numerator, denominator) in Python ints: their bit lengths are read
    without converting FLINT's integers back (a third of the time of evaluating a claim in balls)."""
    return (x if type(x) is Fraction else Fraction(x)).as_integer_ratio()


def is_finite_real(ball) -> bool:
    """A real ball of finite radius, or a complex one whose imaginary part is exactly zero."""
    if isinstance(ball, flint.acb):
        return ball.imag.is_zero() and ball.real.is_finite()
    return ball.is_finite()


def certainly_not_real(ball) -> bool:
    """A complex ball whose imaginary part excludes zero: the value is certainly not real."""
    return isinstance(ball, flint.acb) and ball.imag.is_finite() and not ball.imag.contains(0)


def excludes_zero(exprs: Sequence[sp.Expr], point: Mapping[sp.Symbol, Fraction]) -> list[bool]:
    """For each expression, whether it is certainly non-zero at the exact `point`: compiled once,
    the precision raised until each ball excludes zero (False where no precision decides, or
    where ball arithmetic cannot evaluate it)."""
    if not exprs:
        return []
    f = BallFunction(sorted(free_symbols_of(exprs), key=sp.default_sort_key), exprs)
    decided = [False] * len(exprs)
    for bits in PRECISIONS:
        try:
            balls = f(point, bits)
        except Undecided:
            continue
        except OUTSIDE_BALL_ARITHMETIC:
            break
        decided = [d or (b.is_finite() and not b.contains(0)) for d, b in zip(decided, balls)]
        if all(decided):
            break
    return decided
