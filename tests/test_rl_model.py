"""The MDP vocabulary against plain NumPy at a random instance of its domain."""

import numpy as np
import pytest
import sympy as sp

from symderiv import Domains, SmoothFunctions
from symderiv.rl import SymbolicMDP


def numbers(expr, values):
    matrix = sp.Matrix([expr]) if not isinstance(expr, sp.MatrixBase) else expr
    exact = {s: sp.Float(v, 30) for s, v in values.items()}
    return np.array(matrix.xreplace(exact).evalf(30), dtype=float).reshape(matrix.shape)


@pytest.fixture(scope="module")
def instance():
    m = SymbolicMDP((2, 3))
    values = Domains(m.domain()).sample(np.random.default_rng(5), 1)
    values = {s: float(v[0]) for s, v in values.items()}
    return m, values, m.arrays(values)


def test_softmax_of_unknown_logits_sums_to_one_for_every_parameterisation():
    m = SymbolicMDP((2, 3))
    theta = sp.Symbol("theta", real=True)
    pi = m.softmax(m.logits(theta))
    assert all(sp.simplify(sum(pi.row(s)) - 1) == 0 for s in range(2))
    fns = SmoothFunctions(list(m.logits(theta)), theta)
    values = {k: float(v[0]) for k, v in fns.sample(np.random.default_rng(0), 1).items()}
    logits = numbers(fns.concretise(m.logits(theta)), values)
    expected = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    assert np.allclose(numbers(fns.concretise(pi), values), expected, rtol=1e-12)


def test_value_and_q_of_a_policy_solve_the_bellman_equations(instance):
    m, values, x = instance
    kernel = np.einsum("sa,sat->st", x.pi, x.P)
    V = np.linalg.solve(np.eye(2) - x.gamma * kernel, np.sum(x.pi * x.r, axis=1))
    assert np.allclose(numbers(m.value_of_policy(m.pi), values).ravel(), V, rtol=1e-10)
    assert np.allclose(numbers(m.q_of_policy(m.pi), values), x.r + x.gamma * x.P @ V, rtol=1e-10)


def test_objective_is_the_normalised_value_at_the_start(instance):
    m, values, x = instance
    V = numbers(m.value_of_policy(m.pi), values).ravel()
    assert np.isclose(numbers(m.objective(m.pi), values).item(), (1 - x.gamma) * x.p0 @ V, rtol=1e-10)


def test_the_models_matrix_product_is_sympys_without_its_infinity_queries():
    from symderiv.rl.model import _product

    a = sp.Matrix(2, 3, lambda i, j: sp.Symbol(f"a{i}{j}", positive=True) if (i + j) % 2 else 0)
    b = sp.Matrix(3, 2, lambda i, j: sp.exp(sp.Symbol(f"b{i}{j}")) / (1 + sp.Symbol("c", positive=True)))
    assert _product(a, b) == a * b
    assert _product(a, sp.zeros(3, 1)) == sp.zeros(2, 1)
    with pytest.raises(ValueError, match=r"cannot multiply a \(2, 3\) matrix by a \(2, 3\) one"):
        _product(a, a)
