from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from sympy.core.function import AppliedUndef

from symderiv.domain import (
    EXTREMES_AT_MOST,
    DomainError,
    Domains,
    OpenInterval,
    Positive,
    Real,
    Simplex,
    SmoothFunctions,
    compiled_family,
)


def test_every_sampler_stays_in_its_domain():
    p = sp.symbols("p0:4", positive=True)
    a = sp.Symbol("a", positive=True)
    g = sp.Symbol("g", positive=True)
    r = sp.Symbol("r", real=True)
    d = Domains([Simplex(p), Positive(a), OpenInterval(g), Real(r)])
    values = d.sample(np.random.default_rng(1), 5000)
    cols = np.array([values[s] for s in p])
    assert np.all(cols > 0) and np.allclose(cols.sum(axis=0), 1.0, atol=1e-12)
    assert np.all(values[a] > 0)
    assert np.all((values[g] > 0) & (values[g] < 1))
    assert np.all(np.isfinite(values[r]))


def test_assumptions_must_follow_from_the_domain():
    x = sp.Symbol("x", positive=True)
    with pytest.raises(DomainError, match="declared with positive=True"):
        Domains([Real(x)])


def test_a_symbol_in_two_domains_is_an_error():
    x = sp.Symbol("x", positive=True)
    with pytest.raises(DomainError, match="two domains"):
        Domains([Positive(x), OpenInterval(x)])


def test_uncovered_symbols_are_named():
    x, y = sp.symbols("x y", real=True)
    with pytest.raises(DomainError, match="y"):
        Domains([Real(x)]).check_covers({x, y})


def test_smooth_functions_become_concrete_with_exact_derivatives():
    t = sp.Symbol("theta", real=True)
    f = sp.Function("f")(t)
    d = SmoothFunctions([f], t)
    concrete = d.concretise(sp.diff(f, t))
    assert not concrete.atoms(sp.Derivative)
    assert concrete.free_symbols <= {t, *d.coefficient_symbols()}


def test_each_coefficient_of_a_smooth_function_moves_its_value_and_first_five_derivatives_independently():
    """At the typical instances drawn, the map from a member's six coefficients to (f, f', ...,
    f⁽⁵⁾) at θ has full rank: no equation among a function's value and first five derivatives at
    one point holds for every member.  (Inequalities and claims at several points need more of the
    family: tests/test_soundness_traps.py.)"""
    t = sp.Symbol("theta", real=True)
    f = sp.Function("f", real=True)(t)
    d = SmoothFunctions([f], t)
    coefficients = d.coefficient_symbols()
    jet = sp.Matrix([d.concretise(sp.diff(f, t, k)) for k in range(6)]).jacobian(coefficients)
    at = sp.lambdify([t, *coefficients], jet, modules="numpy")
    # Typical draws: at an extreme one, coefficients scaled by up to 10 can saturate tanh in floats.
    values = Domains([d]).sample(np.random.default_rng(5), 500, typical=True)
    for i in range(500):
        matrix = np.array(at(*(values[s][i] for s in (t, *coefficients))), dtype=float)
        # Each derivative and each coefficient on one scale: a ≈ 0 shrinks the columns of b and c,
        # and f⁽⁵⁾ is larger than f, without either making the map less than invertible.
        matrix /= np.linalg.norm(matrix, axis=0)
        matrix /= np.linalg.norm(matrix, axis=1)[:, None]
        singular = np.linalg.svd(matrix, compute_uv=False)
        assert singular[-1] > 1e-13 * singular[0], (i, singular)


def test_simplex_eliminates_its_last_entry():
    p = sp.symbols("p0:3", positive=True)
    assert Simplex(p).eliminations() == {p[2]: 1 - p[0] - p[1]}


def test_a_simplex_is_made_exact_by_its_largest_entry_and_holds_only_exact_probability_vectors():
    p = sp.symbols("p0:3", positive=True)
    d = Simplex(p)
    made = d.make_exact({p[0]: Fraction(0.1), p[1]: Fraction(0.7), p[2]: Fraction(0.2)})
    assert made[p[1]] == 1 - Fraction(0.1) - Fraction(0.2) and sum(made.values()) == 1 and d.contains_exact(made)
    assert d.contains_exact({p[0]: Fraction(1, 3), p[1]: Fraction(1, 6), p[2]: Fraction(1, 2)})
    assert not d.contains_exact({p[0]: Fraction(0.1), p[1]: Fraction(0.7), p[2]: Fraction(0.2)})  # sums to 1 - 2^-55
    assert not d.contains_exact({p[0]: Fraction(0), p[1]: Fraction(1, 2), p[2]: Fraction(1, 2)})
    assert not d.contains_exact({p[0]: Fraction(-1, 2), p[1]: Fraction(1), p[2]: Fraction(1, 2)})


def test_any_exact_point_lies_in_a_smooth_functions_domain():
    t = sp.Symbol("theta", real=True)
    d = SmoothFunctions([sp.Function("f", real=True)(t)], t)
    point = {s: Fraction(-10) ** 30 for s in (t, *d.coefficient_symbols())}
    assert d.contains_exact(point)


def test_restricted_domains_keep_only_the_parts_that_draw_the_given_symbols():
    p = sp.symbols("p0:3", positive=True)
    a, r = sp.Symbol("a", positive=True), sp.Symbol("r", real=True)
    t = sp.Symbol("theta", real=True)
    f = sp.Function("f")(t)
    smooth = SmoothFunctions([f], t)
    d = Domains([Simplex(p), Positive(a), Real(r), smooth])
    kept = d.restricted_to({p[1], smooth.coefficient_symbols()[0]})
    assert [type(part) for part in kept.parts] == [Simplex, SmoothFunctions]
    assert set(kept.sample(np.random.default_rng(0), 10)) == {*p, t, *smooth.coefficient_symbols()}


def test_a_one_entry_simplex_is_the_point_one():
    (p,) = sp.symbols("p0:1", positive=True)
    assert np.all(Simplex([p]).sample(np.random.default_rng(0), 7)[p] == 1.0)


def test_smooth_function_at_an_instance_matches_its_concretisation_and_takes_complex_steps():
    t = sp.Symbol("theta", real=True)
    f = sp.Function("f", real=True)(t)
    d = SmoothFunctions([f], t)
    values = d.sample(np.random.default_rng(3), 1)
    instance = {s: float(v[0]) for s, v in values.items()}
    at = d.at_instance(f, instance)
    t0 = instance[t]
    exact = d.concretise(sp.diff(f, t)).subs(instance)
    assert np.isclose(at(t0), float(d.concretise(f).subs(instance)), rtol=1e-12)
    h = 1e-20
    assert np.isclose(np.imag(at(t0 + 1j * h)) / h, float(exact), rtol=1e-12)


def test_smooth_function_at_another_argument_is_the_same_member_there():
    t = sp.Symbol("theta", real=True)
    f = sp.Function("f", real=True)(t)
    d = SmoothFunctions([f], t)
    mirrored = d.concretise(f.func(-t) + sp.diff(f.func(2 * t), t))
    # Nothing left that compiled code cannot compute: d/dθ f(2θ) is 2·Subs(f'(ξ), ξ, 2θ) to SymPy.
    assert not mirrored.atoms(AppliedUndef, sp.Derivative, sp.Subs)
    concrete = d.concrete(f)
    assert sp.simplify(mirrored - concrete.subs(t, -t) - sp.diff(concrete.subs(t, 2 * t), t)) == 0


def test_a_derivative_at_another_argument_is_the_members_derivative_there():
    t = sp.Symbol("theta", real=True)
    f, g = sp.Function("f", real=True)(t), sp.Function("g", real=True)(t)
    d = SmoothFunctions([f, g], t)
    member, inner = d.concrete(f), d.concrete(g)
    at_zero = d.concretise(sp.diff(f, t, 2).subs(t, 0))  # f''(0)
    through_g = d.concretise(sp.diff(f.func(g), t))  # Derivative(f(g(θ)), g(θ))·g'(θ) to SymPy
    for concretised in (at_zero, through_g):
        assert not concretised.atoms(AppliedUndef, sp.Derivative, sp.Subs)
    point = dict(zip((t, *d.coefficient_symbols()), np.random.default_rng(2).uniform(-2, 2, 13)))
    expected = (sp.diff(member, t, 2).subs(t, 0), sp.diff(member.subs(t, inner), t))
    for concretised, value in zip((at_zero, through_g), expected):
        assert np.isclose(float(concretised.xreplace(point)), float(value.xreplace(point)), rtol=1e-12)


#: Assumptions SymPy acts on that a smooth function's sampler, a·tanh(b·θ + c) + d·sin(e·θ) + g·θ²
#: (any real value, never an integer on purpose), does not honour.
UNHONOURED = [
    {"positive": True},
    {"nonnegative": True},
    {"negative": True},
    {"nonpositive": True},
    {"nonzero": True},
    {"zero": True},
    {"zero": False},
    {"integer": True},
    {"rational": True},
    {"irrational": True},
    {"noninteger": True},
    {"even": True},
    {"odd": True},
    {"prime": True},
    {"composite": True},
    {"real": True, "positive": False},
    {"imaginary": True},
    {"commutative": False},
]


@pytest.mark.parametrize("assumptions", UNHONOURED, ids=lambda a: ",".join(f"{k}={v}" for k, v in a.items()))
def test_a_function_must_not_carry_assumptions_its_sampler_breaks(assumptions):
    t = sp.Symbol("theta", real=True)
    f = sp.Function("f", **assumptions)(t)
    suggestion = r"declare it as sp.Function\('f', real=True\)"
    with pytest.raises(DomainError, match=r"function f\(theta\) is declared with .*" + suggestion):
        Domains([SmoothFunctions([f], t)])
    # What the message suggests, and no assumptions at all, are accepted.
    Domains([SmoothFunctions([sp.Function("f", real=True)(t)], t)])
    Domains([SmoothFunctions([sp.Function("f")(t)], t)])


def test_the_message_names_the_assumption_as_declared_not_all_it_entails():
    t = sp.Symbol("theta", real=True)
    with pytest.raises(DomainError, match=r"declared with prime=True, which"):
        Domains([SmoothFunctions([sp.Function("f", prime=True)(t)], t)])


@pytest.mark.parametrize("assumptions", [{"zero": False}, {"positive": False}, {"integer": False}, {"prime": False}])
def test_a_false_assumption_the_domain_does_not_guarantee_is_refused_too(assumptions):
    # x ≠ 0 or x ≤ 0 are facts SymPy acts on (x/x, max(x, 0)); a real domain contains 0 and x > 0.
    x, t = sp.Symbol("x", **assumptions), sp.Symbol("theta", **assumptions)
    with pytest.raises(DomainError, match=r"symbol x is declared with .*declare it as sp.Symbol\('x', real=True\)"):
        Domains([Real(x)])
    with pytest.raises(DomainError, match=r"symbol theta is declared with"):
        Domains([SmoothFunctions([sp.Function("f")(t)], t)])


def test_a_smooth_functions_coefficients_are_no_symbol_a_user_can_write():
    t = sp.Symbol("theta", real=True)
    f = sp.Function("f", real=True)(t)
    coefficients = SmoothFunctions([f], t).coefficient_symbols()
    written = {sp.Symbol(name, real=True) for s in coefficients for name in (str(s), str(s).lstrip("_"))}
    assert not written & set(coefficients)
    # Their names, shown in counterexamples, are the same from one build to the next.
    assert [str(s) for s in coefficients] == [str(s) for s in SmoothFunctions([f], t).coefficient_symbols()]


def test_every_domain_of_a_function_gives_it_the_same_coefficients_and_its_family_once():
    """The claims of each size and obligation that concretise f share its family and derivatives."""
    t = sp.Symbol("theta", real=True)
    f, g = sp.Function("f", real=True)(t), sp.Function("g", real=True)(t)
    one, other = SmoothFunctions([f, g], t), SmoothFunctions([f], t)
    assert one.coefficients[f] == other.coefficients[f] and set(one.coefficients[g]).isdisjoint(one.coefficients[f])
    assert one.concretise(sp.diff(f, t)) == other.concretise(sp.diff(f, t))
    unassumed = SmoothFunctions([sp.Function("f")(t)], t)
    assert set(unassumed.coefficient_symbols()).isdisjoint(one.coefficients[f])


def test_simplices_of_as_many_entries_are_drawn_together_each_from_its_own_law():
    """Drawn in one batch, every simplex still gets its own draws: on the simplex, some near a
    vertex or a face, and independent of the others."""
    rows = [Simplex(sp.symbols(f"q{i}_0:3", positive=True)) for i in range(40)]
    values = Domains(rows).sample(np.random.default_rng(3), 2000)
    for row in rows:
        entries = np.array([values[s] for s in row.symbols])
        assert np.all(entries > 0) and np.allclose(entries.sum(axis=0), 1.0)
        assert entries.min() < 1e-4  # the extremes of each simplex are reached
    first, second = (np.array([values[s] for s in row.symbols]) for row in rows[:2])
    assert not np.allclose(first, second)
    assert abs(np.corrcoef(first[0], second[0])[0, 1]) < 0.1


def test_a_simplex_s_typical_instances_are_nearly_sparse_uniform_or_central():
    """Without extremes, a third of the instances each: nearly sparse ones have a tiny entry (the
    smallest of a Dirichlet of concentration 1/3 is below 10^-3 about a quarter of the time),
    central ones have none far from 1/3 (a Dirichlet of concentration 5)."""
    row = Simplex(sp.symbols("q0:3", positive=True))
    values = Domains([row]).sample(np.random.default_rng(5), 30_000, typical=True)
    entries = np.array([values[s] for s in row.symbols])
    smallest = entries.min(axis=0)
    assert 0.05 < np.mean(smallest < 1e-3) < 0.2  # from the sparse third alone
    assert 0.3 < np.mean(np.abs(entries - 1 / 3).max(axis=0) < 0.2) < 0.6  # central and some uniform


def test_a_smooth_function_s_coefficients_are_uniform_in_minus_2_to_2_and_larger_at_its_extremes():
    t = sp.Symbol("theta", real=True)
    d = SmoothFunctions([sp.Function("f", real=True)(t), sp.Function("g", real=True)(t)], t)
    typical = Domains([d]).sample(np.random.default_rng(0), 20_000, typical=True)
    assert set(typical) == {t, *d.coefficient_symbols()}
    for v in typical.values():
        assert -2 <= v.min() < -1.9 and 1.9 < v.max() <= 2 and abs(np.mean(v)) < 0.05
    first, second = (typical[c] for c in d.coefficient_symbols()[:2])
    assert abs(np.corrcoef(first, second)[0, 1]) < 0.05
    # At a few instances each function's coefficients are scaled together, by up to 10.
    values = d.sample(np.random.default_rng(0), 20_000)
    coefficients = np.abs([values[c] for c in d.coefficient_symbols()])
    scaled = np.flatnonzero(np.any(coefficients > 2, axis=0))
    assert 0 < scaled.size <= EXTREMES_AT_MOST and coefficients.max() <= 20 and np.abs(values[t]).max() <= 2


@pytest.mark.parametrize("order", [0, 1, 2])
def test_the_compiled_family_is_the_familys_derivative_of_each_order(order):
    t = sp.Symbol("theta", real=True)
    f = sp.Function("f", real=True)(t)
    d = SmoothFunctions([f], t)
    values = dict(zip(d.coefficients[f], [0.7, -1.3, 0.4, 2.1, 0.9, -0.6]))
    exact = sp.diff(d.concrete(f), t, order).subs({**values, t: 0.35})
    assert compiled_family(order)(0.35, *values.values()) == pytest.approx(float(exact), rel=1e-13)


def test_a_smooth_functions_domain_checks_its_own_values_only():
    t = sp.Symbol("theta", real=True)
    d = SmoothFunctions([sp.Function("f", real=True)(t)], t)
    values = d.sample(np.random.default_rng(0), 4)
    assert np.all(d.contains({**values, sp.Symbol("other"): np.full(4, np.nan)}))
    values[d.coefficient_symbols()[2]] = np.array([1.0, np.inf, 0.0, np.nan])
    assert list(d.contains(values)) == [True, False, True, False]


@pytest.mark.parametrize("n", [3, 20_000])
def test_a_sampler_that_returns_a_non_finite_value_is_named_short_arrays_or_long(n):
    class Leaky(Real):
        def sample(self, rng, n):
            out = super().sample(rng, n)
            out[self.symbols[-1]][n // 2] = np.nan
            return out

    a, b = sp.symbols("a b", real=True)
    with pytest.raises(DomainError, match=r"NaN or inf for b"):
        Domains([Leaky(a, b)]).sample(np.random.default_rng(0), n)


@pytest.mark.parametrize("domain", [Positive, OpenInterval])
def test_a_bound_is_a_number_with_an_exact_float(domain):
    q = sp.Symbol("q", positive=True)
    assert domain(q, low=sp.Rational(1, 4), high=sp.Integer(1)).low == 0.25
    assert domain(q, low=Fraction(1, 8)).low == 0.125
    assert domain(q, low=np.array(0.5), high=np.float32(0.75)).low == 0.5 and domain(q, low=np.int64(0)).low == 0
    for bad, message in [
        (sp.Rational(1, 3), "has no exact float.*0.3333333333333333"),
        (np.longdouble(1) / 10, r"np.longdouble\('0.1'\) has no exact float"),
        (sp.Float("0.1", 50), "has no exact float"),
        (True, "must be an int, a float or a rational number"),
        (np.bool_(True), "must be an int, a float or a rational number"),
        ("0.5", "must be an int, a float or a rational number"),
        (sp.pi, "must be an int, a float or a rational number"),
        (10**400, r"1000000000000000\.\.\. \(401 characters\) is beyond the floats"),
        (sp.Integer(10) ** 400, "beyond the floats"),
    ]:
        with pytest.raises(ValueError, match=message):
            domain(q, low=bad, high=1.0)
