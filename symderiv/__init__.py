"""symderiv: machine-check a written derivation, step by step."""

from .checker import Settings, check, check_all
from .claims import Equal, Inequality, NonNegative
from .domain import Domains, OpenInterval, Positive, Real, Simplex, SmoothFunctions
from .mdp import MDPArrays, SymbolicMDP
from .obligation import Derivation, Obligation, Size, sizes
from .verdict import Counterexample, Status, Verdict

__version__ = "0.1.0"

__all__ = [
    "Counterexample", "Derivation", "Domains", "Equal", "Inequality", "MDPArrays", "NonNegative",
    "Obligation", "OpenInterval", "Positive", "Real", "Settings", "Simplex", "Size", "SmoothFunctions",
    "Status", "SymbolicMDP", "Verdict", "check", "check_all", "sizes",
]
