"""Helpers that every section of the note's proofs uses."""

import sympy as sp

from symderiv import sizes

#: Claims about one state's action distribution: |S| = 1, |A| up to 4.
PER_STATE = sizes([1], [2, 3, 4])
#: Claims that involve several states.
MDP = sizes([1, 2, 3], [2, 3])


def table(m, name):
    """A second real |S|×|A| table beside m.Q, for claims about two Q functions."""
    return sp.Matrix(m.n_states, m.n_actions, lambda s, a: sp.Symbol(f"{name}_{s}_{a}", real=True))


def on_arrays(m, compute):
    """A claim's reference: `compute` applied to the NumPy arrays (MDPArrays) of one sampled instance."""
    return lambda values: compute(m.arrays(values))
