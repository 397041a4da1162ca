"""What an export says, once: the printer that LaTeX and Markdown specialise.

`ExportPrinter` walks a `Document` in SymPy's printer style (one `_print_<Node>` method per
node type) and decides the content: the coverage table, the step graph, each step as the
source writes it with its label and its evidence in one line, errata (refuted claim,
certified counterexample, link to the correction), remarks confirmed, and the appendices
(evidence per size, the full encodings, the reference implementations).  A format
supplies the primitives: text, math, displays, headings, links, tables, colours.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import sympy as sp
from sympy.printing.printer import Printer

from ..claims import Equal, Inequality, NonNegative
from ..domain import Domain, OpenInterval, Positive, Real, Simplex, SmoothFunctions
from ..provenance import Label, Provenance
from ..rules import Rule, certificate_parts
from ..values import THETA, shown_values
from ..verdict import Counterexample, SizeEvidence, Status
from .document import (
    STATUS_TEXT,
    DerivationReport,
    Document,
    Encoding,
    Entry,
    Erratum,
    State,
    Step,
    stated,
    used_domains,
)
from .layout import Line, relation_lines, source_lines
from .notation import function_latex, math_latex, symbol_latex

#: What each verdict means, for the front matter.
LEGEND = (
    (
        Status.PROVED,
        "the difference of the two sides simplifies to zero under the stated assumptions and every "
        "sampled instance agrees; for an inequality, its certificate's premises are proved and a rule's theorem, "
        "machine-checked, gives the claim",
    ),
    (
        Status.ARGUED,
        "an inequality whose certificate's parts are proved and which every sampled instance "
        "satisfies, but whose step from them to the claim is a person's argument (weaker, and labelled so)",
    ),
    (
        Status.NUMERIC,
        "no symbolic proof within the work budgets; every sampled instance agrees (weaker, and labelled so)",
    ),
    (Status.REFUTED, "a point of the claim's own domain where the sides differ, certified in ball arithmetic"),
    (Status.ERROR, "the obligation could not be built or evaluated"),
)

#: What each label says about where a claim comes from.
LABELS = {
    Label.VERBATIM: "the source's own equation, at the line given",
    Label.PROSE: "the source states it in words; the sentence is quoted with its line",
    Label.CORRECTED: "the checker's correction of a refuted claim, linked to it",
    Label.NOT_FOUND: "a claim the checker adds or restates (an intermediate step, a condition made explicit)",
}


def size_text(size: str) -> str:
    return size.replace("x", "×")


def number_latex(x: float, digits: int = 6) -> str:
    if not math.isfinite(x):
        return r"\mathrm{NaN}" if math.isnan(x) else (r"\infty" if x > 0 else r"-\infty")
    return str(int(x)) if x == int(x) and abs(x) < 1e15 else math_latex(sp.Float(x, digits))


class ExportPrinter(Printer):
    """The content of an export; subclasses give the format's primitives."""

    printmethod = None
    _default_settings = {"line_width": 64}

    def emptyPrinter(self, expr: object) -> str:
        raise TypeError(f"{type(self).__name__} has no method for {type(expr).__name__}")

    # -- primitives a format gives -------------------------------------------------

    def text(self, text: str) -> str:
        raise NotImplementedError

    def code(self, name: str) -> str:
        raise NotImplementedError

    def math(self, latex: str) -> str:
        raise NotImplementedError

    def strong(self, text: str) -> str:
        raise NotImplementedError

    def emph(self, text: str) -> str:
        raise NotImplementedError

    def heading(self, level: int, title: str, anchor: str = "") -> str:
        """A heading of level 1 (section), 2 or 3, with `anchor` as a link target."""
        raise NotImplementedError

    def link(self, anchor: str, label: str) -> str:
        raise NotImplementedError

    def display(self, lines: Sequence[Line]) -> str:
        raise NotImplementedError

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]], widths: str) -> str:
        """`widths`: one letter per column, l (left), r (right) or p (a paragraph that wraps)."""
        raise NotImplementedError

    def coloured(self, state: State | Status, text: str) -> str:
        raise NotImplementedError

    def quote(self, text: str) -> str:
        """A sentence of the source, quoted as it is (math in $...$ kept)."""
        raise NotImplementedError

    def items(self, items: Sequence[str], numbered: bool = False) -> str:
        raise NotImplementedError

    def listing(self, source: str) -> str:
        raise NotImplementedError

    def front(self, doc: Document) -> str:
        """Title, summary, legend and table of contents."""
        raise NotImplementedError

    def graph(self, d: DerivationReport, k: int) -> str:
        raise NotImplementedError

    def finish(self, parts: list[str]) -> str:
        return "\n\n".join(p for p in parts if p) + "\n"

    # -- the document ----------------------------------------------------------------

    def anchor(self, kind: str, k: int, ob_id: str) -> str:
        return f"{kind}-{k}-{ob_id}"

    def _print_Document(self, doc: Document) -> str:
        self._doc = doc
        parts = [self.front(doc)]
        single = len(doc.derivations) == 1
        for k, d in enumerate(doc.derivations):
            parts.append(self._print(d, k=k, single=single))
        parts.append(self.appendix(doc))
        return self.finish(parts)

    def summary_text(self, doc: Document) -> str:
        s = doc.settings
        text = (
            f"Checked by symderiv: seed {s.seed}, {s.samples:,} samples per size"
            + (
                f", sizes {', '.join(map(str, s.sizes))} (a claim declared at 1 on an axis keeps its own)"
                if s.sizes
                else ""
            )
            + f". {doc.summary()}"
        )
        return text + (f"; not as expected: {', '.join(doc.unexpected)}." if doc.unexpected else "; all as expected.")

    def legend(self) -> str:
        verdicts = [self.strong(str(status)) + ": " + self.text(meaning) for status, meaning in LEGEND]
        labels = [self.emph(str(label)) + ": " + self.text(meaning) for label, meaning in LABELS.items()]
        return "\n\n".join(
            [
                self.text("Every claim is checked over a small symbolic model. Verdicts:"),
                self.items(verdicts),
                self.text("Each claim is labelled with where it comes from:"),
                self.items(labels),
            ]
        )

    def _print_DerivationReport(self, d: DerivationReport, k: int = 0, single: bool = True) -> str:
        top = 1 if single else 2
        out = [] if single else [self.heading(1, d.derivation.title, f"derivation-{k}")]
        if d.derivation.source:
            found = "" if d.source_path is not None else " (not found: labels other than corrected cannot be computed)"
            out.append(self.text("Source: ") + self.code(d.derivation.source) + self.text(found + "."))
        out.append(self.heading(top, "Coverage", f"coverage-{k}"))
        out.append(self.coverage(d, k))
        out.append(self.heading(top, "Step graph", f"graph-{k}"))
        out.append(self.graph(d, k))
        out.append(self.heading(top, "Steps", f"steps-{k}"))
        out += [self._print(step, k=k, level=top + 1) for step in d.steps]
        if d.errata:
            out.append(self.heading(top, "Errata", f"errata-{k}"))
            out.append(
                self.text(
                    "Claims of the source that the checker refutes: each with its certified counterexample, shrunk "
                    "to round values, and a link to the verified correction."
                )
            )
            out += [self._print(e, k=k, level=top + 1) for e in d.errata]
        if d.remarks:
            out.append(self.heading(top, "Remarks confirmed", f"remarks-{k}"))
            out.append(
                self.text(
                    "Claims the source itself says do not hold, each refuted as the source says, with its "
                    "counterexample."
                )
            )
            out += [self.remark(e, k, top + 1) for e in d.remarks]
        if d.failed:
            out.append(self.heading(top, "Not verified", f"failed-{k}"))
            out.append(self.text("Obligations that could not be built or evaluated; the message says what to fix."))
            out += [self.failure(e, k) for e in d.failed]
        return "\n\n".join(x for x in out if x)

    # -- coverage ----------------------------------------------------------------------

    def coverage(self, d: DerivationReport, k: int) -> str:
        rows = []
        for step in d.steps:
            if not step.entries:
                rows.append(
                    [self.text(step.id), "", self.text("none"), "", self.coloured(State.MISSING, "not encoded")]
                )
            for n, e in enumerate(step.entries):
                p = e.provenance
                rows.append(
                    [
                        self.text(step.id) if n == 0 else "",
                        str(p.line) if p.line is not None else "",
                        self.link(self.anchor("ob", k, e.obligation.id), e.obligation.id),
                        self.text(str(p.label)),
                        self.by_size(e),
                    ]
                )
        return self.table(["step", "line", "obligation", "label", "verdict per size"], rows, "lrppp")

    def by_size(self, e: Entry) -> str:
        """`proved 1×2, 2×2; refuted 3×2`, each verdict in its colour."""
        groups: dict[Status, list[str]] = {}
        for ev in e.verdict.evidence:
            groups.setdefault(ev.status, []).append(size_text(ev.size) if ev.size else "")
        parts = [
            self.coloured(status, str(status))
            + (self.text(" " + ", ".join(s for s in sizes if s)) if any(sizes) else "")
            for status, sizes in groups.items()
        ]
        out = "; ".join(parts) or self.coloured(e.verdict.status, str(e.verdict.status))
        if not e.verdict.as_expected:
            out += " " + self.coloured(Status.ERROR, f"(expected {e.verdict.expected})")
        return out

    # -- steps -----------------------------------------------------------------------

    def _print_Step(self, step: Step, k: int = 0, level: int = 2) -> str:
        out = [self.heading(level, step.id, f"step-{k}-{step.id}")]
        if not step.entries:
            out.append(self.emph("Not encoded yet: no obligation checks this step."))
        out += [self._print(e, k=k) for e in step.entries]
        return "\n\n".join(out)

    def entry_head(self, e: Entry, k: int) -> str:
        ob, v = e.obligation, e.verdict
        head = self.target(self.anchor("ob", k, ob.id)) + self.strong(self.text(ob.id)) + " " + self.code(ob.name)
        head += self.text(": ") + self.coloured(v.status, STATUS_TEXT[v.status])
        if v.every_size is not None:  # proved for every |S| ≥ 1, |A| ≥ 1
            bounds = (self.math(rf"{label} \geq {low}") for label, low in v.every_size.bounds)
            head += self.text(" for every ") + self.text(", ").join(bounds)
        if not v.as_expected:
            head += " " + self.coloured(Status.ERROR, f"(expected {v.expected})")
        return head

    def target(self, anchor: str) -> str:
        return ""

    def breakable(self, text: str) -> str:
        """Text that may break after its parentheses and pluses (a long strategy name)."""
        return self.text(text)

    def _print_Entry(self, e: Entry, k: int = 0) -> str:
        out = [self.entry_head(e, k)]
        if e.erratum:
            out.append(
                self.text("The source's claim is refuted: see ")
                + self.link(self.anchor("err", k, e.obligation.id), "Erratum " + e.obligation.id)
                + "."
            )
            return "\n\n".join(out)
        if e.remark:
            out.append(
                self.text("Refuted, as the source itself says: see ")
                + self.link(self.anchor("rem", k, e.obligation.id), "Remark " + e.obligation.id)
                + "."
            )
            return "\n\n".join(out)
        out += self.claim_as_stated(e, k)
        if e.obligation.doc:
            out.append(self.prose(e.obligation.doc))
        if e.verdict.status is Status.ERROR:
            out.append(self.text("Not verified: see ") + self.link(f"failed-{k}", "Not verified") + ".")
        else:
            out.append(self.evidence_line(e, k))
        return "\n\n".join(out)

    def prose(self, text: str) -> str:
        """A docstring: plain text with Unicode math."""
        return self.text(text)

    def claim_as_stated(self, e: Entry, k: int) -> list[str]:
        """The claim as the source writes it, with its label: the main display."""
        p: Provenance = e.provenance
        display = self.display(source_lines(e.obligation.latex, self._settings["line_width"]))
        if p.label is Label.VERBATIM:
            return [self.emph(f"Verbatim, line {p.line} of the source:"), display]
        if p.label is Label.PROSE:
            said = [self.emph(f"Formalised from prose, line {p.line} of the source:")]
            if p.quote:
                said.append(self.quote(p.quote))
            return said + [self.text("as:"), display]
        if p.label is Label.CORRECTED:
            corrected = p.corrects or ""
            return [
                self.emph("Corrected claim, for ")
                + self.link(self.anchor("err", k, corrected), "Erratum " + corrected)
                + self.emph(":"),
                display,
            ]
        return [self.emph("Not found in the source; the claim as stated for the checker:"), display]

    def evidence_line(self, e: Entry, k: int) -> str:
        """`proved at 1×2, 2×2 by generalise+cancel; 10,000 instances per size (evidence, encoding).`"""
        v = e.verdict
        sizes = [size_text(ev.size) for ev in v.evidence if ev.size]
        counts = sorted({ev.instances for ev in v.evidence if not ev.covered})
        text = STATUS_TEXT[v.status]
        if sizes:
            text += " at " + ", ".join(sizes)
        out = self.text(text)
        if v.strategy:
            out += self.text(" by ") + self.breakable(v.strategy)
        if counts:
            per = " per size" if sizes else ""
            out += self.text("; " + "/".join(f"{c:,}" for c in counts) + f" instances{per}")
        links = [self.link(self.anchor("ev", k, e.obligation.id), "evidence")]
        if e.encoding.claim is not None:
            links.append(self.link(self.anchor("enc", k, e.obligation.id), "encoding"))
        return out + self.text(" (") + ", ".join(links) + self.text(").")

    # -- errata and remarks -------------------------------------------------------------

    def _print_Erratum(self, erratum: Erratum, k: int = 0, level: int = 2) -> str:
        e = erratum.entry
        ob = e.obligation
        out = [
            self.heading(level, "Erratum " + ob.id, self.anchor("err", k, ob.id)),
            self.entry_head(e, k).replace(self.target(self.anchor("ob", k, ob.id)), ""),
        ]
        out += self.claim_as_stated(e, k)
        if ob.doc:
            out.append(self.prose(ob.doc))
        ce = e.verdict.counterexample
        if ce is not None:
            out.append(self._print(ce))
        if erratum.corrections:
            links = [
                self.link(self.anchor("ob", k, c.obligation.id), c.obligation.id)
                + self.text(" (" + STATUS_TEXT[c.verdict.status] + ")")
                for c in erratum.corrections
            ]
            out.append(self.strong("Corrected by") + self.text(": ") + ", ".join(links) + ".")
        else:
            out.append(self.emph("No correction of this claim has been verified yet."))
        out.append(self.evidence_line(e, k))
        return "\n\n".join(out)

    def remark(self, e: Entry, k: int, level: int) -> str:
        ob = e.obligation
        out = [
            self.heading(level, "Remark " + ob.id, self.anchor("rem", k, ob.id)),
            self.entry_head(e, k).replace(self.target(self.anchor("ob", k, ob.id)), ""),
        ]
        out += self.claim_as_stated(e, k)
        if ob.doc:
            out.append(self.prose(ob.doc))
        if e.verdict.counterexample is not None:
            out.append(self._print(e.verdict.counterexample))
        out.append(self.evidence_line(e, k))
        return "\n\n".join(out)

    def failure(self, e: Entry, k: int) -> str:
        return "\n\n".join(
            [
                self.entry_head(e, k).replace(self.target(self.anchor("ob", k, e.obligation.id)), ""),
                self.text(e.verdict.message or e.encoding.error or "no message"),
            ]
        )

    def _print_Counterexample(self, ce: Counterexample) -> str:
        where = ", ".join(
            x
            for x in (f"size {size_text(ce.size)}" if ce.size else "", f"element {ce.element}" if ce.element else "")
            if x
        )
        values = []
        for v in shown_values(ce.values):
            if v.function is not None:
                values.append(self.math(f"{function_latex(v.name, THETA)} = {math_latex(v.function)}"))
            else:
                assert v.number is not None, "a value is a number or a drawn function"
                values.append(self.math(f"{symbol_latex(v.name)} = {number_latex(v.number)}"))
        text = self.strong("Counterexample") + self.text((f" ({where})" if where else "") + f", seed {ce.seed}: ")
        text += ", ".join(values)
        text += self.text("; the left side is ") + self.math(number_latex(ce.lhs, 12))
        text += self.text(" and the right side is ") + self.math(number_latex(ce.rhs, 12))
        return text + self.text((f" ({ce.note})" if ce.note else "") + ".")

    # -- appendices ----------------------------------------------------------------------

    def appendix(self, doc: Document) -> str:
        out = [self.appendix_start()]
        out.append(self.heading(1, "Evidence", "evidence"))
        out.append(
            self.text(
                "Per obligation and model size: the verdict, the rewrite strategy that reached zero, the instances "
                "checked and the largest relative error among them"
                + (", and the seconds spent." if doc.timings else ".")
            )
        )
        for k, d in enumerate(doc.derivations):
            out += [self.evidence(e, k, doc.timings) for e in d.entries]
        out.append(self.heading(1, "Encodings", "encodings"))
        out.append(
            self.text(
                "Each claim as the checker encodes it, at the smallest size it checked, in full: model symbols in "
                "the source's notation, long expressions broken over lines."
            )
        )
        for k, d in enumerate(doc.derivations):
            out += [self.encoding(e, k) for e in d.entries]
        if doc.references:
            out.append(self.heading(1, "Reference implementations", "references"))
            out.append(
                self.text(
                    "The plain NumPy implementations that the claims' numeric checks call, typeset by latexify-py "
                    "where its rendering keeps the code's meaning and shown as code where it would not."
                )
            )
            out += [self._print(r) for r in doc.references]
        return "\n\n".join(out)

    def appendix_start(self) -> str:
        return ""

    def evidence(self, e: Entry, k: int, timings: bool) -> str:
        v = e.verdict
        head = [self.heading(3, e.obligation.id, self.anchor("ev", k, e.obligation.id))]
        columns = ["size", "verdict", "strategy", "instances", "largest rel. error"] + (["seconds"] if timings else [])
        rows = [self._print(ev, timings=timings) for ev in v.evidence]
        out = head + [self.table(columns, rows, "llprr" + ("r" if timings else ""))]
        if v.message:
            out.append(self.text("Note: " + v.message))
        return "\n\n".join(out)

    def _print_SizeEvidence(self, ev: SizeEvidence, timings: bool = False) -> list[str]:
        error = ev.max_rel_error
        row = [
            self.text(size_text(ev.size) if ev.size else "–"),
            self.coloured(ev.status, str(ev.status)),
            self.breakable(ev.strategy or "–"),
            self.text(f"{ev.instances:,}"),
            self.math("0" if error == 0 else self.scientific(error)),
        ]
        if timings:
            row.append(self.text(f"{ev.seconds_symbolic + ev.seconds_numeric:.2f}"))
        return row

    @staticmethod
    def scientific(x: float) -> str:
        if not math.isfinite(x):
            return number_latex(x)
        mantissa, exponent = f"{x:.1e}".split("e")
        return rf"{mantissa} \times 10^{{{int(exponent)}}}"

    def encoding(self, e: Entry, k: int) -> str:
        out = [self.heading(3, e.obligation.id, self.anchor("enc", k, e.obligation.id))]
        out.append(self._print(e.encoding))
        return "\n\n".join(out)

    def _print_Encoding(self, enc: Encoding) -> str:
        where = ""
        if enc.size is not None:
            axes = f" ({' × '.join(enc.size.axes)})" if all(enc.size.axes) else ""
            where = f" at {size_text(str(enc.size))}{axes}"
        if enc.claim is None:
            return self.text(f"The claim could not be built{where}: {enc.error}")
        return self.text(f"Encoded{where}:") + "\n\n" + self._print(enc.claim)

    # -- claims --------------------------------------------------------------------------

    def _element(self, index: tuple, count: int) -> str:
        if count <= 1:
            return ""
        shown = index if len(index) > 1 else index[0]
        return self.text("Element ") + self.math(str(shown)) + self.text(":")

    def _print_Equal(self, claim: Equal, assumptions: bool = True) -> str:
        pairs = claim.pairs()
        width = self._settings["line_width"]
        out = []
        for ix, left, right in pairs:
            out += [self._element(ix, len(pairs)), self.display(relation_lines(left, "=", right, width))]
        if assumptions:
            out.append(self.assumptions(claim.domain.parts, claim.free_symbols()))
        return "\n\n".join(x for x in out if x)

    def _print_NonNegative(self, claim: NonNegative, assumptions: bool = True) -> str:
        elements = claim.elements()
        width = self._settings["line_width"]
        out = []
        for n, element in enumerate(elements):
            out += [self._element((n,), len(elements)), self.display(relation_lines(element, r"\ge", 0, width))]
        if claim.convex_in is not None:
            x, x0 = claim.convex_in
            out.append(
                self.text("Proved by convexity in ")
                + self.math(math_latex(x))
                + self.text(": the expression and its first derivative vanish at ")
                + self.math(f"{math_latex(x)} = {math_latex(x0)}")
                + self.text(" and its second derivative is non-negative.")
            )
        if assumptions:
            out.append(self.assumptions(claim.domain.parts, claim.free_symbols()))
        return "\n\n".join(x for x in out if x)

    def _print_Inequality(self, claim: Inequality, assumptions: bool = True) -> str:
        out = [self.display(relation_lines(claim.lhs, r"\le", claim.rhs, self._settings["line_width"]))]
        rule = claim.certificate if isinstance(claim.certificate, Rule) else None
        parts = certificate_parts(claim.certificate)
        if rule is not None:
            out.append(
                self.text("Certificate, machine-checked by the rule ")
                + self.code(type(rule).__name__)
                + self.text(": " + rule.theorem() + (" Given:" if parts else ""))
            )
        elif parts:
            out.append(
                self.text(
                    "Certificate, each part checked; the step from them to the claim is the argument below, read by "
                    "a person (argued at best):"
                )
            )
        else:
            out.append(self.text("No certificate: the inequality is checked numerically only."))
        if parts:
            out.append(self.items([self._print(part, assumptions=False) for part in parts], numbered=True))
        if claim.because:
            out.append(self.text(("In words: " if rule is not None else "Why it implies the claim: ") + claim.because))
        if assumptions:
            symbols, domains = stated(claim)
            out.append(self.assumptions(domains, symbols))
        return "\n\n".join(x for x in out if x)

    # -- assumptions -----------------------------------------------------------------------

    def assumptions(self, domains: Sequence[Domain], symbols: set[sp.Symbol]) -> str:
        """Where the claim's symbols live (the domains it draws them from)."""
        used = used_domains(domains, symbols)
        if not used:
            return ""
        return self.text("Assumptions: ") + "; ".join(self._print(d) for d in used) + self.text(".")

    def _symbols(self, domain: Domain) -> str:
        return ", ".join(math_latex(s) for s in domain.symbols)

    def _print_Real(self, d: Real) -> str:
        return self.math(self._symbols(d) + r" \in \mathbb{R}")

    def _print_Positive(self, d: Positive) -> str:
        if d.high != math.inf:
            return self.math(self._symbols(d) + rf" \in ({d.low:g}, {d.high:g}]")
        return self.math(self._symbols(d) + (rf" \ge {d.low:g}" if d.low else " > 0"))

    def _print_OpenInterval(self, d: OpenInterval) -> str:
        return self.math(self._symbols(d) + rf" \in ({d.low:g}, {d.high:g})")

    def _print_Simplex(self, d: Simplex) -> str:
        return self.math("(" + self._symbols(d) + ")") + self.text(" on the open simplex (positive, summing to 1)")

    def _print_SmoothFunctions(self, d: SmoothFunctions) -> str:
        names = ", ".join(math_latex(f) for f in d.functions)
        return (
            self.math(names)
            + self.text(" smooth functions of ")
            + self.math(math_latex(d.parameter) + r" \in \mathbb{R}")
        )
