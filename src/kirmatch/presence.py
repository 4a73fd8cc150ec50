"""Three-valued logic for "does this person carry X": present, absent, or possible when the typing cannot decide.

[`Presence`][kirmatch.presence.Presence] values combine by Kleene's strong three-valued logic, reading ``possible`` as
"unknown":

* ``a & b`` (and): absent if either is absent, present if both are present, otherwise possible.
* ``a | b`` (or): present if either is present, absent if both are absent, otherwise possible.
* ``~a`` (not): swaps present and absent; possible stays possible.

[`consensus`][kirmatch.presence.consensus] is the other way to combine, for *alternatives* (a genotype list, an allele
list): present or absent only when every alternative agrees, otherwise possible. Both orders of ``absent < possible <
present`` are monotone, which the matching laws rely on.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import TYPE_CHECKING, Any, TypeVar

from kirmatch._errors import KirmatchError, quote

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = [
    "Presence",
    "kleene_and",
    "kleene_or",
    "kleene_not",
    "consensus",
    "Bits",
    "Planes",
    "planes_or",
    "planes_and",
    "planes_not",
    "planes_consensus",
    "planes_of",
    "presence_at",
]


class Presence(str, Enum):
    """Whether something is carried: ``present``, ``absent`` or ``possible`` (the typing does not decide)."""

    PRESENT = "present"
    ABSENT = "absent"
    POSSIBLE = "possible"

    def __str__(self) -> str:
        return self.value

    @classmethod
    def of(cls, value: object) -> Presence:
        """Read ``True``/``False``/``None`` or a Presence (or its value) as a Presence; ``None`` is possible."""
        if isinstance(value, Presence):
            return value
        if value is None:
            return cls.POSSIBLE
        if isinstance(value, bool):
            return cls.PRESENT if value else cls.ABSENT
        if isinstance(value, str):
            found = _WORDS.get(value.strip().lower())
            if found is not None:
                return found
        raise KirmatchError(
            f"{quote(value)} is not a presence; use True/False/None or 'present'/'absent'/'possible'", input=value
        )

    @property
    def rank(self) -> int:
        """0 for absent, 1 for possible, 2 for present: the order in which "more ligand" is "more"."""
        return _RANK[self]

    def __and__(self, other: object) -> Presence:
        if not isinstance(other, Presence):
            return NotImplemented
        return _AND[self, other]

    def __or__(self, other: object) -> Presence:
        if not isinstance(other, Presence):
            return NotImplemented
        return _OR[self, other]

    def __invert__(self) -> Presence:
        return _NOT[self]

    @property
    def certain(self) -> bool:
        """True for present and absent."""
        return self is not Presence.POSSIBLE


_P, _A, _Q = Presence.PRESENT, Presence.ABSENT, Presence.POSSIBLE
_RANK = {_A: 0, _Q: 1, _P: 2}
_BY_RANK = {0: _A, 1: _Q, 2: _P}
_AND = {(x, y): _BY_RANK[min(_RANK[x], _RANK[y])] for x in Presence for y in Presence}
_OR = {(x, y): _BY_RANK[max(_RANK[x], _RANK[y])] for x in Presence for y in Presence}
_NOT = {_P: _A, _A: _P, _Q: _Q}
_WORDS = {
    "present": _P, "absent": _A, "possible": _Q, "pos": _P, "neg": _A, "+": _P, "-": _A, "yes": _P, "no": _A,
    "true": _P, "false": _A, "unknown": _Q, "?": _Q,
}


def kleene_and(*values: Presence) -> Presence:
    """Kleene conjunction; ``present`` for no arguments."""
    out = _P
    for v in values:
        out = _AND[out, v]
    return out


def kleene_or(*values: Presence) -> Presence:
    """Kleene disjunction; ``absent`` for no arguments."""
    out = _A
    for v in values:
        out = _OR[out, v]
    return out


def kleene_not(value: Presence) -> Presence:
    """Kleene negation."""
    return _NOT[value]


def consensus(values: Iterable[Presence]) -> Presence:
    """Combine alternatives: the common value when all agree, else ``possible`` (``absent`` when there are none)."""
    seen = set(values)
    if not seen:
        return _A
    return seen.pop() if len(seen) == 1 else _Q


# --------------------------------------------------------------------------------------------------- bit planes
#
# The same logic over many ligands (and, in kirmatch.frame, many people) at once. A vector of presences, one per
# ligand, is a pair of bit masks (present, possible), disjoint; a ligand in neither is absent. The functions below
# use only &, | and ~ with an explicit full mask, so they work unchanged on Python ints and on numpy integer
# arrays: the scalar API and the vectorised frame layer run this one implementation.

Bits = TypeVar("Bits", int, "npt.NDArray[Any]")
"""A bit mask over the ligands: a Python int (one person) or a numpy array of them (a frame, one per row)."""

Planes = tuple[int, int]
"""Scalar planes of one person: (present bits, possible bits)."""


def planes_or(a: tuple[Bits, Bits], b: tuple[Bits, Bits]) -> tuple[Bits, Bits]:
    """Kleene "or", ligand by ligand: present if either is present, absent if both are absent."""
    present = a[0] | b[0]
    return present, (a[1] | b[1]) & ~present


def planes_and(a: tuple[Bits, Bits], b: tuple[Bits, Bits]) -> tuple[Bits, Bits]:
    """Kleene "and", ligand by ligand: absent if either is absent, present if both are present."""
    present = a[0] & b[0]
    return present, (a[0] | a[1]) & (b[0] | b[1]) & ~present


def planes_not(a: tuple[Bits, Bits], full: int) -> tuple[Bits, Bits]:
    """Kleene "not" over the ligands in ``full``: present and absent swap, possible stays."""
    return full & ~(a[0] | a[1]), a[1]


def planes_consensus(alternatives: Iterable[Planes], full: int) -> Planes:
    """Alternatives (genotype ambiguity): present or absent only where every alternative agrees."""
    items = list(alternatives)
    if not items:
        return 0, 0
    present, absent = full, full
    for p, q in items:
        present = present & p
        absent = absent & ~(p | q)
    return present, full & ~present & ~absent


def presence_at(planes: Planes, bit: int) -> Presence:
    """The [`Presence`][kirmatch.presence.Presence] of the ligand at ``bit`` in scalar planes."""
    if planes[0] & bit:
        return Presence.PRESENT
    if planes[1] & bit:
        return Presence.POSSIBLE
    return Presence.ABSENT


def planes_of(values: Iterable[Presence]) -> Planes:
    """Scalar planes from one [`Presence`][kirmatch.presence.Presence] per bit (bit 0 first)."""
    present = possible = 0
    for i, value in enumerate(values):
        if value is Presence.PRESENT:
            present |= 1 << i
        elif value is Presence.POSSIBLE:
            possible |= 1 << i
    return present, possible
