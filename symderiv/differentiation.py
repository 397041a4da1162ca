"""Differentiation that visits each distinct sub-expression once.

A gradient step differentiates an objective built from shared quantities (a soft value inside
every softmax weight of every state): SymPy's `diff` walks it as a tree, differentiating a
shared sub-expression once for each place it occurs, and asks every partial result whether it
is zero, a query that walks it again.  `derivative` applies the same rules of SymPy's
(the sum, product, power and chain rules, a named quantity through its expansion) once per
distinct node, and leaves every other kind of node to SymPy's own `diff`.
"""

from __future__ import annotations

import sympy as sp

from .definitions import Named
from .expressions import free_in_arguments


def derivative(expr: sp.Expr | sp.MatrixBase, x: sp.Symbol) -> sp.Expr | sp.MatrixBase:
    """d`expr`/d`x`, as SymPy's `diff(expr, x)` gives it, each distinct node differentiated once
    (of a matrix, each entry, sharing the work on what the entries share)."""
    d = _Differentiation(x)
    if isinstance(expr, sp.MatrixBase):
        return expr.applyfunc(lambda e: d(sp.sympify(e)))
    return d(sp.sympify(expr))


class _Differentiation:
    """Derivatives in one variable, memoised on the distinct nodes met so far."""

    def __init__(self, x: sp.Symbol):
        if not isinstance(x, sp.Symbol):
            raise TypeError(f"a derivative is taken in a symbol, got {x!r} ({type(x).__name__})")
        self.x = x
        self._depends: dict[sp.Basic, bool] = {}
        self._derivatives: dict[sp.Basic, sp.Expr] = {}

    def depends(self, e: sp.Basic) -> bool:
        """Whether `e` has `x` free (a node that binds variables is asked; others are walked)."""
        found = self._depends.get(e)
        if found is None:
            if e.is_Symbol:
                found = e == self.x
            elif not e.args:
                found = False
            elif free_in_arguments(type(e)):
                found = any(self.depends(a) for a in e.args)
            else:
                found = self.x in e.free_symbols
            self._depends[e] = found
        return found

    def __call__(self, e: sp.Expr) -> sp.Expr:
        found = self._derivatives.get(e)
        if found is None:
            found = self._derivative(e)
            self._derivatives[e] = found
        return found

    def _derivative(self, e: sp.Expr) -> sp.Expr:
        x = self.x
        if not self.depends(e):
            return sp.S.Zero
        if e == x:
            return sp.S.One
        if isinstance(e, Named):
            return self(e.expansion)
        if e.is_Add:
            return sp.Add(*(self(a) for a in e.args if self.depends(a)))
        if e.is_Mul:
            # A factor whose derivative is zero adds no term: a product with zero would ask
            # every other factor whether it is finite, a walk of each.
            args = e.args
            factors = [(k, self(a)) for k, a in enumerate(args) if self.depends(a)]
            return sp.Add(*(sp.Mul(*args[:k], d, *args[k + 1 :]) for k, d in factors if d is not sp.S.Zero))
        if e.is_Pow:
            base, exponent = e.args
            if not self.depends(exponent):
                return e * (self(base) * exponent / base)
            return e * (self(exponent) * sp.log(base) + self(base) * exponent / base)
        if isinstance(e, sp.exp):
            return e * self(e.args[0])
        if isinstance(e, sp.log) and len(e.args) == 1:
            return self(e.args[0]) / e.args[0]
        return e.diff(x)
