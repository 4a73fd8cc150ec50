"""Three-valued logic for "does this person carry X": present, absent, or possible when the typing cannot decide.

:class:`Presence` values combine by Kleene's strong three-valued logic, reading ``possible`` as "unknown":

* ``a & b`` (and): absent if either is absent, present if both are present, otherwise possible.
* ``a | b`` (or): present if either is present, absent if both are absent, otherwise possible.
* ``~a`` (not): swaps present and absent; possible stays possible.

:func:`consensus` is the other way to combine, for *alternatives* (a genotype list, an allele list): present or
absent only when every alternative agrees, otherwise possible. Both orders of ``absent < possible < present``
are monotone, which the matching laws rely on.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum

from kirmatch._errors import KirmatchError, quote

__all__ = ["Presence", "kleene_and", "kleene_or", "kleene_not", "consensus"]


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

    def __and__(self, other: object) -> Presence:  # type: ignore[override]
        if not isinstance(other, Presence):
            return NotImplemented
        return _AND[self, other]

    def __or__(self, other: object) -> Presence:  # type: ignore[override]
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
