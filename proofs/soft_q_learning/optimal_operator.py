"""N6–N13: the second definition's optimal operator and the Boltzmann policy."""

import sympy as sp

from symderiv import (
    Equal,
    Inequality,
    JacobianContraction,
    NonNegative,
    Positive,
    Real,
    SumOfNonNegative,
    Term,
    sup_norm,
)
from symderiv.rl import SymbolicMDP

from . import note
from .common import MDP, PER_STATE, table

# ---------------------------------------------------------------------------------------------
# N6-N13: the second definition, its optimal operator and the Boltzmann policy
# ---------------------------------------------------------------------------------------------


@note.claim(
    "N6",
    r"TQ(s,a) = R(s,a) + \gamma \sum_{s'} p(s'|s,a) \sum_{a'} \pi(a'|s')"
    r"[Q(s',a') - \alpha(\ln\pi(a'|s') - \ln\tilde\pi(a'|s'))]"
    r" \;\text{equals}\; R + \gamma \mathbf{P}_{\pi}(Q - \alpha D_{KL}(\pi\Vert\tilde\pi))",
    prose_line=85,
    sizes=MDP,
    model=SymbolicMDP,
    uses=["N5"],
)
def optimal_operator_elementwise_eq_matrix_form(m):
    """For every policy π, the element-wise expression inside the max equals the matrix form
    (the per-state KL, averaged over a' ~ π, is the KL itself because Σ_a' π(a'|s') = 1)."""
    S, A = m.n_states, m.n_actions
    pi, Q = m.pi, m.Q

    def inner(s2):
        return sum(pi[s2, b] * (Q[s2, b] - m.alpha * (sp.log(pi[s2, b]) - sp.log(m.prior[s2, b]))) for b in range(A))

    elementwise = sp.Matrix(S, A, lambda s, a: m.r[s, a] + m.gamma * sum(m.p(s, a, s2) * inner(s2) for s2 in range(S)))
    return Equal(elementwise, m.bellman_kl_from_next(Q, pi), m.domain())


@note.claim(
    "N7",
    r"\Vert TQ_1 - TQ_2 \Vert_\infty \le \gamma \Vert Q_1 - Q_2 \Vert_\infty",
    sizes=MDP,
    model=SymbolicMDP,
    prose_line=92,
    uses=["N6"],
)
def soft_bellman_operator_is_gamma_contraction(m):
    """The note says the optimal operator is a contraction.  The rule computes T's Jacobian, γ p(s'|s,a)
    π_Q(a'|s'), checks it non-negative from the symbols' assumptions and proves its rows sum to γ; the
    mean value theorem gives the bound (Blackwell's conditions are the same two facts)."""
    Q1, Q2 = m.Q, table(m, "Qb")
    T = m.soft_bellman_optimal
    domain = m.domain() + [Real(Q2)]
    return Inequality(
        sup_norm(T(Q1) - T(Q2)),
        m.gamma * sup_norm(Q1 - Q2),
        domain,
        JacobianContraction(T, Q1, Q2, m.gamma),
    )


@note.claim(
    "N8",
    r"\pi_Q = \arg\max_{\pi} \sum_{a} \pi(a|s)[Q(s,a) - \alpha(\ln\pi(a|s) - \ln\tilde\pi(a|s))],\quad"
    r"\pi_Q(s,a) = \frac{\tilde\pi(a|s)\exp[Q(s,a)/\alpha]}{\sum_{a'}\tilde\pi(a'|s)\exp[Q(s,a')/\alpha]}",
    prose_line=95,
    sizes=PER_STATE,
    model=SymbolicMDP,
)
def boltzmann_policy_maximises_regularised_value(m):
    """Optimality, not only stationarity: for every π on the simplex, the objective at π_Q minus the
    objective at π is α Σ_a π_Q(a) φ(π(a)/π_Q(a)), φ(x) = x ln x − x + 1 >= 0 (by convexity), a sum of
    non-negative terms (α > 0, π_Q > 0): no π does better than π_Q."""
    A = m.n_actions
    Q, pi, prior, alpha = m.Q, m.pi, m.prior, m.alpha
    pq = m.boltzmann(Q)

    def objective(policy):
        return sum(policy[0, a] * (Q[0, a] - alpha * (sp.log(policy[0, a]) - sp.log(prior[0, a]))) for a in range(A))

    x = sp.Symbol("x", positive=True)
    phi = NonNegative(x * sp.log(x) - x + 1, [Positive(x)], convex_in=(x, 1))
    gibbs = [Term(phi, {x: pi[0, a] / pq[0, a]}, alpha * pq[0, a]) for a in range(A)]
    return Inequality(objective(pi), objective(pq), m.domain(), SumOfNonNegative(gibbs))


@note.claim(
    "N9",
    r"V_Q(s) = \alpha \ln \Big\{\sum_{a} \tilde\pi(a|s) \exp[Q(s,a;\theta_Q)/\alpha]\Big\}",
    sizes=PER_STATE,
    model=SymbolicMDP,
    uses=["N8"],
)
def soft_value_is_log_normaliser_of_boltzmann(m):
    """V_Q is defined so that exp(V_Q/α) is the normaliser of N8's closed form."""
    A = m.n_actions
    normaliser = sum(m.prior[0, a] * sp.exp(m.Q[0, a] / m.alpha) for a in range(A))
    return Equal(sp.exp(m.soft_value(m.Q)[0] / m.alpha), normaliser, m.domain())


@note.claim(
    "N10",
    r"\pi_Q(a|s) = \tilde\pi(a|s) \exp\{[Q(s,a) - V_Q(s)]/\alpha\}",
    sizes=PER_STATE,
    model=SymbolicMDP,
    uses=["N8", "N9"],
)
def boltzmann_eq_prior_times_exp_advantage(m):
    V = m.soft_value(m.Q)
    rhs = sp.Matrix(m.n_states, m.n_actions, lambda s, a: m.prior[s, a] * sp.exp((m.Q[s, a] - V[s]) / m.alpha))
    return Equal(m.boltzmann(m.Q), rhs, m.domain())


@note.claim(
    "N11",
    r"Q(s,a) = V_Q(s) + \alpha \ln \frac{\pi_Q(a|s)}{\tilde\pi(a|s)}",
    sizes=PER_STATE,
    model=SymbolicMDP,
    uses=["N10"],
)
def q_eq_soft_value_plus_log_ratio(m):
    V, pq = m.soft_value(m.Q), m.boltzmann(m.Q)
    rhs = sp.Matrix(m.n_states, m.n_actions, lambda s, a: V[s] + m.alpha * sp.log(pq[s, a] / m.prior[s, a]))
    return Equal(m.Q, rhs, m.domain())


@note.claim(
    "N12",
    r"V_Q(s) = \sum_{a}\pi_Q(a|s) Q(s,a) - \alpha D^Q_{KL}(s)",
    sizes=PER_STATE,
    model=SymbolicMDP,
    uses=["N11"],
)
def soft_value_eq_expected_q_minus_kl(m):
    pq = m.boltzmann(m.Q)
    return Equal(m.soft_value(m.Q), m.average(m.Q, pq) - m.alpha * m.kl(pq), m.domain())


@note.claim(
    "N13",
    r"TQ = R + \gamma \mathbf{P}_{\pi} V_Q",
    sizes=MDP,
    model=SymbolicMDP,
    uses=["N6", "N8", "N12"],
)
def optimal_operator_eq_reward_plus_next_soft_value(m):
    """The operator of N6 at its maximiser π_Q equals R + γ P_π V_Q, with V_Q read as a function of
    (s', a') that does not depend on a'; for such a V_Q, P_π V_Q = P V_Q for every π (Σ_a' π(a'|s') = 1),
    so the note's P_π is harmless."""
    V = m.soft_value(m.Q)
    lifted = m.unflatten(m.policy_transition(m.pi) * m.flatten(m.per_pair(V)))
    return Equal(m.bellman_kl_from_next(m.Q, m.boltzmann(m.Q)), m.r + m.gamma * lifted, m.domain())


@note.claim(
    "N13",
    r"TQ(s,a) = r(s,a) + \gamma \sum_{s'} p(s'|s,a) V_Q(s')",
    part="state_kernel",
    prose_line=128,
    sizes=MDP,
    model=SymbolicMDP,
)
def optimal_operator_eq_reward_plus_expected_soft_value(m):
    """The same operator with the state kernel P(s'|s,a) in place of P_π: the form used by N15."""
    return Equal(m.bellman_kl_from_next(m.Q, m.boltzmann(m.Q)), m.soft_bellman_optimal(m.Q), m.domain())
