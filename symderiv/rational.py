"""Decide whether rational functions vanish, by exact arithmetic in a sparse polynomial ring.

The differences of the note's claims are rational functions of their symbols once every
log, exp and unknown function is taken as a symbol of its own (a generalisation: if the
generalised difference is zero, so is the original).  SymPy's `together` and `cancel` work on
expression trees and take seconds on a Q function solved from a 3-state system; here each
node of the tree becomes a numerator and a denominator in `sympy.ring`, terms over the same
denominator are added as they are, and no gcd is ever taken.  Sub-expressions are converted
once, also across the elements of one claim (they share the solved values), so that a whole
claim costs little more than its largest element.
"""

from __future__ import annotations

from typing import Sequence

import sympy as sp


def generalise(e: sp.Expr, symbols: dict) -> sp.Expr:
    """`e` with every non-rational sub-expression (a log, an exp, an unknown function or its
    derivative, a non-integer power, an absolute value, ...) replaced by a fresh symbol, the
    same one for equal sub-expressions (`symbols` maps them, and may be shared between calls).
    An exp of a sum with integer coefficients is first written as a product of powers,
    exp(2x − y) = exp(x)²/exp(y), which holds everywhere."""
    if e.is_Atom and not isinstance(e, sp.NumberSymbol):
        return e
    if isinstance(e, (sp.Add, sp.Mul)):
        return e.func(*(generalise(a, symbols) for a in e.args))
    if isinstance(e, sp.Pow) and e.exp.is_Integer:
        return sp.Pow(generalise(e.base, symbols), e.exp)
    if isinstance(e, sp.exp):
        split = [term.as_coeff_Mul() for term in sp.Add.make_args(e.exp)]
        if len(split) > 1 or split[0][0].is_Integer and split[0][0] != 1:
            return sp.Mul(*(
                sp.Pow(generalise(sp.exp(x), symbols), k) if k.is_Integer else generalise(sp.exp(k * x), symbols)
                for k, x in split
            ))
    if e not in symbols:
        symbols[e] = sp.Dummy(f"G{len(symbols)}")
    return symbols[e]


class Fractions:
    """Numerator and denominator of rational expressions in one polynomial ring over QQ.

    `substitutions` (symbol -> rational expression in the other symbols, such as the
    constraint p_n = 1 − p_1 − ...) are applied as a symbol is met.  A denominator that is the
    zero polynomial raises ZeroDivisionError: the expression is undefined everywhere, and must
    not be found to vanish."""

    def __init__(self, exprs: Sequence[sp.Expr], substitutions: dict | None = None):
        substitutions = substitutions or {}
        symbols = set().union(*(e.free_symbols for e in exprs), *(v.free_symbols for v in substitutions.values()))
        generators = sorted(symbols - set(substitutions), key=sp.default_sort_key) or [sp.Dummy("unused")]
        self.ring, *gens = sp.ring(generators, sp.QQ)
        one = self.ring.one
        self._memo: dict = {x: (g, one) for x, g in zip(generators, gens)}
        for x, value in substitutions.items():
            self._memo[x] = self.fraction(value)

    def fraction(self, e: sp.Expr):
        """(numerator, denominator) of `e`, the denominator monic; not in lowest terms."""
        found = self._memo.get(e)
        if found is None:
            found = self._memo[e] = self._monic(*self._convert(e))
        return found

    def vanishes(self, e: sp.Expr) -> bool:
        return self.fraction(e)[0] == 0

    def _convert(self, e):
        ring = self.ring
        if e.is_Rational:
            return ring(e), ring.one
        if e.is_Add:
            over: dict = {}  # denominator -> sum of the numerators over it
            for term in e.args:
                n, d = self.fraction(term)
                over[d] = over.get(d, ring.zero) + n
            n, d = ring.zero, ring.one
            for d2, n2 in over.items():
                if n2 != 0:
                    n, d = (n2, d2) if n == 0 else (n * d2 + n2 * d, d * d2)
            return n, d
        if e.is_Mul:
            n, d = ring.one, ring.one
            for factor in e.args:
                n2, d2 = self.fraction(factor)
                n, d = n * n2, d * d2
            return n, d
        if e.is_Pow and e.exp.is_Integer:
            n, d = self.fraction(e.base)
            k = int(e.exp)
            if k >= 0:
                return n**k, d**k
            if n == 0:
                raise ZeroDivisionError(f"the denominator {e.base} is the zero function")
            return d**-k, n**-k
        raise ValueError(f"not a rational function of its symbols: {e}")

    @staticmethod
    def _monic(n, d):
        # Equal denominators then compare equal, whatever constant they were scaled by.
        lc = d.LC
        return (n, d) if lc == 1 else (n.quo_ground(lc), d.quo_ground(lc))


def vanishing(exprs: Sequence[sp.Expr], substitutions: dict | None = None) -> list[bool]:
    """For each expression, whether it is the zero function once its logs are split (only where
    the assumptions allow) and every non-rational part is generalised to a symbol of its own.
    The expressions share one generalisation and one conversion, so their common parts are
    converted once."""
    symbols: dict = {}
    split = [e.replace(lambda x: isinstance(x, sp.log), sp.expand_log) for e in exprs]
    generalised = [generalise(e, symbols) for e in split]
    fractions = Fractions(generalised, substitutions)
    return [fractions.vanishes(e) for e in generalised]
