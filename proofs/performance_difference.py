"""The performance difference lemma (Kakade and Langford 2002), and its entropy-regularised form.

For two policies π and π', the change of the objective is the advantage of π averaged over the
states and actions of π':  ρ(π') − ρ(π) = E_{s~p_γ(·;π'), a~π'}[A^π(s,a)],  with N1's
normalisation ρ(π) = E_{s~p_γ(·;π), a~π}[r(s,a)] = (1 − γ) E_{s0~p0}[V^π(s0)] (without the
factor 1 − γ the right side is divided by 1 − γ).  Both policies are arbitrary tables on the
simplex.
"""

import sympy as sp

from symderiv import Derivation, Equal, Simplex, sizes
from symderiv.rl import VOCABULARY, SymbolicMDP

lemma = Derivation(
    "Performance difference lemma", source="Kakade and Langford (2002)", steps=["PD1", "PD2"], vocabularies=[VOCABULARY]
)

#: Beyond 2 states the rewrites outgrow their time limit.
ANY = sizes([1, 2], [2, 3])


def other_policy(m):
    """π'(a|s), a second policy beside m.pi, and the domains of its rows."""
    table = sp.Matrix(m.n_states, m.n_actions, lambda s, a: sp.Symbol(f"pib_{s}_{a}", positive=True))
    return table, [Simplex(table.row(s)) for s in range(m.n_states)]


def visitation_average(m, policy, table):
    """E_{s~p_γ(·;policy), a~policy}[table(s,a)]."""
    visitation = m.discounted_visitation(policy)
    per_state = m.average(table, policy)
    return sum(visitation[s] * per_state[s] for s in range(m.n_states))


@lemma.claim(
    "PD1",
    r"\rho(\pi') - \rho(\pi) = \mathbb{E}_{s\sim p_\gamma(\cdot;\pi'), a\sim\pi'}\big[A^\pi(s,a)\big],\quad"
    r"A^\pi(s,a) = Q^\pi(s,a) - V^\pi(s)",
    sizes=ANY,
    model=SymbolicMDP,
)
def performance_difference(m):
    pib, rows = other_policy(m)
    A = m.q_of_policy(m.pi) - m.per_pair(m.value_of_policy(m.pi))
    return Equal(m.objective(pib) - m.objective(m.pi), visitation_average(m, pib, A), m.domain() + rows)


@lemma.claim(
    "PD2",
    r"\rho_\alpha(\pi') - \rho_\alpha(\pi) = \mathbb{E}_{s\sim p_\gamma(\cdot;\pi'), a\sim\pi'}\Big[r(s,a)"
    r" + \gamma\sum_{s'}p(s'|s,a)V_\pi(s') - \alpha\ln\frac{\pi'(a|s)}{\tilde\pi(a|s)} - V_\pi(s)\Big]",
    sizes=ANY,
    model=SymbolicMDP,
)
def soft_performance_difference(m):
    """With N2's regularised objective ρ_α and V_π the soft value of π: the advantage of π
    carries the log-ratio of the new policy π', not of π."""
    pib, rows = other_policy(m)
    V = m.soft_value_of_policy(m.pi)
    log_ratio = m.log_ratio(pib)
    A = m.r + m.gamma * m.expected_next(V) - m.alpha * log_ratio - m.per_pair(V)
    lhs = m.regularised_objective(pib) - m.regularised_objective(m.pi)
    return Equal(lhs, visitation_average(m, pib, A), m.domain() + rows)
