"""A model's size: named extents, written 2x3, ordered from the simplest; and the sizes a claim declares."""

import pickle
import re

import pytest
import sympy as sp

from symderiv import Derivation, Equal, Positive, Size, sizes
from symderiv.rl import AXES, mdp_size

x = sp.Symbol("x", positive=True)


def test_a_size_is_its_named_extents_in_order_written_joined_by_x():
    size = Size((("states", 2), ("actions", 3)))
    assert size == Size.of(states=2, actions=3) == mdp_size(2, 3)
    assert str(size) == "2x3" and repr(size) == "Size.of(states=2, actions=3)"
    assert size.axes == ("states", "actions") == AXES and size.counts == (2, 3) and size.volume == 6
    assert size["states"] == 2 and size["actions"] == 3 and "states" in size and "n" not in size
    assert list(size) == ["states", "actions"]
    with pytest.raises(KeyError, match="the size 2x3 has no axis 'n'; its axes are states, actions"):
        size["n"]
    assert hash(size) == hash(Size.of(states=2, actions=3)) and len({size, mdp_size(2, 3)}) == 1
    assert pickle.loads(pickle.dumps(size)) == size


def test_a_size_on_one_axis_of_no_vocabulary():
    n = Size.of(n=4)
    assert str(n) == "4" and n["n"] == 4 and n.volume == 4 and n.axes == ("n",)
    assert Size.parse("4", ["n"]) == n
    assert sorted([Size.of(n=3), Size.of(n=1), Size.of(n=2)], key=Size.simplicity) == [
        Size.of(n=1),
        Size.of(n=2),
        Size.of(n=3),
    ]


@pytest.mark.parametrize(
    "extents, message",
    [
        ((), "one axis at least"),
        ((("states", 0),), "integer at least 1, got 0"),
        ((("states", 1.5),), "integer at least 1, got 1.5"),
        ((("states", True),), "integer at least 1, got True"),
        ((("states", 2), ("states", 3)), "names each axis once"),
        ((("states", 2), ("", 3)), "all unnamed"),
    ],
)
def test_a_size_refuses_what_is_no_size(extents, message):
    with pytest.raises(ValueError, match=message):
        Size(extents)


def test_sizes_are_ordered_from_the_simplest_then_by_their_extents():
    mixed = [mdp_size(3, 2), mdp_size(1, 4), mdp_size(1, 3), mdp_size(2, 3), mdp_size(2, 2), mdp_size(1, 2)]
    assert [str(s) for s in sorted(mixed, key=Size.simplicity)] == ["1x2", "1x3", "1x4", "2x2", "2x3", "3x2"]
    assert [str(s) for s in sorted(mixed)] == ["1x2", "1x3", "1x4", "2x2", "2x3", "3x2"]
    assert [str(s) for s in sorted([mdp_size(4, 1), mdp_size(1, 3)], key=Size.simplicity)] == ["1x3", "4x1"]


def test_sizes_are_every_combination_the_first_axis_slowest():
    assert [str(s) for s in sizes([1, 2], [2, 3])] == ["1x2", "1x3", "2x2", "2x3"]
    assert sizes([1, 2], [2, 3]) == Size.grid(states=[1, 2], actions=[2, 3])
    assert [s.axes for s in Size.grid(n=[1, 2])] == [("n",), ("n",)]


def test_parsing_gives_unnamed_extents_that_an_obligations_axes_name():
    parsed = Size.parse(" 2 X 3 ")
    assert str(parsed) == "2x3" and parsed.axes == ("", "") and repr(parsed) == "Size.parse('2x3')"
    assert parsed.named(AXES) == mdp_size(2, 3) and mdp_size(2, 3).named(AXES) == mdp_size(2, 3)
    assert Size.parse("2×3×4").counts == (2, 3, 4)
    assert Size.parse("2x3", AXES) == mdp_size(2, 3)
    with pytest.raises(
        ValueError, match=r"the size 2x3x4 \(unnamed\) is not one on states, actions: write STATESxACTIONS"
    ):
        Size.parse("2x3x4").named(AXES)
    with pytest.raises(ValueError, match="is not one on n"):
        mdp_size(2, 3).named(["n"])


@pytest.mark.parametrize("text", ["2by2", "0x2", "2x", "", "x", "-1", "2.5"])
def test_a_size_that_cannot_be_parsed_is_an_error_that_quotes_it(text):
    with pytest.raises(ValueError, match=re.escape(f"extents joined by x, each at least 1, e.g. 2x3; got {text!r}")):
        Size.parse(text)


def test_a_size_parsed_on_axes_has_one_extent_per_axis():
    with pytest.raises(ValueError, match="a size on states, actions is STATESxACTIONS, e.g. 2x2; got '3'"):
        Size.parse("3", AXES)


def test_an_obligations_sizes_are_sorted_and_on_the_same_named_axes():
    d = Derivation("sizes")

    @d.claim("S1", "x = x", sizes=[Size.of(n=3), Size.of(n=1)], model=lambda size: size)
    def on_n(size):
        return Equal(x, x, [Positive(x)])

    (ob,) = d.obligations
    assert ob.sizes == (Size.of(n=1), Size.of(n=3)) and ob.axes == ("n",)
    with pytest.raises(ValueError, match="S2: every size of a claim is on the same axes"):
        d.claim("S2", "x = x", sizes=[Size.of(n=1), mdp_size(1, 2)], model=lambda size: size)
    with pytest.raises(ValueError, match="S3: name the axes of a claim's sizes"):
        d.claim("S3", "x = x", sizes=[Size.parse("2")], model=lambda size: size)
    with pytest.raises(ValueError, match="S4: sizes is a sequence of Size"):
        d.claim("S4", "x = x", sizes=[(1, 2)], model=lambda size: size)  # type: ignore[list-item]
