"""Compile exported documents with a real pdflatex and read them back with pdftotext."""

import dataclasses
import subprocess
import textwrap

import pytest
import sympy as sp

from symderiv import Derivation, Equal, Positive, Settings, check_all
from symderiv.export import Document, TexError, compile_pdf, reference_functions, report_derivation, to_latex


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_the_sample_compiles_and_its_text_holds_every_step(tex_tools, sample_document, checked_sample, tmp_path):
    pdf = compile_pdf(to_latex(sample_document), tmp_path / "sample.pdf")
    text = pdf_text(pdf)
    for step in checked_sample[0].steps:
        assert step in text
    assert "Erratum S2" in text and "Counterexample" in text and "proved" in text


def test_an_appendix_with_typeset_and_listed_references_compiles(tex_tools, sample_document, tmp_path, monkeypatch):
    (tmp_path / "export_pdf_reference_sample.py").write_text(
        textwrap.dedent('''
        """Sample reference implementations."""
        import numpy as np


        def soft_value(Q, prior, alpha):
            """V(s) = α ln Σ_a π̃(a|s) exp(Q(s,a)/α), for one state."""
            return alpha * np.log(np.sum(prior * np.exp(Q / alpha)))


        def visitation(P_pi, p0, gamma, n):
            """p_γ = (1 − γ)(I − γ P_π^T)^{-1} p0; latexify would drop the parentheses of (…).T."""
            return (1 - gamma) * np.linalg.solve((np.eye(n) - gamma * P_pi).T, p0)
    ''')
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    references = reference_functions("export_pdf_reference_sample")
    assert [r.latex is not None for r in references] == [True, False]
    document = dataclasses.replace(sample_document, references=references)
    text = pdf_text(compile_pdf(to_latex(document), tmp_path / "appendix.pdf"))
    assert "Reference implementations" in text
    assert "soft_value" in text and "visitation" in text and "loses its parentheses" in text
    assert "np.linalg.solve" in text  # the listing


def test_source_claims_on_several_lines_compile(tex_tools, tmp_path):
    x = sp.Symbol("x", positive=True)
    d = Derivation("multi-line claims", steps=["L1", "L2"])
    d.claim("L1", r"x &= x \\ &= x^1")(lambda: Equal(x, x**1, [Positive(x)]))  # an align-style fragment
    d.claim("L2", r"\begin{aligned} x &= x \\ &= x^1 \end{aligned}")(lambda: Equal(x, x**1, [Positive(x)]))
    settings = Settings(samples=50)
    document = Document([report_derivation(d, check_all(d, settings), settings)], settings)
    text = pdf_text(compile_pdf(to_latex(document), tmp_path / "lines.pdf"))
    assert "L1" in text and "L2" in text


def test_a_latex_error_is_reported_with_its_message(tex_tools, tmp_path):
    broken = "\\documentclass{article}\\begin{document}\\undefinedcommand\\end{document}"
    with pytest.raises(TexError, match="Undefined control sequence"):
        compile_pdf(broken, tmp_path / "broken.pdf")
    assert not (tmp_path / "broken.pdf").exists()
