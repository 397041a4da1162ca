"""`symderiv.check` on one claim, as a notebook or a script uses it."""

import pytest
import sympy as sp

import symderiv
from symderiv import Derivation, Equal, NonNegative, Positive, Real, Settings, Status

x, y = sp.symbols("x y", real=True)
w = sp.Symbol("w", positive=True)
FAST = Settings(samples=300)


def test_a_claim_is_checked_on_its_own():
    verdict = symderiv.check(Equal(sp.exp(x + y), sp.exp(x) * sp.exp(y), [Real(x, y)]), FAST)
    assert verdict.status is Status.PROVED and verdict.as_expected
    assert str(verdict).startswith("claim: proved by ")
    assert symderiv.check(NonNegative(w + 1 / w, Positive(w)), FAST).status is Status.PROVED


def test_a_sympy_equation_is_checked_on_the_domain_given_beside_it():
    verdict = symderiv.check(sp.Eq(sp.sin(2 * x), 2 * sp.sin(x)), Real(x), settings=FAST)
    assert verdict.status is Status.REFUTED and not verdict.as_expected
    lines = str(verdict).splitlines()
    assert lines[0].startswith("claim: refuted, ") and lines[0].endswith("; expected proved")
    assert lines[1].startswith("    counterexample (seed 0): lhs = ") and lines[2].strip().startswith("x = ")
    latex = verdict._repr_latex_()
    assert latex.startswith("$") and latex.endswith("$") and "counterexample" in latex
    # The same claim and settings give the same verdict.
    again = symderiv.check(sp.Eq(sp.sin(2 * x), 2 * sp.sin(x)), domain=Real(x), settings=FAST)
    assert again.counterexample == verdict.counterexample


def test_inequalities_read_either_way_and_are_at_best_numeric_without_a_certificate():
    assert symderiv.check(2 * x <= x**2 + 1, Real(x), settings=FAST).status is Status.NUMERIC
    assert symderiv.check(x**2 + 1 >= 2 * x, Real(x), settings=FAST).status is Status.NUMERIC
    assert symderiv.check(x**2 + 1 <= 2 * x, Real(x), settings=FAST).status is Status.REFUTED


def test_an_equation_sympy_already_decided_is_refused_with_what_to_write():
    decided = sp.Eq(sp.exp(2 * x), sp.exp(x) ** 2)  # exp(x)**2 is written out as exp(2*x): True
    with pytest.raises(ValueError, match=r"already True.*evaluate=False"):
        symderiv.check(decided, Real(x))
    kept = sp.Eq(sp.exp(2 * x), sp.exp(x) ** 2, evaluate=False)
    assert symderiv.check(kept, Real(x), settings=FAST).status is Status.PROVED


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: symderiv.check(sp.Eq(x, x + 0 * y, evaluate=False)), "has no domain"),
        (lambda: symderiv.check(sp.Eq(sp.Matrix([x]), x), Real(x)), "already False.*Equal\\(lhs, rhs, domain\\)"),
        (lambda: symderiv.check(Equal(x, x, [Real(x)]), Real(x)), "carries its own domain"),
        (lambda: symderiv.check(x < y, Real(x, y)), "not a strict inequality"),
        (lambda: symderiv.check(x + 1, Real(x)), "got Add"),
        (lambda: symderiv.check(sp.Eq(x, y), Real(x, y), domain=Real(x, y)), "a domain twice"),
        (lambda: symderiv.check(sp.Eq(x, y), Real(x, y), FAST), "give settings after a domain by name"),
    ],
)
def test_what_check_cannot_read_is_refused_with_what_it_takes(call, message):
    with pytest.raises((TypeError, ValueError), match=message):
        call()


def test_an_obligation_is_checked_as_before():
    d = Derivation("one")
    d.claim("O1", "x + y = y + x")(lambda: Equal(x + y, y + x, [Real(x, y)]))
    verdict = symderiv.check(d.obligations[0], FAST)
    assert verdict.obligation_id == "O1" and verdict.status is Status.PROVED
    with pytest.raises(TypeError, match="domain only with a SymPy relation"):
        symderiv.check(d.obligations[0], Real(x))


def test_a_claim_that_cannot_be_checked_gets_an_error_naming_the_line_that_checked_it():
    verdict = symderiv.check(Equal(x + y, y + x, [Real(x)]), FAST)  # y has no domain
    assert verdict.status is Status.ERROR
    assert "no domain covers symbol(s) y" in verdict.message and f"(in the claim at {__file__}:" in verdict.message


def test_one_shot_claims_share_an_id_but_never_a_cache_entry(tmp_path):
    from symderiv.cache import VerdictCache

    cache = VerdictCache(tmp_path)
    identity = sp.sin(x) ** 2 + sp.cos(x) ** 2
    assert symderiv.check(Equal(identity, 1, Real(x)), FAST, cache).status is Status.PROVED
    assert symderiv.check(Equal(identity, 2, Real(x)), FAST, cache).status is Status.REFUTED
    again = symderiv.check(sp.Eq(identity, 1), Real(x), cache, settings=FAST)
    assert again.status is Status.PROVED and all(e.cached for e in again.evidence)
