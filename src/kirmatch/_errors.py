"""The error family: every problem with user input is a ``KirmatchError``, itself a ``ValueError``."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "KirmatchError",
    "AlleleNameError",
    "UnknownAlleleError",
    "ReferenceTableError",
    "MacTableError",
    "GenotypeError",
    "KirTypingError",
    "ProtocolValueError",
    "with_context",
]

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


class GenotypeError(KirmatchError):
    """An HLA genotype is malformed as a whole: a designation in the wrong locus slot, too many alleles for a
    locus, an unknown column or key, or a typing form this version cannot read."""


class KirTypingError(KirmatchError):
    """KIR typing is missing where a matching model needs it, or is malformed (unknown gene, motif or value)."""


class ProtocolValueError(KirmatchError):
    """A protocol quantity (weight, cell count, fraction, option) is not a finite number in its allowed range,
    or an option names no known policy or model."""


def with_context(exc: KirmatchError, context: str, sep: str = ": ") -> KirmatchError:
    """A copy of ``exc`` (same class, same attributes) whose message starts with ``context``.

    Used to say which part of a larger input a designation error comes from
    (``"donor HLA-C allele 2: 'C*99:99' is well formed but ..."``) without losing the error's class.
    ``sep`` goes between the context and the original message.
    """
    import copy

    new = copy.copy(exc)
    new.args = (f"{context}{sep}{exc}",) + tuple(exc.args[1:])
    return new
