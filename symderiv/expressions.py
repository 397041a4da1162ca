"""Walks over SymPy expressions that visit each distinct node once.

A claim's tree (a gradient through a solved system) is far larger than its graph of
distinct sub-expressions; `Basic.atoms` walks the tree, seconds on a 3-state claim."""

from __future__ import annotations

from collections.abc import Iterable

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
