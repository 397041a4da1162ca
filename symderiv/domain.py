"""Where each symbol of a claim lives, and how to draw random points from there.

A domain is both a promise to the symbolic engine (the assumptions a symbol
carries must follow from it) and a sampler for the numeric engine.  Constraints
that SymPy assumptions cannot express, such as a probability vector summing to
one, live here: the sampler respects them and `eliminations` states them as
substitutions the symbolic engine may use.
"""

from __future__ import annotations

import contextvars
import math
import numbers
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cache, lru_cache
from typing import Any, TypeAlias

import numpy as np
import sympy as sp
from sympy.core.assumptions import _assume_defined
from sympy.core.facts import InconsistentAssumptions
from sympy.core.function import AppliedUndef

from .expressions import atoms_of, replaced

#: What a domain is given as its symbols: symbols, matrices of them, or lists and tuples of either.
SymbolsLike: TypeAlias = "sp.Symbol | sp.MatrixBase | Sequence[SymbolsLike]"
Values = dict  # Symbol -> np.ndarray of shape (n,), or float for a single instance
#: A value of an exact point: a rational, or a float standing for its exact binary value (symderiv's
#: own domains keep their draws so; a domain of the user's is given Fractions for all it draws).
Exact: TypeAlias = Fraction | float
#: Each of a domain's samplers puts this share of its instances, at most EXTREMES_AT_MOST of
#: them, at random positions, at its extremes: magnitudes over many decades, points near a
#: simplex's faces and vertices, near an interval's ends.  The cap keeps the float failures
#: they cause (exp of 10⁶ overflows) within what ball arithmetic judges one by one.
EXTREME_SHARE, EXTREMES_AT_MOST = 0.05, 100
#: The decades that extreme magnitudes span: 10^-6 to 10^6.
EXTREME_DECADES = 6.0


#: False while `Domains.sample(..., typical=True)` draws: no extremes then.
_EXTREMES = contextvars.ContextVar("symderiv_extremes", default=True)


def extreme_positions(rng: np.random.Generator, n: int) -> np.ndarray:
    """Where a sampler puts its extreme instances: a few random positions (drawn independently: one
    drawn twice is one extreme instance fewer), none in a typical draw."""
    return _extreme_cells(rng, 1, n)[1]


def _extreme_cells(rng: np.random.Generator, rows: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The extreme instances (`extreme_positions`) of each of `rows` rows of draws, drawn at once,
    as the row and column indices of every extreme cell."""
    k = min(int(round(EXTREME_SHARE * n)), EXTREMES_AT_MOST) if _EXTREMES.get() else 0
    return np.repeat(np.arange(rows), k), rng.integers(0, n, size=rows * k)


def _log_uniform(rng: np.random.Generator, low: float, high: float, n: int) -> np.ndarray:
    return np.exp(rng.uniform(np.log(low), np.log(high), size=n))


def _decided_facts(term: sp.Expr) -> dict[str, bool]:
    """Every assumption SymPy decides for a symbol or an applied unknown function, true or false:
    each one is a fact SymPy may act on (fold |f| to f, sin(πf) to 0, split log(fg))."""
    if type(term) is sp.Symbol:
        # A symbol's facts follow from the assumptions it was declared with alone (a model at 12×30
        # declares thousands, all alike).
        return dict(_facts_of_declaration(frozenset(term.assumptions0.items())))
    return {k: v for k in sorted(_assume_defined) if (v := getattr(term, f"is_{k}")) is not None}


@lru_cache(maxsize=256)
def _facts_of_declaration(declared: frozenset[tuple[str, bool]]) -> tuple[tuple[str, bool], ...]:
    """The facts SymPy decides for a symbol declared with these assumptions."""
    probe = sp.Symbol("_probe", **dict(declared))
    return tuple((k, v) for k in sorted(_assume_defined) if (v := getattr(probe, f"is_{k}")) is not None)


@lru_cache(maxsize=1 << 16)
def _unguaranteed_facts(term: sp.Expr, implies: frozenset[tuple[str, bool]]) -> tuple[tuple[str, bool], ...]:
    """The facts SymPy decides for `term` that it does not decide the same way for a symbol declared
    with `implies` alone: looked up once per term, since a model at 12×30 has thousands of
    entries, made again at every size of every claim over it."""
    guaranteed = dict(_facts_of_declaration(implies))
    return tuple((k, v) for k, v in _decided_facts(term).items() if guaranteed.get(k) is not v)


def _generators(facts: dict[str, bool], implies: Mapping[str, bool]) -> dict[str, bool]:
    """Few of `facts` from which SymPy deduces the rest (with `implies`): positive=True rather
    than the dozen facts it entails, for naming what a function was declared with."""

    def deduced(given: dict[str, bool]) -> dict[str, bool]:
        try:
            return _decided_facts(sp.Symbol("_probe", **{**implies, **given}))
        except InconsistentAssumptions:  # the facts contradict the domain (real=False in a real one)
            return {}

    strength = {k: len(deduced({k: v})) for k, v in facts.items()}
    kept = dict(facts)
    for k in sorted(facts, key=lambda k: (strength[k], k)):
        rest = {j: v for j, v in kept.items() if j != k}
        if deduced(rest).get(k) is facts[k]:
            kept = rest
    return kept


@dataclass(frozen=True)
class Interval:
    """The values one symbol of a domain takes on its own: from `low` to `high`, each end included
    or not."""

    low: float
    high: float
    low_included: bool = False
    high_included: bool = False

    def within(self, outer: Interval) -> bool:
        """Whether every value of this interval lies in `outer`."""
        above = self.low > outer.low or (self.low == outer.low and (outer.low_included or not self.low_included))
        below = self.high < outer.high or (self.high == outer.high and (outer.high_included or not self.high_included))
        return above and below

    def __str__(self) -> str:
        return f"{'[' if self.low_included else '('}{self.low:g}, {self.high:g}{']' if self.high_included else ')'}"


class Domain:
    """Base class: a set of symbols and the region they are drawn from.

    `implies` holds the SymPy assumptions the region guarantees for each symbol."""

    def __init__(self, symbols: Iterable[SymbolsLike], kind: str, implies: Mapping[str, bool]) -> None:
        self.symbols = _symbols(symbols)
        self.kind = kind
        self.implies = dict(implies)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(map(str, self.symbols))})"

    def sample(self, rng: np.random.Generator, n: int) -> Values:
        raise NotImplementedError

    def contains(self, values: Values) -> np.ndarray:
        """Boolean mask of the instances that lie in this domain."""
        raise NotImplementedError

    def simpler(self, values: Mapping[sp.Symbol, float]) -> Iterator[dict]:
        """Candidate replacements, simplest first, for shrinking a counterexample."""
        return iter(())

    def make_exact(self, point: dict) -> dict:
        """This domain's values of an exact rational point, its constraints made to hold exactly."""
        return point

    def make_extended(self, values: dict) -> dict:
        """This domain's values in extended precision, its constraints made to hold there."""
        return values

    def contains_exact(self, point: Mapping[sp.Symbol, Exact]) -> bool:
        """Whether an exact rational point lies in the domain (by default, tested in floats)."""
        return bool(np.all(self.contains({s: np.array([float(point[s])]) for s in self.symbols})))

    def eliminations(self) -> dict:
        """Substitutions that hold on the whole domain (e.g. the last simplex entry)."""
        return {}

    def drawn(self) -> set[sp.Symbol]:
        """The symbols the sampler draws a value for."""
        return set(self.symbols)

    def concretise(self, expr: sp.Expr) -> sp.Expr:
        """`expr` with what the domain stands for replaced by what its sampler draws (unknown
        functions by concrete families); most domains draw their symbols themselves."""
        return expr

    def declared(self) -> tuple[sp.Expr, ...]:
        """The symbols and functions whose SymPy assumptions this domain must guarantee."""
        return self.symbols

    def unsupported_assumptions(self) -> list[str]:
        """Assumptions carried by a symbol or function that this domain does not guarantee: any fact
        SymPy decides for it that it does not decide, the same way, for a symbol carrying only the
        assumptions the domain implies."""
        implies = frozenset(self.implies.items())
        implied = ", ".join(f"{k}={v}" for k, v in self.implies.items())
        problems = []
        for term in self.declared():
            extra = dict(_unguaranteed_facts(term, implies))
            if not extra:
                continue
            declaration = getattr(term, "_assumptions_orig", None) or _generators(extra, self.implies)
            given = ", ".join(f"{k}={v}" for k, v in declaration.items())
            if isinstance(term, AppliedUndef):
                what, instead = f"function {term}", f"sp.Function({term.func.__name__!r}, {implied})"
            else:
                what, instead = f"symbol {term}", f"sp.Symbol({str(term)!r}, {implied})"
            problems.append(
                f"{what} is declared with {given}, which its {self.kind} domain does not guarantee; "
                f"declare it as {instead} (or with fewer assumptions)"
            )
        return problems

    #: Whether a constraint ties the symbols together (a simplex): then no value can be put in
    #: for one symbol alone, and only the same domain lies within it.
    joint: bool = False

    def interval(self) -> Interval | None:
        """The values each symbol takes on its own, where they form an interval (None: they do not,
        as for unknown functions)."""
        return None

    def includes(self, inner: Domain) -> bool:
        """Whether every value `inner` allows one of its symbols is one this domain allows: a fact
        proved on this domain then holds at it."""
        if inner is self:
            return True
        mine, theirs = self.interval(), inner.interval()
        return not self.joint and mine is not None and theirs is not None and theirs.within(mine)

    def parametrisation(self) -> dict[sp.Symbol, sp.Expr] | None:
        """Each symbol as an expression in fresh symbols whose SymPy assumptions alone describe the
        whole domain (x = u for x > 0, u positive; γ = u/(1 + u) for γ in (0, 1)), or None where the
        domain has no such form.  A sign SymPy decides for an expression in them holds on the whole
        domain, which the symbol's own assumptions may not say (γ < 1)."""
        return None

    def describe(self) -> str:
        names = ", ".join(str(s) for s in self.symbols)
        return f"{names} ∈ {self.kind}"


def _symbols(symbols: Iterable[SymbolsLike]) -> tuple[sp.Symbol, ...]:
    out: list[sp.Symbol] = []
    for s in symbols:
        if isinstance(s, sp.MatrixBase):
            out.extend(s)
        elif isinstance(s, (list, tuple)):
            out.extend(_symbols(s))
        else:
            out.append(s)
    return tuple(out)


def _float_bound(value: object, what: str) -> float:
    """A domain's bound as the float equal to it: bounds are compared exactly, and a bound with no
    float (1/3, or 0.1 in long double) would have one domain sampled and another declared."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise ValueError(f"{what} must be an int, a float or a rational number (np.inf for none), got {_shown(value)}")
    try:
        bound = float(value)
    except OverflowError:
        bound = math.inf
    if math.isinf(bound) and not isinstance(value, (float, np.floating)):
        raise ValueError(f"{what} = {_shown(value)} is beyond the floats")
    if math.isfinite(bound) and _exactly(value) != Fraction(bound):
        raise ValueError(
            f"{what} = {_shown(value)} has no exact float, and a bound is compared exactly: give a float, "
            f"such as {bound!r} (the bound is then that binary fraction), or state the bound in the claim"
        )
    return bound


def _exactly(value: numbers.Real) -> Fraction | None:
    """The exact rational value of a finite real number, or None for a kind with no exact reading."""
    ratio = getattr(value, "as_integer_ratio", None)  # int, float, Fraction, NumPy's floats
    if ratio is not None:
        return Fraction(*ratio())
    try:
        rational = sp.Rational(value)  # NumPy's integers and SymPy's numbers
    except (TypeError, ValueError):
        try:
            rational = sp.Rational(sp.Float(value))  # mpmath's, at their own precision
        except (TypeError, ValueError):
            return None
    return Fraction(int(rational.p), int(rational.q))


def _shown(value: object) -> str:
    """`value` as a message shows it: 10^400 is not printed digit by digit."""
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:16]}... ({len(text)} characters)"


def _round_candidates(x: float) -> list[float]:
    return [0.0, 1.0, -1.0, 2.0, 0.5, float(round(x)), round(x, 1), round(x, 2)]


#: The widths of a real's draws, in units of its scale.
_REAL_WIDTHS = np.array([0.1, 1.0, 3.0])


class Real(Domain):
    """Real numbers, drawn on a few scales around `scale`, and some of either sign with
    magnitudes from 10^-6 to 10^6, so that a claim false only for tiny or huge values shows."""

    def __init__(self, *symbols: SymbolsLike, scale: float = 3.0) -> None:
        super().__init__(symbols, "real", {"real": True})
        self.scale = scale

    def sample(self, rng: np.random.Generator, n: int) -> Values:
        """Every symbol's draws at once (a model's rewards and Q-values are dozens of symbols, and a
        check of a few hundred instances spent more on drawing them one by one than on its numbers)."""
        k = len(self.symbols)
        values = rng.standard_normal((k, n))
        values *= (self.scale * _REAL_WIDTHS)[rng.integers(0, len(_REAL_WIDTHS), size=(k, n))]
        rows, cols = _extreme_cells(rng, k, n)
        magnitude = _log_uniform(rng, 10**-EXTREME_DECADES, 10**EXTREME_DECADES, cols.size)
        values[rows, cols] = np.where(rng.random(cols.size) < 0.5, -magnitude, magnitude)
        return dict(zip(self.symbols, values))

    def contains(self, values: Values) -> np.ndarray:
        return np.all([np.isfinite(np.asarray(values[s], dtype=float)) for s in self.symbols], axis=0)

    def contains_exact(self, point: Mapping[sp.Symbol, Exact]) -> bool:
        return True

    def interval(self) -> Interval:
        return Interval(-np.inf, np.inf)

    def parametrisation(self) -> dict[sp.Symbol, sp.Expr]:
        return {s: sp.Dummy(str(s), real=True) for s in self.symbols}

    def simpler(self, values: Mapping[sp.Symbol, float]) -> Iterator[dict]:
        for s in self.symbols:
            for c in _round_candidates(float(values[s])):
                if c != values[s]:
                    yield {s: c}


class Positive(Domain):
    """Strictly positive reals, x > 0, within [low, high] where those are given.  Most draws are
    log-uniform over the declared range's part of [0.05, 20]; some span it from 10^-6 to 10^6."""

    #: Where most draws fall, when the declared range allows.
    TYPICAL = (0.05, 20.0)

    def __init__(self, *symbols: SymbolsLike, low: float = 0.0, high: float = np.inf) -> None:
        low, high = _float_bound(low, "Positive's low"), _float_bound(high, "Positive's high")
        if not 0 <= low < high:
            raise ValueError(f"Positive domain needs 0 <= low < high, got low={low}, high={high}")
        bounds = "" if (low, high) == (0.0, np.inf) else f" in [{low:g}, {high:g}]"
        super().__init__(symbols, "positive" + bounds, {"positive": True})
        self.low, self.high = low, high

    def _range(self, low: float, high: float) -> tuple[float, float]:
        """[low, high] clipped to the declared range, or that whole range if they miss it (its
        open ends taken 12 decades out)."""
        declared_low = self.low or min(10**-EXTREME_DECADES, self.high * 10 ** (-2 * EXTREME_DECADES))
        declared_high = (
            self.high if np.isfinite(self.high) else max(10**EXTREME_DECADES, self.low * 10 ** (2 * EXTREME_DECADES))
        )
        lo, hi = max(low, declared_low), min(high, declared_high)
        return (lo, hi) if lo < hi else (declared_low, declared_high)

    def sample(self, rng: np.random.Generator, n: int) -> Values:
        out = {}
        typical = self._range(*self.TYPICAL)
        extreme = self._range(10**-EXTREME_DECADES, 10**EXTREME_DECADES)
        for s in self.symbols:
            values = _log_uniform(rng, *typical, n)
            at = extreme_positions(rng, n)
            values[at] = _log_uniform(rng, *extreme, len(at))
            out[s] = values
        return out

    def contains(self, values: Values) -> np.ndarray:
        return np.all(
            [
                (v > 0) & (v >= self.low) & (v <= self.high)
                for v in (np.asarray(values[s], dtype=float) for s in self.symbols)
            ],
            axis=0,
        )

    def contains_exact(self, point: Mapping[sp.Symbol, Exact]) -> bool:
        # Python compares a Fraction or a float with a float exactly.
        return all(0 < point[s] and self.low <= point[s] <= self.high for s in self.symbols)

    def simpler(self, values: Mapping[sp.Symbol, float]) -> Iterator[dict]:
        for s in self.symbols:
            for c in _round_candidates(float(values[s])):
                if c > 0 and c != values[s]:
                    yield {s: c}

    def interval(self) -> Interval:
        """x > 0 and low <= x <= high: (0, high] when low is 0, else [low, high]; open at infinity."""
        return Interval(self.low, self.high, self.low > 0, bool(np.isfinite(self.high)))

    def parametrisation(self) -> dict[sp.Symbol, sp.Expr] | None:
        if (self.low, self.high) != (0.0, np.inf):
            return None
        return {s: sp.Dummy(str(s), positive=True) for s in self.symbols}


class OpenInterval(Domain):
    """The open interval (low, high) with 0 <= low, e.g. a discount factor in (0, 1)."""

    def __init__(self, *symbols: SymbolsLike, low: float = 0.0, high: float = 1.0) -> None:
        low, high = _float_bound(low, "OpenInterval's low"), _float_bound(high, "OpenInterval's high")
        if not 0 <= low < high:
            raise ValueError(f"OpenInterval needs 0 <= low < high, got ({low}, {high})")
        super().__init__(symbols, f"({low:g}, {high:g})", {"positive": True})
        self.low, self.high = low, high

    def sample(self, rng: np.random.Generator, n: int) -> Values:
        """Uniform, half of the draws crowding the upper end (where discounting is slow and errors
        show), and some within 10^-6 to 10^-1 of the width from either end."""
        out = {}
        width = self.high - self.low
        for s in self.symbols:
            u = rng.random(n)  # uniform(0, 1): the same draws, without its scaling
            u = np.where(rng.random(n) < 0.5, u, 1.0 - 0.1 * u)
            at = extreme_positions(rng, n)
            near = _log_uniform(rng, 10**-EXTREME_DECADES, 0.1, len(at))
            u[at] = np.where(rng.random(len(at)) < 0.5, near, 1.0 - near)
            out[s] = self.low + width * np.clip(u, 10**-EXTREME_DECADES, 1 - 10**-EXTREME_DECADES)
        return out

    def contains(self, values: Values) -> np.ndarray:
        return np.all(
            [(np.asarray(values[s]) > self.low) & (np.asarray(values[s]) < self.high) for s in self.symbols],
            axis=0,
        )

    def contains_exact(self, point: Mapping[sp.Symbol, Exact]) -> bool:
        return all(self.low < point[s] < self.high for s in self.symbols)  # exactly, as for `Positive`

    def interval(self) -> Interval:
        return Interval(self.low, self.high)

    def parametrisation(self) -> dict[sp.Symbol, sp.Expr]:
        low, width = sp.Rational(self.low), sp.Rational(self.high) - sp.Rational(self.low)
        out: dict[sp.Symbol, sp.Expr] = {}
        for s in self.symbols:
            u = sp.Dummy(str(s), positive=True)
            out[s] = low + width * u / (1 + u)
        return out

    def simpler(self, values: Mapping[sp.Symbol, float]) -> Iterator[dict]:
        for s in self.symbols:
            for c in [0.5, round(float(values[s]), 1), round(float(values[s]), 2)]:
                if self.low < c < self.high and c != values[s]:
                    yield {s: c}


def _over_common_denominator(values: Iterable[Exact]) -> tuple[list[int], int]:
    """Rationals as numerators over one common denominator, and that denominator, in Python integers
    (a float's denominator is a power of two, so the common one is the largest of them): sums and
    comparisons of Fractions take a gcd or a call into Python at each."""
    ratios = [v.as_integer_ratio() for v in values]
    common = math.lcm(*(d for _, d in ratios))
    return [n * (common // d) for n, d in ratios], common


class Simplex(Domain):
    """A probability vector in the interior of the simplex: every entry > 0, entries sum to 1."""

    def __init__(self, *symbols: SymbolsLike) -> None:
        syms = _symbols(symbols)
        if len(syms) < 1:
            raise ValueError("a Simplex needs at least one symbol")
        super().__init__(syms, f"simplex of {len(syms)} entries", {"positive": True})

    joint = True

    def interval(self) -> Interval:
        """Each entry alone lies in (0, 1)."""
        return Interval(0.0, 1.0)

    def includes(self, inner: Domain) -> bool:
        """Only a simplex of the same entries lies within this one."""
        return inner is self or (isinstance(inner, Simplex) and set(inner.symbols) == set(self.symbols))

    def sample(self, rng: np.random.Generator, n: int) -> Values:
        """Per instance: uniform on the simplex (Dirichlet of concentration 1), nearly sparse
        (normalised cubes of exponential draws, whose entries near zero are distributed as those of
        a Dirichlet of concentration 1/3) or central (normalised cube roots of exponential draws,
        as far from the centre as a Dirichlet of concentration 5's); some near a vertex
        (concentration 0.02) or a face (an entry of 10^-12 to 10^-4)."""
        return Simplex.sample_alike([self], rng, n)

    @staticmethod
    def sample_alike(simplices: Sequence[Simplex], rng: np.random.Generator, n: int) -> Values:
        """`sample` for simplices of as many entries each, drawn together (a model's kernel at 12
        states and 30 actions has 360 of them, and drawing each alone cost more than its numbers)."""
        m, k = len(simplices), len(simplices[0].symbols)
        if k == 1:
            return {simplex.symbols[0]: np.ones(n) for simplex in simplices}
        # The kind of each instance is drawn per instance and grouped (a scalar shape is faster).
        group = rng.integers(0, 3, size=(m, n))
        rows, cols = _extreme_cells(rng, m, n)
        group[rows, cols] = np.where(rng.random(cols.size) < 0.5, 3, 4)
        # Exponential draws (an entry's values contiguous), cubed for the nearly sparse instances
        # and cube-rooted for the central ones: gamma draws of concentration 1/3 cost 25 times as
        # much as an exponential draw, and of concentration 5 four times (N8's two simplices, a
        # third of its check at 10⁶ instances).  The smallest of three entries' quantiles at 1%, 10%
        # and 50%: 0.074, 0.146 and 0.236 for cube roots, against 0.079, 0.138 and 0.221.
        draws = rng.standard_exponential((k, m, n))
        # Read and written through the instances' flat positions: a boolean mask over (m, n) cost
        # twice as much, and transforming every draw to keep a third of them three times as much.
        flat, groups = draws.reshape(k, m * n), group.reshape(-1)
        sparse = np.flatnonzero(groups == 0)
        exponential = flat[:, sparse]
        flat[:, sparse] = exponential * exponential * exponential
        central = np.flatnonzero(groups == 2)
        flat[:, central] = np.cbrt(flat[:, central])
        vertex = np.flatnonzero(groups == 3)
        # Gamma draws of concentration 0.02 underflow to zero; the whole row must not.
        flat[:, vertex] = np.maximum(rng.standard_gamma(0.02, size=(k, vertex.size)), 1e-300)
        draws /= draws.sum(axis=0)
        rows, cols = np.nonzero(group == 4)
        draws[rng.integers(0, k, size=rows.size), rows, cols] = _log_uniform(rng, 1e-12, 1e-4, rows.size)
        np.maximum(draws, 1e-12, out=draws)
        draws /= draws.sum(axis=0)
        return {s: draws[i, j] for j, simplex in enumerate(simplices) for i, s in enumerate(simplex.symbols)}

    def contains(self, values: Values) -> np.ndarray:
        cols = [np.asarray(values[s], dtype=float) for s in self.symbols]
        positive, total = cols[0] > 0, cols[0].copy()
        for col in cols[1:]:
            positive &= col > 0
            total += col
        return positive & (np.abs(total - 1.0) <= 1e-9)

    def make_exact(self, point: dict) -> dict:
        """The largest entry set to 1 minus the others (it stays positive, being at least 1/k)."""
        if len(self.symbols) < 2:
            return {self.symbols[0]: Fraction(1)}
        entries, common = _over_common_denominator(point[s] for s in self.symbols)
        largest = max(range(len(entries)), key=entries.__getitem__)
        others = sum(entries) - entries[largest]
        return {**point, self.symbols[largest]: Fraction(common - others, common)}

    def make_extended(self, values: dict) -> dict:
        if len(self.symbols) < 2:
            return values
        block = np.stack([values[s] for s in self.symbols])
        largest = block.argmax(axis=0) == np.arange(len(self.symbols))[:, None]
        block = np.where(largest, 1 - np.where(largest, 0, block).sum(axis=0), block)
        return dict(zip(self.symbols, block))

    def contains_exact(self, point: Mapping[sp.Symbol, Exact]) -> bool:
        entries, common = _over_common_denominator(point[s] for s in self.symbols)
        return sum(entries) == common and all(n > 0 for n in entries)

    def simpler(self, values: Mapping[sp.Symbol, float]) -> Iterator[dict]:
        k = len(self.symbols)
        yield {s: 1.0 / k for s in self.symbols}
        for digits in (1, 2):
            rounded = [max(round(float(values[s]), digits), 10.0**-digits) for s in self.symbols[:-1]]
            last = 1.0 - sum(rounded)
            if last > 0:
                yield dict(zip(self.symbols, rounded + [round(last, digits + 1)]))

    def eliminations(self) -> dict:
        first, last = self.symbols[:-1], self.symbols[-1]
        return {last: 1 - sp.Add(*first)}


class SmoothFunctions(Domain):
    """Unknown smooth functions f(θ) of a real parameter: a claim about them holds for
    every parameterisation.  Numerically each one becomes a concrete non-linear function
    a·tanh(b·θ + c) + d·sin(e·θ) + g·θ² with random coefficients, so derivatives are exact."""

    def __init__(self, functions: Sequence[sp.Expr], parameter: sp.Symbol) -> None:
        functions = tuple(functions)
        for f in functions:
            if not (isinstance(f, sp.core.function.AppliedUndef) and f.args == (parameter,)):
                raise ValueError(f"SmoothFunctions expects f({parameter}) for an undefined f, got {f}")
        super().__init__((parameter,), f"smooth functions of {parameter}", {"real": True})
        self.functions = functions
        self.parameter = parameter
        self.coefficients = {f: _coefficients(f.func) for f in functions}

    def declared(self) -> tuple[sp.Expr, ...]:
        """The parameter and the functions: f(θ) carries the assumptions f was declared with."""
        return (*self.symbols, *self.functions)

    def concrete(self, f: sp.Expr) -> sp.Expr:
        return _family(self.parameter, self.coefficients[f])

    def derivative(self, f: sp.Expr, order: int) -> sp.Expr:
        """The derivative of f's concrete family of the given order in the parameter."""
        return _family_derivative(int(order)).xreplace(
            dict(zip(_FAMILY_ARGUMENTS, (self.parameter, *self.coefficients[f])))
        )

    def concretise(self, expr: sp.Expr) -> sp.Expr:
        """Replace every unknown function by its concrete family and carry out its derivatives."""
        if isinstance(expr, sp.MatrixBase):
            return expr.applyfunc(self.concretise)
        return _concretised(self, expr)

    def _concretise(self, expr: sp.Expr) -> sp.Expr:
        # The same function at another argument, f(−θ) or f(2θ), is the same member there; with
        # another number of arguments it is not this function, and stays for check_covers to refuse.
        # Looked for in `expr`, before the families make the tree larger; f(f(θ)) is found after
        # the first replacement, as f(family).
        kinds = (sp.Derivative, sp.Subs, AppliedUndef)
        found = atoms_of([expr], kinds)
        in_expressions = {
            d for d in found if isinstance(d, sp.Derivative) and not all(v.is_Symbol for v in d.variables)
        }
        if in_expressions:
            expr = replaced(expr, {d: _in_symbols(d) for d in in_expressions})
            found = atoms_of([expr], kinds)
        by_name = {f.func: f for f in self.functions}
        other_arguments = any(
            isinstance(g, AppliedUndef) and g.func in by_name and len(g.args) == 1 and g not in self.functions
            for g in found
        )
        # An exact replacement of f(θ), as xreplace, not subs (100x faster), each distinct node once;
        # a derivative of f(θ) in θ by the family's derivative, differentiated once for every family.
        # The nodes rebuilt are left unevaluated: the result is only computed with, in floats and in
        # balls, and SymPy's evaluation of each (its assumption queries) cost more than the numbers.
        derivatives = {
            d: self.derivative(d.expr, d.variable_count[0][1])
            for d in found
            if isinstance(d, sp.Derivative)
            and d.expr in self.coefficients
            and len(d.variable_count) == 1
            and d.variable_count[0][0] == self.parameter
        }
        out = replaced(expr, {**derivatives, **{f: self.concrete(f) for f in self.functions}}, evaluate=False)
        if other_arguments:
            elsewhere = {g for g in atoms_of([out], AppliedUndef) if g.func in by_name and len(g.args) == 1}
            out = replaced(
                out, {g: self.concrete(by_name[g.func]).xreplace({self.parameter: g.args[0]}) for g in elsewhere}
            )
        # Only the derivatives are carried out: `doit` on the whole tree would walk and rebuild it all.
        out = replaced(out, {d: d.doit() for d in atoms_of([out], sp.Derivative)})
        if not any(isinstance(e, sp.Subs) for e in found):
            return out
        # A derivative at another argument, as the chain rule writes d/dθ f(2θ) = 2·Subs(f'(ξ), ξ, 2θ)
        # and f'(0) is written, is the family's derivative put at that argument.
        return replaced(out, {e: e.doit() for e in atoms_of([out], sp.Subs)})

    def drawn(self) -> set[sp.Symbol]:
        return {self.parameter, *self.coefficient_symbols()}

    def coefficient_symbols(self) -> tuple[sp.Symbol, ...]:
        return tuple(c for f in self.functions for c in self.coefficients[f])

    def at_instance(self, f: sp.Expr, values: Mapping[sp.Symbol, float]) -> Callable[[Any], Any]:
        """f's concrete member at one sampled instance, as a NumPy function of the parameter.
        It accepts complex arguments, so a reference can take complex-step derivatives."""
        coefficients = self.coefficients[f]
        family = compiled_family()
        fixed = [values[c] for c in coefficients]
        return lambda t: family(t, *fixed)

    def sample(self, rng: np.random.Generator, n: int) -> Values:
        """θ and each coefficient uniform in [−2, 2], the coefficients drawn in one call; at a few
        instances (`extreme_positions`) each function's coefficients are scaled together by a factor
        from 1 to 10, so that a claim false only for large functions shows.  (Normal coefficients,
        halved or doubled by a coin, cost four times as much, half of a per-state check at 10⁶
        instances, and their tails at every instance made three times the float failures, which
        ball arithmetic judges one by one; scaling the extremes by up to 10⁶ left cancellations of
        exponentials beyond 4096 bits undecided.)"""
        out = {self.parameter: rng.uniform(-2.0, 2.0, size=n)}
        functions = len(self.functions)
        # uniform(−2, 2) as it computes it, −2 + 4u, in place: the same values, one array fewer.
        draws = rng.random((functions, len(_FAMILY_ARGUMENTS) - 1, n))
        draws *= 4.0
        draws -= 2.0
        at = extreme_positions(rng, n)
        draws[:, :, at] *= _log_uniform(rng, 1.0, 10.0, functions * len(at)).reshape(functions, 1, len(at))
        out.update(zip(self.coefficient_symbols(), draws.reshape(-1, n)))
        return out

    def contains(self, values: Values) -> np.ndarray:
        """Finite values of the parameter and of the coefficients given (the claim's other symbols
        are their own domains' to check)."""
        mine = [np.isfinite(np.asarray(values[s], dtype=float)) for s in self.drawn() if s in values]
        return np.logical_and.reduce(mine) if mine else np.array(True)

    def contains_exact(self, point: Mapping[sp.Symbol, Exact]) -> bool:
        """An exact rational is a finite real: every parameter and coefficients are in the domain."""
        return True

    def simpler(self, values: Mapping[sp.Symbol, float]) -> Iterator[dict]:
        for s in (self.parameter, *self.coefficient_symbols()):
            if s in values:
                for c in (0.0, 1.0, round(float(values[s]), 1)):
                    if c != values[s]:
                        yield {s: c}

    def describe(self) -> str:
        names = ", ".join(str(f) for f in self.functions)
        return f"{names}: smooth functions of {self.parameter}"


#: symderiv's own domains.  Their samplers are tested to draw finite values of the right shape within
#: their domain (tests/test_properties.py, tests/test_domain.py), so their draws are not checked again
#: at every sample (a tenth of a numeric check at 10⁶ instances, more at a few hundred); and their
#: exact points hold floats as they are, each an exact binary rational (`numeric.exact_point`).  A
#: user's domain, a subclass of one of these included, is checked at every draw and given Fractions.
OWN_DOMAINS = frozenset({Real, Positive, OpenInterval, Simplex, SmoothFunctions})


def _check_drawn(domain: Domain, drawn: Values, n: int) -> None:
    """Refuse a sampler's draws that are not finite arrays of `n` instances, naming the symbol."""
    arrays = {s: np.asarray(values, dtype=float) for s, values in drawn.items()}
    if any(a.shape != (n,) for a in arrays.values()) or not _all_finite(list(arrays.values())):
        s, values = next((s, a) for s, a in arrays.items() if a.shape != (n,) or not np.isfinite(a).all())
        what = "NaN or inf" if values.shape == (n,) else f"shape {values.shape} instead of ({n},)"
        raise DomainError(f"the sampler of {domain!r} returned {what} for {s}; fix its sample()")


def _all_finite(arrays: list[np.ndarray]) -> bool:
    """Whether every value of one part's arrays of instances is finite: all at once where they are
    short (a model at 12×30 has thousands of symbols), one by one where they are long (stacking
    copies them all: 250 MB at 10⁶ instances of 31 symbols)."""
    if arrays and arrays[0].size >= 10_000:
        return all(np.isfinite(a).all() for a in arrays)
    return bool(np.isfinite(arrays).all())


class DomainError(ValueError):
    """A claim's domain does not cover, or contradicts, the symbols it uses."""


@cache
def _coefficients(function: type) -> tuple[sp.Dummy, ...]:
    """The coefficients of an unknown function's concrete family: Dummies, so that a user's symbol
    of the same name is another symbol, never tied to the sampler; the same for every domain that
    declares the function, so that the claims which concretise it (each size's, each obligation's)
    share their families and derivatives instead of building each anew."""
    return tuple(sp.Dummy(f"{function.__name__}__c{k}", real=True) for k in range(6))


def _in_symbols(d: sp.Derivative) -> sp.Expr:
    """A derivative in an expression rather than a symbol, read as SymPy reads it: in f(θ), with
    f'(θ) independent of f(θ) (∂/∂f of f·f' is f'), each variable in turn.  What SymPy leaves
    unevaluated, as in the chain rule's d/dθ f(g(θ)) = Derivative(f(g(θ)), g(θ))·g'(θ), becomes a
    derivative in a new variable put at the expression (`_at_new_variables`)."""
    done = d.doit()
    if done == d:
        return _at_new_variables(d)
    inner = {e for e in atoms_of([done], sp.Derivative) if not all(v.is_Symbol for v in e.variables)}
    return replaced(done, {e: _at_new_variables(e) if e == d else _in_symbols(e) for e in inner})


def _at_new_variables(d: sp.Derivative) -> sp.Expr:
    """Derivative(f(g(θ)), g(θ)) as Subs(Derivative(f(ξ), ξ), ξ, g(θ)), which a family's member can
    be put into."""
    points = {v: sp.Dummy("xi", real=True) for v in d.variables if not v.is_Symbol}
    inner = sp.Derivative(d.expr.xreplace(points), *((points.get(v, v), n) for v, n in d.variable_count))
    return sp.Subs(inner, tuple(points.values()), tuple(points))


@lru_cache(maxsize=256)
def _family(parameter: sp.Symbol, coefficients: tuple[sp.Symbol, ...]) -> sp.Expr:
    """a·tanh(b·θ + c) + d·sin(e·θ) + g·θ², built once: a reference asks for it at every instance."""
    a, b, c, d, e, g = coefficients
    return a * sp.tanh(b * parameter + c) + d * sp.sin(e * parameter) + g * parameter**2


#: The family's parameter and coefficients in general, for what is the same for every function's
#: family: its derivatives and its compiled form.
_FAMILY_ARGUMENTS = sp.symbols("theta a b c d e g")


@lru_cache(maxsize=8)
def _family_derivative(order: int) -> sp.Expr:
    """The family's derivative of an order in its parameter, in `_FAMILY_ARGUMENTS`."""
    parameter, *coefficients = _FAMILY_ARGUMENTS
    return sp.diff(_family(parameter, tuple(coefficients)), parameter, order)


@lru_cache(maxsize=8)
def compiled_family(order: int = 0) -> Callable[..., Any]:
    """The concrete family's derivative of an order (0: the family itself) compiled once, a function
    of (θ, a, b, c, d, e, g): a reference asks for a member at every instance, the numbers at large
    sizes for hundreds of them at every size, and every function's family is the same expression."""
    return sp.lambdify(_FAMILY_ARGUMENTS, _family_derivative(order), modules="numpy")


@lru_cache(maxsize=8)
def _concretised(domain: SmoothFunctions, expr: sp.Expr) -> sp.Expr:
    """`domain._concretise(expr)`, once per domain and expression: the mutants of a claim, checked
    one after another, share its left side.  Only the last few are kept, so that a worker does not
    hold every claim it has compiled.  Kept outside the domain, whose state is what it means (the
    verdict cache's key)."""
    return domain._concretise(expr)


@dataclass
class Domains:
    """The domains of one claim, with every symbol covered exactly once."""

    parts: list[Domain]

    def __post_init__(self) -> None:
        seen: dict[sp.Symbol, Domain] = {}
        problems = []
        for d in self.parts:
            problems.extend(d.unsupported_assumptions())
            for s in d.symbols:
                if s in seen and seen[s] is not d:
                    problems.append(f"symbol {s} is declared in two domains: {seen[s].kind} and {d.kind}")
                seen[s] = d
        if problems:
            raise DomainError("; ".join(problems))
        self._owner = seen
        self._drawn = [(d, frozenset(d.drawn())) for d in self.parts]

    def parts_drawn(self) -> list[tuple[Domain, frozenset[sp.Symbol]]]:
        """Each part with the symbols it draws, found once: an exact point asks at every instance."""
        return self._drawn

    def concretise(self, expr: sp.Expr) -> sp.Expr:
        for d in self.parts:
            expr = d.concretise(expr)
        return expr

    def domain_of(self, symbol: sp.Symbol) -> Domain | None:
        """The part that `symbol` is declared in, if any."""
        return self._owner.get(symbol)

    def sampled_symbols(self) -> set[sp.Symbol]:
        return set(self._owner).union(*(d.drawn() for d in self.parts))

    def restricted_to(self, symbols: Iterable[sp.Symbol]) -> Domains:
        """Only the parts that draw at least one of `symbols`: a claim about Q and π̃ need
        not sample the transition kernel."""
        wanted = set(symbols)
        return Domains([d for d in self.parts if wanted & d.drawn()])

    def check_covers(self, expr_symbols: set[sp.Symbol], unknown_functions: Collection[sp.Expr] = frozenset()) -> None:
        """Refuse a claim that uses a symbol no domain samples, or an unknown function that is left
        after `concretise` (one no SmoothFunctions domain declares): neither has numbers to check."""
        missing = sorted(expr_symbols - self.sampled_symbols(), key=str)
        problems = []
        if missing:
            problems.append(
                "no domain covers symbol(s) "
                + ", ".join(map(str, missing))
                + "; declare each in the claim's domain (Real, Positive, OpenInterval, Simplex, ...)"
            )
        if unknown_functions:
            problems.append(
                "no domain covers function(s) "
                + ", ".join(sorted(map(str, unknown_functions)))
                + "; declare each as f(θ) of one parameter θ in a SmoothFunctions domain of the claim"
                " (an f declared with other assumptions than the domain's is another function)"
            )
        if problems:
            raise DomainError("; ".join(problems))

    def sample(self, rng: np.random.Generator, n: int, typical: bool = False) -> Values:
        """`n` instances of every part; with `typical`, none at the parts' extremes (for a float
        reference, which keeps its digits only there)."""
        token = _EXTREMES.set(not typical)
        try:
            return self._sample(rng, n)
        finally:
            _EXTREMES.reset(token)

    def _sample(self, rng: np.random.Generator, n: int) -> Values:
        alike: dict[int, list[Simplex]] = {}
        for d in self.parts:
            if type(d) is Simplex:
                alike.setdefault(len(d.symbols), []).append(d)
        together: Values = {}
        for simplices in alike.values():
            together.update(Simplex.sample_alike(simplices, rng, n))
        out: Values = {}
        for d in self.parts:
            drawn = {s: together[s] for s in d.symbols} if type(d) is Simplex else d.sample(rng, n)
            if type(d) not in OWN_DOMAINS:
                _check_drawn(d, drawn, n)
            out.update(drawn)
        bad = [repr(d) for d in self.parts if type(d) not in OWN_DOMAINS and not np.all(d.contains(out))]
        if bad:
            raise DomainError(
                f"a sampler returned values outside its own domain: {', '.join(bad)}; fix its sample() or contains()"
            )
        return out

    def contains(self, values: Values) -> bool:
        return all(bool(np.all(d.contains(values))) for d in self.parts)

    def contains_exact(self, point: Mapping[sp.Symbol, Exact]) -> bool:
        """Whether an exact point lies in every part that draws its symbols."""
        return all(d.contains_exact(point) for d, drawn in self._drawn if drawn <= point.keys())

    def simpler(self, values: Mapping[sp.Symbol, float]) -> Iterator[dict]:
        for d in self.parts:
            yield from d.simpler(values)

    def eliminations(self) -> dict:
        out = {}
        for d in self.parts:
            out.update(d.eliminations())
        return out

    def describe(self) -> list[str]:
        return [d.describe() for d in self.parts]
