"""Printing a claim as Python code, for NumPy and for ball arithmetic, in time linear in its size.

SymPy's code printers decide every parenthesis by comparing precedences, and to find a product's
precedence they ask whether it can extract a minus sign, which walks it: at three states, most of
the time of compiling a claim.  Sums and products are printed here from the kind of each operand
alone (a sum inside a product, or a power's base that is itself a power, in parentheses), in the
same order and with the same divisions as SymPy prints them, so that the code computes the same
floats.
"""

from __future__ import annotations

import copy
import itertools
import keyword
import linecache
from collections.abc import Callable, Mapping, Sequence

import sympy as sp
from sympy.printing.codeprinter import CodePrinter

from .expressions import argument_names, atoms_of

#: Functions both printers print as a call, f(...): one operand as they stand.
_CALLS = (sp.exp, sp.log, sp.sin, sp.cos, sp.tan, sp.sinh, sp.cosh, sp.tanh, sp.atan, sp.Abs)


class NoCode(ValueError):
    """A part of an expression that a printer has no code for (a function its module lacks)."""

    def __init__(self, part: sp.Basic):
        super().__init__(f"no code for {part}")
        self.part = part


class LinearArithmetic:
    """A mix-in for a SymPy code printer: sums, products and positive integer powers printed
    without precedence analysis, and symbols by the names `compiled` gives its arguments.
    Everything else is the printer's own; what it cannot print raises `NoCode`."""

    def _print_not_supported(self, expr: sp.Basic) -> str:
        # SymPy's prints the part as text, or raises an error that names the printer's class only.
        raise NoCode(expr)

    def __init_subclass__(cls, **kwargs):
        # SymPy's printers refuse some kinds (an integral, Fresnel integrals) by naming its method
        # directly, which this one would not replace.
        super().__init_subclass__(**kwargs)
        for name in dir(cls):
            if name.startswith("_print_") and getattr(cls, name) is CodePrinter._print_not_supported:
                setattr(cls, name, LinearArithmetic._print_not_supported)

    #: Names printed for these symbols instead of their own (`compiled`'s arguments, where their own
    #: would not be distinct Python names).
    renamed: Mapping[sp.Basic, str] = {}

    def _print_Symbol(self, expr: sp.Symbol) -> str:
        name = self.renamed.get(expr)
        return name if name is not None else super()._print_Symbol(expr)  # type: ignore[misc]

    def _print_Dummy(self, expr: sp.Dummy) -> str:
        name = self.renamed.get(expr)
        return name if name is not None else super()._print_Dummy(expr)  # type: ignore[misc]

    #: Whether the code printed may hold an re(...) (`compiled` looks once, for all it prints).
    may_hold_re: bool = True

    def _handle_UnevaluatedExpr(self, expr):
        # SymPy rewrites re(x) of a real UnevaluatedExpr by a replace that walks the whole tree,
        # shared pieces once per occurrence: only where there is an re(...) to rewrite.
        if not self.may_hold_re or not atoms_of([expr], sp.re):
            return expr
        return super()._handle_UnevaluatedExpr(expr)  # type: ignore[misc]

    def _operand(self, e: sp.Expr, base: bool = False) -> str:
        """`e` printed so that it stays one operand of `*` or `/` (with `base`, of `**`): in
        parentheses where an operator of its own, or a leading sign, would take it apart."""
        kind = type(e)
        # The commonest nodes go straight to their methods (SymPy's dispatcher looks each class up
        # through its MRO): fewer frames per level of nesting, so deep claims compile as before.
        if kind is sp.Symbol:
            return self._print_Symbol(e)
        if kind is sp.Add:
            return f"({self._print_Add(e)})"
        if kind is sp.Mul:
            return f"({self._print_Mul(e)})"
        if kind is sp.Pow:
            printed = self._print_Pow(e)
            return f"({printed})" if base else printed  # x**2**3 is x**(2**3)
        printed = self._print(e)  # type: ignore[attr-defined]
        return printed if isinstance(e, _CALLS) or (e.is_Integer and e.p >= 0) or e.is_Symbol else f"({printed})"

    def _term(self, e: sp.Expr) -> str:
        """`e` printed as one term of a sum: only a sum of its own, or what no operator binds
        tighter than `+` (a Piecewise printed as `a if c else b`), is put in parentheses."""
        kind = type(e)
        if kind is sp.Symbol:
            return self._print_Symbol(e)
        if kind is sp.Mul:
            return self._print_Mul(e)
        if kind is sp.Pow:
            return self._print_Pow(e)
        if kind is sp.Add:
            return f"({self._print_Add(e)})"
        printed = self._print(e)  # type: ignore[attr-defined]
        return printed if isinstance(e, _CALLS) or e.is_Number or e.is_Symbol else f"({printed})"

    def _print_Add(self, expr: sp.Add, order=None) -> str:
        # As the printers' `order="none"`: the terms in the order SymPy stores them.  A term after the
        # first with a negative coefficient is subtracted, one operation fewer per instance: x + (−c)·y
        # is x − c·y exactly in real floats (negation is exact and rounding symmetric), and a ball of
        # it is as tight or tighter (multiplying by −1 rounded the radius up).
        printed = self._term(expr.args[0])
        for t in expr.args[1:]:  # a loop, not a generator: one frame less per level of nesting
            if t.is_Mul and t.args[0].is_Rational and t.args[0].is_negative:
                coefficient, *rest = t.args
                printed += " - " + self._product(rest if coefficient == -1 else [-coefficient, *rest])
            else:
                printed += " + " + self._term(t)
        return printed

    def _print_Mul(self, expr: sp.Mul) -> str:
        return self._product(expr.args)

    def _product(self, factors: Sequence[sp.Expr]) -> str:
        """The product of `factors`, with SymPy's own division: a factor with a negative rational
        exponent goes to the denominator."""
        numerator, denominator = [], []
        for factor in factors:
            if factor.is_Pow and factor.exp.is_Rational and factor.exp.is_negative and factor.is_commutative:
                inverse = factor.base if factor.exp == -1 else sp.Pow(factor.base, -factor.exp, evaluate=False)
                denominator.append(self._operand(inverse))
            else:
                numerator.append(self._operand(factor))
        top = "*".join(numerator) or "1"
        if not denominator:
            return top
        if len(denominator) == 1:
            return f"{top}/{denominator[0]}"
        return f"{top}/(" + "*".join(denominator) + ")"

    def _print_Pow(self, expr: sp.Pow, rational: bool = False) -> str:
        if expr.exp.is_Integer and expr.exp.p > 1:
            return f"{self._operand(expr.base, base=True)}**{int(expr.exp)}"
        return super()._print_Pow(expr, rational=rational)  # type: ignore[misc]


#: Numbers the source of each compiled function (its file name in a traceback).
_compiled_count = itertools.count()


def compiled(printer, symbols: Sequence[sp.Symbol], shared: tuple, modules) -> Callable:
    """The function of `symbols` that returns the list of expressions `shared` (`cse` output:
    temporaries, then the expressions in them) computes, printed by `printer` and run with the names
    `lambdify` gives `modules`.

    `lambdify` writes the same code, and first sorts its arguments by SymPy's sort key and walks
    every expression for `Subs`: a third of its time on the hundreds of functions a run compiles.
    Where the arguments would not print as distinct Python names (two Dummies of one name), each is
    printed by a name of its own (`argument_names`), where `lambdify` substitutes a Dummy for each
    into every expression, and an earlier version of this function rebuilt them all once."""
    temporaries, results = shared
    printer = copy.copy(printer)
    printer.may_hold_re = bool(atoms_of([*results, *(e for _, e in temporaries)], sp.re))
    names = [printer.doprint(a) for a in symbols]
    if len(set(names)) < len(names) or any(isinstance(a, sp.Dummy) or not _is_name(n) for a, n in zip(symbols, names)):
        names = argument_names(len(symbols), shared)
        printer.renamed = dict(zip(symbols, names))
    body = [f"    {printer.doprint(v)} = {printer.doprint(e)}" for v, e in temporaries]
    returned = "[" + ", ".join(printer.doprint(e) for e in results) + "]"
    body.append(f"    return ({returned})" if "\n" in returned else f"    return {returned}")
    namespace = dict(_namespace(modules))
    for module, imported in (getattr(printer, "module_imports", None) or {}).items():
        for name in imported:
            if name not in namespace:
                exec(f"from {module} import {name}", {}, namespace)
    source = f"def _compiled({', '.join(names)}):\n" + "\n".join(body) + "\n"
    filename = f"<symderiv-compiled-{next(_compiled_count)}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)  # tracebacks show it
    defined: dict = {}
    exec(compile(source, filename, "exec"), namespace, defined)
    return defined["_compiled"]


#: The names `lambdify` gives code printed for a module's name, or for dicts of functions (by id).
_NAMESPACES: dict[object, dict] = {}


def _namespace(modules) -> dict:
    """The names code printed for `modules` runs with, found once from `lambdify` itself."""
    key = modules if isinstance(modules, str) else tuple(map(id, modules))
    if key not in _NAMESPACES:
        _NAMESPACES[key] = dict(sp.lambdify((), 0, modules=modules).__globals__)
    return _NAMESPACES[key]


def _is_name(printed: str) -> bool:
    """Whether `printed` can name an argument of a Python function."""
    return printed.isidentifier() and not keyword.iskeyword(printed)
