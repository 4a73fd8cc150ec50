"""The error family: every problem with user input is a ``KirmatchError``, itself a ``ValueError``."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["KirmatchError", "AlleleNameError", "UnknownAlleleError", "ReferenceTableError", "MacTableError"]

_MAX_SHOWN = 60


def quote(text: object, limit: int = _MAX_SHOWN) -> str:
    """Render user input for an error message: repr-quoted, control characters escaped, cut to ``limit``."""
    s = str(text)
    if len(s) > limit:
        s = s[:limit] + f"... ({len(str(text))} characters)"
    return repr(s)


class KirmatchError(ValueError):
    """Base class of every error kirmatch raises about its input.

    ``input`` holds the offending text (or value) so that batch code can report it.
    """

    def __init__(self, message: str, *, input: object = None) -> None:
        super().__init__(message)
        self.input = input


class AlleleNameError(KirmatchError):
    """The text is not a well-formed HLA designation (malformed, wrong locus, bad characters)."""


class UnknownAlleleError(KirmatchError):
    """The designation is well formed but names nothing in the bundled IPD-IMGT/HLA release.

    ``suggestions`` lists the closest names that do exist; ``replacement`` is set when IPD renamed
    or merged the allele.
    """

    def __init__(
        self,
        message: str,
        *,
        input: object = None,
        suggestions: Sequence[str] = (),
        replacement: str | None = None,
    ) -> None:
        super().__init__(message, input=input)
        self.suggestions = tuple(suggestions)
        self.replacement = replacement


class ReferenceTableError(KirmatchError):
    """The reference table (bundled or user-supplied) is missing, unreadable or malformed."""


class MacTableError(KirmatchError):
    """An NMDP multiple-allele code was given but no usable code table: none supplied, unreadable or malformed.

    kirmatch does not bundle the code table (NMDP changes it daily); the message says how to supply one.
    """
