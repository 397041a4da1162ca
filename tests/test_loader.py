"""Proof folders load as files or as packages whose modules share helpers."""

import textwrap
from pathlib import Path

from symderiv.loader import load, proof_files

DERIVATION = """
from symderiv import Derivation
note = Derivation("a note in sections", steps=["S1", "S2"])
from . import first, second  # the sections register their claims in order
"""

HELPERS = """
import sympy as sp
x = sp.Symbol("x", positive=True)
def twice(e):
    return 2 * e
"""

SECTION = """
import sympy as sp
from symderiv import Equal, Positive
from . import note
from .helpers import twice, x

@note.claim("{step}", r"2x = x + x")
def claim_{step}():
    return Equal(twice(x), x + x, [Positive(x)])
"""


def write_package(folder: Path) -> Path:
    package = folder / "note"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(textwrap.dedent(DERIVATION))
    (package / "helpers.py").write_text(textwrap.dedent(HELPERS))
    (package / "first.py").write_text(SECTION.format(step="S1"))
    (package / "second.py").write_text(SECTION.format(step="S2"))
    return package


def test_a_package_loads_once_with_the_claims_of_every_section_in_order(tmp_path):
    write_package(tmp_path / "proofs")
    (tmp_path / "proofs" / "alone.py").write_text("from symderiv import Derivation\nd = Derivation('alone')\n")
    derivations, failures = load([tmp_path / "proofs"])
    assert failures == []
    assert sorted(d.title for d in derivations) == ["a note in sections", "alone"]
    note = next(d for d in derivations if d.title == "a note in sections")
    assert [ob.id for ob in note] == ["S1", "S2"]


def test_a_section_named_alone_gives_its_own_claims_of_the_shared_derivation(tmp_path):
    package = write_package(tmp_path)
    derivations, failures = load([package / "second.py"])
    assert failures == []
    assert [[ob.id for ob in d] for d in derivations] == [["S2"]]
    assert derivations[0].steps == ("S2",)


def test_two_packages_of_the_same_name_in_different_folders_do_not_collide(tmp_path):
    one, two = write_package(tmp_path / "a"), write_package(tmp_path / "b")
    (two / "second.py").write_text(SECTION.format(step="S2").replace("twice(x)", "3 * x"))
    (first,), _ = load([one])
    (second,), _ = load([two])
    assert first is not second
    x = first.obligations[1].build().rhs / 2
    assert first.obligations[1].build().lhs == 2 * x
    assert second.obligations[1].build().lhs == 3 * x


def test_a_package_that_fails_to_import_is_reported_with_the_line_in_its_folder(tmp_path):
    package = write_package(tmp_path)
    (package / "helpers.py").write_text("raise ValueError('half-written helper')\n")
    derivations, failures = load([package])
    assert derivations == []
    assert len(failures) == 1
    assert "ValueError: half-written helper" in failures[0].message
    assert f"{package / 'helpers.py'}:1" in failures[0].message


def test_the_bundled_note_is_a_package_of_sections(tmp_path):
    note = Path(__file__).resolve().parent.parent / "proofs" / "soft_q_learning"
    assert note / "__init__.py" in proof_files([note.parent])
    (derivation,), failures = load([note])
    assert failures == []
    steps = [ob.step for ob in derivation]
    assert steps[0] == "N1" and steps[-1] == "N19" and steps == sorted(steps, key=lambda s: int(s[1:]))
