"""Soft policy improvement: the Boltzmann policy of a policy's soft Q does not lower its soft value.

For any policy π, with V_π its soft value and Q_π(s,a) = r(s,a) + γ Σ_{s'} p(s'|s,a) V_π(s')
(the note's second definition, N5), the improved policy π' = π_{Q_π} ∝ π̃ exp(Q_π/α) (N8)
satisfies V_{π'}(s) >= V_π(s) at every state: soft policy iteration never gets worse, and a
policy that is its own improvement is optimal.

The certificate follows the usual argument.  The one-step gain δ(s) = Σ_a π'(Q_π − α ln π'/π̃)
− V_π(s) is a Gibbs divergence, hence >= 0; the values differ by the gain propagated along π':
V_{π'} − V_π = (I − γP^{π'})⁻¹δ, and (I − γP^{π'})⁻¹ = Σ_k γ^k (P^{π'})^k is entrywise >= 0.
Three of its parts hold for every Q table or every policy, not only Q_π and π' (SymPy cannot
see that the rational function Q_π is real, which the rewrites of exp(Q/α) need); the argument
instantiates them.  The numbers sample α in [0.5, 20] and γ in (0, 0.9) (see the builder), where
exp(Q_π/α) stays in floating-point range; the symbolic parts hold for every α > 0 and γ > 0.
"""

import sympy as sp

from symderiv import Derivation, Equal, Inequality, NonNegative, OpenInterval, Positive, Simplex, SymbolicMDP, sizes

improvement = Derivation("Soft policy improvement", steps=["SPI1"])

#: At 2 states and 3 actions building the claim takes about 10 s (measured: 2×2 in 5 s).
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
    alpha = m.alpha
    V = m.soft_value_of_policy(m.pi)
    Q_pi = m.r + m.gamma * m.expected_next(V)
    # π_Q does not change when Q(s,·) is shifted by a constant per state; shifting by Q_π(s,0)
    # keeps exp(Q/α) in floating-point range where Q_π itself (of order r/(1 − γ)) would overflow.
    improved = m.boltzmann(Q_pi - m.per_pair(Q_pi.col(0)))
    V_improved = m.soft_value_of_policy(improved)

    def one_step(policy, Q):
        """Σ_a policy(a|s)[Q(s,a) − α ln(policy(a|s)/π̃(a|s))] for every state."""
        log_ratio = sp.Matrix(S, A, lambda s, a: sp.log(policy[s, a] / m.prior[s, a]))
        return m.average(Q - alpha * log_ratio, policy)

    gain = one_step(improved, Q_pi) - V
    kernel = m.state_transition(improved)

    # Parts that hold for every Q table (m.Q) and every policy (pib).
    Q, pq = m.Q, m.boltzmann(m.Q)
    x = sp.Symbol("x", positive=True)
    phi = x * sp.log(x) - x + 1
    gibbs = sp.Matrix(S, 1, lambda s, _: sum(pq[s, a] * phi.subs(x, m.pi[s, a] / pq[s, a]) for a in range(A)))
    pib = sp.Matrix(S, A, lambda s, a: sp.Symbol(f"pib_{s}_{a}", positive=True))
    # The numbers cover α in [0.5, 20] and γ in (0, 0.9): beyond, Q_π(s,a) − Q_π(s,0) (of order
    # r/(1 − γ)) over α exceeds the floating-point range of exp on many instances, each of which
    # would be re-checked at 50 digits.  The symbolic certificate holds for every α > 0, 0 < γ < 1.
    kept = [d for d in m.domain() if alpha not in d.symbols and m.gamma not in d.symbols]
    model = kept + [Positive(alpha, low=0.5, high=20.0), OpenInterval(m.gamma, low=0.0, high=0.9)]
    domain = model + [Positive(x)] + [Simplex(pib.row(s)) for s in range(S)]

    certificate = [
        Equal(V_improved - V, m.solve_linear(sp.eye(S) - m.gamma * kernel, gain), domain),
        Equal(V, one_step(m.pi, Q_pi), domain),
        Equal(one_step(m.pi, Q), m.soft_value(Q) - alpha * gibbs, domain),
        Equal(one_step(pq, Q), m.soft_value(Q), domain),
        NonNegative(phi, domain, convex_in=(x, 1)),
        NonNegative(m.state_transition(pib), domain),
        Equal(kernel * sp.ones(S, 1), sp.ones(S, 1), domain),
    ]
    return Inequality(
        0, sp.Min(*(V_improved - V)), domain, certificate,
        because="By 2, V_π = Σ_a π(Q_π − α ln π/π̃); by 3 and 4 at Q = Q_π (so π_Q = π'), the gain "
        "δ = V_{Q_π} − V_π = α Σ_a π' φ(π/π') with φ >= 0 (5), α > 0 and π' > 0, so δ >= 0. "
        "P^{π'} is non-negative (6, π' being a policy with positive entries) with rows summing to one (7), "
        "so for 0 < γ < 1 the Neumann series (I − γP^{π'})⁻¹ = Σ_k γ^k (P^{π'})^k converges and is "
        "entrywise >= 0; by 1, V_{π'} − V_π = (I − γP^{π'})⁻¹δ >= 0 at every state.",
    )
