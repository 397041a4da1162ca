"""sin and cos through tan(x/2): within 4·10⁻¹⁶ of the exact value, and printed into compiled claims
only where NumPy's tan is vectorised."""

from __future__ import annotations

import linecache

import mpmath
import numpy as np
import pytest
import sympy as sp

from symderiv import half_angle, numeric
from symderiv.domain import Domains, Positive, Real
from symderiv.half_angle import cos_by_half_angle, sin_by_half_angle
from symderiv.numeric import Comparison, compile_numpy

_RNG = np.random.default_rng(7)
ARGUMENTS = {
    "typical": _RNG.uniform(-4, 4, 2000),
    "wide": _RNG.uniform(-100, 100, 2000),
    "every magnitude": np.exp(_RNG.uniform(np.log(1e-300), np.log(1e300), 2000)) * _RNG.choice([-1, 1], 2000),
    "near multiples of pi": np.array([float(k * mpmath.pi) for k in range(-500, 500)]),
    "near odd multiples of pi/2": np.array([float((k + 0.5) * mpmath.pi) for k in range(-500, 500)]),
    "subnormal": _RNG.uniform(-1, 1, 200) * 1e-310,
    # Near π/2 and near a zero of cos far out (found in review: the sign came out wrong there).
    "near pi/2": np.pi / 2 + _RNG.uniform(-1e-10, 1e-10, 200),
    "far zero of cos": np.array([6381956970095103 * 2.0**797]),
}


@pytest.mark.parametrize("name", ARGUMENTS)
def test_sin_and_cos_are_within_4e_16_of_the_exact_values(name):
    x = ARGUMENTS[name]
    with mpmath.workprec(200):
        exact_sin = np.array([float(mpmath.sin(mpmath.mpf(v))) for v in x])
        exact_cos = np.array([float(mpmath.cos(mpmath.mpf(v))) for v in x])
    assert np.all(np.abs(sin_by_half_angle(x) - exact_sin) <= 4e-16)
    assert np.all(np.abs(cos_by_half_angle(x) - exact_cos) <= 4e-16)
    # Relative accuracy too, near the zeros of each (sin's own form; cos NumPy's there).
    assert np.all(np.abs(sin_by_half_angle(x) - exact_sin) <= 4e-16 * np.abs(exact_sin) + 5e-324)
    assert np.all(np.abs(cos_by_half_angle(x) - exact_cos) <= 4e-13 * np.abs(exact_cos))


def test_complex_arguments_get_numpys_own_values():
    # tan(z/2)'s imaginary part rounds to 1 beyond Im z ≈ 37, and 1 + t² cancels (found in review).
    z = np.array([0.1 + 50j, -3 + 20j, 2 - 400j, 1 + 0j])
    assert np.array_equal(sin_by_half_angle(z), np.sin(z)) and np.array_equal(cos_by_half_angle(z), np.cos(z))


def test_not_a_number_stays_not_a_number_and_zero_keeps_its_sign():
    with np.errstate(invalid="ignore"):
        assert np.isnan(sin_by_half_angle(np.array([np.nan, np.inf, -np.inf]))).all()
        assert np.isnan(cos_by_half_angle(np.array([np.nan, np.inf, -np.inf]))).all()
    assert np.signbit(sin_by_half_angle(np.array(-0.0))) and cos_by_half_angle(np.array(-0.0)) == 1.0


def test_long_double_arguments_are_computed_in_long_double():
    x = np.array([1, 2, 3], dtype=np.longdouble) / 7
    assert sin_by_half_angle(x).dtype == np.longdouble and cos_by_half_angle(x).dtype == np.longdouble


x, y = sp.symbols("x y", real=True)
TRIGONOMETRIC = [sp.sin(x) * y + sp.cos(x * y), sp.sec(x) - sp.csc(y), sp.exp(sp.sin(x)) * sp.cos(x) ** 2]


@pytest.mark.parametrize("expr", TRIGONOMETRIC, ids=str)
def test_compiled_claims_use_the_half_angle_forms_only_where_chosen(monkeypatch, expr):
    values = [np.linspace(-3, 3, 101), np.linspace(0.2, 5, 101)]
    monkeypatch.setattr(numeric, "HALF_ANGLE", False)
    libm = compile_numpy([x, y], [expr])
    monkeypatch.setattr(numeric, "HALF_ANGLE", True)
    halved = compile_numpy([x, y], [expr])
    assert "half_angle" not in _source(libm) and "half_angle" in _source(halved)
    np.testing.assert_allclose(halved(*values)[0], libm(*values)[0], rtol=1e-13)


def test_a_comparison_with_half_angles_still_finds_a_false_trigonometric_claim(monkeypatch):
    monkeypatch.setattr(numeric, "HALF_ANGLE", True)
    true = Comparison([((), sp.sin(2 * x), 2 * sp.sin(x) * sp.cos(x))], "==", Domains([Real(x)]))
    false = Comparison([((), sp.sin(2 * x), 2 * sp.sin(x))], "==", Domains([Real(x)]))
    assert numeric.check(true, np.random.default_rng(0), 10_000, 1e-9).agreed
    refuted = numeric.check(false, np.random.default_rng(0), 10_000, 1e-9)
    assert not refuted.agreed and refuted.mismatch is not None


a = sp.Symbol("a", positive=True)
b = sp.Symbol("b", positive=True)
NEAR_PI_HALF = Positive(a, low=1.5707963267, high=1.5707963268)
LARGE_IMAGINARY = [Real(x), Positive(b, low=40.0, high=100.0)]


@pytest.mark.parametrize(
    "relation, lhs, rhs, domains, agreed",
    [
        # True where |cos a| < 10⁻¹⁰: cos keeps its relative accuracy there.
        ("==", sp.cos(a), sp.sin(2 * a) / (2 * sp.sin(a)), [NEAR_PI_HALF], True),
        ("==", sp.cos(a) * sp.tan(a), sp.sin(a), [NEAR_PI_HALF], True),
        # A complex argument with a large imaginary part: true, and false by a factor of five.
        ("==", sp.Abs(sp.sin(x + sp.I * b)) ** 2, sp.sin(x) ** 2 + sp.sinh(b) ** 2, LARGE_IMAGINARY, True),
        ("<=", sp.exp(b) / (4 * sp.Abs(sp.sin(x))), sp.Abs(sp.sin(x + sp.I * b)), LARGE_IMAGINARY, False),
    ],
)
def test_claims_found_in_review_keep_their_numbers(monkeypatch, relation, lhs, rhs, domains, agreed):
    monkeypatch.setattr(numeric, "HALF_ANGLE", True)
    cmp = Comparison([((), lhs, rhs)], relation, Domains(domains))
    assert numeric.check(cmp, np.random.default_rng(0), 10_000, 1e-9).agreed is agreed


@pytest.mark.parametrize(
    "loops, vectorised",
    [
        ({"tan": {"dd": {"current": "X86_V4", "available": "X86_V4 baseline(X86_V2)"}}}, True),
        ({"tan": {"dd": {"current": "X86_V2", "available": "X86_V4 baseline(X86_V2)"}}}, False),
        ({"tan": {"dd": {"current": "baseline", "available": "baseline(ASIMD)"}}}, False),
        ({}, False),
    ],
)
def test_tan_counts_as_vectorised_only_with_a_loop_beyond_the_baseline(monkeypatch, loops, vectorised):
    introspect = pytest.importorskip("numpy.lib.introspect")
    monkeypatch.setattr(introspect, "opt_func_info", lambda **_: loops)
    assert half_angle.tan_is_vectorised() is vectorised


def _source(function) -> str:
    return "".join(linecache.getlines(function.__code__.co_filename))
