import dataclasses

from symderiv.export.latex import code_text, latex_text, prose_latex, quote_latex, to_latex, verdict_math


def test_text_escapes_latex_specials_and_typesets_unicode_math():
    text = latex_text("π̃(a|s) ‖x‖ ≥ 0: 50% of {x} & y_1 ~ #2")
    assert r"\ensuremath{\tilde{\pi }}" in text and r"\ensuremath{|}" in text
    for escaped in (r"50\%", r"\{x\}", r"\&", r"y\_1", r"\#2"):
        assert escaped in text
    assert "π" not in text and "‖" not in text
    assert (
        code_text("soft_value_eq_log")
        == r"\texttt{soft\char95\allowbreak{}value\char95\allowbreak{}eq\char95\allowbreak{}log}"
    )


def test_the_document_has_a_title_page_contents_coverage_graph_steps_errata_and_appendices(sample_document):
    tex = to_latex(sample_document)
    assert tex.startswith(r"\documentclass") and tex.rstrip().endswith(r"\end{document}")
    assert r"\begin{titlepage}" in tex and r"\tableofcontents" in tex and "bookmarks=true" in tex
    sections = [tex.index(r"\section*{" + s + "}") for s in ("Coverage", "Step graph", "Steps", "Errata")]
    assert sections == sorted(sections)
    steps = [tex.index(r"\subsection*{" + s + "}") for s in ("S1", "S2", "S3", "S4", "S5", "S6")]
    assert steps == sorted(steps)  # the source's order
    assert r"\begin{tikzpicture}" in tex and r"\usepackage{tikz}" in tex
    assert r"\draw[-{Stealth}, black!50] (S1) to[out=-90, in=90] (S2);" in tex  # S2.corrected uses S1
    assert "Not encoded yet: no obligation checks this step." in tex
    assert r"\ln(xy) = \ln x + \ln y" in tex  # as the source writes it
    assert r"\tilde\pi(1\vert 0)" in tex and "pitilde" not in tex  # as encoded, in the source's notation
    assert "Assumptions: $x, y > 0$" in tex


def test_an_erratum_shows_the_claim_its_counterexample_and_a_link_to_its_correction_once(sample_document):
    tex = to_latex(sample_document)
    errata = tex[tex.index(r"\section*{Errata}") : tex.index(r"\section*{Remarks confirmed}")]
    assert r"(x+y)^2 = x^2 + y^2" in errata and "Counterexample" in errata
    assert r"\textbf{Corrected by}: \hyperlink{ob-0-S2.corrected}" in errata
    assert r"(x+y)^2 = x^2 + 2xy + y^2" not in errata  # the correction is linked, not reprinted
    assert tex.count(r"(x+y)^2 = x^2 + y^2") == 1  # the refuted claim is displayed once, in its erratum
    remarks = tex[tex.index(r"\section*{Remarks confirmed}") :]
    assert r"\hypertarget{rem-0-S6}" in remarks and "S6" not in errata
    assert r"\section*{Not verified}" in tex and "half-written claim" in tex
    assert r"\textcolor{sd-error}{(expected proved)}" in tex


def test_no_seconds_unless_asked(sample_document):
    assert "seconds" not in to_latex(sample_document)
    assert "seconds" in to_latex(dataclasses.replace(sample_document, timings=True))


def test_multiplication_signs_and_halves_are_math_not_bitmap_glyphs():
    assert latex_text("2×2, ½, π(·|s)") == (
        r"2\ensuremath{\times}2, \ensuremath{\tfrac{1}{2}}, \ensuremath{\pi}(\ensuremath{\cdot}\ensuremath{|}s)"
    )


def test_prose_typesets_scripts_accents_and_relations():
    text = prose_latex("p_γ and γ^t, V̂ >= 0, s_0 ~ p0, `q_kl_from_start` and N3.objective_normalised")
    assert r"\ensuremath{p_{\gamma }}" in text and r"\ensuremath{\gamma ^{t}}" in text
    assert r"\ensuremath{\hat{V}}" in text and r"\geq" in text and r"\sim" in text
    assert r"\texttt{q\char95\allowbreak{}kl" in text and r"objective\_normalised" in text
    assert "U+" not in text


def test_a_quoted_sentence_keeps_its_math_and_sets_cjk_characters_in_the_cjk_environment():
    text = quote_latex("其中 $x_1 = 0$ 50% ok")
    assert text.startswith(r"\begin{CJK}{UTF8}{gbsn}") and "$x_1 = 0$" in text and r"50\%" in text
    assert quote_latex("plain $y$") == "plain $y$"


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
