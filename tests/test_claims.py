"""What a claim accepts when it is built: exact numbers only."""

import pytest
import sympy as sp

from symderiv import Derivation, Equal, Inequality, NonNegative, Positive, Real, Settings, Status, check

x = sp.Symbol("x", real=True)
w = sp.Symbol("w", positive=True)
big = sp.Float(1e20)

#: name -> a builder of a claim with a float somewhere in it, and the part the message names.
WITH_FLOATS = {
    "Equal: a Float term absorbs 1": (lambda: Equal(x + big + 1, x + big, [Real(x)]), "the left side"),
    "Equal: a Python float operand": (lambda: Equal(x + 0.5, x + sp.Rational(1, 2), [Real(x)]), "the left side"),
    "Equal: a float exponent": (lambda: Equal(w, (w**2) ** 0.5, [Positive(w)]), "the right side"),
    "Equal: a float inside a function": (lambda: Equal(sp.exp(x), sp.exp(x + 1e-30), [Real(x)]), "the right side"),
    "Equal: a matrix entry": (
        lambda: Equal(sp.Matrix([x, 1]), sp.Matrix([x, sp.Float(1)]), [Real(x)]),
        "the right side",
    ),
    "NonNegative: the expression": (lambda: NonNegative((w - 1) ** 2 - 1e-30, [Positive(w)]), "the expression"),
    "NonNegative: the convex_in point": (
        lambda: NonNegative(w * sp.log(w) - w + 1, [Positive(w)], convex_in=(w, 1.0)),
        "the convex_in point",
    ),
    "Inequality: the left side": (lambda: Inequality(x**2 - 1e-30, x**2, [Real(x)]), "the left side"),
    "Inequality: the right side": (lambda: Inequality(x**2, x**2 + 0.25, [Real(x)]), "the right side"),
    "Inequality: a part of its certificate": (
        lambda: Inequality(sp.S.Zero, x**2, [Real(x)], [NonNegative(x**2 * 1.0, [Real(x)])], because="x² ≥ 0"),
        "the expression",
    ),
}


@pytest.mark.parametrize("claim", WITH_FLOATS, ids=str)
def test_a_claim_with_a_float_is_refused_with_what_to_write_instead(claim):
    build, part = WITH_FLOATS[claim]
    with pytest.raises(ValueError, match=rf"{part} contains the float .*write an exact number instead.*nsimplify"):
        build()


def test_a_float_that_absorbs_a_term_is_no_proof():
    d = Derivation("floats")
    d.claim("F1", "x + 10^20 + 1 = x + 10^20")(WITH_FLOATS["Equal: a Float term absorbs 1"][0])
    exact = 10**20
    d.claim("F2", "x + 10^20 + 1 = x + 10^20, exactly")(lambda: Equal(x + exact + 1, x + exact, [Real(x)]))
    floats, exact_numbers = (check(ob, Settings(samples=200)) for ob in d.obligations)
    assert floats.status is Status.ERROR and "contains the float 1.00000000000000E+20" in floats.message
    # Written exactly, the claim is still false: no proof, though floats cannot tell 1 from 0 beside 10²⁰.
    assert exact_numbers.status is not Status.PROVED


def test_a_one_by_one_matrix_stands_for_a_scalar():
    v = sp.Matrix([x, 1])
    claim = Equal(v.T * v, x**2 + 1, [Real(x)])
    assert claim.lhs == x**2 + 1 and not isinstance(claim.lhs, sp.MatrixBase)
    assert Inequality(sp.Matrix([[0]]), v.T * v, [Real(x)]).rhs == x**2 + 1
    # Two matrices keep their shapes, and shapes that differ otherwise are still refused.
    assert Equal(sp.Matrix([x]), sp.Matrix([x]), [Real(x)]).lhs.shape == (1, 1)
    with pytest.raises(ValueError, match=r"different shapes: \(2, 1\) and \(\).*1×1"):
        Equal(v, x, [Real(x)])


def test_an_inequality_between_matrices_is_refused_with_what_to_write():
    with pytest.raises(ValueError, match=r"compares scalars.*right side is a 2×1 matrix.*NonNegative"):
        Inequality(0, sp.Matrix([x**2, 1]), [Real(x)])


def test_a_typo_in_expect_costs_only_its_own_claim_and_lists_the_valid_values():
    d = Derivation("typos")
    d.claim("T1", "x = x", expect="refute")(lambda: Equal(x, x, [Real(x)]))
    d.claim("T2", "x = x", expect=Status.ERROR)(lambda: Equal(x, x, [Real(x)]))
    d.claim("T3", "x = x", expect="numeric")(lambda: Equal(x, x, [Real(x)]))
    typo, error, fine = (check(ob, Settings(samples=50)) for ob in d.obligations)
    for v, written in ((typo, "'refute'"), (error, "'error'")):
        assert v.status is Status.ERROR and not v.as_expected
        assert (
            f"expect={written} is not a verdict to expect; write one of 'proved', 'argued', 'numeric', 'refuted'"
            in (v.message)
        )
        assert f"{__file__}:" in v.message  # where the claim was declared
    assert fine.expected is Status.NUMERIC and fine.status is Status.PROVED


BROKEN_BUILDERS = """
import sympy as sp
from symderiv import Derivation, Equal, Real

x, y = sp.symbols("x y", real=True)
d = Derivation("broken builders")


def helper():
    return Equal(sp.Matrix([x, x]), sp.Matrix([x, x, x]), [Real(x)])  # line 10


@d.claim("E1", "shapes")  # line 13
def shape_mismatch():
    return helper()


@d.claim("E2", "unknown symbol")  # line 18
def unknown_symbol():
    return Equal(x + y, y + x, [Real(x)])
"""


def test_a_builders_error_names_the_users_line_not_symderivs(tmp_path):
    from symderiv.loader import load

    path = tmp_path / "broken.py"
    path.write_text(BROKEN_BUILDERS)
    (derivation,), failures = load([path])
    assert not failures
    shapes, unknown = (check(ob, Settings(samples=50)) for ob in derivation)
    # The innermost line of the user's code that raised: the helper, inside the builder.
    assert "different shapes: (2, 1) and (3, 1)" in shapes.message and f"(at {path}:10)" in shapes.message
    # Raised while compiling the built claim, with no user frame: the claim's declaration.
    assert "no domain covers symbol(s) y" in unknown.message and f"(in the claim at {path}:18)" in unknown.message
    assert "symderiv/" not in shapes.message + unknown.message
