"""The documentation does what it says: the guide's code is the example proof module, its
commands run and print what it shows, and the API reference covers every public name."""

import contextlib
import importlib
import io
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

import symderiv
from symderiv.cli import main

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "adding-an-identity.md"
EXAMPLE = ROOT / "proofs" / "discounted_visitation.py"
API = ROOT / "docs" / "api.md"
NOTEBOOK = ROOT / "docs" / "notebook.md"

BLOCK = re.compile(r"^```(\w+)\n(.*?)^```$", re.S | re.M)
VERDICT_LINE = re.compile(r"^\[\d+/\d+\]\s+(\S+)\s+(\S+)\s+(proved|argued|numeric|refuted|error)\b", re.M)


def blocks(text):
    """(language, code, text between the previous block and this one)."""
    out, end = [], 0
    for match in BLOCK.finditer(text):
        out.append((match[1], match[2], text[end : match.start()]))
        end = match.end()
    return out


def nonblank_lines(text):
    return [line.rstrip() for line in text.splitlines() if line.strip()]


def commands_with_shown_output():
    """Each command of the guide (symderiv or pytest) and the output block right after it, if any."""
    found = []
    guide = blocks(GUIDE.read_text())
    for k, (language, code, _) in enumerate(guide):
        if language != "sh":
            continue
        shown = (
            guide[k + 1][1] if k + 1 < len(guide) and guide[k + 1][0] == "text" and not guide[k + 1][2].strip() else ""
        )
        for line in code.splitlines():
            if line.startswith(("symderiv ", "pytest ")):
                found.append((line, shown))
    return found


def test_the_guides_python_blocks_are_the_example_module_verbatim():
    python = [code for language, code, _ in blocks(GUIDE.read_text()) if language == "python"]
    assert nonblank_lines("\n".join(python)) == nonblank_lines(EXAMPLE.read_text())


def test_the_guide_has_commands_to_run():
    lines = [line for line, _ in commands_with_shown_output()]
    assert any(" check " in line for line in lines)
    assert any(line.startswith("pytest ") for line in lines)
    assert any(" export " in line for line in lines)


@pytest.mark.parametrize("command, shown", commands_with_shown_output(), ids=lambda x: x if "\n" not in x else "")
def test_every_command_of_the_guide_runs_and_prints_what_it_shows(command, shown, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    args = shlex.split(command)
    if args[0] == "pytest":
        run = subprocess.run(
            [sys.executable, "-m", "pytest", *args[1:], "-p", "no:cacheprovider", "-q"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert run.returncode == 0, run.stdout + run.stderr
        output = run.stdout
        expected_summary = nonblank_lines(shown)[-1] if shown else ""
        assert expected_summary in output
        return
    if "-o" in args:
        args[args.index("-o") + 1] = str(tmp_path / args[args.index("-o") + 1])
    status = main(args[1:])
    output = capsys.readouterr().out
    assert status == 0, output
    # Every verdict line the guide shows: same obligation, same name, same verdict.
    assert set(VERDICT_LINE.findall(shown)) <= set(VERDICT_LINE.findall(output)), output
    for line in nonblank_lines(shown):
        if line.strip().startswith("counterexample"):
            assert line.strip() in output
    if "-o" in args:
        written = Path(args[args.index("-o") + 1]).read_text()
        assert "DV1" in written and "refuted" in written.lower()


def test_the_api_reference_covers_every_public_name():
    text = API.read_text()
    headings = set(re.findall(r"^#+ `([A-Za-z_]+)", text, re.M))
    missing = sorted(set(symderiv.__all__) - headings)
    assert not missing, f"docs/api.md has no section for {missing}"


def test_the_api_reference_names_only_what_exists():
    text = API.read_text()
    for name in re.findall(r"^#+ `([A-Za-z_.]+)`", text, re.M):
        module, _, attribute = name.rpartition(".")
        owner = importlib.import_module(module) if module else symderiv
        assert hasattr(owner, attribute), f"docs/api.md documents {name}, which symderiv does not export"


def _without_times(text):
    """Output lines with each time (`0.51s`) blanked: only the times differ from run to run."""
    return [re.sub(r"\b\d+\.\d+s\b", "<time>", line) for line in nonblank_lines(text)]


def cells_with_shown_output(page):
    """Each Python block of a page and the `text` block right after it (its shown output), or None."""
    found = []
    page_blocks = blocks(page.read_text())
    for k, (language, code, _) in enumerate(page_blocks):
        if language != "python":
            continue
        after = page_blocks[k + 1] if k + 1 < len(page_blocks) else None
        shown = after[1] if after and after[0] == "text" and not after[2].strip() else None
        found.append((code, shown))
    return found


def test_the_notebook_pages_cells_run_in_order_and_print_what_the_page_shows():
    """Run like a notebook: one namespace, cell after cell; a cell's printed lines, and the
    `Type: message` of an exception it raises, are what the page shows after it."""
    namespace = {"__name__": "notebook"}
    cells = cells_with_shown_output(NOTEBOOK)
    assert len(cells) >= 5 and any(shown and "refuted" in shown for _, shown in cells)
    for k, (code, shown) in enumerate(cells, 1):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            try:
                exec(compile(code, f"{NOTEBOOK}, cell {k}", "exec"), namespace)
            except Exception as exc:
                print(f"{type(exc).__name__}: {exc}")
        assert _without_times(out.getvalue()) == _without_times(shown or ""), f"cell {k}:\n{code}"
