"""The numbers behind a verdict, judged as a skeptical user would judge them.

* A refutation is certified: a true identity whose sides cancel to hundreds of digits is never
  refuted, however far floats (or a fixed 50 digits) are from deciding it.
* Agreement in floats is a first filter: a real difference hidden under huge terms that cancel
  exactly on both sides is refuted all the same.
* The samplers cover their whole domain: a claim false only for huge or tiny values, or near an
  interval's end, is refuted.
* A counterexample is a point of the declared domain where both sides are finite reals.
"""

from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from symderiv import Derivation, Equal, OpenInterval, Positive, Real, Settings, Simplex, Status, check
from symderiv.domain import Domains
from symderiv.numeric import Comparison, Outcome, judge

q, u = sp.symbols("q u", real=True)
a, x, y = sp.symbols("alpha x y", positive=True)
g = sp.Symbol("gamma", positive=True)
p = sp.symbols("p0:3", positive=True)


def _verdict(lhs, rhs, domain, samples=2000):
    d = Derivation("skeptic")
    d.claim("S", "skeptic")(lambda: Equal(lhs, rhs, domain))
    return check(d.obligations[0], Settings(samples=samples))


def _boltzmann(logit):
    """The probability e^z/(e^z + 1) of the dominant one of two actions."""
    return sp.exp(logit) / (sp.exp(logit) + 1)


#: True identities whose sides cancel catastrophically when one action dominates (Q/α of a few
#: hundred, inside the default ranges): 1 − π_Q is e^{−Q/α}-small, beyond 50 digits.
CANCELLING = {
    "log(1 − π_Q) = −log(1 + e^{Q/α})": (sp.log(1 - _boltzmann(q / a)), -sp.log(1 + sp.exp(q / a))),
    "(1 − π_Q)(1 + e^{Q/α}) = 1": ((1 - _boltzmann(q / a)) * (1 + sp.exp(q / a)), sp.Integer(1)),
    "α log(π_Q/(1 − π_Q)) = Q": (a * sp.log(_boltzmann(q / a) / (1 - _boltzmann(q / a))), q),
    "1/(1 − π_Q) = 1 + e^{Q/α}": (1 / (1 - _boltzmann(q / a)), 1 + sp.exp(q / a)),
}


@pytest.mark.parametrize("name", CANCELLING)
def test_a_true_identity_that_cancels_beyond_fifty_digits_is_never_refuted(name):
    lhs, rhs = CANCELLING[name]
    verdict = _verdict(lhs, rhs, [Real(q), Positive(a)])
    assert verdict.status in (Status.PROVED, Status.NUMERIC), f"{name}: {verdict.status} {verdict.message}"


@pytest.mark.parametrize("name", CANCELLING)
def test_at_a_dominant_action_the_balls_agree_where_fifty_digits_cannot(name):
    lhs, rhs = CANCELLING[name]
    cmp = Comparison([((), lhs, rhs)], "==", Domains([Real(q), Positive(a)]))
    assert judge(cmp, {q: Fraction(300), a: Fraction(1, 2)}).outcome is Outcome.AGREES


#: False claims whose difference the float tolerance hides under huge terms cancelling exactly.
HIDDEN = {
    "x + 10³⁰ = x + 10³⁰ + 10¹⁰": (u + 10**30, u + 10**30 + 10**10, [Real(u)]),
    "x + 10²⁰⁰⁰ = x + 10²⁰⁰⁰ + 1 (beyond floats, and beyond 2⁻⁴⁰⁰⁰ of the terms)": (
        u + 10**2000,
        u + 10**2000 + 1,
        [Real(u)],
    ),
    "(x + 10⁴⁰) y − 10⁴⁰ y = x y + 10⁵": ((u + 10**40) * y - 10**40 * y, u * y + 10**5, [Real(u), Positive(y)]),
    "e^{60} x + 1 = e^{60} x + 1 + 10⁻³": (
        sp.exp(60) * x + 1,
        sp.exp(60) * x + 1 + sp.Rational(1, 1000),
        [Positive(x)],
    ),
    "log(e^{100} + x) − 100 = x e^{−100} + 10^{−60}": (
        sp.log(sp.exp(100) + x) - 100,
        x * sp.exp(-100) + sp.Rational(1, 10**60),
        [Positive(x)],
    ),
}


@pytest.mark.parametrize("name", HIDDEN)
def test_a_difference_hidden_under_terms_that_cancel_exactly_is_refuted(name):
    lhs, rhs, domain = HIDDEN[name]
    verdict = _verdict(lhs, rhs, domain, samples=500)
    assert verdict.status is Status.REFUTED, f"{name}: {verdict.status} {verdict.message}"


#: False claims that hold on the body of the old samplers' ranges and fail only at their extremes.
AT_THE_EXTREMES = {
    "min(x, 1000) = x for x > 0": (sp.Min(x, 1000), x, [Positive(x)]),
    "max(x, 10⁻⁴) = x for x > 0": (sp.Max(x, sp.Rational(1, 10**4)), x, [Positive(x)]),
    "min(u, 10⁴) = u for real u": (sp.Min(u, 10**4), u, [Real(u)]),
    "max(|u|, 10⁻⁴) = |u| for real u": (sp.Max(sp.Abs(u), sp.Rational(1, 10**4)), sp.Abs(u), [Real(u)]),
    "max(γ, 10⁻⁵) = γ on (0, 1)": (sp.Max(g, sp.Rational(1, 10**5)), g, [OpenInterval(g)]),
}


@pytest.mark.parametrize("name", AT_THE_EXTREMES)
def test_a_claim_false_only_at_the_extremes_of_its_domain_is_refuted(name):
    lhs, rhs, domain = AT_THE_EXTREMES[name]
    verdict = _verdict(lhs, rhs, domain)
    assert verdict.status is Status.REFUTED, f"{name}: {verdict.status} {verdict.message}"


#: False claims whose simplest-looking point (0, or outside a declared range) is where neither side
#: is defined, or where the domain does not reach.
SHRINK_TRAPS = {
    "log(u²) = log(u²) + u": (sp.log(u**2), sp.log(u**2) + u, [Real(u)]),
    "1/u = 1/u + u²": (1 / u, 1 / u + u**2, [Real(u)]),
    "log(x) = log(x) + 1 on [2, 10]": (sp.log(x), sp.log(x) + 1, [Positive(x, low=2, high=10)]),
    "1/(x − 1) = 1/(x − 1) + x on [3, 5]": (1 / (x - 1), 1 / (x - 1) + x, [Positive(x, low=3, high=5)]),
    "log(p₀) = log(p₀) + p₁ on the simplex": (sp.log(p[0]), sp.log(p[0]) + p[1], [Simplex(p)]),
}


@pytest.mark.parametrize("name", SHRINK_TRAPS)
def test_a_counterexample_is_shrunk_only_to_points_of_the_domain_where_both_sides_are_finite(name):
    lhs, rhs, domain = SHRINK_TRAPS[name]
    verdict = _verdict(lhs, rhs, domain, samples=300)
    assert verdict.status is Status.REFUTED, verdict.message
    ce = verdict.counterexample
    assert np.isfinite(ce.lhs) and np.isfinite(ce.rhs) and ce.lhs != ce.rhs, ce
    domains = Domains(list(domain))
    by_name = {str(s): s for d in domains.parts for s in d.symbols}
    point = {by_name[k]: Fraction(repr(v)) for k, v in ce.values.items()}
    for d in domains.parts:
        point.update(d.make_exact({s: point[s] for s in d.symbols if s in point}))
    assert domains.contains_exact(point), ce


def test_the_same_seed_gives_the_same_certified_counterexample():
    lhs, rhs, domain = SHRINK_TRAPS["log(x) = log(x) + 1 on [2, 10]"]
    first, second = (_verdict(lhs, rhs, domain, samples=300) for _ in range(2))
    assert first.counterexample == second.counterexample
