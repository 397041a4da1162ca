"""A small derivation with every kind of step an export must show: a proved claim, a
refuted claim with its corrected claim, a broken builder, a step with no obligation, a
matrix claim over a symbolic MDP, and a claim the source itself says is false (a remark)."""

import os
import shutil
import subprocess

import pytest
import sympy as sp

from symderiv import Derivation, Equal, Positive, Settings, check_all, sizes
from symderiv.export import Document, report_derivation
from symderiv.export.notation import using
from symderiv.rl import VOCABULARY, SymbolicMDP

x, y = sp.symbols("x y", positive=True)


@pytest.fixture(autouse=True)
def rl_notation():
    """Expressions printed outside an export use the RL notation, as the note's export does."""
    with using([VOCABULARY]):
        yield


STEPS = ["S1", "S2", "S3", "S4", "S5", "S6"]


def sample_derivation() -> Derivation:
    d = Derivation("export test", source="notes/sample.tex", steps=STEPS, vocabularies=[VOCABULARY])

    @d.claim("S1", r"\ln(xy) = \ln x + \ln y")
    def log_of_product():
        """Splits the log of a product: π̃ ‖x‖ |y| 50% _under_ {braces} & more."""
        return Equal(sp.log(x * y), sp.log(x) + sp.log(y), [Positive(x, y)])

    @d.claim("S2", r"(x+y)^2 = x^2 + y^2", expect="refuted")
    def square_of_sum_as_written():
        return Equal((x + y) ** 2, x**2 + y**2, [Positive(x, y)])

    @d.claim("S2", r"(x+y)^2 = x^2 + 2xy + y^2", part="corrected", corrects="S2", uses=["S1"])
    def square_of_sum():
        """The source drops the cross term 2xy."""
        return Equal((x + y) ** 2, x**2 + 2 * x * y + y**2, [Positive(x, y)])

    @d.claim("S3", r"\text{a claim whose builder is broken}")
    def broken_builder():
        raise RuntimeError("half-written claim")

    @d.claim(
        "S5",
        r"\pi_Q(a|s) = \tilde\pi(a|s) \exp\{[Q(s,a) - V_Q(s)]/\alpha\}",
        sizes=sizes([1], [2, 3]),
        model=SymbolicMDP,
    )
    def boltzmann_eq_prior_times_exp_advantage(m):
        V = m.soft_value(m.Q)
        rhs = sp.Matrix(m.n_states, m.n_actions, lambda s, a: m.prior[s, a] * sp.exp((m.Q[s, a] - V[s]) / m.alpha))
        return Equal(m.boltzmann(m.Q), rhs, m.domain())

    @d.claim("S6", r"x + y = x", expect="refuted", remark=True, uses=["S5"])
    def the_source_says_y_is_not_negligible():
        return Equal(x + y, x, [Positive(x, y)])

    return d


@pytest.fixture(scope="session")
def checked_sample():
    """(derivation, verdicts, settings), checked once per session."""
    d = sample_derivation()
    settings = Settings(samples=200)
    return d, check_all(d, settings), settings


@pytest.fixture(scope="session")
def sample_document(checked_sample):
    d, verdicts, settings = checked_sample
    return Document([report_derivation(d, verdicts, settings)], settings)


@pytest.fixture(scope="session")
def tex_tools():
    """pdflatex with TikZ and CJK, and pdftotext; a machine without them skips, CI (CI=true) fails."""
    missing = [tool for tool in ("pdflatex", "pdftotext", "kpsewhich") if shutil.which(tool) is None]
    if not missing:
        found = subprocess.run(["kpsewhich", "tikz.sty", "CJKutf8.sty"], capture_output=True, text=True).stdout
        missing = [sty for sty in ("tikz.sty", "CJKutf8.sty") if sty not in found]
    if missing:
        message = (
            f"{', '.join(missing)} not found: install texlive-latex-base, texlive-latex-recommended, "
            "texlive-pictures, latex-cjk-common, latex-cjk-chinese-arphic-gbsn00lp and poppler-utils "
            "(.ci/run does in CI)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(reason=message)
