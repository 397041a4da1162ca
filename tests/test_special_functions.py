"""gamma, erf and erfc on arrays: math's values with SymPy's meaning at poles and overflow, and
claims that use them checked like any other."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

from symderiv import numeric
from symderiv.domain import Domains, Positive, Real
from symderiv.numeric import Comparison, NotEvaluable, compile_numpy
from symderiv.special_functions import elementwise_erf, elementwise_erfc, elementwise_gamma


def test_each_value_is_maths_own():
    x = np.linspace(-4.7, 6.3, 45)  # no pole of gamma among them
    assert elementwise_gamma(x).tolist() == [math.gamma(v) for v in x]
    assert elementwise_erf(x).tolist() == [math.erf(v) for v in x]
    assert elementwise_erfc(x).tolist() == [math.erfc(v) for v in x]


def test_gamma_is_undefined_at_its_poles_and_infinite_with_the_sign_of_x_where_it_overflows():
    with np.errstate(over="ignore"):
        values = elementwise_gamma(np.array([0.0, -1.0, -7.0, -np.inf, 171.7, 1e-320, -1e-320, np.inf]))
    assert np.isnan(values[:4]).all()
    assert values[4:].tolist() == [np.inf, np.inf, -np.inf, np.inf]


def test_a_scalar_and_an_empty_array_keep_their_shapes():
    assert elementwise_gamma(np.array(2.5)).shape == () and elementwise_erf(np.array([])).shape == (0,)


def test_a_complex_argument_is_read_where_it_is_real_and_nan_elsewhere():
    # gamma((x + i)(x − i)) is gamma(x² + 1), its argument complex in NumPy (found in review: a
    # TypeError from math).
    z = np.array([3 + 0j, 0.5 + 0j, 1 + 1e-300j])
    assert elementwise_gamma(z)[:2].tolist() == [2.0, math.gamma(0.5)] and np.isnan(elementwise_gamma(z)[2])
    assert elementwise_erf(np.array(1 + 0j)) == math.erf(1.0)
    t = sp.Symbol("t", real=True)
    true = Comparison([((), sp.gamma((t + sp.I) * (t - sp.I)), sp.gamma(t**2 + 1))], "==", Domains([Real(t)]))
    assert numeric.check(true, np.random.default_rng(0), 2000, 1e-9).agreed


x = sp.Symbol("x", positive=True)
y = sp.Symbol("y", real=True)


@pytest.mark.parametrize(
    "lhs, rhs, domain, holds",
    [
        (sp.gamma(x + 1), x * sp.gamma(x), Positive(x), True),
        (sp.gamma(x + 1), (x + sp.Rational(1, 10**6)) * sp.gamma(x), Positive(x), False),
        (sp.erf(-y), -sp.erf(y), Real(y), True),
        (sp.erf(y) + sp.erfc(y), sp.Integer(1), Real(y), True),
        (sp.erf(2 * y), 2 * sp.erf(y), Real(y), False),
    ],
)
def test_claims_with_gamma_and_erf_are_checked_on_arrays(lhs, rhs, domain, holds):
    result = numeric.check(Comparison([((), lhs, rhs)], "==", Domains([domain])), np.random.default_rng(0), 2000, 1e-9)
    assert result.agreed is holds
    assert holds or result.mismatch is not None


def test_a_function_numpy_lacks_is_named_with_the_ones_it_has():
    with pytest.raises(
        NotEvaluable, match=r"NumPy has no form of LambertW\(x\); .*\berf, erfc, exp\b.*write the claim"
    ):
        compile_numpy([x], [sp.LambertW(x) + 1])
    with pytest.raises(NotEvaluable, match="zoo"):
        compile_numpy([x], [x + sp.zoo])
