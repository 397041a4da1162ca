"""Proof obligations: a claim, where it comes from, and the verdict it is expected to get.

A proof module creates a `Derivation` and registers each step with its
`claim` decorator; the decorated function builds the claim for one model size.
Building is deferred so that a broken step costs only its own verdict.
"""

from __future__ import annotations

import itertools
import math
import operator
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


@dataclass(frozen=True, order=True, repr=False)
class Size:
    """The size of a small model: a positive extent on each of its named axes, in a fixed order.

    A vocabulary names the axes: an MDP's size is its states and actions,
    `Size.of(states=2, actions=3)`, written `2x3` (the extents joined by `x`, in order).  Sizes
    compare by their extents in order, so those on the same axes sort as their tuples of extents;
    `Size.simplicity` orders them from the simplest (the smallest `volume`) up.  A size parsed
    without axis names (`Size.parse("2x3")`, as `--sizes` gives) has unnamed axes, which `named`
    names after those of an obligation's sizes."""

    extents: tuple[tuple[str, int], ...]

    def __post_init__(self) -> None:
        extents = tuple((axis, _extent(n, axis)) for axis, n in self.extents)
        if not extents:
            raise ValueError("a size has one axis at least")
        names = [axis for axis, _ in extents]
        if any(not isinstance(a, str) for a in names) or (any(names) and not all(names)):
            raise ValueError(f"a size's axes are named by non-empty strings, or all unnamed (''): got {names}")
        if all(names) and len(set(names)) < len(names):
            raise ValueError(f"a size names each axis once, got {names}")
        object.__setattr__(self, "extents", extents)

    @classmethod
    def of(cls, **extents: int) -> Size:
        """The size with these extents, on axes named and ordered as given: `Size.of(states=2, actions=3)`."""
        return cls(tuple(extents.items()))

    @classmethod
    def grid(cls, **extents: Sequence[int]) -> tuple[Size, ...]:
        """Every combination of the given extents, the first axis varying slowest:
        `Size.grid(states=[1, 2], actions=[2, 3])` is 1x2, 1x3, 2x2 and 2x3."""
        axes = list(extents)
        return tuple(cls(tuple(zip(axes, combination))) for combination in itertools.product(*extents.values()))

    @property
    def axes(self) -> tuple[str, ...]:
        """The names of the axes, in order ('' for each axis of an unnamed size)."""
        return tuple(axis for axis, _ in self.extents)

    @property
    def counts(self) -> tuple[int, ...]:
        """The extents, in the order of the axes."""
        return tuple(n for _, n in self.extents)

    @property
    def volume(self) -> int:
        """The product of the extents: how large the model is (2x3 is 6)."""
        return math.prod(self.counts)

    def simplicity(self) -> tuple[int, Size]:
        """The key that orders sizes from the simplest: the smallest volume first, then by extents."""
        return (self.volume, self)

    def __getitem__(self, axis: str) -> int:
        for name, n in self.extents:
            if name == axis and axis:
                return n
        raise KeyError(f"the size {self} has no axis {axis!r}; its axes are {self._axes_text()}")

    def __contains__(self, axis: object) -> bool:
        return bool(axis) and axis in self.axes

    def __iter__(self) -> Iterator[str]:
        """The axes, as a mapping from axis to extent gives its keys."""
        return iter(self.axes)

    def named(self, axes: Sequence[str]) -> Size:
        """This size on `axes`: an unnamed size takes their names in order (as many extents as axes);
        a named one must be on them already."""
        axes = tuple(axes)
        if self.axes == axes:
            return self
        if not any(self.axes) and len(self.extents) == len(axes):
            return Size(tuple(zip(axes, self.counts)))
        wanted = "x".join(a.upper() for a in axes)
        raise ValueError(f"the size {self} ({self._axes_text()}) is not one on {', '.join(axes)}: write {wanted}")

    def _axes_text(self) -> str:
        return ", ".join(self.axes) if any(self.axes) else "unnamed"

    def __str__(self) -> str:
        return "x".join(str(n) for n in self.counts)

    def __repr__(self) -> str:
        if not any(self.axes):
            return f"Size.parse({str(self)!r})"
        return "Size.of(" + ", ".join(f"{axis}={n}" for axis, n in self.extents) + ")"

    @classmethod
    def parse(cls, text: str, axes: Sequence[str] = ()) -> Size:
        """A size written as its extents joined by `x` (`2x3`; `X` and `×` too), each at least 1: on
        `axes` if given (one extent per axis), else on unnamed axes (see `named`)."""
        parts = re.split(r"[xX×]", text)
        numbers = [p.strip() for p in parts]
        if not all(re.fullmatch(r"\d+", n) for n in numbers) or any(int(n) < 1 for n in numbers):
            raise ValueError(f"a size is its extents joined by x, each at least 1, e.g. 2x3; got {text!r}")
        if axes and len(axes) != len(numbers):
            wanted = "x".join(a.upper() for a in axes)
            raise ValueError(f"a size on {', '.join(axes)} is {wanted}, e.g. {'x'.join('2' * len(axes))}; got {text!r}")
        return cls(tuple(zip(tuple(axes) or ("",) * len(numbers), map(int, numbers))))


def _extent(n: object, axis: object) -> int:
    """`n` as an extent of a size: an integer at least 1."""
    try:
        value = operator.index(n)  # type: ignore[arg-type]
    except TypeError:
        value = 0
    if isinstance(n, bool) or value < 1:
        raise ValueError(f"the extent of a size's axis {axis!r} is an integer at least 1, got {n!r}")
    return value


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
            self.sizes = tuple(sorted(self.sizes, key=Size.simplicity))

    @property
    def axes(self) -> tuple[str, ...]:
        """The axes of the obligation's sizes, in their order (none for a size-free obligation)."""
        return self.sizes[0].axes if self.sizes else ()

    def build_for(self, size: Size | None) -> Claim | IndexEqual:
        """Build the claim for one size (or the only instance, for size-free claims)."""
        if size is None:
            return self.build()
        if self.model is None:
            raise ValueError(f"{self.id}: a claim built per size needs a model factory")
        return self.build(self.model(size))

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {self.latex}$"


def _same_axes(step: str, sizes: Sequence[Size]) -> None:
    """Refuse sizes that are not all on the same named axes: an obligation's sizes replace one
    another (`--sizes`), and are compared and ordered, axis by axis."""
    if any(not isinstance(s, Size) for s in sizes):
        raise ValueError(f"{step}: sizes is a sequence of Size, e.g. Size.of(n=2); got {list(sizes)!r}")
    axes = {s.axes for s in sizes}
    if len(axes) > 1:
        raise ValueError(f"{step}: every size of a claim is on the same axes, got {', '.join(map(repr, sizes))}")
    if sizes and not any(sizes[0].axes):
        raise ValueError(f"{step}: name the axes of a claim's sizes, e.g. Size.of(n=2) or Size.parse('2', ['n'])")


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
        if sizes is not None:
            sizes = tuple(sizes)
            _same_axes(step, sizes)
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
