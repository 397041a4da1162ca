"""Walks over SymPy expressions that visit each distinct node once.

A claim's tree (a gradient through a solved system) is far larger than its graph of
distinct sub-expressions; `Basic.atoms` walks the tree, seconds on a 3-state claim."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import sympy as sp


def atoms_of(exprs: Iterable[sp.Basic], kind: type | tuple[type, ...]) -> set[sp.Basic]:
    """The sub-expressions of `exprs` that are instances of `kind`, each node visited once."""
    stack = list(exprs)
    seen = {id(e) for e in stack}
    found = set()
    while stack:
        e = stack.pop()
        if isinstance(e, kind):
            found.add(e)
        for a in e.args:
            if id(a) not in seen:
                seen.add(id(a))
                stack.append(a)
    return found


def without_dummy_arguments(symbols: Sequence[sp.Symbol], shared: tuple) -> tuple[list[sp.Symbol], tuple]:
    """`symbols` and their `cse` output `shared`, with every argument renamed to a plain symbol
    without assumptions when one of them is a Dummy, in one substitution.

    `lambdify` renames every argument to a Dummy when one of them is a Dummy (a concretised
    function's coefficients), substituting one argument at a time into the whole of `shared`:
    seconds on a claim at three states, repeated for every compilation of it.  The names it is
    given here are plain, so it leaves them as they are."""
    if not any(isinstance(s, sp.Dummy) for s in symbols):
        return list(symbols), shared
    replacements, reduced = shared
    taken = {str(s) for s in atoms_of([*reduced, *(e for _, e in replacements)], sp.Symbol)}
    taken |= {str(v) for v, _ in replacements}
    prefix = "_arg"
    while any(name.startswith(prefix) for name in taken):
        prefix = "_" + prefix
    plain = [sp.Symbol(f"{prefix}{k}") for k in range(len(symbols))]
    renamed = dict(zip(symbols, plain))
    return plain, (
        [(v, e.xreplace(renamed)) for v, e in replacements],
        [e.xreplace(renamed) for e in reduced],
    )
