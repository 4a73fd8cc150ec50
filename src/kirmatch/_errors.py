"""The error family, in one place: every problem with user input is a [`KirmatchError`][kirmatch.KirmatchError],
itself a ``ValueError``, and carries a stable machine-readable [`ErrorCode`][kirmatch.ErrorCode].

Each class has a default code; a raise site may give a more precise one (``UnknownAlleleError`` with
``code=ErrorCode.DELETED_ALLELE``). Frames put the code in ``kir_error_code``, the command line in its ``--json``
errors, so that batch code can count and route failures without parsing messages.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from enum import Enum
from typing import ClassVar, TypeVar

__all__ = [
    "ErrorCode",
    "KirmatchError",
    "AlleleNameError",
    "UnknownAlleleError",
    "ReferenceTableError",
    "MacTableError",
    "GenotypeError",
    "KirTypingError",
    "ProtocolValueError",
    "ColumnError",
    "FileFormatError",
    "with_context",
    "flag",
    "quote",
    "choice",
]

_MAX_SHOWN = 60


class ErrorCode(str, Enum):
    """Why kirmatch refused an input: a stable, machine-readable reason (the ``code`` of every error)."""

    MALFORMED_NAME = "malformed_name"
    """The text is not a well-formed HLA designation."""
    WRONG_LOCUS = "wrong_locus"
    """A designation of another locus than the slot it was given for (or of no single locus)."""
    UNKNOWN_ALLELE = "unknown_allele"
    """Well formed, but the release does not know it."""
    DELETED_ALLELE = "deleted_allele"
    """IPD deleted or renamed the allele; the error names the replacement."""
    MAC_TABLE_MISSING = "mac_table_missing"
    """An NMDP code was given but no code table (``mac_table=``, ``--mac-file``, ``$KIRMATCH_MAC_FILE``)."""
    MAC_TABLE_INVALID = "mac_table_invalid"
    """The NMDP code table could not be read."""
    MAC_CODE_UNKNOWN = "mac_code_unknown"
    """The NMDP code is not in the code table in use."""
    REFERENCE_TABLE = "reference_table"
    """The reference table is missing, unreadable, edited after its build or malformed."""
    BAD_GENOTYPE = "bad_genotype"
    """A genotype as a whole is malformed (too many alleles, unknown key, a locus twice)."""
    BAD_KIR_TYPING = "bad_kir_typing"
    """KIR typing is missing where a model needs it, or malformed."""
    UNKNOWN_LIGAND = "unknown_ligand"
    """A name that is not in the ligand catalogue."""
    UNKNOWN_MODEL = "unknown_model"
    """A name that is not in the model registry."""
    UNKNOWN_OPTION = "unknown_option"
    """An option value outside its choices (a Bw4 policy, ``errors=``)."""
    BAD_VALUE = "bad_value"
    """A quantity that is not a finite number in its allowed range."""
    COLUMN_NOT_FOUND = "column_not_found"
    """A frame's HLA (or tie-breaker) columns cannot be found unambiguously."""
    COLUMN_CLASH = "column_clash"
    """An output column would overwrite an input column."""
    BAD_FILE = "bad_file"
    """An input file cannot be read as a table (encoding, quoting, ragged rows, empty), or an output path is unsafe
    (a directory, the input itself)."""
    BAD_FRAME = "bad_frame"
    """A frame function was given something that is not a pandas DataFrame."""

    def __str__(self) -> str:
        return self.value


def quote(text: object, limit: int = _MAX_SHOWN) -> str:
    """Render user input for an error message: repr-quoted, control characters escaped, cut to ``limit``."""
    s = str(text)
    if len(s) > limit:
        s = s[:limit] + f"... ({len(str(text))} characters)"
    return repr(s)


class KirmatchError(ValueError):
    """Base class of every error kirmatch raises about its input.

    ``input`` holds the offending text (or value) so that batch code can report it; ``code`` says why, as an
    [`ErrorCode`][kirmatch.ErrorCode].
    """

    default_code: ClassVar[ErrorCode] = ErrorCode.BAD_VALUE

    def __init__(self, message: str, *, input: object = None, code: ErrorCode | None = None) -> None:
        super().__init__(message)
        self.input = input
        self.code: ErrorCode = code if code is not None else self.default_code


class AlleleNameError(KirmatchError):
    """The text is not a well-formed HLA designation (malformed, wrong locus, bad characters)."""

    default_code = ErrorCode.MALFORMED_NAME


class UnknownAlleleError(KirmatchError):
    """The designation is well formed but names nothing in the bundled IPD-IMGT/HLA release.

    ``suggestions`` lists the closest names that do exist; ``replacement`` is set when IPD renamed
    or merged the allele (and the code is then ``deleted_allele``).
    """

    default_code = ErrorCode.UNKNOWN_ALLELE

    def __init__(
        self,
        message: str,
        *,
        input: object = None,
        suggestions: Sequence[str] = (),
        replacement: str | None = None,
        code: ErrorCode | None = None,
    ) -> None:
        if code is None and replacement:
            code = ErrorCode.DELETED_ALLELE
        super().__init__(message, input=input, code=code)
        self.suggestions = tuple(suggestions)
        self.replacement = replacement


class ReferenceTableError(KirmatchError):
    """The reference table (bundled or user-supplied) is missing, unreadable or malformed."""

    default_code = ErrorCode.REFERENCE_TABLE


class MacTableError(KirmatchError):
    """An NMDP multiple-allele code was given but no usable code table: none supplied, unreadable or malformed,
    or the code is not in it.

    kirmatch does not bundle the code table (NMDP changes it daily); the message says how to supply one.
    """

    default_code = ErrorCode.MAC_TABLE_MISSING


class GenotypeError(KirmatchError):
    """An HLA genotype is malformed as a whole: a designation in the wrong locus slot, too many alleles for a
    locus, an unknown column or key, or a typing form this version cannot read."""

    default_code = ErrorCode.BAD_GENOTYPE


class KirTypingError(KirmatchError):
    """KIR typing is missing where a matching model needs it, or is malformed (unknown gene, motif or value)."""

    default_code = ErrorCode.BAD_KIR_TYPING


class ProtocolValueError(KirmatchError):
    """A protocol quantity (weight, cell count, fraction, option) is not a finite number in its allowed range,
    or an option names no known policy, ligand or model."""

    default_code = ErrorCode.BAD_VALUE


class ColumnError(KirmatchError):
    """A frame's HLA columns cannot be found unambiguously, or an output column would overwrite an input one."""

    default_code = ErrorCode.COLUMN_NOT_FOUND


class FileFormatError(KirmatchError):
    """An input file cannot be read as a table of typings (encoding, quoting, ragged rows, no rows, a missing optional
    reader), or an output path is unsafe (a directory, the input file itself)."""

    default_code = ErrorCode.BAD_FILE


_TRUE = frozenset({"true", "yes", "1", "on"})
_FALSE = frozenset({"false", "no", "0", "off"})


def flag(value: object, what: str) -> bool:
    """``value`` as a bool: a bool, 0 / 1, or the words true/false, yes/no, on/off (any case); anything else raises a
    ProtocolValueError naming ``what``. ``bool("False")`` is True, so no option of kirmatch uses ``bool()``."""
    if isinstance(value, bool):
        return value
    if type(value).__name__ == "bool_":  # numpy.bool_
        return bool(value)
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    raise ProtocolValueError(
        f"{what} must be True or False, got {quote(value)}", input=value, code=ErrorCode.UNKNOWN_OPTION
    )


E = TypeVar("E", bound=Enum)


def choice(kind: type[E], value: object, what: str, code: ErrorCode = ErrorCode.UNKNOWN_OPTION) -> E:
    """``value`` as a member of the enum ``kind`` (a member, or its value), else a ProtocolValueError that names
    ``what`` and lists the choices. The one check behind every string option of kirmatch."""
    if isinstance(value, kind):
        return value
    for member in kind:
        if member.value == value:
            return member
    choices = ", ".join(str(m.value) for m in kind)
    raise ProtocolValueError(f"unknown {what} {quote(value)}; use one of {choices}", input=value, code=code)


KE = TypeVar("KE", bound=KirmatchError)


def with_context(exc: KE, context: str, sep: str = ": ") -> KE:
    """A copy of ``exc`` (same class, same attributes and code) whose message starts with ``context``.

    Used to say which part of a larger input a designation error comes from
    (``"donor HLA-C allele 2: 'C*99:99' is well formed but ..."``) without losing the error's class.
    ``sep`` goes between the context and the original message.
    """
    new = copy.copy(exc)
    new.args = (f"{context}{sep}{exc}", *exc.args[1:])
    return new
