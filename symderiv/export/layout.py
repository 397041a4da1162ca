"""Lay out long math as display lines, breaking where a reader can follow, never dropping a term.

Encoded claims are large unsimplified expressions, and a line breaker in TeX (breqn)
cannot break inside the parentheses and fractions SymPy prints, so the breaks are chosen
here: a long sum is opened into its terms, a long product into its factors, a long
fraction into numerator `/` denominator, a long function's argument into its terms, each
group held by `\\Bigl( ... \\Bigr)` (delimiters that, unlike `\\left ... \\right`, may
stand on different lines).  The pieces are packed into lines of about `width` characters
of visible math.  A source's own LaTeX is broken at its top-level relations and signs.
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
    text = re.sub(r"\\(left|right|mathopen|mathclose|Bigl|Bigr|Big)\b|\{\}", "", latex)
    text = re.sub(r"\\[A-Za-z]+", "x", text)
    return len(re.sub(r"[{}^_\s]", "", text))


class _MemoPrinter(NotationLatexPrinter):
    """The notation printer, printing each sub-expression once: the breaker asks for the text of
    every node of a large tree, and each node's text holds its children's."""

    def __init__(self, settings: dict | None = None) -> None:
        super().__init__(settings)
        self._memo: dict = {}

    def _print(self, expr: object, **kwargs: object) -> str:
        if kwargs or not isinstance(expr, sp.Basic):
            return super()._print(expr, **kwargs)
        if expr not in self._memo:
            self._memo[expr] = super()._print(expr)
        return self._memo[expr]


def relation_lines(lhs: sp.Expr, relation: str, rhs: sp.Expr | int, width: int = 80) -> list[Line]:
    """`lhs relation rhs` as lines; `relation` is LaTeX such as `=` or `\\le`."""
    printer = _MemoPrinter({"ln_notation": True})
    left = _pack(pieces(sp.sympify(lhs), printer, width), width)
    right = _pack(pieces(sp.sympify(rhs), printer, width), width)
    if len(left) == len(right) == 1:
        whole = f"{left[0]} {relation} {right[0]}"
        if visible_length(whole) <= width:
            return [Line(FIRST, whole)]
    lines = [Line(FIRST if k == 0 else CONTINUATION, text) for k, text in enumerate(left)]
    lines.append(Line(RELATION, f"{relation} {right[0]}"))
    return lines + [Line(CONTINUATION, text) for text in right[1:]]


def _pack(parts: list[str], width: int) -> list[str]:
    lines: list[list[str]] = [[]]
    for part in parts:
        if lines[-1] and visible_length(" ".join(lines[-1] + [part])) > width:
            lines.append([])
        lines[-1].append(part)
    return [" ".join(parts) for parts in lines]


def pieces(expr: sp.Expr, printer: NotationLatexPrinter, width: int) -> list[str]:
    """`expr` as pieces that join (with spaces) into it, each a place a line may break."""
    text = printer.doprint(expr)
    if visible_length(text) <= width:
        return [text]
    if isinstance(expr, sp.Add):
        out: list[str] = []
        for k, term in enumerate(printer._as_ordered_terms(expr)):
            sub = pieces(term, printer, width)
            if k and not sub[0].startswith("-"):
                sub[0] = "+ " + sub[0]
            out += sub
        return out
    if isinstance(expr, sp.Mul):
        return _product(expr, printer, width)
    if isinstance(expr, sp.Pow) and expr.exp.is_negative:
        return ["1 \\Big/"] + _grouped(expr.base ** (-expr.exp), printer, width)
    if isinstance(expr, sp.Pow):
        return _grouped(expr.base, printer, width, bracketed=True)[:-1] + [
            r"\Bigr)^{" + printer.doprint(expr.exp) + "}"
        ]
    if isinstance(expr, sp.Derivative) and len(expr.variables) == 1:
        return [r"\nabla_{" + printer.doprint(expr.variables[0]) + "}"] + _grouped(expr.expr, printer, width, True)
    if isinstance(expr, (sp.Max, sp.Min)):
        out = [rf"\{type(expr).__name__.lower()}\Bigl("]
        for k, arg in enumerate(expr.args):
            sub = pieces(arg, printer, width)
            if k < len(expr.args) - 1:
                sub[-1] += ","
            out += sub
        return out + [r"\Bigr)"]
    if isinstance(expr, sp.Function) and len(expr.args) == 1:
        name = {sp.log: r"\ln", sp.exp: r"\exp"}.get(expr.func, r"\operatorname{" + expr.func.__name__ + "}")
        return [name] + _grouped(expr.args[0], printer, width, bracketed=True)
    return [text]


def _grouped(expr: sp.Expr, printer: NotationLatexPrinter, width: int, bracketed: bool = False) -> list[str]:
    """`expr` as a factor: a sum (or anything, with `bracketed`) in \\Bigl( ... \\Bigr)."""
    sub = pieces(expr, printer, width)
    if not (bracketed or isinstance(expr, sp.Add)):
        return sub
    return [r"\Bigl(" + sub[0]] + sub[1:-1] + [sub[-1] + r"\Bigr)"] if len(sub) > 1 else [rf"\Bigl({sub[0]}\Bigr)"]


def _product(expr: sp.Mul, printer: NotationLatexPrinter, width: int) -> list[str]:
    """A long product as its factors, and a long fraction as numerator / denominator."""
    sign = ""
    coefficient, rest = expr.as_coeff_Mul()
    if coefficient.is_negative:
        sign, expr = "-", (-coefficient) * rest
    numerator, denominator = sp.fraction(expr, exact=True)
    if denominator != 1:
        top = _factors(numerator, printer, width)
        bottom = _factors(denominator, printer, width)
        top[0] = sign + " " + top[0] if sign else top[0]
        if len(bottom) == 1 and not bottom[0].startswith(r"\Bigl("):
            return top + [r"\Big/ " + bottom[0]]
        return top + [r"\Big/ \Bigl("] + bottom + [r"\Bigr)"]
    out = _factors(expr, printer, width)
    if sign:
        out[0] = "- " + out[0]
    return out


def _factors(expr: sp.Expr, printer: NotationLatexPrinter, width: int) -> list[str]:
    if not isinstance(expr, sp.Mul):
        return _grouped(expr, printer, width)
    out: list[str] = []
    for factor in expr.as_ordered_factors():
        out += _grouped(factor, printer, width)
    return out


def source_lines(latex: str, width: int = 80) -> list[Line]:
    """The source's LaTeX as display lines: a claim on several rows (\\\\) or with alignment tabs
    (&) goes into `aligned` as it is; one long line is broken before its top-level relations and
    signs, where no brace, \\left ... \\right pair or environment is open."""
    if r"\begin{" in latex or "\\\\" in latex or re.search(r"(?<!\\)&", latex):
        return [Line(FIRST, source_math(latex))]
    if visible_length(latex) <= width:
        return [Line(FIRST, latex.strip())]
    lines: list[str] = []
    for part in (p.strip() for p in _top_level_split(latex)):
        if part and (not lines or _is_relation(part)):
            lines.append(part)  # each relation opens a line
        elif part:
            lines[-1:] = _pack([lines[-1], part], width)
    return [Line(FIRST if k == 0 else (RELATION if _is_relation(t) else CONTINUATION), t) for k, t in enumerate(lines)]


def _is_relation(text: str) -> bool:
    return bool(re.match(r"(=|\\le\b|\\ge\b|\\leq\b|\\geq\b)", text))


def _top_level_split(latex: str) -> list[str]:
    """`latex` cut before each relation and sign outside braces, parentheses and \\left ... \\right."""
    out, depth, left, start, parens = [], 0, 0, 0, 0
    k = 0
    while k < len(latex):
        c = latex[k]
        parens += (c in "([") - (c in ")]")
        if c == "\\":
            m = re.match(r"\\(left|right)(?![A-Za-z])", latex[k:])
            if m:
                left += 1 if m[1] == "left" else -1
            k += len(m[0]) if m else 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif depth == 0 and left == 0 and parens == 0 and k > start and _starts_break(latex, k):
            out.append(latex[start:k])
            start = k
        k += 1
    out.append(latex[start:])
    return out


def _starts_break(latex: str, k: int) -> bool:
    """A relation `=`, or a binary `+`/`-` (after an operand, before one), at position k."""
    c = latex[k]
    before = latex[:k].rstrip()
    if c == "=" and before and before[-1] not in "<>!:\\":
        return True
    if c in "+-" and before and before[-1] not in "=([{,&^_" and not before.endswith((r"\left", r"\sim")):
        return latex[k + 1 : k + 2] == " " or latex[k - 1 : k] == " "
    return False


def source_math(latex: str) -> str:
    """The source's LaTeX as one line of math: rows (\\\\) or alignment tabs (&) outside any
    environment, as in a fragment of an align, go into `aligned`."""
    if r"\begin{" not in latex and ("\\\\" in latex or re.search(r"(?<!\\)&", latex)):
        return r"\begin{aligned}" + latex + r"\end{aligned}"
    return latex
