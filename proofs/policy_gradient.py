"""The policy gradient theorem (Sutton, McAllester, Singh and Mansour 2000), for every
parameterisation of the policy.

π_θ is the softmax of unknown logits f(s,a;θ) (any smooth path of interior policies), ρ the
note's N1 objective with its normalisation, ρ(π) = E_{s~p_γ(·;π), a~π}[r(s,a)]
= (1 − γ) E_{s0~p0}[V^π(s0)], so that

    ∇_θ ρ(π_θ) = E_{s~p_γ(·;π_θ), a~π_θ}[Q^{π_θ}(s,a) ∇_θ ln π_θ(a|s)];

for E_{s0~p0}[V^π(s0)] the right side is divided by 1 − γ.  A baseline b(s) can be subtracted
from Q^{π_θ} (PG2), e.g. V^{π_θ}, giving the advantage form.  The entropy-regularised version
is the paper's theorem, proofs/pg_soft_q_equivalence.py.
"""

import sympy as sp

from symderiv import Derivation, Equal, Real, SmoothFunctions, derivative, sizes
from symderiv.rl import VOCABULARY, SymbolicMDP

theorem = Derivation(
    "Policy gradient theorem", source="Sutton et al. (2000)", steps=["PG1", "PG2"], vocabularies=[VOCABULARY]
)

theta = sp.Symbol("theta", real=True)


def parameterised_policy(m):
    """(π_θ, ∇_θ ln π_θ, the domain of the model and of the logits, the logits)."""
    logits = m.logits(theta)
    pi = m.softmax(logits)
    score = derivative(pi.applyfunc(sp.log), theta)
    return pi, score, m.domain() + [SmoothFunctions(list(logits), theta)], logits


@theorem.claim(
    "PG1",
    r"\nabla_\theta\rho(\pi_\theta) = \mathbb{E}_{s\sim p_\gamma(\cdot;\pi_\theta), a\sim\pi_\theta}"
    r"\big[Q^{\pi_\theta}(s,a)\nabla_\theta\ln\pi_\theta(a|s)\big]",
    sizes=sizes([1], [2, 3]) + sizes([2], [2]),
    model=SymbolicMDP,
)
def policy_gradient_theorem(m):
    """The closed form of ρ differentiated by SymPy, and independently by a complex step."""
    pi, score, domain, logits = parameterised_policy(m)
    visitation = m.discounted_visitation(pi)
    per_state = m.average(m.q_of_policy(pi).multiply_elementwise(score), pi)
    rhs = sum(visitation[s] * per_state[s] for s in range(m.n_states))
    reference = m.objective_gradient_reference(logits, domain[-1], theta, regularised=False)
    return Equal(derivative(m.objective(pi), theta), rhs, domain, reference=reference)


@theorem.claim(
    "PG2",
    r"\sum_a \pi_\theta(a|s)\, b(s)\nabla_\theta\ln\pi_\theta(a|s) = 0",
    sizes=sizes([1, 2, 3], [2, 3]),
    model=SymbolicMDP,
)
def baseline_does_not_change_policy_gradient(m):
    """Any baseline b(s) has zero expected score: Σ_a ∇_θ π_θ(a|s) = 0 (the note's N16)."""
    pi, score, domain, _ = parameterised_policy(m)
    b = sp.Matrix(m.n_states, 1, lambda s, _: sp.Symbol(f"b_{s}", real=True))
    weighted = m.average(m.per_pair(b).multiply_elementwise(score), pi)
    return Equal(weighted, sp.zeros(m.n_states, 1), domain + [Real(b)])
