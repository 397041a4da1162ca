"""N1–N5: the objective, and the first and second definitions of Q_π."""

import numpy as np
import sympy as sp

from symderiv import (
    Equal,
    Inequality,
    Simplex,
)
from symderiv.rl import SymbolicMDP
from symderiv.rl import reference as ref

from . import note
from .common import MDP, on_arrays

# ---------------------------------------------------------------------------------------------
# N1-N5: the objective, and the first and second definitions of Q_π
# ---------------------------------------------------------------------------------------------


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
    prose_line=14,
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
    r"\mathbb{E}_{s \sim p_{\gamma}(\cdot; \pi), a \sim \pi(\cdot \vert s)} [r(s, a)] - \alpha"
    r" \mathbb{E}_{s \sim p_{\gamma}(\cdot; \pi)}[D_{KL}(\pi(\cdot \vert s) \Vert \tilde \pi(\cdot \vert s))]"
    r" = \mathbb{E}_{s \sim p_{\gamma}(\cdot; \pi), a \sim \pi(\cdot \vert s)}"
    r" [r(s, a) - \alpha D_{KL}(\pi(\cdot \vert s) \Vert \tilde \pi(\cdot \vert s))]",
    sizes=MDP,
    model=SymbolicMDP,
    uses=["N1"],
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
    r"\mathbb{E}_{s \sim p_{\gamma}(\cdot; \pi), a \sim \pi(\cdot \vert s)}"
    r" [r(s, a) - \alpha D_{KL}(\pi(\cdot \vert s) \Vert \tilde \pi(\cdot \vert s))]"
    r" = (1 - \gamma) \mathbb{E}_{\tau \sim \mathcal{MDP}(\pi)} \bigg[\sum^{\infty}_{t=0} \gamma^t"
    r" [r_t - \alpha D_{KL}(\pi(\cdot \vert s) \Vert \tilde \pi(\cdot \vert s))] \bigg]",
    part="trajectory",
    sizes=MDP,
    model=SymbolicMDP,
    uses=["N1"],
)
def regularised_return_eq_expectation_under_visitation(m):
    """The second form equals the third, as the note writes them; the encoding puts the trajectory
    side on the left, the side checked against its reference.  Inside the sum over t the note
    writes D_KL(π(·|s) ‖ π̃(·|s)) with s unbound; it is read as s = s_t, as in N3.  The trajectory side is (1 − γ) Σ_s p0(s) V_π(s)
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
    uses=["N3"],
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
    uses=["N2"],
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
    corrects="N3.objective",
    uses=["N2"],
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
    uses=["N3"],
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
    corrects="N4.not_optimal",
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
    prose_line=52,
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
    uses=["N3.value"],
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
    uses=["N2"],
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
    corrects="N5.objective",
    uses=["N2"],
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
