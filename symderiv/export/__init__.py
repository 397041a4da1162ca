"""Export a checked derivation: LaTeX (and PDF through pdflatex) or Markdown."""

from __future__ import annotations

from pathlib import Path

from .appendix import ReferenceFunction, reference_functions
from .document import DerivationReport, Document, report_derivation
from .latex import to_latex
from .markdown import to_markdown
from .pdf import TexError, compile_pdf, find_pdflatex

FORMATS = ("pdf", "tex", "md")

__all__ = [
    "FORMATS",
    "DerivationReport",
    "Document",
    "ReferenceFunction",
    "TexError",
    "compile_pdf",
    "find_pdflatex",
    "reference_functions",
    "report_derivation",
    "to_latex",
    "to_markdown",
    "write",
]


def write(document: Document, output: Path | str, fmt: str) -> list[Path]:
    """Write `document` as `fmt` to `output`; a PDF keeps its .tex source beside it.
    Returns the files written."""
    output = Path(output)
    if fmt == "md":
        output.write_text(to_markdown(document), encoding="utf-8")
        return [output]
    if fmt == "tex":
        output.write_text(to_latex(document), encoding="utf-8")
        return [output]
    if fmt == "pdf":
        tex = to_latex(document)
        source = output.with_suffix(".tex")
        source.write_text(tex, encoding="utf-8")
        return [compile_pdf(tex, output), source]
    raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")
