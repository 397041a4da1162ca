"""Certificate forms whose implication the checker verifies: how an inequality follows from its parts.

An `Inequality` is proved only when the step from its certificate to the claim is machine-checked.
A rule is a theorem of the form "hypotheses ⇒ conclusion".  It is given ingredients (the user's
facts, links or bounds, and the expressions the theorem speaks of); from them and the claim it
builds every premise the theorem needs itself (an identity, the facts it uses, the claims it chains),
which the checker proves like any other claim, and it refuses a claim that is not the theorem's
conclusion.  So a certificate cannot be paired with a claim it does not imply.

What a rule decides by itself is decided exactly, without sampling: that the claim has the shape of
the conclusion; the sign of an expression from its symbols' assumptions, read through its structure
(`sign`); that a value lies in a fact's domain; that an operator is smooth.  Like the symbolic
engine's identities, signs hold wherever the expression is defined.

A certificate that is a plain list of claims, joined by the prose of `because`, has no rule: its
parts are proved, its implication is read by a person, and its verdict is `argued`.
"""

from __future__ import annotations

import dataclasses
import math
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import TypeAlias, cast

import sympy as sp

from .claims import Claim, Equal, Inequality, NonNegative
from .definitions import unfold
from .differentiation import derivative
from .domain import Domain, DomainError, Domains, Interval


class Refused(Exception):
    """The rule does not conclude the claim from these ingredients; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Premise:
    """A claim the implication needs, named by its role in the rule (`identity`, `link 2`, ...)."""

    label: str
    claim: Claim


class Rule:
    """A certificate whose implication is checked: `premises(claim)` builds the claims that, once
    proved, give `claim` by the rule's theorem (stated in the subclass's docstring), or raises
    Refused."""

    def premises(self, claim: Inequality) -> list[Premise]:
        raise NotImplementedError

    def given(self) -> list[Claim]:
        """The claims the user supplied: what exports show and mutation testing varies."""
        return []

    def with_given(self, index: int, claim: Claim) -> Rule:
        """The same rule with given claim `index` replaced."""
        raise IndexError(f"{type(self).__name__} has no given claim {index}")

    @classmethod
    def theorem(cls) -> str:
        """The first line of the docstring: the theorem the rule applies."""
        return (cls.__doc__ or cls.__name__).strip().splitlines()[0]


#: What an inequality is proved by: a rule, or the claims a person's argument joins.
Certificate: TypeAlias = "Rule | Sequence[Claim]"


# -- signs ----------------------------------------------------------------------------------------


class Sign(IntEnum):
    """What is known of a value's sign, each level implying those below it."""

    UNKNOWN = 0
    REAL = 1
    NONNEGATIVE = 2
    POSITIVE = 3


def sign(expr: sp.Basic | float, memo: dict | None = None) -> Sign:
    """The sign of `expr` wherever it is defined, from its symbols' assumptions, read through its
    structure: sums and products of non-negative terms, integer powers, exp of a real value, log
    of a positive one.  SymPy's own `is_positive` says nothing of 1/d for a real d that may vanish
    (a solved value over a determinant), nor then of exp of it; here 1/d is real where defined.
    Each distinct sub-expression is read once (`memo`)."""
    memo = {} if memo is None else memo
    expr = sp.sympify(expr)
    found = memo.get(expr)
    if found is None:
        found = memo[expr] = _sign(expr, memo)
    return found


def _sign(e: sp.Basic, memo: dict) -> Sign:
    if e.is_Atom or not e.args:
        return _assumed(e)
    if isinstance(e, sp.Add):
        signs = [sign(a, memo) for a in e.args]
        if min(signs) >= Sign.NONNEGATIVE:
            return Sign.POSITIVE if Sign.POSITIVE in signs else Sign.NONNEGATIVE
        return Sign.REAL if min(signs) >= Sign.REAL else Sign.UNKNOWN
    if isinstance(e, sp.Mul):
        signs = [sign(a, memo) for a in e.args]
        return Sign(min(signs)) if min(signs) >= Sign.NONNEGATIVE else min(Sign.REAL, min(signs))
    if isinstance(e, sp.Pow):
        return _power_sign(sign(e.base, memo), e.exp, memo)
    if isinstance(e, sp.exp):
        return Sign.POSITIVE if sign(e.args[0], memo) >= Sign.REAL else Sign.UNKNOWN
    if isinstance(e, sp.log):
        return Sign.REAL if sign(e.args[0], memo) is Sign.POSITIVE else Sign.UNKNOWN
    return _assumed(e)


def _power_sign(base: Sign, k: sp.Expr, memo: dict) -> Sign:
    """b**k where defined (b ≠ 0 for k < 0)."""
    if base is Sign.UNKNOWN:
        return Sign.UNKNOWN
    if k.is_Integer:
        if k.is_even:
            return Sign.POSITIVE if base is Sign.POSITIVE or k < 0 else Sign.NONNEGATIVE
        if k < 0 and base is Sign.NONNEGATIVE:
            return Sign.POSITIVE
        return base
    if base is Sign.POSITIVE and sign(k, memo) >= Sign.REAL:
        return Sign.POSITIVE
    if base is Sign.NONNEGATIVE and sign(k, memo) is Sign.POSITIVE:
        return Sign.NONNEGATIVE
    return Sign.UNKNOWN


def _assumed(e: sp.Basic) -> Sign:
    """A leaf, or a function the structure does not cover: SymPy's assumptions decide."""
    if e.is_finite is not True:
        return Sign.UNKNOWN
    if e.is_positive:
        return Sign.POSITIVE
    if e.is_nonnegative:
        return Sign.NONNEGATIVE
    return Sign.REAL if e.is_real else Sign.UNKNOWN


def _smooth(e: sp.Basic, memo: dict, signs: dict) -> bool:
    """Whether `e` is defined and real-analytic at every value of its symbols (within their
    assumptions): built from real symbols and numbers by sums, products, powers of a positive base
    (non-negative integer powers of any), exp, and log of a positive argument.  Its parts being
    defined everywhere, a sign found where they are defined holds everywhere."""
    found = memo.get(e)
    if found is None:
        found = memo[e] = _smooth_node(e, memo, signs)
    return found


def _smooth_node(e: sp.Basic, memo: dict, signs: dict) -> bool:
    if e.is_Atom or not e.args:
        return sign(e, signs) >= Sign.REAL
    if isinstance(e, (sp.Add, sp.Mul)):
        return all(_smooth(a, memo, signs) for a in e.args)
    if isinstance(e, sp.Pow):
        if e.exp.is_Integer and e.exp >= 0:
            return _smooth(e.base, memo, signs)
        positive = sign(e.base, signs) is Sign.POSITIVE
        return positive and _smooth(e.base, memo, signs) and _smooth(e.exp, memo, signs)
    if isinstance(e, sp.exp):
        return _smooth(e.args[0], memo, signs)
    if isinstance(e, sp.log):
        return _smooth(e.args[0], memo, signs) and sign(e.args[0], signs) is Sign.POSITIVE
    return False


# -- domains --------------------------------------------------------------------------------------


#: The reals below 1, where a discount lies.
BELOW_ONE = Interval(-math.inf, 1.0)


def _every_real(part: Domain | None) -> bool:
    """Whether `part` lets its symbols take every real value."""
    return part is not None and not part.joint and part.interval() == Interval(-math.inf, math.inf)


def _lies_in(value: sp.Expr, part: Domain, domain: Domains, signs: dict) -> str:
    """Why `value` (over the claim's symbols) may not lie in `part`, or "" if it does."""
    inner = domain.domain_of(value) if isinstance(value, sp.Symbol) else None
    if inner is not None:
        if part.joint or not part.includes(inner):
            return f"{value} ({inner.describe()}) is not within {part.describe()}"
        return ""
    interval = part.interval()
    if part.joint or interval is None:
        return f"a value for a symbol of {part.describe()} cannot be substituted (only one of an interval)"
    ok = sign(value, signs) >= Sign.REAL
    for end, side, included in ((interval.low, 1, interval.low_included), (interval.high, -1, interval.high_included)):
        if math.isfinite(end):
            ok = ok and sign(side * (value - sp.Rational(end)), signs) >= (
                Sign.NONNEGATIVE if included else Sign.POSITIVE
            )
    return "" if ok else f"{value} is not shown to lie in {part.describe()} by its symbols' assumptions"


def _on(claim: Claim, domain: Domains, role: str) -> Claim:
    """`claim`, a statement about the claim's own quantities, checked on the claim's domain."""
    try:
        domain.check_covers(claim.free_symbols())
    except DomainError as exc:
        raise Refused(f"{role} uses symbols outside the claim's domain: {exc}") from None
    return dataclasses.replace(claim, domain=domain)


def _scalar(expr: sp.Basic | sp.MatrixBase, role: str) -> sp.Expr:
    if isinstance(expr, sp.MatrixBase):
        raise Refused(f"{role} is a matrix; it must be a scalar")
    return sp.sympify(expr)


# -- a chain ------------------------------------------------------------------------------------


def _ends(link: Claim, role: str) -> tuple[sp.Expr, sp.Expr]:
    """(start, end) of a link: Equal a = b, Inequality a <= b, NonNegative 0 <= e."""
    if isinstance(link, Equal):
        return _scalar(link.lhs, role), _scalar(link.rhs, role)
    if isinstance(link, Inequality):
        return link.lhs, link.rhs
    if isinstance(link, NonNegative):
        return sp.S.Zero, _scalar(link.expr, role)
    raise Refused(f"{role} is a {type(link).__name__}, not an Equal, NonNegative or Inequality")


@dataclass
class Chain(Rule):
    """lhs = e0 <= e1 <= ... <= en = rhs: a chain of proved links, each starting where the last ends.

    Each link is an `Equal` (a = b), an `Inequality` (a <= b, with its own certificate) or a
    `NonNegative` (0 <= e), and is proved on the claim's domain.  The first link starts at the
    claim's lhs and the last ends at its rhs, exactly; between two links the end of one is the start
    of the next, exactly or by an identity the rule adds as a premise (`join k`).  Transitivity of
    <= gives the claim at every point where all links hold."""

    links: Sequence[Claim]

    def premises(self, claim: Inequality) -> list[Premise]:
        if not self.links:
            raise Refused("a chain needs at least one link")
        ends = [_ends(link, f"link {k}") for k, link in enumerate(self.links, 1)]
        if ends[0][0] != claim.lhs:
            raise Refused(f"the chain starts at {ends[0][0]}, not at the claim's lhs {claim.lhs}")
        if ends[-1][1] != claim.rhs:
            raise Refused(f"the chain ends at {ends[-1][1]}, not at the claim's rhs {claim.rhs}")
        out = []
        for k, link in enumerate(self.links, 1):
            out.append(Premise(f"link {k}", _on(link, claim.domain, f"link {k}")))
            if k < len(ends) and ends[k - 1][1] != ends[k][0]:
                join = Equal(ends[k - 1][1], ends[k][0], claim.domain)
                out.append(Premise(f"join {k}", _on(join, claim.domain, f"join {k}")))
        return out

    def given(self) -> list[Claim]:
        return list(self.links)

    def with_given(self, index: int, claim: Claim) -> Rule:
        links = list(self.links)
        links[index] = claim
        return dataclasses.replace(self, links=links)


# -- a sum of non-negative terms ------------------------------------------------------------------


@dataclass
class Term:
    """weight · f(at): a proved fact f >= 0, used at the values `at` of its variables.

    `fact` is a `NonNegative` (f is its expression) or an `Inequality` a <= b (f = b − a), proved on
    its own domain, so it holds at every point of that domain.  `at` maps some of its variables to
    expressions in the claim's symbols; each value must lie in its variable's domain (inside its
    interval, its bounds included or not, by the symbols' assumptions).  Every other variable
    of the fact must be a symbol of the claim, whose domain there lies within the fact's.  `weight`
    must be non-negative by the claim's assumptions."""

    fact: NonNegative | Inequality
    at: Mapping[sp.Symbol, sp.Expr] = field(default_factory=dict)
    weight: sp.Expr = sp.S.One

    def value(self) -> sp.Expr:
        if isinstance(self.fact, NonNegative):
            f = _scalar(self.fact.expr, "a NonNegative fact")
        elif isinstance(self.fact, Inequality):
            f = self.fact.rhs - self.fact.lhs
        else:
            raise Refused(f"a term's fact is a {type(self.fact).__name__}, not a NonNegative or Inequality")
        return sp.sympify(self.weight) * f.xreplace({k: sp.sympify(v) for k, v in self.at.items()})

    def check_applies(self, domain: Domains, signs: dict, role: str) -> None:
        """Raise Refused unless the fact, at these values and with this weight, is >= 0 on `domain`."""
        variables = self.fact.free_symbols()
        for x, z in self.at.items():
            if x not in variables:
                raise Refused(f"{role}: {x} is not a variable of its fact")
            part = self.fact.domain.domain_of(x)
            if part is None:
                raise Refused(f"{role}: its fact does not declare {x} in its domain")
            why = _lies_in(sp.sympify(z), part, domain, signs)
            if why:
                raise Refused(f"{role}: {why}")
            _covered(domain, sp.sympify(z), role)
        for x in sorted(variables - set(self.at), key=str):
            inner, outer = domain.domain_of(x), self.fact.domain.domain_of(x)
            if inner is None:
                raise Refused(f"{role}: the fact's variable {x} is given no value and is not a symbol of the claim")
            if outer is None:
                raise Refused(f"{role}: the fact does not declare its variable {x} in its domain")
            if not outer.includes(inner):
                raise Refused(
                    f"{role}: {x} lies in {inner.describe()} in the claim, not within the fact's {outer.describe()}"
                )
        _covered(domain, sp.sympify(self.weight), role)
        if sign(self.weight, signs) < Sign.NONNEGATIVE:
            raise Refused(f"{role}: the weight {self.weight} is not non-negative by the symbols' assumptions")


def _covered(domain: Domains, expr: sp.Basic, role: str) -> None:
    try:
        domain.check_covers(expr.free_symbols)
    except DomainError as exc:
        raise Refused(f"{role}: {exc}") from None


@dataclass
class SumOfNonNegative(Rule):
    """rhs − lhs = Σ_k w_k f_k(z_k) with every term >= 0, hence lhs <= rhs.

    The rule builds the identity rhs − lhs = Σ terms itself (a premise, `identity`, unless the two
    are the same expression) and adds each term's fact as a premise on the fact's own domain; see
    `Term` for what makes a term non-negative.  A sum of non-negative numbers is non-negative."""

    terms: Sequence[Term]

    def premises(self, claim: Inequality) -> list[Premise]:
        if not self.terms:
            raise Refused("a sum of non-negative terms needs at least one term")
        signs: dict = {}
        for k, term in enumerate(self.terms, 1):
            if not isinstance(term, Term):
                raise Refused(f"term {k} is a {type(term).__name__}, not a Term")
            term.check_applies(claim.domain, signs, f"term {k}")
        out = [Premise(f"fact {k}", fact) for k, fact in enumerate(self.given(), 1)]
        total = sp.Add(*(term.value() for term in self.terms))
        if claim.rhs - claim.lhs - total != 0:
            out.append(Premise("identity", Equal(claim.rhs - claim.lhs, total, claim.domain)))
        return out

    def given(self) -> list[Claim]:
        facts: list[Claim] = []
        for term in self.terms:
            if not any(term.fact is f for f in facts):
                facts.append(term.fact)
        return facts

    def with_given(self, index: int, claim: Claim) -> Rule:
        old = self.given()[index]
        # A claim of another kind is refused when the premises are built (`Term.value`).
        fact = cast(NonNegative | Inequality, claim)
        terms = [dataclasses.replace(t, fact=fact) if t.fact is old else t for t in self.terms]
        return dataclasses.replace(self, terms=terms)


# -- named rules ----------------------------------------------------------------------------------


def sup_norm(matrix: Iterable[sp.Expr]) -> sp.Expr:
    """‖M‖∞ = max over the entries of |M_ij|, as the rules expect it written: unevaluated, so
    that it reads the same wherever it is built (SymPy's Max compares every pair of its arguments,
    seconds for a 3×3 table of soft values, and Abs asks each entry's sign, a walk of it)."""
    return sp.Max(*[sp.Abs(x, evaluate=False) for x in matrix], evaluate=False)


@dataclass
class JacobianContraction(Rule):
    """‖T(Q1) − T(Q2)‖∞ <= γ‖Q1 − Q2‖∞ for T smooth with Jacobian J >= 0 entrywise and J·1 = γ·1.

    Along the segment Q(t) = Q2 + t(Q1 − Q2), T(Q1) − T(Q2) = ∫₀¹ J(Q(t)) dt · (Q1 − Q2), and row i
    of it is at most Σ_j J_ij |Q1 − Q2|_j <= γ‖Q1 − Q2‖∞ in absolute value (the mean value theorem;
    Blackwell's conditions are the same facts: T is monotone and T(Q + c) = TQ + γc).

    The rule calls `operator` once, on Q1, and takes T(Q) to be that expression with Q1's symbols
    replaced by Q: so T(Q2) is T(Q1) at Q2, whatever the callable does elsewhere, and J = ∂T(Q1)/∂Q1
    is computed by the rule.  It requires Q1 to be distinct symbols declared `Real` (so that J's facts,
    proved for every Q1, hold along the segment), T(Q1) smooth at every real Q1 (built from exp, log
    of positive values and powers of positive values), Q2 real, and J >= 0 by the symbols'
    assumptions; its premise is the identity J·1 = γ·1, with γ free of Q1.  The claim must read exactly
    sup_norm(T(Q1) − T(Q2)) <= γ·sup_norm(Q1 − Q2)."""

    operator: Callable[[sp.Matrix], sp.Matrix]
    first: sp.Matrix
    second: sp.Matrix
    modulus: sp.Expr

    def premises(self, claim: Inequality) -> list[Premise]:
        Q1, Q2 = sp.Matrix(self.first), sp.Matrix(self.second)
        variables = list(Q1)
        if Q1.shape != Q2.shape:
            raise Refused(f"Q1 and Q2 have different shapes: {Q1.shape} and {Q2.shape}")
        if len(set(variables)) != len(variables) or not all(
            isinstance(q, sp.Symbol) and _every_real(claim.domain.domain_of(q)) for q in variables
        ):
            raise Refused("Q1 must be distinct symbols, each declared Real in the claim's domain")
        if sp.sympify(self.modulus).free_symbols & set(variables):
            raise Refused(
                "the modulus depends on Q1: J·1 = γ(Q)·1 bounds the gap by an average of γ along the "
                "segment, not by γ(Q1)"
            )
        signs: dict = {}
        if any(sign(q, signs) < Sign.REAL for q in Q2):
            raise Refused("Q2 is not real by its symbols' assumptions")
        TQ1 = sp.Matrix(unfold(sp.Matrix(self.operator(Q1))))
        TQ2 = TQ1.xreplace(dict(zip(variables, Q2)))
        smooth: dict = {}
        rough = next((x for x in TQ1 if not _smooth(x, smooth, signs)), None)
        if rough is not None:
            raise Refused(f"T is not shown smooth at every real Q: {rough}")
        if claim.lhs != sup_norm(TQ1 - TQ2) or claim.rhs != self.modulus * sup_norm(Q1 - Q2):
            raise Refused(
                "the claim is not sup_norm(T(Q1) − T(Q2)) <= γ·sup_norm(Q1 − Q2) for this operator, Q1, Q2 and γ"
            )
        jacobian = sp.Matrix.hstack(*(derivative(sp.Matrix(list(TQ1)), v) for v in variables))
        negative = next((x for x in jacobian if sign(x, signs) < Sign.NONNEGATIVE), None)
        if negative is not None:
            raise Refused(f"a Jacobian entry is not non-negative by the symbols' assumptions: {negative}")
        rows = Equal(jacobian * sp.ones(len(variables), 1), self.modulus * sp.ones(jacobian.rows, 1), claim.domain)
        return [Premise("Jacobian rows sum to the modulus", rows)]


@dataclass
class Resolvent(Rule):
    """(I − γP)x = δ with P >= 0, P·1 = 1, 0 <= γ < 1 and δ >= 0 gives x >= 0: 0 <= x_s and 0 <= min_s x_s.

    ‖γP‖∞ = γ < 1, so I − γP is invertible and x = (I − γP)⁻¹δ = Σ_k γ^k P^k δ, a sum of
    non-negative vectors.  (Directly: at the state s where x is least, x_s = δ_s + γ Σ P_ss' x_s'
    >= δ_s + γ x_s, so (1 − γ) x_s >= 0.)  The rule's premises are the system (I − γP)x = δ
    and P·1 = 1, which it builds, and `bounds`, one claim 0 <= δ_s per state (a NonNegative of δ_s
    or an Inequality 0 <= δ_s), proved on the claim's domain.  P >= 0 is read from the symbols'
    assumptions, and γ < 1 from γ's declared interval (OpenInterval with high <= 1) or from them.
    The claim must be 0 <= x_s or 0 <= Min of entries of x."""

    kernel: sp.Matrix
    discount: sp.Expr
    solution: sp.Matrix
    source: sp.Matrix
    bounds: Sequence[NonNegative | Inequality]

    def __post_init__(self) -> None:
        # The rule matches the claim's unfolded expressions (`symderiv.definitions`).
        self.kernel, self.solution, self.source = (
            unfold(sp.Matrix(m)) for m in (self.kernel, self.solution, self.source)
        )
        self.discount = unfold(sp.sympify(self.discount))

    def premises(self, claim: Inequality) -> list[Premise]:
        P, x, delta = sp.Matrix(self.kernel), sp.Matrix(self.solution), sp.Matrix(self.source)
        n = P.rows
        if P.shape != (n, n) or x.shape != (n, 1) or delta.shape != (n, 1):
            raise Refused(
                f"the kernel must be n×n and the solution and source n×1; got {P.shape}, {x.shape}, {delta.shape}"
            )
        bound = claim.rhs.args if isinstance(claim.rhs, sp.Min) else (claim.rhs,)
        if claim.lhs != 0 or not all(b in set(x) for b in bound):
            raise Refused("the claim is not 0 <= x_s or 0 <= Min of entries of the solution x")
        signs: dict = {}
        negative = next((p for p in P if sign(p, signs) < Sign.NONNEGATIVE), None)
        if negative is not None:
            raise Refused(f"a kernel entry is not non-negative by the symbols' assumptions: {negative}")
        why = self._discount_below_one(claim.domain, signs)
        if why:
            raise Refused(why)
        if len(self.bounds) != n:
            raise Refused(f"{len(self.bounds)} bounds for a source of {n} entries")
        out = [
            Premise("the system (I − γP)x = δ", Equal((sp.eye(n) - self.discount * P) * x, delta, claim.domain)),
            Premise("the kernel's rows sum to one", Equal(P * sp.ones(n, 1), sp.ones(n, 1), claim.domain)),
        ]
        for s, (b, d) in enumerate(zip(self.bounds, delta)):
            start, end = _ends(b, f"bound {s + 1}")
            if start != 0 or end != d:
                raise Refused(f"bound {s + 1} does not state 0 <= δ_{s} = {d}")
            out.append(Premise(f"bound {s + 1}", _on(b, claim.domain, f"bound {s + 1}")))
        return out

    def _discount_below_one(self, domain: Domains, signs: dict) -> str:
        gamma = sp.sympify(self.discount)
        if sign(gamma, signs) < Sign.NONNEGATIVE:
            return f"the discount {gamma} is not non-negative by its symbols' assumptions"
        part = domain.domain_of(gamma) if isinstance(gamma, sp.Symbol) else None
        interval = part.interval() if part is not None else None
        if interval is not None and interval.within(BELOW_ONE) or sign(1 - gamma, signs) is Sign.POSITIVE:
            return ""
        return f"the discount {gamma} is not shown below 1 (declare it in an OpenInterval with high <= 1)"

    def given(self) -> list[Claim]:
        return list(self.bounds)

    def with_given(self, index: int, claim: Claim) -> Rule:
        bounds = list(self.bounds)
        # A claim of another kind is judged by `_ends` when the premises are built.
        bounds[index] = cast(NonNegative | Inequality, claim)
        return dataclasses.replace(self, bounds=bounds)


# -- what the checker asks ------------------------------------------------------------------------


@dataclass
class Implication:
    """How an inequality's certificate bears on it: the premises to prove, and the rule that turns
    them into the claim (None for a prose argument or no certificate).  With `refusal`, the rule does
    not give the claim, and `premises` are its given claims, to be checked numerically."""

    premises: list[Premise]
    rule: Rule | None
    refusal: str = ""

    @property
    def machine_checked(self) -> bool:
        return self.rule is not None and not self.refusal


#: Implications built recently, by the id of their claim (held, so that the id stays unique): the
#: numeric and the symbolic checks of one claim ask for the same one, which may cost a Jacobian.
_RECENT: OrderedDict = OrderedDict()
_RECENT_SIZE = 64


def implication(claim: Inequality) -> Implication:
    """The implication of `claim`'s certificate (a rule's premises, or a prose certificate's parts)."""
    held = _RECENT.get(id(claim))
    if held is not None and held[0] is claim:
        _RECENT.move_to_end(id(claim))
        return held[1]
    found = _implication(claim)
    _RECENT[id(claim)] = (claim, found)
    if len(_RECENT) > _RECENT_SIZE:
        _RECENT.popitem(last=False)
    return found


def _implication(claim: Inequality) -> Implication:
    certificate = claim.certificate
    if isinstance(certificate, Rule):
        try:
            return Implication(certificate.premises(claim), certificate)
        except Refused as refused:
            given = [Premise(f"given {k}", c) for k, c in enumerate(certificate.given(), 1)]
            return Implication(given, certificate, refusal=refused.reason)
    return Implication([Premise(str(k), part) for k, part in enumerate(certificate, 1)], None)


def certificate_parts(certificate: Certificate) -> list[Claim]:
    """The claims a certificate was given: a rule's, or a prose certificate's list."""
    return certificate.given() if isinstance(certificate, Rule) else list(certificate)


def with_certificate_part(certificate: Certificate, index: int, claim: Claim) -> Certificate:
    """The certificate with given claim `index` replaced."""
    if isinstance(certificate, Rule):
        return certificate.with_given(index, claim)
    parts = list(certificate)
    parts[index] = claim
    return parts
