import re

import sympy as sp

from symderiv import Equal, Real, Size
from symderiv.export.document import Encoding
from symderiv.export.markdown import MarkdownExporter, md_text, split_sections, to_markdown


def test_markdown_has_coverage_steps_errata_remarks_and_the_same_labels(sample_document):
    md = to_markdown(sample_document)
    assert md.startswith("# export test\n")
    assert md.index("## Coverage") < md.index("## Step graph") < md.index("## Steps")
    assert "| step | line | obligation | label | verdict per size |" in md
    headings = [md.index(f"### {s}\n") for s in ("S1", "S2", "S3", "S4", "S5", "S6")]
    assert headings == sorted(headings)
    assert "```mermaid" in md and "S1 --> S2" in md
    assert "$$\n\\begin{aligned}\n& \\ln(xy) = \\ln x + \\ln y\n\\end{aligned}\n$$" in md
    assert "\\tilde\\pi(1\\vert 0)" in md
    erratum = md[md.index("### Erratum S2") : md.index("## Remarks confirmed")]
    assert "**Counterexample**" in erratum and "$x = " in erratum
    assert "**Corrected by**: [S2.corrected](#ob-0-s2-corrected)" in erratum
    assert "[Erratum S2](#err-0-s2)" in md
    assert "### Remark S6" in md
    assert "not as expected: S3" in md


def test_long_sections_are_split_under_the_limit():
    paragraphs = ["## Big"] + ["x" * 900] * 200
    text = split_sections("\n\n".join(paragraphs), limit=10_000)
    sections = re.split(r"\n(?=#{1,6} )", text)
    assert len(sections) > 10 and max(map(len, sections)) <= 10_000
    assert "#### Big (continued)" in text and text.count("x" * 900) == 200


def test_inline_math_writes_bars_as_vert_so_no_markdown_table_splits_on_them(sample_document):
    md = to_markdown(sample_document)
    for math in re.findall(r"\$[^$\n]+\$", md):
        assert "|" not in math.replace("\\vert", "")


def test_text_escapes_markdown_emphasis_and_html():
    assert md_text("π_Q(a|s) *x* <b>") == r"π\_Q(a\|s) \*x\* \<b\>"


def test_an_encoding_names_the_axes_of_its_size():
    """The size of an encoding is read from the size itself: an MDP's states × actions, any other
    vocabulary's own axes, none for a size without names."""
    x = sp.Symbol("x", real=True)
    claim = Equal(x, x, [Real(x)])
    printer = MarkdownExporter()
    assert "at 1×2 (states × actions)" in printer._print(Encoding(Size.of(states=1, actions=2), claim))
    assert "at 3 (n)" in printer._print(Encoding(Size.of(n=3), claim))
    assert "at 2×2:" in printer._print(Encoding(Size.parse("2x2"), claim))
