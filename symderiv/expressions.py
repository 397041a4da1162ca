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


def replaced(expr: sp.Basic, mapping: dict) -> sp.Basic:
    """`expr.xreplace(mapping)` (whole nodes replaced, the replacements not walked into), each
    distinct node visited once."""
    done: dict[int, sp.Basic] = {}

    def walk(e: sp.Basic) -> sp.Basic:
        found = done.get(id(e))
        if found is not None:
            return found
        if e in mapping:
            out = mapping[e]
        elif not e.args:
            out = e
        else:
            args = [walk(a) for a in e.args]
            out = e if all(a is b for a, b in zip(args, e.args)) else e.func(*args)
        done[id(e)] = out
        return out

    return walk(expr)
