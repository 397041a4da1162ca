"""Plain-text and JSON reports of verdicts."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence

from .verdict import Status, Verdict


def _status(v: Verdict) -> str:
    """The verdict, with what a weaker one lacks."""
    if v.status is Status.ARGUED:
        return "argued (implication not machine-checked)"
    if v.status is Status.NUMERIC:
        return "numeric (no symbolic proof)"
    return str(v.status)


def verdict_line(v: Verdict, width: int = 44) -> str:
    """`N11  q_is_soft_value_plus_log_ratio  proved  expand  0.31s`, and what was unexpected."""
    line = f"{v.obligation_id:<14} {v.name:<{width}} {_status(v):<8} {v.strategy or '-':<22} {v.seconds:6.2f}s"
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
    return "\n".join([head, *details(v)])


def details(v: Verdict) -> list[str]:
    """Indented lines with what a reader needs to act on a verdict."""
    out = []
    if v.message:
        out.append(f"    note: {v.message}")
    ce = v.counterexample
    if ce is not None:
        out.append(f"    counterexample: {ce.describe()}")
    if v.status in (Status.NUMERIC, Status.ERROR) or not v.as_expected:
        residual = next((e.residual for e in v.evidence if e.residual), "")
        if residual:
            out.append(f"    residual: {residual}")
    return out


def phases(v: Verdict) -> list[str]:
    """Per size: where the time went, and each symbolic attempt."""
    out = []
    for e in v.evidence:
        where = f"[{e.size}] " if e.size else ""
        cached = " (cached)" if e.cached else ""
        out.append(
            f"    {where}build {e.seconds_build:.2f}s, numeric {e.seconds_numeric - e.seconds_build:.2f}s, "
            f"symbolic {e.seconds_symbolic:.2f}s, {e.instances} instances{cached}"
        )
        repeats = Counter(re.sub(r" \([\d.]+s\)$", "", a) for a in e.attempts)
        out += [f"        {a}" + (f" (x{k})" if k > 1 else "") for a, k in repeats.items()]
    return out


def summary(verdicts: Sequence[Verdict], failures: int = 0) -> str:
    counts = Counter(str(v.status) for v in verdicts)
    parts = [f"{counts.get(s.value, 0)} {s.value}" for s in Status]
    unexpected = sum(not v.as_expected for v in verdicts)
    text = f"{len(verdicts)} obligations: " + ", ".join(parts)
    text += f"; {unexpected} not as expected" if unexpected else "; all as expected"
    if failures:
        text += f"; {failures} proof module(s) failed to load"
    return text


def to_json(verdicts: Sequence[Verdict], failures=(), settings=None) -> str:
    return json.dumps(
        {
            "settings": settings,
            "verdicts": [v.to_dict() for v in verdicts],
            "load_failures": [{"path": str(f.path), "message": f.message} for f in failures],
        },
        indent=2,
        default=str,
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
