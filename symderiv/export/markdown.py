"""A checked derivation as Markdown with `$...$` math, for READMEs and issue trackers: the
primitives of `base.ExportPrinter` in GitHub's Markdown, the step graph as a Mermaid chart,
and every section kept under `MAX_SECTION` characters (an issue comment holds 65,536)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .._version import __version__
from ..verdict import Status
from .appendix import ReferenceFunction
from .base import ExportPrinter
from .document import DerivationReport, Document, State
from .layout import Line
from .notation import using

_INDENT = {1: r"\quad ", 2: r"\qquad "}

#: The longest section (and the longest $$ block) of the Markdown, in characters.
MAX_SECTION, MAX_BLOCK = 60_000, 16_000

#: Mermaid's fill for each step state.
FILL = {
    State.PROVED: "#c8ecd0",
    State.WEAKER: "#fbe3b0",
    State.ERRATUM: "#f6c6c6",
    State.REMARK: "#c9d6f5",
    State.ERROR: "#f08080",
    State.MISSING: "#eeeeee",
}


def md_text(text: str) -> str:
    """Plain text with Markdown's emphasis, link and HTML characters escaped."""
    return re.sub(r"([\\`*_\[\]<>|#])", r"\\\1", text)


def _anchor(text: str) -> str:
    return re.sub(r"[^a-z0-9-]", "-", text.lower())


class MarkdownExporter(ExportPrinter):
    """Print a `Document` (or any of its parts) as Markdown."""

    def text(self, text: str) -> str:
        return md_text(re.sub(r"\s+", " ", text))

    def code(self, name: str) -> str:
        return f"`{name}`"

    def math(self, latex: str) -> str:
        return "$" + latex.replace("|", r"\vert ") + "$"

    def strong(self, text: str) -> str:
        return f"**{text}**"

    def emph(self, text: str) -> str:
        return f"*{text}*"

    def heading(self, level: int, title: str, anchor: str = "") -> str:
        target = f'<a id="{_anchor(anchor)}"></a>\n\n' if anchor else ""
        return target + "#" * (level + 1) + " " + md_text(title)

    def target(self, anchor: str) -> str:
        return f'<a id="{_anchor(anchor)}"></a>'

    def link(self, anchor: str, label: str) -> str:
        return f"[{md_text(label)}](#{_anchor(anchor)})"

    def display(self, lines: Sequence[Line]) -> str:
        """The lines in `aligned`, in as many $$ blocks as keep each under MAX_BLOCK characters."""
        blocks: list[list[str]] = [[]]
        size = 0
        for line in lines:
            row = "& " + _INDENT.get(line.level, "") + line.math.replace("|", r"\vert ")
            if blocks[-1] and size + len(row) > MAX_BLOCK:
                blocks.append([])
                size = 0
            blocks[-1].append(row)
            size += len(row) + 4
        return "\n\n".join("$$\n\\begin{aligned}\n" + " \\\\\n".join(b) + "\n\\end{aligned}\n$$" for b in blocks)

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]], widths: str) -> str:
        align = {"l": "---", "p": "---", "r": "---:"}
        lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align[w] for w in widths) + "|"]
        lines += ["| " + " | ".join(cell.replace("\n", " ") for cell in row) + " |" for row in rows]
        return "\n".join(lines)

    def coloured(self, state: State | Status, text: str) -> str:
        return f"**{md_text(text)}**" if state in (Status.REFUTED, Status.ERROR, State.ERRATUM) else md_text(text)

    def quote(self, text: str) -> str:
        return "> " + text.strip()

    def items(self, items: Sequence[str], numbered: bool = False) -> str:
        return "\n".join(("1. " if numbered else "- ") + i.replace("\n\n", "\n\n   ") for i in items)

    def listing(self, source: str) -> str:
        return "```python\n" + source.rstrip() + "\n```"

    def front(self, doc: Document) -> str:
        return "\n\n".join(
            [
                f"# {md_text(doc.title)}",
                f"Checked step by step by symderiv {__version__}.",
                self.text(self.summary_text(doc)),
                self.legend(),
            ]
        )

    def graph(self, d: DerivationReport, k: int) -> str:
        """A Mermaid chart: an arrow from a step to each step that uses it, nodes filled by state."""
        lines = ["```mermaid", "graph TD"]
        for step in d.steps:
            lines.append(f'  {_node(step.id)}["{step.id}"]:::{step.state.name.lower()}')
        lines += [f"  {_node(used)} --> {_node(user)}" for used, user in d.uses]
        lines += [f"  classDef {state.name.lower()} fill:{fill}" for state, fill in FILL.items()]
        legend = ", ".join(f"{state.name.lower()}: {state}" for state in State)
        return "\n".join(lines + ["```"]) + "\n\n" + md_text(f"Node classes: {legend}.")

    def _print_ReferenceFunction(self, ref: ReferenceFunction) -> str:
        out = [self.heading(3, ref.name)]
        if ref.doc:
            out.append(md_text(ref.doc))
        if ref.latex is not None:
            out.append(f"$$\n{ref.latex}\n$$")
        else:
            out.append("Shown as code: " + md_text("; ".join(ref.problems)) + ".")
            out.append(self.listing(ref.source))
        return "\n\n".join(out)

    def finish(self, parts: list[str]) -> str:
        return split_sections("\n\n".join(p for p in parts if p)) + "\n"


def _node(step: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", step)


def split_sections(markdown: str, limit: int = MAX_SECTION) -> str:
    """`markdown` with a `(continued)` heading wherever a section would exceed `limit` characters,
    placed between paragraphs so that no block is cut."""
    out: list[str] = []
    heading, size = "", 0
    for paragraph in markdown.split("\n\n"):
        if re.match(r"#{1,6} ", paragraph):
            heading, size = paragraph.lstrip("#").strip(), 0
        elif size + len(paragraph) > limit and size:
            out.append(f"#### {heading} (continued)")
            size = 0
        out.append(paragraph)
        size += len(paragraph) + 2
    return "\n\n".join(out)


def to_markdown(document: Document, **settings) -> str:
    with using(document.vocabularies):
        return MarkdownExporter(settings).doprint(document)
