"""Plain-text and JSON reports of verdicts.

Only a counterexample's values are printed through SymPy, and it is imported when one is: a rerun
answered from its record (`replay`) prints its report without importing SymPy.
"""

from __future__ import annotations

import functools
import json
import math
import re
import shlex
from collections import Counter
from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, cast

from .outcome import Attempt, Outcome
from .verdict import Counterexample, Status, Verdict
from .vocabulary import Vocabulary

if TYPE_CHECKING:
    from sympy.printing.str import StrPrinter

    from .checker import Settings
    from .loader import LoadFailure
    from .values import Value


#: Said before the verdicts of a run replayed from its record (`replay`).
REPLAYED = "every verdict from the record of the last run with these arguments; nothing has changed since (times are that run's)"


def check_header(obligations: int, seed: int, samples: int, time_limit: float) -> str:
    """The first line of `symderiv check`: what is checked, and with which settings."""
    from ._version import __version__

    return (
        f"symderiv {__version__}: {obligations} obligations, seed {seed}, {samples} samples, time limit {time_limit:g}s"
    )


def verdict_lines(
    k: int,
    n: int,
    v: Verdict,
    verbose: bool,
    path: Path | None,
    samples: int | None,
    vocabularies: Sequence[Vocabulary],
) -> list[str]:
    """The `k`th of `n` verdicts as `symderiv check` prints it: its line, the `details` a reader needs
    to act on it and, if `verbose`, its `phases`."""
    lines = [f"[{k:>{len(str(n))}}/{n}] " + verdict_line(v), *details(v, verbose, path, samples, vocabularies)]
    return lines + (phases(v) if verbose else [])


def _status(v: Verdict) -> str:
    """The verdict, with what a weaker one lacks."""
    if v.status is Status.ARGUED:
        return "argued (implication not machine-checked)"
    if v.status is Status.NUMERIC:
        return "numeric (no symbolic proof)"
    if v.every_size is not None:
        return f"proved for {v.every_size}"
    return str(v.status)


def verdict_line(v: Verdict, width: int = 44) -> str:
    """`N11  q_eq_soft_value_plus_log_ratio  proved  1x2,1x3,1x4  generalise+cancel  0.81s`, and what
    was unexpected."""
    sizes = ",".join(e.size for e in v.evidence if e.size) or "-"
    line = (
        f"{v.obligation_id:<14} {v.name:<{width}} {_status(v):<8} {sizes:<11} {v.strategy or '-':<22} {v.seconds:6.2f}s"
    )
    if v.evidence and all(e.cached for e in v.evidence):
        line += " (cached)"
    if not v.as_expected:
        line += f"  UNEXPECTED: expected {v.expected}"
    return line


def verdict_text(v: Verdict) -> str:
    """`claim: proved by generalise+cancel, 10000 instances, 0.12s` and the details: how
    `print(verdict)` shows one verdict in a notebook or a script."""
    head = f"{v.obligation_id}{' ' + v.name if v.name else ''}: {_status(v)}"
    head += f" by {v.strategy}" if v.strategy else ""
    head += f", {v.instances} instances" if v.instances else ""
    head += f", {v.seconds:.2f}s"
    head += "" if v.as_expected else f"; expected {v.expected}"
    return "\n".join([head, *details(v, verbose=True)])


@functools.cache
def _unicode_printer() -> StrPrinter:
    """A printer of expressions as the terminal shows them: model symbols in the source's notation."""
    from sympy.printing.str import StrPrinter

    from .export.notation import symbol_text

    class UnicodePrinter(StrPrinter):
        def _print_Symbol(self, expr) -> str:
            return symbol_text(expr.name)

    return UnicodePrinter()


def value_text(value: Value) -> str:
    """`p(0|1,0) = 0.5`, or `Q(0,1;θ) = sin(θ) + tanh(1)` for an unknown function as drawn."""
    from .export.notation import function_latex, latex_as_text, symbol_text
    from .values import THETA

    if value.function is not None:
        name = latex_as_text(function_latex(value.name, THETA))
        return f"{name} = {_unicode_printer().doprint(value.function)}"
    return f"{symbol_text(value.name)} = {value.number:.6g}"


def counterexample_lines(ce: Counterexample) -> list[str]:
    """The counterexample in the source's notation, each unknown function as the member drawn."""
    from .values import shown_values

    where = ", ".join(
        x
        for x in (
            f"size {ce.size}" if ce.size else "",
            f"element {ce.element}" if ce.element else "",
            f"seed {ce.seed}",
        )
        if x
    )
    head = f"counterexample{' (' + where + ')' if where else ''}: lhs = {ce.lhs:.12g}, rhs = {ce.rhs:.12g}"
    out = [head + (f" ({ce.note})" if ce.note else "")]
    out.append("  " + ", ".join(value_text(x) for x in shown_values(ce.values)))
    return out


def reproduce_line(v: Verdict, path: Path | None, samples: int | None = None) -> str:
    """The command that checks this obligation again at the counterexample's size and seed."""
    ce = v.counterexample
    parts = ["symderiv check"]
    if path is not None:
        parts.append(shlex.quote(_relative(path)))
    parts.append(f"-k {shlex.quote(v.obligation_id)}")
    sizes = ce.size if ce is not None else ",".join(e.size for e in v.evidence if e.size)
    if sizes:
        parts.append(f"--sizes {sizes}")
    parts.append(f"--seed {ce.seed if ce is not None else v.seed}")
    if samples is not None:
        parts.append(f"--samples {samples}")
    return " ".join(parts)


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def details(
    v: Verdict,
    verbose: bool = False,
    path: Path | None = None,
    samples: int | None = None,
    vocabularies: Sequence[Vocabulary] = (),
) -> list[str]:
    """Indented lines with what a reader needs to act on a verdict: only for one that is not as
    expected, unless `verbose`; symbols in the notation of `vocabularies`."""
    if v.as_expected and not verbose:
        return []
    from .export.notation import using

    with using(vocabularies):
        return _details(v, path, samples)


def _details(v: Verdict, path: Path | None, samples: int | None) -> list[str]:
    out = []
    if v.message:
        out.append(f"    note: {v.message}")
    ce = v.counterexample
    if ce is not None:
        out += ["    " + line for line in counterexample_lines(ce)]
    for e in v.evidence:
        for a in e.attempts:
            where = f"[{e.size}] " if e.size else ""
            if a.outcome is Outcome.UNDEFINED:
                out.append(f"    undefined: {where}the denominator {a.detail} is zero on the whole domain")
            elif a.outcome is Outcome.UNSETTLED:
                out.append(f"    unsettled: {where}{UNSETTLED_TEXT.format(a.detail)}")
    if v.status in (Status.NUMERIC, Status.ERROR) or not v.as_expected:
        residual = next((e.residual for e in v.evidence if e.residual), "")
        if residual:
            out.append(f"    residual: {residual}")
    if not v.as_expected and path is not None:
        out.append(f"    reproduce: {reproduce_line(v, path, samples)}")
    return out


def phases(v: Verdict) -> list[str]:
    """Per size: where the time went, and each symbolic attempt."""
    out = []
    for e in v.evidence:
        where = f"[{e.size}] " if e.size else ""
        cached = " (cached)" if e.cached else ""
        if e.covered:
            out.append(f"    {where}{e.strategy}, not checked on its own")
            continue
        out.append(
            f"    {where}build {e.seconds_build:.2f}s, numeric {e.seconds_numeric - e.seconds_build:.2f}s, "
            f"symbolic {e.seconds_symbolic:.2f}s, {e.instances} instances{cached}"
        )
        repeats = Counter(attempt_text(a) for a in e.attempts)
        out += [f"        {a}" + (f" (x{k})" if k > 1 else "") for a, k in repeats.items()]
    return out


#: How each outcome reads in a report.
OUTCOME_TEXT = {
    Outcome.PROVED: "zero",
    Outcome.NOT_ZERO: "nonzero",
    Outcome.BUDGET_EXCEEDED: "over its work budget",
    Outcome.TIMED_OUT: "stopped by the time limit",
    Outcome.KILLED: "killed",
    Outcome.OUT_OF_MEMORY: "out of memory",
    Outcome.ERROR: "raised",
    Outcome.DEFINED: "no denominator is zero on the whole domain",
    Outcome.UNDEFINED: "a denominator is zero on the whole domain",
    Outcome.UNSETTLED: "a denominator is not shown to be non-zero almost everywhere",
    Outcome.NOT_APPLICABLE: "not applicable",
}


#: Why a proof that cancels the denominator in `{}` is not given.
UNSETTLED_TEXT = "the denominator {} is not shown to be non-zero almost everywhere, so no rewrite may cancel it"


def attempt_text(a: Attempt) -> str:
    """`expand: nonzero`, `generalise+cancel on 4 element(s) at once: 3 zero`, ... (times left out,
    so that repeated attempts read as one line)."""
    head = f"certificate {a.part}: " if a.part else ""
    head += a.strategy if a.elements == 1 else f"{a.strategy} on {a.elements} element(s) at once"
    if a.elements > 1 and a.outcome in (Outcome.PROVED, Outcome.NOT_ZERO):
        what = f"{a.zeros} zero"
    elif a.outcome is Outcome.TIMED_OUT:
        what = f"stopped by the time limit after {a.cpu_seconds:.3g}s of CPU time"
    elif a.outcome is Outcome.KILLED:
        what = f"worker killed after {a.seconds:g}s"
    elif a.outcome is Outcome.UNDEFINED:
        what = f"the denominator {a.detail} is zero on the whole domain"
    elif a.outcome is Outcome.UNSETTLED:
        what = UNSETTLED_TEXT.format(a.detail)
    else:
        what = OUTCOME_TEXT[a.outcome] + (f": {a.detail}" if a.detail else "")
    return f"{head}: {what}"


def summary(verdicts: Sequence[Verdict], failures: int = 0) -> str:
    counts = Counter(str(v.status) for v in verdicts)
    parts = [f"{counts.get(s.value, 0)} {s.value}" for s in Status]
    unexpected = sum(not v.as_expected for v in verdicts)
    text = f"{len(verdicts)} obligations: " + ", ".join(parts)
    text += f"; {unexpected} not as expected" if unexpected else "; all as expected"
    if failures:
        text += f"; {failures} proof module(s) failed to load"
    return text


#: Keys of the JSON that depend on the run, not on the claims: left out unless timings are asked for.
RUN_KEYS = (
    "seconds",
    "seconds_symbolic",
    "seconds_numeric",
    "seconds_build",
    "seconds_worst_attempt",
    "cpu_seconds",
    "cached",
)


def json_number(x: float) -> float | str:
    """A float as JSON has it: finite numbers as numbers, others as the strings "inf", "-inf", "nan"."""
    if math.isfinite(x):
        return x
    return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")


def _element(text: str) -> list[int]:
    """An element index, `(1, 0)` or `0`, as the array [1, 0] or [0]."""
    return [int(k) for k in re.findall(r"-?\d+", text)]


def _plain(value: object, timings: bool) -> object:
    """A verdict's fields as JSON values: enums by value, floats by `json_number`, run keys dropped."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, float):
        return json_number(value)
    if isinstance(value, dict):
        return {str(k): _plain(v, timings) for k, v in value.items() if timings or str(k) not in RUN_KEYS}
    if isinstance(value, (list, tuple)):
        return [_plain(v, timings) for v in value]
    if value is None or isinstance(value, (bool, int, str)):
        return value
    raise TypeError(f"no JSON form for {type(value).__name__}")


def verdict_json(v: Verdict, timings: bool = False) -> dict:
    d = cast(dict, _plain(v.to_dict(), timings))
    for e in d["evidence"]:
        ce = e["counterexample"]
        if ce is not None:
            ce["element"] = _element(ce["element"]) if ce["element"] else None
    return d


def settings_json(settings: Settings) -> dict:
    return {
        "seed": settings.seed,
        "samples": settings.samples,
        "time_limit": json_number(settings.time_limit),
        "rtol": json_number(settings.rtol),
        "sizes": [str(s) for s in settings.sizes] if settings.sizes is not None else None,
        "reference_samples": settings.reference_samples,
        "strategies": [s.name for s in settings.strategies],
    }


def to_json(
    verdicts: Sequence[Verdict],
    failures: Sequence[LoadFailure] = (),
    settings: Settings | None = None,
    timings: bool = False,
) -> str:
    """The verdicts as JSON (schema: docs/api.md): the same claims and settings give the same text,
    unless `timings` adds the seconds and the cache hits of this run."""
    return json_document(verdicts, failures, settings_json(settings) if settings is not None else None, timings)


def json_document(
    verdicts: Sequence[Verdict], failures: Sequence[LoadFailure], settings: dict | None, timings: bool
) -> str:
    """`to_json` with the settings already as `settings_json` gives them (as a replayed run has them)."""
    return json.dumps(
        {
            "settings": settings,
            "verdicts": [verdict_json(v, timings) for v in verdicts],
            "load_failures": [{"path": str(f.path), "message": f.message} for f in failures],
        },
        indent=2,
        allow_nan=False,
        ensure_ascii=False,
    )


def coverage(derivation, verdicts: Sequence[Verdict] | None = None) -> tuple[str, list[str]]:
    """A table of every step of the source -> its obligations -> their verdicts, and the
    steps that have no obligation at all (so that none is skipped in silence)."""
    by_id = {v.obligation_id: v for v in verdicts or ()}
    steps = list(derivation.steps) or list(dict.fromkeys(o.step for o in derivation))
    steps += [o.step for o in derivation if o.step not in steps]
    rows, missing = [], []
    for step in dict.fromkeys(steps):
        obligations = [o for o in derivation if o.step == step]
        if not obligations:
            missing.append(step)
            rows.append(f"| {step} | (none) | MISSING | |")
        for o in obligations:
            v = by_id.get(o.id)
            got = str(v.status) if v else "not checked"
            mark = "" if v is None or v.as_expected else f"expected {o.expect}"
            rows.append(f"| {step} | {o.id} `{o.name}` | {got} | {mark} |")
    header = f"{derivation.title}\n\n| step | obligation | verdict | note |\n|---|---|---|---|"
    return "\n".join([header, *rows]), missing
