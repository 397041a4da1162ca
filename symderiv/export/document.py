"""What an export shows, independent of its format.

A `Document` holds each derivation's steps in the source's order; a step holds its
obligations, each with its verdict, where it comes from (`symderiv.provenance`) and the
claim as the checker encoded it at the smallest size it checked.  A refuted obligation is
an erratum, linked to the obligations that declare they correct it, unless the source
itself says the claim fails (`remark`): then it is a remark confirmed.  The printers in
this package turn a Document into LaTeX or Markdown, one method per node type.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from ..checker import Settings, sizes_for
from ..claims import Claim, Inequality
from ..indexed import claim_at, keeping
from ..obligation import Derivation, Obligation, Size
from ..provenance import Provenance, provenances, source_of, unknown_ids
from ..rules import certificate_parts
from ..verdict import Status, Verdict
from ..vocabulary import Vocabulary
from .appendix import ReferenceFunction

#: Verdicts whose claims belong in the main text.
VERIFIED = (Status.PROVED, Status.ARGUED, Status.NUMERIC)

#: How a verdict is named to a reader; argued and numeric are always labelled as the weaker verdicts.
STATUS_TEXT = {
    Status.PROVED: "proved",
    Status.ARGUED: "argued (implication not machine-checked)",
    Status.NUMERIC: "numeric (no symbolic proof)",
    Status.REFUTED: "refuted",
    Status.ERROR: "error",
}


@dataclass
class Encoding:
    """A claim as the checker built it at one model size, or why it could not be built."""

    size: Size | None
    claim: Claim | None
    error: str = ""


@dataclass
class Entry:
    """One obligation of a step, its verdict, where it comes from and its encoding."""

    obligation: Obligation
    verdict: Verdict
    encoding: Encoding
    provenance: Provenance

    @property
    def verified(self) -> bool:
        return self.verdict.status in VERIFIED

    @property
    def remark(self) -> bool:
        """Refuted, as the source itself says."""
        return self.verdict.status is Status.REFUTED and self.obligation.remark

    @property
    def erratum(self) -> bool:
        return self.verdict.status is Status.REFUTED and not self.obligation.remark


class State(str, Enum):
    """How a step stands, as the step graph colours it."""

    PROVED = "proved"
    WEAKER = "argued or numeric"
    ERRATUM = "erratum"
    REMARK = "remark confirmed"
    ERROR = "error"
    MISSING = "not encoded"

    def __str__(self) -> str:
        return self.value


@dataclass
class Step:
    """A step of the source and the obligations that check it (none: not encoded yet)."""

    id: str
    entries: list[Entry]

    @property
    def verified(self) -> list[Entry]:
        return [e for e in self.entries if e.verified]

    @property
    def refuted(self) -> list[Entry]:
        """The errata: refuted claims that the source does not itself say are false."""
        return [e for e in self.entries if e.erratum]

    @property
    def remarks(self) -> list[Entry]:
        return [e for e in self.entries if e.remark]

    @property
    def failed(self) -> list[Entry]:
        return [e for e in self.entries if e.verdict.status is Status.ERROR]

    @property
    def state(self) -> State:
        if not self.entries:
            return State.MISSING
        if self.failed:
            return State.ERROR
        if self.refuted:
            return State.ERRATUM
        if any(e.verdict.status in (Status.ARGUED, Status.NUMERIC) for e in self.entries):
            return State.WEAKER
        return State.REMARK if self.remarks else State.PROVED


@dataclass
class Erratum:
    """A refuted claim of the source and the verified claims that declare they correct it."""

    entry: Entry
    corrections: list[Entry]

    @property
    def step(self) -> str:
        return self.entry.obligation.step


@dataclass
class DerivationReport:
    derivation: Derivation
    steps: list[Step]
    #: The source file the provenance was read from, as found (None: not found).
    source_path: Path | None = None

    @property
    def entries(self) -> list[Entry]:
        return [e for s in self.steps for e in s.entries]

    @property
    def errata(self) -> list[Erratum]:
        return [
            Erratum(e, [c for c in self.entries if c.obligation.corrects == e.obligation.id])
            for e in self.entries
            if e.erratum
        ]

    @property
    def remarks(self) -> list[Entry]:
        return [e for e in self.entries if e.remark]

    @property
    def failed(self) -> list[Entry]:
        return [e for s in self.steps for e in s.failed]

    @property
    def missing(self) -> list[str]:
        return [s.id for s in self.steps if not s.entries]

    @property
    def uses(self) -> list[tuple[str, str]]:
        """The step graph's edges (used step, step that uses it), each once, in the steps' order."""
        steps = {s.id for s in self.steps}
        by_id = {o.id: o.step for o in self.derivation}
        edges = []
        for e in self.entries:
            for name in e.obligation.uses:
                used = by_id.get(name, name.split(".")[0])
                if used in steps and used != e.obligation.step:
                    edges.append((used, e.obligation.step))
        return list(dict.fromkeys(edges))


@dataclass
class Document:
    derivations: list[DerivationReport]
    settings: Settings
    references: list[ReferenceFunction] = field(default_factory=list)
    #: Show each size's seconds (the same input then no longer gives the same document).
    timings: bool = False

    @property
    def title(self) -> str:
        return "; ".join(d.derivation.title for d in self.derivations) or "symderiv export"

    @property
    def vocabularies(self) -> list[Vocabulary]:
        """The vocabularies of every derivation, each once, in order."""
        return list(dict.fromkeys(v for d in self.derivations for v in d.derivation.vocabularies))

    @property
    def entries(self) -> list[Entry]:
        return [e for d in self.derivations for s in d.steps for e in s.entries]

    def summary(self) -> str:
        """`9 obligations: 9 proved, 0 argued, 0 numeric, 0 refuted, 0 error`."""
        counts = ", ".join(f"{sum(e.verdict.status is st for e in self.entries)} {st}" for st in Status)
        return f"{len(self.entries)} obligations: {counts}"

    @property
    def unexpected(self) -> list[str]:
        return [e.obligation.id for e in self.entries if not e.verdict.as_expected]


def stated(claim: Claim) -> tuple[set, list]:
    """The symbols that a claim and the claims of its certificate, at any depth, state, and their
    domains: what an inequality's assumptions must describe."""
    symbols, domains = claim.free_symbols(), list(claim.domain.parts)
    if isinstance(claim, Inequality):
        for part in certificate_parts(claim.certificate):
            more, where = stated(part)
            symbols |= more
            domains += where
    return symbols, domains


def used_domains(domains, symbols) -> list:
    """The domains (each once) that hold at least one of `symbols`: a claim's assumptions."""
    unique = {(type(d), d.symbols): d for d in domains}.values()
    return [d for d in unique if set(d.symbols) & symbols]


def smallest_size(ob: Obligation, settings: Settings) -> Size | None:
    """The smallest model size the checker used for `ob` (None for size-free claims)."""
    checked = [s for s in sizes_for(ob, settings) if s is not None]
    return min(checked, key=Size.simplicity) if checked else None


@contextlib.contextmanager
def showing(obligations: Sequence[Obligation], settings: Settings) -> Iterator[None]:
    """A block in which the claims an export shows (each obligation's at its smallest size) are
    built first and kept, so that checking them, in this process or in workers forked after,
    builds none of them again, and neither does the report."""
    with keeping([(ob, smallest_size(ob, settings)) for ob in obligations]):
        for ob in obligations:
            encode(ob, settings)
        yield


def encode(ob: Obligation, settings: Settings) -> Encoding:
    """The claim as the checker encodes it at its smallest size (an index-level claim: its instance there)."""
    size = smallest_size(ob, settings)
    try:
        return Encoding(size, claim_at(ob, size))
    except Exception as exc:  # a broken builder is reported in the document, like in a check
        return Encoding(size, None, f"{type(exc).__name__}: {exc}")


def report_derivation(
    derivation: Derivation,
    verdicts: Sequence[Verdict],
    settings: Settings,
    complete: bool = True,
    cwd: Path | None = None,
) -> DerivationReport:
    """The steps of `derivation` in the source's order with the given verdicts.

    With `complete`, steps of the source without any obligation are kept (so that a
    skipped step shows); otherwise only steps with a verdict appear (a selection).  A
    `corrects` or `uses` that names no step or obligation is a ValueError."""
    unknown = unknown_ids(derivation)
    if unknown:
        raise ValueError(f"{derivation.title}: corrects or uses names no step or obligation: {', '.join(unknown)}")
    by_id = {v.obligation_id: v for v in verdicts}
    source = source_of(derivation, cwd)
    where = provenances(derivation, source)
    order = list(derivation.steps) + [o.step for o in derivation if o.step not in derivation.steps]
    steps = []
    for step in dict.fromkeys(order):
        obligations = [o for o in derivation if o.step == step]
        entries = [Entry(o, by_id[o.id], encode(o, settings), where[o.id]) for o in obligations if o.id in by_id]
        if entries or (complete and not obligations):
            steps.append(Step(step, entries))
    return DerivationReport(derivation, steps, source.path if source is not None else None)
