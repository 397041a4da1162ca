import textwrap

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


def test_obligations_are_collected_as_items_and_failures_show_the_evidence(pytester):
    pytester.mkdir("proofs")
    pytester.path.joinpath("proofs", "note.py").write_text(PROOF)
    result = pytester.runpytest_subprocess("proofs", "--symderiv-samples", "300")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*P3 wrong_and_not_expected: verdict refuted, expected proved*",
            "*counterexample: *lhs=*rhs=*",
        ]
    )


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
