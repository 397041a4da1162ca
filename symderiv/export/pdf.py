"""Compile a LaTeX document to PDF with pdflatex (TeX Live's texlive-latex-base,
texlive-latex-recommended and texlive-pictures, and for a quoted sentence in Chinese
latex-cjk-common with latex-cjk-chinese-arphic-gbsn00lp, hold everything the exporter uses)."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

#: Two runs resolve the cross-references to errata.
RUNS = 2


class TexError(RuntimeError):
    """pdflatex is missing, or failed on the document."""


def find_pdflatex() -> str | None:
    return shutil.which("pdflatex")


def compile_pdf(tex: str, output: Path | str, timeout: float = 300.0, log: Path | str | None = None) -> Path:
    """Write the PDF of `tex` to `output` (and pdflatex's log to `log`, if given: it names every
    display line too wide to typeset at 80 %); the auxiliary files stay in a temporary folder."""
    exe = find_pdflatex()
    if exe is None:
        raise TexError(
            "pdflatex not found; install TeX Live (Debian: apt-get install texlive-latex-base "
            "texlive-latex-recommended texlive-pictures) or export with --format tex"
        )
    output = Path(output)
    with tempfile.TemporaryDirectory(prefix="symderiv-tex-") as tmp:
        source = Path(tmp) / "document.tex"
        source.write_text(tex, encoding="utf-8")
        for _ in range(RUNS):
            run = subprocess.run(
                [exe, "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", source.name],
                cwd=tmp,
                capture_output=True,
                text=True,
                errors="replace",
                timeout=timeout,
            )
            if run.returncode != 0:
                raise TexError("pdflatex failed: " + _first_error(run.stdout))
        output.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(Path(tmp) / "document.pdf", output)
        if log is not None:
            shutil.copyfile(Path(tmp) / "document.log", log)
    return output


def _first_error(log: str) -> str:
    """The first `! ...` error of a TeX log and the lines that locate it."""
    m = re.search(r"^!.*(?:\n.*){0,6}", log, flags=re.MULTILINE)
    return m[0].strip() if m else log[-2000:].strip()
