"""Sums and products printed without precedence analysis compute what SymPy's printers compute:
the same floats in NumPy, and balls that contain the exact value."""

import linecache
from fractions import Fraction

import flint
import numpy as np
import pytest
import sympy as sp
from sympy.printing.numpy import NumPyPrinter

from symderiv.enclosure import BallFunction
from symderiv.numeric import compile_numpy
from symderiv.printing import LinearArithmetic

x, y, z = sp.symbols("x y z", real=True)

EXPRESSIONS = [
    x + y * z,
    x - y,
    -x * y,
    -2 * x * y / z,
    -sp.Rational(1, 2) * x,
    x / (y * z),
    x / (y + z) ** 2,
    (x - y) ** 3,
    (-x) ** 2 + x**-2,
    sp.Mul(-1, sp.Add(x, y), evaluate=False),
    sp.Mul(x, sp.Mul(y, z, evaluate=False), evaluate=False),
    sp.Pow(sp.Mul(-1, x, evaluate=False), 2, evaluate=False),
    sp.exp(-x / 3) * sp.log(y**2 + 1) - sp.sqrt(z**2 + 1) / 7,
    x * y ** sp.Rational(-1, 2) + 1 / sp.sqrt(z**2 + 2),
    2**x * 3 + (x + 1) ** (y**2 + 1),
    sp.Piecewise((x**2, x > y), (-(y**2), True)),
    x + sp.Mul(-1, y, z, evaluate=False),
    1 - x * y - sp.Rational(2, 3) * z,
    x - (y - z) * (x - 1),
    sp.Add(x, sp.Mul(-3, sp.Add(y, z), evaluate=False), evaluate=False),
    sp.re(sp.UnevaluatedExpr(x)) - y,
]


class _SympyNumPy(NumPyPrinter):
    """SymPy's own printer, with the settings symderiv compiles with."""


@pytest.mark.parametrize("expr", EXPRESSIONS, ids=str)
def test_numpy_code_computes_the_same_floats_as_sympys_printer(expr):
    rng = np.random.default_rng(0)
    values = [rng.normal(size=200) + 0.1 for _ in range(3)]
    printer = _SympyNumPy({"fully_qualified_modules": False, "inline": True, "order": "none"})
    with np.errstate(all="ignore"):
        ours = compile_numpy([x, y, z], [expr])(*values)[0]
        theirs = sp.lambdify([x, y, z], [expr], modules="numpy", printer=printer)(*values)[0]
        np.testing.assert_array_equal(np.broadcast_to(ours, (200,)), np.broadcast_to(theirs, (200,)))


@pytest.mark.parametrize("expr", EXPRESSIONS, ids=str)
def test_balls_contain_the_exact_value(expr):
    point = {x: Fraction(3, 7), y: Fraction(5, 4), z: Fraction(2, 3)}
    (ball,) = BallFunction([x, y, z], [expr])(point, 128)
    exact = sp.N(expr.doit().subs({s: sp.Rational(v.numerator, v.denominator) for s, v in point.items()}), 60)
    assert ball.rad() < 1e-30 and ball.overlaps(flint.arb(f"{exact} +/- 1e-45"))


def test_a_term_with_a_negative_coefficient_is_subtracted():
    # One operation per instance fewer than adding (−1)·y·z; the same floats (the test above).
    f = compile_numpy([x, y, z], [x - y * z, 1 - sp.Rational(2, 3) * z + x])
    source = "".join(linecache.getlines(f.__code__.co_filename))
    assert "x - y*z" in source and "(-1)" not in source and "(-2/3)" not in source


def test_a_reciprocal_in_balls_is_not_raised_to_the_first_power():
    f = BallFunction([x, y], [x / y, x / y**2])._function(False)
    source = "".join(linecache.getlines(f.__code__.co_filename))
    assert "**1," not in source and "**1]" not in source and "_reciprocal(y)**2" in source


def test_a_product_with_a_negative_or_compound_factor_keeps_each_operand_whole():
    class Printer(LinearArithmetic, NumPyPrinter):
        pass

    printed = Printer({"order": "none"}).doprint(sp.Pow(sp.Mul(-1, x, evaluate=False), 2, evaluate=False) * (x + y))
    assert eval(printed, {"x": 2.0, "y": 1.0}) == 12.0


def _nested(depth: int) -> sp.Expr:
    """g(x + g(x + ... g(x + 1))): a sum inside a product at every level."""
    e = sp.Integer(1)
    for _ in range(depth):
        e = y * (x + e)
    return e


def test_a_deeply_nested_claim_compiles_for_numpy_and_balls():
    """One pair of parentheses per level, as SymPy's printer puts (Python's parser allows 200)."""
    deep = _nested(150)
    value = compile_numpy([x, y], [deep])(np.array([0.5]), np.array([0.9]))[0]
    (ball,) = BallFunction([x, y], [deep])({x: Fraction(1, 2), y: Fraction(9, 10)}, 128)
    assert ball.overlaps(flint.arb(float(value[0]), 1e-9))


@pytest.mark.parametrize(
    "arguments",
    [
        [sp.Dummy("a"), sp.Dummy("a")],  # a Dummy prints by its name alone
        [sp.Symbol("a"), sp.Symbol("a", positive=True)],  # two symbols, one name
        [sp.Symbol("q.0"), sp.Symbol("p'")],  # names that are no Python names
        [sp.Symbol("lambda"), sp.Symbol("x")],  # a keyword, printed lambda_ in arguments and body
    ],
    ids=["dummies", "one-name", "not-names", "keyword"],
)
def test_compiled_functions_take_arguments_whatever_their_names(arguments):
    a, b = arguments
    exprs = [sp.exp(a - b) * (a - b) + a / b, (a - b) ** 2]
    numpy_values = compile_numpy(arguments, exprs)(np.array([3.0]), np.array([2.0]))
    np.testing.assert_allclose(np.ravel(numpy_values), [np.e + 1.5, 1.0])
    balls = BallFunction(arguments, exprs)({a: Fraction(3), b: Fraction(2)}, 128)
    assert balls[0].overlaps(flint.arb.const_e() + flint.arb(3) / 2) and balls[1] == 1
