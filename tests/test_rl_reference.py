"""The NumPy references agree with the symbolic constructions of `mdp.py` at random instances."""

import numpy as np
import pytest
import sympy as sp

from symderiv import Domains
from symderiv.rl import SymbolicMDP
from symderiv.rl import reference as ref


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
    assert np.isclose(
        ref.complex_step_derivative(lambda t: np.exp(np.sin(t)), 0.7), np.cos(0.7) * np.exp(np.sin(0.7)), rtol=1e-14
    )
    assert ref.complex_step_derivative(lambda t: t * t, 3.0) == 6.0


def test_complex_step_through_a_peaked_policy_keeps_its_tiny_derivative():
    """π_0 = 1 − ε with ε ≈ e^-60: dπ_0/dt = π_0 π_1 (q_0′ − q_1′)/α ≈ 1e-26 survives the complex step."""
    alpha, prior = 0.05, np.array([[0.5, 0.5]])

    def Q(t):
        return np.array([[t, 0.5 * t - 3.0]])

    pi = ref.boltzmann_policy(Q(0.0), prior, alpha)
    exact = pi[0, 0] * pi[0, 1] * (1.0 - 0.5) / alpha
    assert 1e-30 < exact < 1e-20
    derivative = ref.complex_step_derivative(lambda t: ref.boltzmann_policy(Q(t), prior, alpha)[0, 0], 0.0)
    assert np.isclose(derivative, exact, rtol=1e-10)


# -- the iterated references against linear solves ----------------------------------------------


def random_mdp(rng, S=3, A=2):
    """policy, r, P, p0, prior: arrays of a random MDP, probabilities inside the simplex."""
    return (
        rng.dirichlet(np.ones(A), S),
        rng.normal(size=(S, A)),
        rng.dirichlet(np.ones(S), (S, A)),
        rng.dirichlet(np.ones(S)),
        rng.dirichlet(np.ones(A), S),
    )


GAMMAS = [0.0, 0.5, 0.95, 1 - 1e-6]


@pytest.mark.parametrize("gamma", GAMMAS)
def test_discounted_sum_is_the_neumann_series(gamma):
    rng = np.random.default_rng(1)
    kernel, x = rng.dirichlet(np.ones(4), 4), rng.normal(size=4)
    expected = np.linalg.solve(np.eye(4) - gamma * kernel, x)
    assert np.allclose(ref.discounted_sum(kernel, x, gamma), expected, rtol=1e-8, atol=0)
    # the first terms, one by one
    partial = sum(gamma**t * np.linalg.matrix_power(kernel, t) @ x for t in range(400))
    if gamma <= 0.95:
        assert np.allclose(ref.discounted_sum(kernel, x, gamma), partial, rtol=1e-9)


@pytest.mark.parametrize("gamma", GAMMAS)
def test_iterated_visitation_is_the_solved_one_and_a_distribution(gamma):
    policy, r, P, p0, prior = random_mdp(np.random.default_rng(2))
    iterated = ref.iterated_visitation(policy, P, p0, gamma)
    assert np.allclose(iterated, ref.discounted_visitation(policy, P, p0, gamma), rtol=1e-8, atol=0)
    assert np.isclose(iterated.sum(), 1.0, rtol=1e-9) and np.all(iterated > 0)


def test_kernels_are_stochastic():
    policy, r, P, p0, prior = random_mdp(np.random.default_rng(3))
    assert np.allclose(ref.state_kernel(policy, P).sum(1), 1.0)
    assert np.allclose(ref.pair_kernel(policy, P).sum(1), 1.0)
    # pairs are row-major: row (s, a) = 2s + a holds p(s'|s,a) π(a'|s') at column 2s' + a'
    assert np.isclose(ref.pair_kernel(policy, P)[2 * 1 + 0, 2 * 2 + 1], P[1, 0, 2] * policy[2, 1])


@pytest.mark.parametrize("gamma", GAMMAS)
def test_normalised_return_weights_rewards_by_the_visitation(gamma):
    policy, r, P, p0, prior = random_mdp(np.random.default_rng(4))
    visitation = ref.discounted_visitation(policy, P, p0, gamma)
    values = np.linalg.solve(np.eye(3) - gamma * ref.state_kernel(policy, P), np.sum(policy * r, 1))
    rho = ref.normalised_return(policy, P, p0, r, gamma)
    assert np.isclose(rho, visitation @ np.sum(policy * r, 1), rtol=1e-8)
    assert np.isclose(rho, (1 - gamma) * p0 @ values, rtol=1e-8)


@pytest.mark.parametrize("gamma", GAMMAS)
def test_both_definitions_of_q_by_value_iteration_trajectories_and_a_linear_solve(gamma):
    policy, r, P, p0, prior = random_mdp(np.random.default_rng(5))
    alpha = 0.7
    penalised = r - alpha * np.expand_dims(ref.kl(policy, prior), 1)
    pairs = np.eye(6) - gamma * ref.pair_kernel(policy, P)
    first = ref.q_kl_from_start(policy, r, P, prior, alpha, gamma)
    second = ref.q_kl_from_next(policy, r, P, prior, alpha, gamma)
    assert np.allclose(first, np.linalg.solve(pairs, np.ravel(penalised)).reshape(3, 2), rtol=1e-8)
    assert np.allclose(first, ref.trajectory_q(policy, P, penalised, penalised, gamma), rtol=1e-8)
    assert np.allclose(second, ref.trajectory_q(policy, P, r, penalised, gamma), rtol=1e-8)
    # fixed points of their operators; the two differ by the KL penalty at t = 0 only
    assert np.allclose(ref.bellman_kl_from_start(first, policy, r, P, prior, alpha, gamma), first, rtol=1e-8)
    assert np.allclose(ref.bellman_kl_from_next(second, policy, r, P, prior, alpha, gamma), second, rtol=1e-8)
    assert np.allclose(second - first, alpha * np.expand_dims(ref.kl(policy, prior), 1), rtol=1e-6, atol=1e-9)
    values = np.linalg.solve(np.eye(3) - gamma * ref.state_kernel(policy, P), np.sum(policy * penalised, 1))
    assert np.allclose(ref.trajectory_value(policy, P, penalised, gamma), values, rtol=1e-8)


def test_value_iteration_takes_the_steps_of_the_operator():
    policy, r, P, p0, prior = random_mdp(np.random.default_rng(6))
    Q = np.zeros_like(r)
    for _ in range(80):  # 0.5^80 is below rounding
        Q = ref.bellman_kl_from_start(Q, policy, r, P, prior, 0.3, 0.5)
    assert np.allclose(Q, ref.q_kl_from_start(policy, r, P, prior, 0.3, 0.5), rtol=1e-12)
