"""Soft policy improvement: the Boltzmann policy of a policy's soft Q does not lower its soft value.

For any policy π, with V_π its soft value and Q_π(s,a) = r(s,a) + γ Σ_{s'} p(s'|s,a) V_π(s')
(the note's second definition, N5), the improved policy π' = π_{Q_π} ∝ π̃ exp(Q_π/α) (N8)
satisfies V_{π'}(s) >= V_π(s) at every state: soft policy iteration never gets worse, and a
policy that is its own improvement is optimal.

The certificate is the usual argument, each step a rule whose implication the checker verifies.
The one-step gain δ(s) = Σ_a π'(Q − α ln π'/π̃) − Σ_a π(Q − α ln π/π̃) at Q = Q_π shifted is a Gibbs
divergence α Σ_a π' φ(π/π') >= 0: Gibbs's inequality is proved at every real Q table (a sum of
non-negative terms, φ(x) = x ln x − x + 1 >= 0 by convexity) and used at Q_π shifted, which the rule
checks is real (SymPy cannot see that the rational function Q_π is real, which the rewrites of
exp(Q/α) need, so the inequality is not proved at Q_π directly).  The values differ by the gain
propagated along π': (I − γP^{π'})(V_{π'} − V_π) = δ, and the resolvent rule gives V_{π'} − V_π >= 0
(P^{π'} >= 0 with rows summing to one, 0 < γ < 1).  The numbers sample α in [0.5, 20] and γ in
(0, 0.9) (see the builder), where exp(Q_π/α) stays in floating-point range; the symbolic parts hold
for every α > 0 and 0 < γ < 1.
"""

import sympy as sp

from symderiv import (
    Derivation,
    Inequality,
    NonNegative,
    OpenInterval,
    Positive,
    Resolvent,
    SumOfNonNegative,
    Term,
    sizes,
)
from symderiv.rl import VOCABULARY, SymbolicMDP

improvement = Derivation("Soft policy improvement", steps=["SPI1"], vocabularies=[VOCABULARY])

SIZES = sizes([1], [2, 3]) + sizes([2], [2])


@improvement.claim(
    "SPI1",
    r"V_{\pi'}(s) \ge V_\pi(s)\ \forall s,\quad \pi'(a|s) = \frac{\tilde\pi(a|s)\exp[Q_\pi(s,a)/\alpha]}"
    r"{\sum_{a'}\tilde\pi(a'|s)\exp[Q_\pi(s,a')/\alpha]},\quad Q_\pi(s,a) = r(s,a) + \gamma\sum_{s'}p(s'|s,a)V_\pi(s')",
    sizes=SIZES,
    model=SymbolicMDP,
)
def boltzmann_of_soft_q_does_not_lower_soft_value(m):
    S, A = m.n_states, m.n_actions
    alpha, Q, pi = m.alpha, m.Q, m.pi
    V = m.soft_value_of_policy(pi)
    Q_pi = m.r + m.gamma * m.expected_next(V)
    # π_Q does not change when Q(s,·) is shifted by a constant per state; shifting by Q_π(s,0)
    # keeps exp(Q/α) in floating-point range where Q_π itself (of order r/(1 − γ)) would overflow.
    shifted = Q_pi - m.per_pair(Q_pi.col(0))
    improved = m.boltzmann(shifted)

    def one_step(policy, table):
        """Σ_a policy(a|s)[table(s,a) − α ln(policy(a|s)/π̃(a|s))] for every state."""
        log_ratio = m.log_ratio(policy)
        return m.average(table - alpha * log_ratio, policy)

    # The numbers cover α in [0.5, 20] and γ in (0, 0.9): beyond, Q_π(s,a) − Q_π(s,0) (of order
    # r/(1 − γ)) over α exceeds the floating-point range of exp on many instances, each of which
    # would be judged one by one in ball arithmetic.  The symbolic certificate holds for every α > 0, 0 < γ < 1.
    kept = [d for d in m.domain() if alpha not in d.symbols and m.gamma not in d.symbols]
    domain = kept + [Positive(alpha, low=0.5, high=20.0), OpenInterval(m.gamma, low=0.0, high=0.9)]

    # Gibbs at every real Q table and every state (N8's argument): the one-step gain of π_Q over π
    # is α Σ_a π_Q φ(π/π_Q) >= 0.  It is used at Q = Q_π shifted, whose π_Q is π'.
    x = sp.Symbol("x", positive=True)
    phi = NonNegative(x * sp.log(x) - x + 1, [Positive(x)], convex_in=(x, 1))
    pq = m.boltzmann(Q)
    gap = one_step(pq, Q) - one_step(pi, Q)
    gibbs = [
        Inequality(
            0,
            gap[s],
            domain,
            SumOfNonNegative([Term(phi, {x: pi[s, a] / pq[s, a]}, alpha * pq[s, a]) for a in range(A)]),
        )
        for s in range(S)
    ]
    gain = gap.xreplace(dict(zip(Q, shifted)))
    at_shifted = [{Q[s, a]: shifted[s, a] for a in range(A)} for s in range(S)]
    bounds = [Inequality(0, gain[s], domain, SumOfNonNegative([Term(gibbs[s], at_shifted[s])])) for s in range(S)]
    V_improved = m.soft_value_of_policy(improved)
    certificate = Resolvent(m.state_transition(improved), m.gamma, V_improved - V, gain, bounds)
    return Inequality(
        0,
        # Unevaluated: SymPy's Min compares every pair of its arguments symbolically (9 s at 2x2).
        sp.Min(*(V_improved - V), evaluate=False),
        domain,
        certificate,
        because="V_{π'} − V_π solves (I − γP^{π'})x = δ, δ the one-step gain of π' over π, which is Gibbs's "
        "α Σ_a π' φ(π/π') >= 0 at Q = Q_π shifted; P^{π'} is a stochastic matrix and γ < 1, so x = Σ_k γ^k "
        "(P^{π'})^k δ >= 0 at every state.",
    )
