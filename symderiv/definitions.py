"""Named quantities: a derivation's V_Q(s) or π_Q(a|s), shown as the source writes them and
unfolded for checking.

A `Definition` gives a name and a LaTeX template to an expression of its arguments (usually
indices).  Applying it gives a `Named` expression that carries its own expansion as its first
argument, so that everything SymPy does to it (substitution, free symbols, assumptions,
differentiation) it does to the expansion: a named quantity is the expression it names, and
only a printer reads the name.  A claim unfolds every named quantity before the engines see
it, and keeps the folded form to show.  Each application's expansion is built once per
definition and arguments, and shared.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

import sympy as sp


class Named(sp.Function):
    """`definition` applied: args are (expansion, *arguments).  Sign and number facts are the
    expansion's, so SymPy acts only on what holds of the expression named."""

    definition: ClassVar[Definition]

    @classmethod
    def eval(cls, *args: sp.Basic) -> None:
        return None

    @property
    def expansion(self) -> sp.Expr:
        return self.args[0]

    @property
    def arguments(self) -> tuple[sp.Basic, ...]:
        return tuple(self.args[1:])

    def _eval_derivative(self, s: sp.Symbol) -> sp.Expr:
        return sp.diff(self.expansion, s)

    def _eval_evalf(self, prec: int) -> sp.Expr:
        return self.expansion._eval_evalf(prec)

    def is_faithful(self) -> bool:
        """Whether the expansion is still the one the name stands for (a substitution may have
        changed it; then the name would mislead a reader)."""
        return self.expansion == self.definition.expansion(self.arguments)


def _delegated(fact: str) -> Callable[[Named], bool | None]:
    def ask(self: Named) -> bool | None:
        return getattr(self.expansion, f"is_{fact}")

    return ask


for _fact in (
    "real", "extended_real", "complex", "finite", "infinite", "positive", "negative", "nonnegative",
    "nonpositive", "zero", "nonzero", "extended_positive", "extended_negative", "extended_nonnegative",
    "extended_nonpositive", "extended_nonzero", "integer", "rational", "irrational", "imaginary", "algebraic",
    "transcendental", "even", "odd", "prime", "composite", "commutative", "hermitian", "antihermitian",
    "polar",
):  # fmt: skip
    setattr(Named, f"_eval_is_{_fact}", _delegated(_fact))


@dataclass(frozen=True, eq=False)
class Definition:
    """`name` stands for `body(*args)`; it prints as `latex` with the arguments' LaTeX in its
    fields {0}, {1}, ... (other braces are TeX's).  Compared by identity: two definitions are
    two quantities."""

    name: str
    latex: str
    body: Callable[..., sp.Expr]
    _expansions: dict[tuple[sp.Basic, ...], sp.Expr] = field(default_factory=dict, repr=False)
    _class: type[Named] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_class", type(self.name, (Named,), {"definition": self}))

    def __call__(self, *args: object) -> sp.Expr:
        arguments = tuple(sp.sympify(a) for a in args)
        return self._class(self.expansion(arguments), *arguments)

    def expansion(self, arguments: tuple[sp.Basic, ...]) -> sp.Expr:
        """What the quantity is at `arguments` (named quantities inside it stay named)."""
        if arguments not in self._expansions:
            self._expansions[arguments] = sp.sympify(self.body(*arguments))
        return self._expansions[arguments]


def definition_of(expr: sp.Basic) -> Definition | None:
    """The definition `expr` applies, if it is a named quantity."""
    return expr.definition if isinstance(expr, Named) else None


def is_folded(expr: sp.Basic | sp.MatrixBase) -> bool:
    """Whether `expr` holds a named quantity."""
    items = list(expr) if isinstance(expr, sp.MatrixBase) else [sp.sympify(expr)]
    return any(e.atoms(Named) for e in items)


def unfold(expr: sp.Expr | sp.MatrixBase) -> sp.Expr | sp.MatrixBase:
    """`expr` with every named quantity replaced by its expansion, inner ones first.  Each distinct
    subexpression is visited once (a claim shares its quantities' expansions many times over), and
    a subtree without a named quantity is kept as it is."""
    if isinstance(expr, sp.MatrixBase):
        memo: dict[sp.Basic, sp.Basic] = {}
        return expr.applyfunc(lambda e: _unfolded(sp.sympify(e), memo))
    return _unfolded(sp.sympify(expr), {})


def _unfolded(expr: sp.Basic, memo: dict[sp.Basic, sp.Basic]) -> sp.Basic:
    found = memo.get(expr)
    if found is not None:
        return found
    if isinstance(expr, Named):
        out = _unfolded(expr.expansion, memo)
    elif not expr.args:
        out = expr
    else:
        args = [_unfolded(a, memo) for a in expr.args]
        out = expr if all(a is b for a, b in zip(args, expr.args)) else _rebuilt(expr, args)
    memo[expr] = out
    return out


def _rebuilt(expr: sp.Basic, args: list[sp.Basic]) -> sp.Basic:
    """`expr` with new arguments.  A Max or Min stays unevaluated: evaluated, it compares every pair of
    its arguments symbolically (N7's ‖TQ1 − TQ2‖∞ at 3x3: 3.8 s), for the same value."""
    if isinstance(expr, (sp.Max, sp.Min)):
        return expr.func(*args, evaluate=False)
    return expr.func(*args)
