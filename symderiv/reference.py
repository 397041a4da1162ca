"""Plain NumPy reference implementations of the MDP quantities the proofs check.

Each function computes its quantity directly from arrays, independently of the SymPy
constructions in `mdp.py`, so that a claim's `reference=` tests the encoding itself.
They accept complex arrays, so a gradient can be taken by a complex step, exact to
rounding (no finite-difference error).  Shapes: Q, r, policy and prior are |S|×|A|;
P[s, a, s'] = p(s'|s,a); p0 and p are vectors over states.
"""

import numpy as np


def kl(policy, prior):
    """D_KL(π(·|s) ‖ π̃(·|s)) for every state."""
    return np.sum(policy * np.log(policy / prior), 1)


def largest_entry(Q):
    """Per state, the Q(s,a) with the largest real part, as a column: the shift of a log-sum-exp.
    Complex Q (a complex step) keeps its imaginary part, so that the dominant action's weight
    exp(0) is exact and nothing cancels in the imaginary parts."""
    return np.take_along_axis(Q, np.expand_dims(np.argmax(np.real(Q), 1), 1), 1)


def soft_value(Q, prior, alpha):
    """V_Q(s) = α ln Σ_a π̃(a|s) exp(Q(s,a)/α), shifted so that it cannot overflow."""
    shift = largest_entry(Q)
    return shift[:, 0] + alpha * np.log(np.sum(prior * np.exp((Q - shift) / alpha), 1))


def boltzmann_policy(Q, prior, alpha):
    """π_Q(a|s) = π̃(a|s) exp(Q(s,a)/α) / Σ_a' π̃(a'|s) exp(Q(s,a')/α), shifted likewise."""
    weights = prior * np.exp((Q - largest_entry(Q)) / alpha)
    return weights / np.expand_dims(np.sum(weights, 1), 1)


def soft_bellman_target(Q, r, P, prior, alpha, gamma):
    """(TQ)(s,a) = r(s,a) + γ Σ_{s'} p(s'|s,a) V_Q(s')."""
    return r + gamma * P @ soft_value(Q, prior, alpha)


def soft_q_loss(Q, target, policy, p):
    """E_{s~p, a~π}[½ (Q(s,a) − target(s,a))²]."""
    return np.sum(p * np.sum(policy * (Q - target) ** 2 / 2, 1))


def discounted_visitation(policy, P, p0, gamma):
    """p_γ(s; π) = (1 − γ) Σ_t γ^t Pr(s_t = s), s_0 ~ p0: solves (I − γ P_πᵀ) d = (1 − γ) p0."""
    kernel = np.sum(np.expand_dims(policy, 2) * P, 1)
    return (1 - gamma) * np.linalg.solve(np.eye(len(p0)) - gamma * np.transpose(kernel), p0)


def regularised_objective(policy, r, P, p0, prior, alpha, gamma):
    """ρ(π) = E_{s~p_γ(·;π)}[Σ_a π(a|s) r(s,a) − α D_KL(π(·|s) ‖ π̃(·|s))]."""
    visitation = discounted_visitation(policy, P, p0, gamma)
    return np.sum(visitation * (np.sum(policy * r, 1) - alpha * kl(policy, prior)))


def complex_step_derivative(f, x):
    """f′(x) = Im f(x + ih)/h for a real-analytic f: no subtraction, so no cancellation error."""
    h = 1e-20
    return np.imag(f(x + 1j * h)) / h
