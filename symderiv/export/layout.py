"""Lay out a long relation `lhs = rhs` as display lines, broken at top-level terms.

Encoded claims are large unsimplified expressions; a line breaker in TeX (breqn)
cannot break inside the parentheses and fractions SymPy prints, so the breaks are
chosen here: terms are packed into lines of about `width` characters of visible
math, each side starts a line, and a side past `max_chars` of LaTeX keeps its
leading terms and says how many it leaves out.  The LaTeX printer scales a line
that is still too wide; the Markdown printer puts the lines in `aligned`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sympy as sp

from .notation import NotationLatexPrinter

#: How far a line is indented: the first line, a line opening with the relation, a continuation.
FIRST, RELATION, CONTINUATION = 0, 1, 2


@dataclass(frozen=True)
class Line:
    level: int
    math: str


def visible_length(latex: str) -> int:
    """A rough count of the characters a reader sees (commands count as one)."""
    text = re.sub(r"\\(left|right|mathopen|mathclose)\b|\{\}", "", latex)
    text = re.sub(r"\\[A-Za-z]+", "x", text)
    return len(re.sub(r"[{}^_\s]", "", text))


def relation_lines(lhs, relation: str, rhs, width: int = 80, max_chars: int = 2400) -> list[Line]:
    """`lhs relation rhs` as lines; `relation` is LaTeX such as `=` or `\\le`."""
    left = _side_lines(lhs, width, max_chars)
    right = _side_lines(rhs, width, max_chars)
    if len(left) == len(right) == 1:
        whole = f"{left[0].math} {relation} {right[0].math}"
        if visible_length(whole) <= width:
            return [Line(FIRST, whole)]
    return left + [Line(RELATION, f"{relation} {right[0].math}")] + right[1:]


def expression_lines(expr, width: int = 80, max_chars: int = 2400) -> list[Line]:
    return _side_lines(expr, width, max_chars)


def _side_lines(expr, width: int, max_chars: int) -> list[Line]:
    printer = NotationLatexPrinter({"ln_notation": True})
    expr = sp.sympify(expr)
    terms = printer._as_ordered_terms(expr) if isinstance(expr, sp.Add) else [expr]
    pieces, used = [], 0
    for k, term in enumerate(terms):
        text = printer.doprint(term)
        if k and used + len(text) > max_chars:
            hidden = len(terms) - k
            pieces.append(rf"+ \cdots \quad \text{{({hidden} of {len(terms)} terms not shown)}}")
            break
        used += len(text)
        term_pieces = _term_pieces(term, printer, width)
        if k and not term_pieces[0].startswith("-"):
            term_pieces[0] = "+ " + term_pieces[0]
        pieces += term_pieces
    lines: list[list[str]] = [[]]
    for piece in pieces:
        if lines[-1] and visible_length(" ".join(lines[-1] + [piece])) > width:
            lines.append([])
        lines[-1].append(piece)
    return [Line(FIRST if k == 0 else CONTINUATION, " ".join(parts)) for k, parts in enumerate(lines)]


def _term_pieces(term, printer, width: int) -> list[str]:
    """One term as pieces that join into it: a long product `c·(a + b + ...)` opens its
    sum, and a long max(...) or min(...) its arguments, so that lines can break between them."""
    text = printer.doprint(term)
    if visible_length(text) <= width:
        return [text]
    if isinstance(term, (sp.Max, sp.Min)):
        pieces = [rf"\{type(term).__name__.lower()}\Bigl("]
        for k, arg in enumerate(term.args):
            sub = _term_pieces(arg, printer, width)
            if k < len(term.args) - 1:
                sub[-1] += ","
            pieces += sub
        return pieces + [r"\Bigr)"]
    if not isinstance(term, sp.Mul):
        return [text]
    sums = [f for f in term.args if isinstance(f, sp.Add)]
    if len(sums) != 1:
        return [text]
    inner = sums[0]
    rest = sp.Mul(*[f for f in term.args if f is not inner])
    prefix = {sp.S.One: "", sp.S.NegativeOne: "-"}.get(rest)
    if prefix is None:
        prefix = printer.doprint(rest)
    summands = printer._as_ordered_terms(inner)
    pieces = [prefix + r" \Bigl("]
    for k, summand in enumerate(summands):
        sub = _term_pieces(summand, printer, width)
        if k and not sub[0].startswith("-"):
            sub[0] = "+ " + sub[0]
        pieces += sub
    pieces.append(r"\Bigr)")
    return pieces


def source_math(latex: str) -> str:
    """The source's LaTeX as one line of math: rows (\\\\) or alignment tabs (&) outside any
    environment, as in a fragment of an align, go into `aligned`."""
    if r"\begin{" not in latex and ("\\\\" in latex or re.search(r"(?<!\\)&", latex)):
        return r"\begin{aligned}" + latex + r"\end{aligned}"
    return latex
