"""The kinds of statement an obligation can make about a symbolic model.

* `Equal`: two expressions (or two matrices, element-wise) agree on the domain.
* `NonNegative`: a sign fact, proved from the symbols' assumptions.
* `Inequality`: lhs <= rhs, proved by a certificate: a rule of `rules`, whose implication the
  checker verifies, or a list of claims joined by a person's argument (`because`), only argued.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

import sympy as sp

from .definitions import unfold
from .domain import Domain, Domains
from .expressions import atoms_of


def _refuse_floats(where: str, x: sp.Basic | sp.MatrixBase) -> None:
    """Claims are exact: a Float rounds, and a rounded term can absorb another (x + 1e20 + 1 is
    x + 1e20 in floats), which both engines would then agree on.  A Python float (x + 0.5)
    becomes a Float when SymPy reads it, so it is refused too."""
    floats = atoms_of(_elements(x), sp.Float)
    if floats:
        f = min(floats, key=str)
        raise ValueError(
            f"{where} contains the float {f}: a float rounds, and a rounded term can absorb another; "
            f"write an exact number instead (sp.Rational(1, 3), sp.S('1/3'), or sp.nsimplify({float(f)!r}), "
            f"which is {sp.nsimplify(f)})"
        )


if TYPE_CHECKING:
    from .rules import Rule


def _as_domains(domain: object) -> Domains:
    if isinstance(domain, Domains):
        return domain
    if isinstance(domain, Domain):
        return Domains([domain])
    return Domains(list(cast(Sequence[Domain], domain)))


def _elements(x: sp.Basic | sp.MatrixBase) -> list[sp.Expr]:
    if isinstance(x, sp.MatrixBase):
        return list(x)
    return [sp.sympify(x)]


def _side(x: object) -> sp.Basic | sp.MatrixBase:
    """A side of a claim as SymPy holds it: a mutable matrix, or a sympified expression."""
    return sp.Matrix(x) if isinstance(x, sp.MatrixBase) else sp.sympify(x)


def _scalar(x: sp.Basic | sp.MatrixBase) -> sp.Basic | sp.MatrixBase:
    """A 1×1 matrix as its entry: products such as `v.T * w` are 1×1 matrices of what a
    derivation writes as a scalar."""
    return x[0, 0] if isinstance(x, sp.MatrixBase) and x.shape == (1, 1) else x


def _indices(x: sp.Basic | sp.MatrixBase) -> list[tuple[int, ...]]:
    if isinstance(x, sp.MatrixBase):
        return [(i, j) for i in range(x.rows) for j in range(x.cols)]
    return [()]


#: What a claim accepts as its domain: Domains, one Domain, or a list of them.
DomainLike = Domains | Domain | Sequence[Domain]


@dataclass(init=False)
class Equal:
    """lhs = rhs on the whole domain; matrices are compared entry by entry.

    `reference`, if given, is a plain NumPy function of one sampled instance
    (a dict from symbol to float) that computes lhs independently; the numeric
    engine checks the encoding against it.

    Named quantities (`symderiv.definitions`) in either side are unfolded for checking;
    `shown` keeps the sides as written, for reports."""

    lhs: sp.Expr | sp.MatrixBase
    rhs: sp.Expr | sp.MatrixBase
    domain: Domains
    reference: Callable[[dict], object] | None = None
    shown: tuple[sp.Expr | sp.MatrixBase, sp.Expr | sp.MatrixBase] = field(init=False, repr=False, compare=False)

    def __init__(
        self,
        lhs: object,
        rhs: object,
        domain: DomainLike,
        reference: Callable[[dict], object] | None = None,
    ) -> None:
        self.domain, self.reference = _as_domains(domain), reference
        self.lhs, self.rhs = _side(lhs), _side(rhs)
        if isinstance(self.lhs, sp.MatrixBase) != isinstance(self.rhs, sp.MatrixBase):
            self.lhs, self.rhs = _scalar(self.lhs), _scalar(self.rhs)
        self.shown = (self.lhs, self.rhs)
        self.lhs, self.rhs = unfold(self.lhs), unfold(self.rhs)
        _refuse_floats("the left side", self.lhs)
        _refuse_floats("the right side", self.rhs)
        lshape = getattr(self.lhs, "shape", ())
        rshape = getattr(self.rhs, "shape", ())
        if lshape != rshape:
            raise ValueError(
                f"the two sides have different shapes: {lshape} and {rshape} (a 1×1 matrix may stand for a scalar; "
                "other shapes must match)"
            )

    def pairs(self) -> list[tuple[tuple, sp.Expr, sp.Expr]]:
        return list(zip(_indices(self.lhs), _elements(self.lhs), _elements(self.rhs)))

    def differences(self) -> list[sp.Expr]:
        return [l - r for _, l, r in self.pairs()]

    def free_symbols(self) -> set:
        out = set()
        for _, l, r in self.pairs():
            out |= l.free_symbols | r.free_symbols
        return out


@dataclass(init=False)
class NonNegative:
    """expr >= 0 on the domain.

    Proved from the symbols' assumptions alone, or, with `convex_in=(x, x0)`, by
    convexity: for a scalar expr of one variable x ranging over an interval that
    contains x0, expr(x0) = 0, expr'(x0) = 0 and expr'' >= 0 imply expr >= 0.  The rule
    needs expr twice continuously differentiable on the interval (`smoothness`); when
    that is not known, the rule is not applied and the verdict says why."""

    expr: sp.Expr | sp.MatrixBase
    domain: Domains
    convex_in: tuple[sp.Symbol, sp.Expr] | None = None
    shown: sp.Expr | sp.MatrixBase = field(init=False, repr=False, compare=False)

    def __init__(self, expr: object, domain: DomainLike, convex_in: tuple[sp.Symbol, object] | None = None) -> None:
        self.domain = _as_domains(domain)
        self.shown = _side(expr)
        self.expr = unfold(self.shown)
        self.convex_in = None if convex_in is None else (convex_in[0], sp.sympify(convex_in[1]))
        _refuse_floats("the expression", self.expr)
        if self.convex_in is not None:
            x, x0 = self.convex_in
            _refuse_floats("the convex_in point", x0)
            if isinstance(self.expr, sp.MatrixBase) or self.expr.free_symbols != {x}:
                raise ValueError(f"convex_in needs a scalar expression of {x} alone, got {self.expr}")
            # The argument runs from x0 to every x of the interval: x0 must lie in it.
            interval = self.domain.domain_of(x)
            if interval is None or interval.joint or interval.interval() is None:
                raise ValueError(f"convex_in needs {x} declared in an interval (Real, Positive or OpenInterval)")
            if not (x0.is_real and x0.is_number and interval.contains({x: float(x0)})):
                raise ValueError(
                    f"convex_in point {x} = {x0} is outside the domain of {x} ({interval.describe()}); "
                    f"expand around a point of the domain"
                )

    def convexity_certificate(self) -> tuple[list[sp.Expr], sp.Expr]:
        """(expressions that must vanish, expression that must be non-negative)."""
        assert self.convex_in is not None, "a convexity certificate needs convex_in"
        x, x0 = self.convex_in
        first = sp.diff(self.expr, x)
        return [self.expr.subs(x, x0), first.subs(x, x0)], sp.diff(first, x)

    def elements(self) -> list[sp.Expr]:
        return _elements(self.expr)

    def free_symbols(self) -> set:
        return set().union(*(e.free_symbols for e in self.elements()))


@dataclass(init=False)
class Inequality:
    """lhs <= rhs, with the certificate that proves it.

    A `Rule` (see `rules`: a chain, a sum of non-negative terms, a named theorem) builds the
    premises its theorem needs from its ingredients and the claim, and refuses a claim that is not
    its conclusion: the implication is machine-checked, and the claim can be proved.  A plain list of
    claims is checked part by part, but the step from them to the claim is the prose of `because`,
    read by a person: at best `argued`.  The inequality itself is always checked numerically too."""

    lhs: sp.Expr
    rhs: sp.Expr
    domain: Domains
    certificate: Rule | Sequence[Equal | NonNegative | Inequality] = field(default_factory=list)
    because: str = ""
    shown: tuple[sp.Expr, sp.Expr] = field(init=False, repr=False, compare=False)

    def __init__(
        self,
        lhs: object,
        rhs: object,
        domain: DomainLike,
        certificate: Rule | Sequence[Equal | NonNegative | Inequality] = (),
        because: str = "",
    ) -> None:
        self.domain, self.certificate, self.because = _as_domains(domain), certificate, because
        self.lhs, self.rhs = _scalar(_side(lhs)), _scalar(_side(rhs))
        for name, side in (("left", self.lhs), ("right", self.rhs)):
            if isinstance(side, sp.MatrixBase):
                raise ValueError(
                    f"an Inequality compares scalars, and its {name} side is a {side.rows}×{side.cols} matrix; "
                    "state one Inequality per entry, or NonNegative(rhs - lhs) for every entry at once"
                )
        self.shown = (self.lhs, self.rhs)
        self.lhs, self.rhs = unfold(self.lhs), unfold(self.rhs)
        _refuse_floats("the left side", self.lhs)
        _refuse_floats("the right side", self.rhs)
        if isinstance(self.certificate, (list, tuple)):
            self.certificate = list(self.certificate)
            if self.certificate and not self.because:
                raise ValueError("an Inequality with a list certificate must say `because`: how it implies the claim")

    def free_symbols(self) -> set:
        return self.lhs.free_symbols | self.rhs.free_symbols


Claim = Equal | NonNegative | Inequality
