"""Parallel runs: worker processes (`--jobs`) and pytest-xdist give the verdicts of a serial run."""

import textwrap

import sympy as sp

from symderiv import Derivation, Equal, Positive, Settings, check_all, sizes
from symderiv.cache import VerdictCache
from symderiv.cli import main
from symderiv.commands import build_parser
from symderiv.obligation import Size
from symderiv.parallel import available_cores
from symderiv.rl import SymbolicMDP

pytest_plugins = ["pytester"]

x, y = sp.symbols("x y", positive=True)
FAST = Settings(samples=500, time_limit=5)

d = Derivation("parallel tests")


@d.claim("J1", r"\ln(xy) = \ln x + \ln y")
def log_of_product():
    return Equal(sp.log(x * y), sp.log(x) + sp.log(y), [Positive(x, y)])


@d.claim("J2", r"(x + y)^2 = x^2 + y^2", expect="refuted")
def square_of_sum_wrong():
    return Equal((x + y) ** 2, x**2 + y**2, [Positive(x, y)])


@d.claim("J3", r"broken")
def raises_while_building():
    raise KeyError("no such symbol")


@d.claim("J4", r"V_Q = \sum_a \pi_Q Q - \alpha KL", sizes=sizes([1], [2, 3]), model=SymbolicMDP)
def soft_value(m):
    pq = m.boltzmann(m.Q)
    return Equal(m.soft_value(m.Q), m.average(m.Q, pq) - m.alpha * m.kl(pq), m.domain())


def _evidence(verdicts):
    """Everything of a verdict but its times."""
    return [
        (
            v.obligation_id,
            v.status,
            v.expected,
            [
                (e.size, e.status, e.strategy, e.instances, e.max_rel_error, e.counterexample, e.message, e.residual)
                for e in v.evidence
            ],
        )
        for v in verdicts
    ]


def test_workers_give_the_verdicts_of_a_serial_run_in_the_same_order():
    seen = []
    serial = check_all(d, FAST)
    parallel = check_all(d, FAST, lambda k, n, v: seen.append((k, n, v.obligation_id)), jobs=2)
    assert _evidence(parallel) == _evidence(serial)
    assert seen == [(k, 4, ob.id) for k, ob in enumerate(d, 1)]
    # The MDP claim's symbolic attempts ran in processes forked from a pool worker.
    assert parallel[3].status.value == "proved" and len(parallel[3].evidence) == 2


def test_the_order_workers_take_the_sizes_in_changes_no_verdict(tmp_path):
    """Timings recorded against the run's order make the workers start at its end."""
    cache = VerdictCache(tmp_path)
    for seconds, (ob_id, name, size) in enumerate(
        [
            ("J1", "log_of_product", None),
            ("J2", "square_of_sum_wrong", None),
            ("J4", "soft_value", Size.of(states=1, actions=2)),
        ]
    ):
        cache.record_seconds(ob_id, name, size, float(seconds))
    serial = check_all(d, FAST)
    assert _evidence(check_all(d, FAST, cache=cache, jobs=2)) == _evidence(serial)
    # And again, every verdict now read from the cache by the workers.
    again = check_all(d, FAST, cache=cache, jobs=2)
    assert _evidence(again) == _evidence(serial)
    assert all(e.cached for v in again for e in v.evidence if v.obligation_id != "J3")


def test_a_rerun_with_nothing_to_check_again_starts_no_worker(tmp_path, monkeypatch):
    from symderiv import parallel

    cache = VerdictCache(tmp_path)
    first = check_all(d, FAST, cache=cache, jobs=2)

    def no_workers(*args, **kwargs):
        raise AssertionError("workers started for what the cache holds")

    monkeypatch.setattr(parallel, "run", no_workers)
    again = check_all(d, FAST, cache=cache, jobs=2)  # J3 is an error, never stored: checked here
    assert _evidence(again) == _evidence(first)
    assert [all(e.cached for e in v.evidence) for v in again] == [True, True, False, True]


def test_the_phases_of_every_pair_are_heard_from_the_workers():
    heard = []
    check_all(d, FAST, jobs=2, on_phase=lambda ob, size, name: heard.append((ob.id, str(size), name)))
    for ob_id, size in [("J1", "None"), ("J2", "None"), ("J4", "1x2"), ("J4", "1x3")]:
        mine = [name for i, s, name in heard if (i, s) == (ob_id, size)]
        assert mine[0] == "build" and mine[-1] == "done", (ob_id, size, mine)
    assert [name for i, _, name in heard if i == "J3"] == ["build", "done"]  # its builder raises


def test_tasks_start_in_the_order_given_and_come_back_in_their_own(tmp_path):
    from symderiv import parallel

    log, heard = str(tmp_path / "started"), []

    def work(i):
        with open(log, "a") as f:
            f.write(f"{i}\n")
        parallel.send(("started", i))
        if i == 1:
            raise ValueError("task 1 fails")
        return i * 10

    results = list(parallel.run(work, [2, 0, 1], 1, lambda i, exc: str(exc), heard.append))
    assert results == [0, "task 1 fails", 20]
    assert open(log).read().split() == ["2", "0", "1"]  # one worker: the start order shows
    assert sorted(heard) == [("started", 0), ("started", 1), ("started", 2)]


def test_jobs_default_to_every_core_and_one_job_is_serial():
    check = build_parser().parse_args
    assert check(["check"]).jobs == available_cores() >= 1
    assert check(["check", "--jobs", "auto"]).jobs == available_cores()
    assert check(["check", "-j", "1"]).jobs == 1


PROOF = textwrap.dedent(
    """
    import sympy as sp
    from symderiv import Derivation, Equal, Positive

    x, y = sp.symbols("x y", positive=True)
    d = Derivation("parallel plugin test")

    @d.claim("P1", r"\\ln(xy) = \\ln x + \\ln y")
    def log_of_product():
        return Equal(sp.log(x * y), sp.log(x) + sp.log(y), [Positive(x, y)])

    @d.claim("P2", r"(x+y)^2 = x^2 + y^2", expect="refuted")
    def known_erratum():
        return Equal((x + y) ** 2, x**2 + y**2, [Positive(x, y)])

    @d.claim("P3", r"(x+y)^2 = x^2 + 2xy")
    def wrong_and_not_expected():
        return Equal((x + y) ** 2, x**2 + 2 * x * y, [Positive(x, y)])
    """
)


def test_the_command_line_prints_the_same_verdicts_with_jobs(tmp_path, capsys):
    proof = tmp_path / "note.py"
    proof.write_text(PROOF)

    def run(*extra):
        code = main(["check", str(proof), "--samples", "300", "--no-cache", "--json", "-q", *extra])
        return code, _json_evidence(capsys.readouterr().out)

    assert run("--jobs", "2") == run("--jobs", "1")


def _json_evidence(text):
    """The verdicts of a JSON report, which holds no timings."""
    import json

    return json.loads(text)["verdicts"]


def test_obligations_run_under_pytest_xdist_with_the_serial_outcomes(pytester):
    pytester.mkdir("proofs")
    pytester.path.joinpath("proofs", "note.py").write_text(PROOF)
    serial = pytester.runpytest_inprocess("--symderiv", "proofs", "--symderiv-samples", "300", "-p", "no:cacheprovider")
    serial.assert_outcomes(passed=2, failed=1)
    result = pytester.runpytest_subprocess(
        "--symderiv", "proofs", "--symderiv-samples", "300", "-n", "2", "-p", "no:cacheprovider"
    )
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*2 workers*",
            "*P3 wrong_and_not_expected: verdict refuted, expected proved*",
            "*counterexample (seed 0): lhs = *, rhs = *",
        ]
    )
