"""Property-based tests (Hypothesis) of the samplers and the numeric comparison.

* Every sampler, whatever its parameters and seed, draws finite values inside its domain,
  and the high-precision values of a simplex sum to exactly one with a positive last entry.
* A shrunk counterexample stays inside the domain and still fails at high precision.
* The tolerance is relative to the size of the terms: scaling every term by a power of two
  leaves the relative error unchanged bit for bit, a true identity passes at every scale
  (even under catastrophic cancellation), and a false one fails at every scale.
* NaN or inf on either side, or in the scale, is a failure in floats and at high
  precision, never a pass.
"""

import mpmath
import numpy as np
import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from symderiv.domain import Domains, OpenInterval, Positive, Real, Simplex, SmoothFunctions
from symderiv.numeric import Comparison, _mp_rel_error, confirmed_failure, exact_values, shrink

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
@given(seed=seeds, n=counts, low=st.floats(min_value=1e-6, max_value=1e3),
       ratio=st.floats(min_value=1.001, max_value=1e6))
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
    with mpmath.workdps(50):
        exact = exact_values(Domains([d]), {s: values[s][0] for s in p})
        assert exact[p[-1]] > 0 and mpmath.fsum(exact[s] for s in p) == 1


@SETTINGS
@given(seed=seeds, n=counts)
def test_smooth_function_coefficients_are_finite(seed, n):
    t = sp.Symbol("theta", real=True)
    d = SmoothFunctions([sp.Function("f")(t)], t)
    values = d.sample(np.random.default_rng(seed), n)
    assert set(values) == {t, *d.coefficient_symbols()}
    assert all(np.all(np.isfinite(a)) for a in values.values()) and _in_domain(d, values)


FALSE_ON_SIMPLEX = Comparison(
    [((), (sp.Symbol("w", real=True) + sp.Symbol("q0", positive=True)) ** 2,
      sp.Symbol("w", real=True) ** 2 + sp.Symbol("q0", positive=True) ** 2)],
    "==",
    Domains([Real(sp.Symbol("w", real=True)), Simplex(sp.symbols("q0:3", positive=True))]),
)


@SETTINGS
@given(seed=seeds)
def test_a_shrunk_counterexample_stays_in_the_domain_and_still_fails(seed):
    values = FALSE_ON_SIMPLEX.domains.sample(np.random.default_rng(seed), 1)
    instance = {s: float(a[0]) for s, a in values.items()}
    assume(confirmed_failure(FALSE_ON_SIMPLEX, instance, 1e-9) is not None)
    small = shrink(FALSE_ON_SIMPLEX, instance, 1e-9, budget=60)
    assert FALSE_ON_SIMPLEX.domains.contains({s: np.array([a]) for s, a in small.items()})
    assert confirmed_failure(FALSE_ON_SIMPLEX, small, 1e-9) is not None


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
@given(
    bad=st.sampled_from(["nan", "inf", "-inf", "complex"]),
    where=st.sampled_from(["lhs", "rhs", "scale"]),
    relation=st.sampled_from(["==", "<="]),
    value=st.floats(min_value=-1e6, max_value=1e6),
)
def test_nan_inf_or_complex_is_a_failure_at_high_precision(bad, where, relation, value):
    with mpmath.workdps(50):
        broken = mpmath.mpc(value, 1) if bad == "complex" else mpmath.mpf(bad)
        sides = {"lhs": mpmath.mpf(value), "rhs": mpmath.mpf(value), "scale": mpmath.mpf(abs(value) + 1)}
        sides[where] = broken
        assert _mp_rel_error(relation, sides["lhs"], sides["rhs"], sides["scale"]) == float("inf")
