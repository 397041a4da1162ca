"""The rules that turn an inequality's certificate into the inequality (symderiv/rules.py).

Each rule must prove what its theorem gives, and must never prove a claim its ingredients do not
imply: a wrong constant, the wrong side, an unrelated certificate, a missing or a false hypothesis.
Refusals are tested on the rule itself (`premises` raises Refused, saying why) and end to end (the
verdict is not `proved`; a false claim is refuted by the numbers).
"""

import pytest
import sympy as sp

from symderiv import (
    Chain,
    Derivation,
    Equal,
    Inequality,
    JacobianContraction,
    NonNegative,
    OpenInterval,
    Positive,
    Real,
    Resolvent,
    Settings,
    Simplex,
    Status,
    SumOfNonNegative,
    Term,
    check,
    sup_norm,
)
from symderiv.rl import SymbolicMDP
from symderiv.rules import BELOW_ONE, Refused, Sign, implication, sign

FAST = Settings(samples=500, time_limit=5)

u, v, x = sp.symbols("u v x", positive=True)
w, z = sp.symbols("w z", real=True)
gamma = sp.Symbol("gamma", positive=True)
DOMAIN = [Positive(u, v), Real(w, z), OpenInterval(gamma, low=0.0, high=1.0)]

#: x − 1 − ln x >= 0 for x > 0, by convexity around x = 1.
LOG_BELOW_LINE = NonNegative(x - 1 - sp.log(x), [Positive(x)], convex_in=(x, 1))


def verdict(claim):
    d = Derivation("rules")
    d.claim("R", "a claim")(lambda: claim)
    return check(d.obligations[0], FAST)


def refusal(claim) -> str:
    with pytest.raises(Refused) as caught:
        claim.certificate.premises(claim)
    return caught.value.reason


# -- signs ----------------------------------------------------------------------------------------


def test_signs_read_through_the_structure_where_sympy_gives_up():
    quotient = 1 / (w + z)  # real wherever defined; SymPy cannot exclude w + z = 0
    assert quotient.is_real is None and sign(quotient) is Sign.REAL
    assert sp.exp(quotient).is_positive is None and sign(sp.exp(quotient)) is Sign.POSITIVE
    assert sign(u * sp.exp(w) / (u + v)) is Sign.POSITIVE
    assert sign(w**2) is Sign.NONNEGATIVE and sign(1 / w**2) is Sign.POSITIVE


def test_signs_claim_nothing_they_cannot_show():
    assert sign(-u) is Sign.REAL and sign(u - v) is Sign.REAL
    assert sign(sp.log(w)) is Sign.UNKNOWN and sign(sp.sqrt(w)) is Sign.UNKNOWN
    assert sign(sp.log(u)) is Sign.REAL and sign(sp.I * u) is Sign.UNKNOWN
    assert sign(sp.exp(sp.sqrt(w))) is Sign.UNKNOWN


# -- a chain --------------------------------------------------------------------------------------


def _chain():
    """0 <= (w + 1)² = w² + 2w + 1 <= w² + 2w + 1 + u: a sign fact, a join by an identity, a sum."""
    square = (w + 1) ** 2
    expanded = w**2 + 2 * w + 1
    plus_u = Inequality(expanded, expanded + u, DOMAIN, SumOfNonNegative([Term(NonNegative(u, DOMAIN))]))
    return Chain([NonNegative(square, DOMAIN), plus_u]), expanded


def test_a_chain_of_proved_links_proves_its_ends():
    chain, expanded = _chain()
    claim = Inequality(0, expanded + u, DOMAIN, chain)
    assert [p.label for p in implication(claim).premises] == ["link 1", "join 1", "link 2"]
    v_ = verdict(claim)
    assert v_.status is Status.PROVED, v_.message + str(v_.evidence[0].residual)
    assert v_.strategy.startswith("Chain(")


def test_a_chain_refuses_ends_that_are_not_the_claims():
    chain, expanded = _chain()
    assert "starts at" in refusal(Inequality(-1, expanded + u, DOMAIN, chain))  # true, but not this chain's
    assert "ends at" in refusal(Inequality(0, expanded + 2 * u, DOMAIN, chain))
    assert "starts at" in refusal(Inequality(expanded + u, 0, DOMAIN, chain))  # the wrong side


def test_a_chain_with_a_gap_is_not_proved():
    """The links hold, but the first ends at (w + 1)² and the second starts at w² + 1."""
    gap = Inequality(w**2 + 1, w**2 + 1 + u, DOMAIN, SumOfNonNegative([Term(NonNegative(u, DOMAIN))]))
    claim = Inequality(0, w**2 + 1 + u, DOMAIN, Chain([NonNegative((w + 1) ** 2, DOMAIN), gap]))
    assert verdict(claim).status is not Status.PROVED


def test_a_chain_link_that_is_only_argued_makes_the_chain_argued():
    argued_link = Inequality(u, u + v, DOMAIN, [NonNegative(v, DOMAIN)], because="v > 0")
    claim = Inequality(0, u + v, DOMAIN, Chain([NonNegative(u, DOMAIN), argued_link]))
    assert verdict(claim).status is Status.ARGUED


def test_chain_links_are_checked_on_the_claims_domain():
    link = NonNegative(u, [Positive(u, low=1.0)])
    claim = Inequality(0, u, DOMAIN, Chain([link]))
    (premise,) = implication(claim).premises
    assert premise.claim.domain is claim.domain


# -- a sum of non-negative terms ------------------------------------------------------------------


def test_a_fact_used_at_a_value_proves_the_bound():
    """ln u <= u − 1: the fact x − 1 − ln x >= 0 at x = u, no identity left to prove."""
    claim = Inequality(sp.log(u), u - 1, DOMAIN, SumOfNonNegative([Term(LOG_BELOW_LINE, {x: u})]))
    assert [p.label for p in implication(claim).premises] == ["fact 1"]
    assert verdict(claim).status is Status.PROVED


def test_weighted_terms_and_the_identity_the_rule_builds():
    """v ln(u/v) <= u − v (the log-sum inequality): v · φ(u/v), with rhs − lhs = v φ(u/v) proved."""
    claim = Inequality(v * sp.log(u / v), u - v, DOMAIN, SumOfNonNegative([Term(LOG_BELOW_LINE, {x: u / v}, v)]))
    assert [p.label for p in implication(claim).premises] == ["fact 1", "identity"]
    assert verdict(claim).status is Status.PROVED


def test_a_sum_refuses_a_wrong_constant():
    claim = Inequality(sp.log(u), u - 2, DOMAIN, SumOfNonNegative([Term(LOG_BELOW_LINE, {x: u})]))
    assert verdict(claim).status is Status.REFUTED  # false (u = 1), and the identity is too


def test_a_sum_refuses_an_unrelated_certificate_for_a_true_claim():
    """ln u <= u is true; the term, about v, has nothing to do with it."""
    claim = Inequality(sp.log(u), u, DOMAIN, SumOfNonNegative([Term(LOG_BELOW_LINE, {x: v})]))
    assert verdict(claim).status is not Status.PROVED


def test_a_sum_refuses_the_wrong_side():
    claim = Inequality(u - 1, sp.log(u), DOMAIN, SumOfNonNegative([Term(LOG_BELOW_LINE, {x: u})]))
    assert verdict(claim).status is Status.REFUTED


def test_a_weight_of_unknown_sign_is_refused():
    claim = Inequality(w * sp.log(u), w * (u - 1), DOMAIN, SumOfNonNegative([Term(LOG_BELOW_LINE, {x: u}, w)]))
    assert "weight" in refusal(claim)


def test_a_value_outside_the_facts_domain_is_refused():
    """x − 1 − ln x >= 0 holds for x > 0 only; w is any real, u − v may be negative."""
    for value in (w, u - v):
        claim = Inequality(sp.log(value), value - 1, DOMAIN, SumOfNonNegative([Term(LOG_BELOW_LINE, {x: value})]))
        assert "positive" in refusal(claim)


def test_a_fact_on_a_bounded_interval_applies_only_inside_it():
    """(t − 1)(2 − t) >= 0 holds for t in [1, 2]: it applies neither at u > 0 nor at u + 1 (which may
    exceed 2), and a domain lies within a bounded one only inside its bounds."""
    t = sp.Symbol("t", positive=True)
    between = NonNegative((t - 1) * (2 - t), [Positive(t, low=1, high=2)])
    for value in (u, u + 1):
        claim = Inequality(0, (value - 1) * (2 - value), DOMAIN, SumOfNonNegative([Term(between, {t: value})]))
        assert "not" in refusal(claim) and "[1, 2]" in refusal(claim)
    assert Positive(t, low=1, high=2).includes(Positive(t, low=1.5, high=2))
    assert not Positive(t, low=1, high=2).includes(Positive(t))
    assert not Positive(t, low=1, high=2).includes(Positive(t, low=1, high=3))
    assert Positive(t).includes(OpenInterval(t, low=0, high=1)) and not OpenInterval(t).includes(Positive(t))


def test_a_discount_is_below_one_only_when_its_interval_excludes_one():
    assert OpenInterval(gamma, low=0, high=1).interval().within(BELOW_ONE)
    assert not Positive(gamma, low=0.5, high=1).interval().within(BELOW_ONE)


def test_a_fact_shared_with_the_claim_must_hold_on_the_claims_domain():
    """u <= 1 is a fact on (0, 1); the claim lets u range over (0, 2), where it fails."""
    t = sp.Symbol("t", positive=True)
    fact = Inequality(
        t, 1, [OpenInterval(t, low=0.0, high=1.0)], [NonNegative(1 - t, [OpenInterval(t)])], because="t < 1"
    )
    claim = Inequality(t, 1, [OpenInterval(t, low=0.0, high=2.0)], SumOfNonNegative([Term(fact)]))
    assert "not within" in refusal(claim)


def test_a_fact_variable_left_free_is_refused():
    claim = Inequality(0, 1, DOMAIN, SumOfNonNegative([Term(LOG_BELOW_LINE, {}, 0)]))
    assert "no value" in refusal(claim)


def test_a_false_fact_is_not_proved_and_is_refuted():
    """u ln u + 1 >= 0 is true (u ln u >= −1/e), but x ln x >= 0, the fact offered for it, is false on
    (0, 1): the rule adds the fact as a premise, and the numbers find where it fails."""
    false_fact = NonNegative(x * sp.log(x), [Positive(x)])
    terms = [Term(false_fact, {x: u}), Term(NonNegative(sp.S.One, DOMAIN))]
    result = verdict(Inequality(0, u * sp.log(u) + 1, DOMAIN, SumOfNonNegative(terms)))
    assert result.status is Status.REFUTED and "fact 1" in result.counterexample.note


def test_a_fact_proved_only_by_a_persons_argument_leaves_the_sum_argued():
    argued = Inequality(0, x - 1 - sp.log(x), [Positive(x)], [LOG_BELOW_LINE], because="it is LOG_BELOW_LINE")
    claim = Inequality(sp.log(u), u - 1, DOMAIN, SumOfNonNegative([Term(argued, {x: u})]))
    assert verdict(claim).status is Status.ARGUED


# -- the Jacobian contraction ---------------------------------------------------------------------

Q1 = sp.Matrix([sp.Symbol("q_0", real=True), sp.Symbol("q_1", real=True)])
Q2 = sp.Matrix([sp.Symbol("b_0", real=True), sp.Symbol("b_1", real=True)])
CONTRACTION_DOMAIN = DOMAIN + [Real(Q1, Q2)]


def log_sum_exp(Q):
    """T(Q)_i = w·i + γ ln(e^{Q_0} + e^{Q_1}): J_ij = γ softmax(Q)_j >= 0, rows summing to γ."""
    return sp.Matrix([w * i + gamma * sp.log(sp.exp(Q[0]) + sp.exp(Q[1])) for i in range(2)])


def contraction(T, rhs_modulus=gamma, modulus=gamma, first=Q1):
    return Inequality(
        sup_norm(T(Q1) - T(Q2)),
        rhs_modulus * sup_norm(Q1 - Q2),
        CONTRACTION_DOMAIN,
        JacobianContraction(T, first, Q2, modulus),
    )


def test_a_smooth_monotone_operator_with_rows_summing_to_gamma_contracts():
    result = verdict(contraction(log_sum_exp))
    assert result.status is Status.PROVED and result.strategy.startswith("JacobianContraction(")


def test_the_soft_bellman_operator_contracts():
    m = SymbolicMDP((1, 2))
    other = sp.Matrix(1, 2, lambda s, a: sp.Symbol(f"Qb_{s}_{a}", real=True))
    T = m.soft_bellman_optimal
    claim = Inequality(
        sup_norm(T(m.Q) - T(other)),
        m.gamma * sup_norm(m.Q - other),
        m.domain() + [Real(other)],
        JacobianContraction(T, m.Q, other, m.gamma),
    )
    assert verdict(claim).status is Status.PROVED


def test_a_contraction_refuses_another_constant_even_a_true_one():
    assert "not sup_norm" in refusal(contraction(log_sum_exp, rhs_modulus=gamma**2))
    weaker = verdict(contraction(log_sum_exp, rhs_modulus=2 * gamma))  # true, but not what the rule gives
    assert weaker.status is Status.NUMERIC and "not sup_norm" in weaker.evidence[0].residual


def test_a_contraction_refuses_the_wrong_side():
    claim = contraction(log_sum_exp)
    swapped = Inequality(claim.rhs, claim.lhs, CONTRACTION_DOMAIN, claim.certificate)
    assert "not sup_norm" in refusal(swapped)


def test_rows_that_do_not_sum_to_the_modulus_are_not_proved():
    doubled = lambda Q: 2 * log_sum_exp(Q)  # noqa: E731 - rows sum to 2γ
    assert verdict(contraction(doubled)).status is not Status.PROVED


def test_a_negative_jacobian_entry_is_refused():
    """T(q) = γ(2q_0 − q_1): rows sum to γ, yet T stretches q_0 − q_1 by 3γ."""
    T = lambda Q: sp.Matrix([gamma * (2 * Q[0] - Q[1])] * 2)  # noqa: E731
    assert "Jacobian entry" in refusal(contraction(T))
    assert verdict(contraction(T)).status is Status.REFUTED


def test_an_operator_that_is_not_smooth_is_refused():
    """γ max(q_0, q_1) is a contraction, but the mean value theorem needs a derivative everywhere."""
    for T in (
        lambda Q: sp.Matrix([gamma * sp.Max(Q[0], Q[1])] * 2),
        lambda Q: sp.Matrix([gamma * sp.log(Q[0] ** 2) / 2 + Q[1] * 0] * 2),
    ):
        assert "smooth" in refusal(contraction(T))


def test_a_modulus_that_depends_on_the_point_is_refused():
    """T(q) = γq_0³/3: J·1 = γq_0², so the bound along the segment is an average of γq², not γq_0²."""
    T = lambda Q: sp.Matrix([gamma * Q[0] ** 3 / 3] * 2)  # noqa: E731
    modulus = gamma * Q1[0] ** 2
    assert "depends on Q1" in refusal(contraction(T, rhs_modulus=modulus, modulus=modulus))


def test_the_variables_must_range_over_every_real_value():
    positive = sp.Matrix([u, v])
    claim = Inequality(
        sup_norm(log_sum_exp(positive) - log_sum_exp(Q2)),
        gamma * sup_norm(positive - Q2),
        CONTRACTION_DOMAIN,
        JacobianContraction(log_sum_exp, positive, Q2, gamma),
    )
    assert "declared Real" in refusal(claim)


def test_an_operator_that_behaves_otherwise_at_q2_does_not_fool_the_rule():
    """The rule evaluates T once, at Q1, and takes T(Q2) to be that expression at Q2."""

    def deceptive(Q):
        return sp.Matrix([gamma * Q[0]] * 2) if Q == Q1 else sp.Matrix([gamma * Q[0] + 5] * 2)

    assert "not sup_norm" in refusal(contraction(deceptive))
    assert verdict(contraction(deceptive)).status is Status.REFUTED


# -- the resolvent ---------------------------------------------------------------------------------

P = sp.Matrix(2, 2, lambda i, j: sp.Symbol(f"P_{i}_{j}", positive=True))
delta = sp.Matrix([u, v])
RESOLVENT_DOMAIN = DOMAIN + [Simplex(P.row(0)), Simplex(P.row(1))]


def resolved(kernel=P, source=delta, bounds=None, discount=gamma):
    x_ = (sp.eye(2) - discount * kernel).inv() * source
    bounds = [NonNegative(d, RESOLVENT_DOMAIN) for d in source] if bounds is None else bounds
    return x_, Resolvent(kernel, discount, x_, source, bounds)


def test_a_resolvent_of_a_stochastic_matrix_keeps_a_non_negative_source_non_negative():
    x_, rule = resolved()
    assert verdict(Inequality(0, sp.Min(*x_), RESOLVENT_DOMAIN, rule)).status is Status.PROVED
    assert verdict(Inequality(0, x_[1], RESOLVENT_DOMAIN, rule)).status is Status.PROVED


def test_a_resolvent_refuses_the_wrong_side_and_other_claims():
    x_, rule = resolved()
    assert "not 0 <=" in refusal(Inequality(sp.Min(*x_), 0, RESOLVENT_DOMAIN, rule))
    assert "not 0 <=" in refusal(Inequality(0, u, RESOLVENT_DOMAIN, rule))  # true, but no entry of x
    assert "not 0 <=" in refusal(Inequality(-1, x_[0], RESOLVENT_DOMAIN, rule))


def test_a_discount_not_shown_below_one_is_refused():
    """With γ up to 2 the conclusion fails (γP may have spectral radius above one)."""
    wide = sp.Symbol("g", positive=True)
    domain = [Positive(u, v), OpenInterval(wide, low=0.0, high=2.0), Simplex(P.row(0)), Simplex(P.row(1))]
    x_, rule = resolved(discount=wide, bounds=[NonNegative(u, domain), NonNegative(v, domain)])
    assert "below 1" in refusal(Inequality(0, x_[0], domain, rule))


def test_a_kernel_whose_rows_do_not_sum_to_one_is_not_proved():
    """Rows summing to 2: for γ > 1/2 the resolvent is no longer non-negative."""
    x_, rule = resolved(kernel=2 * P)
    assert verdict(Inequality(0, x_[0], RESOLVENT_DOMAIN, rule)).status is not Status.PROVED


def test_a_kernel_entry_of_unknown_sign_is_refused():
    x_, rule = resolved(kernel=sp.Matrix([[P[0, 0], P[0, 1]], [w, 1 - w]]))
    assert "kernel entry" in refusal(Inequality(0, x_[0], RESOLVENT_DOMAIN, rule))


def test_a_source_bound_that_is_false_or_about_another_entry_is_not_accepted():
    source = sp.Matrix([w, v])  # w may be negative
    x_, rule = resolved(source=source)
    assert verdict(Inequality(0, x_[0], RESOLVENT_DOMAIN, rule)).status is Status.REFUTED
    x_, swapped = resolved(bounds=[NonNegative(v, RESOLVENT_DOMAIN), NonNegative(u, RESOLVENT_DOMAIN)])
    assert "bound 1" in refusal(Inequality(0, x_[0], RESOLVENT_DOMAIN, swapped))
    x_, missing = resolved(bounds=[NonNegative(u, RESOLVENT_DOMAIN)])
    assert "bounds" in refusal(Inequality(0, x_[0], RESOLVENT_DOMAIN, missing))


def test_a_solution_that_does_not_solve_the_system_is_not_proved():
    x_, rule = resolved()
    wrong = Resolvent(P, gamma, x_ + sp.Matrix([1, 0]), delta, rule.bounds)
    assert verdict(Inequality(0, x_[0] + 1, RESOLVENT_DOMAIN, wrong)).status is not Status.PROVED


# -- the prose certificate it replaces --------------------------------------------------------------


def test_true_parts_joined_by_prose_never_prove_a_false_inequality():
    """The skeptic's certificate: two true facts, unrelated to the claim, and a confident `because`."""
    parts = [NonNegative(u, DOMAIN), Equal(sp.log(u * v), sp.log(u) + sp.log(v), DOMAIN)]
    false = Inequality(u, sp.log(u), DOMAIN, parts, because="clearly")
    true = Inequality(sp.log(u), u, DOMAIN, parts, because="clearly")
    assert verdict(false).status is Status.REFUTED
    assert verdict(true).status is Status.ARGUED
