"""gamma, erf and erfc on arrays: math's values with SymPy's meaning at poles and overflow, and
claims that use them checked like any other."""

from __future__ import annotations

import math
import re

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


@pytest.mark.parametrize(
    "part",
    # SymPy prints the first two as math's functions of one float, and refuses the others by naming
    # its own method, which printed SymPy's advice about the printer's settings (found in review).
    [sp.loggamma(x), sp.factorial(x), sp.fresnels(x), sp.uppergamma(x, 2), sp.Integral(x**2, (x, 0, 1))],
    ids=str,
)
def test_what_numpy_cannot_evaluate_on_arrays_is_refused_when_compiled(part):
    with pytest.raises(NotEvaluable, match=f"NumPy has no form of {re.escape(str(part))};"):
        compile_numpy([x], [part + x])


def test_every_function_sympy_would_print_from_math_is_ours_or_refused():
    scalar = {name for name, code in numeric._printer().known_functions.items() if code.startswith("math.")}
    assert {"factorial", "loggamma"} <= scalar and not scalar & {"gamma", "erf", "erfc"}
    for name in scalar:
        with pytest.raises(NotEvaluable):
            compile_numpy([x], [getattr(sp, name)(x)])


@pytest.mark.parametrize(
    "lhs, rhs, said",
    [
        # gamma(301) is about 3·10⁶¹²: both sides read inf in floats (found in review).
        (
            sp.gamma(x + 300),
            (x + 299) * sp.gamma(x + 299) * (1 + sp.Rational(1, 10**12)),
            r"lhs = 3\.06\d*e\+614, rhs = 3\.06",
        ),
        # erfc(31) is about 10⁻⁴¹⁹: it reads 0 in floats, as the rhs does.
        (sp.erfc(x + 30), sp.Integer(0), r"lhs = \d\.\d+e-\d{3}, rhs = 0"),
    ],
)
def test_a_counterexample_beyond_floats_says_both_sides_in_decimal(lhs, rhs, said):
    result = numeric.check(
        Comparison([((), lhs, rhs)], "==", Domains([Positive(x)])), np.random.default_rng(0), 500, 1e-9
    )
    assert result.mismatch is not None and re.search(f"beyond floats, {said}", result.mismatch.note)
