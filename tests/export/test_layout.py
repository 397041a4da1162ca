import sympy as sp

from symderiv.export.layout import (
    CONTINUATION,
    FIRST,
    RELATION,
    relation_lines,
    source_lines,
    source_math,
    visible_length,
)
from symderiv.rl import SymbolicMDP


def test_a_short_relation_is_one_line():
    x, y = sp.symbols("x y")
    assert [(l.level, l.math) for l in relation_lines(x + y, "=", y + x)] == [(FIRST, "x + y = x + y")]


def test_a_long_sum_breaks_between_terms_and_each_side_starts_a_line():
    m = SymbolicMDP((2, 2))
    lhs = sum(m.Q[s, a] * sp.log(m.prior[s, a]) for s in range(2) for a in range(2))
    lines = relation_lines(lhs, "=", lhs * 2, width=40)
    assert lines[0].level == FIRST
    assert [l.level for l in lines].count(RELATION) == 1
    assert any(l.level == CONTINUATION for l in lines)
    relation = next(l for l in lines if l.level == RELATION)
    assert relation.math.startswith("= ")
    # every line holds whole terms: its parentheses balance
    for line in lines:
        assert line.math.count(r"\left(") == line.math.count(r"\right)")
    assert all(visible_length(l.math) <= 40 for l in lines)  # each term is short, so each line fits


def test_a_product_with_a_long_sum_opens_the_sum_across_lines():
    m = SymbolicMDP((1, 4))
    inner = sum(m.pi[0, a] * sp.log(m.pi[0, a] / m.prior[0, a]) for a in range(4))
    lines = relation_lines(-m.alpha * inner, "=", 0, width=40)
    text = " ".join(l.math for l in lines)
    assert r"\Bigl(" in text and r"\Bigr)" in text and len(lines) > 2


def test_no_term_is_ever_dropped_and_every_line_fits():
    terms = sp.symbols("t0:60")
    lines = relation_lines(sp.Add(*terms), "=", 0, width=40)
    text = " ".join(l.math for l in lines)
    assert all(f"t_{{{k}}}" in text for k in range(60)) and r"\cdots" not in text
    assert all(visible_length(l.math) <= 40 for l in lines)


def test_a_long_fraction_breaks_into_numerator_over_denominator():
    m = SymbolicMDP((1, 4))
    weights = [m.prior[0, a] * sp.exp(m.Q[0, a] / m.alpha) for a in range(4)]
    lines = relation_lines(weights[0] / sum(weights), "=", m.pi[0, 0], width=40)
    assert r"\Big/" in " ".join(l.math for l in lines)
    assert all(visible_length(l.math) <= 40 for l in lines)


def test_a_source_equation_breaks_before_its_relations_outside_braces():
    latex = r"\rho(\pi) = (1 - \gamma) \mathbb{E}_{\tau}\bigg[\sum_{t=0}^{\infty} \gamma^t r_t \bigg] = \mathbb{E}_{s \sim p_{\gamma}, a \sim \pi} [r(s, a)]"
    lines = source_lines(latex, width=20)
    assert lines[0].level == FIRST and sum(l.level == RELATION and l.math.startswith("=") for l in lines) == 2
    assert "".join(l.math for l in lines).replace(" ", "") == latex.replace(" ", "")


def test_a_long_max_breaks_between_its_arguments():
    m = SymbolicMDP((1, 2))
    args = [sp.Abs(m.alpha * sp.log(m.prior[0, a] * sp.exp(m.Q[0, a] / m.alpha))) for a in range(2)]
    lines = relation_lines(sp.Max(*args), r"\le", m.gamma, width=30)
    text = " ".join(l.math for l in lines)
    assert text.startswith(r"\max\Bigl(") and r"\Bigr)" in text and len(lines) >= 3


def test_source_rows_and_tabs_outside_an_environment_are_aligned():
    assert source_math(r"x &= y \\ &= z") == r"\begin{aligned}x &= y \\ &= z\end{aligned}"
    assert source_math(r"a &= b") == r"\begin{aligned}a &= b\end{aligned}"
    assert source_math(r"\begin{aligned} a &= b \end{aligned}") == r"\begin{aligned} a &= b \end{aligned}"
    assert source_math(r"R \& D = x") == r"R \& D = x"
