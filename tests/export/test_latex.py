from symderiv.export.latex import code_text, latex_text, to_latex, verdict_math


def test_text_escapes_latex_specials_and_typesets_unicode_math():
    text = latex_text("π̃(a|s) ‖x‖ ≥ 0: 50% of {x} & y_1 ~ #2")
    assert r"\ensuremath{\tilde{\pi}}" in text and r"\ensuremath{|}" in text
    for escaped in (r"50\%", r"\{x\}", r"\&", r"y\_1", r"\#2"):
        assert escaped in text
    assert "π" not in text and "‖" not in text
    assert (
        code_text("soft_value_eq_log")
        == r"\texttt{soft\char95\allowbreak{}value\char95\allowbreak{}eq\char95\allowbreak{}log}"
    )


def test_the_document_shows_each_step_its_encoding_evidence_and_errata(sample_document):
    tex = to_latex(sample_document)
    assert tex.startswith(r"\documentclass") and tex.rstrip().endswith(r"\end{document}")
    steps = [tex.index(r"\subsection*{" + s + "}") for s in ("S1", "S2", "S3", "S5")]
    assert steps == sorted(steps)  # the source's order
    assert "Not encoded yet (no obligation checks this step): S4." in tex
    assert r"\ln(xy) = \ln x + \ln y" in tex  # as the source writes it
    assert r"\tilde\pi(1\vert 0)" in tex and "pitilde" not in tex  # as encoded, in the source's notation
    assert "smallest size checked, 1$\\times$2" in tex
    assert "expand" in tex and "Assumptions: $x, y > 0$" in tex
    erratum = tex[tex.index(r"\section{Errata}") :]
    assert r"(x+y)^2 = x^2 + y^2" in erratum and "Counterexample" in erratum
    assert r"(x+y)^2 = x^2 + 2xy + y^2" in erratum and "The source drops the cross term 2xy." in erratum
    assert r"\section{Not verified}" in tex and "half-written claim" in tex
    assert r"\textcolor{red}{not as expected: S3}" in tex


def test_a_verdict_typesets_in_math_mode_for_jupyter(checked_sample):
    _, verdicts, _ = checked_sample
    proved, refuted = verdicts[0], verdicts[1]
    text = proved._repr_latex_()
    assert text == verdict_math(proved)
    assert text.startswith("$") and text.endswith("$") and r"\mathtt{S1}\text{: proved}" in text
    assert proved.strategy and rf"\text{{by }} \mathtt{{{proved.strategy}}}" in text and "200 instances" in text
    refuted_text = refuted._repr_latex_()
    assert r"\text{counterexample: }" in refuted_text and "x = " in refuted_text
    assert "expected" not in refuted_text  # refuted is what S2 expects
    assert r"\text{(expected proved)}" in verdicts[3]._repr_latex_()


def test_superscript_and_subscript_characters_are_raised_and_lowered():
    assert latex_text("Pᵀ x₀") == r"P\ensuremath{^{\text{T}}} x\ensuremath{_{\text{0}}}"
