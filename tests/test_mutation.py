"""Mutation testing of the checker: every false variant of the note's claims must be refuted.

The mutants are generated from whatever obligations proofs/soft_q_learning/ holds, so
their number grows with the module.  A mutant that survives is either a weakness of the
checker (fix the checker) or accidentally true: then it is marked in
proofs/soft_q_learning/accidentally_true.json with the reason, which a reader can check by hand.
"""

import json
from pathlib import Path

import pytest
import sympy as sp

from symderiv import Equal, NonNegative, Positive, Real, Simplex, SmoothFunctions, Status
from symderiv.cli import main
from symderiv.loader import load
from symderiv.mutation import MUTATION_SETTINGS, Mutant, claim_mutants, families, mutants, read_marks, run

PROOFS = Path(__file__).resolve().parent.parent / "proofs" / "soft_q_learning"

#: Mutants that are true, each with the reason; keyed as Mutant.key prints them.  The same file
#: lets `symderiv mutate proofs/soft_q_learning/ --accept ...` pass.
MARKS = PROOFS / "accidentally_true.json"
ACCIDENTALLY_TRUE = read_marks(MARKS)


def _note():
    derivations, failures = load([PROOFS])
    assert not failures, failures
    return [ob for d in derivations for ob in d]


def _mutated_obligation_ids():
    """The note's obligations that are mutated: those expected to hold (`mutants` skips the rest)."""
    return [ob.id for ob in _note() if ob.expect in (Status.PROVED, Status.ARGUED, Status.NUMERIC)]


def test_the_note_has_at_least_200_mutants_and_every_mark_names_one():
    every = mutants(_note())
    assert len(every) >= 200, f"only {len(every)} mutants of the note"
    keys = {m.key for m in every}
    stale = sorted(k for k in ACCIDENTALLY_TRUE if k not in keys)
    assert not stale, f"no such mutant (remove or rename in {MARKS.name}): " + ", ".join(stale)


@pytest.mark.parametrize("obligation_id", _mutated_obligation_ids())
def test_every_mutant_of_the_note_is_refuted_unless_listed_as_true(obligation_id):
    """One item per obligation, so that pytest-xdist spreads the costly mutation run over its workers."""
    (ob,) = [ob for ob in _note() if ob.id == obligation_id]
    report = run(mutants([ob]), MUTATION_SETTINGS, ACCIDENTALLY_TRUE)
    lines = [f"{m.key}: {v.status} {v.message}".rstrip() for m, v in report.survivors]
    assert not lines, (
        f"mutants not refuted (strengthen the checker, or mark a mutant in {MARKS.name} "
        "with the reason it is true):\n" + "\n".join(lines)
    )
    assert report.kill_rate == 1.0, report.summary()
    wrong = [f"{m.key}: {v.counterexample.describe()}" for m, v in report.refuted_but_named_true]
    assert not wrong, "listed as accidentally true but refuted:\n" + "\n".join(wrong)
    assert not report.unknown_names, "no such mutant (remove or rename): " + ", ".join(report.unknown_names)
    # Every killed mutant carries its counterexample.
    assert all(v.counterexample is not None for _, v in report.results if v.status is Status.REFUTED)


# -- the generator on small claims -------------------------------------------------------------

gamma, alpha = sp.symbols("gamma alpha", positive=True)
c = sp.Symbol("c", real=True)
P = sp.Matrix(2, 2, lambda i, j: sp.Symbol(f"P_{i}_{j}", positive=True))
V = sp.Matrix(2, 1, lambda i, _: sp.Symbol(f"V_{i}", real=True))
DOMAIN = [Positive(alpha), Positive(gamma), Real(c), Real(V), Simplex(P.row(0)), Simplex(P.row(1))]


def _by_operator(claim):
    return {op: mutated for _, op, mutated in claim_mutants(claim)}


def test_families_are_read_from_indexed_names():
    fams = families([*P, *V, gamma])
    assert set(fams) == {"P", "V"}
    assert fams["P"].members[(1, 0)] == P[1, 0] and fams["P"].values_at(1) == [0, 1]


def test_substitutions_shifts_and_transposes():
    one = sp.ones(2, 1)
    claim = Equal(V, c * one + gamma * P * V, DOMAIN)
    ops = _by_operator(claim)
    assert ops["gamma -> gamma**2"].rhs == c * one + gamma**2 * P * V
    assert ops["c -> -c"].rhs == -c * one + gamma * P * V
    assert ops["transpose P (indices 1, 2)"].rhs == c * one + gamma * P.T * V
    shifted = sp.Matrix([[P[0, 1], P[0, 0]], [P[1, 1], P[1, 0]]])
    assert ops["shift index 2 of P"].rhs == c * one + gamma * shifted * V
    assert "alpha -> alpha**2" not in ops  # no alpha in the claim: no mutant that changes nothing


def test_term_slips_change_one_entry():
    claim = Equal(V, V + c * sp.ones(2, 1), DOMAIN)
    mutated = _by_operator(claim)["negate term c of entry (0, 0)"].rhs
    assert mutated == sp.Matrix([V[0] - c, V[1] + c])


def test_sign_facts_get_sign_changing_slips_only():
    x = sp.Symbol("x", positive=True)
    ops = _by_operator(NonNegative(x * sp.log(x) - x + 1, [Positive(x)], convex_in=(x, 1)))
    assert ops and all(op.startswith(("negate", "drop")) for op in ops)


def test_claims_about_unknown_functions_get_their_own_slips():
    theta = sp.Symbol("theta", real=True)
    f = sp.Function("f")(theta)
    claim = Equal(
        sp.diff(alpha * f**2, theta), 2 * alpha * f * sp.diff(f, theta), [SmoothFunctions([f], theta), Positive(alpha)]
    )
    ops = _by_operator(claim)
    assert ops["drop every derivative"].rhs == 2 * alpha * f**2
    assert "theta -> -theta" not in ops  # d/d(−θ) is no expression: that slip is skipped, not raised


def test_a_mutant_is_checked_as_an_obligation_expecting_refutation():
    claim = Equal(gamma * (c + 1), gamma * c + gamma, DOMAIN)
    (mutant,) = [Mutant("X1", None, part, op, m) for part, op, m in claim_mutants(claim) if op == "gamma -> gamma**2"]
    assert mutant.key == "X1 rhs: gamma -> gamma**2"
    assert mutant.obligation().expect is Status.REFUTED
    ((_, verdict),) = run([mutant]).results
    assert verdict.status is Status.REFUTED and verdict.as_expected


MUTATE_PROOF = """
import sympy as sp
from symderiv import Derivation, Equal, Positive, Simplex

x, y = sp.symbols("x y", positive=True)
p = sp.symbols("p0:2", positive=True)
d = Derivation("mutate")

@d.claim("M1", r"x(y + 1) = xy + x")
def distributes():
    return Equal(x * (y + 1), x * y + x, [Positive(x, y)])

@d.claim("M2", r"x = x + \\ln(p_0 + p_1)")
def log_of_total_probability():
    return Equal(x, x + sp.log(p[0] + p[1]), [Positive(x), Simplex(p)])
"""


def test_the_mutate_command_prints_survivors_and_fails_on_them(tmp_path, capsys):
    proof = tmp_path / "mine.py"
    proof.write_text(MUTATE_PROOF)
    assert main(["mutate", str(proof), "-k", "M1", "--samples", "200"]) == 0
    assert "kill rate 100.0%" in capsys.readouterr().out
    assert main(["mutate", str(proof), "-k", "M2", "--samples", "200", "--jobs", "2"]) == 1
    out = capsys.readouterr().out
    # ln(p0 + p1) = 0 on the simplex: dropping, negating or doubling it changes nothing.
    assert "survived: M2 rhs: drop term log(p0 + p1)" in out
    assert "survived: M2 rhs: drop every log" not in out


def test_survivors_marked_accidentally_true_with_a_reason_let_mutate_pass(tmp_path, capsys):
    proof = tmp_path / "mine.py"
    proof.write_text(MUTATE_PROOF)
    run_m2 = ["mutate", str(proof), "-k", "M2", "--samples", "200"]
    assert main(run_m2) == 1
    out = capsys.readouterr().out
    survivors = [
        line.removeprefix("survived: ").rsplit(" (", 1)[0] for line in out.splitlines() if line.startswith("survived: ")
    ]
    assert "M2 rhs: drop term log(p0 + p1)" in survivors and "--accept" in out
    reason = "ln(p0 + p1) = ln 1 = 0 on the simplex, so the slip changes nothing"
    marks = {key: reason for key in survivors}
    # A mark of another obligation, not mutated in this run, is not looked at.
    marks["M1 rhs: x -> x**2"] = "not mutated with -k M2"
    accept = tmp_path / "accidentally_true.json"
    accept.write_text(json.dumps(marks))
    assert main([*run_m2, "--accept", str(accept)]) == 0
    out = capsys.readouterr().out
    assert "survived:" not in out and "stale" not in out
    assert f"accidentally true: M2 rhs: drop term log(p0 + p1): {reason}" in out
    assert f"{len(survivors)} named accidentally true; kill rate 100.0%" in out

    # A marked mutant that is refuted, and a mark that names no mutant, are stale: the run fails.
    accept.write_text(json.dumps({**marks, "M2 rhs: x -> x**2": "wrong", "M2 rhs: no such slip": "gone"}))
    assert main([*run_m2, "--accept", str(accept)]) == 1
    out = capsys.readouterr().out
    assert f"stale mark in {accept}: M2 rhs: x -> x**2 is refuted (lhs=" in out
    assert f"stale mark in {accept}: M2 rhs: no such slip names no mutant" in out
    assert "M1 rhs" not in out


@pytest.mark.parametrize(
    "text, message",
    [
        ("not json", "cannot read the marks"),
        ('["a list"]', "must hold a JSON object"),
        ('{"M2 rhs: x -> -x": ""}', "needs the reason"),
    ],
)
def test_a_marks_file_that_is_not_a_mapping_to_reasons_is_a_usage_error(text, message, tmp_path, capsys):
    proof, accept = tmp_path / "mine.py", tmp_path / "marks.json"
    proof.write_text(MUTATE_PROOF)
    accept.write_text(text)
    assert main(["mutate", str(proof), "--accept", str(accept)]) == 2
    assert message in capsys.readouterr().err


def test_a_claim_that_cannot_be_built_to_mutate_is_named_with_its_line(tmp_path, capsys):
    proof = tmp_path / "mine.py"
    proof.write_text(MUTATE_PROOF.replace('@d.claim("M1", r"x(y + 1) = xy + x")', '@d.claim("M1", "", expect="prove")'))
    assert main(["mutate", str(proof), "-k", "M1"]) == 1
    err = capsys.readouterr().err
    line = MUTATE_PROOF.splitlines().index('@d.claim("M1", r"x(y + 1) = xy + x")') + 1
    assert "error: M1: could not build the claim to mutate: ValueError: expect='prove'" in err
    assert f"(in the claim at {proof}:{line})" in err
