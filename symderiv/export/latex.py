"""A checked derivation as a LaTeX document, in the style of SymPy's printers: one
`_print_<Node>` method per node type of `document.py`, of the claims and of the domains.

Expressions print with `NotationLatexPrinter` (the source's notation for model
symbols).  Long encodings are broken into lines at their top-level terms (see
`layout.py`), and a line still wider than the page is scaled down to fit.  Everything
compiles with TeX Live's latex-base and latex-recommended packages.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata

import sympy as sp
from pylatexenc.latexencode import UnicodeToLatexEncoder
from sympy.printing.printer import Printer

from .. import __version__
from ..claims import Equal, Inequality, NonNegative
from ..rules import Rule, certificate_parts
from ..verdict import Counterexample, SizeEvidence, Verdict
from .document import (
    STATUS_TEXT,
    DerivationReport,
    Document,
    Encoding,
    Entry,
    Erratum,
    Step,
    stated,
    used_domains,
)
from .layout import CONTINUATION, FIRST, RELATION, relation_lines, source_math
from .notation import math_latex, symbol_latex, using

logging.getLogger("pylatexenc.latexencode").setLevel(logging.ERROR)
_ENCODER = UnicodeToLatexEncoder(unknown_char_policy="unihex")

PREAMBLE = r"""\documentclass[11pt,a4paper]{article}
\usepackage[utf8]{inputenc}
\usepackage[margin=2.2cm]{geometry}
\usepackage{amsmath,amssymb,mathtools}
\usepackage{booktabs,tabularx,array}
\usepackage{xcolor}
\usepackage{listings}
\usepackage[hidelinks]{hyperref}
\usepackage{graphicx}
\newsavebox{\claimbox}
\newlength{\claimwidth}
% A line of display math, indented by #1 and scaled down only if it is wider than the page.
\newcommand{\claimline}[2]{\par\noindent\hspace*{#1}\setlength{\claimwidth}{\dimexpr\linewidth-#1\relax}%
  \sbox{\claimbox}{$\displaystyle #2$}%
  \ifdim\wd\claimbox>\claimwidth\resizebox{\claimwidth}{!}{\usebox{\claimbox}}\else\usebox{\claimbox}\fi\par}
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.5ex plus 0.2ex}
\lstset{language=Python,basicstyle=\ttfamily\small,columns=fullflexible,breaklines=true,
  frame=single,framerule=0.2pt,rulecolor=\color{black!30},escapeinside={(*@}{@*)}}
\newcommand{\verdict}[1]{\textsf{\textbf{#1}}}
"""

#: Indentation of the display lines of a claim, by `layout` level.
INDENT = {FIRST: "1.5em", RELATION: "3em", CONTINUATION: "4.5em"}


def latex_text(text: str) -> str:
    """Plain text (docstrings, messages) as LaTeX; Unicode math such as π̃, ‖ or Pᵀ becomes math."""
    out, plain = [], []

    def flush():
        out.append(_ENCODER.unicode_to_latex("".join(plain)))
        plain.clear()

    for k, c in enumerate(text):
        if c == "\u0303":
            continue  # the combining tilde of the previous letter, handled there
        shape = unicodedata.decomposition(c).split(" ")[0]
        if k + 1 < len(text) and text[k + 1] == "\u0303":  # a letter with a combining tilde: π̃
            flush()
            base = _ENCODER.unicode_to_latex(c)
            if base.startswith(r"\ensuremath{"):
                base = base[len(r"\ensuremath{") : -1]
            out.append(rf"\ensuremath{{\tilde{{{base}}}}}")
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


def _anchor(kind: str, text: str) -> str:
    return kind + ":" + re.sub(r"[^A-Za-z0-9.-]", "-", text)


def _target(kind: str, text: str) -> str:
    return r"\hypertarget{" + _anchor(kind, text) + "}{}"


def _link(kind: str, text: str, label: str) -> str:
    return r"\hyperlink{" + _anchor(kind, text) + "}{" + latex_text(label) + "}"


class LatexExporter(Printer):
    """Print a `Document` (or any of its parts) as LaTeX."""

    printmethod = None
    _default_settings = {
        #: elements of a matrix claim shown at the smallest size
        "max_elements": 4,
        #: LaTeX characters of one side of an encoded claim before it is cut
        "max_expr_chars": 2400,
        #: visible characters of math packed into one display line
        "line_width": 80,
    }

    def emptyPrinter(self, expr):
        raise TypeError(f"{type(self).__name__} has no method for {type(expr).__name__}")

    # -- the document --------------------------------------------------------------

    def _print_Document(self, doc: Document) -> str:
        s = doc.settings
        parts = [
            PREAMBLE,
            r"\title{" + latex_text(doc.title) + "}",
            r"\author{checked by symderiv " + __version__ + "}",
            r"\date{seed "
            + str(s.seed)
            + ", "
            + _count(s.samples)
            + r" samples per size, symbolic time limit "
            + f"{s.time_limit:g}"
            + r"\,s}",
            r"\begin{document}",
            r"\maketitle",
            self._legend(doc),
        ]
        parts += [self._print(d, single=len(doc.derivations) == 1) for d in doc.derivations]
        if doc.references:
            parts.append(self._appendix(doc))
        parts.append(r"\end{document}")
        return "\n\n".join(parts) + "\n"

    def _legend(self, doc: Document) -> str:
        text = (
            r"Every display equation of the source is a claim. Each claim below is shown as the source writes "
            r"it and as symderiv encodes it over a small symbolic model, with its verdict: "
            r"\verdict{proved} (the difference of the two sides simplifies to zero under the stated assumptions, "
            r"and every sampled instance agrees; for an inequality, its certificate's premises are proved and a "
            r"rule's theorem, machine-checked, gives the claim), \verdict{argued} (an inequality whose certificate's "
            r"parts are proved and which every sampled instance satisfies, but whose step from them to the claim is "
            r"a person's argument; weaker, and labelled so), \verdict{numeric} (no symbolic proof within the work "
            r"budgets; every sampled instance agrees; weaker, and labelled so), \verdict{refuted} (a point of the "
            r"claim's own domain where the sides differ, certified in ball arithmetic; listed under Errata with the "
            r"corrected claim), or \verdict{error}. "
            f"This document holds {latex_text(doc.summary())}"
        )
        if doc.unexpected:
            text += r"; \textcolor{red}{not as expected: " + latex_text(", ".join(doc.unexpected)) + "}"
        return text + "."

    def _print_DerivationReport(self, d: DerivationReport, single: bool = True) -> str:
        """Steps, errata and failures; with several derivations in one document each gets a section."""
        der = d.derivation
        top, sub, step_level = (
            ("section", "section", "subsection") if single else ("section", "subsection", "subsubsection")
        )
        out = [rf"\{top}{{Steps}}" if single else rf"\{top}{{{latex_text(der.title)}}}"]
        if der.source:
            out.append(r"Source: \texttt{" + latex_text(der.source) + "}.")
        missing: list[str] = []
        for step in d.steps + [None]:
            if step is not None and not step.entries:
                missing.append(step.id)
                continue
            if missing:  # a run of steps without obligations, in one line
                out.append(
                    r"\textit{Not encoded yet (no obligation checks "
                    + ("this step" if len(missing) == 1 else "these steps")
                    + "): "
                    + ", ".join(map(latex_text, missing))
                    + ".}"
                )
                missing = []
            if step is not None:
                out.append(self._print(step, level=step_level))
        errata = d.errata
        if errata:
            out.append(rf"\{sub}{{Errata}}")
            out.append(
                "Claims of the source that the checker refutes: each with its counterexample, shrunk to round "
                "values, and the corrected claim verified beside it."
            )
            out += [self._print(e, level=step_level) for e in errata]
        if d.failed:
            out.append(rf"\{sub}{{Not verified}}")
            out.append("Obligations that could not be built or evaluated; the message says what to fix.")
            out += [self._print(e) for e in d.failed]
        return "\n\n".join(out)

    def _print_Step(self, step: Step, level: str = "subsection") -> str:
        out = [rf"\{level}*{{{latex_text(step.id)}}}"]
        if step.refuted:
            out.append(
                r"\textit{The source's claim is refuted; see "
                + _link("erratum", step.id, "Erratum " + step.id)
                + (". The corrected claim:" if step.verified else ".")
                + "}"
            )
        out += [self._print(e) for e in step.verified]
        if step.failed:
            ids = ", ".join(latex_text(e.obligation.id) for e in step.failed)
            out.append(r"\textit{Not verified (error): " + ids + r"; see the section Not verified.}")
        return "\n\n".join(out)

    def _print_Erratum(self, erratum: Erratum, level: str = "subsection") -> str:
        out = [
            rf"\{level}*{{{_target('erratum', erratum.step)}Erratum {latex_text(erratum.step)}}}",
            r"\textbf{As the source writes it}, refuted:",
        ]
        out += [self._print(e) for e in erratum.refuted]
        if erratum.corrections:
            out.append(r"\textbf{Corrected claim}, verified:")
            out += [self._print(e) for e in erratum.corrections]
        else:
            out.append(r"\textit{No corrected claim has been verified for this step yet.}")
        return "\n\n".join(out)

    def _print_Entry(self, entry: Entry) -> str:
        ob, v = entry.obligation, entry.verdict
        head = (
            r"\paragraph{"
            + code_text(ob.id)
            + " "
            + code_text(ob.name)
            + r"} \hfill \verdict{"
            + STATUS_TEXT[v.status]
            + "}"
        )
        if not v.as_expected:
            head += r" \textcolor{red}{(expected " + str(v.expected) + ")}"
        source = r"\claimline{" + INDENT[FIRST] + "}{" + source_math(ob.latex) + "}"
        out = [head, r"As the source writes it:", source]
        if ob.doc:
            out.append(latex_text(ob.doc))
        out.append(self._print(entry.encoding))
        out.append(self._print(v))
        return "\n\n".join(out)

    def _print_Encoding(self, enc: Encoding) -> str:
        where = f" at the smallest size checked, {_size(enc.size)} (states $\\times$ actions)" if enc.size else ""
        if enc.claim is None:
            return r"The claim could not be built" + where + ": " + latex_text(enc.error)
        return "As the checker encodes it" + where + ":\n\n" + self._print(enc.claim)

    # -- claims ----------------------------------------------------------------------

    def _print_Equal(self, claim: Equal, assumptions: bool = True) -> str:
        pairs = claim.pairs()
        out = [
            self._lines(relation_lines(l, "=", r, **self._layout()), ix if len(pairs) > 1 else ())
            for ix, l, r in pairs[: self._settings["max_elements"]]
        ]
        out.append(self._more(len(pairs)))
        if assumptions:
            out.append(self._assumptions(claim.domain.parts, claim.free_symbols()))
        return "\n".join(x for x in out if x)

    def _print_NonNegative(self, claim: NonNegative, assumptions: bool = True) -> str:
        elements = claim.elements()
        out = [
            self._lines(relation_lines(e, r"\ge", 0, **self._layout()), (k,) if len(elements) > 1 else ())
            for k, e in enumerate(elements[: self._settings["max_elements"]])
        ]
        out.append(self._more(len(elements)))
        if claim.convex_in is not None:
            x, x0 = claim.convex_in
            out.append(
                rf"Proved by convexity in ${math_latex(x)}$: the expression and its first derivative vanish at "
                rf"${math_latex(x)} = {math_latex(x0)}$ and its second derivative is non-negative."
            )
        if assumptions:
            out.append(self._assumptions(claim.domain.parts, claim.free_symbols()))
        return "\n".join(x for x in out if x)

    def _print_Inequality(self, claim: Inequality, assumptions: bool = True) -> str:
        out = [self._lines(relation_lines(claim.lhs, r"\le", claim.rhs, **self._layout()))]
        rule = claim.certificate if isinstance(claim.certificate, Rule) else None
        parts = certificate_parts(claim.certificate)
        if rule is not None:
            out.append(
                rf"Certificate, machine-checked by the rule \texttt{{{type(rule).__name__}}}: "
                + latex_text(rule.theorem())
                + (" Given:" if parts else "")
            )
        elif parts:
            out.append(
                r"Certificate, each part checked; the step from them to the claim is the argument below, "
                r"read by a person (\verdict{argued} at best):"
            )
        else:
            out.append(r"No certificate: the inequality is checked numerically only.")
        if parts:
            out.append(r"\begin{enumerate}")
            for part in parts:
                out.append(r"\item " + self._print(part, assumptions=False))
            out.append(r"\end{enumerate}")
        if claim.because:
            out.append(("In words: " if rule is not None else "Why it implies the claim: ") + latex_text(claim.because))
        if assumptions:
            symbols, domains = stated(claim)
            out.append(self._assumptions(domains, symbols))
        return "\n".join(x for x in out if x)

    def _layout(self) -> dict:
        return {"width": self._settings["line_width"], "max_chars": self._settings["max_expr_chars"]}

    def _lines(self, lines, index: tuple = ()) -> str:
        """Display lines of math, each scaled down only if it is wider than the page."""
        out = [f"Element ${index if len(index) > 1 else index[0]}$:"] if index else []
        out += [r"\claimline{" + INDENT[line.level] + "}{" + line.math + "}" for line in lines]
        return "\n".join(out)

    def _more(self, total: int) -> str:
        hidden = total - self._settings["max_elements"]
        return (
            rf"\textit{{\ldots\ and {hidden} more element{'s' if hidden > 1 else ''} of the same form.}}"
            if hidden > 0
            else ""
        )

    # -- assumptions ---------------------------------------------------------------

    def _assumptions(self, domains, symbols) -> str:
        """Where the claim's symbols live (the domains it draws them from)."""
        used = used_domains(domains, symbols)
        if not used:
            return ""
        return r"Assumptions: " + "; ".join(self._print(d) for d in used) + "."

    def _symbols(self, domain) -> str:
        return ", ".join(math_latex(s) for s in domain.symbols)

    def _print_Real(self, d) -> str:
        return "$" + self._symbols(d) + r" \in \mathbb{R}$"

    def _print_Positive(self, d) -> str:
        return "$" + self._symbols(d) + r" > 0$"

    def _print_OpenInterval(self, d) -> str:
        return "$" + self._symbols(d) + rf" \in ({d.low:g}, {d.high:g})$"

    def _print_Simplex(self, d) -> str:
        return "$(" + self._symbols(d) + r")$ on the open simplex (positive, summing to 1)"

    def _print_SmoothFunctions(self, d) -> str:
        names = ", ".join(math_latex(f) for f in d.functions)
        return f"${names}$ smooth functions of ${math_latex(d.parameter)} \\in \\mathbb{{R}}$"

    # -- evidence ----------------------------------------------------------------------

    def _print_Verdict(self, v: Verdict) -> str:
        rows = "\n".join(self._print(e) for e in v.evidence)
        out = [
            r"{\small\begin{tabularx}{\linewidth}{@{}l l >{\raggedright\arraybackslash}X r r r@{}}",
            r"\toprule size & verdict & strategy & instances & largest rel.\ error & seconds \\ \midrule",
            rows,
            r"\bottomrule\end{tabularx}}",
        ]
        if v.message:
            out.append(r"\par{\small Note: " + latex_text(_shorten(v.message, 600)) + "}")
        ce = v.counterexample
        if ce is not None:
            out.append(self._print(ce))
        return "\n".join(out)

    def _print_SizeEvidence(self, e: SizeEvidence) -> str:
        size = _size(e.size) if e.size else "--"
        strategy = latex_text(e.strategy or "--")
        for sep in ("+", ";", ","):
            strategy = strategy.replace(sep, sep + r"\allowbreak{}")
        seconds = e.seconds_symbolic + e.seconds_numeric
        status = str(e.status)
        return f"{size} & {status} & {strategy} & {_count(e.instances)} & {_sci(e.max_rel_error)} & {seconds:.2f} \\\\"

    def _print_Counterexample(self, ce: Counterexample) -> str:
        where = ", ".join(
            x
            for x in (
                f"size {_size(ce.size)}" if ce.size else "",
                f"element ${ce.element}$" if ce.element else "",
            )
            if x
        )
        values = ", ".join(f"${symbol_latex(k)} = {_num(v)}$" for k, v in ce.values.items())
        out = [
            r"\textbf{Counterexample}" + (f" ({where})" if where else "") + f", seed {ce.seed}:",
            values + ",",
            rf"where the left side is ${_num(ce.lhs, 12)}$ and the right side is ${_num(ce.rhs, 12)}$"
            + (" (" + latex_text(ce.note) + ")" if ce.note else "")
            + ".",
        ]
        return "\n".join(out)

    # -- appendix --------------------------------------------------------------------

    def _appendix(self, doc: Document) -> str:
        out = [
            r"\appendix",
            r"\section{Reference implementations}",
            "The numeric checks compare the encodings with these plain NumPy implementations. Each is typeset by "
            "latexify-py where its rendering keeps the code's meaning, and shown as code where it would not.",
        ]
        out += [self._print(r) for r in doc.references]
        return "\n\n".join(out)

    def _print_ReferenceFunction(self, ref) -> str:
        out = [r"\subsection*{" + code_text(ref.name) + "}"]
        if ref.doc:
            out.append(latex_text(ref.doc))
        if ref.latex is not None:
            # latexify sets the lines of a function in an array, whose cells would be in text style
            latex = ref.latex.replace(r"\begin{array}{l}", r"\begin{array}{>{\displaystyle}l}")
            out.append(r"\claimline{" + INDENT[FIRST] + "}{" + latex + "}")
            return "\n\n".join(out)
        out.append(r"{\small Shown as code: " + _with_code("; ".join(ref.problems)) + ".}")
        out.append(r"\begin{lstlisting}" + "\n" + _listing(ref.source) + r"\end{lstlisting}")
        return "\n\n".join(out)


def _with_code(text: str) -> str:
    """Text in which `backquoted` spans are code."""
    parts = text.split("`")
    return "".join(code_text(p) if k % 2 else latex_text(p) for k, p in enumerate(parts))


def _listing(source: str) -> str:
    """Python source for `lstlisting`, with non-ASCII characters escaped to LaTeX."""
    return "".join(c if ord(c) < 128 else "(*@" + latex_text(c) + "@*)" for c in source)


def _size(size: str) -> str:
    return size.replace("x", r"$\times$")


def _count(n: int) -> str:
    return f"{n:,}".replace(",", "{,}")


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _sci(x: float) -> str:
    if x == 0:
        return "0"
    mantissa, exponent = f"{x:.1e}".split("e")
    return rf"${mantissa} \times 10^{{{int(exponent)}}}$"


def _num(x: float, digits: int = 6) -> str:
    if not math.isfinite(x):
        return {True: r"\infty", False: r"-\infty"}[x > 0] if not math.isnan(x) else r"\mathrm{NaN}"
    return str(int(x)) if x == int(x) and abs(x) < 1e15 else math_latex(sp.Float(x, digits))


def to_latex(document: Document, **settings) -> str:
    with using(document.vocabularies):
        return LatexExporter(settings).doprint(document)


def verdict_math(v: Verdict) -> str:
    """A verdict in one line of math mode, for Jupyter (`Verdict._repr_latex_`).  Names go in
    \\mathtt, where MathJax, like LaTeX, reads \\_ (it does not inside \\text)."""
    parts = [_math_code(v.obligation_id) + rf"\text{{: {STATUS_TEXT[v.status]}}}"]
    if v.strategy:
        parts.append(r"\text{by } " + _math_code(v.strategy))
    parts.append(rf"\text{{{v.instances} instances, largest rel. error }} {_sci(v.max_rel_error).strip('$')}")
    ce = v.counterexample
    if ce is not None:
        values = ", ".join(f"{symbol_latex(k)} = {_num(x)}" for k, x in ce.values.items())
        parts.append(
            rf"\text{{counterexample: }} {values}\ (\text{{lhs }} {_num(ce.lhs, 12)},\ \text{{rhs }} "
            rf"{_num(ce.rhs, 12)})"
        )
    if not v.as_expected:
        parts.append(rf"\text{{(expected {v.expected})}}")
    return "$" + r";\ ".join(parts) + "$"


def _math_code(name: str) -> str:
    return r"\mathtt{" + name.replace("_", r"\_") + "}"
