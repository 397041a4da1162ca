"""The note's steps written for every size (proofs/every_size.py): the rules do not prove the note's
refuted gradient, nor a variant that releases what the note holds fixed."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from symderiv import IndexEqual, IndexLevel
from symderiv.sums import prove_every_size

PROOF = Path(__file__).resolve().parent.parent / "proofs" / "every_size.py"


def module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("every_size_under_test", PROOF)
    assert spec and spec.loader
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    return loaded


def proved(claim: IndexEqual) -> bool:
    d = claim.domain
    result = prove_every_size(
        [claim.lhs - claim.rhs], d.sizes(), d.distributions(), d.equations(), scalars=d.scalars, time_limit=30.0
    )
    return result.zero


def test_the_note_s_loss_gradient_as_written_is_not_proved() -> None:
    """N15 as written drops the score term of the sampling policy, which follows θ (its corrections,
    N15.fixed_sampling_every_size and N15.sampling_term_every_size, are proved as bundled proofs)."""
    es = module()
    first_line = es.loss_expectation(es.td_error_times_q_gradient)
    assert not proved(IndexEqual(es.loss_gradient(es.theta), first_line, es.domain()))


def test_the_third_line_is_not_proved_when_the_value_target_follows_theta() -> None:
    """N15's third line holds V̂ fixed under the gradient; with V̂ following θ it is false."""
    es = module()
    es.theta_target = es.theta
    assert not proved(es.second_line_eq_policy_term_plus_value_error_for_every_size(IndexLevel()))
