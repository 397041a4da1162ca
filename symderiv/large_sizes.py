"""Numbers at sizes no symbolic model reaches: an index-level claim evaluated on NumPy arrays.

At random sizes up to each range's largest (12 states, 30 actions), instances are drawn by the
samplers of the claim's small model at that size, each table stacked into one array, and both
sides evaluated by walking the index-level expression once per value of its indices, vectorised
over the instances: a sum is a loop over its range of array operations, and a sub-expression is
evaluated once per value of the indices it depends on.  No SymPy runs per instance.  A float
disagreement is judged where every other refutation is: in ball arithmetic at the exact point of
the instance, on the claim instantiated at that size (`IndexEqual.at`), certified and shrunk.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import sympy as sp
from sympy.core.function import AppliedUndef

from . import numeric
from .indexed import IndexEqual, Instance, SmoothTable, Table, ValueTable
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
#: The evaluation's precision: NumPy's long double where it is wider than a double (its exponent
#: range keeps exp(Q/α) finite where doubles overflow).
PRECISION = numeric.EXTENDED or np.float64

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


class NotEvaluable(ValueError):
    """A node the array evaluator has no NumPy form for."""


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


class Evaluator:
    """Both sides of an index-level expression on the arrays of one instance sample."""

    def __init__(
        self, instance: Instance, values: Mapping[sp.Symbol, np.ndarray], tables: dict, functions: dict
    ) -> None:
        self.instance = instance
        self.values = values
        self.tables = tables
        self.functions = functions
        self._memo: dict = {}
        self._indices: dict = {}

    def _integer_symbols(self, e: sp.Expr) -> tuple:
        found = self._indices.get(e)
        if found is None:
            found = self._indices[e] = tuple(sorted((x for x in e.free_symbols if x.is_integer), key=str))
        return found

    def __call__(self, e: sp.Expr, env: Mapping[sp.Symbol, int]) -> np.ndarray | float:
        key = (e, tuple(env[x] for x in self._integer_symbols(e)))
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._value(e, env)
        return found

    def magnitude(self, e: sp.Expr, env: Mapping[sp.Symbol, int]) -> np.ndarray | float:
        """The size of the terms `e` adds up, through sums and products: the scale of the rounding
        errors in its value (Σ_a of terms that cancel is small, its terms are not)."""
        key = ("magnitude", e, tuple(env[x] for x in self._integer_symbols(e)))
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._magnitude(e, env)
        return found

    def _magnitude(self, e: sp.Expr, env: Mapping[sp.Symbol, int]) -> np.ndarray | float:
        if isinstance(e, sp.Add):
            return sum(self.magnitude(a, env) for a in e.args)
        if isinstance(e, sp.Mul):
            out: np.ndarray | float = 1.0
            for a in e.args:
                out = out * self.magnitude(a, env)
            return out
        if isinstance(e, sp.Pow) and e.exp.is_Integer and e.exp > 0:
            return self.magnitude(e.base, env) ** int(e.exp)
        if isinstance(e, sp.Sum) and len(e.limits) == 1:
            index, low, high = e.limits[0]
            first, last = self._integer(low, env), self._integer(high, env)
            return sum((self.magnitude(e.function, {**env, index: k}) for k in range(first, last + 1)), 0.0)
        return np.abs(self(e, env))

    def _integer(self, e: sp.Expr, env: Mapping[sp.Symbol, int]) -> int:
        if e.is_Symbol:
            return env[e]
        if e.is_Integer:
            return int(e)
        value = e.xreplace({k: sp.Integer(v) for k, v in env.items() if k in e.free_symbols})
        if not value.is_Integer:
            raise NotEvaluable(f"the index {e} is not an integer here")
        return int(value)

    def _value(self, e: sp.Expr, env: Mapping[sp.Symbol, int]) -> np.ndarray | float:
        if e.is_Number or isinstance(e, sp.NumberSymbol):
            return PRECISION(sp.Float(e, 30)) if not e.is_Integer else PRECISION(int(e))
        if e.is_Symbol:
            return PRECISION(env[e]) if e in env else self.values[e]
        if isinstance(e, sp.Indexed):
            cell = tuple(self._integer(i, env) - 1 for i in e.indices)
            return self._cell(self.tables, e.base, cell)
        if isinstance(e, AppliedUndef):
            return self._cell(self.functions, (e.func, 0), tuple(self._integer(i, env) - 1 for i in e.args[:-1]))
        if isinstance(e, sp.Derivative) and isinstance(e.expr, AppliedUndef) and len(e.variable_count) == 1:
            f, ((_, order),) = e.expr, e.variable_count
            cell = tuple(self._integer(i, env) - 1 for i in f.args[:-1])
            return self._cell(self.functions, (f.func, int(order)), cell)
        if isinstance(e, sp.Add):
            return sum(self(a, env) for a in e.args)
        if isinstance(e, sp.Mul):
            product: np.ndarray | float = 1.0
            for a in e.args:
                product = product * self(a, env)
            return product
        if isinstance(e, sp.Pow):
            return np.power(self(e.base, env), self(e.exp, env))
        if isinstance(e, sp.Sum):
            return self._sum(e.function, list(e.limits), env)
        if type(e) in _UNARY:
            return _UNARY[type(e)](self(e.args[0], env))
        raise NotEvaluable(f"no NumPy form for {type(e).__name__} in {e}")

    def _sum(self, summand: sp.Expr, limits: list, env: Mapping[sp.Symbol, int]) -> np.ndarray | float:
        """Σ over the first limit of the sum over the others (SymPy's innermost limit is first)."""
        if not limits:
            return self(summand, env)
        (index, low, high), rest = limits[-1], limits[:-1]
        first, last = self._integer(low, env), self._integer(high, env)
        if last < first - 1:
            raise NotEvaluable(f"the range {low}..{high} runs backwards")
        return sum((self._sum(summand, rest, {**env, index: k}) for k in range(first, last + 1)), 0.0)

    def _cell(self, arrays: Mapping, key, cell: tuple[int, ...]) -> np.ndarray:
        if key not in arrays:
            raise NotEvaluable(f"{key} has no arrays: a derivative in more than one variable?")
        array = arrays[key]
        if any(not 0 <= c < n for c, n in zip(cell, array.shape[1:])):
            raise NotEvaluable(f"{key}{[c + 1 for c in cell]} lies outside its ranges at size {self.instance.size}")
        return array[(slice(None),) + tuple(cell)]


def _arrays(claim: IndexEqual, instance: Instance, values: Mapping, n: int, orders: set[int]) -> tuple[dict, dict]:
    """Each table as one array (instances, *cells) and each smooth function's value and its
    derivatives of the given orders at the sampled parameter, from the concrete families its
    domain draws."""
    tables, functions = {}, {}
    for t in claim.domain.tables:
        if isinstance(t, Table) and t.base in instance.symbols:
            cells = instance.symbols[t.base]
            shape = tuple(instance.counts[r.size] for r in t.ranges)
            stacked = np.stack([np.asarray(values[cells[c]], dtype=float) for c in cells], axis=-1)
            tables[t.base] = stacked.reshape(n, *shape)
    for t in claim.domain.tables:
        if not (isinstance(t, SmoothTable) and t.function in instance.functions):
            continue
        cells = instance.functions[t.function]
        first = next(iter(cells.values()))
        d = instance.families[t.function]
        shape = tuple(instance.counts[r.size] for r in t.ranges)
        for order in orders:
            family = sp.diff(d.concrete(first), d.parameter, order)
            compiled = sp.lambdify((d.parameter, *d.coefficients[first]), family, "numpy")
            columns = [compiled(values[d.parameter], *(values[c] for c in d.coefficients[f])) for f in cells.values()]
            functions[(t.function, order)] = np.stack(columns, axis=-1).reshape(n, *shape)
    for t in instance.defined.values():
        tables[t.base] = _solved(t, instance, values, tables, functions, n)
    return tables, functions


def _solved(t: ValueTable, instance: Instance, values: Mapping, tables: dict, functions: dict, n: int) -> np.ndarray:
    """A value table's solution at every instance: its equation v = F(v) is affine, F(v) = c + M v,
    so c = F(0) and M's columns F(e_j) − c come from evaluating F at the |range| + 1 points 0, e_1,
    e_2, ... at once, along an extra trailing axis of every array; then (I − M) v = c is solved per
    instance, refined once in the evaluation's precision, and refused unless F(v) = v there (an
    equation that is not affine)."""
    count = instance.counts[t.range.size]
    env = instance.counts

    def rows(evaluate: Evaluator, shape: tuple[int, ...]) -> np.ndarray:
        at = [np.broadcast_to(evaluate(t.rhs, {**env, t.index: k}), shape) for k in range(1, count + 1)]
        return np.stack(at, axis=1)

    points = np.concatenate([np.zeros((count, 1)), np.eye(count)], axis=1).astype(PRECISION)
    widened = Evaluator(
        instance,
        {k: np.asarray(v)[:, None] for k, v in values.items()},
        {**{k: a[..., None] for k, a in tables.items()}, t.base: np.broadcast_to(points, (n, count, count + 1))},
        {k: a[..., None] for k, a in functions.items()},
    )
    at_points = rows(widened, (n, count + 1))
    constant = at_points[..., 0]
    system = np.eye(count) - (at_points[..., 1:] - constant[..., None])
    doubles = system.astype(float)
    v = np.linalg.solve(doubles, constant.astype(float)[..., None])[..., 0].astype(PRECISION)
    v = v + np.linalg.solve(doubles, (constant - np.einsum("nij,nj->ni", system, v)).astype(float)[..., None])[..., 0]
    with np.errstate(all="ignore"):
        solved = rows(Evaluator(instance, values, {**tables, t.base: v}, functions), (n,))
        gap = np.abs(solved - v) / (np.abs(constant) + np.abs(v) + 1)
    if not np.all(gap < 1e-9):
        raise NotEvaluable(f"the equation of {t.base} is not affine in it, or not solved at size {instance.size}")
    return v


def _sizes(claim: IndexEqual, rng: np.random.Generator) -> list[Size]:
    """RANDOM_SIZES random sizes and the largest, each range between its lower bound and its largest."""
    ranges = {r.axis: r for r in claim.domain.ranges}
    states, actions = ranges.get("states"), ranges.get("actions")

    def draw(r, largest: bool) -> int:
        if r is None:
            return 1
        return r.largest if largest else int(rng.integers(r.at_least, r.largest + 1))

    out = [Size(draw(states, False), draw(actions, False)) for _ in range(RANDOM_SIZES)]
    out.append(Size(draw(states, True), draw(actions, True)))
    # The smallest first: a claim false at several sizes is judged, and shrunk, at the smallest.
    return sorted(dict.fromkeys(out), key=lambda size: (size.states * size.actions, size))


def differentiated(e: sp.Expr) -> sp.Expr:
    """`e` with every derivative of an expression carried out (through a sum, onto its summand), so
    that only derivatives of unknown functions are left; the sums themselves stay as written."""
    return e.replace(
        lambda x: isinstance(x, sp.Derivative) and not isinstance(x.expr, AppliedUndef),
        lambda x: x.doit(deep=False),
    )


def check(claim: IndexEqual, rng: np.random.Generator, samples: int, rtol: float) -> LargeSizeResult:
    """Both sides at random sizes up to the ranges' largest; a float failure is judged in balls."""
    result = LargeSizeResult(agreed=True)
    sides = [differentiated(e) for e in (claim.lhs, claim.rhs)]
    orders = {0} | {int(count) for side in sides for d in side.atoms(sp.Derivative) for _, count in d.variable_count}
    used = sides[0].free_symbols | sides[1].free_symbols | sides[0].atoms(AppliedUndef) | sides[1].atoms(AppliedUndef)
    n = min(samples, SAMPLES_PER_SIZE)
    for size in _sizes(claim, rng):
        instance = claim.domain.at(size, used)
        drawn = instance.domains.sample(rng, n, typical=True)
        values = {k: np.asarray(v).astype(PRECISION) for k, v in drawn.items()}
        tables, functions = _arrays(claim, instance, values, n, orders)
        evaluate = Evaluator(instance, values, tables, functions)
        assignments = claim.assignments(instance.counts)
        if len(assignments) > MAX_ASSIGNMENTS:
            picked = rng.choice(len(assignments), size=MAX_ASSIGNMENTS - 2, replace=False)
            assignments = [assignments[0], *(assignments[k] for k in sorted(picked)), assignments[-1]]
        result.sizes.append(size)
        result.instances += n
        for assignment in assignments:
            env = {**instance.counts, **assignment}
            with np.errstate(all="ignore"):
                lhs, rhs = (np.broadcast_to(evaluate(side, env), (n,)) for side in sides)
                scale = np.broadcast_to(evaluate.magnitude(sides[0], env) + evaluate.magnitude(sides[1], env), (n,))
                rel = np.abs(lhs - rhs) / np.where(scale > 0, scale, 1.0)
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
        if found.outcome is numeric.Outcome.UNDECIDED:
            result.agreed = False
            result.message = f"at size {instance.size}, an instance that failed in floats was not decided in balls"
    return False
