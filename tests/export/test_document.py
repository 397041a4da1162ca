import pytest

from symderiv import Derivation, Settings, Size, Status, sizes
from symderiv.export.document import State, report_derivation, smallest_size
from symderiv.rl import SymbolicMDP


def test_steps_follow_the_source_and_a_step_without_obligation_shows(checked_sample):
    d, verdicts, settings = checked_sample
    report = report_derivation(d, verdicts, settings)
    assert [s.id for s in report.steps] == list(d.steps)
    assert report.missing == ["S4"]


def test_a_refuted_claim_is_paired_with_the_corrected_claim_of_its_step(checked_sample):
    d, verdicts, settings = checked_sample
    report = report_derivation(d, verdicts, settings)
    [erratum] = report.errata
    assert erratum.step == "S2" and erratum.entry.obligation.id == "S2"
    assert [e.obligation.id for e in erratum.corrections] == ["S2.corrected"]
    assert erratum.entry.verdict.counterexample is not None
    assert [e.obligation.id for e in report.failed] == ["S3"]


def test_a_refutation_the_source_states_is_a_remark_not_an_erratum(checked_sample):
    d, verdicts, settings = checked_sample
    report = report_derivation(d, verdicts, settings)
    assert [e.obligation.id for e in report.remarks] == ["S6"]
    assert "S6" not in [e.entry.obligation.id for e in report.errata]
    states = {s.id: s.state for s in report.steps}
    assert states == {
        "S1": State.PROVED,
        "S2": State.ERRATUM,
        "S3": State.ERROR,
        "S4": State.MISSING,
        "S5": State.PROVED,
        "S6": State.REMARK,
    }
    assert report.uses == [("S1", "S2"), ("S5", "S6")]


def test_a_remark_must_be_expected_refuted():
    d = Derivation("remarks")
    with pytest.raises(ValueError, match="expect it refuted"):
        d.claim("R1", "x = x", remark=True)


def test_the_encoding_is_built_at_the_smallest_checked_size(checked_sample):
    d, verdicts, settings = checked_sample
    report = report_derivation(d, verdicts, settings)
    [entry] = next(s for s in report.steps if s.id == "S5").entries
    assert entry.encoding.size == Size.of(states=1, actions=2)
    assert entry.encoding.claim.lhs.shape == (1, 2)
    [broken] = next(s for s in report.steps if s.id == "S3").entries
    assert broken.encoding.claim is None and "half-written claim" in broken.encoding.error


def test_the_smallest_size_follows_a_sizes_override_for_multi_state_claims(checked_sample):
    d, _, _ = checked_sample
    single_state = next(o for o in d if o.id == "S5")
    override = Settings(sizes=(Size.of(states=3, actions=3), Size.of(states=2, actions=2)))
    assert smallest_size(single_state, Settings()) == Size.of(states=1, actions=2)
    assert smallest_size(single_state, override) == Size.of(
        states=1, actions=2
    )  # the override is for multi-state claims

    mdp = Derivation("sizes")
    mdp.claim("M1", "x = x", sizes=sizes([1, 2], [2]), model=SymbolicMDP)(lambda m: None)
    assert smallest_size(mdp.obligations[0], Settings()) == Size.of(states=1, actions=2)
    assert smallest_size(mdp.obligations[0], override) == Size.of(states=2, actions=2)
    assert smallest_size(next(o for o in d if o.id == "S1"), Settings()) is None


def test_a_selection_keeps_only_the_steps_it_checked(checked_sample):
    d, verdicts, settings = checked_sample
    report = report_derivation(d, [v for v in verdicts if v.step == "S1"], settings, complete=False)
    assert [s.id for s in report.steps] == ["S1"]
    assert report.steps[0].entries[0].verdict.status is Status.PROVED


def test_the_summary_counts_verdicts_and_names_the_unexpected(sample_document):
    assert sample_document.summary() == "6 obligations: 3 proved, 0 argued, 0 numeric, 2 refuted, 1 error"
    assert sample_document.unexpected == ["S3"]
