"""The note's steps for every number of states and actions (source: shared/seeds/000_b3a86397f123462f.txt),
and the zero-mean advantage of proofs/advantage.py (AD1–AD3) likewise.

Each step is written once over symbolic ranges: states s ∈ 1..|S|, actions a ∈ 1..|A|, Σ_a a sum
over the actions.  The checker proves it for every |S| ≥ 1 and |A| ≥ 1 by the sums normal form,
checks its numbers at random sizes up to 12 states and 30 actions, and checks its instances at the
sizes of the fixed-size proofs of the same step, where it is the same claim as there.  A policy's
value V_π is defined by its Bellman equation (a `ValueTable`), which the proofs use, not by a
matrix inverse.  V_Q(s) = α ln Σ_a π̃(a|s) e^{Q(s,a)/α} and π_Q(a|s) = π̃(a|s) e^{Q(s,a)/α} / Σ_a' π̃(a'|s)
e^{Q(s,a')/α}, as in the note's N9 and N8.
"""

import sympy as sp

from symderiv import (
    Derivation,
    IndexDomain,
    IndexEqual,
    IndexLevel,
    IndexRange,
    OpenInterval,
    Positive,
    SmoothTable,
    Table,
    ValueTable,
    sizes,
)
from symderiv.rl import VOCABULARY

note = Derivation(
    "Equivalence between policy gradients and soft Q-learning: steps proved for every size",
    source="shared/seeds/000_b3a86397f123462f.txt",
    vocabularies=[VOCABULARY],
    steps=["N3", "N4", "N5", "N6", "N8", "N9", "N10", "N11", "N12", "N13", "N15", "N16", "N17", "N19"],
)

#: The sizes of the note's fixed-size proofs of the same steps: one state, 2 to 4 actions.
PER_STATE = sizes([1], [2, 3, 4])
#: The sizes of its fixed-size proofs of the steps that involve several states.
MDP = sizes([1, 2, 3], [2, 3])

STATES = IndexRange(sp.Symbol("S", integer=True, positive=True), "states", "|S|", largest=12)
ACTIONS = IndexRange(sp.Symbol("A", integer=True, positive=True), "actions", "|A|", largest=30)
s = sp.Symbol("s", integer=True)
a, b, c = sp.symbols("a b c", integer=True)
s2, a2 = sp.symbols("s2 a2", integer=True)
alpha = sp.Symbol("alpha", positive=True)
gamma = sp.Symbol("gamma", positive=True)
theta = sp.Symbol("theta", real=True)
#: θ′, where the note holds a quantity fixed under the gradient (V̂ in N15), set to θ after differentiating.
theta_target = sp.Symbol("theta_target", real=True)
Q = sp.IndexedBase("Q", real=True)
prior = sp.IndexedBase("pitilde", positive=True)
pi = sp.IndexedBase("pi", positive=True)
r = sp.IndexedBase("r", real=True)
P = sp.IndexedBase("P", positive=True)
V = sp.IndexedBase("V", real=True)
#: p(s), the state distribution of N14's loss (its own, not the start distribution p₀).
loss_states = sp.IndexedBase("p", positive=True)
Vpi = sp.IndexedBase("Vpi", real=True)
Vr = sp.IndexedBase("Vr", real=True)
q = sp.Function("q", real=True)


def domain() -> IndexDomain:
    """Q(s,a), r(s,a) and V(s) real, π̃(·|s) and π(·|s) distributions over the actions, p(·|s,a) and the
    loss's p(s) over the states, α > 0, 0 < γ < 1, Q(s,a;θ) smooth in θ; V_π (regularised) and V^π (not) by their
    Bellman equations."""
    return IndexDomain(
        {s: STATES, a: ACTIONS},
        [
            Table(Q, (STATES, ACTIONS)),
            Table(prior, (STATES, ACTIONS), "distribution"),
            Table(pi, (STATES, ACTIONS), "distribution"),
            SmoothTable(q, (STATES, ACTIONS), theta),
            Table(loss_states, (STATES,), "distribution"),
            Table(r, (STATES, ACTIONS)),
            Table(P, (STATES, ACTIONS, STATES), "distribution"),
            Table(V, (STATES,)),
            ValueTable(Vpi, STATES, s, first_definition_value_equation()),
            ValueTable(Vr, STATES, s, over_actions(pi[s, b] * unregularised_q(s, b), b)),
        ],
        [Positive(alpha), OpenInterval(gamma, low=0, high=1)],
    )


def first_definition_value_equation() -> sp.Expr:
    """V_π(s) = Σ_a π(a|s)[r(s,a) − α D_KL(s) + γ Σ_{s'} p(s'|s,a) V_π(s')]: the first definition's value
    (N3) by its Bellman equation, which has one solution for 0 < γ < 1."""
    return over_actions(pi[s, b] * first_definition_q(s, b), b)


def unregularised_q(state: sp.Symbol, action: sp.Symbol) -> sp.Expr:
    """Q^π(s,a) = r(s,a) + γ Σ_{s'} p(s'|s,a) V^π(s'), V^π = Σ_a π Q^π by its Bellman equation."""
    nxt = sp.Symbol("s_next", integer=True)
    return r[state, action] + gamma * sp.Sum(P[state, action, nxt] * Vr[nxt], (nxt, 1, STATES.size))


def kl_at(state: sp.Symbol) -> sp.Sum:
    """D_KL(π(·|s) ‖ π̃(·|s)) = Σ_c π(c|s) ln(π(c|s)/π̃(c|s))."""
    return over_actions(pi[state, c] * sp.log(pi[state, c] / prior[state, c]), c)


def first_definition_q(state: sp.Symbol, action: sp.Symbol) -> sp.Expr:
    """Q_π(s,a) = r(s,a) − α D_KL(s) + γ Σ_{s'} p(s'|s,a) V_π(s'), the first definition split after its
    first step (N3)."""
    nxt = sp.Symbol("s_next", integer=True)
    following = sp.Sum(P[state, action, nxt] * Vpi[nxt], (nxt, 1, STATES.size))
    return r[state, action] - alpha * kl_at(state) + gamma * following


def over_actions(summand: sp.Expr, index: sp.Symbol) -> sp.Sum:
    return sp.Sum(summand, (index, 1, ACTIONS.size))


def normaliser(values) -> sp.Sum:
    """Σ_b π̃(b|s) e^{values(b)/α}."""
    return over_actions(prior[s, b] * sp.exp(values(b) / alpha), b)


def soft_value(values) -> sp.Expr:
    """V(s) = α ln Σ_b π̃(b|s) e^{values(b)/α} (N9)."""
    return alpha * sp.log(normaliser(values))


def boltzmann(values, action: sp.Symbol) -> sp.Expr:
    """π(a|s) = π̃(a|s) e^{values(a)/α} / Σ_c π̃(c|s) e^{values(c)/α} (N8's closed form)."""
    return prior[s, action] * sp.exp(values(action) / alpha) / over_actions(prior[s, c] * sp.exp(values(c) / alpha), c)


def table(x: sp.Symbol) -> sp.Expr:
    return Q[s, x]


@note.claim(
    "N8",
    r"\pi_Q = \arg\max_{\pi} \sum_{a} \pi(a|s)[Q(s,a) - \alpha(\ln\pi(a|s) - \ln\tilde\pi(a|s))],\quad"
    r"\pi_Q(s,a) = \frac{\tilde\pi(a|s)\exp[Q(s,a)/\alpha]}{\sum_{a'}\tilde\pi(a'|s)\exp[Q(s,a')/\alpha]}",
    part="gibbs_every_size",
    sizes=PER_STATE,
    model=IndexLevel,
)
def boltzmann_advantage_is_gibbs_gap_for_every_size(_: IndexLevel) -> IndexEqual:
    """The identity under N8's certificate: the objective at π_Q minus the objective at any π on the
    simplex is α Σ_a π_Q(a|s) φ(π(a|s)/π_Q(a|s)), φ(x) = x ln x − x + 1, whose terms the fixed-size
    proof of N8 shows non-negative (the inequality itself is checked there)."""

    def objective(policy) -> sp.Sum:
        return over_actions(policy(a) * (Q[s, a] - alpha * (sp.log(policy(a)) - sp.log(prior[s, a]))), a)

    def phi(x: sp.Expr) -> sp.Expr:
        return x * sp.log(x) - x + 1

    gap = over_actions(boltzmann(table, a) * phi(pi[s, a] / boltzmann(table, a)), a)
    return IndexEqual(objective(lambda x: boltzmann(table, x)) - objective(lambda x: pi[s, x]), alpha * gap, domain())


@note.claim(
    "N9",
    r"V_Q(s) = \alpha \ln \Big\{\sum_{a} \tilde\pi(a|s) \exp[Q(s,a;\theta_Q)/\alpha]\Big\}",
    part="every_size",
    sizes=PER_STATE,
    model=IndexLevel,
)
def soft_value_is_log_normaliser_for_every_size(_: IndexLevel) -> IndexEqual:
    """exp(V_Q/α) is the normaliser of N8's closed form, for every number of actions."""
    return IndexEqual(
        sp.exp(soft_value(table) / alpha), over_actions(prior[s, a] * sp.exp(Q[s, a] / alpha), a), domain()
    )


@note.claim(
    "N10",
    r"\pi_Q(a|s) = \tilde\pi(a|s) \exp\{[Q(s,a) - V_Q(s)]/\alpha\}",
    part="every_size",
    sizes=PER_STATE,
    model=IndexLevel,
)
def boltzmann_eq_prior_times_exp_advantage_for_every_size(_: IndexLevel) -> IndexEqual:
    rhs = prior[s, a] * sp.exp((Q[s, a] - soft_value(table)) / alpha)
    return IndexEqual(boltzmann(table, a), rhs, domain())


@note.claim(
    "N11",
    r"Q(s,a) = V_Q(s) + \alpha \ln \frac{\pi_Q(a|s)}{\tilde\pi(a|s)}",
    part="every_size",
    sizes=PER_STATE,
    model=IndexLevel,
)
def q_eq_soft_value_plus_log_ratio_for_every_size(_: IndexLevel) -> IndexEqual:
    rhs = soft_value(table) + alpha * sp.log(boltzmann(table, a) / prior[s, a])
    return IndexEqual(Q[s, a], rhs, domain())


@note.claim(
    "N12",
    r"V_Q(s) = \sum_{a}\pi_Q(a|s) Q(s,a) - \alpha D^Q_{KL}(s)",
    part="every_size",
    sizes=PER_STATE,
    model=IndexLevel,
)
def soft_value_eq_expected_q_minus_kl_for_every_size(_: IndexLevel) -> IndexEqual:
    """D^Q_KL(s) = Σ_a π_Q(a|s) ln(π_Q(a|s)/π̃(a|s))."""
    pq = boltzmann(table, a)
    kl = over_actions(pq * sp.log(pq / prior[s, a]), a)
    return IndexEqual(soft_value(table), over_actions(pq * Q[s, a], a) - alpha * kl, domain())


@note.claim(
    "N16",
    r"\sum_a \nabla_{\theta} \pi(a|s;\theta) = 0",
    part="every_size",
    sizes=PER_STATE,
    model=IndexLevel,
)
def policy_gradients_sum_to_zero_for_every_size(_: IndexLevel) -> IndexEqual:
    """For π(·|s;θ) = π_Q with Q(s,a;θ) an unknown smooth function of θ: a softmax of the logits
    Q(s,a;θ)/α + ln π̃(a|s), which sums to one for every θ, so its derivatives sum to zero."""

    def logits(x: sp.Symbol) -> sp.Expr:
        return q(s, x, theta)

    return IndexEqual(over_actions(sp.Derivative(boltzmann(logits, a), theta), a), 0, domain())


def over_states(summand: sp.Expr, index: sp.Symbol) -> sp.Sum:
    return sp.Sum(summand, (index, 1, STATES.size))


def expected_next(values) -> sp.Sum:
    """Σ_{s'} p(s'|s,a) values(s')."""
    return over_states(P[s, a, s2] * values(s2), s2)


def soft_value_at(state: sp.Symbol) -> sp.Expr:
    """V_Q(s') = α ln Σ_b π̃(b|s') e^{Q(s',b)/α}."""
    return alpha * sp.log(over_actions(prior[state, b] * sp.exp(Q[state, b] / alpha), b))


def boltzmann_at(state: sp.Symbol, action: sp.Symbol) -> sp.Expr:
    """π_Q(a'|s')."""
    weight = prior[state, action] * sp.exp(Q[state, action] / alpha)
    return weight / over_actions(prior[state, c] * sp.exp(Q[state, c] / alpha), c)


def log_ratio(policy: sp.Expr, state: sp.Symbol, action: sp.Symbol) -> sp.Expr:
    return sp.log(policy / prior[state, action])


@note.claim(
    "N13",
    r"TQ(s,a) = r(s,a) + \gamma \sum_{s'} p(s'|s,a) V_Q(s')",
    part="state_kernel_every_size",
    sizes=MDP,
    model=IndexLevel,
)
def optimal_operator_eq_reward_plus_expected_soft_value_for_every_size(_: IndexLevel) -> IndexEqual:
    """N6's operator at its maximiser π_Q, r + γ Σ_{s'} p(s'|s,a) Σ_{a'} π_Q(a'|s')[Q(s',a') − α ln(π_Q/π̃)],
    is r + γ Σ_{s'} p(s'|s,a) V_Q(s'), for every number of states and actions."""
    pq = boltzmann_at(s2, a2)
    inner = over_actions(pq * (Q[s2, a2] - alpha * log_ratio(pq, s2, a2)), a2)
    lhs = r[s, a] + gamma * over_states(P[s, a, s2] * inner, s2)
    return IndexEqual(lhs, r[s, a] + gamma * expected_next(soft_value_at), domain())


def parameterised_q(state: sp.Symbol, action: sp.Symbol) -> sp.Expr:
    """Q(s,a;θ), an unknown smooth function of θ per pair."""
    return q(state, action, theta)


def parameterised_soft_value(state: sp.Symbol) -> sp.Expr:
    """V(s;θ) = α ln Σ_b π̃(b|s) e^{Q(s,b;θ)/α}  (N9)."""
    return alpha * sp.log(over_actions(prior[state, b] * sp.exp(parameterised_q(state, b) / alpha), b))


def parameterised_boltzmann(state: sp.Symbol, action: sp.Symbol) -> sp.Expr:
    """π(a|s;θ) = π_Q(a|s) at Q(·,·;θ)  (N8)."""
    weight = prior[state, action] * sp.exp(parameterised_q(state, action) / alpha)
    return weight / over_actions(prior[state, c] * sp.exp(parameterised_q(state, c) / alpha), c)


def loss_expectation(summand) -> sp.Sum:
    """E_{s~p, a~π(·|s;θ)}[summand(s, a)]."""
    return over_states(loss_states[s] * over_actions(parameterised_boltzmann(s, a) * summand(s, a), a), s)


def soft_target(state: sp.Symbol, action: sp.Symbol, at: sp.Symbol = theta) -> sp.Expr:
    """TQ(s,a;θ′) = r(s,a) + γ Σ_{s'} p(s'|s,a) V(s';θ′)  (N13), at θ′ = `at`."""
    following = parameterised_soft_value(s2).xreplace({theta: at})
    return r[state, action] + gamma * over_states(P[state, action, s2] * following, s2)


def td_error_times_q_gradient(state: sp.Symbol, action: sp.Symbol) -> sp.Expr:
    """[Q(s,a;θ) − TQ(s,a;θ)] ∇_θ Q(s,a;θ), under the expectation of N15's first line."""
    td = parameterised_q(state, action) - soft_target(state, action)
    return td * sp.Derivative(parameterised_q(state, action), theta)


def parameterised_soft_q(state: sp.Symbol, action: sp.Symbol) -> sp.Expr:
    """V(s;θ) + α ln(π(a|s;θ)/π̃(a|s)), which is Q(s,a;θ) by N11."""
    return parameterised_soft_value(state) + alpha * log_ratio(parameterised_boltzmann(state, action), state, action)


def second_line_summand(state: sp.Symbol, action: sp.Symbol) -> sp.Expr:
    """[V + α ln(π/π̃) − r − γ Σ_{s'} p V(s')] ∇_θ[V + α ln(π/π̃)], under the expectation of N15's second line."""
    td = parameterised_soft_q(state, action) - soft_target(state, action)
    return td * sp.Derivative(parameterised_soft_q(state, action), theta)


def loss_gradient(sample_at: sp.Symbol) -> sp.Expr:
    """∇_θ L, L = E_{s~p, a~π(·|s;θ″)}[½(Q(s,a;θ) − TQ(s,a;θ′))²] with the target TQ held at θ′ and the
    sampling policy at θ″ = `sample_at` (θ itself, or held as θ′), both set to θ after differentiating."""

    def squared_error(state: sp.Symbol, action: sp.Symbol) -> sp.Expr:
        return (parameterised_q(state, action) - soft_target(state, action, theta_target)) ** 2 / 2

    sampling = parameterised_boltzmann(s, a).xreplace({theta: sample_at})
    loss = over_states(loss_states[s] * over_actions(sampling * squared_error(s, a), a), s)
    return sp.diff(loss, theta).xreplace({theta_target: theta})


@note.claim(
    "N15",
    r"\nabla_{\theta_Q} L(\theta_Q)\big|_{a \sim \pi(\cdot|s;\theta')\text{ fixed}} = "
    r"\mathbb{E}_{s\sim p, a \sim \pi(\cdot|s;\theta_Q)}"
    r"\Big\{[Q(s,a;\theta_Q) - TQ(s,a;\theta_Q)]\nabla_{\theta_Q} Q(s,a;\theta_Q)\Big\}",
    part="fixed_sampling_every_size",
    corrects="N15",
    sizes=MDP,
    model=IndexLevel,
)
def loss_gradient_with_fixed_sampling_eq_td_error_times_q_gradient_for_every_size(_: IndexLevel) -> IndexEqual:
    """The corrected first line of N15: with the sampling distribution held fixed at θ′ as well as the
    target, the gradient is E[(Q − TQ) ∇Q], for every number of states and actions."""
    return IndexEqual(loss_gradient(theta_target), loss_expectation(td_error_times_q_gradient), domain())


@note.claim(
    "N15",
    r"\nabla_{\theta_Q} L(\theta_Q) = \mathbb{E}\Big\{[Q - TQ]\nabla_{\theta_Q} Q\Big\}"
    r" + \mathbb{E}\Big\{\frac{1}{2}\Vert Q - TQ\Vert^2 \nabla_{\theta_Q} \ln\pi(a|s;\theta_Q)\Big\}",
    part="sampling_term_every_size",
    corrects="N15",
    sizes=MDP,
    model=IndexLevel,
)
def loss_gradient_eq_first_line_plus_score_term_for_every_size(_: IndexLevel) -> IndexEqual:
    """The note's loss gradient, its sampling policy following θ: the first line plus the score term
    E[½(Q − TQ)² ∇ ln π], for every number of states and actions."""

    def score_term(state: sp.Symbol, action: sp.Symbol) -> sp.Expr:
        squared_error = (parameterised_q(state, action) - soft_target(state, action)) ** 2 / 2
        return squared_error * sp.Derivative(sp.log(parameterised_boltzmann(state, action)), theta)

    rhs = loss_expectation(td_error_times_q_gradient) + loss_expectation(score_term)
    return IndexEqual(loss_gradient(theta), rhs, domain())


@note.claim(
    "N15",
    r"\mathbb{E}\Big\{[Q - TQ]\nabla Q\Big\} = \mathbb{E}\Big\{\Big[V(s;\theta_Q) + \alpha \ln"
    r"\frac{\pi(a|s;\theta_Q)}{\tilde\pi(a|s)} - r(s,a) - \gamma \sum_{s'} p(s'|s,a) V(s';\theta_Q)\Big]"
    r"\nabla_{\theta_Q}\Big[V(s;\theta_Q) + \alpha \ln\frac{\pi(a|s;\theta_Q)}{\tilde\pi(a|s)}\Big]\Big\}",
    part="second_line_every_size",
    prose_line=148,
    sizes=MDP,
    model=IndexLevel,
)
def first_line_eq_soft_value_plus_log_ratio_form_for_every_size(_: IndexLevel) -> IndexEqual:
    """N15's second line: Q = V_Q + α ln(π_Q/π̃) (N11) and TQ = r + γ Σ_{s'} p V_Q (N13) substituted on both
    sides of the product under the loss's expectation, with Q(s,a;θ) an unknown smooth function of θ,
    for every number of states and actions."""

    return IndexEqual(loss_expectation(td_error_times_q_gradient), loss_expectation(second_line_summand), domain())


@note.claim(
    "N15",
    r"\mathbb{E}\Big\{[V + \alpha \ln\tfrac{\pi}{\tilde\pi} - r - \gamma \textstyle\sum_{s'} p V']"
    r"\nabla[V + \alpha \ln\tfrac{\pi}{\tilde\pi}]\Big\} = \mathbb{E}_{s\sim p, a \sim \pi(\cdot|s;\theta_Q)}"
    r"\Big\{-\alpha \hat Q(s,a;\theta_Q)\nabla_{\theta_Q}\ln\pi(a|s;\theta_Q) + \nabla_{\theta_Q}\frac{1}{2}"
    r"\Vert V(s;\theta_Q) - \hat V(s;\theta)\Vert^2\big|_{\theta=\theta_Q}\Big\}",
    part="third_line_every_size",
    prose_line=151,
    sizes=MDP,
    model=IndexLevel,
)
def second_line_eq_policy_term_plus_value_error_for_every_size(_: IndexLevel) -> IndexEqual:
    """N15's third line, from Σ_a ∇π = 0 (N16) and V̂ = Σ_a π Q̂ (N17): V̂(s;θ′) is held fixed under the
    gradient, then θ′ = θ, for every number of states and actions."""

    def v_hat(state: sp.Symbol) -> sp.Expr:
        """V̂(s;θ′) = Σ_{a'} π(a'|s;θ′)[r + γ Σ_{s'} p V(s';θ′)] − α D_KL(s;θ′), at θ′ = theta_target."""
        policy = parameterised_boltzmann(state, a2).xreplace({theta: theta_target})
        kl = over_actions(policy * log_ratio(policy, state, a2), a2)
        return over_actions(policy * soft_target(state, a2, theta_target), a2) - alpha * kl

    def third(state: sp.Symbol, action: sp.Symbol) -> sp.Expr:
        policy = parameterised_boltzmann(state, action)
        q_hat_at = soft_target(state, action, theta) - alpha * log_ratio(policy, state, action)
        value_error = sp.diff((parameterised_soft_value(state) - v_hat(state)) ** 2 / 2, theta)
        return -alpha * q_hat_at * sp.Derivative(sp.log(policy), theta) + value_error.xreplace({theta_target: theta})

    return IndexEqual(loss_expectation(second_line_summand), loss_expectation(third), domain())


def q_hat(values, policy) -> sp.Expr:
    """Q̂(s,a) = r(s,a) + γ Σ_{s'} p(s'|s,a) V(s') − α ln(π(a|s)/π̃(a|s))  (N17)."""
    return r[s, a] + gamma * expected_next(values) - alpha * log_ratio(policy, s, a)


@note.claim(
    "N17",
    r"\hat V(s;\theta) = \sum_a \pi(a|s;\theta)\,\hat Q(s,a;\theta)",
    part="every_size",
    sizes=MDP,
    model=IndexLevel,
)
def v_hat_is_policy_average_of_q_hat_for_every_size(_: IndexLevel) -> IndexEqual:
    """V̂(s) = Σ_a π(a|s)[r(s,a) + γ Σ_{s'} p(s'|s,a) V(s')] − α D_KL(s) is Σ_a π Q̂, for every policy on the
    simplex and every V (a real table), at every size."""

    def values(x: sp.Symbol) -> sp.Expr:
        return V[x]

    kl = over_actions(pi[s, a] * log_ratio(pi[s, a], s, a), a)
    lhs = over_actions(pi[s, a] * (r[s, a] + gamma * expected_next(values)), a) - alpha * kl
    return IndexEqual(lhs, over_actions(pi[s, a] * q_hat(values, pi[s, a]), a), domain())


@note.claim(
    "N17",
    r"Q(s,a) - TQ(s,a) = V_Q(s) - \hat Q(s,a)",
    part="td_error_every_size",
    sizes=MDP,
    model=IndexLevel,
)
def td_error_eq_value_minus_q_hat_for_every_size(_: IndexLevel) -> IndexEqual:
    """With π = π_Q and V = V_Q, the TD error Q − TQ, TQ = r + γ Σ_{s'} p V_Q(s') (N13), is V_Q − Q̂."""
    target = r[s, a] + gamma * expected_next(soft_value_at)
    return IndexEqual(Q[s, a] - target, soft_value_at(s) - q_hat(soft_value_at, boltzmann_at(s, a)), domain())


@note.claim(
    "N4",
    r"R(s, a) - \alpha D_{KL}(\pi(\cdot \vert s) \Vert \tilde \pi(\cdot \vert s)) + \gamma \sum_{s'} p(s' \vert s, a)"
    r" \sum_{a'} \pi(a' \vert s') Q(s', a') \;\text{equals}\; (R - \alpha D_{KL}(\pi\Vert\tilde \pi) + \gamma"
    r" \mathbf{P}_{\pi} Q)(s, a)",
    part="elementwise_every_size",
    sizes=MDP,
    model=IndexLevel,
)
def first_definition_bracket_eq_matrix_form_for_every_size(_: IndexLevel) -> IndexEqual:
    """For every policy π and every Q, the bracket of the element-wise form is the (s, a) entry of the
    matrix form, whose kernel P_π((s,a),(s',a')) = p(s'|s,a) π(a'|s') is summed over the pairs (s', a')."""
    kl = over_actions(pi[s, b] * log_ratio(pi[s, b], s, b), b)
    nested = over_states(P[s, a, s2] * over_actions(pi[s2, a2] * Q[s2, a2], a2), s2)
    pairs = sp.Sum(P[s, a, s2] * pi[s2, a2] * Q[s2, a2], (s2, 1, STATES.size), (a2, 1, ACTIONS.size))
    reward = r[s, a] - alpha * kl
    return IndexEqual(reward + gamma * nested, reward + gamma * pairs, domain())


@note.claim(
    "N3",
    r"V_\pi(s) = \mathbb{E}_{a \sim \pi(\cdot \vert s)} [Q_\pi(s, a)]",
    part="value_every_size",
    sizes=MDP,
    model=IndexLevel,
)
def first_definition_value_is_expected_q_for_every_size(_: IndexLevel) -> IndexEqual:
    """With V_π defined by its Bellman equation and Q_π(s,a) = r − α D_KL(s) + γ Σ_{s'} p V_π(s'), the
    average Σ_a π(a|s) Q_π(s,a) is V_π(s): the equation at s, for every number of states and actions."""
    return IndexEqual(Vpi[s], over_actions(pi[s, a] * first_definition_q(s, a), a), domain())


@note.claim(
    "N4",
    r"TQ = R - \alpha D_{KL}(\pi\Vert\tilde \pi) + \gamma \mathbf{P}_{\pi} Q",
    part="fixed_point_every_size",
    sizes=MDP,
    model=IndexLevel,
)
def first_definition_q_is_fixed_point_of_matrix_form_for_every_size(_: IndexLevel) -> IndexEqual:
    """The matrix form is T_π, the operator of one policy, and the first definition's Q_π is its fixed
    point, (T_π Q_π)(s,a) = Q_π(s,a), with P_π((s,a),(s',a')) = p(s'|s,a) π(a'|s'): proved from V_π's
    Bellman equation, not from a matrix inverse, for every number of states and actions."""
    pairs = sp.Sum(P[s, a, s2] * pi[s2, a2] * first_definition_q(s2, a2), (s2, 1, STATES.size), (a2, 1, ACTIONS.size))
    lhs = r[s, a] - alpha * kl_at(s) + gamma * pairs
    return IndexEqual(lhs, first_definition_q(s, a), domain())


def second_definition_q(state: sp.Symbol, action: sp.Symbol) -> sp.Expr:
    """Q_π(s,a) = r(s,a) + γ Σ_{s'} p(s'|s,a) V_π(s'): the second definition split after its first step
    (N5), with the same V_π as the first."""
    nxt = sp.Symbol("s_next", integer=True)
    return r[state, action] + gamma * sp.Sum(P[state, action, nxt] * Vpi[nxt], (nxt, 1, STATES.size))


@note.claim(
    "N5",
    r"V_\pi(s) = \mathbb{E}_{a \sim \pi(\cdot \vert s)} [Q_\pi(s, a)] - \alpha D_{KL}(\pi(\cdot \vert s)"
    r" \Vert \tilde \pi(\cdot \vert s))",
    part="value_every_size",
    sizes=MDP,
    model=IndexLevel,
)
def second_definition_value_is_expected_q_minus_kl_for_every_size(_: IndexLevel) -> IndexEqual:
    """With the second definition's Q_π (penalty from t = 1 on), Σ_a π Q_π − α D_KL(s) is V_π(s), the value
    both definitions share, by its Bellman equation: for every number of states and actions."""
    return IndexEqual(Vpi[s], over_actions(pi[s, a] * second_definition_q(s, a), a) - alpha * kl_at(s), domain())


@note.claim(
    "N6",
    r"TQ(s,a) = R(s,a) + \gamma \sum_{s'} p(s'|s,a) \sum_{a'} \pi(a'|s')"
    r"[Q(s',a') - \alpha(\ln\pi(a'|s') - \ln\tilde\pi(a'|s'))]"
    r" \;\text{equals}\; R + \gamma \mathbf{P}_{\pi}(Q - \alpha D_{KL}(\pi\Vert\tilde\pi))",
    part="elementwise_every_size",
    sizes=MDP,
    model=IndexLevel,
)
def optimal_operator_elementwise_eq_matrix_form_for_every_size(_: IndexLevel) -> IndexEqual:
    """For every policy π and every Q, the element-wise bracket of N6 is the (s, a) entry of its matrix form,
    whose kernel P_π((s,a),(s',a')) = p(s'|s,a) π(a'|s') weighs Q(s',a') − α D_KL(s'): Σ_{a'} π(a'|s') = 1
    turns the expected log-ratio into D_KL(s')."""
    bracket = pi[s2, a2] * (Q[s2, a2] - alpha * (sp.log(pi[s2, a2]) - sp.log(prior[s2, a2])))
    elementwise = r[s, a] + gamma * over_states(P[s, a, s2] * over_actions(bracket, a2), s2)
    kernel = P[s, a, s2] * pi[s2, a2] * (Q[s2, a2] - alpha * kl_at(s2))
    matrix = r[s, a] + gamma * sp.Sum(kernel, (s2, 1, STATES.size), (a2, 1, ACTIONS.size))
    return IndexEqual(elementwise, matrix, domain())


def q_hat_on_own_value(state: sp.Symbol, action: sp.Symbol) -> sp.Expr:
    """Q̂(s,a) with V = V_π: r + γ Σ_{s'} p(s'|s,a) V_π(s') − α ln(π(a|s)/π̃(a|s))  (N17)."""
    return second_definition_q(state, action) - alpha * log_ratio(pi[state, action], state, action)


@note.claim(
    "N19",
    r"\hat Q(s,a) - Q_\pi(s,a) = \alpha\Big[D_{KL}(\pi(\cdot|s)\Vert\tilde\pi(\cdot|s))"
    r" - \ln\frac{\pi(a|s)}{\tilde\pi(a|s)}\Big]\quad (V = V_\pi)",
    part="difference_every_size",
    sizes=MDP,
    model=IndexLevel,
)
def q_hat_minus_first_definition_q_eq_kl_minus_log_ratio_for_every_size(_: IndexLevel) -> IndexEqual:
    """The corrected, pointwise form of N19 (the note's boxed remark equates them): Q̂ subtracts the sampled
    log-ratio where the first definition's Q_π subtracts its expectation D_KL(s)."""
    rhs = alpha * (kl_at(s) - log_ratio(pi[s, a], s, a))
    return IndexEqual(q_hat_on_own_value(s, a) - first_definition_q(s, a), rhs, domain())


@note.claim(
    "N19",
    r"\mathbb{E}_{a\sim\pi(\cdot|s)}\hat Q(s,a) = \mathbb{E}_{a\sim\pi(\cdot|s)} Q_\pi(s,a)"
    r" \text{ of the first definition}\quad (V = V_\pi)",
    part="expectation_every_size",
    sizes=MDP,
    model=IndexLevel,
)
def q_hat_averages_to_first_definition_q_for_every_size(_: IndexLevel) -> IndexEqual:
    """In expectation over a ~ π(·|s) the two agree: the sense in which N19's remark holds."""
    lhs = over_actions(pi[s, a] * q_hat_on_own_value(s, a), a)
    return IndexEqual(lhs, over_actions(pi[s, a] * first_definition_q(s, a), a), domain())


advantage = Derivation(
    "The advantage has zero mean under its policy, for every size",
    steps=["AD1", "AD2", "AD3"],
    vocabularies=[VOCABULARY],
)


@advantage.claim(
    "AD1",
    r"\sum_a \pi(a|s)\big[Q^\pi(s,a) - V^\pi(s)\big] = 0",
    part="every_size",
    sizes=MDP,
    model=IndexLevel,
)
def advantage_has_zero_mean_for_every_size(_: IndexLevel) -> IndexEqual:
    """Q^π(s,a) = r + γ Σ_{s'} p(s'|s,a) V^π(s') with V^π from its Bellman equation V^π = Σ_a π Q^π."""
    return IndexEqual(over_actions(pi[s, a] * (unregularised_q(s, a) - Vr[s]), a), 0, domain())


@advantage.claim(
    "AD2",
    r"\sum_a \pi(a|s)\big[Q_\pi(s,a) - V_\pi(s)\big] = 0,\quad"
    r"Q_\pi(s,a) = \mathbb{E}\Big[\sum_{t\ge0}\gamma^t\big(r_t - \alpha D_{KL}(s_t)\big)\Big|s_0=s,a_0=a\Big]",
    part="every_size",
    sizes=MDP,
    model=IndexLevel,
)
def soft_advantage_has_zero_mean_kl_from_start_for_every_size(_: IndexLevel) -> IndexEqual:
    """The first definition's Q_π = r − α D_KL + γ Σ p V_π, V_π by its Bellman equation."""
    return IndexEqual(over_actions(pi[s, a] * (first_definition_q(s, a) - Vpi[s]), a), 0, domain())


@advantage.claim(
    "AD3",
    r"\sum_a \pi(a|s)\Big[Q_\pi(s,a) - \alpha\ln\frac{\pi(a|s)}{\tilde\pi(a|s)} - V_\pi(s)\Big] = 0,\quad"
    r"Q_\pi(s,a) = r(s,a) + \gamma\sum_{s'}p(s'|s,a)V_\pi(s')",
    part="every_size",
    sizes=MDP,
    model=IndexLevel,
)
def soft_advantage_has_zero_mean_kl_from_next_for_every_size(_: IndexLevel) -> IndexEqual:
    """The second definition's Q_π = r + γ Σ p V_π, with the log-ratio sampled."""
    summand = pi[s, a] * (second_definition_q(s, a) - alpha * log_ratio(pi[s, a], s, a) - Vpi[s])
    return IndexEqual(over_actions(summand, a), 0, domain())
