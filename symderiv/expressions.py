"""Walks over SymPy expressions that visit each distinct node once.

A claim's tree (a gradient through a solved system) is far larger than its graph of
distinct sub-expressions; `Basic.atoms` walks the tree, seconds on a 3-state claim."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import sympy as sp
from sympy.core.operations import AssocOp


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


def free_symbols_of(exprs: Iterable[sp.Basic]) -> set[sp.Basic]:
    """The free symbols of `exprs`, as SymPy's `free_symbols` gives them, each distinct node visited
    once: a node whose class says which of its symbols are free (a symbol, a sum, a derivative, an
    indexed entry) is asked, any other is walked into."""
    found: set[sp.Basic] = set()
    stack = list(exprs)
    seen: set[sp.Basic] = set()
    while stack:
        e = stack.pop()
        if e in seen:
            continue
        seen.add(e)
        if free_in_arguments(type(e)):
            stack.extend(e.args)
        else:
            found |= e.free_symbols
    return found


#: SymPy's own `free_symbols`, the union of the arguments' (the classes that bind or are symbols
#: define their own).
_WALKED = vars(sp.Basic)["free_symbols"]


#: `free_in_arguments` of each class met so far.
_WALKED_CLASSES: dict[type, bool] = {}


def free_in_arguments(cls: type) -> bool:
    """Whether the free symbols of a `cls` node are those of its arguments (SymPy's own
    `free_symbols`; a symbol, or a node that binds variables, has its own).  Looked up in the
    class's own MRO: a function class's metaclass has a `free_symbols` of its own, so `exp.free_symbols`
    is the empty set, not the method an `exp(x)` has."""
    found = _WALKED_CLASSES.get(cls)
    if found is None:
        own = next(vars(k)["free_symbols"] for k in cls.__mro__ if "free_symbols" in vars(k))
        found = _WALKED_CLASSES[cls] = own is _WALKED
    return found


def distinct_preorder(expr: sp.Basic) -> Iterator[sp.Basic]:
    """The sub-expressions of `expr` in preorder, each distinct one once: the order in which
    `sp.preorder_traversal` first meets them, without walking a repeated subtree again."""
    seen: set[sp.Basic] = set()
    stack = [expr]
    while stack:
        e = stack.pop()
        if e in seen:
            continue
        seen.add(e)
        yield e
        stack.extend(reversed(e.args))


def unevaluated(e: sp.Basic, args: Sequence[sp.Basic]) -> sp.Basic:
    """`e` with new `args`, not evaluated where its class can skip evaluating (sums, products,
    powers, Max and Min, functions), as under SymPy's `evaluate(False)`.  That context is not
    used: changing the global setting empties SymPy's cache, on entering and on leaving, and
    every claim built after it was built cold (the note's claims, serially: 10 s on their own,
    21 s between compilations that used it)."""
    if isinstance(e, (AssocOp, sp.Pow, sp.Function)):
        return e.func(*args, evaluate=False)
    return e.func(*args)


def replaced(expr: sp.Basic, mapping: dict, evaluate: bool = True) -> sp.Basic:
    """`expr.xreplace(mapping)` (whole nodes replaced, the replacements not walked into), each
    distinct node visited once; with `evaluate` false, the nodes rebuilt are left `unevaluated`."""
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
            if all(a is b for a, b in zip(args, e.args)):
                out = e
            else:
                out = e.func(*args) if evaluate else unevaluated(e, args)
        done[id(e)] = out
        return out

    return walk(expr)


def argument_names(count: int, shared: tuple) -> list[str]:
    """`count` names of arguments for code printed from the `cse` output `shared`: `_arg0`, `_arg1`,
    ..., lengthened with underscores until no symbol or temporary of `shared` has a name that starts
    the same way."""
    replacements, reduced = shared
    taken = {str(s) for s in atoms_of([*reduced, *(e for _, e in replacements)], sp.Symbol)}
    taken |= {str(v) for v, _ in replacements}
    prefix = _unused_prefix("_arg", taken)
    return [f"{prefix}{k}" for k in range(count)]


def _unused_prefix(prefix: str, taken: set[str]) -> str:
    """`prefix`, lengthened with underscores until no name in `taken` starts with it: names made
    from it and a number meet none of them."""
    while any(name.startswith(prefix) for name in taken):
        prefix = "_" + prefix
    return prefix


def shared_subexpressions(exprs: Sequence[sp.Basic]) -> tuple[list[tuple[sp.Symbol, sp.Expr]], list[sp.Basic]]:
    """SymPy's `cse` output, (temporaries, reduced expressions), for the sharing `exprs` already
    have: every compound sub-expression that occurs more than once, as an argument or as one of
    `exprs`, is computed once as a temporary, defined after those it uses.  A piecewise
    expression or a node that binds variables (a sum, an integral) is shared whole or not at all.

    Linear in the distinct nodes.  SymPy's `cse` also searches products and sums for common
    factors and terms, which costs seconds on a claim at three states and which a compiled
    claim does not need: its repetitions are whole shared nodes.  The pieces are rebuilt
    `unevaluated`, as they were (evaluating them again gives the same values at a cost)."""
    occurrences: dict[sp.Basic, int] = {}
    for root in exprs:
        occurrences[root] = occurrences.get(root, 0) + 1
    postorder: list[sp.Basic] = []
    visited: set[sp.Basic] = set()
    stack: list[tuple[sp.Basic, bool]] = [(root, False) for root in reversed(exprs)]
    while stack:
        e, expanded = stack.pop()
        if expanded:
            postorder.append(e)
            continue
        if e in visited:
            continue
        visited.add(e)
        stack.append((e, True))
        if isinstance(e, sp.Piecewise) or not free_in_arguments(type(e)):
            # Nothing is taken out of a branch computed only when its condition holds (1/x where
            # x > 0 would be computed at x = 0 too), nor out of a node that binds a variable.
            continue
        for a in reversed(e.args):
            occurrences[a] = occurrences.get(a, 0) + 1
            if a not in visited:
                stack.append((a, False))
    taken = {str(s) for s in postorder if isinstance(s, sp.Symbol)}
    prefix = _unused_prefix("_x", taken)
    temporaries: list[tuple[sp.Symbol, sp.Expr]] = []
    rebuilt: dict[sp.Basic, sp.Basic] = {}
    for e in postorder:
        args = [rebuilt.get(a, a) for a in e.args]
        out = e if all(a is b for a, b in zip(args, e.args)) else unevaluated(e, args)
        if occurrences[e] > 1 and isinstance(e, sp.Expr) and not e.is_Atom:
            name = sp.Symbol(f"{prefix}{len(temporaries)}")
            temporaries.append((name, out))
            out = name
        rebuilt[e] = out
    return temporaries, [rebuilt.get(e, e) for e in exprs]
