"""What the checker concluded about an obligation, and the evidence for it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import TYPE_CHECKING

from .outcome import Attempt

if TYPE_CHECKING:
    from .obligation import Size


class Status(str, Enum):
    """The four verdicts, strongest first.

    proved: the symbolic difference is zero under the stated assumptions and the
        numbers agree;
    numeric: no symbolic proof within the time limit, every sampled instance agrees;
    refuted: an instance of the domain where the sides differ, confirmed at high precision;
    error: the obligation could not be built or evaluated.
    """

    PROVED = "proved"
    ARGUED = "argued"
    NUMERIC = "numeric"
    REFUTED = "refuted"
    ERROR = "error"

    def __str__(self) -> str:
        return self.value


#: When several sizes are checked, the obligation gets the worst of their verdicts.
_SEVERITY = {Status.PROVED: 0, Status.ARGUED: 1, Status.NUMERIC: 2, Status.REFUTED: 3, Status.ERROR: 4}


def worst(statuses: Iterable[Status]) -> Status:
    return max(statuses, key=_SEVERITY.__getitem__, default=Status.ERROR)


@dataclass
class Counterexample:
    """An instance of the claim's domain on which the two sides differ."""

    size: str
    values: dict[str, float]
    element: str
    lhs: float
    rhs: float
    seed: int
    note: str = ""

    def describe(self) -> str:
        vals = ", ".join(f"{k}={v:.6g}" for k, v in self.values.items())
        where = " ".join(
            x for x in (f"size {self.size}" if self.size else "", f"at {self.element}" if self.element else "") if x
        )
        return (
            f"{where + ': ' if where else ''}lhs={self.lhs:.12g}, rhs={self.rhs:.12g} "
            f"with {vals} (seed {self.seed}){' ' + self.note if self.note else ''}"
        )


@dataclass(frozen=True)
class SizeRange:
    """The sizes a proof covers: every size at least its lower bound, per range, as
    (("|S|", 1), ("|A|", 1)) for every |S| ≥ 1 and |A| ≥ 1."""

    bounds: tuple[tuple[str, int], ...]
    #: The axis of a model's `Size` that each bound constrains, in the order of `bounds`.
    axes: tuple[str, ...] = ()

    def __str__(self) -> str:
        return "every " + ", ".join(f"{label} ≥ {low}" for label, low in self.bounds)

    def contains(self, size: Size) -> bool:
        """Whether the proof covers a model of this size: each bound holds on its axis (a size
        without one of the axes is not covered)."""
        if len(self.axes) != len(self.bounds):
            return False
        return all(axis in size and size[axis] >= low for axis, (_, low) in zip(self.axes, self.bounds))

    def to_dict(self) -> dict:
        return {"bounds": dict(self.bounds), "axes": list(self.axes), "text": str(self)}

    @classmethod
    def from_dict(cls, data: dict) -> SizeRange:
        """The range that `to_dict` (as JSON) gave."""
        return cls(tuple((label, int(low)) for label, low in data["bounds"].items()), tuple(data["axes"]))


@dataclass
class SizeEvidence:
    """The result for one model size."""

    size: str
    status: Status
    strategy: str = ""
    attempts: list[Attempt] = field(default_factory=list)
    residual: str = ""
    instances: int = 0
    max_rel_error: float = 0.0
    counterexample: Counterexample | None = None
    message: str = ""
    seconds_symbolic: float = 0.0
    seconds_numeric: float = 0.0
    #: Of seconds_numeric, the time spent building the claim for this size.
    seconds_build: float = 0.0
    #: Taken from the verdict cache (the seconds are those of the run that stored it).
    cached: bool = False
    #: The verdict rests on a limit of this machine rather than on the claim: a rewrite stopped by
    #: the time limit, or a symbolic worker that failed (out of memory); another machine may differ.
    machine_dependent: bool = False
    #: CPU seconds of the longest symbolic attempt; the time limit over it is the headroom.
    seconds_worst_attempt: float = 0.0
    #: The sizes this evidence proves the claim for: set on the proof of an index-level claim for
    #: every size, so that a verdict read from the cache says so without building the claim.
    covers: SizeRange | None = None
    #: A fixed size that a proof for every size covers and that is not checked on its own (the
    #: simplest size it covers is, as the proof's instance): its `covers` is that proof's range.
    covered: bool = False

    @property
    def reproducible(self) -> bool:
        """Whether the same claim and settings always give this evidence, on any machine: not an
        error, and not decided by a limit of this machine."""
        return self.status is not Status.ERROR and not self.machine_dependent

    def to_dict(self) -> dict:
        """Every field, as JSON takes it."""
        d = asdict(self)
        d["status"] = str(self.status)
        d["covers"] = self.covers.to_dict() if self.covers is not None else None
        return d

    @classmethod
    def from_dict(cls, data: dict) -> SizeEvidence:
        """The evidence that `to_dict` (as JSON) gave; KeyError, TypeError or ValueError for a dict
        of another layout."""
        ce, covers = data["counterexample"], data["covers"]
        return cls(
            **{
                **data,
                "status": Status(data["status"]),
                "counterexample": Counterexample(**ce) if ce else None,
                "attempts": [Attempt.from_dict(a) for a in data["attempts"]],
                "covers": SizeRange.from_dict(covers) if covers is not None else None,
            }
        )


#: How a verdict presents itself ("text" for print(), "latex" for Jupyter): the package sets them
#: to the report's and the LaTeX exporter's printers, so that this module, which both read,
#: depends on neither.
_presenters: dict[str, Callable[[Verdict], str]] = {}


def present_with(*, text: Callable[[Verdict], str], latex: Callable[[Verdict], str]) -> None:
    """Word verdicts through `text` and typeset them through `latex`."""
    _presenters.update(text=text, latex=latex)


@dataclass
class Verdict:
    obligation_id: str
    name: str
    step: str
    status: Status
    expected: Status
    evidence: list[SizeEvidence] = field(default_factory=list)
    seconds: float = 0.0
    seed: int = 0
    #: Proved for every size of these ranges (an index-level claim), not only at the sizes checked.
    every_size: SizeRange | None = None

    @property
    def as_expected(self) -> bool:
        return self.status == self.expected

    @property
    def strategy(self) -> str:
        names = []
        for e in self.evidence:
            for n in e.strategy.split(", "):
                if n and n not in names:
                    names.append(n)
        return ", ".join(names)

    @property
    def message(self) -> str:
        seen = []
        for e in self.evidence:
            if e.message and e.message not in seen:
                seen.append(f"[{e.size}] {e.message}" if e.size else e.message)
        return "; ".join(seen)

    @property
    def counterexample(self) -> Counterexample | None:
        return next((e.counterexample for e in self.evidence if e.counterexample), None)

    @property
    def max_rel_error(self) -> float:
        return max((e.max_rel_error for e in self.evidence), default=0.0)

    @property
    def instances(self) -> int:
        return sum(e.instances for e in self.evidence)

    def __str__(self) -> str:
        """The verdict as `symderiv check` words it, for print() in a notebook or a script."""
        text = _presenters.get("text")
        return text(self) if text is not None else repr(self)

    def _repr_latex_(self) -> str | None:
        """The verdict typeset in a Jupyter notebook."""
        latex = _presenters.get("latex")
        return latex(self) if latex is not None else None

    def to_dict(self) -> dict:
        d = asdict(self)
        d["status"] = str(self.status)
        d["expected"] = str(self.expected)
        d["evidence"] = [e.to_dict() for e in self.evidence]
        d["as_expected"] = self.as_expected
        d["every_size"] = self.every_size.to_dict() if self.every_size else None
        return d

    @classmethod
    def from_dict(cls, data: dict) -> Verdict:
        """The verdict that `to_dict` (as JSON) gave; KeyError, TypeError or ValueError for a dict of
        another layout."""
        every_size = data["every_size"]
        return cls(
            **{
                **{k: v for k, v in data.items() if k != "as_expected"},
                "status": Status(data["status"]),
                "expected": Status(data["expected"]),
                "evidence": [SizeEvidence.from_dict(e) for e in data["evidence"]],
                "every_size": SizeRange.from_dict(every_size) if every_size is not None else None,
            }
        )
