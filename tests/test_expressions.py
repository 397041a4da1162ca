"""The walks that visit each distinct node once give what SymPy's tree walks give."""

from __future__ import annotations

import pytest
import sympy as sp

from symderiv.expressions import distinct_preorder, free_symbols_of, replaced

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
