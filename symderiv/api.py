"""One claim at a time, for notebooks and scripts: `symderiv.check(claim)`.

A proof module registers its claims in a `Derivation`; a person trying one identity in a
notebook has a claim, or a SymPy relation and a domain, and wants its verdict now.
`check` takes any of them and checks it as a one-step derivation would.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

import sympy as sp
from sympy.logic.boolalg import BooleanAtom

from . import checker
from .cache import VerdictCache
from .claims import Claim, Equal, Inequality, NonNegative
from .domain import Domain, Domains
from .location import caller
from .obligation import Obligation
from .verdict import Verdict

#: What a one-shot claim's domain may be given as, as in `Equal(lhs, rhs, domain)`.
DomainSpec: TypeAlias = Domains | Domain | Sequence[Domain]

#: The relations `check` reads as claims: lhs = rhs, lhs <= rhs, lhs >= rhs.
Relation: TypeAlias = sp.Equality | sp.LessThan | sp.GreaterThan

#: The id of a one-shot claim's obligation; its instances are seeded from it, so a claim
#: checked twice with the same settings gets the same verdict.
ONE_SHOT_ID = "claim"


def check(
    subject: Obligation | Claim | Relation,
    settings_or_domain: checker.Settings | DomainSpec | None = None,
    /,
    cache: VerdictCache | None = None,
    on_phase: checker.PhaseHook | None = None,
    *,
    settings: checker.Settings | None = None,
    domain: DomainSpec | None = None,
) -> Verdict:
    """The verdict of an obligation, a claim (`Equal`, `NonNegative`, `Inequality`), or a SymPy
    relation (`sp.Eq(lhs, rhs)`, `lhs <= rhs`, `lhs >= rhs`) on a domain.

    The second argument is the settings, or, for a relation, which carries no domain of its own,
    the domain: `check(claim)`, `check(claim, Settings(samples=300))`, `check(sp.Eq(a, b), Real(x))`."""
    if isinstance(cache, checker.Settings):
        raise TypeError("check()'s third argument is a cache: give settings after a domain by name, settings=...")
    if isinstance(settings_or_domain, checker.Settings):
        if settings is not None:
            raise TypeError("check() got the settings twice, as its second argument and as settings=")
        settings = settings_or_domain
    elif settings_or_domain is not None:
        if domain is not None:
            raise TypeError("check() got a domain twice, as its second argument and as domain=")
        domain = settings_or_domain
    settings = settings or checker.Settings()
    if isinstance(subject, Obligation):
        _refuse_domain(domain, "an Obligation builds its claims with their domains")
        return checker.check(subject, settings, cache, on_phase)
    claim = claim_of(subject, domain)
    built = Obligation(
        id=ONE_SHOT_ID,
        step=ONE_SHOT_ID,
        name="",
        latex="",
        build=lambda: claim,
        sizes=None,
        model=None,
        defined_at=caller(),
    )
    return checker.check(built, settings, cache, on_phase)


def claim_of(subject: Claim | Relation, domain: DomainSpec | None = None) -> Claim:
    """The claim a subject states: a claim itself, or a relation on `domain` as an `Equal` or an
    (uncertified, so at best numeric) `Inequality`."""
    if isinstance(subject, (Equal, NonNegative, Inequality)):
        _refuse_domain(domain, f"an {type(subject).__name__} carries its own domain")
        return subject
    if isinstance(subject, (bool, BooleanAtom)):
        raise ValueError(
            f"the relation is already {subject}: SymPy decided it on sight (e.g. the two sides are one "
            "expression once written out, or matrices of different shapes), so there is nothing left to check; "
            "write sp.Eq(lhs, rhs, evaluate=False), or Equal(lhs, rhs, domain)"
        )
    if isinstance(subject, (sp.StrictLessThan, sp.StrictGreaterThan)):
        raise TypeError("symderiv checks lhs <= rhs, not a strict inequality: write it with <= or >=")
    if not isinstance(subject, (sp.Equality, sp.LessThan, sp.GreaterThan)):
        raise TypeError(
            f"check() takes an Obligation, an Equal, NonNegative or Inequality, or sp.Eq(lhs, rhs), lhs <= rhs or "
            f"lhs >= rhs with a domain; got {type(subject).__name__}"
        )
    if domain is None:
        raise TypeError(
            "a SymPy relation has no domain: pass one, e.g. check(sp.Eq(lhs, rhs), Real(x)) or "
            "check(lhs <= rhs, [Real(x), Positive(y)])"
        )
    if isinstance(subject, sp.Equality):
        return Equal(subject.lhs, subject.rhs, domain)
    if isinstance(subject, sp.LessThan):
        return Inequality(subject.lhs, subject.rhs, domain)
    return Inequality(subject.rhs, subject.lhs, domain)


def _refuse_domain(domain: DomainSpec | None, why: str) -> None:
    if domain is not None:
        raise TypeError(f"check() takes a domain only with a SymPy relation: {why}")
