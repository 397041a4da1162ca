"""Property-based tests (Hypothesis) of the samplers and the numeric comparison.

* Every sampler, whatever its parameters and seed, draws finite values inside its domain,
  and the exact point of a simplex sums to exactly one with positive entries.
* A shrunk counterexample stays inside the domain, exactly, and still fails, certified.
* The tolerance is relative to the size of the terms: scaling every term by a power of two
  leaves the relative error unchanged bit for bit, a true identity passes at every scale
  (even under catastrophic cancellation), and a false one fails at every scale.
* NaN or inf on either side, or in the scale, is a failure in floats, never a pass; in ball
  arithmetic a side that is certainly not real fails, and one that no ball encloses never agrees.
"""

from fractions import Fraction

import numpy as np
import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from symderiv.domain import Domains, OpenInterval, Positive, Real, Simplex, SmoothFunctions
from symderiv.numeric import Comparison, Outcome, exact_point, judge, shrink

u, v = sp.symbols("u v", real=True)
x = sp.Symbol("x", positive=True)
REAL_UV = Domains([Real(u, v)])

seeds = st.integers(min_value=0, max_value=2**32 - 1)
counts = st.integers(min_value=1, max_value=300)
finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e100, max_value=1e100)
nonzero = finite.filter(lambda t: abs(t) > 1e-100)
SETTINGS = settings(max_examples=60, deadline=None)


def _in_domain(domain, values):
    return bool(np.all(domain.contains(values)))


@SETTINGS
@given(seed=seeds, n=counts, scale=st.floats(min_value=1e-3, max_value=1e3))
def test_real_samples_are_finite(seed, n, scale):
    d = Real(u, v, scale=scale)
    values = d.sample(np.random.default_rng(seed), n)
    assert all(values[s].shape == (n,) and np.all(np.isfinite(values[s])) for s in (u, v))
    assert _in_domain(d, values)


@SETTINGS
@given(
    seed=seeds, n=counts, low=st.floats(min_value=1e-6, max_value=1e3), ratio=st.floats(min_value=1.001, max_value=1e6)
)
def test_positive_samples_lie_between_their_bounds(seed, n, low, ratio):
    d = Positive(x, low=low, high=low * ratio)
    values = d.sample(np.random.default_rng(seed), n)[x]
    assert np.all(values > 0) and np.all(values >= low * (1 - 1e-12)) and np.all(values <= low * ratio * (1 + 1e-12))
    assert _in_domain(d, {x: values})


@SETTINGS
@given(seed=seeds, n=counts, low=st.floats(min_value=0, max_value=10), width=st.floats(min_value=1e-6, max_value=10))
def test_open_interval_samples_lie_strictly_inside(seed, n, low, width):
    high = low + width
    assume(low < high)
    d = OpenInterval(x, low=low, high=high)
    values = d.sample(np.random.default_rng(seed), n)[x]
    assert np.all(values > low) and np.all(values < high)


@SETTINGS
@given(seed=seeds, n=counts, k=st.integers(min_value=1, max_value=8))
def test_simplex_samples_are_probability_vectors_and_exact_ones_sum_to_one(seed, n, k):
    p = sp.symbols(f"p0:{k}", positive=True)
    d = Simplex(p)
    values = d.sample(np.random.default_rng(seed), n)
    columns = np.array([values[s] for s in p])
    assert np.all(columns > 0) and np.allclose(columns.sum(axis=0), 1.0, rtol=0, atol=1e-12)
    assert _in_domain(d, values)
    exact = exact_point(Domains([d]), {s: values[s][0] for s in p})
    assert exact is not None and all(exact[s] > 0 for s in p) and sum(Fraction(exact[s]) for s in p) == 1


@SETTINGS
@given(seed=seeds, n=counts)
def test_smooth_function_coefficients_are_finite(seed, n):
    t = sp.Symbol("theta", real=True)
    d = SmoothFunctions([sp.Function("f")(t)], t)
    values = d.sample(np.random.default_rng(seed), n)
    assert set(values) == {t, *d.coefficient_symbols()}
    assert all(a.shape == (n,) and np.all(np.isfinite(a)) for a in values.values()) and _in_domain(d, values)


FALSE_ON_SIMPLEX = Comparison(
    [
        (
            (),
            (sp.Symbol("w", real=True) + sp.Symbol("q0", positive=True)) ** 2,
            sp.Symbol("w", real=True) ** 2 + sp.Symbol("q0", positive=True) ** 2,
        )
    ],
    "==",
    Domains([Real(sp.Symbol("w", real=True)), Simplex(sp.symbols("q0:3", positive=True))]),
)


@SETTINGS
@given(seed=seeds)
def test_a_shrunk_counterexample_stays_in_the_domain_and_still_fails(seed):
    values = FALSE_ON_SIMPLEX.domains.sample(np.random.default_rng(seed), 1)
    point = exact_point(FALSE_ON_SIMPLEX.domains, {s: float(a[0]) for s, a in values.items()})
    failure = judge(FALSE_ON_SIMPLEX, point)
    assume(failure.outcome is Outcome.FAILS)
    small, failure = shrink(FALSE_ON_SIMPLEX, point, failure, budget=60)
    assert FALSE_ON_SIMPLEX.domains.contains_exact(small)
    again = judge(FALSE_ON_SIMPLEX, small)
    assert again.outcome is Outcome.FAILS and again.finite and np.isfinite([again.lhs, again.rhs]).all()


SQUARE_OF_SUM = Comparison([((), (u + v) ** 2, u**2 + 2 * u * v + v**2)], "==", REAL_UV)
WRONG_SQUARE = Comparison([((), (u + v) ** 2, u**2 + v**2)], "==", REAL_UV)


def _relative_error(cmp, a, b):
    lhs, rhs, scale = cmp.evaluate({u: np.array([a]), v: np.array([b])}, 1)
    return cmp.relative_error(lhs, rhs, scale)[0, 0]


@SETTINGS
@given(a=nonzero, b=nonzero, j=st.integers(min_value=-60, max_value=60))
def test_the_tolerance_is_invariant_under_scaling(a, b, j):
    # Degree-2 terms scale by 4^j: exact in binary floating point, so the error must not move.
    k = 2.0**j
    for cmp in (SQUARE_OF_SUM, WRONG_SQUARE):
        assert _relative_error(cmp, a * k, b * k) == _relative_error(cmp, a, b)


@SETTINGS
@given(a=nonzero, b=nonzero)
def test_a_true_identity_passes_at_every_scale_even_under_cancellation(a, b):
    assert _relative_error(SQUARE_OF_SUM, a, b) <= 1e-9
    assert _relative_error(SQUARE_OF_SUM, a, -a * (1 + 1e-12)) <= 1e-9


@SETTINGS
@given(a=nonzero, ratio=st.floats(min_value=1e-3, max_value=1e3), sign=st.sampled_from([-1.0, 1.0]))
def test_a_false_identity_fails_at_every_scale(a, ratio, sign):
    # (u + v)² − (u² + v²) = 2uv, large against the terms whenever |u| and |v| are comparable.
    assert _relative_error(WRONG_SQUARE, a, sign * a * ratio) > 1e-9


special = st.sampled_from([np.nan, np.inf, -np.inf])
ordinary = st.floats(min_value=-1e6, max_value=1e6)


@SETTINGS
@given(
    lhs=st.lists(st.one_of(ordinary, special), min_size=1, max_size=8),
    data=st.data(),
)
def test_nan_or_inf_anywhere_is_a_failure_in_floats(lhs, data):
    n = len(lhs)
    rhs = data.draw(st.lists(st.one_of(ordinary, special), min_size=n, max_size=n))
    scale = data.draw(st.lists(st.one_of(st.floats(min_value=0, max_value=1e6), special), min_size=n, max_size=n))
    lhs, rhs, scale = (np.array([a]) for a in (lhs, rhs, scale))
    for cmp in (SQUARE_OF_SUM, Comparison([((), u, v)], "<=", REAL_UV)):
        rel = cmp.relative_error(lhs, rhs, scale)
        broken = ~(np.isfinite(lhs) & np.isfinite(rhs) & np.isfinite(scale))
        assert np.all(rel[broken] == np.inf)
        assert not np.any(np.isnan(rel))


@SETTINGS
@given(a=st.fractions(min_value=-(10**6), max_value=10**6), relation=st.sampled_from(["==", "<="]))
def test_a_side_that_is_certainly_not_real_fails_in_ball_arithmetic(a, relation):
    # sqrt(−1 − u²) is imaginary for every real u.
    cmp = Comparison([((), sp.sqrt(-1 - u**2), u)], relation, Domains([Real(u)]))
    found = judge(cmp, {u: Fraction(a)})
    assert found.outcome is Outcome.FAILS and not found.finite


@SETTINGS
@given(relation=st.sampled_from(["==", "<="]), side=st.sampled_from(["lhs", "rhs"]))
def test_a_side_that_no_ball_encloses_never_agrees(relation, side):
    # log(u²) at u = 0 is −∞ on both sides: neither a value nor a counterexample.
    undefined, finite_side = sp.log(u**2), sp.Integer(0)
    lhs, rhs = (undefined, finite_side) if side == "lhs" else (finite_side, undefined)
    found = judge(Comparison([((), lhs, rhs)], relation, Domains([Real(u)])), {u: Fraction(0)})
    assert found.outcome is not Outcome.AGREES
