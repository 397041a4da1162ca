"""A counterexample's values as a reader needs them: an unknown function as the member its
sampler drew (a·tanh(b·θ + c) + d·sin(e·θ) + g·θ² with the drawn coefficients put in), not as
its coefficients, and every other value under its own name."""

from __future__ import annotations

import re
from dataclasses import dataclass

import sympy as sp

from .domain import SmoothFunctions

#: How SmoothFunctions names the coefficients of an unknown function f: f__c0, f__c1, ...
_COEFFICIENT = re.compile(r"(?P<function>.+)__c(?P<k>\d+)")
#: The parameter the drawn functions are shown in.
THETA = sp.Symbol("theta", real=True)


@dataclass(frozen=True)
class Value:
    """One value of a counterexample: a symbol's number, or an unknown function's drawn member."""

    name: str
    number: float | None = None
    function: sp.Expr | None = None


def exact(x: float) -> sp.Expr:
    """A shrunk value as the round number it is (0.5 as 1/2); any other float as itself."""
    r = sp.Rational(repr(float(x)))
    return r if r.q <= 1000 else sp.Float(x, 6)


def drawn_function(name: str, coefficients: dict[int, float]) -> sp.Expr:
    """The member of SmoothFunctions' family that the coefficients pick, as an expression in θ."""
    f = sp.Function(name, real=True)(THETA)
    family = SmoothFunctions([f], THETA)
    dummies = family.coefficients[f]
    return family.concrete(f).xreplace({c: exact(coefficients.get(k, 0.0)) for k, c in enumerate(dummies)})


def shown_values(values: dict[str, float]) -> list[Value]:
    """`values` with each unknown function's coefficients folded into the function they draw, and
    the entries of a table that all hold the same value shown once, with `·` for their indices."""
    return _grouped(_folded(values))


_INDEXED = re.compile(r"(?P<base>[A-Za-z][A-Za-z0-9]*?)(?P<indices>(?:_\d+)+)")


def _grouped(values: list[Value]) -> list[Value]:
    tables: dict[tuple[str, int], list[Value]] = {}
    for v in values:
        m = _INDEXED.fullmatch(v.name)
        if m is not None:
            tables.setdefault((m["base"], m["indices"].count("_")), []).append(v)
    out: list[Value] = []
    done: set[tuple[str, int]] = set()
    for v in values:
        m = _INDEXED.fullmatch(v.name)
        key = (m["base"], m["indices"].count("_")) if m is not None else None
        members = tables.get(key, []) if key is not None else []
        if key is not None and len(members) > 1 and len({(x.number, x.function) for x in members}) == 1:
            if key not in done:
                done.add(key)
                out.append(Value(key[0] + "_·" * key[1], v.number, v.function))
            continue
        out.append(v)
    return out


def _folded(values: dict[str, float]) -> list[Value]:
    functions: dict[str, dict[int, float]] = {}
    out: list[Value] = []
    for name, number in values.items():
        m = _COEFFICIENT.fullmatch(name)
        if m is None:
            out.append(Value(name, number))
            continue
        if m["function"] not in functions:
            functions[m["function"]] = {}
            out.append(Value(m["function"]))
        functions[m["function"]][int(m["k"])] = number
    return [Value(v.name, function=drawn_function(v.name, functions[v.name])) if v.number is None else v for v in out]
