"""Proof obligations for the note on Schulman, Chen and Abbeel (2017), "Equivalence
Between Policy Gradients and Soft Q-Learning" (source: shared/seeds/000_b3a86397f123462f.txt).

Each obligation cites the note's step (N1 ... N19) and its LaTeX.  Steps the checker
refutes keep their expected verdict `refuted`, and the corrected claim is proved beside
them under the same step id, with the difference named in its docstring.
"""

import numpy as np
import sympy as sp

from symderiv import Derivation, Equal, Inequality, NonNegative, Positive, Real, Simplex, SymbolicMDP, sizes
from symderiv import reference as ref

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
# N1-N5: the objective, and the first and second definitions of Q_π
# ---------------------------------------------------------------------------------------------


def on_arrays(m, compute):
    """A claim's reference: `compute` applied to the NumPy arrays (MDPArrays) of one sampled instance."""
    return lambda values: compute(m.arrays(values))


def penalised_reward(m):
    """r(s,a) − α D_KL(π(·|s) ‖ π̃(·|s)), the reward of the regularised problem, per pair."""
    return m.r - m.alpha * m.per_pair(m.kl(m.pi))


def penalised_reward_of(x):
    """The same at one numeric instance x."""
    return x.r - x.alpha * np.expand_dims(ref.kl(x.pi, x.prior), 1)


def objective_second_form(m):
    """ρ(π) of N2 in its second form, E_{s~p_γ, a~π}[r(s,a) − α D_KL(π(·|s) ‖ π̃(·|s))] (N2 proves the
    three forms equal); with the KL inside the action average, as the first definition's Q_π has it."""
    return under_visitation(m, m.average(penalised_reward(m), m.pi))


def from_start(m, table):
    """E_{s~p0, a~π(·|s)}[table(s, a)]."""
    averaged = m.average(table, m.pi)
    return sum(m.p0[s] * averaged[s] for s in range(m.n_states))


def under_visitation(m, column):
    """E_{s~p_γ(·;π)}[column(s)]."""
    visitation = m.discounted_visitation(m.pi)
    return sum(visitation[s] * column[s] for s in range(m.n_states))


@note.claim(
    "N1",
    r"\rho(\pi) = (1 - \gamma) \mathbb{E}_{\tau \sim \mathcal{MDP}(\pi)} \bigg[\sum^{\infty}_{t=0} \gamma^t r_t \bigg]"
    r" = \mathbb{E}_{s \sim p_{\gamma}(\cdot; \pi), a \sim \pi(\cdot \vert s)} [r(s, a)]",
    sizes=MDP,
    model=SymbolicMDP,
)
def normalised_return_eq_expected_reward_under_visitation(m):
    """The note leaves p_γ undefined; here p_γ(s; π) = (1 − γ) Σ_t γ^t Pr(s_t = s), s_0 ~ p0,
    a_t ~ π(·|s_t) (`discounted_visitation`, which solves (I − γ P^πᵀ) p_γ = (1 − γ) p0).  The
    trajectory side is (1 − γ) Σ_s p0(s) V^π(s) with V^π = Σ_a π r + γ P^π V^π; its reference sums
    γ^t E[r_t] by iterating the distribution of (s_t, a_t)."""
    trajectory = (1 - m.gamma) * sum(m.p0[s] * m.value_of_policy(m.pi)[s] for s in range(m.n_states))
    return Equal(trajectory, m.objective(m.pi), m.domain(),
                 reference=on_arrays(m, lambda x: ref.normalised_return(x.pi, x.P, x.p0, x.r, x.gamma)))


@note.claim(
    "N1",
    r"\sum_s p_{\gamma}(s; \pi) = 1",
    part="visitation_is_a_distribution",
    sizes=MDP,
    model=SymbolicMDP,
)
def discounted_visitation_sums_to_one(m):
    """What writing s ~ p_γ(·; π) presumes: with the factor (1 − γ), the discounted state
    distribution of N1 sums to one.  Reference: p_γ by iterating the state distribution."""
    return Equal(sum(m.discounted_visitation(m.pi)), 1, m.domain(),
                 reference=on_arrays(m, lambda x: np.sum(ref.iterated_visitation(x.pi, x.P, x.p0, x.gamma))))


@note.claim(
    "N2",
    r"\mathbb{E}_{s \sim p_{\gamma}, a \sim \pi} [r(s, a)] - \alpha \mathbb{E}_{s \sim p_{\gamma}}"
    r"[D_{KL}(\pi(\cdot \vert s) \Vert \tilde \pi(\cdot \vert s))]"
    r" = \mathbb{E}_{s \sim p_{\gamma}, a \sim \pi} [r(s, a) - \alpha D_{KL}(\pi(\cdot \vert s) \Vert \tilde \pi(\cdot \vert s))]",
    sizes=MDP,
    model=SymbolicMDP,
)
def regularised_objective_kl_inside_the_action_average(m):
    """The first two forms of the regularised objective: the KL does not depend on a, and
    Σ_a π(a|s) = 1.  Reference: p_γ by iterating the state distribution."""
    def of_arrays(x):
        visitation = ref.iterated_visitation(x.pi, x.P, x.p0, x.gamma)
        return visitation @ np.sum(x.pi * x.r, 1) - x.alpha * visitation @ ref.kl(x.pi, x.prior)

    return Equal(m.regularised_objective(m.pi), objective_second_form(m), m.domain(),
                 reference=on_arrays(m, of_arrays))


@note.claim(
    "N2",
    r"(1 - \gamma) \mathbb{E}_{\tau \sim \mathcal{MDP}(\pi)} \bigg[\sum^{\infty}_{t=0} \gamma^t"
    r" [r_t - \alpha D_{KL}(\pi(\cdot \vert s) \Vert \tilde \pi(\cdot \vert s))] \bigg]"
    r" = \mathbb{E}_{s \sim p_{\gamma}, a \sim \pi} [r(s, a) - \alpha D_{KL}(\pi(\cdot \vert s) \Vert \tilde \pi(\cdot \vert s))]",
    part="trajectory",
    sizes=MDP,
    model=SymbolicMDP,
)
def regularised_normalised_return_eq_expectation_under_visitation(m):
    """The third form against the second, read right to left so that the trajectory side is the
    one checked against its reference.  Inside the sum over t the note writes D_KL(π(·|s) ‖ π̃(·|s))
    with s unbound; it is read as s = s_t, as in N3.  The trajectory side is (1 − γ) Σ_s p0(s) V_π(s)
    with V_π = Σ_a π r − α KL + γ P^π V_π (`soft_value_of_policy`)."""
    trajectory = (1 - m.gamma) * sum(m.p0[s] * m.soft_value_of_policy(m.pi)[s] for s in range(m.n_states))
    reference = on_arrays(m, lambda x: ref.normalised_return(x.pi, x.P, x.p0, penalised_reward_of(x), x.gamma))
    return Equal(trajectory, objective_second_form(m), m.domain(), reference=reference)


def trajectory_q_first_definition(x):
    """Q_π of the first definition at one numeric instance, from the trajectories."""
    return ref.trajectory_q(x.pi, x.P, penalised_reward_of(x), penalised_reward_of(x), x.gamma)


def trajectory_q_second_definition(x):
    """Q_π of the second definition at one numeric instance: no penalty at t = 0."""
    return ref.trajectory_q(x.pi, x.P, x.r, penalised_reward_of(x), x.gamma)


@note.claim(
    "N3",
    r"Q_\pi(s, a) = \mathbb{E}_{\tau \sim \mathcal{MDP}(\pi)} \bigg[\sum^{\infty}_{t=0} \gamma^t [r_t - \alpha"
    r" D_{KL}(\pi(\cdot \vert s_t) \Vert \tilde \pi(\cdot \vert s_t)) \vert s_0 = s, a_0 = a] \bigg]",
    sizes=MDP,
    model=SymbolicMDP,
)
def first_definition_q_splits_after_the_first_step(m):
    """The definition, checked two ways: the encoding (`q_kl_from_start`) agrees with the
    trajectory expectation computed by iterating the distribution of (s_t, a_t) from (s, a)
    (the reference), and the sum splits after its first term into
    Q_π(s,a) = r(s,a) − α D_KL(s) + γ Σ_{s'} p(s'|s,a) V_π(s') with V_π = E_a Q_π, the next display."""
    Q = m.q_kl_from_start(m.pi)
    first_step = penalised_reward(m) + m.gamma * m.expected_next(m.average(Q, m.pi))
    return Equal(Q, first_step, m.domain(), reference=on_arrays(m, trajectory_q_first_definition))


@note.claim(
    "N3",
    r"V_\pi(s) = \mathbb{E}_{a \sim \pi(\cdot \vert s)} [Q_\pi(s, a)]",
    part="value",
    sizes=MDP,
    model=SymbolicMDP,
)
def first_definition_value_is_expected_regularised_return(m):
    """V_π = E_a Q_π is the same trajectory expectation started from s with a_0 ~ π(·|s):
    V_π = Σ_a π r − α KL + γ P^π V_π (`soft_value_of_policy`).  Reference: the trajectory
    expectation from s, by iterating the distribution of (s_t, a_t)."""
    reference = on_arrays(m, lambda x: ref.trajectory_value(x.pi, x.P, penalised_reward_of(x), x.gamma))
    return Equal(m.average(m.q_kl_from_start(m.pi), m.pi), m.soft_value_of_policy(m.pi), m.domain(),
                 reference=reference)


def normalised_regularised_return(x):
    """ρ(π) of N2 at one numeric instance, from the trajectories."""
    return ref.normalised_return(x.pi, x.P, x.p0, penalised_reward_of(x), x.gamma)


@note.claim(
    "N3",
    r"\rho(\pi) = \mathbb{E}_{s \sim p_0, a \sim \pi(\cdot \vert s)} [Q_\pi(s, a)]",
    part="objective",
    sizes=MDP,
    model=SymbolicMDP,
    expect="refuted",
)
def objective_eq_expected_first_definition_q_as_written(m):
    """As the note writes it, with ρ(π) as N1-N2 define it: wrong by the factor (1 − γ).
    E_{s~p0, a~π}[Q_π] is the unnormalised E_τ[Σ_t γ^t (r_t − α KL)], while N1-N2 normalise ρ by
    (1 − γ).  N3.objective_normalised is the corrected claim."""
    return Equal(objective_second_form(m), from_start(m, m.q_kl_from_start(m.pi)), m.domain(),
                 reference=on_arrays(m, normalised_regularised_return))


@note.claim(
    "N3",
    r"\rho(\pi) = (1 - \gamma) \mathbb{E}_{s \sim p_0, a \sim \pi(\cdot \vert s)} [Q_\pi(s, a)]",
    part="objective_normalised",
    sizes=MDP,
    model=SymbolicMDP,
)
def objective_eq_normalised_expected_first_definition_q(m):
    """The corrected N3.objective: the factor (1 − γ) of N1-N2 is restored."""
    return Equal(objective_second_form(m), (1 - m.gamma) * from_start(m, m.q_kl_from_start(m.pi)),
                 m.domain(), reference=on_arrays(m, normalised_regularised_return))


@note.claim(
    "N4",
    r"TQ = R - \alpha D_{KL}(\pi\Vert\tilde \pi) + \gamma \mathbf{P}_{\pi} Q",
    sizes=MDP,
    model=SymbolicMDP,
)
def first_definition_q_is_fixed_point_of_matrix_form(m):
    """The matrix form has no max: it is the operator T_π of one policy π, and the first
    definition's Q_π (N3) is its fixed point, T_π Q_π = Q_π, with P_π the |S||A|×|S||A| kernel
    p(s'|s,a) π(a'|s').  Calling it optimal is wrong: see N4.not_optimal.  Reference: T_π applied
    to Q_π computed by value iteration."""
    Q = m.q_kl_from_start(m.pi)

    def of_arrays(x):
        Q = ref.q_kl_from_start(x.pi, x.r, x.P, x.prior, x.alpha, x.gamma)
        return ref.bellman_kl_from_start(Q, x.pi, x.r, x.P, x.prior, x.alpha, x.gamma)

    return Equal(m.bellman_kl_from_start(Q, m.pi), Q, m.domain(), reference=on_arrays(m, of_arrays))


def first_definition_bracket(m, Q, policy):
    """R(s,a) − α D_KL(π(·|s) ‖ π̃(·|s)) + γ Σ_{s'} p(s'|s,a) Σ_{a'} π(a'|s') Q(s',a'), written out:
    the expression inside the max of N4's element-wise form."""
    S, A = m.n_states, m.n_actions

    def kl_at(s):
        return sum(policy[s, b] * sp.log(policy[s, b] / m.prior[s, b]) for b in range(A))

    def next_value(s2):
        return sum(policy[s2, b] * Q[s2, b] for b in range(A))

    return sp.Matrix(S, A, lambda s, a: m.r[s, a] - m.alpha * kl_at(s)
                     + m.gamma * sum(m.p(s, a, s2) * next_value(s2) for s2 in range(S)))


@note.claim(
    "N4",
    r"R(s, a) - \alpha D_{KL}(\pi(\cdot \vert s) \Vert \tilde \pi(\cdot \vert s)) + \gamma \sum_{s'} p(s' \vert s, a)"
    r" \sum_{a'} \pi(a' \vert s') Q(s', a') \;\text{equals}\; (R - \alpha D_{KL}(\pi\Vert\tilde \pi) + \gamma \mathbf{P}_{\pi} Q)(s, a)",
    part="elementwise",
    sizes=MDP,
    model=SymbolicMDP,
)
def first_definition_bracket_eq_matrix_form(m):
    """For every policy π and every Q, the expression inside the element-wise form's max is the
    (s, a) entry of the matrix form: the element-wise form without its max is T_π."""
    reference = on_arrays(m, lambda x: ref.bellman_kl_from_start(x.Q, x.pi, x.r, x.P, x.prior, x.alpha, x.gamma))
    return Equal(first_definition_bracket(m, m.Q, m.pi), m.bellman_kl_from_start(m.Q, m.pi), m.domain(),
                 reference=reference)


@note.claim(
    "N4",
    r"\max_{\pi'} \Big[R(s, a) - \alpha D_{KL}(\pi'(\cdot \vert s) \Vert \tilde \pi(\cdot \vert s)) + \gamma \sum_{s'}"
    r" p(s' \vert s, a) \sum_{a'} \pi'(a' \vert s') Q(s', a')\Big] = (R - \alpha D_{KL}(\pi\Vert\tilde \pi) + \gamma"
    r" \mathbf{P}_{\pi} Q)(s, a)",
    part="not_optimal",
    sizes=MDP,
    model=SymbolicMDP,
    expect="refuted",
)
def matrix_form_is_the_optimal_operator_as_written(m):
    """The note calls the matrix form the optimal operator and writes the element-wise form with a
    max over π; both are the same operator only if the given π attains that max, i.e. if no other
    policy π' gives a larger bracket.  Checked at (s, a) = (0, 0): the bracket at π' is at most the
    matrix form at π.  It fails for most pairs π, π': the matrix form is T_π, the operator of one
    policy (N4 proves its fixed point is Q_π), not an optimal operator."""
    other = sp.Matrix(m.n_states, m.n_actions, lambda s, a: sp.Symbol(f"pib_{s}_{a}", positive=True))
    domain = m.domain() + [Simplex(other.row(s)) for s in range(m.n_states)]
    return Inequality(first_definition_bracket(m, m.Q, other)[0, 0], m.bellman_kl_from_start(m.Q, m.pi)[0, 0], domain)


@note.claim(
    "N5",
    r"Q_\pi(s, a) = \mathbb{E}_{\tau \sim \mathcal{MDP}(\pi)} \bigg[r_0 + \sum^{\infty}_{t=1} \gamma^t [r_t - \alpha"
    r" D_{KL}(\pi(\cdot \vert s_t) \Vert \tilde \pi(\cdot \vert s_t)) \vert s_0 = s, a_0 = a] \bigg]",
    sizes=MDP,
    model=SymbolicMDP,
)
def second_definition_q_splits_after_the_first_step(m):
    """The definition, checked two ways: the encoding (`q_kl_from_next`) agrees with the trajectory
    expectation without the penalty at t = 0 (the reference), and the sum splits after its first
    term into Q_π(s,a) = r(s,a) + γ Σ_{s'} p(s'|s,a) V_π(s') with V_π = E_a Q_π − α KL, the next
    display."""
    Q = m.q_kl_from_next(m.pi)
    V = m.average(Q, m.pi) - m.alpha * m.kl(m.pi)
    return Equal(Q, m.r + m.gamma * m.expected_next(V), m.domain(),
                 reference=on_arrays(m, trajectory_q_second_definition))


@note.claim(
    "N5",
    r"V_\pi(s) = \mathbb{E}_{a \sim \pi(\cdot \vert s)} [Q_\pi(s, a)] - \alpha D_{KL}(\pi(\cdot \vert s) \Vert \tilde \pi(\cdot \vert s))",
    part="value",
    sizes=MDP,
    model=SymbolicMDP,
)
def second_definition_value_is_expected_regularised_return(m):
    """V_π = E_a Q_π − α KL is the regularised return from s, penalty at t = 0 included: the same
    V_π as the first definition's (`soft_value_of_policy`).  Reference: the trajectory
    expectation from s, by iterating the distribution of (s_t, a_t)."""
    V = m.average(m.q_kl_from_next(m.pi), m.pi) - m.alpha * m.kl(m.pi)
    reference = on_arrays(m, lambda x: ref.trajectory_value(x.pi, x.P, penalised_reward_of(x), x.gamma))
    return Equal(V, m.soft_value_of_policy(m.pi), m.domain(), reference=reference)


@note.claim(
    "N5",
    r"\rho(\pi) = \mathbb{E}_{s \sim p_0, a \sim \pi(\cdot \vert s)}[Q_\pi(s, a) - \alpha D_{KL}(\pi(\cdot \vert s) \Vert \tilde \pi(\cdot \vert s))]",
    part="objective",
    sizes=MDP,
    model=SymbolicMDP,
    expect="refuted",
)
def objective_eq_expected_second_definition_q_minus_kl_as_written(m):
    """As the note writes it, with ρ(π) as N1-N2 define it: wrong by the factor (1 − γ), as in
    N3.objective.  N5.objective_normalised is the corrected claim."""
    penalised_q = m.q_kl_from_next(m.pi) - m.alpha * m.per_pair(m.kl(m.pi))
    return Equal(objective_second_form(m), from_start(m, penalised_q), m.domain(),
                 reference=on_arrays(m, normalised_regularised_return))


@note.claim(
    "N5",
    r"\rho(\pi) = (1 - \gamma) \mathbb{E}_{s \sim p_0, a \sim \pi(\cdot \vert s)}[Q_\pi(s, a) - \alpha D_{KL}(\pi(\cdot \vert s) \Vert \tilde \pi(\cdot \vert s))]",
    part="objective_normalised",
    sizes=MDP,
    model=SymbolicMDP,
)
def objective_eq_normalised_expected_second_definition_q_minus_kl(m):
    """The corrected N5.objective: the factor (1 − γ) of N1-N2 is restored."""
    penalised_q = m.q_kl_from_next(m.pi) - m.alpha * m.per_pair(m.kl(m.pi))
    return Equal(objective_second_form(m), (1 - m.gamma) * from_start(m, penalised_q), m.domain(),
                 reference=on_arrays(m, normalised_regularised_return))


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
