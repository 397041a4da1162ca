import shlex
import textwrap

import pytest

from symderiv import Status
from symderiv.cli import main
from symderiv.pytest_plugin import consistent

pytest_plugins = ["pytester"]

PROOF = textwrap.dedent(
    """
    import sympy as sp
    from symderiv import Derivation, Equal, Positive

    x, y = sp.symbols("x y", positive=True)
    d = Derivation("plugin test")

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

# Claims with sizes on one axis, n, no vocabulary's: the model a builder receives is n itself, so
# x^n depends on it.
SIZED = textwrap.dedent(
    """
    import sympy as sp
    from symderiv import Derivation, Equal, Positive, Size

    x = sp.Symbol("x", positive=True)
    d = Derivation("sized claims")

    def the_size(size):
        return size["n"]

    @d.claim("S1", r"x^n x = x^{n+1}", sizes=[Size.of(n=1), Size.of(n=2), Size.of(n=3)], model=the_size)
    def power_rule(n):
        return Equal(x**n * x, x ** (n + 1), [Positive(x)])

    @d.claim("S2", r"x^n = x", sizes=[Size.of(n=1), Size.of(n=2)], model=the_size, expect="refuted")
    def erratum_true_at_n_1(n):
        return Equal(x**n, x, [Positive(x)])
    """
)

FAST = ("--symderiv-samples", "300", "-p", "no:cacheprovider")


def test_nothing_is_collected_or_imported_unless_asked(pytester):
    pytester.mkdir("proofs")
    marker = pytester.path / "imported"
    pytester.path.joinpath("proofs", "note.py").write_text(PROOF + f"\nopen({str(marker)!r}, 'w').close()\n")
    result = pytester.runpytest_inprocess(*FAST)
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED
    assert not marker.exists()


def test_a_run_that_checks_proofs_keeps_freed_memory_and_collects_less_often_as_the_command_does(pytester, monkeypatch):
    import symderiv.pytest_plugin as plugin

    calls = []
    monkeypatch.setattr(plugin, "keep_freed_memory", lambda: calls.append("allocator") or True)
    monkeypatch.setattr(plugin, "collect_less_often", lambda: calls.append("collector"))
    pytester.makepyfile(test_plain="def test_one():\n    pass\n")
    pytester.runpytest_inprocess(*FAST).assert_outcomes(passed=1)
    assert calls == []
    pytester.runpytest_inprocess("--symderiv", *FAST).assert_outcomes(passed=1)
    assert calls == ["allocator", "collector"]


@pytest.mark.parametrize("workers", [(), ("-n", "2")])
def test_a_named_proof_file_says_how_to_turn_symderiv_on(pytester, workers):
    pytester.makepyfile(my_identities=PROOF)
    run = pytester.runpytest_subprocess if workers else pytester.runpytest_inprocess
    result = run("my_identities.py", *workers, *FAST)
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED
    result.stdout.fnmatch_lines(["*my_identities.py holds a Derivation, not checked: pass --symderiv*"])


def test_a_named_file_without_a_derivation_or_with_a_private_name_gets_a_hint(pytester):
    pytester.makepyfile(notes="x = 1\n", _helpers=PROOF)
    result = pytester.runpytest_inprocess("--symderiv", "notes.py", "_helpers.py", *FAST)
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED
    result.stdout.fnmatch_lines(
        [
            "*notes.py holds no symderiv Derivation: nothing in it is checked*",
            "*_helpers.py is not checked: a file whose name starts with _ is no proof file*",
        ]
    )


def test_the_ini_option_turns_collection_on(pytester):
    pytester.makeini("[pytest]\nsymderiv = true\n")
    pytester.makepyfile(my_identities=PROOF)
    result = pytester.runpytest_inprocess("--collect-only", "-q", *FAST)
    result.stdout.fnmatch_lines(["my_identities.py::P1:log_of_product", "*3 tests collected*"])


def test_a_file_outside_any_proofs_folder_gives_one_item_per_size_and_runs_under_xdist(pytester):
    """The issue's acceptance: `pytest --symderiv path/outside/the/repo/my_identities.py -n 2`."""
    path = pytester.makepyfile(my_identities=SIZED)
    collected = pytester.runpytest_inprocess("--symderiv", str(path), "--collect-only", "-q", *FAST)
    collected.stdout.fnmatch_lines(
        [
            "my_identities.py::S1:power_rule[[]1[]]",
            "my_identities.py::S1:power_rule[[]2[]]",
            "my_identities.py::S1:power_rule[[]3[]]",
            "my_identities.py::S2:erratum_true_at_n_1[[]1[]]",
            "my_identities.py::S2:erratum_true_at_n_1[[]2[]]",
            "*5 tests collected*",
        ]
    )
    # S2 holds at n = 1 and is refuted at 2: its erratum is as expected.
    result = pytester.runpytest_subprocess("--symderiv", str(path), "-n", "2", *FAST)
    result.stdout.fnmatch_lines(["*2 workers*"])
    result.assert_outcomes(passed=5)


def test_symderiv_sizes_replaces_the_sizes_of_claims_not_declared_at_extent_one_only(pytester):
    at_n_1 = textwrap.dedent(
        """
        @d.claim("S6", r"x^n = x", sizes=[Size.of(n=1, m=1), Size.of(n=1, m=2)], model=the_size)
        def holds_at_n_1(n):
            return Equal(x**n, x, [Positive(x)])
        """
    )
    pytester.makepyfile(my_identities=SIZED + at_n_1, size_free=PROOF)
    result = pytester.runpytest_inprocess("--symderiv", "--symderiv-sizes", "2,4", "--collect-only", "-q", *FAST)
    result.stdout.fnmatch_lines(
        [
            "my_identities.py::S1:power_rule[[]2[]]",
            "my_identities.py::S1:power_rule[[]4[]]",
            "my_identities.py::S2:erratum_true_at_n_1[[]2[]]",
            "my_identities.py::S2:erratum_true_at_n_1[[]4[]]",
            "my_identities.py::S6:holds_at_n_1[[]1x1[]]",
            "my_identities.py::S6:holds_at_n_1[[]1x2[]]",
            "size_free.py::P1:log_of_product",
            "--symderiv-sizes 2,4 does not apply to P1, P2, P3 (size-free*",
            "--symderiv-sizes 2,4 does not apply to S6 (declared at n = 1 only*",
            "*9 tests collected*",
        ]
    )
    # Sizes on other axes than a claim's they apply to: the collection error names both.
    wrong = pytester.runpytest_inprocess("--symderiv", "--symderiv-sizes", "2x3", "my_identities.py", *FAST)
    wrong.stdout.fnmatch_lines(["*--symderiv-sizes 2x3: S1: the size 2x3 (unnamed) is not one on n: write N*"])
    assert wrong.ret != pytest.ExitCode.OK


@pytest.mark.parametrize(
    "expected, allowed_at_one_of_several_sizes",
    [
        (Status.PROVED, {Status.PROVED}),
        (Status.ARGUED, {Status.PROVED, Status.ARGUED}),
        (Status.NUMERIC, {Status.PROVED, Status.ARGUED, Status.NUMERIC}),
        (Status.REFUTED, {Status.PROVED, Status.ARGUED, Status.NUMERIC, Status.REFUTED}),
    ],
)
def test_a_size_agrees_with_the_expectation_when_at_least_as_strong_and_a_single_size_when_equal(
    expected, allowed_at_one_of_several_sizes
):
    assert {s for s in Status if consistent(s, expected, size_count=3)} == allowed_at_one_of_several_sizes
    assert {s for s in Status if consistent(s, expected, size_count=1)} == {expected}


def test_a_failing_claim_fails_its_item_with_the_evidence_and_a_command_that_reproduces_it(pytester, capsys):
    pytester.mkdir("proofs")
    pytester.path.joinpath("proofs", "note.py").write_text(PROOF)
    result = pytester.runpytest_inprocess("--symderiv", "proofs", *FAST)
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*P3 wrong_and_not_expected: verdict refuted, expected proved*",
            "*counterexample (seed 0): lhs = *, rhs = *",
            "*reproduce: symderiv check proofs/note.py -k P3 --seed 0 --samples 300*",
        ]
    )
    # pytest repeats a failure's whole text in the short summary on CI or at -vv; the command is the same.
    (command,) = {line.split("reproduce: ", 1)[1] for line in result.stdout.lines if "reproduce: " in line}
    assert main(["check", "-q", "--no-cache", *shlex.split(command)[2:]]) == 1
    assert "refuted  " in capsys.readouterr().out.replace(str(pytester.path) + "/", "")


def test_a_size_that_breaks_the_claim_fails_that_size_only(pytester):
    wrong = SIZED + textwrap.dedent(
        """
        @d.claim("S3", r"x^n = x", sizes=[Size.of(n=1), Size.of(n=2)], model=the_size)
        def true_at_n_1_only(n):
            return Equal(x**n, x, [Positive(x)])

        @d.claim("S5", r"x^n = x", sizes=[Size.of(n=1), Size.of(n=2)], model=the_size, expect="refuted")
        def erratum_that_cannot_be_built_at_n_2(n):
            if n == 2:
                raise ValueError("no model at n = 2")
            return Equal(x**n, x, [Positive(x)])
        """
    )
    pytester.makepyfile(my_identities=wrong)
    result = pytester.runpytest_inprocess("--symderiv", "my_identities.py", "-k", "S3 or S5", *FAST)
    result.assert_outcomes(passed=2, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*S3 true_at_n_1_only: verdict refuted at 2, expected proved*",
            "*(each of its 2 sizes must give proved)*",
            "*reproduce: symderiv check my_identities.py -k S3 --sizes 2 --seed 0 --samples 300*",
            "*S5 erratum_that_cannot_be_built_at_n_2: verdict error at 2, expected refuted*",
            "*(each of its 2 sizes must give proved, argued, numeric or refuted, and one of them refuted)*",
            "*note: *could not build the claim: ValueError: no model at n = 2*",
        ]
    )


def test_an_erratum_that_holds_at_every_size_fails_the_run(pytester):
    """Each size of an obligation expected refuted may hold; one of them must not."""
    stale = SIZED + textwrap.dedent(
        """
        @d.claim("S4", r"x^n x = x^{n+1}", sizes=[Size.of(n=1), Size.of(n=2)], model=the_size, expect="refuted")
        def erratum_that_is_true(n):
            return Equal(x * x, x**2, [Positive(x)])
        """
    )
    pytester.makepyfile(my_identities=stale)
    # Under pytest-xdist the sizes run in two workers, and the run judges them together.
    result = pytester.runpytest_subprocess("--symderiv", "my_identities.py", "-k", "S4", "-n", "2", *FAST)
    result.assert_outcomes(passed=2)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [
            "*symderiv: obligations not as expected*",
            "FAILED my_identities.py::S4:erratum_that_is_true: expected refuted at one size at least, "
            "got 1 proved, 2 proved; reproduce: symderiv check my_identities.py -k S4 --seed 0 --samples 300",
        ]
    )
    # With one of its sizes deselected, the expectation is not judged, and the run says so.
    partial = pytester.runpytest_inprocess("--symderiv", "my_identities.py", "-k", "S4 and [1]", *FAST)
    assert partial.ret == pytest.ExitCode.OK
    partial.stdout.fnmatch_lines(["*S4:erratum_that_is_true: expects refuted at one of its 2 sizes*judge it*"])


def test_modules_of_a_package_share_a_derivation_and_each_obligation_is_an_item_of_its_own_file(pytester):
    claim = textwrap.dedent(
        """
        @note.claim("{id}", "x = x")
        def claim_{name}():
            return Equal(x, x, [Positive(x)])
        """
    )
    header = "import sympy as sp\nfrom symderiv import Derivation, Equal, Positive\nx = sp.Symbol('x', positive=True)\n"
    pytester.mkpydir("pkg")
    pytester.path.joinpath("pkg", "__init__.py").write_text(
        header + 'note = Derivation("n")\n' + claim.format(id="I1", name="in_init") + "from . import a, b  # noqa\n"
    )
    for name in ("a", "b"):
        pytester.path.joinpath("pkg", f"{name}.py").write_text(
            header + "from . import note\n" + claim.format(id=f"{name.upper()}1", name=name)
        )
    result = pytester.runpytest_inprocess("--symderiv", "pkg", "--collect-only", "-q", *FAST)
    result.stdout.fnmatch_lines(
        ["pkg/__init__.py::I1:claim_in_init", "pkg/a.py::A1:claim_a", "pkg/b.py::B1:claim_b", "*3 tests collected*"]
    )
    alone = pytester.runpytest_inprocess("--symderiv", "pkg/b.py", "--collect-only", "-q", *FAST)
    alone.stdout.fnmatch_lines(["pkg/b.py::B1:claim_b", "*1 test collected*"])


def test_symderiv_files_names_proof_files_whose_source_does_not_show_it(pytester):
    """A derivation under another name, its claim registered by a call rather than a decorator."""
    pytester.makepyfile(
        made_note=textwrap.dedent(
            """
            import sympy as sp
            from symderiv import Derivation as Note, Equal, Positive

            x = sp.Symbol("x", positive=True)
            note = Note("made")

            def registered_by_a_call():
                return Equal(x, x, [Positive(x)])

            note.claim("F1", "x = x")(registered_by_a_call)
            """
        )
    )
    assert pytester.runpytest_inprocess("--symderiv", *FAST).ret == pytest.ExitCode.NO_TESTS_COLLECTED
    pytester.makeini("[pytest]\nsymderiv_files = made_*.py\n")
    result = pytester.runpytest_inprocess("--symderiv", "--collect-only", "-q", *FAST)
    result.stdout.fnmatch_lines(["made_note.py::F1:registered_by_a_call", "*1 test collected*"])


def test_a_named_proof_file_that_fails_to_import_is_one_collection_error_at_its_line(pytester):
    pytester.makepyfile(broken="from symderiv import Derivation\nd = Derivation('x')\nraise RuntimeError('no')\n")
    result = pytester.runpytest_inprocess("--symderiv", "broken.py", *FAST)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["broken.py:3: in <module>", "E   RuntimeError: no"])


def test_a_test_module_holding_a_derivation_is_not_a_proof_file(pytester):
    pytester.makepyfile(test_engine=PROOF + "\ndef test_something():\n    assert d\n")
    result = pytester.runpytest_inprocess("--symderiv", "--collect-only", "-q", *FAST)
    result.stdout.fnmatch_lines(["test_engine.py::test_something", "*1 test collected*"])


@pytest.mark.parametrize(
    "option, value, requirement",
    [
        ("--symderiv-samples", "0", "an integer >= 1"),
        ("--symderiv-seed", "-1", "an integer >= 0"),
        ("--symderiv-seed", "seven", "an integer >= 0"),
        ("--symderiv-time-limit", "0", "a number of CPU seconds > 0"),
        ("--symderiv-time-limit", "inf", "a number of CPU seconds > 0"),
        ("--symderiv-sizes", "2by2", "sizes written as extents joined by x"),
        ("--symderiv-sizes", "2x0", "sizes written as extents joined by x"),
    ],
)
def test_a_bad_option_value_is_a_usage_error_naming_the_option_and_the_valid_values(
    pytester, option, value, requirement
):
    result = pytester.runpytest_inprocess("--symderiv", f"{option}={value}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*argument {option}: expected {requirement}*got '{value}'*"])


def test_the_bundled_proofs_run_as_tests_with_a_fifth_of_the_default_time_limit():
    """The headroom guard: a verdict that needs more than a fifth of the time limit here could
    change on a machine five times slower, so the test run fails instead."""
    import re
    from pathlib import Path

    from symderiv import Settings

    # A regular expression, not tomllib: symderiv supports Python 3.10, which has none.
    pyproject = (Path(__file__).parent.parent / "pyproject.toml").read_text()
    (addopts,) = re.findall(r'^addopts = "(.*)"$', pyproject, flags=re.M)
    (limit,) = re.findall(r"--symderiv-time-limit=([\d.]+)", addopts)
    assert float(limit) == Settings().time_limit / 5
    assert re.search(r"^symderiv = true$", pyproject, flags=re.M), "the bundled proofs are collected"
