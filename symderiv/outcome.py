"""What one symbolic attempt came to, as values: the engines record them, the cache stores them,
and only the report and export layers turn them into words."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Outcome(str, Enum):
    """How an attempt ended."""

    PROVED = "proved"
    #: The rewrite finished and left something that is not zero.
    NOT_ZERO = "not-zero"
    #: A counted work budget (terms, tree nodes) ended it: the same on every machine.
    BUDGET_EXCEEDED = "budget-exceeded"
    #: The CPU-time limit stopped it.
    TIMED_OUT = "timed-out"
    #: Its worker outlived the wall-clock margin over its limits (the timer could not reach it).
    KILLED = "killed"
    #: It ran out of the memory a worker may use (MemoryError, or the worker died).
    OUT_OF_MEMORY = "out-of-memory"
    #: The rewrite raised an exception: a strategy that does not apply.
    ERROR = "error"
    #: The denominator check: no denominator is zero on the whole domain, or one is (`detail`), or
    #: one is not shown to be non-zero almost everywhere (`detail`; it may vanish on a window).
    DEFINED = "defined"
    UNDEFINED = "undefined"
    UNSETTLED = "unsettled"
    #: Nothing to attempt: a rule that does not give the claim, or a claim without a certificate.
    NOT_APPLICABLE = "not-applicable"

    def __str__(self) -> str:
        return self.value

    @property
    def machine_dependent(self) -> bool:
        """Whether a faster or larger machine might have ended the attempt otherwise."""
        return self in (Outcome.TIMED_OUT, Outcome.KILLED, Outcome.OUT_OF_MEMORY)


@dataclass(frozen=True)
class Attempt:
    """One rewrite of one difference (or, jointly, of `elements` of them at once)."""

    strategy: str
    outcome: Outcome
    #: Wall-clock and CPU seconds it took.
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    #: A joint attempt decides several elements at once; `zeros` of them reached zero.
    elements: int = 1
    zeros: int = 0
    #: What it stopped on, as data for the report: the exception's type, the budget it exceeded,
    #: the denominator that vanishes.
    detail: str = ""
    #: The certificate premise it belongs to ("" for the claim itself).
    part: str = ""

    @classmethod
    def from_dict(cls, data: dict) -> Attempt:
        return cls(**{**data, "outcome": Outcome(data["outcome"])})
