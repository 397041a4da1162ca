import re

from symderiv.export.markdown import md_text, to_markdown


def test_markdown_has_each_step_math_evidence_and_errata(sample_document):
    md = to_markdown(sample_document)
    assert md.startswith("# export test\n")
    headings = [md.index(f"### {s}\n") for s in ("S1", "S2", "S3", "S5")]
    assert headings == sorted(headings)
    assert "$$\n\\ln(xy) = \\ln x + \\ln y\n$$" in md
    assert "\\begin{aligned}" in md and "\\tilde\\pi(1\\vert 0)" in md
    assert "| size | verdict | strategy | instances | largest rel. error | seconds |" in md
    assert "| 1×2 | proved | expand |" in md
    erratum = md[md.index("### Erratum S2") :]
    assert "**Counterexample**" in erratum and "$x = " in erratum
    assert "The source drops the cross term 2xy." in erratum
    assert "[Erratum S2](#erratum-s2)" in md
    assert "*Not encoded yet (no obligation checks this step): S4.*" in md
    assert "**not as expected: S3**" in md


def test_inline_math_writes_bars_as_vert_so_no_markdown_table_splits_on_them(sample_document):
    md = to_markdown(sample_document)
    for math in re.findall(r"\$[^$\n]+\$", md):
        assert "|" not in math.replace("\\vert", "")


def test_text_escapes_markdown_emphasis_and_html():
    assert md_text("π_Q(a|s) *x* <b>") == r"π\_Q(a\|s) \*x\* \<b\>"
