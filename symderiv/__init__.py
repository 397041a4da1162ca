"""symderiv: machine-check a written derivation, step by step.

The public names are imported when first used (`symderiv.Equal`, `from symderiv import Equal`), so
that the command line can answer a rerun with nothing changed (`replay`) without importing SymPy.
`sizes` is the RL vocabulary's (`symderiv.rl.sizes`), kept here for proof files.
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING

from . import verdict
from ._version import __version__ as __version__

#: Entries per SymPy cache, read once when SymPy is first imported.  A claim at 3x3 builds and
#: simplifies more distinct expressions than SymPy's default (1000) holds, and evicted ones are
#: rebuilt with all their assumption queries: the note's cold run takes 10-15% less CPU with this.
#: A value the user sets (the environment variable, or SymPy imported first) is kept.
SYMPY_CACHE_SIZE = 100_000
os.environ.setdefault("SYMPY_CACHE_SIZE", str(SYMPY_CACHE_SIZE))

if TYPE_CHECKING:
    from .api import check
    from .checker import Settings, check_all
    from .claims import Equal, Inequality, NonNegative
    from .definitions import Definition
    from .differentiation import derivative
    from .domain import Domains, OpenInterval, Positive, Real, Simplex, SmoothFunctions
    from .indexed import IndexDomain, IndexEqual, IndexLevel, IndexRange, SmoothTable, Table, ValueTable
    from .obligation import Derivation, Obligation, Size
    from .rl import sizes
    from .rules import Chain, JacobianContraction, Resolvent, SumOfNonNegative, Term, sup_norm
    from .verdict import Counterexample, SizeRange, Status, Verdict
    from .vocabulary import Vocabulary

#: The modules of the package that define the public names.
_DEFINED_IN = {
    name: module
    for module, names in {
        ".api": ["check"],
        ".checker": ["Settings", "check_all"],
        ".claims": ["Equal", "Inequality", "NonNegative"],
        ".definitions": ["Definition"],
        ".differentiation": ["derivative"],
        ".domain": ["Domains", "OpenInterval", "Positive", "Real", "Simplex", "SmoothFunctions"],
        ".indexed": ["IndexDomain", "IndexEqual", "IndexLevel", "IndexRange", "SmoothTable", "Table", "ValueTable"],
        ".obligation": ["Derivation", "Obligation", "Size"],
        # The RL vocabulary's sizes (states x actions), which every bundled proof file imports from
        # here: the one name the package takes from a vocabulary, imported only when it is used.
        ".rl": ["sizes"],
        ".rules": ["Chain", "JacobianContraction", "Resolvent", "SumOfNonNegative", "Term", "sup_norm"],
        ".verdict": ["Counterexample", "SizeRange", "Status", "Verdict"],
        ".vocabulary": ["Vocabulary"],
    }.items()
    for name in names
}

__all__ = [
    "Chain",
    "Counterexample",
    "Definition",
    "Derivation",
    "Domains",
    "Equal",
    "IndexDomain",
    "IndexEqual",
    "IndexLevel",
    "IndexRange",
    "Inequality",
    "JacobianContraction",
    "NonNegative",
    "Obligation",
    "OpenInterval",
    "Positive",
    "Real",
    "Resolvent",
    "Settings",
    "Simplex",
    "Size",
    "SizeRange",
    "SmoothFunctions",
    "SmoothTable",
    "Status",
    "SumOfNonNegative",
    "Table",
    "Term",
    "ValueTable",
    "Verdict",
    "Vocabulary",
    "check",
    "check_all",
    "derivative",
    "sizes",
    "sup_norm",
]


def __getattr__(name: str) -> object:
    if name not in _DEFINED_IN:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_DEFINED_IN[name], __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_DEFINED_IN])


def _verdict_text(v: verdict.Verdict) -> str:
    from .report import verdict_text

    return verdict_text(v)


def _verdict_math(v: verdict.Verdict) -> str:
    from .export.latex import verdict_math

    return verdict_math(v)


verdict.present_with(text=_verdict_text, latex=_verdict_math)
