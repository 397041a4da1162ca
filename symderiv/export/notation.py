"""Readable LaTeX for the symbols of a model: `pitilde_0_1` prints as \\tilde\\pi(1|0).

Model symbols are named `<base>_<index>_<index>...` (see symderiv/mdp.py).  A base in
`NOTATION` prints the way the source writes the quantity, with the indices in their
places; any other indexed name prints as its base with the indices as a subscript.
Names are matched as strings so that a counterexample's values (keyed by name) print
the same way as the expressions.
"""

from __future__ import annotations

import re
import string

import sympy as sp
from sympy.printing.latex import LatexPrinter

#: base name -> template; {0}, {1}, ... are the indices of the symbol, in order.
NOTATION: dict[str, str] = {
    "pitilde": r"\tilde\pi({1}\vert {0})",  # π̃(a|s)
    "pi": r"\pi({1}\vert {0})",  # π(a|s)
    "P": r"p({2}\vert {0},{1})",  # p(s'|s,a)
    "p0": r"p_0({0})",  # p0(s)
    "Q": r"Q({0},{1})",
    "r": r"r({0},{1})",
}

#: Exponents longer than this (in characters of LaTeX, a command counting as one) print as exp(...).
MAX_EXPONENT_CHARS = 24

_INDEXED = re.compile(r"(?P<base>[A-Za-z][A-Za-z0-9]*?)(?P<indices>(?:_\d+)+)")


def _fields(template: str) -> int:
    return len({field for _, field, _, _ in string.Formatter().parse(template) if field is not None})


def symbol_latex(name: str) -> str:
    """LaTeX for one symbol name, braced so that a power or subscript applies to all of it."""
    m = _INDEXED.fullmatch(name)
    if m is None:
        return LatexPrinter()._deal_with_super_sub(name)
    base, indices = m["base"], m["indices"].lstrip("_").split("_")
    template = NOTATION.get(base)
    if template is not None and _fields(template) == len(indices):
        return "{" + template.format(*indices) + "}"
    return "{{" + LatexPrinter()._deal_with_super_sub(base) + "}_{" + ",".join(indices) + "}}"


class NotationLatexPrinter(LatexPrinter):
    """SymPy's LaTeX printer, with model symbols in the source's notation."""

    def _print_Symbol(self, expr: sp.Symbol, style="plain"):
        name = self._settings["symbol_names"].get(expr)
        return name if name is not None else symbol_latex(expr.name)

    def _print_ExpBase(self, expr, exp=None):
        """e^{x} for a short exponent; \\exp(...) for a long one, which would be unreadably small."""
        arg = self._print(expr.args[0])
        if len(re.sub(r"\\[A-Za-z]+|[{}^_ ]", "x", arg)) <= MAX_EXPONENT_CHARS:
            return self._do_exponent(f"e^{{{arg}}}", exp)
        return self._do_exponent(rf"\exp{{\left({arg} \right)}}", exp)


def math_latex(expr, **settings) -> str:
    """LaTeX for a SymPy expression (natural logs as \\ln, like the source)."""
    settings.setdefault("ln_notation", True)
    return NotationLatexPrinter(settings).doprint(expr)
