import pytest
import sympy as sp

from symderiv.definitions import unfold
from symderiv.export.notation import math_latex, symbol_latex, using
from symderiv.rl import VOCABULARY, SymbolicMDP
from symderiv.vocabulary import Vocabulary, merged_notation


def test_model_symbols_print_as_the_source_writes_them():
    assert symbol_latex("pitilde_0_1") == r"{\tilde\pi(1\vert 0)}"
    assert symbol_latex("pi_0_1") == r"{\pi(1\vert 0)}"
    assert symbol_latex("P_0_1_2") == r"{p(2\vert 0,1)}"
    assert symbol_latex("p0_1") == "{p_0(1)}"
    assert symbol_latex("Q_0_1") == "{Q(0,1)}"
    assert symbol_latex("r_1_0") == "{r(1,0)}"
    assert symbol_latex("alpha") == r"\alpha"
    assert symbol_latex("gamma") == r"\gamma"


def test_without_a_vocabulary_model_symbols_print_as_plain_indexed_names():
    with using([]):
        assert symbol_latex("pitilde_0_1") == r"{{\tilde{\pi}}_{0,1}}"
        assert symbol_latex("Q_0_1") == "{{Q}_{0,1}}"


def test_two_vocabularies_that_print_a_symbol_differently_are_refused():
    other = Vocabulary("other", {"Q": "q[{0}]"})
    with pytest.raises(ValueError, match="print the symbol base 'Q' differently"):
        merged_notation([VOCABULARY, other])


def test_other_indexed_names_get_a_subscript_and_never_a_double_one():
    assert symbol_latex("Zb_0_1") == "{{Zb}_{0,1}}"
    assert symbol_latex("p0_0_1") == "{{p_{0}}_{0,1}}"  # p0 with two indices is not the start distribution
    assert symbol_latex("theta") == r"\theta"


def test_expressions_of_a_model_use_the_notation():
    m = SymbolicMDP((1, 2))
    assert math_latex(m.soft_value(m.Q)[0]) == "{V_{Q}(0)}"
    text = math_latex(unfold(m.soft_value(m.Q)[0]))
    assert r"\tilde\pi(0\vert 0)" in text and "Q(0,1)" in text and r"\ln" in text
    assert "pitilde" not in text and "Q_{0" not in text


def test_a_long_exponent_prints_as_exp_so_it_stays_legible():
    q, v, a = sp.symbols("Q_0_1 V_0 alpha")
    assert math_latex(sp.exp(q)) == "e^{{Q(0,1)}}"
    long = math_latex(sp.exp((q - a * sp.log(q + v)) / a))
    assert long.startswith(r"\exp{\left(") and "e^{" not in long


def test_an_unknown_function_and_its_gradient_print_in_the_notation():
    theta = sp.Symbol("theta", real=True)
    q = sp.Function("q_0_1", real=True)(theta)
    assert math_latex(q) == r"{Q(0,1;\theta)}"
    assert math_latex(q.diff(theta)) == r"\nabla_{\theta} {Q(0,1;\theta)}"


def test_a_group_of_equal_values_prints_with_dots_for_its_indices():
    assert symbol_latex("P_·_·_·") == r"{p(\cdot\vert \cdot,\cdot)}"
