"""symderiv: machine-check a written derivation, step by step."""

from . import verdict
from ._version import __version__ as __version__
from .api import check
from .checker import Settings, check_all
from .claims import Equal, Inequality, NonNegative
from .definitions import Definition
from .domain import Domains, OpenInterval, Positive, Real, Simplex, SmoothFunctions
from .export.latex import verdict_math
from .indexed import IndexDomain, IndexEqual, IndexLevel, IndexRange, SmoothTable, Table, ValueTable
from .obligation import Derivation, Obligation, Size, sizes
from .report import verdict_text
from .rules import Chain, JacobianContraction, Resolvent, SumOfNonNegative, Term, sup_norm
from .verdict import Counterexample, SizeRange, Status, Verdict
from .vocabulary import Vocabulary

verdict.present_with(text=verdict_text, latex=verdict_math)

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
    "sizes",
    "sup_norm",
]
