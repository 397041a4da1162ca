"""Proof obligations for the note on Schulman, Chen and Abbeel (2017), "Equivalence
Between Policy Gradients and Soft Q-Learning" (source: shared/seeds/000_b3a86397f123462f.txt).

Each obligation cites the note's step (N1 ... N19) and its LaTeX.  Steps the checker
refutes keep their expected verdict `refuted`, and the corrected claim is proved beside
them under the same step id, with the difference named in its docstring.
"""

import sympy as sp

from symderiv import Derivation, Equal, Inequality, NonNegative, Positive, Real, SymbolicMDP, sizes

note = Derivation(
    "Equivalence between policy gradients and soft Q-learning: a derivation note",
    source="shared/seeds/000_b3a86397f123462f.txt",
    steps=[f"N{i}" for i in range(1, 20)],
)

#: Claims about one state's action distribution: |S| = 1, |A| up to 4.
PER_STATE = sizes([1], [2, 3, 4])
#: Claims that involve several states.
MDP = sizes([1, 2, 3], [2, 3])


def table(m, name):
    """A second real |S|×|A| table beside m.Q, for claims about two Q functions."""
    return sp.Matrix(m.n_states, m.n_actions, lambda s, a: sp.Symbol(f"{name}_{s}_{a}", real=True))


# ---------------------------------------------------------------------------------------------
# N6-N13: the second definition, its optimal operator and the Boltzmann policy
# ---------------------------------------------------------------------------------------------


@note.claim(
    "N6",
    r"TQ(s,a) = R(s,a) + \gamma \sum_{s'} p(s'|s,a) \sum_{a'} \pi(a'|s')"
    r"[Q(s',a') - \alpha(\ln\pi(a'|s') - \ln\tilde\pi(a'|s'))]"
    r" \;\text{equals}\; R + \gamma \mathbf{P}_{\pi}(Q - \alpha D_{KL}(\pi\Vert\tilde\pi))",
    sizes=MDP,
    model=SymbolicMDP,
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
)
def soft_bellman_operator_is_gamma_contraction(m):
    """The note says the optimal operator is a contraction; the certificate is Blackwell's:
    T(Q + c) = TQ + γc, and the Jacobian γ p(s'|s,a) π_Q(a'|s') is non-negative with rows
    summing to γ."""
    S, A = m.n_states, m.n_actions
    Q1, Q2 = m.Q, table(m, "Qb")
    c = sp.Symbol("c", real=True)
    T = m.soft_bellman_optimal
    domain = m.domain() + [Real(Q2, c)]
    gap = sp.Max(*[sp.Abs(x) for x in T(Q1) - T(Q2)])
    dist = sp.Max(*[sp.Abs(x) for x in Q1 - Q2])
    TQ = T(Q1)
    pairs = [(s, a) for s in range(S) for a in range(A)]
    jacobian = sp.Matrix(S * A, S * A, lambda i, j: sp.diff(TQ[pairs[i]], Q1[pairs[j]]))
    boltzmann = m.boltzmann(Q1)
    expected_jacobian = sp.Matrix(
        S * A, S * A, lambda i, j: m.gamma * m.p(*pairs[i], pairs[j][0]) * boltzmann[pairs[j]]
    )
    certificate = [
        Equal(T(Q1.applyfunc(lambda q: q + c)), TQ + m.gamma * c * sp.ones(S, A), domain),
        Equal(jacobian, expected_jacobian, domain),
        NonNegative(expected_jacobian, domain),
        Equal(jacobian * sp.ones(S * A, 1), m.gamma * sp.ones(S * A, 1), domain),
    ]
    return Inequality(
        gap, m.gamma * dist, domain, certificate,
        because="T is smooth with Jacobian J(Q) >= 0 whose rows sum to γ, so ‖J(Q)‖∞ = γ for every Q; by the "
        "mean value theorem along Q2 + t(Q1 − Q2), ‖TQ1 − TQ2‖∞ <= sup_t ‖J‖∞ ‖Q1 − Q2‖∞ = γ‖Q1 − Q2‖∞. "
        "The shift identity is Blackwell's discounting condition with the same constant.",
    )


@note.claim(
    "N8",
    r"\pi_Q = \arg\max_{\pi} \sum_{a} \pi(a|s)[Q(s,a) - \alpha(\ln\pi(a|s) - \ln\tilde\pi(a|s))],\quad"
    r"\pi_Q(s,a) = \frac{\tilde\pi(a|s)\exp[Q(s,a)/\alpha]}{\sum_{a'}\tilde\pi(a'|s)\exp[Q(s,a')/\alpha]}",
    sizes=PER_STATE,
    model=SymbolicMDP,
)
def boltzmann_policy_maximises_regularised_value(m):
    """Optimality, not only stationarity: for every π on the simplex,
    Σ_a π(a)[Q − α ln(π/π̃)] = V_Q − α Σ_a π_Q(a) φ(π(a)/π_Q(a)) with φ(x) = x ln x − x + 1 >= 0,
    so no π does better than π_Q, which attains V_Q."""
    A = m.n_actions
    Q, pi, prior, alpha = m.Q, m.pi, m.prior, m.alpha
    pq = m.boltzmann(Q)
    V = m.soft_value(Q)[0]

    def objective(policy):
        return sum(policy[0, a] * (Q[0, a] - alpha * (sp.log(policy[0, a]) - sp.log(prior[0, a]))) for a in range(A))

    x = sp.Symbol("x", positive=True)
    phi = x * sp.log(x) - x + 1
    gibbs = sum(pq[0, a] * phi.subs(x, pi[0, a] / pq[0, a]) for a in range(A))
    domain = m.domain() + [Positive(x)]
    certificate = [
        Equal(objective(pi), V - alpha * gibbs, domain),
        NonNegative(phi, domain, convex_in=(x, 1)),
        Equal(objective(pq), V, domain),
    ]
    return Inequality(
        objective(pi), objective(pq), domain, certificate,
        because="the first identity writes the objective at π as V_Q minus α times a sum of π_Q-weighted "
        "values of φ >= 0 (α > 0, π_Q > 0); the third shows π_Q attains V_Q, hence the maximum.",
    )


@note.claim(
    "N9",
    r"V_Q(s) = \alpha \ln \Big\{\sum_{a} \tilde\pi(a|s) \exp[Q(s,a;\theta_Q)/\alpha]\Big\}",
    sizes=PER_STATE,
    model=SymbolicMDP,
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
)
def soft_value_eq_expected_q_minus_kl(m):
    pq = m.boltzmann(m.Q)
    return Equal(m.soft_value(m.Q), m.average(m.Q, pq) - m.alpha * m.kl(pq), m.domain())


@note.claim(
    "N13",
    r"TQ = R + \gamma \mathbf{P}_{\pi} V_Q",
    sizes=MDP,
    model=SymbolicMDP,
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
    sizes=MDP,
    model=SymbolicMDP,
)
def optimal_operator_eq_reward_plus_expected_soft_value(m):
    """The same operator with the state kernel P(s'|s,a) in place of P_π: the form used by N15."""
    return Equal(m.bellman_kl_from_next(m.Q, m.boltzmann(m.Q)), m.soft_bellman_optimal(m.Q), m.domain())
