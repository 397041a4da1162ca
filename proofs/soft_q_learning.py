"""Proof obligations for the note on Schulman, Chen and Abbeel (2017), "Equivalence
Between Policy Gradients and Soft Q-Learning" (source: shared/seeds/000_b3a86397f123462f.txt).

Each obligation cites the note's step (N1 ... N19) and its LaTeX.  Steps the checker
refutes keep their expected verdict `refuted`, and the corrected claim is proved beside
them under the same step id, with the difference named in its docstring.
"""

import numpy as np
import sympy as sp

from symderiv import (
    Derivation,
    Equal,
    Inequality,
    JacobianContraction,
    NonNegative,
    Positive,
    Real,
    Simplex,
    SmoothFunctions,
    SumOfNonNegative,
    Term,
    sizes,
    sup_norm,
)
from symderiv.rl import VOCABULARY, SymbolicMDP
from symderiv.rl import reference as ref

note = Derivation(
    "Equivalence between policy gradients and soft Q-learning: a derivation note",
    source="shared/seeds/000_b3a86397f123462f.txt",
    steps=[f"N{i}" for i in range(1, 20)],
    vocabularies=[VOCABULARY],
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
    return Equal(
        trajectory,
        m.objective(m.pi),
        m.domain(),
        reference=on_arrays(m, lambda x: ref.normalised_return(x.pi, x.P, x.p0, x.r, x.gamma)),
    )


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
    return Equal(
        sum(m.discounted_visitation(m.pi)),
        1,
        m.domain(),
        reference=on_arrays(m, lambda x: np.sum(ref.iterated_visitation(x.pi, x.P, x.p0, x.gamma))),
    )


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

    return Equal(m.regularised_objective(m.pi), objective_second_form(m), m.domain(), reference=on_arrays(m, of_arrays))


@note.claim(
    "N2",
    r"(1 - \gamma) \mathbb{E}_{\tau \sim \mathcal{MDP}(\pi)} \bigg[\sum^{\infty}_{t=0} \gamma^t"
    r" [r_t - \alpha D_{KL}(\pi(\cdot \vert s) \Vert \tilde \pi(\cdot \vert s))] \bigg]"
    r" = \mathbb{E}_{s \sim p_{\gamma}, a \sim \pi} [r(s, a) - \alpha D_{KL}(\pi(\cdot \vert s) \Vert \tilde \pi(\cdot \vert s))]",
    part="trajectory",
    sizes=MDP,
    model=SymbolicMDP,
)
def regularised_return_eq_expectation_under_visitation(m):
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
    return Equal(
        m.average(m.q_kl_from_start(m.pi), m.pi), m.soft_value_of_policy(m.pi), m.domain(), reference=reference
    )


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
    return Equal(
        objective_second_form(m),
        from_start(m, m.q_kl_from_start(m.pi)),
        m.domain(),
        reference=on_arrays(m, normalised_regularised_return),
    )


@note.claim(
    "N3",
    r"\rho(\pi) = (1 - \gamma) \mathbb{E}_{s \sim p_0, a \sim \pi(\cdot \vert s)} [Q_\pi(s, a)]",
    part="objective_normalised",
    sizes=MDP,
    model=SymbolicMDP,
)
def objective_eq_normalised_expected_first_definition_q(m):
    """The corrected N3.objective: the factor (1 − γ) of N1-N2 is restored."""
    return Equal(
        objective_second_form(m),
        (1 - m.gamma) * from_start(m, m.q_kl_from_start(m.pi)),
        m.domain(),
        reference=on_arrays(m, normalised_regularised_return),
    )


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

    return sp.Matrix(
        S,
        A,
        lambda s, a: m.r[s, a] - m.alpha * kl_at(s) + m.gamma * sum(m.p(s, a, s2) * next_value(s2) for s2 in range(S)),
    )


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
    return Equal(
        first_definition_bracket(m, m.Q, m.pi), m.bellman_kl_from_start(m.Q, m.pi), m.domain(), reference=reference
    )


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
    matrix form at π.  It fails: the matrix form is T_π, the operator of one policy (N4 proves its
    fixed point is Q_π), not an optimal operator; the element-wise form without its max is the same
    T_π (N4.elementwise)."""
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
    term into Q_π(s,a) = r(s,a) + γ Σ_{s'} p(s'|s,a) V_π(s'), V_π(s') the regularised return from s'
    with the penalty at t = 0 (`soft_value_of_policy`), which N5.value shows is the next display's
    E_a Q_π − α KL.  Written with that display's V_π instead, the 3-state claim needs Σ_a π = 1 inside
    every value of the expression and does not reduce within the time limit."""
    Q = m.q_kl_from_next(m.pi)
    return Equal(
        Q,
        m.r + m.gamma * m.expected_next(m.soft_value_of_policy(m.pi)),
        m.domain(),
        reference=on_arrays(m, trajectory_q_second_definition),
    )


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
def objective_eq_expected_penalised_q_as_written(m):
    """As the note writes it, with ρ(π) as N1-N2 define it: wrong by the factor (1 − γ), as in
    N3.objective.  N5.objective_normalised is the corrected claim."""
    penalised_q = m.q_kl_from_next(m.pi) - m.alpha * m.per_pair(m.kl(m.pi))
    return Equal(
        objective_second_form(m),
        from_start(m, penalised_q),
        m.domain(),
        reference=on_arrays(m, normalised_regularised_return),
    )


@note.claim(
    "N5",
    r"\rho(\pi) = (1 - \gamma) \mathbb{E}_{s \sim p_0, a \sim \pi(\cdot \vert s)}[Q_\pi(s, a) - \alpha D_{KL}(\pi(\cdot \vert s) \Vert \tilde \pi(\cdot \vert s))]",
    part="objective_normalised",
    sizes=MDP,
    model=SymbolicMDP,
)
def objective_eq_normalised_expected_penalised_q(m):
    """The corrected N5.objective: the factor (1 − γ) of N1-N2 is restored."""
    penalised_q = m.q_kl_from_next(m.pi) - m.alpha * m.per_pair(m.kl(m.pi))
    return Equal(
        objective_second_form(m),
        (1 - m.gamma) * from_start(m, penalised_q),
        m.domain(),
        reference=on_arrays(m, normalised_regularised_return),
    )


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


# ---------------------------------------------------------------------------------------------
# N14-N19: the soft Q-learning loss, its gradient, and the remarks
#
# Q(s,a;θ) is an unknown real function q_s_a(θ) per pair (m.q_functions), so a proved claim holds for every
# parameterisation, not only a table; numerically each becomes a concrete non-linear function
# (SmoothFunctions).  θ is one real parameter: each component of a gradient is a derivative along one
# coordinate, and along a line every smooth parameterisation is an unknown function of one variable.
# The note's policy and value are those of Q(θ): π(a|s;θ) = π_Q (N8) and V(s;θ) = V_Q (N9).
# Stop-gradients are explicit: what the note holds fixed is written at THETA_TARGET (the target TQ, V̂)
# or THETA_SAMPLE (a sampling distribution held fixed), and set to θ after differentiating.
# Each gradient claim carries a NumPy reference that recomputes its left side from symderiv.reference,
# with derivatives by complex step, so the encoding itself is tested.
# ---------------------------------------------------------------------------------------------

THETA = sp.Symbol("theta", real=True)
THETA_TARGET = sp.Symbol("theta_target", real=True)
THETA_SAMPLE = sp.Symbol("theta_sample", real=True)
#: N18 differentiates p_γ(·;π_θ) and V_{π_θ}, solved linear systems: proved up to 2×3 and 3×2
#: in seconds; at 3×3 the numerator of the difference outgrows memory (24 GB, measured).
POLICY_GRADIENT = sizes([1], [2, 3]) + sizes([2], [2, 3]) + sizes([3], [2])


def gradient(expr):
    """∇_θ expr, then the stop-gradients released: θ_target = θ_sample = θ."""
    return sp.diff(expr, THETA).xreplace({THETA_TARGET: THETA, THETA_SAMPLE: THETA})


def state_distribution(m):
    """p(s), the state distribution of the loss: a free point of the simplex."""
    return sp.Matrix(m.n_states, 1, lambda s, _: sp.Symbol(f"p_{s}", positive=True))


def loss_setting(m):
    """p, the unknown functions Q(·,·;θ), and the domain of a claim about the loss."""
    p = state_distribution(m)
    functions = SmoothFunctions(list(m.q_functions(THETA)), THETA)
    return p, functions, m.domain() + [functions, Simplex(p)]


def expectation(m, p, policy, table):
    """E_{s~p, a~π(·|s)}[table(s, a)]."""
    S, A = m.n_states, m.n_actions
    return sum(p[s] * policy[s, a] * table[s, a] for s in range(S) for a in range(A))


def q_hat(m, V, policy):
    """Q̂(s,a) = r(s,a) + γ Σ_{s'} p(s'|s,a) V(s') − α ln(π(a|s)/π̃(a|s))  (N17)."""
    log_ratio = sp.Matrix(m.n_states, m.n_actions, lambda s, a: sp.log(policy[s, a] / m.prior[s, a]))
    return m.r + m.gamma * m.expected_next(V) - m.alpha * log_ratio


def v_hat(m, V, policy):
    """V̂(s) = Σ_a π(a|s)[r(s,a) + γ Σ_{s'} p(s'|s,a) V(s')] − α D_KL(s)  (N17)."""
    return m.average(m.r + m.gamma * m.expected_next(V), policy) - m.alpha * m.kl(policy)


def soft_q_loss(m, p, sample_at):
    """L = E_{s~p, a~π(·|s; sample_at)}[½ (Q(s,a;θ) − TQ(s,a;θ_target))²], TQ = R + γ P V_Q (N13)."""
    Q = m.q_functions(THETA)
    TQ = m.soft_bellman_optimal(m.q_functions(THETA_TARGET))
    squared_error = (Q - TQ).applyfunc(lambda e: e**2 / 2)
    return expectation(m, p, m.boltzmann(m.q_functions(sample_at)), squared_error)


def gradient_first_line(m, p):
    """E_{s~p, a~π(·|s;θ)}{[Q(s,a;θ) − TQ(s,a;θ)] ∇_θ Q(s,a;θ)}."""
    Q = m.q_functions(THETA)
    td = Q - m.soft_bellman_optimal(Q)
    return expectation(m, p, m.boltzmann(Q), td.multiply_elementwise(Q.diff(THETA)))


def gradient_second_line(m, p):
    """E{[V + α ln(π/π̃) − r − γ Σ_{s'} p V(s')] ∇_θ [V + α ln(π/π̃)]}, with V = V_Q, π = π_Q at θ."""
    Q = m.q_functions(THETA)
    V, pi = m.soft_value(Q), m.boltzmann(Q)
    soft_q = sp.Matrix(m.n_states, m.n_actions, lambda s, a: V[s] + m.alpha * sp.log(pi[s, a] / m.prior[s, a]))
    td = soft_q - m.r - m.gamma * m.expected_next(V)
    return expectation(m, p, pi, td.multiply_elementwise(soft_q.diff(THETA)))


def gradient_third_line(m, p):
    """E{−α Q̂ ∇_θ ln π + ∇_θ ½‖V(s;θ) − V̂(s;θ_target)‖²}, V̂ held fixed, then θ_target = θ."""
    Q = m.q_functions(THETA)
    V, pi = m.soft_value(Q), m.boltzmann(Q)
    Q_target = m.q_functions(THETA_TARGET)
    V_hat = v_hat(m, m.soft_value(Q_target), m.boltzmann(Q_target))
    score = pi.applyfunc(lambda x: sp.log(x).diff(THETA))
    value_error = sp.Matrix(m.n_states, 1, lambda s, _: gradient((V[s] - V_hat[s]) ** 2 / 2))
    return expectation(m, p, pi, -m.alpha * q_hat(m, V, pi).multiply_elementwise(score) + m.per_pair(value_error))


# -- the NumPy side: the same quantities from symderiv.reference, derivatives by complex step --------


def numeric_q(m, functions, values):
    """θ ↦ Q(·,·;θ) of one sampled instance, as an |S|×|A| array (complex θ allowed)."""
    members = [functions.at_instance(f, values) for f in functions.functions]
    return lambda t: np.array([f(t) for f in members]).reshape(m.n_states, m.n_actions)


def _numeric_instance(m, p, functions, values):
    return m.arrays(values), numeric_q(m, functions, values), values[THETA], np.array([values[s] for s in p])


def loss_gradient_reference(m, p, functions, sampling_follows_theta):
    """∇_θ L by complex step: the target TQ fixed at θ, the sampling policy π_Q too unless it follows θ."""

    def reference(values):
        x, q, t0, probs = _numeric_instance(m, p, functions, values)
        target = ref.soft_bellman_target(q(t0), x.r, x.P, x.prior, x.alpha, x.gamma)

        def loss(t):
            sampling = q(t) if sampling_follows_theta else q(t0)
            return ref.soft_q_loss(q(t), target, ref.boltzmann_policy(sampling, x.prior, x.alpha), probs)

        return ref.complex_step_derivative(loss, t0)

    return reference


def first_line_reference(m, p, functions):
    """E_{s~p, a~π}[(Q − TQ) ∇Q] at θ, with ∇Q by complex step."""

    def reference(values):
        x, q, t0, probs = _numeric_instance(m, p, functions, values)
        Q = q(t0)
        td = Q - ref.soft_bellman_target(Q, x.r, x.P, x.prior, x.alpha, x.gamma)
        pi = ref.boltzmann_policy(Q, x.prior, x.alpha)
        return np.sum(probs[:, None] * pi * td * ref.complex_step_derivative(q, t0))

    return reference


def second_line_reference(m, p, functions):
    """E{[V + α ln(π/π̃) − r − γ P V] ∇[V + α ln(π/π̃)]} at θ, with ∇ by complex step."""

    def reference(values):
        x, q, t0, probs = _numeric_instance(m, p, functions, values)

        def soft_q(t):
            V = ref.soft_value(q(t), x.prior, x.alpha)
            return V[:, None] + x.alpha * np.log(ref.boltzmann_policy(q(t), x.prior, x.alpha) / x.prior)

        Q = q(t0)
        V = ref.soft_value(Q, x.prior, x.alpha)
        td = soft_q(t0) - x.r - x.gamma * x.P @ V
        pi = ref.boltzmann_policy(Q, x.prior, x.alpha)
        return np.sum(probs[:, None] * pi * td * ref.complex_step_derivative(soft_q, t0))

    return reference


# -- N14 ---------------------------------------------------------------------------------------------


@note.claim(
    "N14",
    r"L(\theta_Q) = \mathbb{E}_{s\sim p, a \sim \pi(\cdot|s;\theta_Q)}\Big[\frac{1}{2}"
    r"\Vert Q(s,a;\theta_Q) - TQ(s,a;\theta)\Vert^2\Big|_{\theta=\theta_Q}\Big]",
    sizes=MDP,
    model=SymbolicMDP,
)
def soft_q_loss_with_optimal_operator_target(m):
    """The loss with TQ the optimal operator of N6 at its maximiser π_Q (N8) equals the loss with
    TQ = R + γ P V_Q (N13), the form the gradient below uses; the stop-gradient changes no value.
    The reference recomputes the loss as written, with NumPy."""
    p, functions, domain = loss_setting(m)
    Q_target = m.q_functions(THETA_TARGET)
    TQ = m.bellman_kl_from_next(Q_target, m.boltzmann(Q_target))
    Q = m.q_functions(THETA)
    as_written = expectation(m, p, m.boltzmann(Q), (Q - TQ).applyfunc(lambda e: e**2 / 2))
    at_theta = {THETA_TARGET: THETA}

    def reference(values):
        x, q, t0, probs = _numeric_instance(m, p, functions, values)
        Q0 = q(t0)
        pi = ref.boltzmann_policy(Q0, x.prior, x.alpha)
        # N6's target at π_Q: r + γ Σ_{s'} p(s'|s,a) Σ_{a'} π_Q(a'|s')[Q(s',a') − α ln(π_Q(a'|s')/π̃(a'|s'))].
        target = x.r + x.gamma * x.P @ np.sum(pi * (Q0 - x.alpha * np.log(pi / x.prior)), 1)
        return ref.soft_q_loss(Q0, target, pi, probs)

    return Equal(as_written.xreplace(at_theta), soft_q_loss(m, p, THETA).xreplace(at_theta), domain, reference)


# -- N15 ---------------------------------------------------------------------------------------------


@note.claim(
    "N15",
    r"\nabla_{\theta_Q} L(\theta_Q) = \mathbb{E}_{s\sim p, a \sim \pi(\cdot|s;\theta_Q)}"
    r"\Big\{[Q(s,a;\theta_Q) - TQ(s,a;\theta_Q)]\nabla_{\theta_Q} Q(s,a;\theta_Q)\Big\}",
    sizes=MDP,
    model=SymbolicMDP,
    expect="refuted",
)
def loss_gradient_eq_td_error_times_q_gradient(m):
    """As written: L samples a ~ π(·|s;θ_Q), which depends on θ_Q, and only TQ is held fixed, so ∇L also
    has the score term E[½(Q − TQ)² ∇ ln π] (N15.sampling_term).  The first line holds when the sampling
    distribution is held fixed (N15.fixed_sampling)."""
    p, functions, domain = loss_setting(m)
    lhs = gradient(soft_q_loss(m, p, THETA))
    return Equal(lhs, gradient_first_line(m, p), domain, loss_gradient_reference(m, p, functions, True))


@note.claim(
    "N15",
    r"\nabla_{\theta_Q} L(\theta_Q)\big|_{a \sim \pi(\cdot|s;\theta')\text{ fixed}} = "
    r"\mathbb{E}_{s\sim p, a \sim \pi(\cdot|s;\theta_Q)}"
    r"\Big\{[Q(s,a;\theta_Q) - TQ(s,a;\theta_Q)]\nabla_{\theta_Q} Q(s,a;\theta_Q)\Big\}",
    part="fixed_sampling",
    sizes=MDP,
    model=SymbolicMDP,
)
def loss_gradient_with_fixed_sampling_eq_td_error_times_q_gradient(m):
    """The corrected first line: with the sampling distribution held fixed at θ′ as well as the target,
    then θ′ = θ_Q, the gradient is E[(Q − TQ) ∇Q].  It differs from the note's loss by the score term
    E[½(Q − TQ)² ∇ ln π]."""
    p, functions, domain = loss_setting(m)
    lhs = gradient(soft_q_loss(m, p, THETA_SAMPLE))
    return Equal(lhs, gradient_first_line(m, p), domain, loss_gradient_reference(m, p, functions, False))


@note.claim(
    "N15",
    r"\nabla_{\theta_Q} L(\theta_Q) = \mathbb{E}\Big\{[Q - TQ]\nabla_{\theta_Q} Q\Big\}"
    r" + \mathbb{E}\Big\{\frac{1}{2}\Vert Q - TQ\Vert^2 \nabla_{\theta_Q} \ln\pi(a|s;\theta_Q)\Big\}",
    part="sampling_term",
    sizes=MDP,
    model=SymbolicMDP,
)
def loss_gradient_eq_first_line_plus_score_term(m):
    """The difference between the note's loss gradient and its first line, named: the sampling
    distribution π_Q(θ_Q) contributes E_{s~p, a~π}[½(Q − TQ)² ∇ ln π]."""
    p, functions, domain = loss_setting(m)
    Q = m.q_functions(THETA)
    pi = m.boltzmann(Q)
    squared_error = (Q - m.soft_bellman_optimal(Q)).applyfunc(lambda e: e**2 / 2)
    score = pi.applyfunc(lambda x: sp.log(x).diff(THETA))
    rhs = gradient_first_line(m, p) + expectation(m, p, pi, squared_error.multiply_elementwise(score))
    lhs = gradient(soft_q_loss(m, p, THETA))
    return Equal(lhs, rhs, domain, loss_gradient_reference(m, p, functions, True))


@note.claim(
    "N15",
    r"\mathbb{E}\Big\{[Q - TQ]\nabla Q\Big\} = \mathbb{E}\Big\{\Big[V(s;\theta_Q) + \alpha \ln"
    r"\frac{\pi(a|s;\theta_Q)}{\tilde\pi(a|s)} - r(s,a) - \gamma \sum_{s'} p(s'|s,a) V(s';\theta_Q)\Big]"
    r"\nabla_{\theta_Q}\Big[V(s;\theta_Q) + \alpha \ln\frac{\pi(a|s;\theta_Q)}{\tilde\pi(a|s)}\Big]\Big\}",
    part="second_line",
    sizes=MDP,
    model=SymbolicMDP,
)
def first_line_eq_soft_value_plus_log_ratio_form(m):
    """Q = V_Q + α ln(π_Q/π̃) (N11) and TQ = r + γ Σ p V_Q (N13), substituted on both sides of the product."""
    p, functions, domain = loss_setting(m)
    return Equal(gradient_first_line(m, p), gradient_second_line(m, p), domain, first_line_reference(m, p, functions))


@note.claim(
    "N15",
    r"\mathbb{E}\Big\{[V + \alpha \ln\tfrac{\pi}{\tilde\pi} - r - \gamma \textstyle\sum_{s'} p V']"
    r"\nabla[V + \alpha \ln\tfrac{\pi}{\tilde\pi}]\Big\} = \mathbb{E}_{s\sim p, a \sim \pi(\cdot|s;\theta_Q)}"
    r"\Big\{-\alpha \hat Q(s,a;\theta_Q)\nabla_{\theta_Q}\ln\pi(a|s;\theta_Q) + \nabla_{\theta_Q}\frac{1}{2}"
    r"\Vert V(s;\theta_Q) - \hat V(s;\theta)\Vert^2\big|_{\theta=\theta_Q}\Big\}",
    part="third_line",
    sizes=MDP,
    model=SymbolicMDP,
)
def second_line_eq_policy_term_plus_value_error(m):
    """Uses Σ_a ∇π = 0 (N16) and V̂ = E_{a~π} Q̂ (N17); V̂ is held fixed under the gradient."""
    p, functions, domain = loss_setting(m)
    return Equal(gradient_second_line(m, p), gradient_third_line(m, p), domain, second_line_reference(m, p, functions))


# -- N16, N17 ----------------------------------------------------------------------------------------


@note.claim(
    "N16",
    r"\sum_a \nabla_{\theta} \pi(a|s;\theta) = 0",
    sizes=PER_STATE,
    model=SymbolicMDP,
)
def policy_gradients_sum_to_zero(m):
    """For π(·|s;θ) = π_Q, a softmax of the unknown logits Q(s,a;θ)/α + ln π̃(a|s): it sums to one for
    every θ by construction, so its derivatives sum to zero."""
    functions = SmoothFunctions(list(m.q_functions(THETA)), THETA)
    pi = m.boltzmann(m.q_functions(THETA))
    lhs = sp.Matrix(m.n_states, 1, lambda s, _: sum(pi[s, a].diff(THETA) for a in range(m.n_actions)))

    def reference(values):
        x, q = m.arrays(values), numeric_q(m, functions, values)

        def total(t):
            return np.sum(ref.boltzmann_policy(q(t), x.prior, x.alpha), 1)

        return ref.complex_step_derivative(total, values[THETA])

    return Equal(lhs, sp.zeros(m.n_states, 1), m.domain() + [functions], reference)


@note.claim(
    "N17",
    r"\hat V(s;\theta) = \sum_a \pi(a|s;\theta)\,\hat Q(s,a;\theta)",
    sizes=MDP,
    model=SymbolicMDP,
)
def v_hat_is_policy_average_of_q_hat(m):
    """The relation between the note's two definitions that N15's third line uses (Σ_a π Q̂ = V̂).
    It holds for every policy on the simplex and every V, not only for π_Q and V_Q."""
    V = sp.Matrix(m.n_states, 1, lambda s, _: sp.Symbol(f"V_{s}", real=True))
    return Equal(v_hat(m, V, m.pi), m.average(q_hat(m, V, m.pi), m.pi), m.domain() + [Real(V)])


@note.claim(
    "N17",
    r"Q(s,a) - TQ(s,a) = V_Q(s) - \hat Q(s,a)",
    part="td_error",
    sizes=MDP,
    model=SymbolicMDP,
)
def td_error_eq_value_minus_q_hat(m):
    """With π = π_Q and V = V_Q, the TD error of N15's first line is V − Q̂ (by N11 and N13); with
    Σ_a ∇π = 0 and V̂ = E_a Q̂ this turns the second line into the third."""
    V, pi = m.soft_value(m.Q), m.boltzmann(m.Q)
    return Equal(m.Q - m.soft_bellman_optimal(m.Q), m.per_pair(V) - q_hat(m, V, pi), m.domain())


# -- N18 ---------------------------------------------------------------------------------------------


def policy_term(m, V, policy, states):
    """E_{s~states, a~π}[−α Q̂(s,a) ∇_θ ln π(a|s;θ)], with Q̂ built on V (N17); Q̂ is not differentiated."""
    score = policy.applyfunc(lambda x: sp.log(x).diff(THETA))
    return expectation(m, states, policy, -m.alpha * q_hat(m, V, policy).multiply_elementwise(score))


def policy_gradient_setting(m):
    """The unknown functions Q(·,·;θ), π_θ = π_Q(θ), −α ∇_θ ρ(π_θ) with ρ of N2, and the claim's domain."""
    functions = SmoothFunctions(list(m.q_functions(THETA)), THETA)
    pi = m.boltzmann(m.q_functions(THETA))
    return functions, pi, -m.alpha * m.regularised_objective(pi).diff(THETA), m.domain() + [functions]


def policy_gradient_reference(m, functions):
    """−α ∇_θ ρ(π_Q(θ)) by complex step of the NumPy regularised objective."""

    def reference(values):
        x, q = m.arrays(values), numeric_q(m, functions, values)

        def objective(t):
            policy = ref.boltzmann_policy(q(t), x.prior, x.alpha)
            return ref.regularised_objective(policy, x.r, x.P, x.p0, x.prior, x.alpha, x.gamma)

        return -x.alpha * ref.complex_step_derivative(objective, values[THETA])

    return reference


def sampling_alpha_from(m, domain, low):
    """`domain` with α sampled from [low, 20) only.  A policy gradient through a softmax loses its
    digits in floating point when the policy is nearly deterministic (α small against the spread of
    Q): below α = 0.5 about one instance in ten fails in floats, and their high-precision re-checks
    exceed the engine's budget.  The symbolic proof still covers every α > 0."""
    return [d for d in domain if m.alpha not in d.symbols] + [Positive(m.alpha, low=low)]


@note.claim(
    "N18",
    r"\mathbb{E}_{s\sim p_\gamma(\cdot;\pi_\theta), a\sim\pi_\theta}\big[-\alpha \hat Q(s,a;\theta)"
    r"\nabla_\theta\ln\pi(a|s;\theta)\big] = -\alpha\nabla_\theta\rho(\pi_\theta)"
    r"\quad (V = V_Q \text{ in } \hat Q)",
    sizes=sizes([2], [2]),
    model=SymbolicMDP,
    expect="refuted",
)
def policy_term_with_soft_value_of_q_is_policy_gradient(m):
    """The note's remark, checked: −α Q̂ ∇ ln π looks like a policy gradient but is biased.  With V = V_Q
    of a Q that is not the policy's own value, it does not average to −α times the gradient of the
    regularised objective ρ (N2), even over the policy's own discounted visitation p_γ: the equality is
    refuted, so the remark holds.  The bias is −αγ E_{s~p_γ}[Σ_a ∇π(a|s) Σ_{s'} p(s'|s,a)(V_Q(s') − V_π(s'))], which
    needs two states (N18.one_state).  A 2×2 model suffices for the counterexample."""
    functions, pi, policy_gradient, domain = policy_gradient_setting(m)
    rhs = policy_term(m, m.soft_value(m.q_functions(THETA)), pi, m.discounted_visitation(pi))
    return Equal(policy_gradient, rhs, domain, policy_gradient_reference(m, functions))


@note.claim(
    "N18",
    r"\mathbb{E}_{s\sim p_\gamma(\cdot;\pi_\theta), a\sim\pi_\theta}\big[-\alpha \hat Q(s,a;\theta)"
    r"\nabla_\theta\ln\pi(a|s;\theta)\big] = -\alpha\nabla_\theta\rho(\pi_\theta)"
    r"\quad (V = V_{\pi_\theta} \text{ in } \hat Q)",
    part="own_value",
    sizes=POLICY_GRADIENT,
    model=SymbolicMDP,
)
def policy_term_with_policys_own_value_is_policy_gradient(m):
    """Schulman, Chen and Abbeel's claim: with V the soft value of π_θ itself (V_π of N3, which both
    definitions share) and states from its discounted visitation p_γ(·;π_θ), −α Q̂ ∇ ln π averages to
    exactly −α ∇ρ(π_θ), ρ the regularised objective of N2 (normalised by 1 − γ, so no extra factor).
    The gradient passes through p_γ and V_π, so every symbolic step differentiates a solved linear
    system: sizes stop at 2×3 and 3×2 (`POLICY_GRADIENT`).  α is sampled from [0.5, 20) (see
    `sampling_alpha_from`)."""
    functions, pi, policy_gradient, domain = policy_gradient_setting(m)
    rhs = policy_term(m, m.soft_value_of_policy(pi), pi, m.discounted_visitation(pi))
    domain = sampling_alpha_from(m, domain, 0.5)
    return Equal(policy_gradient, rhs, domain, policy_gradient_reference(m, functions))


@note.claim(
    "N18",
    r"\mathbb{E}_{s\sim p_\gamma, a\sim\pi_\theta}\big[-\alpha \hat Q\nabla_\theta\ln\pi\big]"
    r" = -\alpha\nabla_\theta\rho(\pi_\theta)\quad (|S| = 1,\ \text{any } V)",
    part="one_state",
    sizes=sizes([1], [2, 3]),
    model=SymbolicMDP,
)
def policy_term_is_policy_gradient_with_one_state(m):
    """With one state V(s') does not depend on the action, so Σ_a ∇π = 0 removes it from Q̂: the
    term is unbiased for every V, here V_Q.  The bias of N18 needs at least two states.  α is sampled
    from [0.5, 20) (see `sampling_alpha_from`)."""
    functions, pi, policy_gradient, domain = policy_gradient_setting(m)
    rhs = policy_term(m, m.soft_value(m.q_functions(THETA)), pi, m.discounted_visitation(pi))
    domain = sampling_alpha_from(m, domain, 0.5)
    return Equal(policy_gradient, rhs, domain, policy_gradient_reference(m, functions))


@note.claim(
    "N18",
    r"\mathbb{E}_{s\sim p, a\sim\pi_\theta}\big[-\alpha \hat Q\nabla_\theta\ln\pi\big]"
    r" = -\alpha\nabla_\theta\rho(\pi_\theta)\quad (V = V_{\pi_\theta},\ s \sim p)",
    part="loss_states",
    sizes=sizes([2], [2]),
    model=SymbolicMDP,
    expect="refuted",
)
def policy_term_over_loss_states_is_policy_gradient(m):
    """The loss draws states from its own p, not from the policy's discounted visitation: even with
    V = V_{π_θ}, the term over s ~ p is not −α ∇ρ(π_θ) in general."""
    functions, pi, policy_gradient, domain = policy_gradient_setting(m)
    p = state_distribution(m)
    rhs = policy_term(m, m.soft_value_of_policy(pi), pi, p)
    return Equal(policy_gradient, rhs, domain + [Simplex(p)], policy_gradient_reference(m, functions))


# -- N19 ---------------------------------------------------------------------------------------------


def first_definition(m):
    """V_π = E_{a~π} Q_π and Q_π of the first definition (N3), for the model's policy π."""
    Q_first = m.q_kl_from_start(m.pi)
    return m.average(Q_first, m.pi), Q_first


@note.claim(
    "N19",
    r"\hat Q(s,a) = Q_\pi(s,a) \text{ of the first definition}\quad (V = V_\pi)",
    sizes=MDP,
    model=SymbolicMDP,
    expect="refuted",
)
def q_hat_eq_first_definition_q(m):
    """Pointwise, with V the soft value of π itself: Q̂ subtracts the sampled log-ratio α ln(π/π̃) where
    the first definition's Q_π subtracts its expectation α D_KL(s), so the two differ by
    α[D_KL(s) − ln(π(a|s)/π̃(a|s))] (N19.difference); they agree in expectation over a ~ π (N19.expectation)."""
    V, Q_first = first_definition(m)
    return Equal(q_hat(m, V, m.pi), Q_first, m.domain())


@note.claim(
    "N19",
    r"\hat Q(s,a) - Q_\pi(s,a) = \alpha\Big[D_{KL}(\pi(\cdot|s)\Vert\tilde\pi(\cdot|s))"
    r" - \ln\frac{\pi(a|s)}{\tilde\pi(a|s)}\Big]\quad (V = V_\pi)",
    part="difference",
    sizes=MDP,
    model=SymbolicMDP,
)
def q_hat_minus_first_definition_q_eq_kl_minus_log_ratio(m):
    """The corrected, pointwise form of N19: the difference named."""
    V, Q_first = first_definition(m)
    log_ratio = sp.Matrix(m.n_states, m.n_actions, lambda s, a: sp.log(m.pi[s, a] / m.prior[s, a]))
    rhs = m.alpha * (m.per_pair(m.kl(m.pi)) - log_ratio)
    return Equal(q_hat(m, V, m.pi) - Q_first, rhs, m.domain())


@note.claim(
    "N19",
    r"\mathbb{E}_{a\sim\pi(\cdot|s)}\hat Q(s,a) = \mathbb{E}_{a\sim\pi(\cdot|s)} Q_\pi(s,a)"
    r" \text{ of the first definition}\quad (V = V_\pi)",
    part="expectation",
    sizes=MDP,
    model=SymbolicMDP,
)
def q_hat_averages_to_first_definition_q(m):
    """In expectation over a ~ π(·|s) the note's remark holds: both average to V_π(s)."""
    V, Q_first = first_definition(m)
    return Equal(m.average(q_hat(m, V, m.pi), m.pi), m.average(Q_first, m.pi), m.domain())
