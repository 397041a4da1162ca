"""Each rule of the sums normal form proves what holds for every size, and nothing that holds
only at some sizes (docs/every-size.md)."""

from __future__ import annotations

import pytest
import sympy as sp

from symderiv import sums
from symderiv.domain import OpenInterval, Positive
from symderiv.mutation import scalar_substitutions, term_slips
from symderiv.sums import Distribution, Normaliser, normal_differences, nowhere_zero, prove_every_size

A = sp.Symbol("A", integer=True, positive=True)
S = sp.Symbol("S", integer=True, positive=True)
a, b, c, i, j, s = sp.symbols("a b c i j s", integer=True)
x = sp.IndexedBase("x", real=True)
y = sp.IndexedBase("y", real=True)
g = sp.IndexedBase("g", positive=True)
Q = sp.IndexedBase("Q", real=True)
pi = sp.IndexedBase("pi", positive=True)
prior = sp.IndexedBase("pitilde", positive=True)
k = sp.Symbol("k", real=True)
alpha = sp.Symbol("alpha", positive=True)
theta = sp.Symbol("theta", real=True)
f = sp.Function("f", real=True)
POLICY = [Distribution(pi, 1, A)]


def proved(lhs: sp.Expr, rhs: sp.Expr, distributions=POLICY) -> bool:
    return prove_every_size([lhs - rhs], [A, S], distributions, time_limit=20.0).zero


def sum_a(e: sp.Expr, index: sp.Symbol = a, size: sp.Symbol = A) -> sp.Sum:
    return sp.Sum(e, (index, 1, size))


# -- linearity -------------------------------------------------------------------------------------


def test_linearity_splits_sums_and_pulls_out_constants() -> None:
    assert proved(sum_a(x[a] + k * y[a]), sum_a(x[a]) + k * sum_a(y[b], b))
    assert proved(sum_a(k), A * k)


def test_a_constant_summed_is_not_twice_itself() -> None:
    """Σ_a k = 2k holds only for |A| = 2."""
    assert not proved(sum_a(k), 2 * k)


def test_a_square_of_a_sum_is_not_the_sum_of_squares() -> None:
    """(Σ_a x_a)² = Σ_a x_a² holds only for |A| = 1; (Σ_a x_a)² − Σ_a x_a² = 2 x_1 x_2 only for |A| = 2."""
    assert proved(sum_a(x[a]) ** 2, sp.Sum(x[a] * x[b], (a, 1, A), (b, 1, A)))
    assert not proved(sum_a(x[a]) ** 2, sum_a(x[a] ** 2))
    assert not proved(sum_a(x[a]) ** 2 - sum_a(x[a] ** 2), 2 * x[1] * x[2])


# -- renaming and escaping indices ----------------------------------------------------------------


def test_bound_names_do_not_matter() -> None:
    assert proved(sum_a(Q[s, a] * prior[s, a]), sum_a(Q[s, b] * prior[s, b], b))


def test_a_free_index_is_not_the_bound_one() -> None:
    """x_a outside Σ_a is another quantity; Σ_a x_a = |A| x_a holds only for |A| = 1."""
    assert not proved(sum_a(x[a]), A * x[a])
    assert not proved(x[a] * sum_a(y[a]), sum_a(x[a] * y[a]))


def test_renaming_captures_no_index() -> None:
    """Σ_i ln Σ_j g(i,j) is the same sum under any names, and not the one with g transposed."""
    lhs = sp.Sum(sp.log(sp.Sum(g[i, j], (j, 1, A))), (i, 1, S))
    assert proved(lhs, sp.Sum(sp.log(sp.Sum(g[b, a], (a, 1, A))), (b, 1, S)))
    assert not proved(lhs, sp.Sum(sp.log(sp.Sum(g[j, i], (j, 1, A))), (i, 1, S)))


# -- merging and the order of sums -----------------------------------------------------------------


def test_a_factor_merges_into_a_sum_that_depends_on_its_index() -> None:
    lhs = sp.Sum(x[i] * sp.Sum(g[i, j], (j, 1, A)), (i, 1, S))
    assert proved(lhs, sp.Sum(x[i] * g[i, j], (j, 1, A), (i, 1, S)))
    assert proved(lhs, sp.Sum(sp.Sum(x[i] * g[i, j], (i, 1, S)), (j, 1, A)))


def test_sums_over_states_and_over_actions_are_not_confused() -> None:
    assert not proved(sum_a(x[a], a, S), sum_a(x[a], a, A))
    assert not proved(sp.Sum(g[i, j], (i, 1, S), (j, 1, A)), sp.Sum(g[i, j], (i, 1, A), (j, 1, S)))


def test_a_sum_s_canonical_form_is_computed_once_for_every_naming_of_its_indices(monkeypatch) -> None:
    """Remembered under the indices named by position: Σ_{i,j} and Σ_{c,b} of the same summand give
    one form, computed once; another summand, or other ranges, another form."""
    computed = []
    least_form = sums._least_form
    monkeypatch.setattr(sums, "_CANONICAL", {})
    monkeypatch.setattr(sums, "_least_form", lambda p, lims: computed.append(lims) or least_form(p, lims))
    first = sums.canonical(x[i] * g[i, j], [(i, 1, S), (j, 1, A)])
    assert sums.canonical(x[c] * g[c, b], [(c, 1, S), (b, 1, A)]) == first and len(computed) == 1
    assert sums.canonical(x[j] * g[j, i], [(j, 1, S), (i, 1, A)]) == first and len(computed) == 1
    assert sums.canonical(x[i] * g[j, i], [(i, 1, S), (j, 1, A)]) != first
    assert sums.canonical(x[i] * g[i, j], [(i, 1, A), (j, 1, S)]) != first
    assert len(computed) == 3


def test_a_sum_s_canonical_form_does_not_depend_on_the_names_its_indices_had() -> None:
    """An index already named canonically, inside a nested sum that binds another canonical name,
    as the normal form meets its own output again: the same form as under a user's name, whichever
    comes first."""
    b0, b1 = sums._bound(0), sums._bound(1)
    user = (x[i] * sp.log(sp.Sum(g[i, b0], (b0, 1, A))), [(i, 1, S)])
    again = (x[b1] * sp.log(sp.Sum(g[b1, b0], (b0, 1, A))), [(b1, 1, S)])
    forms = []
    for first, second in ((user, again), (again, user)):
        sums._CANONICAL.clear()
        forms.append({id(first): sums.canonical(*first), id(second): sums.canonical(*second)})
    assert forms[0] == forms[1] and forms[0][id(user)] == forms[0][id(again)]


# -- ranges and index shifts -----------------------------------------------------------------------


def test_a_range_from_zero_is_shifted_to_start_at_one() -> None:
    assert proved(sp.Sum(x[a + 1], (a, 0, A - 1)), sum_a(x[a]))


def test_a_wrong_shift_is_not_proved() -> None:
    assert not proved(sp.Sum(x[a], (a, 0, A - 1)), sum_a(x[a]))
    assert not proved(sum_a(x[a + 1]), sum_a(x[a]))


def test_a_range_of_no_declared_size_is_left_as_written() -> None:
    n = sp.Symbol("n", integer=True, positive=True)
    assert not proved(sp.Sum(k, (a, 1, n)), n * k)
    assert proved(sp.Sum(x[a], (a, 1, n)), sp.Sum(x[a], (a, 1, n)))


# -- atoms and their signs ------------------------------------------------------------------------


def test_a_sum_of_positive_terms_is_a_positive_atom() -> None:
    """ln((Σ_a π̃_a)²) = 2 ln Σ_a π̃_a needs the sum positive; for Σ_a Q_a it does not hold."""
    assert proved(sp.log(sum_a(prior[s, a]) ** 2), 2 * sp.log(sum_a(prior[s, a])))
    assert not proved(sp.log(sum_a(Q[s, a]) ** 2), 2 * sp.log(sum_a(Q[s, a])))


def test_atoms_are_shared_between_the_sides() -> None:
    diffs, atoms = normal_differences([sum_a(prior[s, a]) - sum_a(prior[s, b], b)], [A])
    assert diffs == [0]


# -- constraints ---------------------------------------------------------------------------------


def test_a_distribution_sums_to_one() -> None:
    assert proved(sum_a(pi[s, a]), 1)
    assert proved(sum_a(k * pi[s, a] + x[s]), k + A * x[s])


def test_a_constraint_is_not_used_on_a_sum_that_is_not_a_distribution() -> None:
    assert not proved(sum_a(Q[s, a]), 1)
    assert not proved(sum_a(pi[s, a] * Q[s, a]), sum_a(Q[s, a]))
    assert not proved(sum_a(pi[s, a]), 1, distributions=[])


def test_a_constraint_holds_only_over_its_own_range_and_position() -> None:
    assert not proved(sum_a(pi[s, a], a, S), 1)
    assert not proved(sum_a(pi[a, s]), 1)
    assert not proved(sum_a(pi[a, a]), 1)


def test_the_square_of_a_distribution_does_not_sum_to_one() -> None:
    """Σ_a π_a² = 1 holds only for |A| = 1."""
    assert not proved(sum_a(pi[s, a] ** 2), 1)


# -- gradients -----------------------------------------------------------------------------------


def test_the_gradient_passes_under_a_sum() -> None:
    lhs = sp.Derivative(sum_a(f(a, theta)), theta)
    assert proved(lhs, sum_a(sp.Derivative(f(a, theta), theta)))


def test_the_gradients_of_a_softmax_sum_to_zero() -> None:
    def softmax(index):
        return sp.exp(f(s, index, theta)) / sp.Sum(sp.exp(f(s, c, theta)), (c, 1, A))

    assert proved(sum_a(sp.Derivative(softmax(a), theta)), 0)
    assert not proved(sum_a(sp.Derivative(f(s, a, theta), theta)), 0)


def test_a_gradient_with_the_parameter_in_the_range_stays_whole() -> None:
    n = Normaliser([A])
    e = sp.Derivative(sp.Sum(f(a, theta), (a, 1, A)), A)
    assert isinstance(n(e), sp.Derivative)


# -- the note's per-state steps -------------------------------------------------------------------


def boltzmann(index: sp.Symbol) -> sp.Expr:
    weight = prior[s, index] * sp.exp(Q[s, index] / alpha)
    return weight / sp.Sum(prior[s, c] * sp.exp(Q[s, c] / alpha), (c, 1, A))


SOFT_VALUE = alpha * sp.log(sp.Sum(prior[s, b] * sp.exp(Q[s, b] / alpha), (b, 1, A)))


@pytest.mark.parametrize(
    "lhs, rhs",
    [
        (boltzmann(a), prior[s, a] * sp.exp((Q[s, a] - SOFT_VALUE) / alpha)),
        (Q[s, a], SOFT_VALUE + alpha * sp.log(boltzmann(a) / prior[s, a])),
        (SOFT_VALUE, sum_a(boltzmann(a) * Q[s, a]) - alpha * sum_a(boltzmann(a) * sp.log(boltzmann(a) / prior[s, a]))),
    ],
    ids=["N10", "N11", "N12"],
)
def test_soft_value_steps_hold_for_every_number_of_actions(lhs: sp.Expr, rhs: sp.Expr) -> None:
    assert proved(lhs, rhs)


def test_a_soft_value_with_the_prior_dropped_is_not_proved() -> None:
    wrong = sum_a(boltzmann(a) * Q[s, a]) - alpha * sum_a(boltzmann(a) * sp.log(boltzmann(a)))
    assert not proved(SOFT_VALUE, wrong)


def test_a_sum_left_as_written_has_no_sign() -> None:
    """Σ_{a=5}^{3} is −Σ_{a=4}^{4} in SymPy's convention: a sum of positive terms is not positive there."""
    backwards = sp.Sum(g[a], (a, 5, 3))
    assert not proved(sp.log(backwards**2), 2 * sp.log(backwards))
    assert proved(sp.log(sum_a(g[a]) ** 2), 2 * sp.log(sum_a(g[a])))


# -- defining equations ----------------------------------------------------------------------------

gamma = sp.Symbol("gamma", positive=True)
r = sp.IndexedBase("r", real=True)
p = sp.IndexedBase("p", positive=True)
v = sp.IndexedBase("v", real=True)
t = sp.Symbol("t", integer=True)


def bellman(state: sp.Symbol) -> sp.Expr:
    """v(s) = Σ_b π(b|s)[r(s,b) + γ Σ_t p(t|s,b) v(t)]."""
    return sp.Sum(pi[state, b] * (r[state, b] + gamma * sp.Sum(p[state, b, t] * v[t], (t, 1, S))), (b, 1, A))


EQUATIONS = {v: (s, bellman(s))}
KERNEL = [*POLICY, Distribution(p, 2, S)]


def proved_with_equation(lhs: sp.Expr, rhs: sp.Expr) -> bool:
    return prove_every_size([lhs - rhs], [A, S], KERNEL, EQUATIONS, time_limit=20.0).zero


def q_of(state: sp.Symbol, action: sp.Symbol) -> sp.Expr:
    return r[state, action] + gamma * sp.Sum(p[state, action, j] * v[j], (j, 1, S))


def test_a_value_is_its_equation_at_a_free_index() -> None:
    """Σ_a π(a|s) Q(s,a) = v(s), Q = r + γ Σ p v: the equation at s."""
    assert proved_with_equation(sum_a(pi[s, a] * q_of(s, a)), v[s])
    assert not proved(sum_a(pi[s, a] * q_of(s, a)), v[s])


def test_a_value_is_unfolded_inside_sums() -> None:
    """Σ_{s'} p(s'|s,a) v(s') = Σ_{s'} p Σ_b π(b|s') Q(s',b): the equation at every s'."""
    lhs = sp.Sum(p[s, a, i] * v[i], (i, 1, S))
    rhs = sp.Sum(p[s, a, i] * sp.Sum(pi[i, b] * q_of(i, b), (b, 1, A)), (i, 1, S))
    assert proved_with_equation(lhs, rhs)


def test_an_equation_with_a_term_dropped_is_not_used_to_prove() -> None:
    assert not proved_with_equation(v[s], sum_a(pi[s, a] * r[s, a]))
    assert not proved_with_equation(v[s], sum_a(pi[s, a] * q_of(s, a)) + gamma * v[s])


def test_unfolding_captures_no_index() -> None:
    """The equation's own bound indices are renamed: v(t) with a free t unfolds to a sum over another t."""
    assert proved_with_equation(v[t], sp.Sum(pi[t, a] * q_of(t, a), (a, 1, A)))


def test_a_distribution_is_summed_out_of_a_multiple_sum() -> None:
    """Σ_{i,a} x_i π(a|i) = Σ_i x_i; not when another factor also depends on a, nor over the states."""
    assert proved(sp.Sum(x[i] * pi[i, a], (i, 1, S), (a, 1, A)), sp.Sum(x[i], (i, 1, S)))
    assert proved(sp.Sum(x[i] * sum_a(pi[i, a]), (i, 1, S)), sp.Sum(x[i], (i, 1, S)))
    assert not proved(sp.Sum(x[i] * pi[i, a] * y[a], (i, 1, S), (a, 1, A)), sp.Sum(x[i], (i, 1, S)))
    assert not proved(sp.Sum(x[i] * pi[a, i], (i, 1, S), (a, 1, A)), sp.Sum(x[i], (i, 1, S)))
    assert not proved(sp.Sum(x[i] * pi[i, a], (i, 1, S), (a, 1, S)), sp.Sum(x[i], (i, 1, S)))


def test_no_slip_of_the_soft_value_steps_is_proved():
    """Every term negated, dropped or doubled, and α squared or inverted, in N10 and N12's right sides:
    none holds for every size, and none is proved (in N11, α → α² and α → 1/α hold for every α > 0)."""
    n10 = prior[s, a] * sp.exp((Q[s, a] - SOFT_VALUE) / alpha)
    n12 = sum_a(boltzmann(a) * Q[s, a]) - alpha * sum_a(boltzmann(a) * sp.log(boltzmann(a) / prior[s, a]))
    for lhs, rhs in ((boltzmann(a), n10), (SOFT_VALUE, n12)):
        slips = [m for op in (term_slips, scalar_substitutions) for _, m in op(rhs, set()) if m != rhs]
        assert slips and not any(proved(lhs, m) for m in slips)


# -- a multiple of itself --------------------------------------------------------------------------

p0 = sp.IndexedBase("p0", positive=True)
d = sp.IndexedBase("d", real=True)
STATE_KERNEL = [*KERNEL, Distribution(p0, 0, S)]


def visitation(state: sp.Symbol, scale: sp.Expr = 1 - gamma) -> sp.Expr:
    """d(s) = scale·p0(s) + γ Σ_{t,b} d(t) π(b|t) p(s|t,b): the discounted visitation's flow equation."""
    return scale * p0[state] + gamma * sp.Sum(d[t] * pi[t, b] * p[t, b, state], (t, 1, S), (b, 1, A))


def visitation_total_proved(rhs: sp.Expr, equation: sp.Expr, discount: OpenInterval) -> bool:
    total = sp.Sum(d[i], (i, 1, S))
    equations = {d: (s, equation)}
    return prove_every_size([total - rhs], [A, S], STATE_KERNEL, equations, scalars=[discount], time_limit=20.0).zero


def test_a_total_that_its_equation_returns_times_gamma_is_proved() -> None:
    """Σ_s d(s) = 1: unfolding turns Σ d − 1 into γ(Σ d − 1), and 1 − γ ≠ 0 on (0, 1)."""
    assert visitation_total_proved(1, visitation(s), OpenInterval(gamma, low=0, high=1))


def test_a_wrong_total_is_not_a_multiple_of_itself() -> None:
    """Σ_s d(s) = 2 is false: its unfolding γ Σ d − 1 − γ is no multiple of Σ d − 2."""
    assert not visitation_total_proved(2, visitation(s), OpenInterval(gamma, low=0, high=1))


def test_without_the_factor_one_minus_gamma_the_total_is_not_one() -> None:
    """d = p0 + γ P^T d sums to 1/(1 − γ), not 1."""
    assert not visitation_total_proved(1, visitation(s, 1), OpenInterval(gamma, low=0, high=1))


def test_a_factor_that_is_one_somewhere_on_the_domain_proves_nothing() -> None:
    """With γ in (0, 2), 1 − γ vanishes at γ = 1, where the equation leaves the total free."""
    assert not visitation_total_proved(1, visitation(s), OpenInterval(gamma, low=0, high=2))


def test_the_sign_of_an_expression_is_decided_over_the_whole_domain() -> None:
    assert nowhere_zero(1 - gamma, [OpenInterval(gamma, low=0, high=1)])
    assert not nowhere_zero(1 - gamma, [OpenInterval(gamma, low=0, high=2)])
    assert not nowhere_zero(1 - gamma, [])
    assert nowhere_zero(1 + alpha**2, [Positive(alpha)])
    assert not nowhere_zero(2 - alpha, [Positive(alpha)])
    assert not nowhere_zero(1 - alpha, [Positive(alpha, low=0.5, high=0.9)])
