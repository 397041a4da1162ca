"""The convexity rule's precondition: an expression twice continuously differentiable in x."""

import pytest
import sympy as sp

from symderiv.smoothness import NotSmooth, non_analytic_part, non_smooth_part

x = sp.Symbol("x", real=True)
w = sp.Symbol("w", positive=True)

#: C² wherever the variable's assumptions hold.
SMOOTH = {
    "w log w − w + 1 (the bundled proofs' φ)": (w * sp.log(w) - w + 1, w),
    "a polynomial with constants": (sp.pi * x**3 - sp.sqrt(2) * x + sp.Rational(1, 3), x),
    "exp, sin, cos, sinh, cosh, erf": (sp.exp(x) + sp.sin(x**2) * sp.cos(x) + sp.sinh(x) * sp.cosh(x) + sp.erf(x), x),
    "tanh, sech, atan, asinh of a real argument": (sp.tanh(x) + sp.sech(x) + sp.atan(x**2) + sp.asinh(x), x),
    "√w and 1/w for positive w": (sp.sqrt(w) + 1 / w + w ** sp.Rational(-3, 2), w),
    "w^w and 2^x": (w**w + 2**x, w),
    "log and 1/ of an argument positive for every real x": (sp.log(1 + x**2) + 1 / (x**2 + 1), x),
}

#: Not known to be C² (or not C² at all) somewhere the variable's assumptions allow.
NOT_SMOOTH = {
    "Piecewise": (sp.Piecewise((x**2, x < 3), (x**2 - 1, True)), x, sp.Piecewise),
    "Abs": (x**2 - sp.Abs(x - 3), x, sp.Abs),
    "Max": (sp.Max(0, x - 3) ** 3, x, sp.Max),
    "Min": (sp.Min(0, x - 3), x, sp.Min),
    "sign": (sp.sign(x - 3), x, sp.sign),
    "floor": (sp.floor(w / 10), w, sp.floor),
    "ceiling": (sp.ceiling(w), w, sp.ceiling),
    "Heaviside": (x**2 * sp.Heaviside(x - 3), x, sp.Heaviside),
    "DiracDelta": (sp.DiracDelta(x - 3), x, sp.DiracDelta),
    "re and im": (sp.re(sp.Function("g")(x)) * sp.im(sp.Function("g")(x)), x, (sp.re, sp.im)),
    "arg": (sp.arg(x), x, sp.arg),
    "an unknown function": (sp.Function("g")(x) ** 2, x, sp.core.function.AppliedUndef),
    "a derivative left unevaluated": (sp.Derivative(sp.Function("g")(x), x), x, sp.Derivative),
    "tan (poles)": (sp.tan(x), x, sp.tan),
    "asin and acos (branch points)": (sp.asin(x / 2) + sp.acos(x / 2), x, (sp.asin, sp.acos)),
    "log of a real that may be negative": (sp.log(x), x, sp.log),
    "√ of a real that may be negative": (sp.sqrt(x - 1), x, sp.Pow),
    "1/ of a real that may be zero": (1 / x, x, sp.Pow),
    "1/ of a positive variable shifted, which may be zero": (1 / (w - 3) ** 2, w, sp.Pow),
    "a cube root of a positive variable shifted": ((w - 3) ** sp.Rational(1, 3), w, sp.Pow),
    "a real power of a base that may be negative": ((x - 1) ** x, x, sp.Pow),
    "atan of an argument not known to be real": (sp.atan(x + sp.I), x, sp.atan),
}


@pytest.mark.parametrize("case", SMOOTH, ids=str)
def test_smooth_expressions_are_accepted(case):
    expr, var = SMOOTH[case]
    assert non_smooth_part(expr, var) is None


@pytest.mark.parametrize("case", NOT_SMOOTH, ids=str)
def test_everything_else_is_named_with_the_part_that_is_not_known_smooth(case):
    expr, var, kind = NOT_SMOOTH[case]
    found = non_smooth_part(expr, var)
    assert isinstance(found, NotSmooth), found
    assert isinstance(found.part, kind), found
    assert str(found.part) in found.describe() and found.reason in found.describe()


#: Analytic in every variable wherever the assumptions hold, beside every C² case above: an inverse
#: (each denominator is checked on its own) and an unknown function's value and derivative, which
#: the denominator check takes as variables of their own.
ANALYTIC = {
    **{case: expr for case, (expr, _) in SMOOTH.items()},
    "1/x": 1 / x,
    "an unknown function's value and derivative": sp.Function("g")(x) ** 2 + sp.Derivative(sp.Function("g")(x), x),
    "two variables": sp.exp(x * w) + sp.log(w + x**2),
}
#: Not known to be analytic: every case above that is not C² for a reason other than those, and
#: an unknown function at an expression (f(max(|x − 3|, ε)) − f(ε) vanishes on a window), a pole
#: inside atan (atan(h) + atan(1/h) jumps where h changes sign).
NOT_ANALYTIC = {
    **{
        case: (expr, kind)
        for case, (expr, _, kind) in NOT_SMOOTH.items()
        if case
        not in (
            "an unknown function",
            "a derivative left unevaluated",
            "1/ of a real that may be zero",
            "1/ of a positive variable shifted, which may be zero",
        )
    },
    "an unknown function at an expression": (
        sp.Function("g")(sp.Max(sp.Abs(x - 3), sp.Rational(1, 10**6))),
        sp.core.function.AppliedUndef,
    ),
    "its derivative there": (sp.Derivative(sp.Function("g")(x**2), x), sp.core.function.AppliedUndef),
    "a pole inside atan": (sp.atan(1 / (x**2 - 1)), sp.Pow),
}


@pytest.mark.parametrize("case", ANALYTIC, ids=str)
def test_analytic_expressions_are_accepted(case):
    assert non_analytic_part(ANALYTIC[case]) is None


@pytest.mark.parametrize("case", NOT_ANALYTIC, ids=str)
def test_an_expression_not_known_analytic_is_named_with_its_part(case):
    expr, kind = NOT_ANALYTIC[case]
    found = non_analytic_part(expr)
    assert isinstance(found, NotSmooth), found
    assert isinstance(found.part, kind), found
