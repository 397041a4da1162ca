"""Numbers at large sizes: true identities agree up to 12x30, claims true only at small sizes are
refuted there, certified in ball arithmetic."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from symderiv import (
    IndexDomain,
    IndexEqual,
    IndexRange,
    OpenInterval,
    Positive,
    Size,
    SmoothTable,
    Table,
    ValueTable,
    large_sizes,
)

S = sp.Symbol("S", integer=True, positive=True)
A = sp.Symbol("A", integer=True, positive=True)
STATES = IndexRange(S, "states", "|S|", largest=12)
ACTIONS = IndexRange(A, "actions", "|A|", largest=30)
s, a, b, c = sp.symbols("s a b c", integer=True)
Q = sp.IndexedBase("Q", real=True)
pi = sp.IndexedBase("pi", positive=True)
alpha = sp.Symbol("alpha", positive=True)
theta = sp.Symbol("theta", real=True)
f = sp.Function("f", real=True)
DOMAIN = IndexDomain(
    {s: STATES, a: ACTIONS},
    [
        Table(Q, (STATES, ACTIONS)),
        Table(pi, (STATES, ACTIONS), "distribution"),
        SmoothTable(f, (STATES, ACTIONS), theta),
    ],
    [Positive(alpha)],
)


def check(lhs: sp.Expr, rhs: sp.Expr, seed: int = 0) -> large_sizes.LargeSizeResult:
    return large_sizes.check(IndexEqual(lhs, rhs, DOMAIN), np.random.default_rng(seed), 200, 1e-9)


def over_actions(e: sp.Expr, index: sp.Symbol = b) -> sp.Sum:
    return sp.Sum(e, (index, 1, A))


def test_a_true_identity_agrees_up_to_the_largest_sizes() -> None:
    soft_value = alpha * sp.log(over_actions(pi[s, b] * sp.exp(Q[s, b] / alpha)))
    boltzmann = pi[s, a] * sp.exp(Q[s, a] / alpha) / over_actions(pi[s, c] * sp.exp(Q[s, c] / alpha), c)
    result = check(Q[s, a], soft_value + alpha * sp.log(boltzmann / pi[s, a]))
    assert result.agreed and result.mismatch is None
    assert Size.of(states=12, actions=30) in result.sizes and len(result.sizes) > 1


def test_the_sizes_are_on_the_axes_given_then_those_of_the_ranges_an_axis_without_one_at_1() -> None:
    N = sp.Symbol("N", integer=True, positive=True)
    i, j = sp.symbols("i j", integer=True)
    w = sp.IndexedBase("w", real=True)
    items = IndexRange(N, "n", "N", largest=7)
    claim = IndexEqual(sp.Sum(w[i], (i, 1, N)), sp.Sum(w[j], (j, 1, N)), IndexDomain({}, [Table(w, (items,))]))
    result = large_sizes.check(claim, np.random.default_rng(0), 50, 1e-9)
    assert result.agreed and Size.of(n=7) in result.sizes and all(z.axes == ("n",) for z in result.sizes)
    on_more = large_sizes.check(claim, np.random.default_rng(0), 50, 1e-9, ("m", "n"))
    assert [z.counts for z in on_more.sizes] == [(1, z["n"]) for z in result.sizes]


def test_gradients_under_a_sum_agree() -> None:
    softmax = sp.exp(f(s, a, theta)) / over_actions(sp.exp(f(s, c, theta)), c)
    assert check(over_actions(sp.Derivative(softmax, theta), a), 0).agreed


def test_a_claim_true_only_up_to_three_actions_is_refuted_at_a_larger_size() -> None:
    result = check((A - 1) * (A - 2) * (A - 3) * over_actions(pi[s, b] ** 2), 0)
    assert not result.agreed
    assert result.mismatch is not None and result.size["actions"] > 3


def test_a_claim_true_only_for_one_action_is_refuted_with_a_certified_point() -> None:
    """Σ_a π(a|s)² = 1 holds at |A| = 1 only; the point lies in the domain, exactly."""
    result = check(over_actions(pi[s, b] ** 2), 1)
    assert result.mismatch is not None and result.size["actions"] > 1
    entries = [v for k, v in result.mismatch.values.items() if str(k).startswith("pi_0_")]
    assert sum(entries) == 1


def test_sums_over_states_and_actions_are_evaluated_over_their_own_ranges() -> None:
    states = sp.Sum(Q[c, 1], (c, 1, S))
    result = check(states, sp.Sum(Q[1, c], (c, 1, A)))
    assert result.mismatch is not None


def test_the_smallest_failing_size_is_judged_first() -> None:
    result = check(over_actions(pi[s, b] ** 2), 1, seed=3)
    sizes_before = [z for z in result.sizes if z != result.size]
    assert all(z.volume <= result.size.volume for z in sizes_before)


gamma = sp.Symbol("gamma", positive=True)
r = sp.IndexedBase("r", real=True)
p = sp.IndexedBase("p", positive=True)
v = sp.IndexedBase("v", real=True)


def bellman(state: sp.Symbol) -> sp.Expr:
    inner = sp.Sum(p[state, b, c] * v[c], (c, 1, S))
    return sp.Sum(pi[state, b] * (r[state, b] + gamma * inner), (b, 1, A))


VALUES = IndexDomain(
    {s: STATES, a: ACTIONS},
    [
        Table(r, (STATES, ACTIONS)),
        Table(pi, (STATES, ACTIONS), "distribution"),
        Table(p, (STATES, ACTIONS, STATES), "distribution"),
        ValueTable(v, STATES, s, bellman(s)),
    ],
    [OpenInterval(gamma, low=0, high=1)],
)


def test_a_value_table_is_the_solution_of_its_equation() -> None:
    result = large_sizes.check(IndexEqual(v[s], bellman(s), VALUES), np.random.default_rng(0), 100, 1e-9)
    assert result.agreed and Size.of(states=12, actions=30) in result.sizes


def test_a_value_table_is_not_its_equation_with_a_term_dropped() -> None:
    wrong = sp.Sum(pi[s, b] * r[s, b], (b, 1, A))
    result = large_sizes.check(IndexEqual(v[s], wrong, VALUES), np.random.default_rng(0), 100, 1e-9)
    assert result.mismatch is not None


k = sp.Symbol("k", integer=True)


def over_states(e: sp.Expr, index: sp.Symbol = c, low: sp.Expr = 1, high: sp.Expr = S) -> sp.Sum:
    return sp.Sum(e, (index, low, high))


def test_a_triangular_sum_runs_to_its_outer_index() -> None:
    """Σ_c Σ_{k ≤ c} Q(k,1) counts Q(k,1) once per c ≥ k: the inner range is masked per c."""
    triangle = over_states(over_states(Q[k, 1], k, 1, c))
    assert check(triangle, over_states((S - c + 1) * Q[c, 1])).agreed


def test_a_triangular_sum_runs_to_a_free_index() -> None:
    assert check(over_states(Q[c, a], c, 1, s) + over_states(Q[c, a], c, s + 1, S), over_states(Q[c, a])).agreed


def test_a_summand_that_does_not_depend_on_its_index_counts_once_per_value() -> None:
    assert check(over_actions(Q[s, 1]), A * Q[s, 1]).agreed
    assert check(over_states(over_states(Q[c, 1], k, 1, c)), over_states(c * Q[c, 1])).agreed


def test_a_repeated_index_takes_the_diagonal() -> None:
    diagonal = over_states(p[c, 1, c])
    one_term = over_states(over_states(p[c, 1, k], k, c, c))
    result = large_sizes.check(IndexEqual(diagonal, one_term, VALUES), np.random.default_rng(0), 100, 1e-9)
    assert result.agreed


def test_an_index_may_be_an_expression_in_summation_indices() -> None:
    shifted = over_states(Q[c + 1, 1], c, 1, S - 1)
    assert check(shifted + Q[1, 1], over_states(Q[c, 1])).agreed


def test_a_summation_index_need_not_be_declared_an_integer(monkeypatch) -> None:
    """The memo tells its axes apart (here one per chunk of its range), integer or not."""
    monkeypatch.setattr(large_sizes, "MAX_ELEMENTS", 1000)
    j = sp.Symbol("j")
    assert check(sp.Sum(Q[s, j] ** 2, (j, 1, A)), over_actions(Q[s, b] ** 2)).agreed


def test_a_sum_over_two_limits_is_the_nested_sum() -> None:
    double = sp.Sum(Q[s, b] * pi[s, c], (b, 1, A), (c, 1, A))
    assert check(double, over_actions(Q[s, b]) * over_actions(pi[s, c], c)).agreed


def test_a_long_range_is_summed_in_chunks(monkeypatch) -> None:
    monkeypatch.setattr(large_sizes, "MAX_ELEMENTS", 1000)
    soft_value = alpha * sp.log(over_actions(pi[s, b] * sp.exp(Q[s, b] / alpha)))
    assert check(soft_value, alpha * sp.log(over_actions(pi[s, c] * sp.exp(Q[s, c] / alpha), c))).agreed
    assert check(over_states(over_states(Q[k, 1], k, 1, c)), over_states((S - c + 1) * Q[c, 1])).agreed
    assert check(over_actions(pi[s, b] ** 2), 1).mismatch is not None


def test_a_backwards_range_is_not_evaluated() -> None:
    with pytest.raises(large_sizes.NotEvaluable, match="runs backwards"):
        check(over_states(Q[c, 1], c, 1, S - 13), 0)


def test_a_cell_outside_the_ranges_is_not_evaluated() -> None:
    with pytest.raises(large_sizes.NotEvaluable, match="outside its ranges"):
        check(over_states(Q[c + 1, 1]), 0)


def test_an_index_with_a_rational_coefficient_is_evaluated_where_it_is_an_integer() -> None:
    triangular_difference = b * (b + 1) / 2 - b * (b - 1) / 2
    assert triangular_difference != b
    assert check(over_actions(Q[s, triangular_difference]), over_actions(Q[s, b])).agreed
    with pytest.raises(large_sizes.NotEvaluable, match="not an integer"):
        check(over_actions(Q[s, b / 2]), 0)


def _evaluations(monkeypatch) -> list[tuple[int, type]]:
    """(instances, precision) of every evaluation of the sides from now on."""
    seen: list[tuple[int, type]] = []
    evaluated = large_sizes._evaluated

    def spy(claim, instance, sides, orders, drawn, indices, at, dtype):
        seen.append((len(at), dtype))
        return evaluated(claim, instance, sides, orders, drawn, indices, at, dtype)

    monkeypatch.setattr(large_sizes, "_evaluated", spy)
    return seen


def test_instances_that_agree_in_doubles_are_not_evaluated_again(monkeypatch) -> None:
    seen = _evaluations(monkeypatch)
    assert check(over_actions(pi[s, b]), 1).agreed
    assert seen and all(dtype is np.float64 for _, dtype in seen)


@pytest.mark.skipif(large_sizes.EXTENDED is None, reason="long double is double on this platform")
def test_instances_that_overflow_in_doubles_are_evaluated_again_in_extended_precision(monkeypatch) -> None:
    """exp(300 Q) overflows doubles for Q > 2.4; long double holds it, so the weighted mean of Q(s,a) agrees."""
    seen = _evaluations(monkeypatch)
    weights = over_actions(pi[s, b] * sp.exp(300 * Q[s, b]))
    result = check(over_actions(pi[s, b] * sp.exp(300 * Q[s, b]) * Q[s, a]) / weights, Q[s, a])
    assert result.agreed and result.message == ""
    assert seen[0] == (200, np.float64)
    assert any(dtype is large_sizes.EXTENDED for _, dtype in seen)


@pytest.mark.skipif(large_sizes.EXTENDED is None, reason="long double is double on this platform")
def test_a_value_table_not_solved_in_doubles_is_solved_in_extended_precision(monkeypatch) -> None:
    solved = large_sizes._solved
    precisions: list[type] = []

    def only_in_extended(t, instance, values, tables, functions, n, dtype):
        precisions.append(dtype)
        if dtype is np.float64:
            raise large_sizes.Unsolved("not solved in doubles")
        return solved(t, instance, values, tables, functions, n, dtype)

    monkeypatch.setattr(large_sizes, "_solved", only_in_extended)
    result = large_sizes.check(IndexEqual(v[s], bellman(s), VALUES), np.random.default_rng(0), 100, 1e-9)
    assert result.agreed and large_sizes.EXTENDED in precisions


@pytest.mark.skipif(large_sizes.EXTENDED is None, reason="long double is double on this platform")
def test_a_difference_that_underflows_in_doubles_is_found_in_extended_precision():
    """exp(−1000 − Q²) is 0 in doubles, so 2·that and 3·that agree there; long double holds it."""
    tiny = sp.exp(-1000 - Q[s, a] ** 2)
    result = check(2 * tiny, 3 * tiny)
    assert not result.agreed and result.mismatch is not None
