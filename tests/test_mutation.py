"""Mutation testing of the checker: every false variant of the note's claims must be refuted.

The mutants are generated from whatever obligations proofs/soft_q_learning/ holds, so
their number grows with the module.  A mutant that survives is either a weakness of the
checker (fix the checker) or accidentally true: then it is listed in ACCIDENTALLY_TRUE
below with the reason, which a reader can check by hand.
"""

from pathlib import Path

import sympy as sp

from symderiv import Equal, NonNegative, Positive, Real, Simplex, SmoothFunctions, Status
from symderiv.cli import main
from symderiv.loader import load
from symderiv.mutation import MUTATION_SETTINGS, Mutant, claim_mutants, families, mutants, run

PROOFS = Path(__file__).resolve().parent.parent / "proofs" / "soft_q_learning"

#: Mutants that are true, each with the reason; keyed as Mutant.key prints them.
ACCIDENTALLY_TRUE = {
    "N7 [2x2] bound: double term gamma*Max(Abs(Q_0_0 - Qb_0_0), Abs(Q_0_1 - Qb...": "2γ‖Q1 − Q2‖∞ is a weaker bound than γ‖Q1 − Q2‖∞, so it holds as well",
    "N7 [2x2] bound: gamma -> 1/gamma": "1/γ > γ for 0 < γ < 1: a weaker bound",
    "N11 [1x2] rhs: alpha -> alpha**2": "Q = V_Q + α ln(π_Q/π̃) holds at every temperature α > 0, so at α² too",
    "N11 [1x2] rhs: alpha -> 1/alpha": "Q = V_Q + α ln(π_Q/π̃) holds at every temperature α > 0, so at 1/α too",
    "N11 [1x2] rhs: swap pi and pitilde": "the rhs uses π̃ only as the prior of V_Q and π_Q, and the identity holds for every positive prior, π too",
    "N11 [1x2] rhs: shift index 2 of pitilde": "relabelling the prior's actions gives another positive prior, and the identity holds for every one",
    "N13 [2x2] rhs: shift index 1 of pi": "π enters the rhs only as Σ_a' π(a'|s') V_Q(s') = V_Q(s'), whichever state's row of π is used",
    "N18.one_state [1x2] rhs: gamma -> gamma**2": "with one state, γ Σ_{s'} p(s'|s,a) V(s') is the same for every action and Σ_a ∇π = 0 removes it, whatever multiplies it",
    "N18.one_state [1x2] rhs: gamma -> 1/gamma": "with one state, γ Σ_{s'} p(s'|s,a) V(s') is the same for every action and Σ_a ∇π = 0 removes it, whatever multiplies it",
    "N18.one_state [1x2] rhs: shift index 2 of P": "with one state, γ Σ_{s'} p(s'|s,a) V(s') is the same for every action and Σ_a ∇π = 0 removes it, whichever p(s'|s,a) weighs it",
}


def test_every_mutant_of_the_note_is_refuted_unless_listed_as_true(capsys):
    """One test, not one per check, so that pytest-xdist runs the costly mutation run once."""
    derivations, failures = load([PROOFS])
    assert not failures, failures
    report = run(mutants([ob for d in derivations for ob in d]), MUTATION_SETTINGS, ACCIDENTALLY_TRUE, jobs=2)
    with capsys.disabled():
        print(f"\nmutation testing of {PROOFS.name}: {report.summary()}")
    assert len(report.results) >= 200, report.summary()
    lines = [f"{m.key}: {v.status} {v.message}".rstrip() for m, v in report.survivors]
    assert not lines, (
        "mutants not refuted (strengthen the checker, or list a mutant in ACCIDENTALLY_TRUE "
        "with the reason it is true):\n" + "\n".join(lines)
    )
    assert report.kill_rate == 1.0
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
