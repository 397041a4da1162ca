"""N14–N19: the soft Q-learning loss, its gradient, and the remarks."""

import numpy as np
import sympy as sp

from symderiv import (
    Equal,
    Positive,
    Real,
    Simplex,
    SmoothFunctions,
    derivative,
    sizes,
)
from symderiv.rl import SymbolicMDP
from symderiv.rl import reference as ref

from . import note
from .common import MDP, PER_STATE

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
    return derivative(expr, THETA).xreplace({THETA_TARGET: THETA, THETA_SAMPLE: THETA})


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
    return expectation(m, p, m.boltzmann(Q), td.multiply_elementwise(derivative(Q, THETA)))


def gradient_second_line(m, p):
    """E{[V + α ln(π/π̃) − r − γ Σ_{s'} p V(s')] ∇_θ [V + α ln(π/π̃)]}, with V = V_Q, π = π_Q at θ."""
    Q = m.q_functions(THETA)
    V, pi = m.soft_value(Q), m.boltzmann(Q)
    soft_q = sp.Matrix(m.n_states, m.n_actions, lambda s, a: V[s] + m.alpha * sp.log(pi[s, a] / m.prior[s, a]))
    td = soft_q - m.r - m.gamma * m.expected_next(V)
    return expectation(m, p, pi, td.multiply_elementwise(derivative(soft_q, THETA)))


def gradient_third_line(m, p):
    """E{−α Q̂ ∇_θ ln π + ∇_θ ½‖V(s;θ) − V̂(s;θ_target)‖²}, V̂ held fixed, then θ_target = θ."""
    Q = m.q_functions(THETA)
    V, pi = m.soft_value(Q), m.boltzmann(Q)
    Q_target = m.q_functions(THETA_TARGET)
    V_hat = v_hat(m, m.soft_value(Q_target), m.boltzmann(Q_target))
    score = derivative(pi.applyfunc(sp.log), THETA)
    value_error = sp.Matrix(m.n_states, 1, lambda s, _: gradient((V[s] - V_hat[s]) ** 2 / 2))
    return expectation(m, p, pi, -m.alpha * m.q_hat(V, pi).multiply_elementwise(score) + m.per_pair(value_error))


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
    uses=["N13"],
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
    uses=["N14"],
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
    corrects="N15",
    uses=["N14"],
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
    corrects="N15",
    sizes=MDP,
    model=SymbolicMDP,
    uses=["N14"],
)
def loss_gradient_eq_first_line_plus_score_term(m):
    """The difference between the note's loss gradient and its first line, named: the sampling
    distribution π_Q(θ_Q) contributes E_{s~p, a~π}[½(Q − TQ)² ∇ ln π]."""
    p, functions, domain = loss_setting(m)
    Q = m.q_functions(THETA)
    pi = m.boltzmann(Q)
    squared_error = (Q - m.soft_bellman_optimal(Q)).applyfunc(lambda e: e**2 / 2)
    score = derivative(pi.applyfunc(sp.log), THETA)
    rhs = gradient_first_line(m, p) + expectation(m, p, pi, squared_error.multiply_elementwise(score))
    lhs = gradient(soft_q_loss(m, p, THETA))
    return Equal(lhs, rhs, domain, loss_gradient_reference(m, p, functions, True))


@note.claim(
    "N15",
    r"\mathbb{E}\Big\{[Q - TQ]\nabla Q\Big\} = \mathbb{E}\Big\{\Big[V(s;\theta_Q) + \alpha \ln"
    r"\frac{\pi(a|s;\theta_Q)}{\tilde\pi(a|s)} - r(s,a) - \gamma \sum_{s'} p(s'|s,a) V(s';\theta_Q)\Big]"
    r"\nabla_{\theta_Q}\Big[V(s;\theta_Q) + \alpha \ln\frac{\pi(a|s;\theta_Q)}{\tilde\pi(a|s)}\Big]\Big\}",
    part="second_line",
    prose_line=148,
    sizes=MDP,
    model=SymbolicMDP,
    uses=["N11", "N13"],
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
    prose_line=151,
    sizes=MDP,
    model=SymbolicMDP,
    uses=["N16", "N17"],
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
    prose_line=156,
)
def policy_gradients_sum_to_zero(m):
    """For π(·|s;θ) = π_Q, a softmax of the unknown logits Q(s,a;θ)/α + ln π̃(a|s): it sums to one for
    every θ by construction, so its derivatives sum to zero."""
    functions = SmoothFunctions(list(m.q_functions(THETA)), THETA)
    pi = m.boltzmann(m.q_functions(THETA))
    grad_pi = derivative(pi, THETA)
    lhs = sp.Matrix(m.n_states, 1, lambda s, _: sum(grad_pi[s, a] for a in range(m.n_actions)))

    def reference(values):
        x, q = m.arrays(values), numeric_q(m, functions, values)

        def total(t):
            return np.sum(ref.boltzmann_policy(q(t), x.prior, x.alpha), 1)

        return ref.complex_step_derivative(total, values[THETA])

    return Equal(lhs, sp.zeros(m.n_states, 1), m.domain() + [functions], reference)


@note.claim(
    "N17",
    r"\hat V(s;\theta) = \sum_a \pi(a|s;\theta)\,\hat Q(s,a;\theta)",
    prose_line=165,
    sizes=MDP,
    model=SymbolicMDP,
)
def v_hat_is_policy_average_of_q_hat(m):
    """The relation between the note's two definitions that N15's third line uses (Σ_a π Q̂ = V̂).
    It holds for every policy on the simplex and every V, not only for π_Q and V_Q."""
    V = sp.Matrix(m.n_states, 1, lambda s, _: sp.Symbol(f"V_{s}", real=True))
    return Equal(v_hat(m, V, m.pi), m.average(m.q_hat(V, m.pi), m.pi), m.domain() + [Real(V)])


@note.claim(
    "N17",
    r"Q(s,a) - TQ(s,a) = V_Q(s) - \hat Q(s,a)",
    part="td_error",
    prose_line=161,
    sizes=MDP,
    model=SymbolicMDP,
    uses=["N11", "N13"],
)
def td_error_eq_value_minus_q_hat(m):
    """With π = π_Q and V = V_Q, the TD error of N15's first line is V − Q̂ (by N11 and N13); with
    Σ_a ∇π = 0 and V̂ = E_a Q̂ this turns the second line into the third."""
    V, pi = m.soft_value(m.Q), m.boltzmann(m.Q)
    return Equal(m.Q - m.soft_bellman_optimal(m.Q), m.per_pair(V) - m.q_hat(V, pi), m.domain())


# -- N18 ---------------------------------------------------------------------------------------------


def policy_term(m, V, policy, states):
    """E_{s~states, a~π}[−α Q̂(s,a) ∇_θ ln π(a|s;θ)], with Q̂ built on V (N17); Q̂ is not differentiated."""
    score = derivative(policy.applyfunc(sp.log), THETA)
    return expectation(m, states, policy, -m.alpha * m.q_hat(V, policy).multiply_elementwise(score))


def policy_gradient_setting(m):
    """The unknown functions Q(·,·;θ), π_θ = π_Q(θ), −α ∇_θ ρ(π_θ) with ρ of N2, and the claim's domain."""
    functions = SmoothFunctions(list(m.q_functions(THETA)), THETA)
    pi = m.boltzmann(m.q_functions(THETA))
    return functions, pi, -m.alpha * derivative(m.regularised_objective(pi), THETA), m.domain() + [functions]


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
    prose_line=168,
    remark=True,
    uses=["N2", "N17"],
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
    prose_line=168,
    sizes=POLICY_GRADIENT,
    model=SymbolicMDP,
    uses=["N2", "N17"],
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
    prose_line=168,
    sizes=sizes([1], [2, 3]),
    model=SymbolicMDP,
    uses=["N17"],
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
    prose_line=168,
    remark=True,
    uses=["N2", "N17"],
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
    prose_line=171,
    uses=["N3", "N17"],
)
def q_hat_eq_first_definition_q(m):
    """Pointwise, with V the soft value of π itself: Q̂ subtracts the sampled log-ratio α ln(π/π̃) where
    the first definition's Q_π subtracts its expectation α D_KL(s), so the two differ by
    α[D_KL(s) − ln(π(a|s)/π̃(a|s))] (N19.difference); they agree in expectation over a ~ π (N19.expectation)."""
    V, Q_first = first_definition(m)
    return Equal(m.q_hat(V, m.pi), Q_first, m.domain())


@note.claim(
    "N19",
    r"\hat Q(s,a) - Q_\pi(s,a) = \alpha\Big[D_{KL}(\pi(\cdot|s)\Vert\tilde\pi(\cdot|s))"
    r" - \ln\frac{\pi(a|s)}{\tilde\pi(a|s)}\Big]\quad (V = V_\pi)",
    part="difference",
    sizes=MDP,
    model=SymbolicMDP,
    corrects="N19",
    uses=["N3", "N17"],
)
def q_hat_minus_first_definition_q_eq_kl_minus_log_ratio(m):
    """The corrected, pointwise form of N19: the difference named."""
    V, Q_first = first_definition(m)
    rhs = m.alpha * (m.per_pair(m.kl(m.pi)) - m.log_ratio(m.pi))
    return Equal(m.q_hat(V, m.pi) - Q_first, rhs, m.domain())


@note.claim(
    "N19",
    r"\mathbb{E}_{a\sim\pi(\cdot|s)}\hat Q(s,a) = \mathbb{E}_{a\sim\pi(\cdot|s)} Q_\pi(s,a)"
    r" \text{ of the first definition}\quad (V = V_\pi)",
    part="expectation",
    sizes=MDP,
    model=SymbolicMDP,
    prose_line=171,
    uses=["N3", "N17"],
)
def q_hat_averages_to_first_definition_q(m):
    """In expectation over a ~ π(·|s) the note's remark holds: both average to V_π(s)."""
    V, Q_first = first_definition(m)
    return Equal(m.average(m.q_hat(V, m.pi), m.pi), m.average(Q_first, m.pi), m.domain())
