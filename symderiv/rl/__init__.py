"""The vocabulary of reinforcement learning: finite MDPs, their quantities and notation.

A derivation about MDPs passes `vocabularies=[symderiv.rl.VOCABULARY]` to `Derivation`
and builds its claims over `SymbolicMDP`, at sizes on the axes states and actions
(`sizes([1, 2], [2, 3])`, also `symderiv.sizes`); its NumPy references live in
`symderiv.rl.reference`.  Nothing in the core of symderiv imports this package (the package's
`symderiv.sizes` names this one's `sizes`, imported when first used).
"""

from ..vocabulary import Vocabulary
from . import reference
from .model import AXES, MDPArrays, SymbolicMDP, mdp_size, sizes
from .notation import NOTATION

VOCABULARY = Vocabulary("reinforcement learning", NOTATION, reference_modules=("symderiv.rl.reference",))

__all__ = ["AXES", "NOTATION", "VOCABULARY", "MDPArrays", "SymbolicMDP", "mdp_size", "reference", "sizes"]
