"""The NumPy references agree with the symbolic constructions of `mdp.py` at random instances."""

import numpy as np
import pytest
import sympy as sp

from symderiv import Domains, SymbolicMDP
from symderiv import reference as ref


@pytest.fixture(scope="module")
def instance():
    m = SymbolicMDP((2, 3))
    values = Domains(m.domain()).sample(np.random.default_rng(11), 1)
    values = {s: float(v[0]) for s, v in values.items()}
    return m, values, m.arrays(values)


def numbers(expr, values):
    exact = {s: sp.Float(v, 30) for s, v in values.items()}
    return np.array(sp.Matrix([expr]).xreplace(exact).evalf(30), dtype=float).reshape(sp.Matrix([expr]).shape)


def test_soft_value_policy_and_target_match_the_symbolic_ones(instance):
    m, values, x = instance
    assert np.allclose(ref.soft_value(x.Q, x.prior, x.alpha), numbers(m.soft_value(m.Q), values).ravel(), rtol=1e-12)
    assert np.allclose(ref.boltzmann_policy(x.Q, x.prior, x.alpha), numbers(m.boltzmann(m.Q), values), rtol=1e-12)
    target = ref.soft_bellman_target(x.Q, x.r, x.P, x.prior, x.alpha, x.gamma)
    assert np.allclose(target, numbers(m.soft_bellman_optimal(m.Q), values), rtol=1e-12)
    assert np.allclose(ref.kl(x.pi, x.prior), numbers(m.kl(m.pi), values).ravel(), rtol=1e-12)


def test_soft_value_does_not_overflow_where_exp_would():
    Q = np.array([[800.0, 799.0]])
    prior = np.array([[0.5, 0.5]])
    assert np.isclose(ref.soft_value(Q, prior, 1.0)[0], 800.0 + np.log(0.5 + 0.5 * np.exp(-1.0)))
    assert np.allclose(ref.boltzmann_policy(Q, prior, 1.0).sum(), 1.0)


def test_visitation_and_objective_match_the_symbolic_ones(instance):
    m, values, x = instance
    visitation = ref.discounted_visitation(x.pi, x.P, x.p0, x.gamma)
    assert np.allclose(visitation, numbers(m.discounted_visitation(m.pi), values).ravel(), rtol=1e-10)
    assert np.isclose(visitation.sum(), 1.0)
    rho = ref.regularised_objective(x.pi, x.r, x.P, x.p0, x.prior, x.alpha, x.gamma)
    assert np.isclose(rho, numbers(m.regularised_objective(m.pi), values).item(), rtol=1e-10)
    # ρ(π) = (1 − γ) E_{s~p0}[V_π(s)], and V_π is the π-average of the first definition's Q_π.
    V = numbers(m.soft_value_of_policy(m.pi), values).ravel()
    assert np.isclose(rho, (1 - x.gamma) * x.p0 @ V, rtol=1e-10)
    assert np.allclose(V, numbers(m.average(m.q_kl_from_start(m.pi), m.pi), values).ravel(), rtol=1e-10)


def test_loss_is_half_the_expected_squared_error():
    Q = np.array([[1.0, 2.0]])
    target = np.array([[0.0, 0.0]])
    policy = np.array([[0.25, 0.75]])
    assert np.isclose(ref.soft_q_loss(Q, target, policy, np.array([1.0])), 0.25 * 0.5 + 0.75 * 2.0)


def test_complex_step_is_exact_to_rounding():
    assert np.isclose(ref.complex_step_derivative(lambda t: np.exp(np.sin(t)), 0.7), np.cos(0.7) * np.exp(np.sin(0.7)), rtol=1e-14)
    assert ref.complex_step_derivative(lambda t: t * t, 3.0) == 6.0


def test_complex_step_through_a_peaked_policy_keeps_its_tiny_derivative():
    """π_0 = 1 − ε with ε ≈ e^-60: dπ_0/dt = π_0 π_1 (q_0′ − q_1′)/α ≈ 1e-26 survives the complex step."""
    alpha, prior = 0.05, np.array([[0.5, 0.5]])
    Q = lambda t: np.array([[t, 0.5 * t - 3.0]])
    pi = ref.boltzmann_policy(Q(0.0), prior, alpha)
    exact = pi[0, 0] * pi[0, 1] * (1.0 - 0.5) / alpha
    assert 1e-30 < exact < 1e-20
    derivative = ref.complex_step_derivative(lambda t: ref.boltzmann_policy(Q(t), prior, alpha)[0, 0], 0.0)
    assert np.isclose(derivative, exact, rtol=1e-10)
