"""No false refutations, and verdicts that a seed reproduces.

* The same seed gives the same verdicts, strategies and counterexamples, for the note's
  obligations and for refuted mutants of them.
* 50 seeds over every obligation of the note that is expected to hold, at every one of its
  sizes, with 200 instances per seed: the default 10^4 instances per obligation and size,
  drawn as 50 independent streams, through the same numeric engine, tolerance and mpmath
  re-check as `symderiv check`.  None may be refuted.  The comparisons are compiled once
  per obligation and size and re-sampled per seed, as the checker would sample them.
"""

from pathlib import Path

import numpy as np
import pytest

from symderiv import Settings, Size, Status, check, numeric
from symderiv.checker import _comparisons, instance_seed, sizes_for
from symderiv.loader import load
from symderiv.mutation import MUTATION_SETTINGS, mutants

PROOFS = Path(__file__).resolve().parent.parent / "proofs" / "soft_q_learning.py"
SEEDS = range(1, 51)
SAMPLES_PER_SEED = 200


def _note():
    derivations, failures = load([PROOFS])
    assert not failures, failures
    return [ob for d in derivations for ob in d]


def _expected_true(ob):
    return ob.expect in (Status.PROVED, Status.NUMERIC)


def _reproducible(verdict):
    """What a seed must reproduce: everything but timings and the timed attempt log."""
    return [
        (e.size, e.status, e.strategy, e.counterexample, e.instances, e.max_rel_error, e.message, e.residual)
        for e in verdict.evidence
    ]


def test_the_same_seed_gives_the_same_verdicts():
    settings = Settings(seed=11, samples=300, sizes=(Size(1, 2),))
    for ob in _note():
        first, second = check(ob, settings), check(ob, settings)
        assert first.status == second.status, ob.id
        assert _reproducible(first) == _reproducible(second), ob.id


def test_the_same_seed_gives_the_same_counterexamples():
    every = mutants(_note())
    sample = every[:: max(1, len(every) // 12)]
    for m in sample:
        first, second = check(m.obligation(), MUTATION_SETTINGS), check(m.obligation(), MUTATION_SETTINGS)
        assert first.status is Status.REFUTED, m.key
        assert first.counterexample == second.counterexample, m.key


def _obligation_sizes():
    return [(ob, size) for ob in _note() if _expected_true(ob) for size in sizes_for(ob, Settings())]


@pytest.mark.parametrize("ob, size", _obligation_sizes(), ids=lambda x: str(x) if isinstance(x, Size) else x.id)
def test_fifty_seeds_never_refute_a_true_step(ob, size):
    claim = ob.build_for(size)
    comparisons = _comparisons(claim)
    defaults = Settings()
    for seed in SEEDS:
        rng = np.random.default_rng(instance_seed(seed, ob.id, size))
        for part, cmp, reference in comparisons:
            result = numeric.check(cmp, rng, SAMPLES_PER_SEED, defaults.rtol, reference, defaults.reference_samples)
            assert result.mismatch is None, (
                f"{ob.id} [{size}] {part}: seed {seed} refuted a true step: {result.mismatch}"
            )
            assert result.agreed, f"{ob.id} [{size}] {part}: seed {seed}: {result.message}"
