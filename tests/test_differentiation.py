"""Differentiation once per distinct node gives SymPy's derivatives."""

from __future__ import annotations

import pytest
import sympy as sp

from symderiv.definitions import Definition
from symderiv.differentiation import derivative

t, u = sp.symbols("theta u", real=True)
a = sp.Symbol("alpha", positive=True)
f = sp.Function("f", real=True)
SOFT_VALUE = Definition("V", "V({0})", lambda s: a * sp.log(sp.exp(s * t / a) + sp.exp(u / a)))
V = SOFT_VALUE(1)
WEIGHT = sp.exp((t - V) / a)

CASES = [
    t**3 * u,
    sp.log(WEIGHT / (WEIGHT + 1)) + WEIGHT**2,  # a shared quantity, several times over
    V * sp.exp(V) - V**2,
    t**t + 2**t + (1 + t**2) ** sp.Rational(1, 2),  # exponents that depend on θ, and constant ones
    sp.Max(t, u) * t,  # left to SymPy's diff
    f(t) * sp.exp(f(t)) + f(t**2),  # an unknown function, and the chain rule through it
    sp.sin(t) * sp.cos(u * t),
    u * a,  # constant in θ
    t,
]


@pytest.mark.parametrize("expr", CASES, ids=str)
def test_the_derivative_is_sympy_s(expr: sp.Expr) -> None:
    ours, sympys = derivative(expr, t), sp.diff(expr, t)
    assert ours == sympys or sp.simplify(ours - sympys.doit()) == 0


def test_a_named_quantity_is_differentiated_through_its_expansion_and_stays_named_outside() -> None:
    d = derivative(V * u, t)
    assert sp.simplify(d - sp.diff(V.expansion, t) * u) == 0


def test_a_matrix_s_derivative_is_each_entry_s() -> None:
    m = sp.Matrix([[WEIGHT, WEIGHT * t], [sp.log(WEIGHT), u]])
    assert derivative(m, t) == m.applyfunc(lambda e: sp.diff(e, t))


def test_a_derivative_is_taken_in_a_symbol() -> None:
    with pytest.raises(TypeError, match="in a symbol"):
        derivative(t**2, f(t))
