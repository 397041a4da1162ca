"""The vocabulary of reinforcement learning: finite MDPs, their quantities and notation.

A derivation about MDPs passes `vocabularies=[symderiv.rl.VOCABULARY]` to `Derivation`
and builds its claims over `SymbolicMDP`; its NumPy references live in
`symderiv.rl.reference`.  Nothing in the core of symderiv imports this package.
"""

from ..vocabulary import Vocabulary
from . import reference
from .model import MDPArrays, SymbolicMDP
from .notation import NOTATION

VOCABULARY = Vocabulary("reinforcement learning", NOTATION, reference_modules=("symderiv.rl.reference",))

__all__ = ["NOTATION", "VOCABULARY", "MDPArrays", "SymbolicMDP", "reference"]
