import flint
import pytest
import sympy as sp

from symderiv.outcome import Outcome
from symderiv.rational import Fractions, _split_log, generalise, vanishing
from symderiv.rl import SymbolicMDP
from symderiv.symbolic import DEFAULT_STRATEGIES, prove_zero

x, y = sp.symbols("x y", positive=True)
u, v = sp.symbols("u v", real=True)


def test_a_rational_identity_over_different_denominators_vanishes():
    assert vanishing([1 / (x * (x + 1)) - (1 / x - 1 / (x + 1))]) == [True]
    assert vanishing([(x**2 - y**2) / (x - y) - (x + y)]) == [True]


def test_a_difference_that_is_not_zero_does_not_vanish():
    assert vanishing([1 / (x * (x + 1)) - (1 / x + 1 / (x + 1)), x - y]) == [False, False]


def test_logs_are_split_only_where_the_assumptions_allow():
    assert vanishing([sp.log(x * y) - sp.log(x) - sp.log(y)]) == [True]
    assert vanishing([sp.log(u * v) - sp.log(u) - sp.log(v)]) == [False]


def test_equal_subexpressions_become_one_symbol_across_calls():
    symbols: dict = {}
    first = generalise(sp.exp(u) * sp.log(x), symbols)
    second = generalise(sp.log(x) + sp.exp(2 * u - v), symbols)
    assert len(symbols) == 3  # exp(u), log(x), exp(v)
    assert first.free_symbols <= second.free_symbols


def test_substitutions_are_applied_where_a_symbol_occurs_rationally():
    p, q = sp.symbols("p q", positive=True)
    assert vanishing([p + q - 1]) == [False]
    assert vanishing([p + q - 1], {q: 1 - p}) == [True]


def test_a_denominator_that_is_zero_under_the_substitutions_is_an_error_not_a_zero():
    p, q = sp.symbols("p q", positive=True)
    with pytest.raises(ZeroDivisionError, match="zero function"):
        vanishing([(p + q - 1) / (2 * p + 2 * q - 2)], {q: 1 - p})


def test_a_float_is_not_taken_for_a_rational_number():
    with pytest.raises(ValueError, match="not a rational function"):
        Fractions([x]).fraction(sp.Float(0.1) * x)


def test_denominators_equal_up_to_a_constant_are_one_factor():
    fractions = Fractions([x])
    numerator, powers = fractions.fraction(1 / (2 * x + 2) + 1 / (3 * x + 3))
    (x0,) = fractions.context.gens()
    assert fractions.factors == [x0 + 1] and powers == ((0, -1),)
    assert numerator == fractions.context.constant(flint.fmpq(5, 6))


def test_a_sum_keeps_the_factors_its_terms_share_at_their_lowest_power():
    fractions = Fractions([x, y])
    numerator, powers = fractions.fraction(x / (x + y) ** 3 + y / (x + y) ** 2)
    x0, x1 = fractions.context.gens()
    assert powers == ((0, -3),)
    assert numerator == x0 + x1 * (x0 + x1)


def test_every_element_of_a_solved_system_is_proved_in_one_joint_attempt():
    """The elements of N3 share V = (I − γ P^π)⁻¹ c; the joint attempt converts it once."""
    m = SymbolicMDP((2, 2))
    Q = m.q_kl_from_start(m.pi)
    first_step = m.r - m.alpha * m.per_pair(m.kl(m.pi)) + m.gamma * m.expected_next(m.average(Q, m.pi))
    diffs = list(Q - first_step)
    result = prove_zero(diffs)
    assert result.zero and result.strategy == "generalise+cancel"
    joint = result.attempts[0]
    assert (joint.strategy, joint.outcome, joint.elements, joint.zeros) == ("generalise+cancel", Outcome.PROVED, 4, 4)
    wrong = prove_zero(diffs[:-1] + [diffs[-1] + m.gamma], strategies=DEFAULT_STRATEGIES[:1])
    assert not wrong.zero
    assert (wrong.attempts[0].outcome, wrong.attempts[0].zeros) == (Outcome.NOT_ZERO, 3)


def test_the_joint_attempt_uses_the_constraints_only_for_the_elements_that_need_them():
    p, q = sp.symbols("p q", positive=True)
    result = prove_zero([p + q - 1, sp.log(x * y) - sp.log(x) - sp.log(y)], eliminations={q: 1 - p})
    assert result.zero
    first, second = result.attempts[:2]
    assert (first.strategy, first.elements, first.zeros) == ("generalise+cancel", 2, 1)
    assert (second.strategy, second.elements, second.zeros) == ("generalise+cancel+constraints", 1, 1)
    assert result.strategy == "generalise+cancel+constraints, generalise+cancel"


def test_a_zero_test_over_its_term_budget_stops_at_the_same_point_every_time():
    import pytest

    from symderiv.rational import Fractions, WorkBudgetExceeded

    a, b, c = sp.symbols("a b c", positive=True)
    big = sp.expand((a + b + c + 1) ** 12)  # 455 terms
    assert not Fractions([big], budget=10_000).vanishes(big - 1)
    for _ in range(2):
        with pytest.raises(WorkBudgetExceeded):
            Fractions([big], budget=400).vanishes(big)


def test_a_log_is_split_as_sympys_expand_log_splits_it():
    x, y = sp.symbols("x y", positive=True)
    u = sp.Symbol("u", real=True)
    assert _split_log(sp.log(x * y**2)) == sp.log(x) + 2 * sp.log(y)
    assert _split_log(sp.log(u * x)) == sp.log(x) + sp.log(u)  # u is not known positive: log(u) stays whole
    assert _split_log(sp.log(u**2)) == sp.log(u**2)
    assert _split_log(sp.log(8 * x)) == 3 * sp.log(2) + sp.log(x)
    for e in (sp.log(x * sp.exp(u) / (1 + y)), sp.log(sp.log(x * y) * x**3)):
        assert _split_log(e) == sp.expand_log(e)
