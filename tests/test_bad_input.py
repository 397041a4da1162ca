"""Bad input never costs more than its own result.

One proof folder holds a good obligation beside obligations that raise, use a symbol no
sampler covers, use a sampler that leaves its domain or returns NaN, are undefined on part
of their domain, overflow floats, or defeat every rewrite within the time limit; beside it,
modules that fail to import.  Each ends in a message that names the obligation (or file)
and says what to fix, the good obligation is still proved, and the exit status says what
happened: 0 all as expected, 1 a verdict not as expected or a module not loaded, 2 a usage error.
"""

import json
import textwrap

import pytest

from symderiv import checker
from symderiv.cli import main

PROOF = textwrap.dedent(
    r'''
    import numpy as np
    import sympy as sp
    from symderiv import Derivation, Equal, Positive, Real

    x, y = sp.symbols("x y", positive=True)
    u = sp.Symbol("u", real=True)
    d = Derivation("bad input")


    class OutsidePositive(Positive):
        """A broken sampler: draws values outside its own domain."""

        def sample(self, rng, n):
            return {s: -np.ones(n) for s in self.symbols}


    class NaNReal(Real):
        """A broken sampler that returns NaN and claims NaN is in its domain."""

        def sample(self, rng, n):
            return {s: np.full(n, np.nan) for s in self.symbols}

        def contains(self, values):
            return np.ones(len(values[self.symbols[0]]), dtype=bool)


    @d.claim("G1", r"\ln(xy) = \ln x + \ln y")
    def log_of_product():
        return Equal(sp.log(x * y), sp.log(x) + sp.log(y), [Positive(x, y)])


    @d.claim("B1", r"raises")
    def raises_while_building():
        return {}["no such table"]


    @d.claim("B2", r"ux = xu")
    def symbol_without_domain():
        return Equal(u * x, x * u + 0 * y, [Positive(x, y)])


    @d.claim("B3", r"\ln x^2 = 2 \ln x")
    def sampler_outside_its_domain():
        return Equal(sp.log(x**2), 2 * sp.log(x), [OutsidePositive(x)])


    @d.claim("B4", r"u + x = x + u")
    def sampler_returns_nan():
        return Equal(u + x, x + u, [NaNReal(u), Positive(x)])


    @d.claim("B5", r"x \ln u = \ln u \, x")
    def undefined_on_part_of_domain():
        return Equal(sp.log(u) * x, x * sp.log(u) + sp.sqrt(u) - sp.sqrt(u), [Real(u), Positive(x)])


    @d.claim("B6", r"e^{e^x + y} = e^{e^x} e^y")
    def overflows_floats():
        return Equal(sp.exp(sp.exp(x) + y), sp.exp(sp.exp(x)) * sp.exp(y),
                     [Positive(x, low=9.4, high=9.6), Positive(y)])  # e^(e^x) > 1e4932: beyond long double too


    @d.claim("B7", r"\sin 3w = 3 \sin w - 4 \sin^3 w")
    def no_rewrite_finishes_in_time():
        # A symbol of its own: no other test can have warmed SymPy's caches for this simplify.
        w = sp.Symbol("w_b7", real=True)
        return Equal(sp.sin(3 * w), 3 * sp.sin(w) - 4 * sp.sin(w) ** 3, [Real(w)])


    @d.claim("B8", r"W(x) e^{W(x)} = x")
    def function_numpy_lacks():
        return Equal(sp.LambertW(x) * sp.exp(sp.LambertW(x)), x, [Positive(x)])


    @d.claim("B9", r"x + 1 = 1 + x \quad (x \ge 1/3)")
    def bound_without_a_float():
        return Equal(x + 1, 1 + x, [Positive(x, low=sp.Rational(1, 3))])


    @d.claim("B10", r"x + 1/0 = x")
    def complex_infinity():
        return Equal(x + sp.zoo, x, [Positive(x)])
    '''
)


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "note.py").write_text(PROOF)
    (tmp_path / "syntax_error.py").write_text("import sympy\ndef (:\n")
    (tmp_path / "missing_import.py").write_text("import no_such_package_for_symderiv\n")
    return tmp_path


def _check(capsys, *args):
    status = main(["check", *map(str, args), "--samples", "300", "--no-cache"])
    out = capsys.readouterr()
    return status, out.out, out.err


def _block(out, ob_id):
    """The verdict line of one obligation and the indented lines under it."""
    lines = out.splitlines()
    start = next(k for k, line in enumerate(lines) if f"] {ob_id} " in line)
    end = next((k for k in range(start + 1, len(lines)) if not lines[k].startswith("    ")), len(lines))
    return "\n".join(lines[start:end])


def test_every_bad_obligation_is_reported_by_name_and_the_rest_run(folder, capsys):
    # simplify needs about 0.3 s of CPU for sin 3w with cold caches (0.07 s with warm ones), the
    # limit is 0.05 s; building and checking 50 instances, 0.05 s, under the phases' 5 s floor.
    status, out, err = _check(capsys, folder, "-k", "B7", "--time-limit", "0.05", "--samples", "50")
    b7 = _block(out, "B7")
    assert "numeric" in b7 and "ran out of time" in b7 and "raise --time-limit" in b7
    assert status == 1

    status, out, err = _check(capsys, folder)
    assert status == 1
    assert "proved" in _block(out, "G1")
    expectations = {
        "B1": ("error", "KeyError", "note.py:"),  # where the builder raised
        "B2": ("error", "no domain covers symbol(s) u", "declare each in the claim's domain"),
        "B3": ("error", "outside its own domain: OutsidePositive(x)", "fix its sample() or contains()"),
        "B4": ("error", "NaNReal(u) returned NaN or inf for u", "fix its sample()"),
        "B5": ("refuted", "not a finite real number", "narrow the domain"),
        "B6": ("proved",),
        "B8": ("error", "NumPy has no form of LambertW(x)", "gamma, log, sign, sin", "write the claim with those"),
        "B9": ("error", "Positive's low = 1/3 has no exact float", "give a float, such as 0.3333333333333333"),
        "B10": ("error", "zoo, SymPy's complex infinity: a division by zero"),
    }
    for ob_id, needles in expectations.items():
        block = _block(out, ob_id)
        for needle in needles:
            assert needle in block, f"{ob_id}: {needle!r} not in\n{block}"
    assert "11 obligations: 3 proved, 0 argued, 0 numeric, 1 refuted, 7 error" in out
    assert "syntax_error.py: SyntaxError" in err and "line 2" in err
    assert "missing_import.py: ModuleNotFoundError" in err and "2 proof module(s) failed to load" in out

    # A proved claim's float failures, settled in ball arithmetic, are a detail: shown with -v.
    status, out, err = _check(capsys, folder, "-k", "B6", "-v")
    assert "failed in floating point but agreed, 300 in ball arithmetic" in _block(out, "B6")


def test_json_reports_every_obligation_and_every_module_that_failed(folder, capsys):
    status, out, _ = _check(capsys, folder, "--json", "-q")
    data = json.loads(out)
    assert status == 1
    verdicts = {v["obligation_id"]: v for v in data["verdicts"]}
    assert set(verdicts) == {"G1", *(f"B{k}" for k in range(1, 11))}
    assert verdicts["G1"]["as_expected"] and not verdicts["B1"]["as_expected"]
    assert all(v["evidence"][0]["message"] for k, v in verdicts.items() if v["status"] == "error")
    failed = sorted(f["path"].rsplit("/", 1)[-1] for f in data["load_failures"])
    assert failed == ["missing_import.py", "syntax_error.py"]


def test_only_good_obligations_exit_zero(folder, capsys):
    status, out, _ = _check(capsys, folder / "note.py", "-k", "G1")
    assert status == 0 and "all as expected" in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["check", "--samples", "0"], "expected a positive integer"),
        (["check", "--time-limit", "-1"], "expected a positive number of seconds"),
        (["check", "--seed", "seven"], "--seed: expected an integer >= 0"),
        (["check", "--sizes", "0x2"], "extents joined by x, each at least 1, e.g. 2x3; got '0x2'"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_options_are_usage_errors_that_say_what_is_wrong(argv, message, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_paths_that_are_not_proofs_are_usage_errors(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("not a proof")
    assert main(["check", str(tmp_path / "notes.txt")]) == 2
    assert "is not a Python file" in capsys.readouterr().err
    assert main(["list", str(tmp_path / "nope")]) == 2
    assert "no such file or directory" in capsys.readouterr().err


ENDLESS = textwrap.dedent(
    r"""
    import sympy as sp
    from symderiv import Derivation, Equal, Positive

    x, y = sp.symbols("x y", positive=True)
    d = Derivation("endless")


    def busy(*_):
        while True:
            pass


    @d.claim("E1", r"\ln(xy) = \ln x + \ln y")
    def log_of_product():
        return Equal(sp.log(x * y), sp.log(x) + sp.log(y), [Positive(x, y)])


    @d.claim("E2", r"a build that never ends")
    def endless_build():
        busy()


    @d.claim("E3", r"a reference that never returns")
    def endless_reference():
        return Equal(x, x, [Positive(x)], reference=busy)
    """
)


def test_building_a_claim_and_checking_its_numbers_are_under_the_time_limit_too(tmp_path, capsys, monkeypatch):
    # A phase gets at least PHASE_LIMIT_FLOOR, the limit on each rewrite being shorter: lowered
    # from 5 s to 2 s here (the workers inherit it), so that E2 and E3 spin for less.
    monkeypatch.setattr(checker, "PHASE_LIMIT_FLOOR", 2.0)
    (tmp_path / "endless.py").write_text(ENDLESS)
    status, out, err = _check(capsys, tmp_path, "--time-limit", "1")
    assert status == 1
    assert "proved" in _block(out, "E1")
    assert "building the claim ran past the time limit (2s of CPU time)" in _block(out, "E2")
    assert "the numeric check ran past the time limit (2s of CPU time)" in _block(out, "E3")
    assert "raise --time-limit" in _block(out, "E2")
