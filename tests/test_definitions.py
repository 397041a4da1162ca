"""Named quantities print as their symbol, unfold once for checking, and assume nothing."""

import sympy as sp

from symderiv import Equal, Positive, Real, Settings, Status
from symderiv.checker import check
from symderiv.definitions import Definition, is_folded, unfold
from symderiv.export.notation import math_latex, using
from symderiv.obligation import Derivation
from symderiv.rl import VOCABULARY, SymbolicMDP

x = sp.Symbol("x", positive=True)


def test_a_named_quantity_unfolds_inside_out_and_its_expansion_is_built_once():
    calls = []

    def body(a):
        calls.append(a)
        return a**2

    square = Definition("sq", "{0}^2", body)
    twice = Definition("tw", r"2\,{0}", lambda a: 2 * square(a))
    expr = twice(x) + sp.log(square(x)) + square(x)
    assert is_folded(expr)
    assert unfold(expr) == 2 * x**2 + sp.log(x**2) + x**2
    assert calls == [x]


def test_a_max_built_unevaluated_stays_so_as_its_named_arguments_unfold():
    """Evaluated, Max(x, x + 1) would be x + 1, found by comparing its arguments symbolically (seconds
    on a norm of a 3-state table); unfolded, it is the same Max of the expansions."""
    shifted = Definition("shifted", "{0}+1", lambda a: a + 1)
    unfolded = unfold(sp.Max(x, shifted(x), evaluate=False))
    assert isinstance(unfolded, sp.Max) and set(unfolded.args) == {x, x + 1}
    assert unfolded.subs(x, 2) == 3


def test_a_named_quantity_carries_no_assumption_sympy_could_act_on():
    value = Definition("v", "v", lambda: -x)
    assert sp.Abs(value()) != value()  # a "positive" v would make |v| = v, unchecked
    assert sp.Abs(unfold(value())) == x


def test_a_claim_checks_the_unfolding_and_shows_the_named_form():
    square = Definition("sq", "{0}^2", lambda a: a**2)
    claim = Equal(square(x + 1), x**2 + 2 * x + 1, [Positive(x)])
    assert not is_folded(claim.lhs) and is_folded(claim.shown[0])
    note = Derivation("named")
    note.claim("D1", "(x+1)^2 = x^2 + 2x + 1")(lambda: claim)
    assert check(note.obligations[0], Settings(samples=50)).status is Status.PROVED


def test_a_false_claim_about_a_named_quantity_is_refuted():
    y = sp.Symbol("y", real=True)
    square = Definition("sq", "{0}^2", lambda a: a**2)
    note = Derivation("named")
    note.claim("D1", "(y+1)^2 = y^2 + 1", expect="refuted")(lambda: Equal(square(y + 1), y**2 + 1, [Real(y)]))
    assert check(note.obligations[0], Settings(samples=50)).status is Status.REFUTED


def test_the_mdp_names_the_notes_quantities_and_prints_them_as_the_note_does():
    m = SymbolicMDP((2, 2))
    with using([VOCABULARY]):
        assert math_latex(m.soft_value(m.Q)[1]) == "{V_{Q}(1)}"
        assert math_latex(m.boltzmann(m.Q)[0, 1]) == r"{\pi_{Q}(1\vert 0)}"
        assert math_latex(m.soft_bellman_optimal(m.Q)[1, 0]) == "{(TQ)(1,0)}"
        assert (
            math_latex(m.kl(m.boltzmann(m.Q))[0])
            == r"{D_{\mathrm{KL}}(\pi_{Q}(\cdot\vert 0) \Vert \tilde\pi(\cdot\vert 0))}"
        )
        assert math_latex(m.discounted_visitation(m.pi)[0]) == r"{p_\gamma(0; \pi)}"
        theta = sp.Symbol("theta", real=True)
        assert math_latex(m.soft_value(m.q_functions(theta))[0]) == r"{V_{Q_{\theta}}(0)}"


def test_a_quantity_of_a_table_the_model_cannot_name_is_built_expanded():
    m = SymbolicMDP((1, 2))
    other = sp.Matrix(1, 2, lambda s, a: sp.Symbol(f"W_{s}_{a}", real=True))
    assert not is_folded(m.soft_value(other)[0])
    m.name(other, "W")
    assert is_folded(m.soft_value(other)[0])


def test_named_and_expanded_constructions_unfold_to_the_same_expression():
    m = SymbolicMDP((2, 2))
    expanded = m.r + m.gamma * m.expected_next(
        sp.Matrix(
            2, 1, lambda s, _: m.alpha * sp.log(sum(m.prior[s, a] * sp.exp(m.Q[s, a] / m.alpha) for a in range(2)))
        )
    )
    assert unfold(m.soft_bellman_optimal(m.Q)) == expanded


def test_a_substitution_that_changes_what_a_name_stands_for_unnames_it_in_print():
    m = SymbolicMDP((1, 2))
    theta, target = sp.Symbol("theta", real=True), sp.Symbol("theta_target", real=True)
    V = m.soft_value(m.q_functions(target))[0]
    moved = V.subs(target, theta)
    assert unfold(moved) == unfold(m.soft_value(m.q_functions(theta))[0])
    with using([VOCABULARY]):
        assert math_latex(V) == r"{V_{Q_{\theta_{target}}}(0)}"
        assert "V_" not in math_latex(moved) and r"\ln" in math_latex(moved)


def test_differentiating_a_named_quantity_differentiates_what_it_names():
    m = SymbolicMDP((1, 2))
    theta = sp.Symbol("theta", real=True)
    V = m.soft_value(m.q_functions(theta))[0]
    assert sp.diff(V, theta) == sp.diff(unfold(V), theta)
    assert sp.diff(V, theta) != 0


def test_the_symbolic_engine_unfolds_named_quantities_it_is_given_directly():
    from symderiv.symbolic import prove_zero

    m = SymbolicMDP((1, 2))
    diff = m.kl(m.pi)[0] - sum(m.pi[0, a] * sp.log(m.pi[0, a] / m.prior[0, a]) for a in range(2))
    assert is_folded(diff) and prove_zero([diff]).zero
