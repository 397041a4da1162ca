import sympy as sp

from symderiv import Derivation, Equal, Positive, Settings, check_all
from symderiv.report import coverage, summary, verdict_line

x, y = sp.symbols("x y", positive=True)


def _derivation():
    d = Derivation("report test", steps=["S1", "S2", "S3"])

    @d.claim("S1", r"\ln(xy) = \ln x + \ln y")
    def log_of_product():
        return Equal(sp.log(x * y), sp.log(x) + sp.log(y), [Positive(x, y)])

    @d.claim("S3", r"x + y = x", expect="proved")
    def drops_a_term():
        return Equal(x + y, x, [Positive(x, y)])

    return d


def test_coverage_lists_every_step_and_flags_missing_and_unexpected():
    d = _derivation()
    verdicts = check_all(d, Settings(samples=200))
    table, missing = coverage(d, verdicts)
    assert missing == ["S2"]
    assert "| S1 | S1 `log_of_product` | proved |  |" in table
    assert "| S2 | (none) | MISSING | |" in table
    assert "| S3 | S3 `drops_a_term` | refuted | expected proved |" in table


def test_summary_and_lines_say_what_was_unexpected():
    d = _derivation()
    verdicts = check_all(d, Settings(samples=200))
    assert "UNEXPECTED: expected proved" in verdict_line(verdicts[1])
    assert summary(verdicts) == "2 obligations: 1 proved, 0 argued, 0 numeric, 1 refuted, 0 error; 1 not as expected"
