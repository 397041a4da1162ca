import json
import math

import sympy as sp

from symderiv import Derivation, Equal, Positive, Settings, check_all
from symderiv.cli import main
from symderiv.export.notation import using
from symderiv.report import coverage, json_number, summary, to_json, value_text, verdict_line
from symderiv.rl import VOCABULARY
from symderiv.values import shown_values
from symderiv.verdict import SizeEvidence, Status, Verdict

x, y = sp.symbols("x y", positive=True)


def _derivation():
    d = Derivation("report test", steps=["S1", "S2", "S3"])

    @d.claim("S1", r"\ln(xy) = \ln x + \ln y")
    def log_of_product():
        return Equal(sp.log(x * y), sp.log(x) + sp.log(y), [Positive(x, y)])

    @d.claim("S3", r"x + y = x", expect="proved")
    def drops_a_term():
        return Equal(x + y, x, [Positive(x, y)])

    return d


def test_coverage_lists_every_step_and_flags_missing_and_unexpected():
    d = _derivation()
    verdicts = check_all(d, Settings(samples=200))
    table, missing = coverage(d, verdicts)
    assert missing == ["S2"]
    assert "| S1 | S1 `log_of_product` | proved |  |" in table
    assert "| S2 | (none) | MISSING | |" in table
    assert "| S3 | S3 `drops_a_term` | refuted | expected proved |" in table


def test_summary_and_lines_say_what_was_unexpected():
    d = _derivation()
    verdicts = check_all(d, Settings(samples=200))
    assert "UNEXPECTED: expected proved" in verdict_line(verdicts[1])
    assert summary(verdicts) == "2 obligations: 1 proved, 0 argued, 0 numeric, 1 refuted, 0 error; 1 not as expected"


PROOF = """
import sympy as sp
from symderiv import Derivation, Equal, Positive

x, y = sp.symbols("x y", positive=True)
d = Derivation("json test")


@d.claim("J1", r"\\ln(xy) = \\ln x + \\ln y")
def log_of_product():
    return Equal(sp.log(x * y), sp.log(x) + sp.log(y), [Positive(x, y)])


@d.claim("J2", r"(x+y)^2 = x^2 + y^2")
def wrong_square():
    return Equal(sp.Matrix([[(x + y) ** 2, x]]), sp.Matrix([[x**2 + y**2, x]]), [Positive(x, y)])
"""


def _no_constant(name):
    raise ValueError(f"{name} is not JSON")


def test_two_json_runs_are_identical_valid_and_free_of_reprs_and_timings(tmp_path, capsys, monkeypatch):
    proof = tmp_path / "json_proof.py"
    proof.write_text(PROOF)
    monkeypatch.setenv("SYMDERIV_CACHE_DIR", str(tmp_path / "cache"))
    runs = []
    for _ in range(2):  # the second run reads the verdicts from the cache
        main(["check", str(proof), "--samples", "200", "--json", "-q"])
        runs.append(capsys.readouterr().out)
    assert runs[0] == runs[1]
    data = json.loads(runs[0], parse_constant=_no_constant)
    assert "0x" not in runs[0] and "<" not in runs[0]
    assert data["settings"]["strategies"][0] == "generalise+cancel" and data["settings"]["sizes"] is None
    [proved, refuted] = data["verdicts"]
    assert not any(k.startswith("seconds") or k == "cached" for k in proved)
    assert not any(k.startswith("seconds") or k == "cached" for k in proved["evidence"][0])
    assert refuted["status"] == "refuted" and refuted["as_expected"] is False
    assert refuted["evidence"][0]["counterexample"]["element"] == [0, 0]
    # the schema of docs/api.md
    assert set(data) == {"settings", "verdicts", "load_failures"}
    assert set(data["settings"]) == {
        "seed",
        "samples",
        "time_limit",
        "rtol",
        "sizes",
        "reference_samples",
        "strategies",
    }
    assert set(refuted) == {
        "obligation_id",
        "name",
        "step",
        "status",
        "expected",
        "as_expected",
        "seed",
        "evidence",
        "every_size",
    }
    assert set(refuted["evidence"][0]) == {
        "size",
        "status",
        "strategy",
        "attempts",
        "residual",
        "instances",
        "max_rel_error",
        "message",
        "machine_dependent",
        "counterexample",
        "covers",
        "covered",
    }
    assert set(refuted["evidence"][0]["counterexample"]) == {"size", "values", "element", "lhs", "rhs", "seed", "note"}

    main(["check", str(proof), "--samples", "200", "--json", "-q", "--timings"])
    timed = json.loads(capsys.readouterr().out)
    assert "seconds" in timed["verdicts"][0] and "cached" in timed["verdicts"][0]["evidence"][0]


def test_non_finite_numbers_are_strings_in_json():
    assert [json_number(v) for v in (1.5, math.inf, -math.inf, math.nan)] == [1.5, "inf", "-inf", "nan"]
    v = Verdict("X", "x", "X", Status.PROVED, Status.PROVED, [SizeEvidence("", Status.PROVED, max_rel_error=-math.inf)])
    data = json.loads(to_json([v]), parse_constant=_no_constant)
    assert data["verdicts"][0]["evidence"][0]["max_rel_error"] == "-inf"


def test_the_terminal_shows_details_only_for_what_is_unexpected_or_with_verbose(tmp_path, capsys):
    proof = tmp_path / "terminal_proof.py"
    proof.write_text(PROOF)
    main(["check", str(proof), "--samples", "200", "--no-cache"])
    out = capsys.readouterr().out
    [j1] = [line for line in out.splitlines() if "J1 " in line]
    assert "proved" in j1 and "UNEXPECTED" not in j1
    assert "instance(s) failed in floating point" not in out
    assert "counterexample (element (0, 0), seed 0): lhs = " in out
    assert f"reproduce: symderiv check {proof} -k J2 --seed 0 --samples 200" in out
    main(["check", str(proof), "--samples", "200", "--no-cache", "-v", "-k", "J1"])
    assert "build" in capsys.readouterr().out


def test_a_counterexample_shows_an_unknown_function_as_drawn_and_equal_entries_once():
    values = {"P_0_0_0": 0.5, "P_0_0_1": 0.5, "alpha": 1.0, "theta": 0.0}
    values.update({f"q_0_0__c{k}": c for k, c in enumerate([1.0, 0.0, 1.0, 1.0, 1.0, 0.0])})
    with using([VOCABULARY]):
        shown = [value_text(v) for v in shown_values(values)]
    assert shown == ["p(·|·,·) = 0.5", "α = 1", "θ = 0", "Q(0,0;θ) = sin(θ) + tanh(1)"]


def test_attempts_are_worded_from_their_typed_outcome():
    from symderiv.outcome import Attempt, Outcome
    from symderiv.report import attempt_text

    assert attempt_text(Attempt("expand", Outcome.NOT_ZERO, seconds=0.2)) == "expand: nonzero"
    joint = Attempt("generalise+cancel", Outcome.NOT_ZERO, elements=4, zeros=3)
    assert attempt_text(joint) == "generalise+cancel on 4 element(s) at once: 3 zero"
    stopped = Attempt("simplify", Outcome.TIMED_OUT, cpu_seconds=0.3, part="0")
    assert attempt_text(stopped) == "certificate 0: simplify: stopped by the time limit after 0.3s of CPU time"
    assert attempt_text(Attempt("boom", Outcome.ERROR, detail="RuntimeError")) == "boom: raised: RuntimeError"
    assert "x - x" in attempt_text(Attempt("denominators", Outcome.UNDEFINED, detail="x - x"))
    unsettled = attempt_text(Attempt("denominators", Outcome.UNSETTLED, detail="Max(0, x)"))
    assert "Max(0, x)" in unsettled and "not shown to be non-zero" in unsettled
