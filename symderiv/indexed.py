"""Claims over symbolic index ranges: one identity for every size, and its instances at fixed sizes.

An `IndexDomain` declares the ranges (1..|A|, 1..|S|, each size a positive integer symbol with a
lower bound), the index symbols that range over them, and the indexed quantities: tables that are
real, positive or distributions over their last index, and unknown smooth functions f(i, ..., θ)
of a parameter.  An `IndexEqual` states lhs = rhs for every value of its free indices and every
size of their ranges.  The checker proves it for every size (`sums`) and checks its instances:
`at(size)` substitutes the sizes, carries out the sums and maps each indexed quantity to the small
model's symbol of the same name (`Q[s, a]` at s = 1, a = 2 is `Q_0_1`), so the fixed-size engines
check it as any other `Equal`.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import sympy as sp
from sympy.core.function import AppliedUndef, UndefinedFunction
from sympy.matrices import dotprodsimp

from .claims import Claim, Equal, _refuse_floats
from .domain import Domain, Domains, Positive, Real, Simplex, SmoothFunctions, _decided_facts
from .obligation import Obligation, Size
from .sums import Distribution
from .verdict import SizeRange


@dataclass(frozen=True)
class IndexRange:
    """Indices 1..size, size a positive integer symbol of at least `at_least`; at fixed sizes it
    takes the extent of `axis` (a name of an axis of the obligation's sizes: "states" or "actions"
    for an MDP's) of a `Size`, and numbers are checked at random sizes up to `largest`."""

    size: sp.Symbol
    axis: str
    label: str
    largest: int
    at_least: int = 1

    def __post_init__(self) -> None:
        if not (self.size.is_integer and self.size.is_positive):
            raise ValueError(f"the size {self.size} of a range must be a positive integer symbol")
        if not (isinstance(self.axis, str) and self.axis.isidentifier()):
            raise ValueError(f"a range's axis is the name of an axis of a size, as 'states', got {self.axis!r}")
        if not 1 <= self.at_least <= self.largest:
            raise ValueError(f"{self.label}: need 1 <= at_least <= largest, got {self.at_least} and {self.largest}")


@dataclass(frozen=True)
class Table:
    """base[i, j, ...] over `ranges`: real, positive, or a distribution over its last index
    (positive, summing to one for every value of the others)."""

    base: sp.IndexedBase
    ranges: tuple[IndexRange, ...]
    kind: str = "real"

    def __post_init__(self) -> None:
        if self.kind not in ("real", "positive", "distribution"):
            raise ValueError(f"a table is 'real', 'positive' or 'distribution', got {self.kind!r}")
        wanted = {"real": True} if self.kind == "real" else {"positive": True}
        _same_facts(self.base[sp.Dummy(integer=True)], wanted, f"sp.IndexedBase({str(self.base)!r}, ...)")


def _same_facts(term: sp.Expr, wanted: dict[str, bool], declaration: str) -> None:
    """Refuse a quantity whose assumptions are not exactly those its samplers guarantee: SymPy acts
    on every fact it decides, and a fact the numbers break would prove a false claim."""
    if _decided_facts(term) != _decided_facts(sp.Symbol("_probe", **wanted)):
        facts = ", ".join(f"{k}={v}" for k, v in wanted.items())
        raise ValueError(f"{term} must carry exactly {facts}, what its domain guarantees: declare {declaration}")


@dataclass(frozen=True)
class SmoothTable:
    """f(i, ..., θ): an unknown smooth real function of the parameter θ for each index tuple; at a
    fixed size each is a function f_i_..(θ) of a `SmoothFunctions` domain."""

    function: UndefinedFunction
    ranges: tuple[IndexRange, ...]
    parameter: sp.Symbol

    def __post_init__(self) -> None:
        args = [sp.Dummy(integer=True) for _ in self.ranges]
        _same_facts(
            self.function(*args, self.parameter), {"real": True}, f"sp.Function({self.function.__name__!r}, real=True)"
        )
        _same_facts(self.parameter, {"real": True}, f"sp.Symbol({str(self.parameter)!r}, real=True)")


@dataclass(frozen=True)
class ValueTable:
    """base[i] over one range, defined by its equation base[index] = rhs for every index: a Bellman
    equation V(s) = Σ_a π(a|s)[r(s,a) + γ Σ_{s'} p(s'|s,a) V(s')], rhs affine in base.  A proof uses
    the equation (`sums.unfold`); numbers use its solution, which is unique where I − M, M the
    equation's linear part, is invertible (for a Bellman equation with 0 < γ < 1 it is: γP^π has
    spectral radius γ < 1, a fact, not an assumption)."""

    base: sp.IndexedBase
    range: IndexRange
    index: sp.Symbol
    rhs: sp.Expr

    def __post_init__(self) -> None:
        _same_facts(self.base[sp.Dummy(integer=True)], {"real": True}, f"sp.IndexedBase({str(self.base)!r}, real=True)")

    @property
    def ranges(self) -> tuple[IndexRange, ...]:
        return (self.range,)


@dataclass
class IndexDomain:
    """The ranges, index symbols and quantities of index-level claims, and `scalars`: the domains
    of their other symbols (α, γ, ...), as at fixed sizes."""

    indices: Mapping[sp.Symbol, IndexRange]
    tables: Sequence[Table | SmoothTable | ValueTable] = ()
    scalars: Sequence[Domain] = ()
    ranges: tuple[IndexRange, ...] = field(init=False)

    def __post_init__(self) -> None:
        for i in self.indices:
            if not i.is_integer:
                raise ValueError(f"the index {i} must be an integer symbol: sp.Symbol({str(i)!r}, integer=True)")
        found = [*self.indices.values(), *(r for t in self.tables for r in t.ranges)]
        self.ranges = tuple(dict.fromkeys(found))
        by_size: dict = {}
        for r in self.ranges:
            if by_size.setdefault(r.size, r) != r:
                raise ValueError(f"the size {r.size} is declared as two ranges: {by_size[r.size]} and {r}")

    def sizes(self) -> dict[sp.Symbol, int]:
        """The lower bound of every range size."""
        return {r.size: r.at_least for r in self.ranges}

    @property
    def axes(self) -> tuple[str, ...]:
        """The axes of the ranges, in the order they are first declared."""
        return tuple(dict.fromkeys(r.axis for r in self.ranges))

    def size_range(self, used: set | None = None, axes: Sequence[str] = ()) -> SizeRange:
        """For every size at least the ranges' lower bounds (those of `used` size symbols), the
        ranges in the order of `axes` (a size's), then of their declaration."""
        rank = {axis: k for k, axis in enumerate(dict.fromkeys([*axes, *self.axes]))}
        order = [r for r in sorted(self.ranges, key=lambda r: rank[r.axis]) if used is None or r.size in used]
        return SizeRange(tuple((r.label, r.at_least) for r in order), tuple(r.axis for r in order))

    def distributions(self) -> list[Distribution]:
        return [
            Distribution(t.base, len(t.ranges) - 1, t.ranges[-1].size)
            for t in self.tables
            if isinstance(t, Table) and t.kind == "distribution"
        ]

    def equations(self) -> dict[sp.IndexedBase, tuple[sp.Symbol, sp.Expr]]:
        """The defining equation of each value table: base -> (index, right side)."""
        return {t.base: (t.index, t.rhs) for t in self.tables if isinstance(t, ValueTable)}

    def counts(self, size: Size) -> dict[sp.Symbol, int]:
        """The size of each range at `size`: the extent of its axis."""
        missing = next((r for r in self.ranges if r.axis not in size), None)
        if missing is not None:
            raise ValueError(
                f"the range {missing.label} takes the axis {missing.axis!r} of a size, and the size {size} has "
                f"none (its axes: {', '.join(a or '(unnamed)' for a in size.axes)})"
            )
        return {r.size: size[r.axis] for r in self.ranges}

    def at(self, size: Size, used: set | None = None) -> Instance:
        """The small model of this domain at one size: a symbol per table entry, its domains; with
        `used` (the claim's symbols and functions), only the quantities and scalars it uses."""
        counts = self.counts(size)
        symbols: dict = {}
        functions: dict = {}
        families: dict = {}
        defined: dict = {}
        if used is not None:
            used = set(used)
            for t in self.tables:
                if isinstance(t, ValueTable) and any(_uses(x, t) for x in used):
                    used |= t.rhs.free_symbols | t.rhs.atoms(AppliedUndef)
        parts: list[Domain] = [d for d in self.scalars if used is None or used & set(d.symbols)]
        for t in self.tables:
            if used is not None and not any(_uses(x, t) for x in used):
                continue
            if isinstance(t, ValueTable):
                defined[t.base] = t
                continue
            cells = list(itertools.product(*(range(1, counts[r.size] + 1) for r in t.ranges)))
            if isinstance(t, SmoothTable):
                made = {cell: sp.Function(_name(t.function.__name__, cell), real=True)(t.parameter) for cell in cells}
                functions[t.function] = made
                families[t.function] = SmoothFunctions(list(made.values()), t.parameter)
                parts.append(families[t.function])
                continue
            kind, base = "real" if t.kind == "real" else "positive", str(t.base)
            made = {cell: _entry(_name(base, cell), kind) for cell in cells}
            symbols[t.base] = made
            if t.kind == "real":
                parts.append(Real(list(made.values())))
            elif t.kind == "positive":
                parts.append(Positive(list(made.values())))
            else:
                for _, row in itertools.groupby(cells, key=lambda cell: cell[:-1]):
                    parts.append(Simplex([made[cell] for cell in row]))
        return Instance(size, counts, symbols, functions, families, defined, Domains(parts))


def _uses(x: sp.Expr, t: Table | SmoothTable | ValueTable) -> bool:
    """Whether `x`, a free symbol or applied function of a claim, is the quantity `t`."""
    if isinstance(t, SmoothTable):
        return isinstance(x, AppliedUndef) and x.func == t.function
    return x == t.base or isinstance(x, sp.Indexed) and x.base == t.base


def _carried_out(e: sp.Expr) -> sp.Expr:
    """`e` with every sum over an integer range written out term by term and every derivative
    carried out (SymPy's `doit` substitutes into each term by `subs`: minutes at 30 terms)."""
    if not e.args or e.is_Atom:
        return e
    if isinstance(e, sp.Sum):
        out = _carried_out(e.function)
        for index, low, high in e.limits:
            if not (low.is_Integer and high.is_Integer):
                raise ValueError(f"the range {low}..{high} of {e} is not fixed at this size")
            out = sp.Add(*(out.xreplace({index: sp.Integer(k)}) for k in range(int(low), int(high) + 1)))
        return _carried_out(out) if out.has(sp.Sum) else out
    out = e.func(*(_carried_out(a) for a in e.args))
    return out.doit(deep=False) if isinstance(out, sp.Derivative) else out


@functools.lru_cache(maxsize=1 << 17)
def _entry(name: str, kind: str) -> sp.Symbol:
    """The symbol of a table's entry, `real` or `positive`, made once: a model at 12×30 has thousands,
    more than SymPy's own cache keeps, and every claim over the same tables makes them again."""
    return sp.Symbol(name, **{kind: True})


def _name(base: str, cell: tuple[int, ...]) -> str:
    """The small model's name of an entry: Q[1, 2] is Q_0_1 (indices from 0 there)."""
    return "_".join([base, *(str(i - 1) for i in cell)])


@dataclass
class Instance:
    """An `IndexDomain` at one size: each table's entries and each function's members, by cell."""

    size: Size
    counts: dict[sp.Symbol, int]
    symbols: dict[sp.IndexedBase, dict[tuple[int, ...], sp.Symbol]]
    functions: dict[UndefinedFunction, dict[tuple[int, ...], sp.Expr]]
    #: The domain each smooth table's functions are drawn from.
    families: dict[UndefinedFunction, SmoothFunctions]
    #: The value tables, solved from their equations when a claim first needs them.
    defined: dict[sp.IndexedBase, ValueTable]
    domains: Domains

    def concrete(self, e: sp.Expr, assignment: Mapping[sp.Symbol, int]) -> sp.Expr:
        """`e` at this size with its free indices at `assignment`: the sums carried out, every
        indexed quantity replaced by the model's symbol (or function) for its cell."""
        fixed = {k: sp.Integer(v) for k, v in {**self.counts, **assignment}.items()}
        out = _carried_out(e.xreplace(fixed))
        replace = {}
        for x in out.atoms(sp.Indexed):
            if x.base in self.defined and x.base not in self.symbols:
                self.symbols[x.base] = self._solved(self.defined[x.base])
            replace[x] = self._entry(self.symbols.get(x.base), x.base, x.indices)
        for x in out.atoms(AppliedUndef):
            if x.func in self.functions:
                replace[x] = self._entry(self.functions[x.func], x.func, x.args[:-1])
        return out.xreplace(replace)

    def _solved(self, t: ValueTable) -> dict[tuple[int, ...], sp.Expr]:
        """The value table's entries solved from its equation at this size, by Cramer's rule (as the
        RL model solves its values): adj(I − M)·c / det(I − M), M and c the equation's linear and
        constant parts."""
        cells: list[tuple[int, ...]] = [(k,) for k in range(1, self.counts[t.range.size] + 1)]
        unknowns = {cell: sp.Dummy(f"{t.base}{cell[0]}", real=True) for cell in cells}
        self.symbols[t.base] = unknowns
        try:
            equations = [unknowns[cell] - self.concrete(t.rhs, {t.index: cell[0]}) for cell in cells]
        finally:
            del self.symbols[t.base]
        matrix, constant = sp.linear_eq_to_matrix(equations, list(unknowns.values()))
        with dotprodsimp(False):
            solution = matrix.adjugate(method="berkowitz") * constant / matrix.det(method="berkowitz")
        return dict(zip(cells, solution))

    def _entry(self, cells: dict | None, name, indices) -> sp.Expr:
        if cells is None:
            raise ValueError(f"{name} is not a quantity of the claim's IndexDomain")
        key = tuple(int(i) if i.is_Integer else i for i in indices)
        if key not in cells:
            raise ValueError(f"{name}{list(key)} lies outside its ranges at size {self.size}")
        return cells[key]


@dataclass
class IndexEqual:
    """lhs = rhs for every size of the domain's ranges and every value of the free indices."""

    lhs: sp.Expr
    rhs: sp.Expr
    domain: IndexDomain

    def __post_init__(self) -> None:
        self.lhs, self.rhs = sp.sympify(self.lhs), sp.sympify(self.rhs)
        _refuse_floats("the left side", self.lhs)
        _refuse_floats("the right side", self.rhs)
        free = (self.lhs.free_symbols | self.rhs.free_symbols) - set(self.domain.sizes())
        # Once: SymPy recomputes a sum's free symbols on every call, and the numbers ask at each size.
        self._free_indices = tuple(sorted((x for x in free if x.is_integer), key=str))
        unknown = [i for i in self.free_indices() if i not in self.domain.indices]
        if unknown:
            raise ValueError(f"the free index {unknown[0]} has no range: declare it in the IndexDomain's indices")

    def free_indices(self) -> list[sp.Symbol]:
        """The integer symbols free in the claim that are not range sizes, sorted by name."""
        return list(self._free_indices)

    def size_range(self, axes: Sequence[str] = ()) -> SizeRange:
        """The sizes a proof covers: those of the ranges the claim, or the equation of a value it uses,
        sums over, and those of the ranges it indexes by, in the order of `axes` (those of the
        obligation's sizes), then of their declaration."""
        said = self._with_equations()
        summed = {r.size for r in self.domain.ranges if any(e.has(r.size) for e in said)}
        return self.domain.size_range(summed | {self.domain.indices[i].size for i in self.free_indices()}, axes)

    def _with_equations(self) -> list[sp.Expr]:
        """Both sides and the defining equations of the value tables they use, and of those they use."""
        equations = self.domain.equations()
        said, seen = [self.lhs, self.rhs], set[sp.IndexedBase]()
        for e in said:
            for base in sorted(e.atoms(sp.IndexedBase) & (equations.keys() - seen), key=str):
                seen.add(base)
                said.append(equations[base][1])
        return said

    def assignments(self, counts: Mapping[sp.Symbol, int]) -> list[dict[sp.Symbol, int]]:
        """Every value of the free indices at sizes `counts`."""
        free = self.free_indices()
        values = [range(1, counts[self.domain.indices[i].size] + 1) for i in free]
        return [dict(zip(free, v)) for v in itertools.product(*values)]

    def at(self, size: Size, instance: Instance | None = None, assignments: Sequence[dict] | None = None) -> Equal:
        """The claim at one size, as an `Equal` over the small model's symbols: one element per value
        of the free indices (or per given assignment), in the instance's domains."""
        instance = instance or self.domain.at(size)
        assignments = self.assignments(instance.counts) if assignments is None else assignments
        lhs = [instance.concrete(self.lhs, k) for k in assignments]
        rhs = [instance.concrete(self.rhs, k) for k in assignments]
        if len(assignments) == 1 and not self.free_indices():
            return Equal(lhs[0], rhs[0], instance.domains)
        return Equal(sp.Matrix(lhs), sp.Matrix(rhs), instance.domains)


class IndexLevel:
    """The model factory of an index-level obligation (`model=IndexLevel`): its builder returns an
    `IndexEqual`, the same at every size, and the checker instantiates it at each."""

    def __init__(self, size: Size | None = None) -> None:
        self.size = size


@functools.lru_cache(maxsize=8)
def index_level_claim(build: Callable[[IndexLevel], Claim | IndexEqual]) -> Claim | IndexEqual:
    """What an index-level builder returns, built once per process: the claim is the same at every
    size, and a worker checks an obligation's sizes one after another."""
    return build(IndexLevel())


#: The (builder, size) pairs whose claims `keeping` asks to keep, and those built so far.
_wanted: set[tuple[Callable, Size | None]] = set()
_kept: dict[tuple[Callable, Size | None], Claim] = {}


@contextlib.contextmanager
def keeping(wanted: Iterable[tuple[Obligation, Size | None]]) -> Iterator[None]:
    """Within the block, the claim of each (obligation, size) pair is kept once `claim_at` builds it,
    and `claim_at` returns it again: a run that checks claims and then shows them (an export) builds
    each once, and the worker processes it forks inherit those built before."""
    keys = {(ob.build, size) for ob, size in wanted}
    _wanted.update(keys)
    try:
        yield
    finally:
        _wanted.difference_update(keys)
        for key in keys:
            _kept.pop(key, None)


def claim_at(ob: Obligation, size: Size | None) -> Claim:
    """The obligation's claim at one size: an index-level claim is built once (`index_level_claim`)
    and instantiated there (`IndexEqual.at`), any other built for that size (or kept, `keeping`)."""
    key = (ob.build, size)
    if key in _kept:
        return _kept[key]
    claim = index_level_claim(ob.build) if ob.model is IndexLevel else ob.build_for(size)
    if isinstance(claim, IndexEqual) and size is not None:
        claim = claim.at(size)
    # An index-level builder takes its model, so only a size builds one (into its instance).
    assert not isinstance(claim, IndexEqual), "an index-level claim is built at a size"
    if key in _wanted:
        _kept[key] = claim
    return claim
