"""Ball arithmetic at exact points: every value enclosed, every branch decided or left undecided."""

from fractions import Fraction

import flint
import numpy as np
import pytest
import sympy as sp

from symderiv.enclosure import BallFunction, NotReal, Undecided, Undefined, certainly_not_real, excludes_zero
from symderiv.numeric import compile_numpy

u, v = sp.symbols("u v", real=True)
x = sp.Symbol("x", positive=True)
p = sp.symbols("p0:3", positive=True)


def test_a_constraint_that_holds_exactly_gives_an_exact_zero_not_a_ball_around_it():
    # Floats of a simplex whose exact sum is 1: each value enters the balls exactly.
    point = {p[0]: Fraction(0.1), p[1]: Fraction(0.7)}
    point[p[2]] = 1 - point[p[0]] - point[p[1]]
    (total,) = BallFunction(p, [sum(p) - 1])(point, 128)
    assert total.is_zero()
    with pytest.raises(Undefined):
        BallFunction([*p, u], [u / (sum(p) - 1)])({**point, u: Fraction(1)}, 128)


def test_a_branch_is_taken_only_where_the_balls_decide_it():
    branch = BallFunction([u], [sp.Piecewise((1, u > 0), (-1, True))])
    assert branch({u: Fraction(1, 10**30)}, 128) == [1]
    assert branch({u: Fraction(-3)}, 128) == [-1]
    # π − 333/106 is about 8.3e-5 and π − 355/113 about −2.7e-7: each decided at any precision.
    near = BallFunction([u], [sp.Piecewise((1, sp.pi - u > 0), (-1, True))])
    assert near({u: Fraction(333, 106)}, 128) == [1] and near({u: Fraction(355, 113)}, 128) == [-1]
    # sign(e^u − 1 − u − u²/2 − u³/6) at u = 10^-40 is about 4e-162: not resolved at 128 bits.
    tiny = sp.exp(u) - 1 - u - u**2 / 2 - u**3 / 6
    with pytest.raises(Undecided):
        BallFunction([u], [sp.sign(tiny)])({u: Fraction(1, 10**40)}, 128)
    assert BallFunction([u], [sp.sign(tiny)])({u: Fraction(1, 10**40)}, 1024) == [1]


def test_max_and_min_enclose_both_arguments_instead_of_comparing_them():
    (m,) = BallFunction([u, v], [sp.Max(u, v + sp.exp(-200))])({u: Fraction(1), v: Fraction(1)}, 128)
    assert m.contains(1) and m.rad() < flint.arb(2) ** -100


def test_constants_are_computed_at_the_working_precision():
    (at_128,) = BallFunction([u], [sp.pi * u])({u: Fraction(1)}, 128)
    (at_1024,) = BallFunction([u], [sp.pi * u])({u: Fraction(1)}, 1024)
    assert at_1024.rad() < at_128.rad() * flint.arb(2) ** -800


def test_a_value_that_is_not_real_is_certified_so_in_complex_balls():
    f = BallFunction([u], [sp.sqrt(-1 - u**2), sp.log(u)])
    root, log = f({u: Fraction(-2)}, 128, complex_=True)
    assert certainly_not_real(root) and certainly_not_real(log)
    real_root, _ = f({u: Fraction(-2)}, 128)
    assert not real_root.is_finite()  # a real ball cannot hold it
    with pytest.raises(NotReal):
        BallFunction([u], [sp.I * u])({u: Fraction(1)}, 128)


def test_a_float_in_an_expression_is_refused_rather_than_rounded():
    with pytest.raises(TypeError, match="Float"):
        BallFunction([u], [u + sp.Float(0.1)])({u: Fraction(1)}, 128)


def test_excludes_zero_decides_each_expression_and_never_a_zero_function():
    tiny = sp.exp(x) - 1 - x  # about x²/2 = 5e-61 at x = 10^-30
    zero = sp.log(sp.exp(x)) - x
    assert excludes_zero([tiny, zero, 1 / x], {x: Fraction(1, 10**30)}) == [True, False, True]


def test_what_ball_arithmetic_cannot_evaluate_is_outside_it_rather_than_an_error():
    from symderiv.enclosure import OUTSIDE_BALL_ARITHMETIC

    # floor of a complex ball: python-flint's acb has no floor.
    with pytest.raises(OUTSIDE_BALL_ARITHMETIC):
        BallFunction([u], [sp.floor(u)])({u: Fraction(3, 2)}, 128, complex_=True)
    with pytest.raises(OUTSIDE_BALL_ARITHMETIC):
        # A function it is not given: mpmath's would take the ball as a float, enclosing nothing.
        BallFunction([u], [sp.besselj(0, u)])({u: Fraction(1, 2)}, 128)
    # Those it is given are python-flint's own, rigorous at any precision.
    (g,) = BallFunction([u], [sp.gamma(u)])({u: Fraction(1, 2)}, 1024)
    assert g.rad() < flint.arb(2) ** -1000 and g.overlaps(flint.arb.pi().sqrt())


def test_dummy_arguments_are_renamed_without_meeting_a_symbol_of_the_expressions():
    """A Dummy among the arguments (a concretised function's coefficient) is compiled under a
    plain name that no symbol of the expressions has, here one named as the renaming would."""
    c, taken = sp.Dummy("c"), sp.Symbol("_arg0")
    exprs = [c * taken + 1, sp.exp(c) - taken]
    value, other = BallFunction([c, taken], exprs)({c: Fraction(2), taken: Fraction(3)}, 128)
    assert value == 7 and other.overlaps(flint.arb(2).exp() - 3) and other.rad() < 2**-100
    lhs, rhs = compile_numpy([c, taken], exprs)(2.0, 3.0)
    assert lhs == 7.0 and rhs == pytest.approx(np.exp(2.0) - 3.0)
