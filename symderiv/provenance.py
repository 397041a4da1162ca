"""Where a claim comes from, computed from the source file rather than declared.

A claim is *verbatim* when its LaTeX appears in one of the source's display equations
(up to whitespace, alignment marks, delimiter sizes and trailing punctuation), *formalised
from prose* when it names the line of the sentence it formalises (`prose_line`), *corrected*
when it names the refuted claim it corrects (`corrects`), and otherwise *not found in the
source*, which an export shows as such.  The source's text is read at export time, so a
proof file never needs to copy it.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from .obligation import Derivation, Obligation


class Label(str, Enum):
    VERBATIM = "verbatim"
    PROSE = "formalised from prose"
    CORRECTED = "corrected"
    NOT_FOUND = "not found in the source"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Provenance:
    """A claim's label, the source line it comes from, the sentence it formalises, the claim it corrects."""

    label: Label
    line: int | None = None
    quote: str = ""
    corrects: str | None = None


#: Display math in Markdown ($$...$$) and LaTeX (\[...\], equation, align, gather, multline).
_DISPLAY = re.compile(
    r"\$\$(?P<a>.*?)\$\$|\\\[(?P<b>.*?)\\\]|\\begin\{(?P<env>equation|align|gather|multline)(?P<star>\*?)\}"
    r"(?P<c>.*?)\\end\{(?P=env)(?P=star)\}",
    re.DOTALL,
)

#: Markup that does not change what an equation says: alignment, line breaks, delimiter sizes, spacing.
_IGNORED = re.compile(
    r"\s+|&|\\\\|\\(?:begin|end)\{(?:aligned|split|gathered)\}"
    r"|\\(?:big|Big|bigg|Bigg)[lrm]?(?![A-Za-z])|\\(?:left|right)(?![A-Za-z])|\\[,;:!](?![A-Za-z])"
)
_SAME = {r"\vert": "|", r"\lvert": "|", r"\rvert": "|", r"\Vert": r"\|", r"\lVert": r"\|", r"\rVert": r"\|"}
_SAME_RE = re.compile("|".join(re.escape(k) + r"(?![A-Za-z])" for k in _SAME))
_TRAILING = ".,;:"


def normalise(latex: str, first_line: int = 1) -> tuple[str, list[int]]:
    """`latex` without the markup that does not change its meaning, and the line of each character kept."""
    out: list[str] = []
    lines: list[int] = []
    line, k = first_line, 0
    while k < len(latex):
        m = _IGNORED.match(latex, k) or _SAME_RE.match(latex, k)
        if m:
            kept = _SAME.get(m[0], "")
            out.append(kept)
            lines += [line] * len(kept)
            line += m[0].count("\n")
            k = m.end()
            continue
        out.append(latex[k])
        lines.append(line)
        line += latex[k] == "\n"
        k += 1
    return "".join(out), lines


@dataclass(frozen=True)
class Display:
    """One display equation of the source: its normalised LaTeX and the line of each character."""

    text: str
    lines: tuple[int, ...]


class Source:
    """A source file's lines and display equations."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()
        self.displays = []
        for m in _DISPLAY.finditer(text):
            body = next(g for g in (m["a"], m["b"], m["c"]) if g is not None)
            start = m.start(next(n for n in ("a", "b", "c") if m[n] is not None))
            normal, lines = normalise(body, text.count("\n", 0, start) + 1)
            self.displays.append(Display(normal, tuple(lines)))

    @classmethod
    def read(cls, path: Path) -> Source:
        return cls(path, path.read_text(encoding="utf-8"))

    def find(self, latex: str) -> int | None:
        """The line where `latex` appears in a display equation, if it does."""
        wanted = normalise(latex)[0].rstrip(_TRAILING)
        if not wanted:
            return None
        for d in self.displays:
            at = d.text.find(wanted)
            if at >= 0:
                return d.lines[at]
        return None

    def in_display(self, line: int) -> bool:
        return any(line in d.lines for d in self.displays)

    def sentence(self, line: int) -> str:
        """The text of line `line` (1-based), without Markdown's heading, quote and admonition marks;
        a line of a display equation as inline math, without its alignment marks."""
        if not 1 <= line <= len(self.lines):
            return ""
        text = self.lines[line - 1]
        if self.in_display(line):
            math = " ".join(re.sub(r"\\\\|\\(?:begin|end)\{aligned\}|&", " ", text).split())
            return f"${math}$" if math else ""
        return re.sub(r"^\s*(?:#+|>|!!!\s*\w+)?\s*", "", text).strip()


def candidates(source: str, proof_file: Path | None, cwd: Path | None = None) -> list[Path]:
    """Where a derivation's `source` path may be: beside the proof file or one of its folders'
    ancestors, or under the working directory."""
    folders: list[Path] = []
    if proof_file is not None:
        folder = proof_file.resolve().parent
        folders += [folder, *folder.parents]
    folders.append((cwd or Path.cwd()).resolve())
    return [f / source for f in dict.fromkeys(folders)]


def locate(source: str, proof_file: Path | None, cwd: Path | None = None) -> Path | None:
    if not source:
        return None
    path = Path(source)
    if path.is_absolute():
        return path if path.is_file() else None
    return next((p for p in candidates(source, proof_file, cwd) if p.is_file()), None)


def proof_file(derivation: Derivation) -> Path | None:
    """The file of the module that defines the derivation (else that of its first builder)."""
    module = sys.modules.get(getattr(derivation, "module", ""))
    path = getattr(module, "__file__", None)
    if path:
        return Path(path)
    for ob in derivation:
        code = getattr(ob.build, "__code__", None)
        if code is not None:
            return Path(code.co_filename)
    return None


def source_of(derivation: Derivation, cwd: Path | None = None) -> Source | None:
    path = locate(derivation.source, proof_file(derivation), cwd)
    return Source.read(path) if path is not None else None


def provenance(ob: Obligation, source: Source | None) -> Provenance:
    if ob.corrects:
        return Provenance(Label.CORRECTED, corrects=ob.corrects)
    line = source.find(ob.latex) if source is not None else None
    if line is not None:
        return Provenance(Label.VERBATIM, line)
    if ob.prose_line is not None:
        return Provenance(Label.PROSE, ob.prose_line, source.sentence(ob.prose_line) if source else "")
    return Provenance(Label.NOT_FOUND)


def provenances(derivation: Derivation, source: Source | None) -> dict[str, Provenance]:
    """Every obligation's provenance, by id, read from `source` (see `source_of`)."""
    return {ob.id: provenance(ob, source) for ob in derivation}


def unknown_ids(derivation: Derivation) -> list[str]:
    """`corrects` and `uses` entries that name no step or obligation of the derivation."""
    known = {ob.id for ob in derivation} | {ob.step for ob in derivation} | set(derivation.steps)
    named: Iterable[tuple[str, Sequence[str]]] = (
        (ob.id, ([ob.corrects] if ob.corrects else []) + list(ob.uses)) for ob in derivation
    )
    return [f"{ob_id}: {name}" for ob_id, names in named for name in names if name not in known]
