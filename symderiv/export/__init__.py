"""Export a checked derivation: LaTeX (and PDF through pdflatex) or Markdown."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path

from ..checker import Settings
from .appendix import ReferenceFunction, reference_functions
from .document import DerivationReport, Document, report_derivation, showing
from .latex import to_latex
from .markdown import to_markdown
from .pdf import TexError, compile_pdf, find_pdflatex
from .usage import called_functions

FORMATS = ("pdf", "tex", "md")

__all__ = [
    "FORMATS",
    "DerivationReport",
    "Document",
    "ReferenceFunction",
    "TexError",
    "build_document",
    "compile_pdf",
    "find_pdflatex",
    "reference_functions",
    "report_derivation",
    "showing",
    "to_latex",
    "to_markdown",
    "write",
]


def build_document(reports: Sequence[DerivationReport], settings: Settings, timings: bool = False) -> Document:
    """A document of the reports, with an appendix of the reference implementations (from the
    derivations' vocabularies) that their claims call."""
    document = Document(list(reports), settings, [], timings)
    for module in dict.fromkeys(m for v in document.vocabularies for m in v.reference_modules):
        try:
            module_file = importlib.import_module(module).__file__ or ""
        except ModuleNotFoundError:
            continue
        used: set[str] = set()
        for entry in document.entries:
            used |= called_functions(entry.encoding.claim, module_file, settings.seed)
        if used:
            document.references += reference_functions(module, used)
    return document


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
