"""A checked derivation as Markdown with `$...$` math, for READMEs and issue trackers.

The same nodes as the LaTeX exporter, one `_print_<Node>` method each; math is the
same LaTeX (`notation.py`, `layout.py`), so GitHub and Jupyter typeset it alike.
"""

from __future__ import annotations

import re

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
from .layout import CONTINUATION, RELATION, relation_lines, source_math
from .notation import math_latex, symbol_latex, using

_INDENT = {RELATION: r"\quad ", CONTINUATION: r"\qquad "}


def md_text(text: str) -> str:
    """Plain text with Markdown's emphasis, link and HTML characters escaped."""
    return re.sub(r"([\\`*_\[\]<>|#])", r"\\\1", text)


def _anchor(text: str) -> str:
    return re.sub(r"[^a-z0-9-]", "", text.lower().replace(" ", "-"))


class MarkdownExporter(Printer):
    """Print a `Document` (or any of its parts) as Markdown."""

    printmethod = None
    _default_settings = {"max_elements": 4, "max_expr_chars": 2400, "line_width": 80}

    def emptyPrinter(self, expr):
        raise TypeError(f"{type(self).__name__} has no method for {type(expr).__name__}")

    def _print_Document(self, doc: Document) -> str:
        s = doc.settings
        parts = [
            f"# {md_text(doc.title)}",
            f"Checked by symderiv {__version__}: seed {s.seed}, {s.samples:,} samples per size, "
            f"symbolic time limit {s.time_limit:g} s. {doc.summary()}"
            + (f"; **not as expected: {', '.join(doc.unexpected)}**." if doc.unexpected else "."),
            "Each claim is shown as the source writes it and as symderiv encodes it over a small symbolic model. "
            "**proved**: the difference of the two sides simplifies to zero under the stated assumptions and every "
            "sampled instance agrees (for an inequality: its certificate's premises are proved and a rule's theorem, "
            "machine-checked, gives the claim); **argued**: an inequality whose certificate's parts are proved and "
            "which every sampled instance satisfies, but whose step from them to the claim is a person's argument "
            "(weaker); **numeric**: no symbolic proof within the work budgets, every sampled instance "
            "agrees (weaker); **refuted**: a point of the claim's own domain where the sides differ, certified "
            "in ball arithmetic (see Errata); **error**: the obligation could not be built or evaluated.",
        ]
        parts += [self._print(d, single=len(doc.derivations) == 1) for d in doc.derivations]
        if doc.references:
            parts.append("## Appendix: reference implementations")
            parts.append(
                "The numeric checks compare the encodings with these plain NumPy implementations, typeset by "
                "latexify-py where its rendering keeps the code's meaning and shown as code where it would not."
            )
            parts += [self._print(r) for r in doc.references]
        return "\n\n".join(parts) + "\n"

    def _print_DerivationReport(self, d: DerivationReport, single: bool = True) -> str:
        h = "##" if single else "###"
        out = ["## Steps" if single else f"## {md_text(d.derivation.title)}"]
        if d.derivation.source:
            out.append(f"Source: `{d.derivation.source}`.")
        missing: list[str] = []
        for step in d.steps + [None]:
            if step is not None and not step.entries:
                missing.append(step.id)
                continue
            if missing:
                out.append(
                    f"*Not encoded yet (no obligation checks {'this step' if len(missing) == 1 else 'these steps'}):"
                    f" {', '.join(missing)}.*"
                )
                missing = []
            if step is not None:
                out.append(self._print(step, heading=h + "#"))
        if d.errata:
            out.append(f"{h} Errata")
            out.append(
                "Claims of the source that the checker refutes: each with its counterexample, shrunk to round "
                "values, and the corrected claim verified beside it."
            )
            out += [self._print(e, heading=h + "#") for e in d.errata]
        if d.failed:
            out.append(f"{h} Not verified")
            out += [self._print(e) for e in d.failed]
        return "\n\n".join(out)

    def _print_Step(self, step: Step, heading: str = "###") -> str:
        out = [f"{heading} {step.id}"]
        if step.refuted:
            out.append(
                f"*The source's claim is refuted; see [Erratum {step.id}](#{_anchor('erratum ' + step.id)})"
                + (". The corrected claim:*" if step.verified else ".*")
            )
        out += [self._print(e) for e in step.verified]
        if step.failed:
            out.append(f"*Not verified (error): {', '.join(e.obligation.id for e in step.failed)}.*")
        return "\n\n".join(out)

    def _print_Erratum(self, erratum: Erratum, heading: str = "###") -> str:
        out = [f"{heading} Erratum {erratum.step}", "**As the source writes it**, refuted:"]
        out += [self._print(e) for e in erratum.refuted]
        if erratum.corrections:
            out.append("**Corrected claim**, verified:")
            out += [self._print(e) for e in erratum.corrections]
        else:
            out.append("*No corrected claim has been verified for this step yet.*")
        return "\n\n".join(out)

    def _print_Entry(self, entry: Entry) -> str:
        ob, v = entry.obligation, entry.verdict
        head = f"{ob.id} `{ob.name}`: **{STATUS_TEXT[v.status]}**"
        if not v.as_expected:
            head += f" (**expected {v.expected}**)"
        out = [head, "As the source writes it:", f"$$\n{source_math(ob.latex)}\n$$"]
        if ob.doc:
            out.append(md_text(" ".join(ob.doc.split())))
        out += [self._print(entry.encoding), self._print(v)]
        return "\n\n".join(out)

    def _print_Encoding(self, enc: Encoding) -> str:
        where = f" at the smallest size checked, {enc.size.replace('x', '×')} (states × actions)" if enc.size else ""
        if enc.claim is None:
            return f"The claim could not be built{where}: {md_text(enc.error)}"
        return f"As the checker encodes it{where}:\n\n" + self._print(enc.claim)

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
        return "\n\n".join(x for x in out if x)

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
                f"Proved by convexity in ${math_latex(x)}$: the expression and its first derivative vanish "
                f"at ${math_latex(x)} = {math_latex(x0)}$ and its second derivative is non-negative."
            )
        if assumptions:
            out.append(self._assumptions(claim.domain.parts, claim.free_symbols()))
        return "\n\n".join(x for x in out if x)

    def _print_Inequality(self, claim: Inequality, assumptions: bool = True) -> str:
        out = [self._lines(relation_lines(claim.lhs, r"\le", claim.rhs, **self._layout()))]
        rule = claim.certificate if isinstance(claim.certificate, Rule) else None
        parts = certificate_parts(claim.certificate)
        if rule is not None:
            out.append(
                f"Certificate, machine-checked by the rule `{type(rule).__name__}`: "
                + md_text(rule.theorem())
                + (" Given:" if parts else "")
            )
        elif parts:
            out.append(
                "Certificate, each part checked; the step from them to the claim is the argument below, read "
                "by a person (**argued** at best):"
            )
        else:
            out.append("No certificate: the inequality is checked numerically only.")
        for k, part in enumerate(parts, 1):
            out.append(f"{k}.\n\n" + self._print(part, assumptions=False))
        if claim.because:
            out.append(("In words: " if rule is not None else "Why it implies the claim: ") + md_text(claim.because))
        if assumptions:
            symbols, domains = stated(claim)
            out.append(self._assumptions(domains, symbols))
        return "\n\n".join(x for x in out if x)

    def _layout(self) -> dict:
        return {"width": self._settings["line_width"], "max_chars": self._settings["max_expr_chars"]}

    def _lines(self, lines, index: tuple = ()) -> str:
        label = f"Element ${index if len(index) > 1 else index[0]}$:\n\n" if index else ""
        body = " \\\\\n".join("& " + _INDENT.get(line.level, "") + line.math for line in lines)
        return label + "$$\n\\begin{aligned}\n" + body + "\n\\end{aligned}\n$$"

    def _more(self, total: int) -> str:
        hidden = total - self._settings["max_elements"]
        return f"*… and {hidden} more element{'s' if hidden > 1 else ''} of the same form.*" if hidden > 0 else ""

    def _assumptions(self, domains, symbols) -> str:
        used = used_domains(domains, symbols)
        return "Assumptions: " + "; ".join(self._print(d) for d in used) + "." if used else ""

    def _symbols(self, domain) -> str:
        return ", ".join(math_latex(s) for s in domain.symbols)

    def _print_Real(self, d) -> str:
        return f"${self._symbols(d)} \\in \\mathbb{{R}}$"

    def _print_Positive(self, d) -> str:
        return f"${self._symbols(d)} > 0$"

    def _print_OpenInterval(self, d) -> str:
        return f"${self._symbols(d)} \\in ({d.low:g}, {d.high:g})$"

    def _print_Simplex(self, d) -> str:
        return f"$({self._symbols(d)})$ on the open simplex (positive, summing to 1)"

    def _print_SmoothFunctions(self, d) -> str:
        names = ", ".join(math_latex(f) for f in d.functions)
        return f"${names}$ smooth functions of ${math_latex(d.parameter)} \\in \\mathbb{{R}}$"

    # -- evidence ----------------------------------------------------------------------

    def _print_Verdict(self, v: Verdict) -> str:
        rows = [
            "| size | verdict | strategy | instances | largest rel. error | seconds |",
            "|---|---|---|---:|---:|---:|",
        ] + [self._print(e) for e in v.evidence]
        out = ["\n".join(rows)]
        if v.message:
            out.append("Note: " + md_text(v.message))
        if v.counterexample is not None:
            out.append(self._print(v.counterexample))
        return "\n\n".join(out)

    def _print_SizeEvidence(self, e: SizeEvidence) -> str:
        seconds = e.seconds_symbolic + e.seconds_numeric
        return (
            f"| {e.size.replace('x', '×') or '–'} | {e.status} | {md_text(e.strategy) or '–'} | {e.instances:,} "
            f"| {e.max_rel_error:.1e} | {seconds:.2f} |"
        )

    def _print_Counterexample(self, ce: Counterexample) -> str:
        where = ", ".join(
            x
            for x in (
                f"size {ce.size.replace('x', '×')}" if ce.size else "",
                f"element ${ce.element}$" if ce.element else "",
            )
            if x
        )
        values = ", ".join(f"${symbol_latex(k)} = {v:.6g}$" for k, v in ce.values.items())
        return (
            f"**Counterexample**{f' ({where})' if where else ''}, seed {ce.seed}: {values}; the left side is "
            f"${ce.lhs:.12g}$ and the right side is ${ce.rhs:.12g}$"
            + (f" ({md_text(ce.note)})" if ce.note else "")
            + "."
        )

    def _print_ReferenceFunction(self, ref) -> str:
        out = [f"### `{ref.name}`"]
        if ref.doc:
            out.append(md_text(ref.doc))
        if ref.latex is not None:
            out.append(f"$$\n{ref.latex}\n$$")
        else:
            out.append("Shown as code: " + md_text("; ".join(ref.problems)) + ".")
            out.append("```python\n" + ref.source.rstrip() + "\n```")
        return "\n\n".join(out)


def to_markdown(document: Document, **settings) -> str:
    with using(document.vocabularies):
        return MarkdownExporter(settings).doprint(document)
