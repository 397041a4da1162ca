"""Numbers at sizes no symbolic model reaches: an index-level claim evaluated on NumPy arrays.

At random sizes up to each range's largest (12 states, 30 actions), instances are drawn by the
samplers of the claim's small model at that size, each table stacked into one array, and both
sides evaluated by walking the index-level expression once per value of its free indices,
vectorised over the instances and over the summation indices: a summation index is an array
axis, its summand evaluated once as an array along it (tables gathered by NumPy's advanced
indexing) and the sum `np.sum` over that axis; a range whose bounds depend on an outer index is
masked.  No SymPy runs per instance.  The instances are evaluated in doubles; those that
disagree there are evaluated again in extended precision, and a disagreement left is judged
where every other refutation is: in ball arithmetic at the exact point of the instance, on the
claim instantiated at that size (`IndexEqual.at`), certified and shrunk.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import sympy as sp
from sympy.core.function import AppliedUndef

from . import numeric
from .domain import compiled_family
from .indexed import IndexEqual, Instance, SmoothTable, Table, ValueTable
from .numeric import NotEvaluable
from .obligation import Size

#: Random sizes drawn per claim, besides the largest (every range at its largest).
RANDOM_SIZES = 5
#: Instances per size, at most (the settings' sample count, if smaller).
SAMPLES_PER_SIZE = 400
#: Values of the free indices evaluated per size, at most (the first and last among them).
MAX_ASSIGNMENTS = 16
#: Failures in extended precision per size judged in ball arithmetic, the worst first; the rest
#: leave the claim unjudged there, unless one of these is certified.
MAX_JUDGED = 5
#: The precision in which instances that disagree in doubles are evaluated again: NumPy's long
#: double where it is wider than a double (its exponent range keeps exp(Q/α) finite where doubles
#: overflow), None where it is not.  Only those: long double arithmetic is 15 to 50 times slower.
EXTENDED = numeric.EXTENDED

#: Elements a summand's array may span, at most (the instances times the lengths of the axes of
#: the sums around it): a longer range is summed in chunks of its values.
MAX_ELEMENTS = 5_000_000

_UNARY = {
    sp.exp: np.exp,
    sp.log: np.log,
    sp.sin: np.sin,
    sp.cos: np.cos,
    sp.tanh: np.tanh,
    sp.sinh: np.sinh,
    sp.cosh: np.cosh,
    sp.atan: np.arctan,
    sp.Abs: np.abs,
}


class Unsolved(NotEvaluable):
    """A value table's equation not satisfied by its solution, to 1e-9: not affine, or too badly
    conditioned for the precision it was solved in."""


@dataclass
class LargeSizeResult:
    """What the numbers at large sizes found: agreement on every instance, or a certified failure
    (`mismatch`, at `size`), or floats that disagreed where balls did not decide (`message`)."""

    agreed: bool
    sizes: list[Size] = field(default_factory=list)
    instances: int = 0
    max_rel_error: float = 0.0
    mismatch: numeric.Mismatch | None = None
    size: Size | None = None
    message: str = ""


@dataclass(frozen=True)
class Axis:
    """A summation index bound to an array axis: its values run along the axis `depth` places left
    of the instances' axes; `valid` (None: all of them) marks those inside its range, which may
    depend on outer indices (a triangular sum); `key` names the axis for the memo."""

    depth: int
    values: np.ndarray
    valid: np.ndarray | None
    key: tuple


@dataclass(frozen=True)
class Scope:
    """Where an expression is evaluated: the integers fixed for the whole evaluation (the sizes and
    the free indices) and the summation indices bound to axes around it."""

    fixed: Mapping[sp.Symbol, int]
    axes: Mapping[sp.Symbol, Axis] = field(default_factory=dict)

    @property
    def depth(self) -> int:
        return max((axis.depth for axis in self.axes.values()), default=0)

    def binding(self, index: sp.Symbol, axis: Axis) -> Scope:
        return Scope(self.fixed, {**self.axes, index: axis})

    def identity(self, x: sp.Symbol):
        """What an expression's value depends on through its free symbol `x`: the axis `x` is bound
        to, or its fixed value (None for a sampled scalar, the same throughout)."""
        return self.axes[x].key if x in self.axes else self.fixed.get(x)

    def valid(self, symbols: set) -> np.ndarray | None:
        """Where every index among `symbols` lies inside its range (None: everywhere)."""
        masks = [mask for x in symbols if x in self.axes and (mask := self.axes[x].valid) is not None]
        return functools.reduce(lambda one, other: one & other, masks) if masks else None


@functools.lru_cache(maxsize=1 << 16)
def _free_symbols(e: sp.Expr) -> tuple:
    """The free symbols of `e`, in a fixed order: read by every evaluator, at every size, of the
    same expressions."""
    return tuple(sorted(e.free_symbols, key=str))


class Evaluator:
    """Both sides of an index-level expression on the arrays of one instance sample, in `dtype`.

    Every array holds its cells or summation indices first and the instances last (the `batch`
    axes): a summation index becomes an axis left of those bound before it, so a term broadcasts
    against the indices it does not depend on, and a sum is `np.sum` over its axis."""

    def __init__(
        self,
        instance: Instance,
        values: Mapping[sp.Symbol, np.ndarray],
        tables: dict,
        functions: dict,
        batch: tuple[int, ...],
        dtype: type[np.floating] = np.float64,
    ) -> None:
        self.dtype = dtype
        self.instance = instance
        self.values = values
        self.tables = tables
        self.functions = functions
        self.batch = batch
        self._memo: dict = {}

    def along(self, e: sp.Expr, env: Mapping[sp.Symbol, int], indices: Mapping[sp.Symbol, np.ndarray]) -> np.ndarray:
        """The values of `e` with the given indices running together along a first axis (the k-th
        value of each at its k-th place), its other integers fixed by `env`: one walk of `e` for
        all of their values, not one per value."""
        return self._together(self._value, e, env, indices)

    def magnitude_along(
        self, e: sp.Expr, env: Mapping[sp.Symbol, int], indices: Mapping[sp.Symbol, np.ndarray]
    ) -> np.ndarray:
        """The size of the terms `e` adds up, through sums and products, as `along` gives its values:
        the scale of the rounding errors in its value (Σ_a of terms that cancel is small, its terms
        are not)."""
        return self._together(self._magnitude, e, env, indices)

    def _together(self, of, e: sp.Expr, env: Mapping[sp.Symbol, int], indices: Mapping[sp.Symbol, np.ndarray]):
        length = len(next(iter(indices.values()))) if indices else 1
        axes = {i: Axis(1, np.asarray(v), None, ("along", i, tuple(v))) for i, v in indices.items()}
        return np.broadcast_to(of(e, Scope(env, axes)), (length, *self.batch))

    def _memoised(self, kind: str, e: sp.Expr, scope: Scope, compute) -> np.ndarray | float:
        """`compute(e, scope)`, once per value or axis of the indices `e` depends on (a summation
        index need not be declared an integer)."""
        key = (kind, e, tuple(scope.identity(x) for x in _free_symbols(e)))
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = compute(e, scope)
        return found

    def _value(self, e: sp.Expr, scope: Scope) -> np.ndarray | float:
        return self._memoised("value", e, scope, self._computed)

    def _magnitude(self, e: sp.Expr, scope: Scope) -> np.ndarray | float:
        return self._memoised("magnitude", e, scope, self._terms_magnitude)

    def _terms_magnitude(self, e: sp.Expr, scope: Scope) -> np.ndarray | float:
        if isinstance(e, sp.Add):
            return functools.reduce(operator.add, (self._magnitude(a, scope) for a in e.args))
        if isinstance(e, sp.Mul):
            return functools.reduce(operator.mul, (self._magnitude(a, scope) for a in e.args))
        if isinstance(e, sp.Pow) and e.exp.is_Integer and e.exp > 0:
            return self._magnitude(e.base, scope) ** int(e.exp)
        if isinstance(e, sp.Sum) and len(e.limits) == 1:
            return self._sum(e.function, list(e.limits), scope, self._magnitude)
        return np.abs(self._value(e, scope))

    def _computed(self, e: sp.Expr, scope: Scope) -> np.ndarray | float:
        if e.is_Number or isinstance(e, sp.NumberSymbol):
            return self.dtype(sp.Float(e, 30)) if not e.is_Integer else self.dtype(int(e))
        if e.is_Symbol:
            return self._symbol(e, scope)
        if isinstance(e, sp.Indexed):
            return self._gathered(self.tables, e.base, e.indices, scope)
        if isinstance(e, AppliedUndef):
            return self._gathered(self.functions, (e.func, 0), e.args[:-1], scope)
        if isinstance(e, sp.Derivative) and isinstance(e.expr, AppliedUndef) and len(e.variable_count) == 1:
            f, ((_, order),) = e.expr, e.variable_count
            return self._gathered(self.functions, (f.func, int(order)), f.args[:-1], scope)
        if isinstance(e, sp.Add):
            return functools.reduce(operator.add, (self._value(a, scope) for a in e.args))
        if isinstance(e, sp.Mul):
            return functools.reduce(operator.mul, (self._value(a, scope) for a in e.args))
        if isinstance(e, sp.Pow):
            return np.power(self._value(e.base, scope), self._value(e.exp, scope))
        if isinstance(e, sp.Sum):
            return self._sum(e.function, list(e.limits), scope, self._value)
        if type(e) in _UNARY:
            return _UNARY[type(e)](self._value(e.args[0], scope))
        raise NotEvaluable(f"no NumPy form for {type(e).__name__} in {e}")

    def _symbol(self, x: sp.Symbol, scope: Scope) -> np.ndarray | float:
        """A symbol's value: a summation index's values along its axis, a fixed integer, or a scalar's samples."""
        if x in scope.axes:
            values = scope.axes[x].values
            return values.reshape(values.shape + (1,) * len(self.batch)).astype(self.dtype)
        if x in scope.fixed:
            return self.dtype(scope.fixed[x])
        if x not in self.values:
            raise NotEvaluable(f"{x} has no value here")
        return self.values[x]

    def _index(self, e: sp.Expr, scope: Scope) -> int | np.ndarray:
        """An index expression's values: an integer, or integers along the axes of the summation
        indices it depends on."""
        if e.is_Symbol and e in scope.axes:
            return scope.axes[e].values
        if not e.free_symbols & scope.axes.keys():
            value = e.xreplace({k: sp.Integer(v) for k, v in scope.fixed.items() if k in e.free_symbols})
            if not value.is_Integer:
                raise NotEvaluable(f"the index {e} is not an integer here")
            return int(value)
        if isinstance(e, sp.Add):
            return sum((self._index(a, scope) for a in e.args), 0)
        if isinstance(e, sp.Mul):
            return self._index_product(e, scope)
        if isinstance(e, sp.Pow) and e.exp.is_Integer and e.exp >= 0:
            return self._index(e.base, scope) ** int(e.exp)
        raise NotEvaluable(f"the index {e} is not an integer here")

    def _index_product(self, e: sp.Mul, scope: Scope) -> int | np.ndarray:
        """A product of index expressions, a rational coefficient allowed where the product is an
        integer (s(s+1)/2)."""
        coefficient, factors = e.as_coeff_Mul()
        product: int | np.ndarray = int(sp.numer(coefficient))
        for factor in sp.Mul.make_args(factors):
            product = product * self._index(factor, scope)
        denominator = int(sp.denom(coefficient))
        if np.any(product % denominator):
            raise NotEvaluable(f"the index {e} is not an integer here")
        return product // denominator

    def _gathered(self, arrays: Mapping, key, indices: tuple, scope: Scope) -> np.ndarray:
        """The cells of `arrays[key]` at the indices' values, by NumPy's advanced indexing: an
        array over the axes of the summation indices they depend on. A cell outside the ranges is
        refused where the indices lie inside theirs; elsewhere (masked off) it is clipped."""
        if key not in arrays:
            raise NotEvaluable(f"{key} has no arrays: a derivative in more than one variable?")
        array = arrays[key]
        extents = array.shape[: array.ndim - len(self.batch)]
        if len(indices) != len(extents):
            raise NotEvaluable(f"{key} takes {len(extents)} indices, not {len(indices)}")
        cells = [np.asarray(self._index(i, scope)) - 1 for i in indices]
        valid = scope.valid(set().union(*(i.free_symbols for i in indices)))
        self._refuse_outside(key, cells, extents, valid)
        if valid is not None:
            cells = [np.clip(c, 0, n - 1) for c, n in zip(cells, extents)]
        return array[tuple(cells)]

    def _refuse_outside(self, key, cells: list[np.ndarray], extents: tuple[int, ...], valid: np.ndarray | None) -> None:
        """NotEvaluable for a cell (from 0) outside the extents of its table, at index values
        inside their ranges (`valid`)."""
        outside: np.ndarray = np.zeros(np.broadcast_shapes(*(c.shape for c in cells)), bool)
        for c, n in zip(cells, extents):
            outside = outside | (c < 0) | (c >= n)
        if valid is not None:
            outside = outside & valid
        if np.any(outside):
            where = np.unravel_index(np.argmax(outside), outside.shape)
            cell = [int(np.broadcast_to(c, outside.shape)[where]) + 1 for c in cells]
            raise NotEvaluable(f"{key}{cell} lies outside its ranges at size {self.instance.size}")

    def _sum(self, summand: sp.Expr, limits: list, scope: Scope, of) -> np.ndarray | float:
        """Σ over the last limit (SymPy's outermost) of the sum over the others, each limit's index
        an axis of `of(summand)` (its value or its magnitude)."""
        if not limits:
            return of(summand, scope)
        (index, low, high), rest = limits[-1], limits[:-1]
        total: np.ndarray | float = 0.0
        for axis in self._axes(index, low, high, scope):
            total = total + self._along(self._sum(summand, rest, scope.binding(index, axis), of), axis)
        return total

    def _axes(self, index: sp.Symbol, low: sp.Expr, high: sp.Expr, scope: Scope) -> list[Axis]:
        """The range low..high of `index` as axes at the next depth, in chunks of its values; where
        the bounds depend on outer indices, the axes span their widest range and mark the values
        inside it."""
        first, last, around = self._bounds(low, high, scope)
        inside = np.ones((), bool) if around is None else around
        if not np.any(inside):
            return []
        start = int(np.min(np.where(inside, first, np.iinfo(np.int64).max)))
        stop = int(np.max(np.where(inside, last, np.iinfo(np.int64).min)))
        depth, chunk = scope.depth + 1, self._chunk(scope)
        varies = around is not None or np.ndim(first) > 0 or np.ndim(last) > 0
        identity = tuple(scope.identity(x) for x in sorted(low.free_symbols | high.free_symbols, key=str))
        out = []
        for begin in range(start, stop + 1, chunk):
            values = np.arange(begin, min(begin + chunk, stop + 1)).reshape((-1,) + (1,) * (depth - 1))
            valid = (values >= first) & (values <= last) & inside if varies else None
            out.append(Axis(depth, values, valid, (depth, begin, len(values), low, high, identity)))
        return out

    def _bounds(self, low: sp.Expr, high: sp.Expr, scope: Scope) -> tuple:
        """A range's bounds (integers, or arrays over outer indices) and where those outer indices
        lie inside their own ranges (None: everywhere); a range that runs backwards there is refused."""
        first, last = self._index(low, scope), self._index(high, scope)
        around = scope.valid(low.free_symbols | high.free_symbols)
        backwards = np.asarray(last < first - 1)
        if np.any(backwards if around is None else backwards & around):
            raise NotEvaluable(f"the range {low}..{high} runs backwards")
        return first, last, around

    def _chunk(self, scope: Scope) -> int:
        """Values of a new summation index per axis: as many as keep its summand's arrays within
        MAX_ELEMENTS, the instances times the lengths of the axes already bound times these."""
        spanned = int(np.prod(self.batch)) * int(np.prod([axis.values.shape[0] for axis in scope.axes.values()]))
        return max(1, MAX_ELEMENTS // spanned)

    def _along(self, terms: np.ndarray | float, axis: Axis) -> np.ndarray | float:
        """Σ of `terms` along the axis, over the values inside its range; terms that do not depend
        on the index are multiplied by how many values there are."""
        terms = np.asarray(terms)
        trailing = (1,) * len(self.batch)
        at = terms.ndim - len(self.batch) - axis.depth
        if at < 0 or terms.shape[at] == 1:
            if at == 0:
                terms = terms[0]
            if axis.valid is None:
                return terms * axis.values.shape[0]
            count = np.sum(axis.valid, axis=0)
            count = count.reshape(count.shape + trailing)
            return np.where(count > 0, terms * count, 0.0)
        if axis.valid is None:
            return np.sum(terms, axis=0)
        return np.sum(np.where(axis.valid.reshape(axis.valid.shape + trailing), terms, 0.0), axis=0)


def _arrays(
    claim: IndexEqual, instance: Instance, values: Mapping, n: int, orders: set[int], dtype: type[np.floating]
) -> tuple[dict, dict]:
    """Each table as one array (*cells, instances) and each smooth function's value and its
    derivatives of the given orders at the sampled parameter, from the concrete families its
    domain draws; the instances last, so that the axes of summation indices broadcast against them.
    `values` are in `dtype`, and so is every array."""
    tables, functions = {}, {}
    for t in claim.domain.tables:
        if isinstance(t, Table) and t.base in instance.symbols:
            cells = instance.symbols[t.base]
            shape = tuple(instance.counts[r.size] for r in t.ranges)
            stacked = np.stack([np.asarray(values[cells[c]], dtype=dtype) for c in cells])
            tables[t.base] = stacked.reshape(*shape, n)
    for t in claim.domain.tables:
        if not (isinstance(t, SmoothTable) and t.function in instance.functions):
            continue
        cells = instance.functions[t.function]
        d = instance.families[t.function]
        shape = tuple(instance.counts[r.size] for r in t.ranges)
        for order in orders:
            compiled = compiled_family(order)
            columns = [compiled(values[d.parameter], *(values[c] for c in d.coefficients[f])) for f in cells.values()]
            functions[(t.function, order)] = np.stack(columns).reshape(*shape, n)
    for t in instance.defined.values():
        tables[t.base] = _solved(t, instance, values, tables, functions, n, dtype)
    return tables, functions


def _solved(
    t: ValueTable, instance: Instance, values: Mapping, tables: dict, functions: dict, n: int, dtype: type[np.floating]
) -> np.ndarray:
    """A value table's solution at every instance: its equation v = F(v) is affine, F(v) = c + M v,
    so c = F(0) and M's columns F(e_j) − c come from evaluating F in doubles at the |range| + 1
    points 0, e_1, e_2, ... at once, along an extra trailing axis of every array (a second batch
    axis); then (I − M) v = c is solved per instance and refined once by the residual F(v) − v in the
    evaluation's precision, `dtype` (so that M's rounding does not limit the solution), and refused
    unless F(v) = v there (`Unsolved`: an equation that is not affine, or too badly conditioned)."""
    count = instance.counts[t.range.size]
    env = instance.counts

    def rows(evaluate: Evaluator) -> np.ndarray:
        """F(v) at every instance (and point), the index's values on the axis after the instances'."""
        return np.moveaxis(evaluate.along(t.rhs, env, {t.index: np.arange(1, count + 1)}), 0, 1)

    def image(v: np.ndarray) -> np.ndarray:
        """F(v) at every instance, in the evaluation's precision."""
        return rows(Evaluator(instance, values, {**tables, t.base: v.T}, functions, (n,), dtype))

    points = np.concatenate([np.zeros((count, 1)), np.eye(count)], axis=1)
    widened = Evaluator(
        instance,
        {k: np.asarray(v, dtype=float)[:, None] for k, v in values.items()},
        {
            **{k: np.asarray(a, dtype=float)[..., None] for k, a in tables.items()},
            t.base: np.broadcast_to(points[:, None], (count, n, count + 1)),
        },
        {k: np.asarray(a, dtype=float)[..., None] for k, a in functions.items()},
        (n, count + 1),
    )
    with np.errstate(all="ignore"):
        at_points = rows(widened).astype(float)
    constant = at_points[..., 0]
    system = np.eye(count) - (at_points[..., 1:] - constant[..., None])
    v = np.linalg.solve(system, constant[..., None])[..., 0].astype(dtype)
    with np.errstate(all="ignore"):
        v = v + np.linalg.solve(system, (image(v) - v).astype(float)[..., None])[..., 0]
        gap = np.abs(image(v) - v) / (np.abs(constant) + np.abs(v) + 1)
    if not np.all(gap < 1e-9):
        raise Unsolved(f"the equation of {t.base} is not affine in it, or not solved at size {instance.size}")
    return np.ascontiguousarray(v.T)


def _sizes(claim: IndexEqual, rng: np.random.Generator, axes: Sequence[str]) -> list[Size]:
    """RANDOM_SIZES random sizes and the largest, each range between its lower bound and its largest:
    on `axes` and then those of the ranges (in their order), an axis with no range at extent 1."""
    ranges = {r.axis: r for r in claim.domain.ranges}
    order = list(dict.fromkeys([*axes, *ranges]))

    def draw(r, largest: bool) -> int:
        if r is None:
            return 1
        return r.largest if largest else int(rng.integers(r.at_least, r.largest + 1))

    def size(largest: bool) -> Size:
        return Size(tuple((axis, draw(ranges.get(axis), largest)) for axis in order))

    out = [size(False) for _ in range(RANDOM_SIZES)]
    out.append(size(True))
    # The smallest first: a claim false at several sizes is judged, and shrunk, at the smallest.
    return sorted(dict.fromkeys(out), key=Size.simplicity)


def differentiated(e: sp.Expr) -> sp.Expr:
    """`e` with every derivative of an expression carried out (through a sum, onto its summand), so
    that only derivatives of unknown functions are left; the sums themselves stay as written."""
    return e.replace(
        lambda x: isinstance(x, sp.Derivative) and not isinstance(x.expr, AppliedUndef),
        lambda x: x.doit(deep=False),
    )


def check(
    claim: IndexEqual, rng: np.random.Generator, samples: int, rtol: float, axes: Sequence[str] = ()
) -> LargeSizeResult:
    """Both sides at random sizes up to the ranges' largest, on `axes` (those of the obligation's
    sizes; by default the ranges'); a float failure is judged in balls."""
    result = LargeSizeResult(agreed=True)
    sides = [differentiated(e) for e in (claim.lhs, claim.rhs)]
    orders = {0} | {int(count) for side in sides for d in side.atoms(sp.Derivative) for _, count in d.variable_count}
    used = sides[0].free_symbols | sides[1].free_symbols | sides[0].atoms(AppliedUndef) | sides[1].atoms(AppliedUndef)
    n = min(samples, SAMPLES_PER_SIZE)
    for size in _sizes(claim, rng, axes):
        instance = claim.domain.at(size, used)
        drawn = instance.domains.sample(rng, n, typical=True)
        assignments = claim.assignments(instance.counts)
        if len(assignments) > MAX_ASSIGNMENTS:
            picked = rng.choice(len(assignments), size=MAX_ASSIGNMENTS - 2, replace=False)
            assignments = [assignments[0], *(assignments[k] for k in sorted(picked)), assignments[-1]]
        result.sizes.append(size)
        result.instances += n
        indices = {i: np.array([a[i] for a in assignments]) for i in claim.free_indices()}
        evaluated = functools.partial(_evaluated, claim, instance, sides, orders, drawn, indices)
        rels = _relative_errors(evaluated, n, rtol)
        for assignment, rel in zip(assignments, rels):
            failing = np.flatnonzero(~np.isfinite(rel) | (rel > rtol))
            finite_rel = np.where(np.isfinite(rel), rel, 0.0)
            result.max_rel_error = max(result.max_rel_error, float(np.max(finite_rel)))
            if failing.size:
                worst = failing[np.argsort(-np.nan_to_num(rel[failing], nan=np.inf))][:MAX_JUDGED]
                if _judged(claim, instance, drawn, assignment, worst, result):
                    return result
                if failing.size > MAX_JUDGED:
                    result.agreed = False
                    result.message = (
                        f"at size {size}, {failing.size} instances failed in extended precision, "
                        f"more than the {MAX_JUDGED} judged in ball arithmetic"
                    )
    return result


def _relative_errors(evaluated: Callable[..., tuple[np.ndarray, np.ndarray]], n: int, rtol: float) -> np.ndarray:
    """|lhs − rhs| relative to the size of their terms, for each of the free indices' values (the
    rows) and each of the `n` drawn instances (the columns), from `evaluated(at, dtype)` (`_evaluated`
    at one size): in doubles, and again in extended precision for the instances above `rtol` in
    doubles or whose terms all underflowed there (a difference of 10⁻⁴⁰⁰ shows in long double only),
    or for all, where a value table is not solved in doubles."""
    everywhere = np.arange(n)
    try:
        rels, scale = evaluated(everywhere, np.float64)
    except Unsolved:
        if EXTENDED is None:
            raise
        return evaluated(everywhere, EXTENDED)[0]
    doubtful = ~(rels <= rtol) | (scale < np.finfo(np.float64).tiny)
    failing = np.flatnonzero(np.any(doubtful, axis=0))
    if failing.size and EXTENDED is not None:
        rels[:, failing] = evaluated(failing, EXTENDED)[0]
    return rels


def _evaluated(
    claim: IndexEqual,
    instance: Instance,
    sides: Sequence[sp.Expr],
    orders: set[int],
    drawn: Mapping,
    indices: Mapping,
    at: np.ndarray,
    dtype: type[np.floating],
) -> tuple[np.ndarray, np.ndarray]:
    """The relative errors of `_relative_errors` at the drawn instances `at`, evaluated in `dtype`,
    and the size of the terms they are relative to."""
    n = len(at)
    values = {k: np.asarray(v)[at].astype(dtype) for k, v in drawn.items()}
    tables, functions = _arrays(claim, instance, values, n, orders, dtype)
    evaluate = Evaluator(instance, values, tables, functions, (n,), dtype)
    env = dict(instance.counts)
    with np.errstate(all="ignore"):
        lhs, rhs = (evaluate.along(side, env, indices) for side in sides)
        scale = evaluate.magnitude_along(sides[0], env, indices) + evaluate.magnitude_along(sides[1], env, indices)
        return np.abs(lhs - rhs) / np.where(scale > 0, scale, 1.0), scale


def _judged(claim: IndexEqual, instance: Instance, values, assignment, instances, result: LargeSizeResult) -> bool:
    """Judge float failures in ball arithmetic on the claim at this size; True once one is certified.
    Failures the balls do not certify leave the claim not agreed, with a message that says so."""
    cmp = numeric.Comparison(claim.at(instance.size, instance, [assignment]).pairs(), "==", instance.domains)
    for i in instances:
        point = numeric.exact_point(cmp.domains, {s: float(np.asarray(v)[i]) for s, v in values.items()})
        found = numeric.judge(cmp, point) if point is not None else numeric.Judgement(numeric.Outcome.UNDECIDED)
        if point is not None and found.outcome is numeric.Outcome.FAILS:
            small, found = numeric.shrink(cmp, point, found)
            result.agreed = False
            result.size = instance.size
            at = ", ".join(f"{k} = {v}" for k, v in assignment.items())
            result.mismatch = numeric.Mismatch(cmp.reproducing(small), found.element, found.lhs, found.rhs, at)
            return True
        if found.outcome in (numeric.Outcome.UNDECIDED, numeric.Outcome.UNEVALUATED):
            result.agreed = False
            result.message = f"at size {instance.size}, an instance that failed in floats was not decided in balls"
    return False
