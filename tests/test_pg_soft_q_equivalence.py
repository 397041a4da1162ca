"""The paper's theorem (proofs/pg_soft_q_equivalence.py, PQ2) at sizes beyond the symbolic
proof, in plain NumPy: the gradient of ρ by a complex step through symderiv.reference, against
the score-weighted Q̂ under the discounted visitation; and the critic's bias of PQ5."""

import numpy as np
import pytest

from symderiv.rl import reference as ref

SIZES = [(3, 2), (3, 3), (4, 3), (5, 4)]


def random_mdp(rng, S, A):
    return dict(
        r=rng.normal(size=(S, A)),
        P=rng.dirichlet(np.ones(S), size=(S, A)),
        p0=rng.dirichlet(np.ones(S)),
        prior=rng.dirichlet(np.ones(A), size=S),
        alpha=float(np.exp(rng.uniform(np.log(0.1), np.log(5.0)))),
        gamma=float(rng.uniform(0.5, 0.99)),
    )


def softmax(f):
    w = np.exp(f - np.max(f.real, axis=1, keepdims=True))
    return w / np.sum(w, axis=1, keepdims=True)


def soft_value_of_policy(pi, mdp):
    """V_π = Σ_a π(r − α ln π/π̃) + γ P^π V_π, solved directly."""
    kernel = ref.state_kernel(pi, mdp["P"])
    reward = np.sum(pi * mdp["r"], axis=1) - mdp["alpha"] * ref.kl(pi, mdp["prior"])
    return np.linalg.solve(np.eye(len(reward)) - mdp["gamma"] * kernel, reward)


def gradient_and_estimator(rng, S, A, critic_offset=None):
    mdp = random_mdp(rng, S, A)
    # Logits quadratic in θ: f(θ) = F0 + F1 θ + F2 θ², an arbitrary smooth parameterisation.
    F0, F1, F2 = (rng.normal(size=(S, A)) for _ in range(3))
    theta = float(rng.uniform(-1, 1))

    def policy(t):
        return softmax(F0 + F1 * t + F2 * t * t)

    def rho(t):
        return ref.regularised_objective(
            policy(t), mdp["r"], mdp["P"], mdp["p0"], mdp["prior"], mdp["alpha"], mdp["gamma"]
        )

    gradient = ref.complex_step_derivative(rho, theta)
    pi = policy(theta)
    score = ref.complex_step_derivative(lambda t: np.log(policy(t)), theta)
    V = soft_value_of_policy(pi, mdp)
    W = V if critic_offset is None else V + critic_offset(S)
    q_hat = mdp["r"] + mdp["gamma"] * mdp["P"] @ W - mdp["alpha"] * np.log(pi / mdp["prior"])
    visitation = ref.discounted_visitation(pi, mdp["P"], mdp["p0"], mdp["gamma"])
    estimator = visitation @ np.sum(pi * q_hat * score, axis=1)
    bias = mdp["gamma"] * visitation @ np.sum(pi * score * (mdp["P"] @ (W - V)), axis=1)
    return gradient, estimator, bias


@pytest.mark.parametrize("S, A", SIZES)
def test_score_weighted_q_hat_is_the_regularised_policy_gradient(S, A):
    rng = np.random.default_rng([S, A])
    for _ in range(20):
        gradient, estimator, _ = gradient_and_estimator(rng, S, A)
        assert np.isclose(estimator, gradient, rtol=1e-8, atol=1e-10 * (1 + abs(gradient)))


@pytest.mark.parametrize("S, A", SIZES)
def test_a_critic_biases_it_by_its_score_weighted_next_state_error(S, A):
    rng = np.random.default_rng([S, A, 1])
    for _ in range(20):
        gradient, estimator, bias = gradient_and_estimator(rng, S, A, critic_offset=lambda n: rng.normal(size=n))
        assert np.isclose(estimator - gradient, bias, rtol=1e-8, atol=1e-10 * (1 + abs(gradient)))
    # The bias is real, not rounding: a critic that is wrong by more than a constant shifts the estimate.
    assert abs(bias) > 1e-6


@pytest.mark.parametrize("S, A", SIZES)
def test_a_critic_off_by_a_constant_is_unbiased(S, A):
    rng = np.random.default_rng([S, A, 2])
    for _ in range(20):
        gradient, estimator, _ = gradient_and_estimator(rng, S, A, critic_offset=lambda n: np.full(n, 3.7))
        assert np.isclose(estimator, gradient, rtol=1e-8, atol=1e-10 * (1 + abs(gradient)))
