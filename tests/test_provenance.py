"""Where a claim comes from, computed from its source file."""

import textwrap

import pytest
import sympy as sp

from symderiv import Derivation, Equal, Positive
from symderiv.provenance import Label, Source, locate, normalise, provenances, source_of, unknown_ids

x = sp.Symbol("x", positive=True)

NOTE = textwrap.dedent(
    r"""
    # A note

    Some prose with $x = x$ inline, which is not a display.

    $$
      \begin{aligned}
      f(x) =& \bigg[ x \vert y \bigg] \\
      =& g(x).
      \end{aligned}
    $$

    \begin{equation}
    h(x) = \left( x \right)
    \end{equation}
    """
)


def _claims(d: Derivation) -> None:
    for k, (latex, meta) in enumerate(
        [
            (r"f(x) = [x|y] = g(x)", {}),
            (r"h(x) = (x).", {}),
            (r"x = x", {"prose_line": 4}),
            (r"g(x) = x", {"corrects": "C1"}),
            (r"q(x) = 1", {}),
        ]
    ):
        d.claim(f"C{k + 1}", latex, **meta)(lambda: Equal(x, x, [Positive(x)]))


def test_labels_verbatim_prose_corrected_and_not_found(tmp_path):
    (tmp_path / "note.md").write_text(NOTE)
    d = Derivation("provenance", source="note.md")
    _claims(d)
    labels = provenances(d, Source.read(tmp_path / "note.md"))
    assert [(p.label, p.line) for p in labels.values()] == [
        (Label.VERBATIM, 8),  # alignment marks, \bigg, \vert and the final period do not matter
        (Label.VERBATIM, 14),
        (Label.PROSE, 4),
        (Label.CORRECTED, None),
        (Label.NOT_FOUND, None),
    ]
    assert labels["C3"].quote == "Some prose with $x = x$ inline, which is not a display."
    assert labels["C4"].corrects == "C1"


def test_the_source_is_found_beside_the_proof_file_or_above_it(tmp_path):
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "note.md").write_text(NOTE)
    proof = tmp_path / "repo" / "proofs" / "note.py"
    proof.parent.mkdir(parents=True)
    assert locate("shared/note.md", proof, cwd=tmp_path / "repo") == tmp_path / "shared" / "note.md"
    assert locate("shared/missing.md", proof, cwd=tmp_path / "repo") is None
    assert source_of(Derivation("none", source="shared/missing.md")) is None


def test_normalising_keeps_the_line_of_each_character():
    text, lines = normalise("a &=\n b \\\\\n c", first_line=5)
    assert text == "a=bc" and lines == [5, 5, 6, 7]


def test_corrects_and_uses_must_name_steps_of_the_derivation():
    d = Derivation("ids", steps=["C1"])
    d.claim("C1", "x = x", uses=["C9"])(lambda: None)
    d.claim("C2", "x = x", corrects="C1")(lambda: None)
    assert unknown_ids(d) == ["C1: C9"]
    with pytest.raises(ValueError, match="sequence of ids"):
        d.claim("C3", "x = x", uses="C1")


def test_a_line_of_a_display_is_quoted_as_math_without_its_alignment_marks(tmp_path):
    source = Source(tmp_path / "note.md", NOTE)
    assert source.sentence(8) == r"$f(x) = \bigg[ x \vert y \bigg]$"
    assert source.sentence(9) == "$= g(x).$"
    assert source.sentence(4) == "Some prose with $x = x$ inline, which is not a display."


def test_every_obligation_of_the_bundled_note_says_where_in_the_note_it_comes_from():
    from pathlib import Path

    from symderiv.loader import load

    (note,), failures = load([Path(__file__).resolve().parent.parent / "proofs" / "soft_q_learning"])
    assert failures == []
    source = source_of(note)
    assert source is not None, "the note is read from ../shared beside the repository"
    labels = provenances(note, source)
    assert [ob_id for ob_id, p in labels.items() if p.label is Label.NOT_FOUND] == []
    assert all(p.line is not None for p in labels.values() if p.label is not Label.CORRECTED)
