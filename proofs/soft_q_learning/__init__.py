"""Proof obligations for the note on Schulman, Chen and Abbeel (2017), "Equivalence
Between Policy Gradients and Soft Q-Learning" (source: shared/seeds/000_b3a86397f123462f.txt).

Each obligation cites the note's step (N1 ... N19) and its LaTeX.  Steps the checker
refutes keep their expected verdict `refuted`, and the corrected claim is proved beside
them under the same step id, with the difference named in its docstring.
"""

from symderiv import Derivation
from symderiv.rl import VOCABULARY

note = Derivation(
    "Equivalence between policy gradients and soft Q-learning: a derivation note",
    source="shared/seeds/000_b3a86397f123462f.txt",
    steps=[f"N{i}" for i in range(1, 20)],
    vocabularies=[VOCABULARY],
)

# The sections follow the note's own: each registers its steps' claims with `note`, in order.
from . import gradient, objective, optimal_operator  # noqa: E402, F401
