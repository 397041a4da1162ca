import json
import textwrap

import pytest

from symderiv.cli import main

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
    assert "counterexample: size" not in out  # size-free claims have no model size
    assert "counterexample:" in out
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
    assert "STATESxACTIONS" in capsys.readouterr().err


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
