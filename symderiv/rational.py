"""Decide whether rational functions vanish, by exact arithmetic on multivariate polynomials.

The differences of the note's claims are rational functions of their symbols once every
log, exp and unknown function is taken as a symbol of its own (a generalisation: if the
generalised difference is zero, so is the original).  SymPy's `together` and `cancel` work on
expression trees and take seconds to minutes on a Q function solved from a 3-state system or
on a gradient through it.  Here each node of the tree becomes a polynomial numerator times
powers of irreducible-or-not polynomial factors (the denominators met so far), in FLINT's
multivariate polynomials (python-flint): a sum is put over the lowest powers of the factors its
terms share, so the determinant of a solved system stays one factor however often it is
divided by, and no gcd is ever taken.  Sub-expressions are converted once, also across the
elements of one claim (they share the solved values), so a whole claim costs little more
than its largest element.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import math
from collections.abc import Iterator, Sequence

import flint
import sympy as sp

from .expressions import atoms_of, free_symbols_of, replaced

#: The work one zero test may do, counted in polynomial terms produced: about five times what the
#: largest bundled proof needs (PQ4 at 3x2, ten million terms in seven seconds).  Counted, it ends
#: a hopeless test at the same point on every machine, long before the time limit (a safety net).
TERM_BUDGET = 50_000_000


class WorkBudgetExceeded(ArithmeticError):
    """A zero test produced more polynomial terms than its budget allows."""


class OperationAboveBound(BaseException):
    """One polynomial operation could produce more terms than `operations_at_most` allows here.
    Not an outcome of the zero test (no strategy may catch it): it ends a test run where only a
    small one should, and the caller runs it again where none is bounded."""


#: The most terms one operation may produce, or None: any.
_OPERATION_BOUND: contextvars.ContextVar[int | None] = contextvars.ContextVar("symderiv_operation_bound", default=None)


@contextlib.contextmanager
def operations_at_most(terms: int) -> Iterator[None]:
    """Inside the block, an operation that could produce more than `terms` terms (a product, by
    the product of its operands' terms) raises `OperationAboveBound` before FLINT starts it: a
    FLINT call is not interrupted by a timer, so this bounds its time and memory."""
    token = _OPERATION_BOUND.set(terms)
    try:
        yield
    finally:
        _OPERATION_BOUND.reset(token)


def generalise(e: sp.Expr, symbols: dict, done: dict | None = None) -> sp.Expr:
    """`e` with every non-rational sub-expression (a log, an exp, an unknown function or its
    derivative, a non-integer power, an absolute value, ...) replaced by a fresh symbol, the
    same one for equal sub-expressions (`symbols` maps them, and may be shared between calls).
    An exp of a sum with integer coefficients is first written as a product of powers,
    exp(2x − y) = exp(x)²/exp(y), which holds everywhere.  `done` remembers the sub-expressions
    generalised already (a claim repeats them many times over), and may be shared too."""
    done = {} if done is None else done
    found = done.get(e)
    if found is None:
        found = done[e] = _generalised(e, symbols, done)
    return found


def _generalised(e: sp.Expr, symbols: dict, done: dict) -> sp.Expr:
    if e.is_Atom and not isinstance(e, sp.NumberSymbol):
        return e
    # Sums, products and powers are rebuilt unevaluated: only `Fractions` reads them, which does
    # their arithmetic itself (SymPy's evaluation, its assumption queries above all, cost more).
    if isinstance(e, (sp.Add, sp.Mul)):
        return e.func(*(generalise(a, symbols, done) for a in e.args), evaluate=False)
    if isinstance(e, sp.Pow) and e.exp.is_Integer:
        return sp.Pow(generalise(e.base, symbols, done), e.exp, evaluate=False)
    if isinstance(e, sp.exp):
        split = [term.as_coeff_Mul() for term in sp.Add.make_args(e.exp)]
        if len(split) > 1 or split[0][0].is_Integer and split[0][0] != 1:
            return sp.Mul(
                *(
                    sp.Pow(generalise(sp.exp(x), symbols, done), k)
                    if k.is_Integer
                    else generalise(sp.exp(k * x), symbols, done)
                    for k, x in split
                )
            )
    if e not in symbols:
        symbols[e] = sp.Dummy(f"G{len(symbols)}")
    return symbols[e]


class Fractions:
    """Rational expressions as (numerator, ((factor id, exponent), ...)): the numerator times each
    factor raised to its exponent, every factor a monic polynomial kept once in `factors`.

    `substitutions` (symbol -> rational expression in the other symbols, such as the
    constraint p_n = 1 − p_1 − ...) are applied as a symbol is met.  Inverting the zero
    polynomial raises ZeroDivisionError: the expression is undefined everywhere, and must
    not be found to vanish."""

    def __init__(self, exprs: Sequence[sp.Expr], substitutions: dict | None = None, budget: int = TERM_BUDGET):
        substitutions = substitutions or {}
        self.budget = budget
        self.bound = _OPERATION_BOUND.get()
        symbols = free_symbols_of([*exprs, *substitutions.values()])
        generators = sorted(symbols - set(substitutions), key=sp.default_sort_key) or [sp.Dummy("unused")]
        self.context = flint.fmpq_mpoly_ctx.get(tuple(f"x{i}" for i in range(len(generators))), "degrevlex")
        self.one = self.context.constant(1)
        self.factors: list = []
        self._factor_index: dict = {}  # (terms, leading monomial) -> ids of the factors with them
        self._memo: dict = {x: (g, ()) for x, g in zip(generators, self.context.gens())}
        for x, value in substitutions.items():
            self._memo[x] = self.fraction(value)

    def fraction(self, e: sp.Expr):
        """(numerator, factors) of `e`; equal sub-expressions are converted once."""
        found = self._memo.get(e)
        if found is None:
            found = self._memo[e] = self._convert(e)
            self.budget -= len(found[0])
            if self.budget < 0:
                raise WorkBudgetExceeded(f"more than {TERM_BUDGET:,} polynomial terms")
        return found

    def vanishes(self, e: sp.Expr) -> bool:
        """Whether `e` is the zero function: its numerator is the zero polynomial (its factors never are)."""
        return self.fraction(e)[0].is_zero()

    def _convert(self, e):
        if e.is_Rational:
            return self.context.constant(flint.fmpq(int(e.p), int(e.q))), ()
        if e.is_Mul:
            numerator, exponents = self.one, dict[sp.Expr, int]()
            for factor in e.args:
                n, powers = self.fraction(factor)
                self._at_most(len(numerator) * len(n))
                numerator = numerator * n
                for f, k in powers:
                    exponents[f] = exponents.get(f, 0) + k
            return numerator, tuple((f, k) for f, k in exponents.items() if k)
        if e.is_Pow and e.exp.is_Integer:
            n, powers = self.fraction(e.base)
            k = int(e.exp)
            if k >= 0:
                self._at_most(_power_terms(len(n), k))
                return n**k, tuple((f, j * k) for f, j in powers)
            if n.is_zero():
                raise ZeroDivisionError(f"the denominator {e.base} is the zero function")
            lead = n.leading_coefficient()
            exponents = {f: j * k for f, j in powers}
            monic = n / lead
            if not monic.is_one():
                f = self._factor(monic)
                exponents[f] = exponents.get(f, 0) + k
            return self.context.constant(1 / lead**-k), tuple((f, j) for f, j in exponents.items() if j)
        if e.is_Add:
            terms = [self.fraction(term) for term in e.args]
            # Each factor at the lowest power any term has it (0 where a term lacks it).
            have = [dict(powers) for _, powers in terms]
            lowest = {f: min(h.get(f, 0) for h in have) for h in have for f in h}
            total = self.context.constant(0)
            for (n, _), powers in zip(terms, have):
                for f, low in lowest.items():
                    if powers.get(f, 0) != low:
                        k = powers.get(f, 0) - low
                        self._at_most(len(n) * _power_terms(len(self.factors[f]), k))
                        n = n * self.factors[f] ** k
                total = total + n
            return total, tuple((f, k) for f, k in lowest.items() if k)
        raise ValueError(f"not a rational function of its symbols: {e}")

    def _at_most(self, terms: int) -> None:
        if self.bound is not None and terms > self.bound:
            raise OperationAboveBound(f"an operation of up to {terms:,} terms, above {self.bound:,}")

    def _factor(self, monic) -> int:
        """The id of `monic` among the factors met so far, added if it is new."""
        key = (len(monic), tuple(monic.monoms()[0]))
        for f in self._factor_index.get(key, ()):
            if self.factors[f] == monic:
                return f
        self.factors.append(monic)
        self._factor_index.setdefault(key, []).append(len(self.factors) - 1)
        return len(self.factors) - 1


def _power_terms(terms: int, k: int) -> int:
    """The most terms a polynomial of `terms` terms has raised to the power k ≥ 0."""
    return math.comb(max(terms + k - 1, 0), k)


@functools.lru_cache(maxsize=4096)
def _split_log(log: sp.Expr) -> sp.Expr:
    """log(xy) = log x + log y and log(xᵏ) = k·log x, in `log` and the logs inside it, only where
    the assumptions make it valid (never forced): SymPy's log expansion alone.  `sp.expand_log`
    first walks the whole argument for quotients of logs of rationals to cancel (log 8 / log 2),
    at about eight times the cost of the expansion on the large arguments of solved values; the expansion
    writes log 8 as 3·log 2 itself.  Remembered: a claim's logs are split again for its
    constraints, and for each strategy's run."""
    return log.expand(deep=True, log=True, mul=False, power_exp=False, power_base=False, multinomial=False, basic=False)


def vanishing(exprs: Sequence[sp.Expr], substitutions: dict | None = None) -> list[bool]:
    """For each expression, whether it is the zero function once its logs are split (only where
    the assumptions allow) and every non-rational part is generalised to a symbol of its own.
    The expressions share one generalisation and one conversion, so their common parts are
    converted once."""
    symbols: dict = {}
    done: dict = {}
    logs = atoms_of(exprs, sp.log)
    split = [replaced(e, {log: _split_log(log) for log in logs}) for e in exprs]
    generalised = [generalise(e, symbols, done) for e in split]
    fractions = Fractions(generalised, substitutions)
    return [fractions.vanishes(e) for e in generalised]
