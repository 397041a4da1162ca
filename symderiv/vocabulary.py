"""What a derivation's symbols mean to a reader, apart from the engine that checks them.

The core checks claims about any SymPy symbols; a vocabulary (such as `symderiv.rl`)
adds the words of one field: how its indexed symbols print (`pitilde_0_1` as π̃(1|0))
and which plain-NumPy modules its claims are checked against, so that an export shows
the field's notation and typesets the references its claims use.  A derivation names
the vocabularies it speaks; one that names none prints every symbol as SymPy does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True, eq=False)
class Vocabulary:
    """A field's notation and reference modules (one object per field: compared by identity).

    `notation` maps the base of an indexed symbol name (`pi` in `pi_0_1`) to a LaTeX
    template whose fields {0}, {1}, ... are the name's indices in order."""

    name: str
    notation: Mapping[str, str] = field(default_factory=dict)
    #: Importable modules of plain-NumPy reference implementations, for the export's appendix.
    reference_modules: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "notation", MappingProxyType(dict(self.notation)))


def merged_notation(vocabularies: Iterable[Vocabulary]) -> dict[str, str]:
    """One notation table for several vocabularies; two that print a base differently are an error."""
    table: dict[str, str] = {}
    owner: dict[str, str] = {}
    for vocabulary in vocabularies:
        for base, template in vocabulary.notation.items():
            if table.get(base, template) != template:
                raise ValueError(
                    f"vocabularies {owner[base]!r} and {vocabulary.name!r} print the symbol base {base!r} "
                    f"differently ({table[base]!r}, {template!r}); rename the symbols of one of them"
                )
            table[base], owner[base] = template, vocabulary.name
    return table
