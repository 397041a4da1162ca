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
    if x not in expr.free_symbols:
        return None if expr.is_finite else NotSmooth(expr, "not known to be a finite constant")
    if expr == x:
        return None
    if isinstance(expr, (sp.Add, sp.Mul)):
        return _first(expr.args, x)
    if isinstance(expr, sp.Pow):
        base, exponent = expr.args
        if exponent.is_Integer and exponent >= 0:
            return non_smooth_part(base, x)
        if exponent.is_Integer:
            return non_smooth_part(base, x) or (
                None if base.is_zero is False else NotSmooth(expr, f"{base} is not known to be non-zero")
            )
        return _first((base, exponent), x) or (
            None if base.is_positive else NotSmooth(expr, f"{base} is not known to be positive")
        )
    if isinstance(expr, sp.log):
        (argument,) = expr.args
        return non_smooth_part(argument, x) or (
            None if argument.is_positive else NotSmooth(expr, f"{argument} is not known to be positive")
        )
    if isinstance(expr, ENTIRE):
        return _first(expr.args, x)
    if isinstance(expr, SMOOTH_ON_REALS):
        (argument,) = expr.args
        return non_smooth_part(argument, x) or (
            None if argument.is_real else NotSmooth(expr, f"{argument} is not known to be real")
        )
    return NotSmooth(expr, f"{type(expr).__name__} is not known to be twice continuously differentiable in {x}")


def _first(parts, x: sp.Symbol) -> NotSmooth | None:
    for part in parts:
        found = non_smooth_part(part, x)
        if found is not None:
            return found
    return None


#: Smooth on the real line, but with branch points off it: atan(h) + atan(1/h) is π/2 where h > 0
#: and −π/2 where h < 0, so a pole of the argument must not cut the domain in two.
BRANCHED = (sp.atan, sp.asinh)


def non_analytic_part(expr: sp.Expr, branched: bool = False) -> NotSmooth | None:
    """The first part of `expr` not known to be real-analytic in all its variables wherever their
    assumptions hold, or None.  An unknown function's value or derivative at a symbol counts as a
    variable of its own.  A denominator that is analytic and non-zero at one point vanishes only on
    a null set; Max, Abs, Piecewise, a log of a negative value, or an unknown function at another
    expression (f(max(u, 0)) − f(0)) can vanish on a window and be non-zero elsewhere, so they are
    not on the list.  A quotient g/h is allowed (h is checked as a denominator of its own, and a
    function of single-valued analytic pieces vanishing on a window vanishes wherever it is
    defined), except inside a `BRANCHED` function, where h must be known non-zero."""
    if not expr.free_symbols:
        return None if expr.is_finite else NotSmooth(expr, "not known to be a finite constant")
    if expr.is_Symbol:
        return None
    if isinstance(expr, sp.core.function.AppliedUndef):
        at_symbols = all(a.is_Symbol for a in expr.args)
        return None if at_symbols else NotSmooth(expr, "an unknown function at an expression, not a symbol")
    if isinstance(expr, sp.Derivative):
        return _first_non_analytic((expr.expr, *expr.variables), branched)
    if isinstance(expr, (sp.Add, sp.Mul)):
        return _first_non_analytic(expr.args, branched)
    if isinstance(expr, sp.Pow):
        base, exponent = expr.args
        if exponent.is_Integer:
            pole = branched and exponent < 0 and base.is_zero is not False
            return non_analytic_part(base, branched) or (
                NotSmooth(expr, f"{base} is not known to be non-zero") if pole else None
            )
        return _first_non_analytic((base, exponent), branched) or (
            None if base.is_positive else NotSmooth(expr, f"{base} is not known to be positive")
        )
    if isinstance(expr, sp.log):
        (argument,) = expr.args
        return non_analytic_part(argument, branched) or (
            None if argument.is_positive else NotSmooth(expr, f"{argument} is not known to be positive")
        )
    if isinstance(expr, ENTIRE):
        return _first_non_analytic(expr.args, branched)
    if isinstance(expr, SMOOTH_ON_REALS):
        (argument,) = expr.args
        return non_analytic_part(argument, branched or isinstance(expr, BRANCHED)) or (
            None if argument.is_real else NotSmooth(expr, f"{argument} is not known to be real")
        )
    return NotSmooth(expr, f"{type(expr).__name__} is not known to be analytic")


def _first_non_analytic(parts, branched: bool) -> NotSmooth | None:
    for part in parts:
        found = non_analytic_part(part, branched)
        if found is not None:
            return found
    return None
