"""Proof obligations: a claim, where it comes from, and the verdict it is expected to get.

A proof module creates a `Derivation` and registers each step with its
`claim` decorator; the decorated function builds the claim for one model size.
Building is deferred so that a broken step costs only its own verdict.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .location import caller
from .verdict import Status
from .vocabulary import Vocabulary

if TYPE_CHECKING:
    from .claims import Claim
    from .indexed import IndexEqual


@dataclass(frozen=True, order=True)
class Size:
    """The size of a small model: |S| states and |A| actions."""

    states: int
    actions: int

    def __str__(self) -> str:
        return f"{self.states}x{self.actions}"

    @classmethod
    def parse(cls, text: str) -> Size:
        m = re.fullmatch(r"\s*(\d+)\s*[xX×]\s*(\d+)\s*", text)
        if not m or int(m[1]) < 1 or int(m[2]) < 1:
            raise ValueError(f"a size is STATESxACTIONS with both at least 1, e.g. 2x3; got {text!r}")
        return cls(int(m[1]), int(m[2]))


def sizes(states: Sequence[int], actions: Sequence[int]) -> tuple[Size, ...]:
    """Every combination of the given numbers of states and actions."""
    return tuple(Size(s, a) for s in states for a in actions)


@dataclass
class Obligation:
    """One claim to check, built per model size by `build(model)`."""

    id: str
    step: str
    name: str
    latex: str
    build: Callable
    sizes: tuple[Size, ...] | None
    model: Callable | None
    expect: Status = Status.PROVED
    doc: str = ""
    source: str = ""
    #: The vocabularies of the derivation the obligation belongs to (how its symbols print).
    vocabularies: tuple[Vocabulary, ...] = ()
    #: `file:line` of the user's code that declared it, named by errors its traceback cannot place.
    defined_at: str = ""
    #: The line of the source whose prose this claim formalises (the note writes no equation for it).
    prose_line: int | None = None
    #: The id of the refuted obligation this claim corrects.
    corrects: str | None = None
    #: The steps or obligations this claim relies on (drawn as the step graph's edges).
    uses: tuple[str, ...] = ()
    #: Expected refuted because the source itself says the claim does not hold: a remark confirmed.
    remark: bool = False

    def __post_init__(self) -> None:
        # Ordered from the simplest, so that shrinking and reports start small.
        if self.sizes is not None:
            self.sizes = tuple(sorted(self.sizes, key=lambda s: (s.states * s.actions, s)))

    def build_for(self, size: Size | None) -> Claim | IndexEqual:
        """Build the claim for one size (or the only instance, for size-free claims)."""
        if size is None:
            return self.build()
        if self.model is None:
            raise ValueError(f"{self.id}: a claim built per size needs a model factory")
        return self.build(self.model(size))

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {self.latex}$"


#: The verdicts an obligation may expect; `error` is never an expectation.
EXPECTABLE = (Status.PROVED, Status.ARGUED, Status.NUMERIC, Status.REFUTED)


def _expectation(expect: Status | str) -> Status | None:
    """The Status that `expect` names, or None when it names none that can be expected."""
    return next((s for s in EXPECTABLE if expect == s), None)


def _refusing(expect: Status | str) -> Callable[..., object]:
    """A builder that fails with what to write instead: a typo in `expect` costs its own
    obligation an `error` verdict, not the import of the whole proof module."""

    def build(*_model: object) -> object:
        valid = ", ".join(repr(s.value) for s in EXPECTABLE)
        raise ValueError(f"expect={str(expect)!r} is not a verdict to expect; write one of {valid}")

    return build


class Derivation:
    """An ordered collection of obligations, usually one per note or paper.

    `vocabularies` are the fields it speaks (e.g. `symderiv.rl.VOCABULARY`): how its
    symbols print in an export, and whose NumPy references the appendix shows."""

    def __init__(
        self, title: str, source: str = "", steps: Sequence[str] = (), vocabularies: Sequence[Vocabulary] = ()
    ):
        self.title = title
        self.source = source
        #: The module that defines the derivation (its claims may come from sibling modules).
        self.module = sys._getframe(1).f_globals.get("__name__", "")
        #: The step ids of the source, in its order, so that a skipped step shows.
        self.steps = tuple(steps)
        self.vocabularies = tuple(vocabularies)
        self.obligations: list[Obligation] = []

    def claim(
        self,
        step: str,
        latex: str,
        *,
        part: str = "",
        sizes: Sequence[Size] | None = None,
        model: Callable | None = None,
        expect: Status | str = Status.PROVED,
        prose_line: int | None = None,
        corrects: str | None = None,
        uses: Sequence[str] = (),
        remark: bool = False,
    ) -> Callable[[Callable], Callable]:
        """Register the decorated builder as the obligation for `step` (and `part`, if a
        step needs several).  With `sizes`, the builder receives `model(size)` for each.

        Where the claim comes from is computed at export (`symderiv.provenance`), not declared:
        `prose_line` names the source's line a claim without an equation formalises, `corrects`
        the refuted obligation it corrects; `uses` lists the steps it relies on; `remark` marks an
        expected refutation that the source itself states (the claim does not hold, as it says)."""

        if sizes is not None and model is None:
            raise ValueError(f"{step}: a claim with sizes needs a model factory, e.g. model=SymbolicMDP")
        where = caller()
        expected = _expectation(expect)
        if remark and _expectation(expect) is not Status.REFUTED:
            raise ValueError(f"{step}: remark=True says the source states the claim fails; expect it refuted")
        if isinstance(uses, str):
            raise ValueError(f"{step}: uses is a sequence of ids, e.g. uses=['N16', 'N17']; got {uses!r}")

        def register(fn: Callable) -> Callable:
            ob_id = f"{step}.{part}" if part else step
            if any(o.id == ob_id for o in self.obligations):
                raise ValueError(f"{self.title}: obligation id {ob_id} is registered twice")
            self.obligations.append(
                Obligation(
                    id=ob_id,
                    step=step,
                    name=fn.__name__,
                    latex=latex.strip(),
                    build=fn if expected is not None else _refusing(expect),
                    sizes=tuple(sizes) if sizes is not None else None,
                    model=model,
                    expect=expected or Status.PROVED,
                    doc=(fn.__doc__ or "").strip(),
                    source=self.source,
                    vocabularies=self.vocabularies,
                    defined_at=where,
                    prose_line=prose_line,
                    corrects=corrects,
                    uses=tuple(uses),
                    remark=remark,
                )
            )
            return fn

        return register

    def restricted(self, keep: Callable[[Obligation], bool]) -> Derivation:
        """The same derivation with only the obligations `keep` accepts and their steps."""
        part = Derivation(self.title, self.source, vocabularies=self.vocabularies)
        part.module = self.module
        part.obligations = [ob for ob in self.obligations if keep(ob)]
        part.steps = tuple(s for s in self.steps if any(ob.step == s for ob in part.obligations))
        return part

    def __iter__(self) -> Iterator[Obligation]:
        """The obligations in the source's order of steps (registration order within a step, and
        for steps the source list does not name, after the others): modules that add claims
        may be imported in any order."""
        order = {step: k for k, step in enumerate(self.steps)}
        return iter(sorted(self.obligations, key=lambda ob: order.get(ob.step, len(order))))

    def __len__(self) -> int:
        return len(self.obligations)
