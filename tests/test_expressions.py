"""The walks that visit each distinct node once give what SymPy's tree walks give."""

from __future__ import annotations

import pytest
import sympy as sp

from symderiv.expressions import distinct_preorder, free_symbols_of, replaced, shared_subexpressions

x, y, z, t = sp.symbols("x y z t")
i, N = sp.symbols("i N", integer=True)
f = sp.Function("f")
X = sp.IndexedBase("X")
SHARED = sp.log(x + y) * sp.exp(x * z)

CASES = [
    x + y * sp.log(z),
    sp.Sum(X[i] * x, (i, 1, N)),
    sp.Derivative(f(t), t) + f(x),
    sp.Integral(x * y, (x, 0, 1)),
    sp.Lambda(x, x + y),
    sp.Subs(f(x), x, y),
    X[i] + 1,
    sp.exp(sp.Sum(i * x, (i, 1, 3))),
    (SHARED + 1) ** 2 / (SHARED - z) + sp.sin(SHARED),
]


@pytest.mark.parametrize("expr", CASES, ids=str)
def test_free_symbols_are_sympy_s_bound_variables_left_out(expr: sp.Basic) -> None:
    assert free_symbols_of([expr]) == expr.free_symbols


@pytest.mark.parametrize("expr", CASES, ids=str)
def test_the_distinct_preorder_meets_nodes_where_the_preorder_first_does(expr: sp.Basic) -> None:
    first: list = []
    for node in sp.preorder_traversal(expr):
        if node not in first:
            first.append(node)
    assert list(distinct_preorder(expr)) == first


@pytest.mark.parametrize("expr", CASES, ids=str)
def test_replaced_is_xreplace(expr: sp.Basic) -> None:
    mapping = {sp.log(x + y): z, x: t, f(x): y}
    assert replaced(expr, mapping) == expr.xreplace(mapping)


def _expanded(temporaries: list, reduced: list) -> list:
    """The reduced expressions with every temporary substituted back, last defined first."""
    for name, value in reversed(temporaries):
        reduced = [e.xreplace({name: value}) for e in reduced]
    return reduced


def test_shared_subexpressions_give_back_the_expressions_with_each_repeat_computed_once() -> None:
    clash = sp.Symbol("_x0")  # a symbol named as a temporary would be: the temporaries take another name
    exprs = [(SHARED + 1) ** 2 / (SHARED - z) + clash, sp.sin(SHARED), SHARED, x + z]
    temporaries, reduced = shared_subexpressions(exprs)
    assert [sp.simplify(a - b) for a, b in zip(_expanded(temporaries, reduced), exprs)] == [0, 0, 0, 0]
    values = [v for _, v in temporaries]
    assert SHARED in values and sp.log(x + y) not in values  # only what occurs more than once
    assert clash not in {name for name, _ in temporaries}
    defined: set = set()
    for name, value in temporaries:  # each temporary uses only those defined before it
        assert {s for s in value.free_symbols if s.name.startswith("_x")} <= defined | {clash}
        defined.add(name)


def test_shared_subexpressions_meet_a_repeat_below_its_first_sibling() -> None:
    # The repeat is reached inside the first argument before it is reached as the second.
    inner = sp.exp(x * y)
    temporaries, reduced = shared_subexpressions([sp.Add(inner * z, inner, evaluate=False)])
    assert [v for _, v in temporaries] == [inner]
    name = temporaries[0][0]
    assert reduced[0].count(name) == 2 and not reduced[0].has(sp.exp)


def test_shared_subexpressions_reach_inside_functions() -> None:
    # A softmax's exps recur inside the log of its normaliser: each is computed once.  (A function
    # class's metaclass has a `free_symbols` of its own; the check reads the class's MRO.)
    exps = [sp.exp(x / y), sp.exp(z / y)]
    normaliser = sp.Add(*exps)
    exprs = [exps[0] / normaliser, sp.exp(x - y * sp.log(normaliser))]
    temporaries, reduced = shared_subexpressions(exprs)
    assert [sp.simplify(a - b) for a, b in zip(_expanded(temporaries, reduced), exprs)] == [0, 0]
    computed = [v for _, v in temporaries] + reduced
    assert sum(isinstance(n, sp.exp) for e in computed for n in sp.preorder_traversal(e)) == 3


def test_shared_subexpressions_take_nothing_out_of_a_branch_or_a_bound_variable_s_scope() -> None:
    # 1/x would be computed at x = 0, where its branch is not taken; i**2 outside the sum's scope.
    guarded = sp.Piecewise((1 / x + sp.exp(1 / x), x > 0), (0, True))
    summed = sp.Sum(x * i**2, (i, 1, 3))
    temporaries, reduced = shared_subexpressions([guarded + 1 / x**2, summed + i**2, guarded])
    assert {v for _, v in temporaries} == {guarded}
    assert reduced[1] == summed + i**2
