"""Text to typed HLA allele names: the grammar of HLA nomenclature, and nothing that needs the reference data.

Every designation a lab writes is read here into an immutable value object with a canonical string form.
Turning a name into the set of IPD-IMGT/HLA alleles it can mean is the job of :mod:`kirmatch.reference`.

Decision logic of :func:`parse_allele_name`:

1. The text must be a ``str`` of at most 200 characters, printable ASCII once surrounding blanks are removed.
   Look-alike characters (a full-width asterisk, a Unicode minus) are refused with their code point named, never
   silently mapped: an HLA report that contains them was produced by a tool that mangles text.
2. An optional ``HLA-`` prefix (any case) is dropped.
3. The locus must be ``A``, ``B`` or ``C`` (any case). Other HLA loci are well formed but not KIR ligands, and are
   refused with that reason.
4. ``*`` then one to four fields of digits separated by ``:``. A one-digit field is zero-padded (``C*7:2`` is
   ``C*07:02``): fields are numbers, so this is not a guess.
5. An optional expression suffix ``N`` (null), ``L`` (low), ``S`` (secreted), ``Q`` (questionable),
   ``C`` (cytoplasm) or ``A`` (aberrant), any case.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from kirmatch._errors import AlleleNameError, quote

__all__ = [
    "LOCI",
    "EXPRESSION_SUFFIXES",
    "NOT_EXPRESSED_SUFFIXES",
    "AlleleName",
    "parse_allele_name",
]

LOCI: tuple[str, ...] = ("A", "B", "C")
"""The HLA class I loci whose products are KIR ligands."""

EXPRESSION_SUFFIXES: dict[str, str] = {
    "N": "null",
    "L": "low cell-surface expression",
    "S": "secreted, not on the cell surface",
    "Q": "questionable expression",
    "C": "cytoplasmic, not on the cell surface",
    "A": "aberrant expression",
}
"""The WHO expression suffixes and what each means."""

NOT_EXPRESSED_SUFFIXES: frozenset[str] = frozenset("NSC")
"""Suffixes of alleles that put no protein on the cell surface, and so carry no KIR ligand."""

MAX_LENGTH = 200
"""Longest text the parsers look at; anything longer is refused before any pattern runs."""

_OTHER_HLA_LOCI = re.compile(
    r"(?:HLA-)?(DRB[1-9]|DQA1|DQB1|DPA1|DPB1|DRA|E|F|G|H|J|K|L|MICA|MICB|TAP1|TAP2|V|P|N|S|T|U|W|Y)\*",
    re.IGNORECASE,
)
_NAME = re.compile(
    r"(?:HLA-)?(?P<locus>[A-Z]+)\*(?P<fields>[0-9]{1,4}(?::[0-9]{1,4}){0,3})(?P<suffix>[NLSQCA])?",
    re.IGNORECASE | re.ASCII,
)


@dataclass(frozen=True, slots=True)
class AlleleName:
    """An HLA class I allele name of one to four fields, as a value object.

    ``str(name)`` is the canonical IPD form (``C*07:02:01:01``, ``C*04:09N``), without the ``HLA-`` prefix.
    """

    locus: str
    fields: tuple[str, ...]
    suffix: str = ""

    def __post_init__(self) -> None:
        if self.locus not in LOCI:
            raise AlleleNameError(f"locus {self.locus!r} is not one of {', '.join(LOCI)}", input=self.locus)
        if not 1 <= len(self.fields) <= 4 or not all(f.isdigit() and f.isascii() for f in self.fields):
            raise AlleleNameError(f"fields {self.fields!r} are not 1-4 digit groups", input=self.fields)
        if self.suffix and self.suffix not in EXPRESSION_SUFFIXES:
            raise AlleleNameError(f"suffix {self.suffix!r} is not an expression suffix", input=self.suffix)

    def __str__(self) -> str:
        return f"{self.locus}*{':'.join(self.fields)}{self.suffix}"

    @property
    def resolution(self) -> int:
        """Number of fields (1 = allele group, 2 = protein, 3 = synonymous, 4 = non-coding)."""
        return len(self.fields)

    @property
    def protein(self) -> str:
        """The first two fields, without suffix (``C*07:02``); the allele group alone for a 1-field name."""
        return f"{self.locus}*{':'.join(self.fields[:2])}"

    @property
    def expressed(self) -> bool:
        """False for the suffixes N, S and C, whose products never reach the cell surface."""
        return self.suffix not in NOT_EXPRESSED_SUFFIXES


def _check_text(text: object, what: str = "HLA designation") -> str:
    """Common first gate of every parser: type, length, characters. Returns the stripped text."""
    if not isinstance(text, str):
        raise AlleleNameError(
            f"expected an {what} as str, got {type(text).__name__} {quote(text)}", input=text
        )
    if len(text) > MAX_LENGTH:
        raise AlleleNameError(
            f"{what} {quote(text)} is longer than {MAX_LENGTH} characters", input=text
        )
    s = text.strip()
    if not s:
        raise AlleleNameError(f"empty {what} {quote(text)}", input=text)
    for i, ch in enumerate(s):
        if ch.isascii() and ch.isprintable():
            continue
        try:
            uname = unicodedata.name(ch)
        except ValueError:
            uname = "a control character"
        raise AlleleNameError(
            f"{what} {quote(text)} has character U+{ord(ch):04X} ({uname}) at position {i}; "
            "only plain ASCII is accepted (write * and - as ASCII)",
            input=text,
        )
    return s


def _fail_name(text: str, s: str) -> AlleleNameError:
    """Explain which part of a would-be allele name is wrong."""
    body = s[4:] if s[:4].upper() == "HLA-" else s
    if "*" not in body:
        if body.isdigit():
            return AlleleNameError(
                f"{quote(text)} is a number alone; an allele name needs a locus, e.g. 'C*07:02'", input=text
            )
        return AlleleNameError(
            f"{quote(text)} has no '*' between locus and fields, e.g. 'C*07:02'", input=text
        )
    locus, _, rest = body.partition("*")
    if _OTHER_HLA_LOCI.match(body):
        return AlleleNameError(
            f"{quote(text)}: locus {locus.upper()} is not HLA-A, -B or -C, the KIR-ligand loci", input=text
        )
    if locus.upper() not in LOCI:
        return AlleleNameError(
            f"{quote(text)}: unknown locus {quote(locus)}; expected A, B or C", input=text
        )
    if not rest:
        return AlleleNameError(f"{quote(text)}: nothing after '*'; expected fields such as '07:02'", input=text)
    m = re.match(r"[0-9]{1,4}(?::[0-9]{1,4}){0,3}", rest)
    if not m:
        return AlleleNameError(
            f"{quote(text)}: fields {quote(rest)} must start with digits, e.g. '07:02'", input=text
        )
    tail = rest[m.end():]
    if rest.count(":") > 3 and re.fullmatch(r"[0-9:]+[A-Za-z]?", rest):
        return AlleleNameError(f"{quote(text)}: more than four fields", input=text)
    return AlleleNameError(
        f"{quote(text)}: unexpected {quote(tail)} after the fields {quote(m.group())}; "
        f"only an expression suffix ({'/'.join(EXPRESSION_SUFFIXES)}) may follow",
        input=text,
    )


def parse_allele_name(text: str) -> AlleleName:
    """Read a current (post-2010) HLA-A, -B or -C allele name of one to four fields.

    Raises :class:`~kirmatch.AlleleNameError` naming the part that is wrong.

    >>> str(parse_allele_name(" hla-c*07:02:01:01 "))
    'C*07:02:01:01'
    >>> parse_allele_name("C*04:09N").expressed
    False
    """
    s = _check_text(text, "HLA allele name")
    m = _NAME.fullmatch(s)
    if m is None or m.group("locus").upper() not in LOCI:
        raise _fail_name(text, s)
    fields = tuple(f.zfill(2) for f in m.group("fields").split(":"))
    return AlleleName(m.group("locus").upper(), fields, (m.group("suffix") or "").upper())
