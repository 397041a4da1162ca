"""Index-level claims: what a domain accepts, and the instances at fixed sizes."""

from __future__ import annotations

import pytest
import sympy as sp

from symderiv import (
    Equal,
    IndexDomain,
    IndexEqual,
    IndexRange,
    Positive,
    Simplex,
    Size,
    SizeRange,
    SmoothTable,
    Table,
    ValueTable,
)

S = sp.Symbol("S", integer=True, positive=True)
A = sp.Symbol("A", integer=True, positive=True)
STATES = IndexRange(S, "states", "|S|", largest=12)
ACTIONS = IndexRange(A, "actions", "|A|", largest=30)
s, a, b = sp.symbols("s a b", integer=True)
Q = sp.IndexedBase("Q", real=True)
pi = sp.IndexedBase("pi", positive=True)
alpha = sp.Symbol("alpha", positive=True)
theta = sp.Symbol("theta", real=True)
f = sp.Function("f", real=True)


def domain(*extra) -> IndexDomain:
    return IndexDomain(
        {s: STATES, a: ACTIONS},
        [Table(Q, (STATES, ACTIONS)), Table(pi, (STATES, ACTIONS), "distribution"), *extra],
        [Positive(alpha)],
    )


def test_a_range_size_is_a_positive_integer_symbol_of_at_least_one() -> None:
    with pytest.raises(ValueError, match="positive integer symbol"):
        IndexRange(sp.Symbol("n", positive=True), "actions", "|A|", largest=5)
    with pytest.raises(ValueError, match="at_least"):
        IndexRange(A, "actions", "|A|", largest=5, at_least=0)


def test_a_table_carries_exactly_what_its_sampler_guarantees() -> None:
    with pytest.raises(ValueError, match="positive=True"):
        Table(sp.IndexedBase("p", real=True), (ACTIONS,), "distribution")
    with pytest.raises(ValueError, match="real=True"):
        Table(sp.IndexedBase("x", positive=True), (ACTIONS,), "real")
    with pytest.raises(ValueError, match="real=True"):
        SmoothTable(sp.Function("g", positive=True), (ACTIONS,), theta)


def test_a_free_index_needs_a_range() -> None:
    c = sp.Symbol("c", integer=True)
    with pytest.raises(ValueError, match="free index c"):
        IndexEqual(Q[s, c], Q[s, c], domain())


def test_a_claim_holds_no_float() -> None:
    with pytest.raises(ValueError, match="float"):
        IndexEqual(Q[s, a], Q[s, a] + sp.Float(0.5), domain())


def test_an_instance_names_the_small_models_symbols_and_carries_out_the_sums() -> None:
    claim = IndexEqual(sp.Sum(pi[s, b] * Q[s, b], (b, 1, A)), Q[s, a], domain())
    at = claim.at(Size.of(states=1, actions=2))
    assert isinstance(at, Equal)
    q00, q01 = sp.Symbol("Q_0_0", real=True), sp.Symbol("Q_0_1", real=True)
    p00, p01 = sp.Symbol("pi_0_0", positive=True), sp.Symbol("pi_0_1", positive=True)
    assert list(at.lhs) == [p00 * q00 + p01 * q01] * 2
    assert list(at.rhs) == [q00, q01]
    assert any(isinstance(d, Simplex) and set(d.symbols) == {p00, p01} for d in at.domain.parts)


def test_a_distribution_is_a_simplex_per_value_of_its_other_indices() -> None:
    instance = domain().at(Size.of(states=3, actions=2))
    simplices = [d for d in instance.domains.parts if isinstance(d, Simplex)]
    assert len(simplices) == 3
    assert all(len(d.symbols) == 2 for d in simplices)


def test_smooth_functions_become_the_small_models_functions() -> None:
    claim = IndexEqual(sp.Derivative(f(s, a, theta), theta), sp.Derivative(f(s, a, theta), theta), domain())
    instance = IndexEqual(claim.lhs, claim.rhs, domain(SmoothTable(f, (STATES, ACTIONS), theta))).at(
        Size.of(states=1, actions=2)
    )
    assert sp.Function("f_0_1", real=True)(theta).diff(theta) in list(instance.lhs)


def test_an_index_outside_its_range_is_an_error() -> None:
    claim = IndexEqual(sp.Sum(Q[s, b + 1], (b, 1, A)), 0, domain())
    with pytest.raises(ValueError, match="outside its ranges"):
        claim.at(Size.of(states=1, actions=2))


def test_the_size_range_names_the_ranges_of_the_equations_of_the_values_a_claim_uses() -> None:
    """Σ_s v(s) = 1 sums over the states only, but v's equation sums over the actions: the proof
    holds for every number of both."""
    v, w = sp.IndexedBase("v", real=True), sp.IndexedBase("w", real=True)
    inner = ValueTable(w, STATES, s, sp.Sum(pi[s, b] * Q[s, b], (b, 1, A)))
    outer = ValueTable(v, STATES, s, w[s] / S)
    claim = IndexEqual(sp.Sum(v[s], (s, 1, S)), 1, domain(inner, outer))
    assert str(claim.size_range()) == "every |S| ≥ 1, |A| ≥ 1"


def test_the_size_range_names_the_ranges_the_claim_uses() -> None:
    per_state = IndexEqual(sp.Sum(pi[s, b], (b, 1, A)), 1, domain())
    assert per_state.size_range() == SizeRange((("|S|", 1), ("|A|", 1)), ("states", "actions"))
    assert str(per_state.size_range()) == "every |S| ≥ 1, |A| ≥ 1"
    two = IndexRange(A, "actions", "|A|", largest=30, at_least=2)
    actions_only = IndexEqual(
        sp.Sum(Q[1, b], (b, 1, A)),
        sp.Sum(Q[1, a], (a, 1, A)),
        domain(),
    )
    assert str(actions_only.size_range()) == "every |A| ≥ 1"
    wider = IndexDomain({a: two}, [Table(Q, (STATES, two))])
    assert str(IndexEqual(sp.Sum(Q[1, b], (b, 1, A)), 0, wider).size_range()) == "every |A| ≥ 2"
    assert SizeRange((("|A|", 2),), ("actions",)).to_dict() == {
        "bounds": {"|A|": 2},
        "axes": ["actions"],
        "text": "every |A| ≥ 2",
    }


def test_the_size_range_follows_the_axes_of_the_obligations_sizes_then_the_declaration() -> None:
    actions_first = IndexDomain({a: ACTIONS, s: STATES}, domain().tables)
    both = IndexEqual(sp.Sum(Q[s, b], (b, 1, A)), sp.Sum(Q[s, a], (a, 1, A)), actions_first)
    assert actions_first.axes == ("actions", "states")
    assert str(both.size_range()) == "every |A| ≥ 1, |S| ≥ 1"
    assert both.size_range(("states", "actions")) == SizeRange((("|S|", 1), ("|A|", 1)), ("states", "actions"))


def test_a_range_takes_any_axis_of_a_size_and_a_size_without_it_is_an_error_naming_both() -> None:
    N = sp.Symbol("N", integer=True, positive=True)
    items = IndexRange(N, "n", "N", largest=5)
    i, j = sp.symbols("i j", integer=True)
    w = sp.IndexedBase("w", real=True)
    claim = IndexEqual(sp.Sum(w[j], (j, 1, N)), sp.Sum(w[i], (i, 1, N)), IndexDomain({}, [Table(w, (items,))]))
    at = claim.at(Size.of(n=3))
    w0, w1, w2 = (sp.Symbol(f"w_{k}", real=True) for k in range(3))
    assert sp.expand(at.lhs - (w0 + w1 + w2)) == 0 and sp.expand(at.rhs - at.lhs) == 0
    covers = claim.size_range(["n"])
    assert covers == SizeRange((("N", 1),), ("n",)) and str(covers) == "every N ≥ 1"
    assert covers.contains(Size.of(n=2)) and not covers.contains(Size.of(states=2, actions=2))
    with pytest.raises(ValueError, match=r"the range N takes the axis 'n' of a size, and the size 2x3 has none "):
        claim.at(Size.of(states=2, actions=3))
    with pytest.raises(ValueError, match="a range's axis is the name of an axis of a size"):
        IndexRange(N, "", "N", largest=5)


def test_a_value_table_is_solved_from_its_equation_at_a_fixed_size() -> None:
    gamma = sp.Symbol("gamma", positive=True)
    v = sp.IndexedBase("v", real=True)
    r = sp.IndexedBase("r", real=True)
    equation = sp.Sum(pi[s, b] * (Q[s, b] + gamma * v[s]), (b, 1, A))
    values = IndexDomain({s: STATES, a: ACTIONS}, [*domain().tables, ValueTable(v, STATES, s, equation)])
    at = IndexEqual(v[s], v[s], values).at(Size.of(states=1, actions=2))
    q00, q01 = sp.Symbol("Q_0_0", real=True), sp.Symbol("Q_0_1", real=True)
    p00, p01 = sp.Symbol("pi_0_0", positive=True), sp.Symbol("pi_0_1", positive=True)
    solved = at.lhs[0]
    assert sp.simplify(solved - (p00 * q00 + p01 * q01) / (1 - gamma * (p00 + p01))) == 0
    assert not r.free_symbols & solved.free_symbols
    with pytest.raises(ValueError, match="real=True"):
        ValueTable(sp.IndexedBase("w", positive=True), STATES, s, equation)
