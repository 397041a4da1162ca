"""Printing a claim as Python code, for NumPy and for ball arithmetic, in time linear in its size.

SymPy's code printers decide every parenthesis by comparing precedences, and to find a product's
precedence they ask whether it can extract a minus sign, which walks it: at three states, most of
the time of compiling a claim.  Sums and products are printed here with each operand that is not
an atom in parentheses of its own, which needs no precedence, and in the same order and with the
same divisions as SymPy prints them, so that the code computes the same floats.
"""

from __future__ import annotations

import sympy as sp

from .expressions import atoms_of


class LinearArithmetic:
    """A mix-in for a SymPy code printer: sums, products and positive integer powers printed
    without precedence analysis.  Everything else is the printer's own."""

    def _handle_UnevaluatedExpr(self, expr):
        # SymPy rewrites re(x) of a real UnevaluatedExpr by a replace that walks the whole tree,
        # shared pieces once per occurrence: only where there is an re(...) to rewrite.
        if not atoms_of([expr], sp.re):
            return expr
        return super()._handle_UnevaluatedExpr(expr)  # type: ignore[misc]

    def _operand(self, e: sp.Expr) -> str:
        """`e` printed so that it stays one operand of `*`, `/` or `**`."""
        printed = self._print(e)  # type: ignore[attr-defined]
        return printed if e.is_Symbol or (e.is_Integer and e.p >= 0) else f"({printed})"

    def _print_Add(self, expr: sp.Add, order=None) -> str:
        # As the printers' `order="none"`: the terms in the order SymPy stores them; x + (-y) is x − y
        # exactly, in floats and in balls.
        return " + ".join(self._operand(t) for t in expr.args)

    def _print_Mul(self, expr: sp.Mul) -> str:
        # SymPy's own division: a factor with a negative rational exponent goes to the denominator.
        numerator, denominator = [], []
        for factor in expr.args:
            if factor.is_Pow and factor.exp.is_Rational and factor.exp.is_negative and factor.is_commutative:
                denominator.append(
                    factor.base if factor.exp == -1 else sp.Pow(factor.base, -factor.exp, evaluate=False)
                )
            else:
                numerator.append(factor)
        top = "*".join(self._operand(f) for f in numerator) or "1"
        if not denominator:
            return top
        if len(denominator) == 1:
            return f"{top}/{self._operand(denominator[0])}"
        return f"{top}/(" + "*".join(self._operand(f) for f in denominator) + ")"

    def _print_Pow(self, expr: sp.Pow, rational: bool = False) -> str:
        if expr.exp.is_Integer and expr.exp.p > 1:
            return f"{self._operand(expr.base)}**{int(expr.exp)}"
        return super()._print_Pow(expr, rational=rational)  # type: ignore[misc]
