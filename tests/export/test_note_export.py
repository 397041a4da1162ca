"""The bundled note exported as a reader gets it: checked once at 2×2 with few samples (the
same verdicts as at full sizes: N18's bias needs two states), written as .tex twice, compiled
once with its log kept, and read back with pdftotext."""

import fcntl
import os
import re
import zlib
from pathlib import Path

import pytest

from symderiv.cli import main
from symderiv.export import compile_pdf
from symderiv.loader import default_proof_dir, load
from symderiv.verdict import Status

from .test_pdf import pdf_text

PROOF = default_proof_dir() / "soft_q_learning"
EXPORT = ["--samples", "100", "--sizes", "2x2", "--seed", "0"]

#: Names of the model that a reader must never see in the text.
INTERNAL = re.compile(r"pitilde|\bpib\b|\bQb\b|theta_(?:target|sample)|__c\d|\bq_\d_\d\b|\bP_\d_\d_\d\b|\bp0_\d\b")


@pytest.fixture(scope="module")
def note():
    [derivation], failures = load([PROOF])
    assert not failures
    return derivation


def _run_folder(tmp_path_factory) -> Path:
    """The temporary folder of this test run that every pytest-xdist worker sees (a worker's
    own basetemp is a folder of it); without xdist, the run's basetemp."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def _export_note(folder: Path) -> None:
    """The note exported three times into one verdict cache, and the first .tex compiled."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SYMDERIV_CACHE_DIR", str(folder / "cache"))
        main(["export", str(PROOF), *EXPORT, "-o", str(folder / "first.tex")])
        main(["export", str(PROOF), *EXPORT, "-o", str(folder / "second.tex")])
        main(["export", str(PROOF), *EXPORT, "-o", str(folder / "note.md")])
    tex = (folder / "first.tex").read_text(encoding="utf-8")
    compile_pdf(tex, folder / "note.pdf", log=folder / "note.log")
    (folder / "done").touch()


@pytest.fixture(scope="module")
def exported(tmp_path_factory, tex_tools):
    """(tex, second tex, log, pdf text, pdf, markdown), from exports of the note into one cache.
    Made once per run: the first pytest-xdist worker to need them exports while the other waits
    on the lock, then reads the same files (checking the note again would double the cost)."""
    folder = _run_folder(tmp_path_factory) / "note-export"
    folder.mkdir(exist_ok=True)
    with open(folder / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / "done").exists():
            _export_note(folder)
    tex = (folder / "first.tex").read_text(encoding="utf-8")
    pdf = folder / "note.pdf"
    log = (folder / "note.log").read_text(encoding="utf-8", errors="replace")
    markdown = (folder / "note.md").read_text(encoding="utf-8")
    return tex, (folder / "second.tex").read_text(encoding="utf-8"), log, pdf_text(pdf), pdf.read_bytes(), markdown


def test_two_exports_of_the_same_input_give_the_same_tex(exported):
    tex, again, *_ = exported
    assert tex == again
    assert "seconds" not in tex


def test_the_pdf_has_contents_bookmarks_a_coverage_table_and_the_step_graph(exported, note):
    tex, _, _, text, pdf, _ = exported
    assert r"\tableofcontents" in tex and "Contents" in text
    streams = b"".join(
        zlib.decompress(m) for m in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S) if _inflates(m)
    )
    assert b"/Outlines" in pdf + streams and b"/Title" in pdf + streams  # hyperref's bookmarks
    coverage = text[text.index("Coverage\n") :]
    assert "step line obligation label" in " ".join(coverage[:400].split())
    graph = tex[tex.index(r"\begin{tikzpicture}") : tex.index(r"\end{tikzpicture}")]
    for step in note.steps:
        assert f"({step})" in graph
    assert "(N16) to[out=-90, in=90] (N15)" in graph and "(N17) to[out=-90, in=90] (N15)" in graph  # N15 uses them


def _inflates(data: bytes) -> bool:
    try:
        zlib.decompress(data)
    except zlib.error:
        return False
    return True


def test_no_display_is_scaled_below_80_percent_or_drops_a_term(exported):
    tex, _, log, _, _, _ = exported
    assert "symderiv: display line too wide" not in log
    assert r"\claimline" in tex
    assert "terms not shown" not in tex and "more element" not in tex and r"\cdots \quad" not in tex


def test_the_text_has_no_unicode_escapes_and_no_internal_names(exported):
    text = exported[3]
    assert "U+" not in text
    leaked = sorted(set(INTERNAL.findall(text)))
    assert not leaked, leaked


def test_the_errata_are_the_refuted_claims_each_linked_to_its_correction(exported, note):
    tex, _, _, text, _, _ = exported
    errata = [ob for ob in note if ob.expect is Status.REFUTED and not ob.remark]
    remarks = [ob for ob in note if ob.remark]
    assert {ob.id for ob in remarks} == {"N18", "N18.loss_states"}
    assert errata and {ob.id for ob in errata} == {"N3.objective", "N4.not_optimal", "N5.objective", "N15", "N19"}
    found = re.findall(r"\\hypertarget\{err-0-([^}]*)\}", tex)
    assert sorted(found) == sorted(re.sub(r"[^A-Za-z0-9.-]", "-", ob.id) for ob in errata)
    sections = tex.split(r"\subsection*{")
    for ob in errata:
        [section] = [s for s in sections if r"\hypertarget{err-0-" + re.sub(r"[^A-Za-z0-9.-]", "-", ob.id) + "}" in s]
        corrections = [c.id for c in note if c.corrects == ob.id]
        assert corrections, f"{ob.id} has no correction"
        for c in corrections:
            assert r"\hyperlink{ob-0-" + re.sub(r"[^A-Za-z0-9.-]", "-", c) + "}" in section
        assert "Counterexample" in section
    assert "Remarks confirmed" in text and "Erratum N18" not in text


def test_labels_are_computed_from_the_note(exported):
    tex = exported[0]
    assert "Verbatim, line 118 of the source:" in tex  # N11
    assert "Formalised from prose, line 156 of the source:" in tex  # N16
    assert r"\begin{CJK}{UTF8}{gbsn}" in tex  # the note's sentence, quoted from the file


def test_the_markdown_has_the_coverage_table_first_the_same_errata_and_short_sections(exported, note):
    markdown = exported[5]
    assert markdown.index("## Coverage") < markdown.index("## Steps")
    sections = re.split(r"\n(?=#{1,6} )", markdown)
    assert max(map(len, sections)) < 60_000
    errata = set(re.findall(r"^### Erratum (\S+)$", markdown, re.M))
    assert errata == {ob.id.replace("_", "\\_") for ob in note if ob.expect is Status.REFUTED and not ob.remark}
    assert set(re.findall(r"^### Remark (\S+)$", markdown, re.M)) == {"N18", "N18.loss\\_states"}
