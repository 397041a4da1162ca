"""Mutation testing: small wrong variants of a derivation's claims, which the checker must refute.

A mutant changes one thing in one claim, the kind of slip a derivation makes: a
flipped sign, a dropped or doubled term, γ written for γ², π for π̃, α for 1/α,
a sum's index shifted by one, P transposed, a log dropped.  The checker's kill rate
on the mutants of a derivation measures how sharp its checks are.  A mutant that
survives is either a weakness of the checker or accidentally true (swapping π and π̃
where only Σ_a π(a|s) = 1 is used); whoever runs the mutants names each accidentally
true one, with the reason, so that the kill rate is over the false mutants only.

Mutants are built from each obligation's own claim and go through the same checker
as the claim.  Indexed symbols are recognised by their names, `base_i_j...`
(`P_0_1_1` is p(s'=1 | s=0, a=1) of the family `P`), as SymbolicMDP names them.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

import sympy as sp

from . import checker
from .claims import Claim, Equal, Inequality, NonNegative
from .indexed import claim_at
from .obligation import Obligation, Size
from .rules import certificate_parts, with_certificate_part
from .verdict import Status, Verdict

_INDEXED = re.compile(r"^(?P<base>[A-Za-z][A-Za-z0-9_]*?)(?P<index>(?:_\d+)+)$")

#: Terms and sums are printed in operator names up to this many characters.
_SHOWN = 48


@dataclass
class Family:
    """The symbols base_i_j... of one base name, by index tuple."""

    base: str
    members: dict[tuple[int, ...], sp.Symbol]

    def values_at(self, position: int) -> list[int]:
        return sorted({ix[position] for ix in self.members})

    @property
    def arity(self) -> int:
        return len(next(iter(self.members)))

    def mapping(self, relabel: Callable[[tuple[int, ...]], tuple[int, ...]]) -> dict | None:
        """Each member replaced by the member at relabel(index); None if one is missing."""
        out = {}
        for ix, sym in self.members.items():
            target = self.members.get(relabel(ix))
            if target is None:
                return None
            if target is not sym:
                out[sym] = target
        return out


def families(symbols: Iterable[sp.Symbol]) -> dict[str, Family]:
    """Indexed symbols grouped by base name; a base whose members differ in arity is skipped."""
    found: dict[str, dict] = {}
    for s in symbols:
        m = _INDEXED.match(s.name)
        if m:
            index = tuple(int(i) for i in m["index"].strip("_").split("_"))
            found.setdefault(m["base"], {})[index] = s
    return {
        base: Family(base, members) for base, members in sorted(found.items()) if len({len(ix) for ix in members}) == 1
    }


def _show(expr) -> str:
    text = sp.sstr(expr)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."


# -- operators --------------------------------------------------------------------------------
# Each operator yields (description, mutated side) for one side of a claim: a scalar
# expression or a matrix.  `symbols` are all the symbols the claim's domain covers, so a
# substitution never brings in a symbol the numeric engine cannot sample.


def _entries(side) -> list[tuple[tuple, sp.Expr]]:
    if isinstance(side, sp.MatrixBase):
        return [((i, j), side[i, j]) for i in range(side.rows) for j in range(side.cols)]
    return [((), side)]


def _with_entry(side, index, new):
    if not index:
        return new
    out = side.copy()
    out[index] = new
    return out


def _apply(side, fn):
    """fn on every entry, or None where the result is no expression (d/d(−θ) after θ → −θ)."""
    try:
        return side.applyfunc(fn) if isinstance(side, sp.MatrixBase) else fn(side)
    except (ValueError, TypeError):
        return None


def _replaced(side, mapping):
    return _apply(side, lambda e: e.xreplace(mapping))


def _free(side) -> set:
    return side.free_symbols


def scalar_substitutions(side, symbols) -> Iterator[tuple[str, object]]:
    """γ → γ², α → 1/α for positive scalars; c → −c for real ones."""
    indexed = {s for f in families(symbols).values() for s in f.members.values()}
    for s in sorted(_free(side) - indexed, key=str):
        if s.is_positive:
            yield f"{s} -> {s}**2", _replaced(side, {s: s**2})
            yield f"{s} -> 1/{s}", _replaced(side, {s: 1 / s})
        elif s.is_real:
            yield f"{s} -> -{s}", _replaced(side, {s: -s})


def family_swaps(side, symbols) -> Iterator[tuple[str, object]]:
    """Swap two families with the same indices and assumptions, e.g. π and π̃, or r and Q."""
    fams = families(symbols)
    used = _free(side)
    for a, b in combinations(fams.values(), 2):
        if set(a.members) != set(b.members):
            continue
        if next(iter(a.members.values())).assumptions0 != next(iter(b.members.values())).assumptions0:
            continue
        if used.isdisjoint(a.members.values()) and used.isdisjoint(b.members.values()):
            continue
        swap = {a.members[ix]: b.members[ix] for ix in a.members}
        swap.update({b.members[ix]: a.members[ix] for ix in a.members})
        yield f"swap {a.base} and {b.base}", _replaced(side, swap)


def index_shifts(side, symbols) -> Iterator[tuple[str, object]]:
    """Shift one index of one family by one, cyclically: Σ_s' p(s'|s,a) V(s') → Σ_s' p(s'+1|s,a) V(s')."""
    used = _free(side)
    for fam in families(symbols).values():
        if used.isdisjoint(fam.members.values()):
            continue
        for k in range(fam.arity):
            values = fam.values_at(k)
            if len(values) < 2:
                continue
            nxt = dict(zip(values, values[1:] + values[:1]))

            def shifted(ix: tuple, k: int = k, nxt: dict = nxt) -> tuple:
                return ix[:k] + (nxt[ix[k]],) + ix[k + 1 :]

            mapping = fam.mapping(shifted)
            if mapping:
                yield f"shift index {k + 1} of {fam.base}", _replaced(side, mapping)


def transposes(side, symbols) -> Iterator[tuple[str, object]]:
    """Swap two indices of one family that range over the same values: P(s'|s,a) → P(s|s',a)."""
    used = _free(side)
    for fam in families(symbols).values():
        if used.isdisjoint(fam.members.values()):
            continue
        for k, l in combinations(range(fam.arity), 2):
            if fam.values_at(k) != fam.values_at(l) or len(fam.values_at(k)) < 2:
                continue

            def swap(ix, k=k, l=l):
                ix = list(ix)
                ix[k], ix[l] = ix[l], ix[k]
                return tuple(ix)

            mapping = fam.mapping(swap)
            if mapping:
                yield f"transpose {fam.base} (indices {k + 1}, {l + 1})", _replaced(side, mapping)


def function_slips(side, symbols) -> Iterator[tuple[str, object]]:
    """Drop a log (ln u → u), drop an exp (e^u → u), flip the sign of an exponent (e^u → e^−u),
    drop a derivative (∇f → f)."""
    atoms = set().union(*(e.atoms(sp.log) for _, e in _entries(side)))
    if atoms:
        yield "drop every log", _apply(side, lambda e: e.replace(sp.log, lambda u: u))
        if len(atoms) > 1:
            first = min(atoms, key=sp.default_sort_key)
            yield f"drop the log in {_show(first)}", _apply(side, lambda e: e.xreplace({first: first.args[0]}))
    if any(e.has(sp.exp) for _, e in _entries(side)):
        yield "drop every exp", _apply(side, lambda e: e.replace(sp.exp, lambda u: u))
        yield "flip the sign of every exponent", _apply(side, lambda e: e.replace(sp.exp, lambda u: sp.exp(-u)))
    if any(e.has(sp.Derivative) for _, e in _entries(side)):
        yield "drop every derivative", _apply(side, lambda e: e.replace(sp.Derivative, lambda f, *wrt: f))


def term_slips(side, symbols, *, sign_only: bool = False) -> Iterator[tuple[str, object]]:
    """In the first entry: negate, drop or double one top-level term; negate the first term of
    a nested sum.  With `sign_only` (for sign facts, which scaling by 2 cannot falsify) no doubling."""
    index, entry = _entries(side)[0]
    where = f" of entry {index}" if index else ""
    terms = sp.Add.make_args(entry)
    for t in terms:
        shown = _show(t)  # printed once: a term of a large claim takes milliseconds to print
        yield f"negate term {shown}{where}", _with_entry(side, index, entry - 2 * t)
        if len(terms) > 1:
            yield f"drop term {shown}{where}", _with_entry(side, index, entry - t)
        if not sign_only:
            yield f"double term {shown}{where}", _with_entry(side, index, entry + t)
    nested = [a for a in sp.preorder_traversal(entry) if isinstance(a, sp.Add) and a is not entry]
    seen = []
    for a in nested:
        if a in seen:
            continue
        seen.append(a)
        first = a.args[0]
        mutated = entry.xreplace({a: a - 2 * first})
        if mutated != entry:
            yield f"negate {_show(first)} in the sum {_show(a)}{where}", _with_entry(side, index, mutated)
        if len(seen) == 2:
            break


#: Operators for a side that is an expression to be equal to, or bounded by, another.
VALUE_OPERATORS: tuple[Callable, ...] = (
    term_slips,
    scalar_substitutions,
    family_swaps,
    index_shifts,
    transposes,
    function_slips,
)


# -- mutants of a claim ---------------------------------------------------------------------


@dataclass
class Mutant:
    """One wrong variant of an obligation's claim at one size."""

    obligation_id: str
    size: Size | None
    part: str
    operator: str
    claim: object

    @property
    def key(self) -> str:
        """`N13 [2x2] rhs: gamma -> gamma**2`: how a person names this mutant in a list."""
        size = f" [{self.size}]" if self.size else ""
        return f"{self.obligation_id}{size} {self.part}: {self.operator}"

    def obligation(self) -> Obligation:
        return Obligation(
            id=f"{self.obligation_id}~{self.part}~{self.operator}",
            step=self.obligation_id.split(".")[0],
            name=f"mutant of {self.obligation_id}",
            latex="",
            build=lambda: self.claim,
            sizes=None,
            model=None,
            expect=Status.REFUTED,
        )


def _mutate_side(side, symbols, operators) -> Iterator[tuple[str, object]]:
    seen = set()
    for op in operators:
        for name, new in op(side, symbols):
            if new is None or new == side or name in seen:
                continue
            seen.add(name)
            yield name, new


def claim_mutants(claim, symbols=None) -> Iterator[tuple[str, str, Claim]]:
    """(part, operator, mutated claim) for every mutant of one claim.

    Equal: its right-hand side.  Inequality: its bound (rhs) and each claim its certificate
    was given (a prose certificate's parts; a rule's facts, links or bounds).  NonNegative:
    sign-changing slips of its expression only."""
    symbols = claim.domain.sampled_symbols() if symbols is None else symbols
    if isinstance(claim, Equal):
        for name, rhs in _mutate_side(claim.rhs, symbols, VALUE_OPERATORS):
            yield "rhs", name, dataclasses.replace(claim, rhs=rhs)
    elif isinstance(claim, NonNegative):
        for name, expr in _mutate_side(claim.expr, symbols, (lambda s, syms: term_slips(s, syms, sign_only=True),)):
            try:
                yield "expr", name, dataclasses.replace(claim, expr=expr)
            except ValueError:  # e.g. a convexity certificate whose variable the slip removed
                continue
    elif isinstance(claim, Inequality):
        for name, rhs in _mutate_side(claim.rhs, symbols, VALUE_OPERATORS):
            yield "bound", name, dataclasses.replace(claim, rhs=rhs)
        for k, part in enumerate(certificate_parts(claim.certificate), 1):
            for sub, name, mutated in claim_mutants(part, symbols):
                certificate = with_certificate_part(claim.certificate, k - 1, mutated)
                yield f"certificate {k} {sub}", name, dataclasses.replace(claim, certificate=certificate)
    else:
        raise TypeError(f"cannot mutate a {type(claim).__name__}")


def mutation_size(ob: Obligation) -> Size | None:
    """The smallest size with every extent two or more if the obligation has one (so that an index
    can be shifted or a table transposed: a state index, P over two states and actions), else its
    smallest size."""
    if not ob.sizes:
        return None
    multi = [s for s in ob.sizes if all(n > 1 for n in s.counts)]
    return multi[0] if multi else ob.sizes[0]


def mutants(obligations: Iterable[Obligation]) -> list[Mutant]:
    """Every mutant of every obligation expected to hold (proved, argued or numeric), each at its
    mutation size.  A claim already known to be false has nothing to learn from being made
    more false."""
    out = []
    for ob in obligations:
        if ob.expect not in (Status.PROVED, Status.ARGUED, Status.NUMERIC):
            continue
        size = mutation_size(ob)
        # An index-level claim is mutated as its instance at that size.
        for part, operator, mutated in claim_mutants(claim_at(ob, size)):
            out.append(Mutant(ob.id, size, part, operator, mutated))
    return out


# -- running them ---------------------------------------------------------------------------

#: Numeric checks only: a mutant is killed by a refutation, which the symbolic engine
#: never gives, so the rewrites would only cost time on the survivors.
MUTATION_SETTINGS = checker.Settings(samples=300, strategies=())


@dataclass
class MutationReport:
    """The verdict of every mutant, and which were named accidentally true (with the reason)."""

    results: list[tuple[Mutant, Verdict]]
    accidentally_true: Mapping[str, str] = field(default_factory=dict)

    @property
    def killed(self) -> list[Mutant]:
        return [m for m, v in self.results if v.status is Status.REFUTED and m.key not in self.accidentally_true]

    @property
    def survivors(self) -> list[tuple[Mutant, Verdict]]:
        """False mutants (not named accidentally true) that the checker did not refute."""
        named = self.accidentally_true
        return [(m, v) for m, v in self.results if v.status is not Status.REFUTED and m.key not in named]

    @property
    def refuted_but_named_true(self) -> list[tuple[Mutant, Verdict]]:
        """Named accidentally true yet refuted: the reason given is wrong, or the refutation is."""
        return [(m, v) for m, v in self.results if v.status is Status.REFUTED and m.key in self.accidentally_true]

    @property
    def named_true(self) -> list[tuple[Mutant, str]]:
        """Named accidentally true and not refuted, with the reason given."""
        named = self.accidentally_true
        return [(m, named[m.key]) for m, v in self.results if v.status is not Status.REFUTED and m.key in named]

    @property
    def unknown_names(self) -> list[str]:
        """Names in the accidentally-true list that match no mutant of an obligation that was
        mutated (a stale list); names of other obligations (not selected) are not looked at."""
        keys = {m.key for m, _ in self.results}
        mutated = {m.obligation_id for m, _ in self.results}
        return sorted(k for k in self.accidentally_true if k not in keys and k.split(" ", 1)[0] in mutated)

    @property
    def false_mutants(self) -> int:
        return sum(m.key not in self.accidentally_true for m, _ in self.results)

    @property
    def kill_rate(self) -> float:
        return len(self.killed) / self.false_mutants if self.false_mutants else 1.0

    def summary(self) -> str:
        n = len(self.results)
        return (
            f"{n} mutants: {len(self.killed)} killed, {len(self.survivors)} survived, "
            f"{n - self.false_mutants} named accidentally true; kill rate {self.kill_rate:.1%}"
        )


def read_marks(path: Path) -> dict[str, str]:
    """The accidentally true mutants a file names: a JSON object from each mutant's key (as
    `symderiv mutate` prints it) to the reason it is true, which a reader can check by hand.
    Raises ValueError, naming the file, for anything else (a mark without its reason, too)."""
    try:
        marks = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot read the marks of {path}: {exc}") from None
    if not isinstance(marks, dict):
        raise ValueError(f"{path} must hold a JSON object from mutant key to the reason it is true")
    for key, reason in marks.items():
        if not isinstance(reason, str) or not reason.strip():
            raise ValueError(f"{path}: the mark of {key!r} needs the reason the mutant is true, as a string")
    return marks


def run(
    mutant_list: Sequence[Mutant],
    settings: checker.Settings = MUTATION_SETTINGS,
    accidentally_true: Mapping[str, str] | None = None,
    on_result: Callable[[Mutant, Verdict], None] | None = None,
    jobs: int = 1,
) -> MutationReport:
    """Check every mutant (in `jobs` worker processes); each is killed when its verdict is refuted."""
    mutant_list = list(mutant_list)

    def report(k, _n, verdict):
        if on_result:
            on_result(mutant_list[k - 1], verdict)

    verdicts = checker.check_all([m.obligation() for m in mutant_list], settings, report, jobs=jobs)
    return MutationReport(list(zip(mutant_list, verdicts)), dict(accidentally_true or {}))
