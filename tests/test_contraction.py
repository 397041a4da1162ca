"""Note step N7 by numbers: the optimal soft Bellman operator TQ = R + γ P V_Q (the NumPy
reference `soft_bellman_target`) is a γ-contraction in the sup norm, and iterating it converges
to its fixed point.  The symbolic certificate is the obligation N7 in proofs/soft_q_learning/;
these tests search for a counterexample and watch the iteration."""

import numpy as np
import pytest

from symderiv.rl import reference as ref

#: Room for rounding in ‖TQ1 − TQ2‖∞ ≤ γ ‖Q1 − Q2‖∞.
ROUNDING = 1e-12

CASES = [  # (states, actions, gamma, alpha, scale of the Q tables)
    (1, 2, 0.5, 1.0, 1.0),
    (2, 3, 0.9, 0.1, 10.0),
    (3, 3, 0.99, 5.0, 3.0),
    (3, 2, 0.7, 0.02, 100.0),
]


def random_mdp(rng, S, A):
    """r, P, π̃ of a random MDP, probabilities inside the simplex."""
    return rng.normal(size=(S, A)), rng.dirichlet(np.ones(S), (S, A)), rng.dirichlet(np.ones(A), S)


def operator(rng, S, A, gamma, alpha):
    r, P, prior = random_mdp(rng, S, A)
    return lambda Q: ref.soft_bellman_target(Q, r, P, prior, alpha, gamma)


def sup(x):
    return np.max(np.abs(x))


def contraction_ratio(T, Q1, Q2):
    return sup(T(Q1) - T(Q2)) / sup(Q1 - Q2)


def worst_ratio(T, rng, shape, scale, restarts=20, steps=400):
    """The largest ‖TQ1 − TQ2‖∞ / ‖Q1 − Q2‖∞ found by hill-climbing from random restarts: each
    step perturbs both tables and keeps the pair if the ratio grew; the step shrinks on failure."""
    worst = 0.0
    for _ in range(restarts):
        Q1, Q2 = scale * rng.normal(size=shape), scale * rng.normal(size=shape)
        current, step = contraction_ratio(T, Q1, Q2), scale
        for _ in range(steps):
            C1, C2 = Q1 + step * rng.normal(size=shape), Q2 + step * rng.normal(size=shape)
            if sup(C1 - C2) == 0:
                continue
            candidate = contraction_ratio(T, C1, C2)
            worst = max(worst, candidate)
            if candidate > current:
                Q1, Q2, current = C1, C2, candidate
            else:
                step *= 0.97
        worst = max(worst, current)
    return worst


@pytest.mark.parametrize("S, A, gamma, alpha, scale", CASES)
def test_no_pair_of_q_tables_is_pulled_apart_by_more_than_gamma(S, A, gamma, alpha, scale):
    rng = np.random.default_rng([S, A, int(1000 * gamma)])
    T = operator(rng, S, A, gamma, alpha)
    worst = worst_ratio(T, rng, (S, A), scale)
    assert worst <= gamma * (1 + ROUNDING), f"ratio {worst!r} exceeds γ = {gamma}"
    # and the bound is tight: the search gets close to γ (a constant shift attains it exactly)
    assert worst >= 0.95 * gamma, f"the search found only {worst!r} for γ = {gamma}"


@pytest.mark.parametrize("S, A, gamma, alpha, scale", CASES)
def test_a_constant_shift_is_contracted_by_exactly_gamma(S, A, gamma, alpha, scale):
    rng = np.random.default_rng([S, A, 7])
    T = operator(rng, S, A, gamma, alpha)
    Q = scale * rng.normal(size=(S, A))
    assert np.allclose(T(Q + 2.5) - T(Q), gamma * 2.5, rtol=1e-9, atol=1e-12 * scale)


@pytest.mark.parametrize("S, A, gamma, alpha, scale", CASES)
def test_iteration_converges_to_the_fixed_point_at_rate_gamma(S, A, gamma, alpha, scale):
    rng = np.random.default_rng([S, A, 11])
    T = operator(rng, S, A, gamma, alpha)
    fixed = scale * rng.normal(size=(S, A))
    for _ in range(int(np.ceil(45 / (1 - gamma)))):  # γ^n < 1e-19
        fixed = T(fixed)
    assert sup(T(fixed) - fixed) <= 1e-11 * max(1.0, sup(fixed))

    Q = scale * rng.normal(size=(S, A))
    error = sup(Q - fixed)
    floor = 1e-9 * max(1.0, sup(fixed))  # below this, rounding in `fixed` dominates
    # at rate γ the error is below the floor after this many steps
    steps = int(np.ceil(np.log(floor / error) / np.log(gamma))) + 1
    for step in range(steps):
        Q = T(Q)
        next_error = sup(Q - fixed)
        assert next_error <= gamma * error * (1 + 1e-9) + ROUNDING * max(1.0, sup(fixed)), (
            f"step {step}: the error went from {error!r} to {next_error!r}, more than γ = {gamma} times"
        )
        error = next_error
    assert error <= floor
