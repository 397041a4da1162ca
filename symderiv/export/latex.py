"""A checked derivation as a LaTeX document: the primitives of `base.ExportPrinter` in LaTeX,
a title page, a table of contents and PDF bookmarks (hyperref), and the step graph in TikZ.

Display lines come from `layout.py`, short enough that none needs scaling below 80 %
(`\\claimline` logs one that would).  It compiles with TeX Live's latex-base,
latex-recommended and pictures (TikZ) packages, and lang-cjk with the gbsn font for a
quoted sentence in Chinese, Japanese or Korean.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Sequence

from pylatexenc.latexencode import UnicodeToLatexEncoder

from .._version import __version__
from ..verdict import Status, Verdict
from .appendix import ReferenceFunction
from .base import ExportPrinter, number_latex
from .document import STATUS_TEXT, DerivationReport, Document, State
from .layout import CONTINUATION, FIRST, RELATION, Line, visible_length
from .notation import symbol_latex, using

logging.getLogger("pylatexenc.latexencode").setLevel(logging.ERROR)
_ENCODER = UnicodeToLatexEncoder(unknown_char_policy="unihex")

PREAMBLE = r"""\documentclass[11pt,a4paper]{article}
\usepackage[utf8]{inputenc}
\usepackage[margin=2.2cm]{geometry}
\usepackage{amsmath,amssymb,mathtools}
\usepackage{booktabs,longtable,array}
\usepackage{xcolor}
\usepackage{listings}
\usepackage{graphicx}
%EXTRA%
\usepackage[hidelinks,bookmarks=true,bookmarksdepth=3,bookmarksopen=true,pdfdisplaydoctitle=true]{hyperref}
\setcounter{tocdepth}{2}
\newsavebox{\claimbox}
\newlength{\claimwidth}
% A line of display math, indented by #1.  Wider than the page, it is scaled down, never below 80%:
% a line wider than that is an error of the layout, logged so that it can be found.
\newcommand{\claimline}[2]{\par\noindent\hspace*{#1}\setlength{\claimwidth}{\dimexpr\linewidth-#1\relax}%
  \sbox{\claimbox}{$\displaystyle #2$}%
  \ifdim0.8\wd\claimbox>\claimwidth\typeout{symderiv: display line too wide at 80 percent: \detokenize{#2}}%
    \scalebox{0.8}{\usebox{\claimbox}}%
  \else\ifdim\wd\claimbox>\claimwidth\resizebox{\claimwidth}{!}{\usebox{\claimbox}}%
  \else\usebox{\claimbox}\fi\fi\par}
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.5ex plus 0.2ex}
\lstset{language=Python,basicstyle=\ttfamily\small,columns=fullflexible,breaklines=true,
  frame=single,framerule=0.2pt,rulecolor=\color{black!30},escapeinside={(*@}{@*)}}
\definecolor{sd-proved}{rgb}{0.0,0.45,0.15}
\definecolor{sd-weaker}{rgb}{0.7,0.4,0.0}
\definecolor{sd-refuted}{rgb}{0.75,0.05,0.05}
\definecolor{sd-remark}{rgb}{0.1,0.25,0.7}
\definecolor{sd-error}{rgb}{0.85,0.0,0.0}
\definecolor{sd-missing}{rgb}{0.45,0.45,0.45}
"""


def latex_text(text: str) -> str:
    """Plain text (messages, labels) as LaTeX; Unicode math such as π̃, V̂, ‖ or Pᵀ becomes math."""
    out: list[str] = []
    plain: list[str] = []

    def flush() -> None:
        out.append(_ENCODER.unicode_to_latex("".join(plain)))
        plain.clear()

    for k, c in enumerate(text):
        if c in _ACCENTS:
            continue  # the combining accent of the previous letter, handled there
        shape = unicodedata.decomposition(c).split(" ")[0]
        if k + 1 < len(text) and text[k + 1] in _ACCENTS:  # a letter with a combining accent: π̃, V̂
            flush()
            out.append(rf"\ensuremath{{\{_ACCENTS[text[k + 1]]}{{{math_char(c)}}}}}")
        elif c in _MATH_GLYPHS:  # text-companion glyphs that pdflatex would draw as bitmaps
            flush()
            out.append(_MATH_GLYPHS[c])
        elif shape in ("<super>", "<sub>"):  # ᵀ, ₀: the plain character, raised or lowered
            flush()
            script = "^" if shape == "<super>" else "_"
            out.append(rf"\ensuremath{{{script}{{\text{{{latex_text(unicodedata.normalize('NFKC', c))}}}}}}}")
        else:
            plain.append(c)
    flush()
    return "".join(out).replace("|", r"\ensuremath{|}")  # OT1 text fonts have no bar


def code_text(name: str) -> str:
    """An identifier in typewriter type, breakable after its underscores.  The underscore is the
    typewriter font's own glyph (\\char95), so that it survives copying and text extraction."""
    return r"\texttt{" + latex_text(name).replace(r"\_", r"\char95\allowbreak{}") + "}"


#: Packages only some documents need: TikZ for the step graph, CJK for a quoted sentence.
TIKZ = r"\usepackage{tikz}" + "\n" + r"\usetikzlibrary{arrows.meta}"
CJK = r"\usepackage{CJKutf8}"

#: The widest line of a latexify rendering shown typeset (visible characters); a wider one is code.
MAX_REFERENCE_WIDTH = 90

#: Indentation of the display lines of a claim, by `layout` level.
INDENT = {FIRST: "1.5em", RELATION: "3em", CONTINUATION: "4.5em"}

#: The colour of each verdict and step state (names defined in the preamble).
COLOUR = {
    Status.PROVED: "sd-proved",
    Status.ARGUED: "sd-weaker",
    Status.NUMERIC: "sd-weaker",
    Status.REFUTED: "sd-refuted",
    Status.ERROR: "sd-error",
    State.PROVED: "sd-proved",
    State.WEAKER: "sd-weaker",
    State.ERRATUM: "sd-refuted",
    State.REMARK: "sd-remark",
    State.ERROR: "sd-error",
    State.MISSING: "sd-missing",
}

#: The step graph: nodes per row, and the distances between them (cm).
GRAPH_ROW, GRAPH_WIDTH, GRAPH_ROW_HEIGHT = 8, 15.0, 1.5

#: Scripts in prose: a single letter (or Greek letter, with an accent) with _x or ^x.
_SCRIPT = re.compile(
    r"(?<![A-Za-z0-9\u0370-\u03ff\\])(?P<base>[A-Za-z\u0370-\u03ff][\u0300-\u036f]?)(?P<op>[_^])"
    r"(?P<arg>\{[^{}]*\}|[A-Za-z0-9\u0370-\u03ff\u2032']+)"
)
_PROSE = {">=": "≥", "<=": "≤", "!=": "≠", "->": "→", " ~ ": " ∼ ", "~": "∼"}
_ACCENTS = {"\u0303": "tilde", "\u0302": "hat", "\u0304": "bar", "\u0307": "dot"}
#: Characters set as math: in text they come from the text-companion font, which TeX Live's
#: base packages have only as METAFONT sources (bitmaps, made on first use).
_MATH_GLYPHS = {
    "×": r"\ensuremath{\times}",
    "·": r"\ensuremath{\cdot}",
    "½": r"\ensuremath{\tfrac{1}{2}}",
    "^": r"\^{}",
}


def _is_cjk(c: str) -> bool:
    return "\u2e80" <= c <= "\u9fff" or "\uff00" <= c <= "\uffef" or "\u3000" <= c <= "\u303f"


def math_char(c: str) -> str:
    """One character as math: a Greek letter as its command, a prime as ', others as they are."""
    if c.isascii():
        return c
    if c == "′":
        return "'"
    if c in _MATH_GLYPHS and c != "^":
        return _MATH_GLYPHS[c][len(r"\ensuremath{") : -1] + " "
    latex = _ENCODER.unicode_to_latex(c)
    latex = latex[len(r"\ensuremath{") : -1] if latex.startswith(r"\ensuremath{") else latex
    return latex + " " if re.search(r"\\[A-Za-z]+$", latex) else latex


def math_run(text: str) -> str:
    """A run of characters (with combining accents) as math."""
    out: list[str] = []
    for c in text:
        if c in _ACCENTS and out:
            out[-1] = "\\" + _ACCENTS[c] + "{" + out[-1] + "}"
        else:
            out.append(math_char(c))
    return "".join(out)


def prose_latex(text: str) -> str:
    """A docstring as LaTeX: `code` in typewriter type, p_γ, γ^t and V̂ as math, >= as ≥."""
    parts = text.split("`")
    out = []
    for k, part in enumerate(parts):
        if k % 2:
            out.append(code_text(part))
            continue
        for plain, fancy in _PROSE.items():
            part = part.replace(plain, fancy)
        at = 0
        for m in _SCRIPT.finditer(part):
            out.append(latex_text(part[at : m.start()]))
            arg = m["arg"][1:-1] if m["arg"].startswith("{") else m["arg"]
            out.append(rf"\ensuremath{{{math_run(m['base'])}{m['op']}{{{math_run(arg)}}}}}")
            at = m.end()
        out.append(latex_text(part[at:]))
    return " ".join("".join(out).split())


def quote_latex(text: str) -> str:
    """A sentence of the source as it is: $math$ kept, CJK characters passed to the CJK package."""
    out = []
    for k, part in enumerate(re.split(r"(\$[^$]*\$)", text)):
        if k % 2:
            out.append(part)
            continue
        run: list[str] = []
        for c in part:
            if _is_cjk(c):
                if run:
                    out.append(latex_text("".join(run)))
                    run = []
                out.append(c)
            else:
                run.append(c)
        out.append(latex_text("".join(run)))
    body = "".join(out)
    return r"\begin{CJK}{UTF8}{gbsn}" + body + r"\end{CJK}" if any(_is_cjk(c) for c in text) else body


def _ids_as_code(text: str) -> str:
    """Text whose words with an underscore (obligation ids) are in typewriter type, breakable."""
    return " ".join(code_text(w) if "_" in w else latex_text(w) for w in text.split(" "))


def _anchor(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9.-]", "-", text)


class LatexExporter(ExportPrinter):
    """Print a `Document` (or any of its parts) as LaTeX."""

    def text(self, text: str) -> str:
        return latex_text(text)

    def prose(self, text: str) -> str:
        return prose_latex(text)

    def code(self, name: str) -> str:
        return code_text(name)

    def math(self, latex: str) -> str:
        return f"${latex}$"

    def strong(self, text: str) -> str:
        return r"\textbf{" + text + "}"

    def emph(self, text: str) -> str:
        return r"\textit{" + text + "}"

    def heading(self, level: int, title: str, anchor: str = "") -> str:
        command = {1: "section", 2: "subsection", 3: "subsubsection"}[level]
        # An underscore in OT1 text is a rule that text extraction loses: ids print in typewriter type.
        plain = latex_text(title)
        title = plain if "_" not in title else r"\texorpdfstring{" + _ids_as_code(title) + "}{" + plain + "}"
        return rf"\{command}*{{{title}}}\phantomsection\addcontentsline{{toc}}{{{command}}}{{{title}}}" + (
            r"\hypertarget{" + _anchor(anchor) + "}{}" if anchor else ""
        )

    def target(self, anchor: str) -> str:
        return r"\hypertarget{" + _anchor(anchor) + "}{}"

    def link(self, anchor: str, label: str) -> str:
        return r"\hyperlink{" + _anchor(anchor) + "}{" + _ids_as_code(label) + "}"

    def breakable(self, text: str) -> str:
        return latex_text(text).replace("(", r"(\allowbreak{}").replace("+", r"+\allowbreak{}")

    def display(self, lines: Sequence[Line]) -> str:
        return "\n".join(r"\claimline{" + INDENT[line.level] + "}{" + line.math + "}" for line in lines)

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]], widths: str) -> str:
        paragraphs = widths.count("p")
        share = max(0.18, (0.92 - 0.13 * (len(widths) - paragraphs)) / max(paragraphs, 1))
        spec = "".join(
            rf">{{\raggedright\arraybackslash}}p{{{share:.2f}\linewidth}}" if w == "p" else w for w in widths
        )
        head = " & ".join(r"\textbf{" + latex_text(h) + "}" for h in header) + r" \\"
        body = "\n".join(" & ".join(row) + r" \\" for row in rows)
        return (
            r"{\small\begin{longtable}{@{}"
            + spec
            + "@{}}\n\\toprule "
            + head
            + "\n\\midrule\\endhead\n"
            + body
            + "\n\\bottomrule\n\\end{longtable}}"
        )

    def coloured(self, state: State | Status, text: str) -> str:
        return r"\textcolor{" + COLOUR[state] + "}{" + latex_text(text) + "}"

    def quote(self, text: str) -> str:
        return r"\begin{quote}" + quote_latex(text) + r"\end{quote}"

    def items(self, items: Sequence[str], numbered: bool = False) -> str:
        env = "enumerate" if numbered else "itemize"
        return rf"\begin{{{env}}}" + "\n" + "\n".join(r"\item " + i for i in items) + "\n" + rf"\end{{{env}}}"

    def listing(self, source: str) -> str:
        return r"\begin{lstlisting}" + "\n" + _listing(source) + r"\end{lstlisting}"

    def front(self, doc: Document) -> str:
        s = doc.settings
        return "\n".join(
            [
                r"\begin{titlepage}",
                r"\centering{\LARGE\bfseries " + latex_text(doc.title) + r"\par}\vspace{1.5em}",
                r"{\large checked step by step by symderiv " + __version__ + r"\par}\vspace{2em}",
                r"\begin{minipage}{0.9\linewidth}\raggedright",
                latex_text(self.summary_text(doc)),
                "",
                self.legend(),
                r"\end{minipage}",
                r"\end{titlepage}",
                r"\tableofcontents",
                r"\clearpage",
            ]
        ).replace("SEED", str(s.seed))

    def finish(self, parts: list[str]) -> str:
        body = "\n\n".join(p for p in parts if p)
        extra = [TIKZ] if r"\begin{tikzpicture}" in body else []
        extra += [CJK] if r"\begin{CJK}" in body else []
        title = r"\hypersetup{pdftitle={" + latex_text(self._doc.title) + "}}"
        preamble = PREAMBLE.replace("%EXTRA%", "\n".join(extra))
        return "\n\n".join([preamble + title, r"\begin{document}", body, r"\end{document}"]) + "\n"

    def appendix_start(self) -> str:
        return r"\appendix"

    def _print_ReferenceFunction(self, ref: ReferenceFunction) -> str:
        out = [self.heading(3, ref.name)]
        if ref.doc:
            out.append(prose_latex(ref.doc))
        too_wide = ref.latex is not None and max(map(visible_length, ref.latex.split(r"\\"))) > MAX_REFERENCE_WIDTH
        if ref.latex is not None and not too_wide:
            # latexify sets the lines of a function in an array, whose cells would be in text style
            latex = ref.latex.replace(r"\begin{array}{l}", r"\begin{array}{>{\displaystyle}l}")
            out.append(r"\claimline{" + INDENT[FIRST] + "}{" + latex + "}")
            return "\n\n".join(out)
        problems = ref.problems + (["its rendering is too wide to typeset legibly"] if too_wide else [])
        out.append(r"{\small Shown as code: " + _with_code("; ".join(problems)) + ".}")
        out.append(self.listing(ref.source))
        return "\n\n".join(out)

    def graph(self, d: DerivationReport, k: int) -> str:
        """The steps (rows by how deep their uses go) and the uses between them, coloured by state."""
        positions = graph_positions(d)
        if not positions:
            return ""
        states = {s.id: s.state for s in d.steps}
        out = [r"\begin{center}\begin{tikzpicture}[x=1cm,y=1cm]"]
        style = r"draw, rounded corners=2pt, minimum width=1.1cm, minimum height=0.6cm, font=\small"
        for step, (x, y) in positions.items():
            state = states[step]
            fill = COLOUR[state] + "!20"
            dash = ", dashed" if state is State.MISSING else ""
            label = r"\hyperlink{" + _anchor(f"step-{k}-{step}") + "}{" + latex_text(step) + "}"
            out.append(
                rf"\node[{style}, fill={fill}, draw={COLOUR[state]}{dash}] ({_anchor(step)}) at ({x:.2f},{y:.2f}) "
                + "{"
                + label
                + "};"
            )
        for used, user in d.uses:
            out.append(rf"\draw[-{{Stealth}}, black!50] ({_anchor(used)}) to[out=-90, in=90] ({_anchor(user)});")
        out.append(r"\end{tikzpicture}\end{center}")
        legend = ", ".join(
            rf"\tikz\node[draw={COLOUR[s]}, fill={COLOUR[s]}!20, minimum size=0.3cm] {{}}; " + latex_text(str(s))
            for s in State
        )
        out.append(r"{\small An arrow goes from a step to a step that uses it. " + legend + ".}")
        return "\n".join(out)


def graph_positions(d: DerivationReport) -> dict[str, tuple[float, float]]:
    """Where each step stands: row r holds the steps whose uses go r deep, in the source's order."""
    ids = [s.id for s in d.steps]
    using: dict[str, list[str]] = {s: [] for s in ids}
    for used, user in d.uses:
        using[user].append(used)
    depth: dict[str, int] = {}

    def deep(step: str, seen: frozenset) -> int:
        if step not in depth:
            earlier = [u for u in using[step] if u not in seen]
            depth[step] = 1 + max((deep(u, seen | {step}) for u in earlier), default=-1)
        return depth[step]

    for step in ids:
        deep(step, frozenset())
    rows: list[list[str]] = []
    for level in sorted(set(depth.values())):
        members = [s for s in ids if depth[s] == level]
        rows += [members[n : n + GRAPH_ROW] for n in range(0, len(members), GRAPH_ROW)]
    positions: dict[str, tuple[float, float]] = {}
    for r, row in enumerate(rows):
        # Each step under the steps it uses (their mean x), ties in the source's order: fewer crossings.
        def under(step: str, row: list[str] = row) -> tuple[float, int]:
            above = [positions[u][0] for u in using[step] if u in positions]
            return (sum(above) / len(above) if above else GRAPH_WIDTH / 2, row.index(step))

        row = sorted(row, key=under)
        gap = GRAPH_WIDTH / GRAPH_ROW
        start = (GRAPH_WIDTH - gap * (len(row) - 1)) / 2
        for n, step in enumerate(row):
            positions[step] = (start + gap * n, -GRAPH_ROW_HEIGHT * r)
    return positions


def _with_code(text: str) -> str:
    """Text in which `backquoted` spans are code."""
    parts = text.split("`")
    return "".join(code_text(p) if k % 2 else latex_text(p) for k, p in enumerate(parts))


def _listing(source: str) -> str:
    """Python source for `lstlisting`, with non-ASCII characters escaped to LaTeX."""
    return "".join(c if ord(c) < 128 else "(*@" + latex_text(c) + "@*)" for c in source)


def to_latex(document: Document, **settings) -> str:
    with using(document.vocabularies):
        return LatexExporter(settings).doprint(document)


def verdict_math(v: Verdict) -> str:
    """A verdict in one line of math mode, for Jupyter (`Verdict._repr_latex_`).  Names go in
    \\mathtt, where MathJax, like LaTeX, reads \\_ (it does not inside \\text)."""
    parts = [_math_code(v.obligation_id) + rf"\text{{: {STATUS_TEXT[v.status]}}}"]
    if v.every_size is not None:
        parts[0] += r"\text{ for every }" + r",\ ".join(rf"{label} \geq {low}" for label, low in v.every_size.bounds)
    if v.strategy:
        parts.append(r"\text{by } " + _math_code(v.strategy))
    parts.append(rf"\text{{{v.instances} instances, largest rel. error }} {ExportPrinter.scientific(v.max_rel_error)}")
    ce = v.counterexample
    if ce is not None:
        values = ", ".join(f"{symbol_latex(k)} = {number_latex(x)}" for k, x in ce.values.items())
        parts.append(
            rf"\text{{counterexample: }} {values}\ (\text{{lhs }} {number_latex(ce.lhs, 12)},\ \text{{rhs }} "
            rf"{number_latex(ce.rhs, 12)})"
        )
    if not v.as_expected:
        parts.append(rf"\text{{(expected {v.expected})}}")
    return "$" + r";\ ".join(parts) + "$"


def _math_code(name: str) -> str:
    return r"\mathtt{" + name.replace("_", r"\_") + "}"
