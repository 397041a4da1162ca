"""The theorem of Schulman, Chen and Abbeel (2017), "Equivalence Between Policy Gradients and
Soft Q-Learning" (arXiv 1704.06440): the policy term of the soft Q-learning gradient is the
policy gradient of the entropy-regularised objective, when the states are drawn from the
policy's discounted visitation and V is the policy's own soft value.  Beside it, what the
note's remark N18 ("looks like a policy gradient, but is biased") amounts to, exactly.

Setting.  π_θ(a|s) = exp f(s,a;θ) / Σ_b exp f(s,b;θ) with unknown real functions f of a
real θ: every smooth path of interior policies has this form, so the claims hold for every
parameterisation (θ is a scalar; a gradient is the vector of such derivatives).
The objective is the note's N2, with its normalisation:

    ρ(π) = E_{s~p_γ(·;π), a~π}[r(s,a) − α D_KL(π(·|s) ‖ π̃(·|s))] = (1 − γ) Σ_s p0(s) V_π(s),

p_γ(s;π) = (1 − γ) Σ_t γ^t Pr(s_t = s) the discounted visitation, V_π the soft value of π
(PQ1).  The note's N17 defines, for a value function V,

    Q̂_V(s,a) = r(s,a) + γ Σ_{s'} p(s'|s,a) V(s') − α ln(π_θ(a|s)/π̃(a|s)).

The theorem (PQ2): ∇_θ ρ(π_θ) = E_{s~p_γ(·;π_θ), a~π_θ}[Q̂_{V_{π_θ}}(s,a) ∇_θ ln π_θ(a|s)].
Without the factor (1 − γ), i.e. for E_{s0~p0}[V_π(s0)], the right side is divided by 1 − γ.

How it is proved.  Directly, by differentiating the closed forms V_π = (I − γP^π)⁻¹(...) and
p_γ = (1 − γ)(I − γP^πᵀ)⁻¹p0: the `generalise+cancel` rewrite reduces the difference to zero
up to 2×3 and 3×2, in seconds (at 3×3 its numerator outgrows memory and time, so
tests/test_pg_soft_q_equivalence.py checks PQ2 there, up to 5 states, with NumPy and complex-step
derivatives).  For every size, PQ3 proves it through the Bellman equations instead: with
V, its derivative V' and the visitation d as free symbols, the difference of the two sides is
exactly d·(derivative of V's Bellman equation) − (d's flow equation)·V', which vanishes at the
true V_{π_θ}, ∇_θV_{π_θ} and p_γ(·;π_θ).

N18, stated exactly.  The note's estimator departs from PQ2 in two ways, each with its exact
bias: the states come from some p rather than p_γ(·;π_θ) (PQ4: at each state the estimator is
∇V_{π_θ}(s) − γ Σ_{s'} P^{π_θ}(s→s') ∇V_{π_θ}(s'), so the average over p is the gradient exactly
when p = p_γ(·;π_θ)), and V is a critic W rather than V_{π_θ} (PQ5: the bias is γ times the
score-weighted next-state error of W, zero when W − V_{π_θ} is constant).  The naive claims
are refuted beside them.
"""

import sympy as sp

from symderiv import Derivation, Equal, Real, Simplex, SmoothFunctions, derivative, sizes
from symderiv.rl import VOCABULARY, SymbolicMDP

paper = Derivation(
    "Schulman, Chen and Abbeel (2017): policy gradients and soft Q-learning",
    source="arXiv:1704.06440",
    steps=["PQ1", "PQ2", "PQ3", "PQ4", "PQ5"],
    vocabularies=[VOCABULARY],
)

theta = sp.Symbol("theta", real=True)

#: Where the direct proofs finish in seconds (PQ5.shifted_critic runs out of time at 3×2).
SMALL = sizes([1], [2, 3]) + sizes([2], [2, 3])
#: The direct proofs of PQ2 and PQ4 also finish at 3×2 (in 5 s); at 3×3 they outgrow memory.
DIRECT = SMALL + sizes([3], [2])
#: The Bellman-equation forms have no matrix inverse: every size is cheap.
ANY = sizes([1, 2, 3], [2, 3])


class Parameterised:
    """π_θ = softmax of unknown logits f(s,a;θ), with its soft value, visitation and score."""

    def __init__(self, m: SymbolicMDP):
        self.m = m
        self.logits = m.logits(theta)
        self.pi = m.softmax(self.logits)
        self.functions = SmoothFunctions(list(self.logits), theta)
        self.domain = m.domain() + [self.functions]
        #: ∇_θ ln π_θ(a|s)
        self.score = derivative(self.pi.applyfunc(sp.log), theta)

    def q_hat(self, V: sp.Matrix) -> sp.Matrix:
        """N17: Q̂_V(s,a) = r(s,a) + γ Σ_{s'} p(s'|s,a) V(s') − α ln(π_θ(a|s)/π̃(a|s))."""
        return self.m.q_hat(V, self.pi)

    def expectation(self, states: sp.Matrix, table: sp.Matrix) -> sp.Expr:
        """E_{s~states, a~π_θ}[table(s,a)]."""
        per_state = self.m.average(table, self.pi)
        return sum(states[s] * per_state[s] for s in range(self.m.n_states))

    def score_weighted(self, states: sp.Matrix, V: sp.Matrix) -> sp.Expr:
        """E_{s~states, a~π_θ}[Q̂_V(s,a) ∇_θ ln π_θ(a|s)]: the policy term of N15, divided by −α."""
        return self.expectation(states, self.q_hat(V).multiply_elementwise(self.score))

    def gradient(self) -> sp.Expr:
        """∇_θ ρ(π_θ), differentiating the note's N2 as written."""
        return derivative(self.m.regularised_objective(self.pi), theta)

    def reference_gradient(self):
        """NumPy reference for `gradient`: a complex step through symderiv.rl.reference's ρ."""
        return self.m.objective_gradient_reference(self.logits, self.functions, theta)


@paper.claim(
    "PQ1",
    r"\rho(\pi) = \mathbb{E}_{s\sim p_\gamma(\cdot;\pi), a\sim\pi}[r(s,a) - \alpha D_{KL}(\pi(\cdot|s)\Vert\tilde\pi(\cdot|s))]"
    r" = (1-\gamma)\sum_s p_0(s) V_\pi(s)",
    sizes=ANY,
    model=SymbolicMDP,
)
def regularised_objective_eq_normalised_start_value(m):
    """The normalisation of the theorem: the note's N2 objective is (1 − γ) times the expected
    soft value at the start, for every policy."""
    V = m.soft_value_of_policy(m.pi)
    start = sum(m.p0[s] * V[s] for s in range(m.n_states))
    return Equal(m.regularised_objective(m.pi), (1 - m.gamma) * start, m.domain())


def _policy_gradient_claim(m):
    p = Parameterised(m)
    V = m.soft_value_of_policy(p.pi)
    visitation = m.discounted_visitation(p.pi)
    return Equal(p.gradient(), p.score_weighted(visitation, V), p.domain, reference=p.reference_gradient())


THEOREM = (
    r"\nabla_\theta \rho(\pi_\theta) = \mathbb{E}_{s\sim p_\gamma(\cdot;\pi_\theta), a\sim\pi_\theta}"
    r"\big[\hat Q(s,a) \nabla_\theta \ln\pi_\theta(a|s)\big],\quad "
    r"\hat Q(s,a) = r(s,a) + \gamma\sum_{s'}p(s'|s,a)V_{\pi_\theta}(s') - \alpha\ln\frac{\pi_\theta(a|s)}{\tilde\pi(a|s)}"
)


@paper.claim("PQ2", THEOREM, sizes=DIRECT, model=SymbolicMDP)
def soft_q_policy_term_eq_regularised_policy_gradient(m):
    """The paper's claim, for every parameterisation of the policy: the gradient of N2's ρ (its
    closed form differentiated by SymPy, and independently by a complex step in NumPy) equals
    the score-weighted Q̂ of N17 with V the soft value of π_θ and s ~ p_γ(·;π_θ)."""
    return _policy_gradient_claim(m)


class BellmanResiduals:
    """Free symbols V, V' and d for the soft value of π_θ, its θ-derivative and the visitation,
    with the residuals of the equations that pin them down:
    (I − γP^{π_θ})V' − ∇_θc_θ − γ(∇_θP^{π_θ})V (V's Bellman equation, differentiated) and
    (I − γP^{π_θ}ᵀ)d − (1 − γ)p0 (the flow equation)."""

    def __init__(self, m: SymbolicMDP):
        self.p = p = Parameterised(m)
        S = m.n_states

        def column(name):
            return sp.Matrix(S, 1, lambda s, _: sp.Symbol(f"{name}_{s}", real=True))

        self.V, self.V_prime, self.d = column("V"), column("Vprime"), column("d")
        kernel = m.state_transition(p.pi)
        reward = m.average(m.r, p.pi) - m.alpha * m.kl(p.pi)
        self.bellman_derivative = (
            (sp.eye(S) - m.gamma * kernel) * self.V_prime
            - derivative(reward, theta)
            - m.gamma * derivative(kernel, theta) * self.V
        )
        self.flow = (sp.eye(S) - m.gamma * kernel.T) * self.d - (1 - m.gamma) * m.p0
        self.domain = p.domain + [Real(self.V, self.V_prime, self.d)]

    def vanishing_terms(self) -> sp.Expr:
        """dᵀ(differentiated Bellman residual) − (flow residual)ᵀV': zero at the true V, V', d."""
        return (self.d.T * self.bellman_derivative)[0] - (self.flow.T * self.V_prime)[0]


@paper.claim(
    "PQ3",
    r"(1-\gamma)\, p_0^\top V' - \mathbb{E}_{s\sim d, a\sim\pi_\theta}[\hat Q_V \nabla_\theta\ln\pi_\theta]"
    r" = d^\top\big[(I-\gamma P^{\pi_\theta})V' - \nabla_\theta c_\theta - \gamma(\nabla_\theta P^{\pi_\theta})V\big]"
    r" - \big[(I-\gamma P^{\pi_\theta\top})d - (1-\gamma)p_0\big]^\top V'",
    sizes=ANY,
    model=SymbolicMDP,
)
def policy_gradient_theorem_through_bellman_equations(m):
    """PQ2 at every size.  V, V' and d are free: the identity holds for all of them.  At
    V = V_{π_θ} (so that V = c_θ + γP^{π_θ}V for every θ, with c_θ(s) = Σ_a π_θ(r − α ln π_θ/π̃)),
    V' = ∇_θV_{π_θ} (the derivative of that identity in θ: the first bracket is zero) and
    d = p_γ(·;π_θ) (the flow equation: the second bracket is zero), the left side is
    ∇_θρ(π_θ) − E_{p_γ}[Q̂ ∇ln π_θ], by PQ1."""
    b = BellmanResiduals(m)
    lhs = (1 - m.gamma) * (m.p0.T * b.V_prime)[0] - b.p.score_weighted(b.d, b.V)
    return Equal(lhs, b.vanishing_terms(), b.domain)


# ---------------------------------------------------------------------------------------------
# N18: "−α Q̂ ∇ln π looks like a policy gradient, but is biased".  The note draws s from some p
# and uses the critic's V; each of the two departures from PQ2 has an exact bias.
# ---------------------------------------------------------------------------------------------


def _state_distribution(m):
    return sp.Matrix(m.n_states, 1, lambda s, _: sp.Symbol(f"ps_{s}", positive=True))


@paper.claim(
    "PQ4",
    r"\sum_a \pi_\theta(a|s)\hat Q(s,a)\nabla_\theta\ln\pi_\theta(a|s)"
    r" = \nabla_\theta V_{\pi_\theta}(s) - \gamma\sum_{s'}P^{\pi_\theta}(s\to s')\nabla_\theta V_{\pi_\theta}(s')",
    sizes=DIRECT,
    model=SymbolicMDP,
)
def score_weighted_q_hat_at_each_state(m):
    """What the estimator is at each state, whatever distribution the states come from.  Averaged
    over s ~ p it is Σ_s [p − γP^{π_θ}ᵀp](s) ∇V_{π_θ}(s), while ∇ρ = (1 − γ) Σ_s p0(s) ∇V_{π_θ}(s)
    (PQ1): the two agree for every parameterisation exactly when p − γP^{π_θ}ᵀp = (1 − γ)p0,
    i.e. p = p_γ(·;π_θ).  Any other p is biased (PQ4.any_distribution)."""
    p = Parameterised(m)
    V = m.soft_value_of_policy(p.pi)
    grad_V = derivative(V, theta)
    per_state = m.average(p.q_hat(V).multiply_elementwise(p.score), p.pi)
    return Equal(per_state, grad_V - m.gamma * m.state_transition(p.pi) * grad_V, p.domain)


@paper.claim(
    "PQ4",
    r"\mathbb{E}_{s\sim p, a\sim\pi_\theta}[\hat Q \nabla_\theta\ln\pi_\theta] = \nabla_\theta\rho(\pi_\theta)"
    r"\ \text{for any state distribution } p",
    part="any_distribution",
    sizes=sizes([2], [2]),
    model=SymbolicMDP,
    expect="refuted",
)
def score_weighted_q_hat_is_gradient_under_any_state_distribution(m):
    """False: the note's E_{s~p} with p other than p_γ(·;π_θ) is biased (PQ4).  (With one state
    every p is p_γ, so the counterexample needs two.)"""
    p = Parameterised(m)
    states = _state_distribution(m)
    V = m.soft_value_of_policy(p.pi)
    return Equal(p.score_weighted(states, V), p.gradient(), p.domain + [Simplex(states)])


def _critic(m):
    return sp.Matrix(m.n_states, 1, lambda s, _: sp.Symbol(f"W_{s}", real=True))


@paper.claim(
    "PQ5",
    r"\mathbb{E}_{p_\gamma, \pi_\theta}[\hat Q_W \nabla_\theta\ln\pi_\theta] - \nabla_\theta\rho(\pi_\theta)"
    r" = \gamma\,\mathbb{E}_{s\sim p_\gamma, a\sim\pi_\theta}\Big[\nabla_\theta\ln\pi_\theta(a|s)"
    r"\sum_{s'}p(s'|s,a)\big(W(s') - V_{\pi_\theta}(s')\big)\Big]",
    sizes=ANY,
    model=SymbolicMDP,
)
def score_weighted_q_hat_bias_of_a_critic(m):
    """With states from p_γ(·;π_θ) but any value function W in Q̂ (the note's V(s;θ_Q), a critic):
    the bias is the score-weighted next-state error of W.  Written, as PQ3, with free V, V', d:
    the two sides differ by terms that vanish at V = V_{π_θ}, V' = ∇_θV_{π_θ}, d = p_γ(·;π_θ),
    where (1 − γ)p0ᵀV' = ∇_θρ.  The bias vanishes when W − V_{π_θ} is constant
    (PQ5.shifted_critic), not in general (PQ5.any_critic)."""
    b = BellmanResiduals(m)
    W = _critic(m)
    error = m.expected_next(W - b.V)
    bias = m.gamma * b.p.expectation(b.d, b.p.score.multiply_elementwise(error))
    lhs = b.p.score_weighted(b.d, W) - (1 - m.gamma) * (m.p0.T * b.V_prime)[0] - bias
    return Equal(lhs, -b.vanishing_terms(), b.domain + [Real(W)])


@paper.claim(
    "PQ5",
    r"\mathbb{E}_{p_\gamma, \pi_\theta}[\hat Q_W \nabla_\theta\ln\pi_\theta] = \nabla_\theta\rho(\pi_\theta)"
    r"\ \text{for any } W",
    part="any_critic",
    sizes=sizes([2], [2]),
    model=SymbolicMDP,
    expect="refuted",
)
def score_weighted_q_hat_is_gradient_for_any_critic(m):
    """False: the bias of PQ5.  (With one state W − V_π is a constant, so the counterexample needs two.)"""
    p = Parameterised(m)
    visitation = m.discounted_visitation(p.pi)
    return Equal(p.score_weighted(visitation, _critic(m)), p.gradient(), p.domain + [Real(_critic(m))])


@paper.claim(
    "PQ5",
    r"\mathbb{E}_{p_\gamma, \pi_\theta}[\hat Q_{V_{\pi_\theta} + c} \nabla_\theta\ln\pi_\theta] = \nabla_\theta\rho(\pi_\theta)",
    part="shifted_critic",
    sizes=SMALL,
    model=SymbolicMDP,
)
def score_weighted_q_hat_is_gradient_for_a_shifted_soft_value(m):
    """A critic off by a constant c is harmless: γc Σ_a ∇π_θ(a|s) = 0."""
    p = Parameterised(m)
    c = sp.Symbol("c", real=True)
    W = m.soft_value_of_policy(p.pi) + c * sp.ones(m.n_states, 1)
    visitation = m.discounted_visitation(p.pi)
    return Equal(p.score_weighted(visitation, W), p.gradient(), p.domain + [Real(c)])
