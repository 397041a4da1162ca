"""A decision procedure for identities with finite sums, valid for every range size.

Sums are written `sp.Sum(summand, (i, 1, N))`: an integer index i from 1 to N, where N is a
declared range size (a positive integer symbol, |A| or |S|); a range of length N that starts
elsewhere (0 to N − 1) is shifted to that one.  A sum of any other range is left as it is, an
opaque term that only an identical sum equals.  Each rule below holds for every
N >= 1 (docs/every-size.md gives the justifications):

* shift: Σ_{i=l}^{N+l−1} f(i) = Σ_{i=1}^{N} f(i + l − 1);
* ∇ under Σ: d/dθ Σ_i f = Σ_i df/dθ when θ is neither i nor in the range;
* linearity: Σ_i (f + g) = Σ_i f + Σ_i g, Σ_i c·f = c·Σ_i f and Σ_i c = N·c for c free of i;
* merging: f(i)·Σ_j g(i, j) = Σ_j f(i) g(i, j), j renamed apart, so Σ_i f(i) Σ_j g(i, j) is one
  sum over (i, j); and Fubini, Σ_i Σ_j = Σ_j Σ_i, which makes the order of the indices canonical;
* renaming: bound indices get canonical names, fresh for the summand, so Σ_a f(a) and Σ_b f(b)
  are one term and no free index is captured;
* defining equations: a value defined by its equation V(s) = F(V)(s) for every s (a Bellman
  equation) is replaced by F(V) at its occurrences up to a depth, equals for equals;
* summing out: Σ_{j,i} f(j) π(i|j) = Σ_j f(j), a declared distribution's index summed out of a
  multiple sum where nothing else mentions it;
* atoms: each normal sum becomes an opaque symbol, positive when its summand is positive (the
  range is never empty), real when it is real; a distribution's sum Σ_i π(.., i, ..) becomes 1;
* a multiple of itself: when unfolding the defining equations turns the difference D into k·D,
  identically in the atoms, with k free of them and 1 − k nonzero on the whole domain, D = 0
  (D equals its unfolding, k·D, so (1 − k)·D = 0).

The rational engine then decides the rest: proving the identity for every value of the atoms
(a generalisation) proves it for the sums they stand for.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import sympy as sp
from sympy.core.function import AppliedUndef

from . import symbolic
from .domain import Domain
from .outcome import Attempt

#: Bound indices of at most this many positions are ordered by trying every permutation (Fubini);
#: a sum over more keeps its written order, which is sound and only less canonical.
MAX_PERMUTED = 5


@dataclass(frozen=True)
class Distribution:
    """Σ_{i=1}^{size} base[..., i, ...] = 1, with i at `position`, for every value of the other indices."""

    base: sp.IndexedBase
    position: int
    size: sp.Symbol


_BOUND: list[sp.Dummy] = []


def _bound(k: int) -> sp.Dummy:
    """The k-th canonical bound index: the same Dummy in every sum, equal to no user's symbol."""
    while len(_BOUND) <= k:
        _BOUND.append(sp.Dummy(f"i{len(_BOUND)}", integer=True))
    return _BOUND[k]


def _fresh_start(product: sp.Expr, indices: Sequence[sp.Symbol]) -> int:
    """The first canonical index that no sum inside `product` binds around an occurrence of one of
    `indices`: renaming them to it and above captures nothing.  Sums that do not mention them are
    not counted, so that a sum's form does not depend on what stands beside it."""
    used = -1
    for node in sp.preorder_traversal(product):
        if isinstance(node, sp.Sum) and any(node.has(i) for i in indices):
            used = max([used] + [k for k, b in enumerate(_BOUND) if node.has(b)])
    return used + 1


class Normaliser:
    """Sums in normal form over the declared range sizes `sizes`, with `distributions` summed out
    of the multiple sums they are a factor of."""

    def __init__(self, sizes: Iterable[sp.Symbol], distributions: Sequence[Distribution] = ()) -> None:
        self.sizes = frozenset(sizes)
        self.distributions = tuple(distributions)
        self._memo: dict = {}

    def __call__(self, e: sp.Expr) -> sp.Expr:
        e = sp.sympify(e)
        found = self._memo.get(e)
        if found is None:
            found = self._memo[e] = self._normal(e)
        return found

    def _normal(self, e: sp.Expr) -> sp.Expr:
        if not e.has(sp.Sum, sp.Derivative):
            return e
        if isinstance(e, sp.Derivative):
            return self._derivative(e)
        if isinstance(e, sp.Sum):
            return self._sum(e)
        return e.func(*(self(a) for a in e.args))

    def _derivative(self, e: sp.Derivative) -> sp.Expr:
        """∇ under Σ: SymPy's `diff` differentiates a Sum's summand when the variable is neither its
        index nor in its limits, and leaves the Derivative of the sum unevaluated otherwise."""
        inner = self(e.expr)
        if isinstance(inner, AppliedUndef):
            return e.func(inner, *e.variable_count)
        out = inner.diff(*e.variable_count)
        return out if isinstance(out, sp.Derivative) else self(out)

    def _canonical_range(self, limit: tuple) -> bool:
        _, low, high = limit
        return low == 1 and high in self.sizes

    def _sum(self, e: sp.Sum) -> sp.Expr:
        """Σ over the limits, innermost first, each range shifted to start at 1: Σ_{i=l}^{N+l−1} f(i)
        = Σ_{i=1}^{N} f(i + l − 1).  A sum whose range has no declared size N as its length is left
        as written."""
        summand, limits = e.function, []
        for index, low, high in e.limits:
            if sp.expand(high - low + 1) not in self.sizes:
                return e
            if low != 1:
                shifted = sp.Dummy("shifted", integer=True)
                summand = summand.xreplace({index: shifted + low - 1})
                index = shifted
            limits.append((index, sp.expand(high - low + 1)))
        out = self(summand)
        for index, size in limits:
            out = self._one(out, index, size)
        return out

    def _one(self, summand: sp.Expr, index: sp.Symbol, size: sp.Symbol) -> sp.Expr:
        """Σ_{index=1}^{size} summand, summand already normal: split by linearity, merge the inner
        sums that depend on the index, and put each product in canonical form."""
        out = []
        terms = _expanded_terms(summand, self.sizes)
        for term in terms:
            constant, dependent, inner = [], [], []
            for factor in sp.Mul.make_args(term):
                if not factor.has(index):
                    constant.append(factor)
                elif isinstance(factor, sp.Sum) and self._normal_form(factor):
                    inner.append(factor)
                elif (
                    isinstance(factor, sp.Pow)
                    and isinstance(factor.base, sp.Sum)
                    and factor.exp.is_Integer
                    and factor.exp > 0
                    and self._normal_form(factor.base)
                ):
                    inner.extend([factor.base] * int(factor.exp))
                else:
                    dependent.append(factor)
            if not dependent and not inner:
                out.append(sp.Mul(*constant) * size)
                continue
            out.append(sp.Mul(*constant) * self._merged(sp.Mul(*dependent), [(index, 1, size)], inner))
        return sp.Add(*out)

    def _normal_form(self, s: sp.Sum) -> bool:
        """Whether a Sum was put in normal form here (its ranges canonical, its indices ours)."""
        return all(self._canonical_range(lim) and lim[0] in _BOUND for lim in s.limits)

    def _merged(self, product: sp.Expr, limits: list, inner: Sequence[sp.Sum]) -> sp.Sum:
        """Σ over `limits` of product · Π inner: each inner sum's indices renamed apart, its
        summand multiplied in, its limits joined to the outer ones; then canonical."""
        for s in inner:
            renamed = {}
            for index, _, _ in s.limits:
                renamed[index] = sp.Dummy("j", integer=True)
            product = product * s.function.xreplace(renamed)
            limits = limits + [(renamed[index], low, high) for index, low, high in s.limits]
        product, limits = self._summed_out(product, limits)
        return canonical(product, limits) if limits else product

    def _summed_out(self, product: sp.Expr, limits: list) -> tuple[sp.Expr, list]:
        """Σ_i π[.., i, ..] = 1 inside a multiple sum: an index that only one factor mentions, a
        declared distribution over that index's range at that position, is summed out with it
        (Σ_{j,i} f(j) π(i|j) = Σ_j f(j) Σ_i π(i|j) = Σ_j f(j))."""
        if len(limits) < 2:
            return product, limits
        factors = list(sp.Mul.make_args(product))
        kept = []
        for index, low, high in limits:
            having = [f for f in factors if f.has(index)]
            if len(having) == 1 and is_distribution_term(having[0], index, high, self.distributions):
                factors.remove(having[0])
            else:
                kept.append((index, low, high))
        return sp.Mul(*factors), kept


def _outermost_sums(e: sp.Expr) -> set[sp.Sum]:
    if isinstance(e, sp.Sum):
        return {e}
    return set().union(*(_outermost_sums(a) for a in e.args)) if e.args else set()


def _expanded_terms(e: sp.Expr, sizes: frozenset) -> tuple[sp.Expr, ...]:
    """The terms of `e` expanded (products over sums distributed, logs of products split where the
    assumptions allow, exps of sums split), each sum in it kept whole: it stands in as a symbol
    with its sign, so the expansion cannot rewrite a normal sum's summand."""
    held = {}
    for s in sorted(_outermost_sums(e), key=sp.default_sort_key):
        held[s] = sp.Dummy("held", **_facts(s, sizes))
    expanded = sp.expand(e.xreplace(held))
    back = {v: k for k, v in held.items()}
    return tuple(t.xreplace(back) for t in sp.Add.make_args(expanded))


def _facts(s: sp.Sum, sizes: frozenset) -> dict[str, bool]:
    """What a sum inherits from its summand: positive, or real.  Positive only over ranges 1..N of
    declared sizes, never empty; a sum left as written may be empty (0) or, by SymPy's convention
    for a range that runs backwards, minus a sum of its terms."""
    nonempty = all(low == 1 and high in sizes for _, low, high in s.limits)
    if nonempty and s.function.is_positive:
        return {"positive": True}
    return {"real": True} if s.function.is_real else {}


def canonical(product: sp.Expr, limits: Sequence[tuple]) -> sp.Sum:
    """Σ over `limits` of `product` with its indices renamed to the canonical bound indices, in
    the order (among every permutation, by Fubini) that gives the least form: equal sums up to the
    names and the order of their indices get the same form.  Names start above every canonical
    index that a sum inside the product binds around one of these indices, so none is captured.

    The form is computed for the sum with its indices named by position, so that it depends on
    the sum alone, not on the names its indices had (an index already named canonically, met
    again inside a nested sum, would start the names one higher), and remembered under that: the
    normal form merges the same sums again and again under fresh names (a failed proof of N15's
    third line: 574 merges, 35 forms), and trying every order of five indices builds 120 sums.
    A sum whose range bounds mention one of its indices is computed as written, not remembered."""
    indices = [index for index, _, _ in limits]
    if any(bound.has(*indices) for _, low, high in limits for bound in (sp.sympify(low), sp.sympify(high))):
        return _least_form(product, limits)
    placeholders = {index: _placeholder(k, index) for k, index in enumerate(indices)}
    named = product.xreplace(placeholders)
    by_position = sp.Tuple(*limits).xreplace(placeholders)
    found = _CANONICAL.get((named, by_position))
    if found is None:
        if len(_CANONICAL) >= MAX_REMEMBERED:
            _CANONICAL.clear()
        found = _CANONICAL[(named, by_position)] = _least_form(named, list(by_position))
    return found


#: Forms remembered by `canonical`, at most (then forgotten all at once).
MAX_REMEMBERED = 4096
_CANONICAL: dict[tuple, sp.Sum] = {}
_PLACEHOLDERS: dict[tuple, sp.Dummy] = {}


def _placeholder(k: int, index: sp.Symbol) -> sp.Dummy:
    """The name of the k-th index of a sum in `canonical`'s memory, with the index's assumptions
    (which SymPy's evaluation of the summand may read)."""
    facts = tuple(sorted(index.assumptions0.items()))
    found = _PLACEHOLDERS.get((k, facts))
    if found is None:
        found = _PLACEHOLDERS[(k, facts)] = sp.Dummy(f"position{k}", **dict(facts))
    return found


def _least_form(product: sp.Expr, limits: Sequence[tuple]) -> sp.Sum:
    """`canonical`'s form, computed: every order of the indices tried."""
    start = _fresh_start(product, [index for index, _, _ in limits])
    orders = itertools.permutations(limits) if len(limits) <= MAX_PERMUTED else [tuple(limits)]
    best, best_key = None, None
    for order in orders:
        names = {index: _bound(start + k) for k, (index, _, _) in enumerate(order)}
        candidate = sp.Sum(product.xreplace(names), *((names[i], low, high) for i, low, high in order))
        key = sp.default_sort_key(candidate)
        if best is None or key < best_key:
            best, best_key = candidate, key
    return best


@dataclass
class Atoms:
    """Each normal sum, each indexed quantity as an opaque symbol, and what they stand for."""

    sizes: frozenset
    distributions: Sequence[Distribution] = ()

    def __post_init__(self) -> None:
        self.symbols: dict[sp.Expr, sp.Expr] = {}

    def __call__(self, e: sp.Expr) -> sp.Expr:
        if isinstance(e, sp.Sum):
            return self._atom(e)
        if isinstance(e, sp.Indexed):
            return self._opaque(e, _indexed_facts(e))
        if e.is_Atom or not e.args:
            return e
        return e.func(*(self(a) for a in e.args))

    def _atom(self, s: sp.Sum) -> sp.Expr:
        if self._is_distribution(s):
            return sp.S.One
        return self._opaque(s, _facts(s, self.sizes))

    def _opaque(self, e: sp.Expr, facts: dict[str, bool]) -> sp.Expr:
        """A symbol for `e` with `facts`, the same for equal terms."""
        found = self.symbols.get(e)
        if found is None:
            found = self.symbols[e] = sp.Dummy(f"S{len(self.symbols)}", **facts)
        return found

    def _is_distribution(self, s: sp.Sum) -> bool:
        if len(s.limits) != 1:
            return False
        index, _, size = s.limits[0]
        return is_distribution_term(s.function, index, size, self.distributions)


def is_distribution_term(term: sp.Expr, index: sp.Symbol, size: sp.Expr, distributions: Sequence[Distribution]) -> bool:
    """Whether Σ_{index=1}^{size} term = 1 by a declared distribution: term is π[.., index, ..] with
    index at the distribution's position, size its range, and the other indices free of index."""
    if not isinstance(term, sp.Indexed):
        return False
    for d in distributions:
        if term.base != d.base or d.size != size or len(term.indices) <= d.position:
            continue
        others = [x for k, x in enumerate(term.indices) if k != d.position]
        if term.indices[d.position] == index and not any(x.has(index) for x in others):
            return True
    return False


def _indexed_facts(e: sp.Indexed) -> dict[str, bool]:
    if e.is_positive:
        return {"positive": True}
    return {"real": True} if e.is_real else {}


def normal_differences(
    diffs: Sequence[sp.Expr], sizes: Iterable[sp.Symbol], distributions: Sequence[Distribution] = ()
) -> tuple[list[sp.Expr], Atoms]:
    """The differences with their sums in normal form and every sum and indexed quantity an atom."""
    normalise = Normaliser(sizes, distributions)
    atoms = Atoms(normalise.sizes, distributions)
    return [atoms(normalise(d)) for d in diffs], atoms


#: A quantity defined by its equation, base[index] = rhs for every index of its range.
Equations = Mapping[sp.IndexedBase, tuple[sp.Symbol, sp.Expr]]

#: Occurrences of a defined quantity are unfolded by its equation up to these depths (the number
#: of sum indices around them), one depth per attempt: −1 unfolds none.
UNFOLD_DEPTHS = (-1, 0, 1, 2)


def unfold(e: sp.Expr, equations: Equations, depth: int, bound: tuple = ()) -> sp.Expr:
    """`e` with every occurrence base[i] of a defined quantity that lies inside at most `depth` sum
    indices replaced, once, by its equation's right side at i (its own bound indices renamed
    fresh): equals for equals, since the equation holds at every index of its range."""
    if isinstance(e, sp.Sum):
        inner = (*bound, *(index for index, _, _ in e.limits))
        return sp.Sum(unfold(e.function, equations, depth, inner), *e.limits)
    if isinstance(e, sp.Indexed) and e.base in equations and len(bound) <= depth:
        index, rhs = equations[e.base]
        bound_in_rhs = {i for s in rhs.atoms(sp.Sum) for i, _, _ in s.limits}
        fresh = {i: sp.Dummy(str(i), integer=True) for i in bound_in_rhs}
        return rhs.xreplace(fresh).xreplace({index: e.indices[0]})
    if not e.args or e.is_Atom:
        return e
    return e.func(*(unfold(a, equations, depth, bound) for a in e.args))


def nowhere_zero(e: sp.Expr, scalars: Sequence[Domain]) -> bool:
    """Whether `e` is nonzero at every point of the scalars' domains (and every range size): SymPy
    decides its sign once each scalar is written in symbols whose assumptions describe its whole
    domain.  False where it cannot tell, or where a symbol of `e` has no such form."""
    forms: dict[sp.Symbol, sp.Expr] = {}
    for d in scalars:
        forms.update(d.parametrisation() or {})
    if any(x not in forms and not (x.is_integer and x.is_positive) for x in e.free_symbols):
        return False
    signed = sp.factor(sp.together(e.xreplace(forms)))
    return bool(signed.is_positive or signed.is_negative)


def _multiples_of_themselves(
    diffs: Sequence[sp.Expr],
    sizes: Sequence[sp.Symbol],
    distributions: Sequence[Distribution],
    equations: Equations,
    depth: int,
    scalars: Sequence[Domain],
) -> list[sp.Expr] | None:
    """For each difference D with its unfolding U = k·D (k free of the atoms, 1 − k nowhere zero),
    U − k·D, whose zero then proves D = 0; None when some difference is no such multiple."""
    residues = []
    for d in diffs:
        (reduced, unfolded), atoms = normal_differences([d, unfold(d, equations, depth)], sizes, distributions)
        if reduced == 0:
            continue
        k = sp.cancel(sp.together(unfolded / reduced))
        if k == 1 or k.free_symbols & set(atoms.symbols.values()) or not nowhere_zero(1 - k, scalars):
            return None
        residues.append(unfolded - k * reduced)
    return residues


def prove_every_size(
    diffs: Sequence[sp.Expr],
    sizes: Iterable[sp.Symbol],
    distributions: Sequence[Distribution] = (),
    equations: Equations | None = None,
    *,
    scalars: Sequence[Domain] = (),
    strategies: Sequence[symbolic.Strategy] = symbolic.DEFAULT_STRATEGIES,
    time_limit: float = 10.0,
) -> symbolic.SymbolicResult:
    """Whether every difference is zero for every size of its ranges: the normal form's rules, then
    the symbolic engine on the generalisation (each atom a free symbol).  With `equations`, the
    defined quantities are unfolded to each depth of UNFOLD_DEPTHS in turn until one attempt proves
    it (each attempt is a proof on its own); then, at each depth, whether the unfolding is the
    difference times a factor k ≠ 1 on the whole domain of `scalars`."""
    sizes = list(sizes)
    attempts: list[Attempt] = []
    result = symbolic.SymbolicResult(False)
    for depth in UNFOLD_DEPTHS if equations else (-1,):
        unfolded = [unfold(d, equations, depth) for d in diffs] if equations and depth >= 0 else list(diffs)
        reduced, _ = normal_differences(unfolded, sizes, distributions)
        result = symbolic.prove_zero(reduced, strategies=strategies, time_limit=time_limit)
        label = f"unfolded to depth {depth}" if depth >= 0 else ""
        attempts += [dataclasses.replace(a, part=label) if label else a for a in result.attempts]
        if result.zero:
            result.strategy = f"sums+{'unfold+' if depth >= 0 else ''}{result.strategy}"
            break
    for depth in UNFOLD_DEPTHS[1:] if equations and not result.zero else ():
        residues = _multiples_of_themselves(diffs, sizes, distributions, equations or {}, depth, scalars)
        if residues is None:
            continue
        result = symbolic.prove_zero(residues, strategies=strategies, time_limit=time_limit)
        label = f"a multiple of itself, unfolded to depth {depth}"
        attempts += [dataclasses.replace(a, part=label) for a in result.attempts]
        if result.zero:
            result.strategy = f"sums+unfold+multiple+{result.strategy}"
            break
    result.attempts = attempts
    return result
