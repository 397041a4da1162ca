import json
import textwrap

import pytest

from symderiv import allocation
from symderiv.cli import main
from symderiv.report import REPLAYED

PROOF = textwrap.dedent(
    """
    import sympy as sp
    from symderiv import Derivation, Equal, Positive

    x, y = sp.symbols("x y", positive=True)
    d = Derivation("cli test")

    @d.claim("A1", r"\\ln(xy) = \\ln x + \\ln y")
    def log_of_product():
        return Equal(sp.log(x * y), sp.log(x) + sp.log(y), [Positive(x, y)])

    @d.claim("A2", r"(x+y)^2 = x^2 + y^2")
    def wrong_square():
        return Equal((x + y) ** 2, x**2 + y**2, [Positive(x, y)])
    """
)


@pytest.fixture
def proof(tmp_path):
    path = tmp_path / "small.py"
    path.write_text(PROOF)
    return path


def test_check_prints_a_line_per_obligation_and_fails_on_unexpected(proof, capsys):
    status = main(["check", str(proof), "--samples", "300"])
    out = capsys.readouterr().out
    assert status == 1
    assert "A1" in out and "proved" in out
    assert "A2" in out and "refuted" in out and "UNEXPECTED" in out
    assert "counterexample (size" not in out  # size-free claims have no model size
    assert "counterexample (seed 0): lhs = " in out and "reproduce: symderiv check" in out
    assert "2 obligations: 1 proved, 0 argued, 0 numeric, 1 refuted, 0 error; 1 not as expected" in out


def test_check_json(proof, capsys):
    main(["check", str(proof), "--samples", "300", "--json", "-q"])
    data = json.loads(capsys.readouterr().out)
    statuses = {v["obligation_id"]: v["status"] for v in data["verdicts"]}
    assert statuses == {"A1": "proved", "A2": "refuted"}
    assert data["settings"]["seed"] == 0


def test_select_and_list(proof, capsys):
    assert main(["check", str(proof), "-k", "A1", "--samples", "300"]) == 0
    assert main(["list", str(proof)]) == 0
    out = capsys.readouterr().out
    assert "log_of_product" in out and "expect proved" in out


def test_missing_path_is_a_usage_error(tmp_path, capsys):
    assert main(["check", str(tmp_path / "nope.py")]) == 2
    assert "no such file or directory" in capsys.readouterr().err


def test_unknown_option_and_bad_sizes_are_usage_errors(proof, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["check", "--frobnicate"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["check", str(proof), "--sizes", "2by2"])
    assert exc.value.code == 2
    assert "a size is its extents joined by x, each at least 1, e.g. 2x3; got '2by2'" in capsys.readouterr().err


@pytest.mark.parametrize("seed", ["-1", "seven"])
def test_a_seed_numpy_cannot_take_is_a_usage_error(proof, seed, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["check", str(proof), "--seed", seed])
    assert exc.value.code == 2
    assert "--seed: expected an integer >= 0" in capsys.readouterr().err


def test_a_module_that_fails_to_import_is_reported_and_the_rest_run(proof, tmp_path, capsys):
    broken = tmp_path / "broken.py"
    broken.write_text("import sympy\nraise RuntimeError('half-written proof')\n")
    status = main(["check", str(tmp_path), "--samples", "300", "-k", "A1"])
    captured = capsys.readouterr()
    assert status == 1
    assert "broken.py" in captured.err and "half-written proof" in captured.err
    assert "A1" in captured.out and "proved" in captured.out


def test_export_writes_markdown_and_latex_and_fails_on_unexpected(proof, tmp_path, capsys):
    md = tmp_path / "out.md"
    assert main(["export", str(proof), "--samples", "300", "-o", str(md)]) == 1  # A2 is refuted, not as expected
    text = md.read_text()
    assert "### A1" in text and "### Erratum A2" in text and "**Counterexample**" in text
    assert "2 obligations: 1 proved, 0 argued, 0 numeric, 1 refuted, 0 error; wrote" in capsys.readouterr().out

    tex = tmp_path / "only-a1.tex"
    assert main(["export", str(proof), "-k", "A1", "--samples", "300", "--format", "tex", "-o", str(tex)]) == 0
    body = tex.read_text()
    assert body.startswith(r"\documentclass") and "A1" in body and "A2" not in body


def test_export_needs_a_known_format(proof, tmp_path, capsys):
    assert main(["export", str(proof), "-o", str(tmp_path / "out.txt")]) == 2
    assert "--format" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["export", str(proof), "--format", "docx"])
    assert exc.value.code == 2


def test_export_to_pdf_without_pdflatex_says_what_to_install(proof, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("symderiv.export.find_pdflatex", lambda: None)
    assert main(["export", str(proof), "-o", str(tmp_path / "out.pdf")]) == 2
    err = capsys.readouterr().err
    assert "texlive-latex-base" in err and "--format tex" in err
    assert not (tmp_path / "out.pdf").exists()


def test_without_a_proofs_folder_here_check_says_what_to_name(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    for command in ("check", "list", "mutate"):
        assert main([command]) == 2
        err = capsys.readouterr().err
        assert f"no ./proofs folder in {tmp_path}" in err and f"symderiv {command} path/to/proofs" in err


def test_a_proofs_folder_here_is_what_check_checks_by_default(tmp_path, monkeypatch, capsys):
    (tmp_path / "proofs").mkdir()
    (tmp_path / "proofs" / "small.py").write_text(PROOF)
    monkeypatch.chdir(tmp_path)
    assert main(["check", "-k", "A1", "--samples", "300", "-q", "--no-cache"]) == 0
    assert "log_of_product" in capsys.readouterr().out


SIZED = textwrap.dedent(
    """
    import sympy as sp
    from symderiv import Derivation, Equal, Positive, sizes
    from symderiv.rl import SymbolicMDP

    x = sp.Symbol("x", positive=True)
    d = Derivation("sizes")

    @d.claim("S1", r"x = x")
    def size_free():
        return Equal(x, x, [Positive(x)])

    @d.claim("S2", r"\\alpha = \\alpha", sizes=sizes([1], [2]), model=SymbolicMDP)
    def one_state(m):
        return Equal(m.alpha, m.alpha, m.domain())

    @d.claim("S3", r"\\gamma = \\gamma", sizes=sizes([1, 2], [2]), model=SymbolicMDP, expect="refute")
    def a_typo(m):
        return Equal(m.gamma, m.gamma, m.domain())
    """
)


def test_sizes_ignored_by_an_obligation_are_named_with_the_reason(tmp_path, capsys):
    path = tmp_path / "sized.py"
    path.write_text(SIZED)
    status = main(["check", str(path), "--sizes", "3x3", "--samples", "200", "--no-cache"])
    captured = capsys.readouterr()
    assert "note: --sizes 3x3 does not apply to S1 (size-free: it builds no model" in captured.err
    assert "note: --sizes 3x3 does not apply to S2 (declared at one state only" in captured.err
    assert "S3" not in captured.err  # a multi-state obligation takes the sizes given
    # A typo in expect costs its own obligation, named with the valid values; the others are checked.
    assert status == 1
    assert "S1" in captured.out and "S2" in captured.out and "1 error; 1 not as expected" in captured.out
    assert "expect='refute' is not a verdict to expect; write one of 'proved', 'argued', 'numeric', 'refuted'" in (
        captured.out
    )
    assert main(["check", str(path), "-k", "S1", "--samples", "200", "--no-cache"]) == 0
    assert "note:" not in capsys.readouterr().err  # no --sizes, nothing ignored


def test_sizes_on_other_axes_than_a_claims_are_a_usage_error_naming_it(tmp_path, capsys):
    path = tmp_path / "sized.py"
    path.write_text(SIZED)
    assert main(["check", str(path), "--sizes", "2x2x2", "--samples", "200", "--no-cache", "-q"]) == 2
    err = capsys.readouterr().err
    assert "symderiv: error: --sizes 2x2x2: S3: the size 2x2x2 (unnamed) is not one on states, actions" in err
    assert "write STATESxACTIONS" in err


def test_a_rerun_with_nothing_changed_prints_the_same_report_from_the_runs_record(proof, capsys):
    """With its status, its counterexample and the line that reproduces it; each size marked cached."""
    argv = ["check", str(proof), "--samples", "300"]
    assert main(argv) == 1
    checked = capsys.readouterr().out
    assert main(argv) == 1
    replayed = capsys.readouterr().out
    assert REPLAYED not in checked and REPLAYED in replayed
    assert replayed.replace(REPLAYED + "\n", "").replace(" (cached)", "") == checked
    assert replayed.count("(cached)") == 2 and "reproduce: symderiv check" in replayed


BUILDS = textwrap.dedent(
    """
    import os
    import sympy as sp
    from symderiv import Derivation, Equal, Positive, Size
    from symderiv.rl import sizes

    x = sp.Symbol("x", positive=True)
    d = Derivation("built once")

    def record(name, size):
        with open(os.environ["SYMDERIV_TEST_BUILDS"], "a") as log:
            log.write(f"{name} {size}\\n")

    class Model:
        def __init__(self, size):
            self.size = size

    @d.claim("B1", r"x^2 = x x", sizes=sizes([1, 2], [2]), model=Model)
    def square(m):
        record("B1", m.size)
        return Equal(x**2, x * x, [Positive(x)])

    @d.claim("B2", r"x + x = 2x", sizes=sizes([1], [2, 3]), model=Model)
    def double(m):
        record("B2", m.size)
        return Equal(x + x, 2 * x, [Positive(x)])
    """
)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_export_builds_each_claim_once_and_shows_the_one_it_checked(jobs, tmp_path, monkeypatch):
    """The claims an export shows are built first and kept: checking them, in this process or in the
    workers forked after, builds none again, and neither does the report."""
    path = tmp_path / "built_once.py"
    path.write_text(BUILDS)
    builds = tmp_path / "builds.log"
    monkeypatch.setenv("SYMDERIV_TEST_BUILDS", str(builds))
    out = tmp_path / "out.md"
    args = ["export", str(path), "--samples", "200", "--no-cache", "--jobs", jobs, "--format", "md", "-o", str(out)]
    assert main(args) == 0
    built = builds.read_text().splitlines()
    assert sorted(built) == ["B1 1x2", "B1 2x2", "B2 1x2", "B2 1x3"]
    assert "B1" in out.read_text() and "B2" in out.read_text()


def test_the_command_line_keeps_freed_memory_and_collects_less_often(monkeypatch, tmp_path):
    calls = []
    monkeypatch.setattr(allocation, "keep_freed_memory", lambda: calls.append("allocator") or True)
    monkeypatch.setattr(allocation, "collect_less_often", lambda: calls.append("collector"))
    monkeypatch.setenv("SYMDERIV_CACHE_DIR", str(tmp_path))
    main(["list", str(tmp_path)])
    assert calls == ["allocator", "collector"]
