"""The advantage averages to zero under its own policy: Σ_a π(a|s) A_π(s,a) = 0.

The identity behind every baseline: the value is the policy's average of its Q.  It is
checked for the unregularised Q^π and V^π, obtained from their Bellman equations (not from
the definition V = E_a Q, which would make the claim a tautology), and for the
entropy-regularised ones of the note's two definitions (N3 and N5).
"""

import sympy as sp

from symderiv import Derivation, Equal, sizes
from symderiv.rl import VOCABULARY, SymbolicMDP

advantage = Derivation(
    "The advantage has zero mean under its policy", steps=["AD1", "AD2", "AD3"], vocabularies=[VOCABULARY]
)

#: Beyond 2 states the rewrites outgrow their time limit.
ANY = sizes([1, 2], [2, 3])
#: The first definition's Q solves an |S||A|×|S||A| system.
PAIRS = sizes([1, 2], [2, 3])


@advantage.claim(
    "AD1",
    r"\sum_a \pi(a|s)\big[Q^\pi(s,a) - V^\pi(s)\big] = 0",
    sizes=ANY,
    model=SymbolicMDP,
)
def advantage_has_zero_mean(m):
    """Q^π(s,a) = r(s,a) + γ Σ_{s'} p(s'|s,a) V^π(s') and V^π = Σ_a π r + γ P^π V^π."""
    A = m.q_of_policy(m.pi) - m.per_pair(m.value_of_policy(m.pi))
    return Equal(m.average(A, m.pi), sp.zeros(m.n_states, 1), m.domain())


@advantage.claim(
    "AD2",
    r"\sum_a \pi(a|s)\big[Q_\pi(s,a) - V_\pi(s)\big] = 0,\quad"
    r"Q_\pi(s,a) = \mathbb{E}\Big[\sum_{t\ge0}\gamma^t\big(r_t - \alpha D_{KL}(s_t)\big)\Big|s_0=s,a_0=a\Big]",
    sizes=PAIRS,
    model=SymbolicMDP,
)
def soft_advantage_has_zero_mean_kl_from_start(m):
    """The note's first definition (N3), with V_π the soft value of π: N3's V_π = E_a Q_π,
    here checked with Q_π and V_π from their own Bellman equations."""
    A = m.q_kl_from_start(m.pi) - m.per_pair(m.soft_value_of_policy(m.pi))
    return Equal(m.average(A, m.pi), sp.zeros(m.n_states, 1), m.domain())


@advantage.claim(
    "AD3",
    r"\sum_a \pi(a|s)\Big[Q_\pi(s,a) - \alpha\ln\frac{\pi(a|s)}{\tilde\pi(a|s)} - V_\pi(s)\Big] = 0,\quad"
    r"Q_\pi(s,a) = r(s,a) + \gamma\sum_{s'}p(s'|s,a)V_\pi(s')",
    sizes=ANY,
    model=SymbolicMDP,
)
def soft_advantage_has_zero_mean_kl_from_next(m):
    """The note's second definition (N5), whose Q_π leaves out the first KL term: the advantage
    then carries the log-ratio −α ln(π/π̃) (N5's V_π = E_a Q_π − α KL)."""
    V = m.soft_value_of_policy(m.pi)
    Q = m.r + m.gamma * m.expected_next(V)
    log_ratio = m.log_ratio(m.pi)
    A = Q - m.alpha * log_ratio - m.per_pair(V)
    return Equal(m.average(A, m.pi), sp.zeros(m.n_states, 1), m.domain())
