"""Numbers at large sizes: true identities agree up to 12x30, claims true only at small sizes are
refuted there, certified in ball arithmetic."""

from __future__ import annotations

import numpy as np
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
    assert Size(12, 30) in result.sizes and len(result.sizes) > 1


def test_gradients_under_a_sum_agree() -> None:
    softmax = sp.exp(f(s, a, theta)) / over_actions(sp.exp(f(s, c, theta)), c)
    assert check(over_actions(sp.Derivative(softmax, theta), a), 0).agreed


def test_a_claim_true_only_up_to_three_actions_is_refuted_at_a_larger_size() -> None:
    result = check((A - 1) * (A - 2) * (A - 3) * over_actions(pi[s, b] ** 2), 0)
    assert not result.agreed
    assert result.mismatch is not None and result.size.actions > 3


def test_a_claim_true_only_for_one_action_is_refuted_with_a_certified_point() -> None:
    """Σ_a π(a|s)² = 1 holds at |A| = 1 only; the point lies in the domain, exactly."""
    result = check(over_actions(pi[s, b] ** 2), 1)
    assert result.mismatch is not None and result.size.actions > 1
    entries = [v for k, v in result.mismatch.values.items() if str(k).startswith("pi_0_")]
    assert sum(entries) == 1


def test_sums_over_states_and_actions_are_evaluated_over_their_own_ranges() -> None:
    states = sp.Sum(Q[c, 1], (c, 1, S))
    result = check(states, sp.Sum(Q[1, c], (c, 1, A)))
    assert result.mismatch is not None


def test_the_smallest_failing_size_is_judged_first() -> None:
    result = check(over_actions(pi[s, b] ** 2), 1, seed=3)
    sizes_before = [z for z in result.sizes if z != result.size]
    assert all(z.states * z.actions <= result.size.states * result.size.actions for z in sizes_before)


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
    assert result.agreed and Size(12, 30) in result.sizes


def test_a_value_table_is_not_its_equation_with_a_term_dropped() -> None:
    wrong = sp.Sum(pi[s, b] * r[s, b], (b, 1, A))
    result = large_sizes.check(IndexEqual(v[s], wrong, VALUES), np.random.default_rng(0), 100, 1e-9)
    assert result.mismatch is not None
