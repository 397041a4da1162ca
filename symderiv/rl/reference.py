"""Plain NumPy reference implementations of the MDP quantities the proofs check.

Each function computes its quantity directly from arrays, independently of the SymPy
constructions in `model.py`, so that a claim's `reference=` tests the encoding itself.
They accept complex arrays, so a gradient can be taken by a complex step, exact to
rounding (no finite-difference error).  Shapes: Q, r, policy and prior are |S|×|A|;
P[s, a, s'] = p(s'|s,a); p0 and p are vectors over states.
"""

from collections.abc import Callable
from typing import Any, TypeAlias, overload

import numpy as np
import numpy.typing as npt

#: A real or complex array (complex under a complex step).
Array: TypeAlias = npt.NDArray[np.inexact[Any]]
#: A real or complex number.
Scalar: TypeAlias = float | complex


def kl(policy: Array, prior: Array) -> Array:
    """D_KL(π(·|s) ‖ π̃(·|s)) for every state."""
    return (policy * np.log(policy / prior)).sum(1)


def largest_entry(Q: Array) -> Array:
    """Per state, the Q(s,a) with the largest real part, as a column: the shift of a log-sum-exp.
    Complex Q (a complex step) keeps its imaginary part, so that the dominant action's weight
    exp(0) is exact and nothing cancels in the imaginary parts."""
    return Q[np.arange(len(Q)), np.argmax(Q.real, 1)][:, None]


def soft_value(Q: Array, prior: Array, alpha: float) -> Array:
    """V_Q(s) = α ln Σ_a π̃(a|s) exp(Q(s,a)/α), shifted so that it cannot overflow."""
    shift = largest_entry(Q)
    return shift[:, 0] + alpha * np.log((prior * np.exp((Q - shift) / alpha)).sum(1))


def boltzmann_policy(Q: Array, prior: Array | float, alpha: float) -> Array:
    """π_Q(a|s) = π̃(a|s) exp(Q(s,a)/α) / Σ_a' π̃(a'|s) exp(Q(s,a')/α), shifted likewise."""
    weights = prior * np.exp((Q - largest_entry(Q)) / alpha)
    return weights / weights.sum(1)[:, None]


def softmax_policy(logits: Array) -> Array:
    """π(a|s) = exp f(s,a) / Σ_a' exp f(s,a'): the Boltzmann policy of f with a uniform prior and α = 1."""
    return boltzmann_policy(logits, 1.0, 1.0)


def soft_bellman_target(Q: Array, r: Array, P: Array, prior: Array, alpha: float, gamma: float) -> Array:
    """(TQ)(s,a) = r(s,a) + γ Σ_{s'} p(s'|s,a) V_Q(s')."""
    return r + gamma * P @ soft_value(Q, prior, alpha)


def soft_q_loss(Q: Array, target: Array, policy: Array, p: Array) -> Scalar:
    """E_{s~p, a~π}[½ (Q(s,a) − target(s,a))²]."""
    return np.sum(p * (policy * (Q - target) ** 2 / 2).sum(1))


def discounted_visitation(policy: Array, P: Array, p0: Array, gamma: float) -> Array:
    """p_γ(s; π) = (1 − γ) Σ_t γ^t Pr(s_t = s), s_0 ~ p0: solves (I − γ P_πᵀ) d = (1 − γ) p0."""
    kernel = (policy[:, :, None] * P).sum(1)
    return (1 - gamma) * np.linalg.solve(np.eye(len(p0)) - gamma * np.transpose(kernel), p0)


def regularised_objective(
    policy: Array, r: Array, P: Array, p0: Array, prior: Array, alpha: float, gamma: float
) -> Scalar:
    """ρ(π) = E_{s~p_γ(·;π)}[Σ_a π(a|s) r(s,a) − α D_KL(π(·|s) ‖ π̃(·|s))]."""
    visitation = discounted_visitation(policy, P, p0, gamma)
    return np.sum(visitation * ((policy * r).sum(1) - alpha * kl(policy, prior)))


@overload
def complex_step_derivative(f: Callable[[complex], Array], x: float) -> Array: ...
@overload
def complex_step_derivative(f: Callable[[complex], Scalar], x: float) -> float: ...
def complex_step_derivative(f: Callable[[complex], Any], x: float) -> Array | float:
    """f′(x) = Im f(x + ih)/h for a real-analytic f: no subtraction, so no cancellation error."""
    h = 1e-20
    return np.imag(f(x + 1j * h)) / h


# -- trajectories and policy evaluation, by iterating the MDP ------------------------------------
#
# These compute expectations over trajectories the direct way, by iterating the distribution of
# (s_t, a_t) or a Bellman operator, and never solve a linear system: they check the symbolic
# encodings, which solve one.  A series Σ_t γ^t K^t x is summed by doubling, so γ = 1 − 10⁻⁶
# costs about 26 matrix products rather than 4·10⁷ steps.

#: A policy-evaluation operator T_π, called as bellman(Q, policy, r, P, prior, alpha, gamma).
Bellman: TypeAlias = Callable[[Array, Array, Array, Array, Array, float, float], Array]

#: The discount weight γ^(2^k) below which the rest of a series is dropped.
NEGLIGIBLE = 1e-17


def discounted_sum(kernel: Array, x: Array, gamma: float) -> Array:
    """Σ_{t≥0} γ^t kernel^t x for a kernel whose powers stay bounded (a stochastic matrix), by
    doubling: Σ_t (γK)^t x = Σ_t (γ²K²)^t (x + γKx), until γ^(2^k) is negligible."""
    return x if gamma < NEGLIGIBLE else discounted_sum(kernel @ kernel, x + gamma * kernel @ x, gamma * gamma)


def state_kernel(policy: Array, P: Array) -> Array:
    """P^π(s, s') = Σ_a π(a|s) p(s'|s,a): the chain of states under π."""
    return (policy[:, :, None] * P).sum(1)


def pair_kernel(policy: Array, P: Array) -> Array:
    """P_π((s,a), (s',a')) = p(s'|s,a) π(a'|s'): the chain of state-action pairs, row-major pairs."""
    S, A = np.shape(policy)
    return np.reshape(P[..., None] * policy, (S * A, S * A))


def iterated_visitation(policy: Array, P: Array, p0: Array, gamma: float) -> Array:
    """p_γ(s; π) = (1 − γ) Σ_t γ^t Pr(s_t = s), s_0 ~ p0, by iterating the state distribution
    Pr(s_{t+1} = ·) = P^πᵀ Pr(s_t = ·) (`discounted_visitation` solves for it instead)."""
    return (1 - gamma) * discounted_sum(np.transpose(state_kernel(policy, P)), p0, gamma)


def pair_visits(policy: Array, P: Array, gamma: float) -> Array:
    """N((s,a), (s',a')) = Σ_t γ^t Pr(s_t = s', a_t = a' | s_0 = s, a_0 = a), a_t ~ π(·|s_t): the
    distribution of (s_t, a_t) iterated from every starting pair at once."""
    kernel = pair_kernel(policy, P)
    return np.transpose(discounted_sum(np.transpose(kernel), np.eye(len(kernel)), gamma))


def normalised_return(policy: Array, P: Array, p0: Array, reward: Array, gamma: float) -> Scalar:
    """(1 − γ) E_τ[Σ_t γ^t reward(s_t, a_t)], s_0 ~ p0, a_t ~ π(·|s_t): ρ(π) for a per-pair reward."""
    start = np.ravel(p0[:, None] * policy)
    # numpy's stubs type a vector @ vector as an array; it is a scalar.
    return (1 - gamma) * start @ pair_visits(policy, P, gamma) @ np.ravel(reward)  # type: ignore[return-value]


def trajectory_value(policy: Array, P: Array, reward: Array, gamma: float) -> Array:
    """E[Σ_{t≥0} γ^t reward(s_t, a_t) | s_0 = s] for every state, with a_0 ~ π(·|s)."""
    S, A = np.shape(policy)
    start = np.reshape(np.eye(S)[:, :, None] * policy, (S, S * A))
    return start @ pair_visits(policy, P, gamma) @ np.ravel(reward)


def trajectory_q(policy: Array, P: Array, first: Array, later: Array, gamma: float) -> Array:
    """E[first(s_0, a_0) + Σ_{t≥1} γ^t later(s_t, a_t) | s_0 = s, a_0 = a] for every pair: the
    reward at t = 0 and the reward from t = 1 on may differ (the second definition of Q_π)."""
    after_first_step = pair_kernel(policy, P) @ pair_visits(policy, P, gamma)
    return first + gamma * np.reshape(after_first_step @ np.ravel(later), np.shape(first))


def bellman_kl_from_start(
    Q: Array, policy: Array, r: Array, P: Array, prior: Array, alpha: float, gamma: float
) -> Array:
    """(T_π Q)(s,a) = r(s,a) − α D_KL(π‖π̃)(s) + γ Σ_{s'} p(s'|s,a) Σ_{a'} π(a'|s') Q(s',a')."""
    return r - alpha * kl(policy, prior)[:, None] + gamma * P @ (policy * Q).sum(1)


def bellman_kl_from_next(
    Q: Array, policy: Array, r: Array, P: Array, prior: Array, alpha: float, gamma: float
) -> Array:
    """(T_π Q)(s,a) = r(s,a) + γ Σ_{s'} p(s'|s,a) Σ_{a'} π(a'|s') [Q(s',a') − α D_KL(π‖π̃)(s')]."""
    return r + gamma * P @ (policy * (Q - alpha * kl(policy, prior)[:, None])).sum(1)


def value_iteration(
    bellman: Bellman, policy: Array, r: Array, P: Array, prior: Array, alpha: float, gamma: float
) -> Array:
    """The fixed point of an affine operator T Q = T(0) + γ P_π Q, by value iteration from Q = 0
    taking 2^k steps at once: T^n(0) = Σ_{t<n} (γ P_π)^t T(0), summed by doubling."""
    start = bellman(np.zeros(np.shape(r)), policy, r, P, prior, alpha, gamma)
    return np.reshape(discounted_sum(pair_kernel(policy, P), np.ravel(start), gamma), np.shape(r))


def q_kl_from_start(policy: Array, r: Array, P: Array, prior: Array, alpha: float, gamma: float) -> Array:
    """First definition's Q_π (KL from t = 0): value iteration of `bellman_kl_from_start`."""
    return value_iteration(bellman_kl_from_start, policy, r, P, prior, alpha, gamma)


def q_kl_from_next(policy: Array, r: Array, P: Array, prior: Array, alpha: float, gamma: float) -> Array:
    """Second definition's Q_π (KL from t = 1): value iteration of `bellman_kl_from_next`."""
    return value_iteration(bellman_kl_from_next, policy, r, P, prior, alpha, gamma)
