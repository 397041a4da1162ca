"""Whether an expression is twice continuously differentiable in one variable on its domain, or
real-analytic in all its variables (`non_analytic_part`, for denominators).

The convexity rule (f(x0) = 0, f'(x0) = 0 and f'' >= 0 on an interval imply f >= 0 there)
holds only for a C² function.  SymPy differentiates Piecewise, Abs, Max, sign, floor or
Heaviside branch by branch, so a function that dips below zero on a narrow window would
pass the rule's tests.  The check is a whitelist, sound by construction: rational and
other finite constants, the variable, sums, products, powers and logs whose base is
provably non-zero or positive, and a few functions smooth on the whole real line.  What
is provable comes from the variable's SymPy assumptions, which its domain guarantees.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

#: Smooth (analytic) for every argument, real or complex.
ENTIRE = (sp.exp, sp.sin, sp.cos, sp.sinh, sp.cosh, sp.erf, sp.erfc)
#: Smooth on the real line, with poles or branch points off it: the argument must be real.
SMOOTH_ON_REALS = (sp.tanh, sp.sech, sp.atan, sp.asinh)


@dataclass(frozen=True)
class NotSmooth:
    """The part of an expression that keeps it from being known C², and why."""

    part: sp.Expr
    reason: str

    def describe(self) -> str:
        return f"{self.part}: {self.reason}"


def non_smooth_part(expr: sp.Expr, x: sp.Symbol) -> NotSmooth | None:
    """The first part of `expr` not known to be C² in `x` wherever x's assumptions hold, or
    None when the whole expression is."""
    return _first_outside(
        expr,
        _Whitelist(
            constant=lambda e: x not in e.free_symbols,
            variable=lambda e: e == x,
            jets=False,
            poles_anywhere=True,
            what=f"twice continuously differentiable in {x}",
        ),
    )


#: Smooth on the real line, but with branch points off it: atan(h) + atan(1/h) is π/2 where h > 0
#: and −π/2 where h < 0, so a pole of the argument must not cut the domain in two.
BRANCHED = (sp.atan, sp.asinh)


def non_analytic_part(expr: sp.Expr) -> NotSmooth | None:
    """The first part of `expr` not known to be real-analytic in all its variables wherever their
    assumptions hold, or None.  An unknown function's value or derivative at a symbol counts as a
    variable of its own.  A denominator that is analytic and non-zero at one point vanishes only on
    a null set; Max, Abs, Piecewise, a log of a negative value, or an unknown function at another
    expression (f(max(u, 0)) − f(0)) can vanish on a window and be non-zero elsewhere, so they are
    not on the list.  A quotient g/h is allowed (h is checked as a denominator of its own, and a
    function of single-valued analytic pieces vanishing on a window vanishes wherever it is
    defined), except inside a `BRANCHED` function, where h must be known non-zero."""
    return _first_outside(
        expr,
        _Whitelist(
            constant=lambda e: not e.free_symbols,
            variable=lambda e: e.is_Symbol,
            jets=True,
            poles_anywhere=False,
            what="analytic",
        ),
    )


@dataclass(frozen=True)
class _Whitelist:
    """What sets the two walks apart: which parts are constants and variables, whether an unknown
    function at symbols (and its derivatives) is a variable of its own, whether a negative power's
    base must be known non-zero everywhere or only inside a `BRANCHED` function, and the property
    a reason names."""

    constant: Callable[[sp.Expr], bool]
    variable: Callable[[sp.Expr], bool]
    jets: bool
    poles_anywhere: bool
    what: str


def _first_outside(expr: sp.Expr, rules: _Whitelist, branched: bool = False) -> NotSmooth | None:
    """The first part of `expr` outside the whitelist `rules` completes, or None."""

    def first(parts, branched: bool = branched) -> NotSmooth | None:
        for part in parts:
            found = _first_outside(part, rules, branched)
            if found is not None:
                return found
        return None

    if rules.constant(expr):
        return None if expr.is_finite else NotSmooth(expr, "not known to be a finite constant")
    if rules.variable(expr):
        return None
    if rules.jets and isinstance(expr, sp.core.function.AppliedUndef):
        at_symbols = all(a.is_Symbol for a in expr.args)
        return None if at_symbols else NotSmooth(expr, "an unknown function at an expression, not a symbol")
    if rules.jets and isinstance(expr, sp.Derivative):
        return first((expr.expr, *expr.variables))
    if isinstance(expr, (sp.Add, sp.Mul)):
        return first(expr.args)
    if isinstance(expr, sp.Pow):
        base, exponent = expr.args
        if exponent.is_Integer:
            pole = exponent < 0 and (rules.poles_anywhere or branched) and base.is_zero is not False
            return first((base,)) or (NotSmooth(expr, f"{base} is not known to be non-zero") if pole else None)
        return first((base, exponent)) or (
            None if base.is_positive else NotSmooth(expr, f"{base} is not known to be positive")
        )
    if isinstance(expr, sp.log):
        (argument,) = expr.args
        return first((argument,)) or (
            None if argument.is_positive else NotSmooth(expr, f"{argument} is not known to be positive")
        )
    if isinstance(expr, ENTIRE):
        return first(expr.args)
    if isinstance(expr, SMOOTH_ON_REALS):
        (argument,) = expr.args
        return first((argument,), branched or isinstance(expr, BRANCHED)) or (
            None if argument.is_real else NotSmooth(expr, f"{argument} is not known to be real")
        )
    return NotSmooth(expr, f"{type(expr).__name__} is not known to be {rules.what}")
