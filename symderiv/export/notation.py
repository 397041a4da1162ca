"""Readable LaTeX for the symbols of a model: `pitilde_0_1` prints as \\tilde\\pi(1|0).

Model symbols are named `<base>_<index>_<index>...`.  A base in the notation of the
vocabularies being printed (see `symderiv.vocabulary`; `using` makes them current)
prints the way the source writes the quantity, with the indices in their places; any
other indexed name prints as its base with the indices as a subscript.  Names are
matched as strings so that a counterexample's values (keyed by name) print the same
way as the expressions.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
import string
from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType

import sympy as sp
from pylatexenc.latex2text import LatexNodes2Text
from sympy.core.function import AppliedUndef
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE

from ..definitions import definition_of
from ..vocabulary import Vocabulary, merged_notation

#: The notation of the vocabularies being printed: base name -> template.  A context
#: variable, so that every printer of one export (and nothing outside it) uses it.
_NOTATION: contextvars.ContextVar[Mapping[str, str]] = contextvars.ContextVar("notation", default=MappingProxyType({}))


@contextlib.contextmanager
def using(vocabularies: Iterable[Vocabulary]) -> Iterator[None]:
    """Print the symbols of `vocabularies` in their notation inside the block."""
    token = _NOTATION.set(merged_notation(vocabularies))
    try:
        yield
    finally:
        _NOTATION.reset(token)


#: Exponents longer than this (in characters of LaTeX, a command counting as one) print as exp(...).
MAX_EXPONENT_CHARS = 24

#: An index is a number, or `·` for every index (a group of equal values, see symderiv/values.py).
_INDEXED = re.compile(r"(?P<base>[A-Za-z][A-Za-z0-9]*?)(?P<indices>(?:_(?:\d+|·))+)")
_TEXT = LatexNodes2Text()


def _fields(template: str) -> int:
    return len({field for _, field, _, _ in string.Formatter().parse(template) if field is not None})


def symbol_latex(name: str) -> str:
    """LaTeX for one symbol name, braced so that a power or subscript applies to all of it."""
    m = _INDEXED.fullmatch(name)
    if m is None:
        return LatexPrinter()._deal_with_super_sub(name)
    base, indices = m["base"], [r"\cdot" if k == "·" else k for k in m["indices"].lstrip("_").split("_")]
    template = _NOTATION.get().get(base)
    if template is not None and _fields(template) == len(indices):
        return "{" + template.format(*indices) + "}"
    return "{{" + LatexPrinter()._deal_with_super_sub(base) + "}_{" + ",".join(indices) + "}}"


def symbol_text(name: str) -> str:
    """One symbol name in Unicode, for the terminal: `P_0_1_2` as p(2|0,1), `alpha` as α."""
    return latex_as_text(symbol_latex(name))


def latex_as_text(latex: str) -> str:
    return " ".join(_TEXT.latex_to_text(latex).split())


def function_latex(name: str, parameter: sp.Symbol) -> str:
    """An unknown function `name` of `parameter`, in the notation: q_0_1 of θ as Q(0,1;θ)."""
    return math_latex(sp.Function(name)(parameter))


class NotationLatexPrinter(LatexPrinter):
    """SymPy's LaTeX printer, with model symbols in the source's notation."""

    def _print_Symbol(self, expr: sp.Symbol, style="plain"):
        name = self._settings["symbol_names"].get(expr)
        return name if name is not None else symbol_latex(expr.name)

    def _print_Function(self, expr: sp.Expr, exp: str | None = None) -> str:
        """A named quantity as its source writes it (V_Q(0)), unless a substitution changed
        what it stands for; any other function as SymPy prints it."""
        definition = definition_of(expr)
        if definition is None:
            return self._print_unknown_function(expr, exp)
        if not expr.is_faithful():
            return self._print(expr.expansion) if exp is None else self._print(expr.expansion**exp)
        args = [self._print(a) for a in expr.arguments]
        text = "{" + re.sub(r"\{(\d+)\}", lambda m: args[int(m[1])], definition.latex) + "}"
        return text if exp is None else f"{text}^{{{exp}}}"

    def _print_unknown_function(self, expr: sp.Expr, exp: str | None = None) -> str:
        """An unknown function in the source's notation: q_0_1(θ) prints as Q(0,1;θ) when the
        notation has a template for `q` whose last field is the argument."""
        m = _INDEXED.fullmatch(expr.func.__name__)
        template = _NOTATION.get().get(m["base"]) if m is not None else None
        if m is not None and isinstance(expr, AppliedUndef) and template is not None and len(expr.args) == 1:
            indices = [r"\cdot" if k == "·" else k for k in m["indices"].lstrip("_").split("_")]
            if _fields(template) == len(indices) + 1:
                return self._do_exponent("{" + template.format(*indices, self._print(expr.args[0])) + "}", exp)
        return super()._print_Function(expr, exp)

    def _print_Derivative(self, expr: sp.Derivative) -> str:
        """d/dθ f as ∇_θ f: the source writes gradients."""
        if len(expr.variables) == 1:
            return r"\nabla_{" + self._print(expr.variables[0]) + "} " + self.parenthesize(expr.expr, PRECEDENCE["Mul"])
        return super()._print_Derivative(expr)

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
