"""symderiv: machine-check a written derivation, step by step."""

from .api import check
from .checker import Settings, check_all
from .claims import Equal, Inequality, NonNegative
from .definitions import Definition
from .domain import Domains, OpenInterval, Positive, Real, Simplex, SmoothFunctions
from .obligation import Derivation, Obligation, Size, sizes
from .rules import Chain, JacobianContraction, Resolvent, SumOfNonNegative, Term, sup_norm
from .verdict import Counterexample, Status, Verdict
from .vocabulary import Vocabulary

__version__ = "0.1.0"

__all__ = [
    "Chain",
    "Counterexample",
    "Definition",
    "Derivation",
    "Domains",
    "Equal",
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
    "SmoothFunctions",
    "Status",
    "SumOfNonNegative",
    "Term",
    "Verdict",
    "Vocabulary",
    "check",
    "check_all",
    "sizes",
    "sup_norm",
]
