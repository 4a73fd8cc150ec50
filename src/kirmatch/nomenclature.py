"""Text to typed HLA designations: the grammar of HLA nomenclature, and nothing that needs the reference data.

Every designation a lab writes is read here into an immutable value object with a canonical string form: current allele
names ([`AlleleName`][kirmatch.nomenclature.AlleleName]), pre-2010 names (`OldAlleleName`), NMDP ``XX`` and
multiple-allele codes (`XXCode`, `MacCode`), G and P groups, serologic antigens, allele lists, and whole genotypes as GL
strings ([`parse_gl_string`][kirmatch.nomenclature.parse_gl_string]). Turning a designation into the set of IPD-IMGT/HLA
alleles it can mean is the job of `kirmatch.reference`; this module never guesses what the data would say (a pre-2010
name keeps its digits, an NMDP code its letters).

Common gate of every parser, then [`parse_designation`][kirmatch.nomenclature.parse_designation] (which documents the
grammar of each kind):

1. The text must be a ``str`` of at most 200 characters (GL strings: 10,000), printable ASCII once surrounding
   blanks are removed. Look-alike characters (a full-width asterisk, a Unicode minus) are refused with their
   code point named, never silently mapped: an HLA report that contains them was produced by a tool that
   mangles text.
2. An optional ``HLA-`` prefix (any case) is dropped.
3. The locus must be ``A``, ``B`` or ``C`` (any case; ``Cw`` is the pre-2010 name of HLA-C). Other HLA loci are
   well formed but not KIR ligands, and are refused with that reason.
4. Fields are digits separated by ``:``, each of at least two digits. A one-digit field (``C*07:2``) is refused
   rather than padded: it may as well be a truncated ``:20`` or ``:200`` as ``:02``.
5. An optional expression suffix ``N`` (null), ``L`` (low), ``S`` (secreted), ``Q`` (questionable),
   ``C`` (cytoplasm) or ``A`` (aberrant), any case.

Reading is a single left-to-right pass with no backtracking pattern, so its time is linear in the text length;
single designations are cached (module-level ``lru_cache``).
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass, field
from enum import Enum
from typing import ClassVar, TypeAlias

from kirmatch._errors import AlleleNameError, quote

__all__ = [
    "LOCI",
    "EXPRESSION_SUFFIXES",
    "NOT_EXPRESSED_SUFFIXES",
    "MAX_LENGTH",
    "MAX_GL_LENGTH",
    "TypingKind",
    "AlleleName",
    "OldAlleleName",
    "XXCode",
    "MacCode",
    "GGroup",
    "PGroup",
    "Serology",
    "AlleleList",
    "Designation",
    "GLLocus",
    "GLString",
    "parse_allele_name",
    "parse_designation",
    "parse_gl_string",
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
"""Longest single designation the parsers look at; anything longer is refused before it is read."""

MAX_GL_LENGTH = 10_000
"""Longest GL string [`parse_gl_string`][kirmatch.nomenclature.parse_gl_string] looks at."""

MAX_MAC_LETTERS = 6
"""Longest NMDP multiple-allele code read (codes have 2-5 letters today)."""

_OTHER_LOCI = frozenset(
    "DRB1 DRB2 DRB3 DRB4 DRB5 DRB6 DRB7 DRB8 DRB9 DRB DQA1 DQB1 DPA1 DPB1 DQA DQB DPA DPB DRA DMA DMB DOA DOB "
    "E F G H J K L N P R S T U V W Y MICA MICB TAP1 TAP2 HFE".split()
)
_OTHER_SEROLOGY = frozenset({"DR", "DQ", "DP", "DW", "D"})

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

    @property
    def kind(self) -> TypingKind:
        return TypingKind.ALLELE


def _two(text: str, part: str) -> str:
    """A field as written, refusing one digit: padding it would guess between ``02``, ``20`` and ``200``."""
    if len(part) < 2:
        raise AlleleNameError(
            f"{quote(text)}: field {part!r} has one digit; IPD fields have at least two "
            f"(write {part.zfill(2)!r} if that is what the report means)",
            input=text,
        )
    return part


def _check_text(text: object, what: str = "HLA designation", limit: int = MAX_LENGTH) -> str:
    """Common first gate of every parser: type, length, characters. Returns the stripped text."""
    if not isinstance(text, str):
        raise AlleleNameError(
            f"expected an {what} as str, got {type(text).__name__} {quote(text)}", input=text
        )
    if len(text) > limit:
        raise AlleleNameError(f"{what} {quote(text)} is longer than {limit} characters", input=text)
    s = text.strip(" \t\r\n")  # blanks and line ends only: any other control character is refused below
    if not s:
        raise AlleleNameError(f"empty {what} {quote(text)}", input=text)
    if s.isascii() and s.isprintable():  # the usual case, in C; the loop below finds the culprit otherwise
        return s
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



# ------------------------------------------------------------------------------------- the other designation kinds


class TypingKind(str, Enum):
    """Which kind of designation a piece of typing text is."""

    ALLELE = "allele"
    OLD_NAME = "old_name"
    XX_CODE = "xx_code"
    MAC_CODE = "mac_code"
    G_GROUP = "g_group"
    P_GROUP = "p_group"
    SEROLOGY = "serology"
    ALLELE_LIST = "allele_list"

    def __str__(self) -> str:
        return self.value


def _need(ok: bool, message: str, value: object) -> None:
    if not ok:
        raise AlleleNameError(message, input=value)


def _is_digits(text: str, low: int, high: int) -> bool:
    return low <= len(text) <= high and text.isascii() and text.isdigit()


@dataclass(frozen=True, slots=True)
class OldAlleleName:
    """A pre-2010 allele name (``Cw*0702``, ``A*02010101``, ``A*03012``): locus and the digits as written.

    The digits are kept as they are; which current name they mean is looked up in Nomenclature_2009 by
    `kirmatch.reference`, never worked out by inserting colons. ``str()`` writes HLA-C with its pre-2010
    locus name ``Cw``, the way Nomenclature_2009.txt does.
    """

    locus: str
    digits: str
    suffix: str = ""

    def __post_init__(self) -> None:
        _need(self.locus in LOCI, f"locus {self.locus!r} is not one of {', '.join(LOCI)}", self.locus)
        _need(_is_digits(self.digits, 4, 8), f"pre-2010 digits {self.digits!r} are not 4-8 digits", self.digits)
        _need(not self.suffix or self.suffix in EXPRESSION_SUFFIXES, f"bad suffix {self.suffix!r}", self.suffix)

    def __str__(self) -> str:
        return f"{'Cw' if self.locus == 'C' else self.locus}*{self.digits}{self.suffix}"

    @property
    def kind(self) -> TypingKind:
        return TypingKind.OLD_NAME


@dataclass(frozen=True, slots=True)
class XXCode:
    """An NMDP ``XX`` code (``C*07:XX``): every allele of the first-field group."""

    locus: str
    group: str

    def __post_init__(self) -> None:
        _need(self.locus in LOCI, f"locus {self.locus!r} is not one of {', '.join(LOCI)}", self.locus)
        _need(_is_digits(self.group, 2, 2), f"allele group {self.group!r} is not two digits", self.group)

    def __str__(self) -> str:
        return f"{self.locus}*{self.group}:XX"

    @property
    def kind(self) -> TypingKind:
        return TypingKind.XX_CODE


@dataclass(frozen=True, slots=True)
class MacCode:
    """An NMDP multiple-allele code (``C*07:AB``, ``B*44:BJXF``); its expansion comes from a user-supplied table."""

    locus: str
    group: str
    code: str

    def __post_init__(self) -> None:
        _need(self.locus in LOCI, f"locus {self.locus!r} is not one of {', '.join(LOCI)}", self.locus)
        _need(_is_digits(self.group, 2, 2), f"allele group {self.group!r} is not two digits", self.group)
        ok = 2 <= len(self.code) <= MAX_MAC_LETTERS and self.code.isascii() and self.code.isalpha()
        _need(ok and self.code.isupper() and self.code != "XX", f"{self.code!r} is not a MAC code", self.code)

    def __str__(self) -> str:
        return f"{self.locus}*{self.group}:{self.code}"

    @property
    def kind(self) -> TypingKind:
        return TypingKind.MAC_CODE


@dataclass(frozen=True, slots=True)
class _AlleleGroup:
    """The shape G and P groups share: a locus, 2-4 fields and the group's letter after them."""

    suffix: ClassVar[str]
    group_kind: ClassVar[TypingKind]

    locus: str
    fields: tuple[str, ...]

    def __post_init__(self) -> None:
        _need(self.locus in LOCI, f"locus {self.locus!r} is not one of {', '.join(LOCI)}", self.locus)
        ok = 2 <= len(self.fields) <= 4 and all(_is_digits(f, 2, 4) for f in self.fields)
        _need(ok, f"{self.suffix}-group fields {self.fields!r} are not 2-4 digit groups", self.fields)

    def __str__(self) -> str:
        return f"{self.locus}*{':'.join(self.fields)}{self.suffix}"

    @property
    def kind(self) -> TypingKind:
        return self.group_kind


@dataclass(frozen=True, slots=True)
class GGroup(_AlleleGroup):
    """A G group (``C*07:01:01G``): alleles with identical exon 2 and 3 (antigen-recognition) DNA sequence."""

    suffix: ClassVar[str] = "G"
    group_kind: ClassVar[TypingKind] = TypingKind.G_GROUP


@dataclass(frozen=True, slots=True)
class PGroup(_AlleleGroup):
    """A P group (``C*07:01P``): alleles with the same antigen-recognition-domain protein sequence."""

    suffix: ClassVar[str] = "P"
    group_kind: ClassVar[TypingKind] = TypingKind.P_GROUP


PUBLIC_EPITOPES: frozenset[str] = frozenset({"4", "6"})
"""``Bw4`` and ``Bw6``: HLA-B public serologic epitopes, written with ``w`` (there is no antigen B4 or B6)."""


@dataclass(frozen=True, slots=True)
class Serology:
    """A WHO serologic antigen (``A24``, ``B51``, ``B5``, ``Cw7``) or the public epitope ``Bw4`` / ``Bw6``.

    ``number`` is the antigen number without leading zeros. ``str()`` is the WHO spelling: HLA-C antigens keep
    their ``w`` (``Cw7``, also when read from ``C7``), other workshop ``w`` are dropped (``Bw62`` is ``B62``).
    """

    locus: str
    number: str

    def __post_init__(self) -> None:
        _need(self.locus in LOCI, f"locus {self.locus!r} is not one of {', '.join(LOCI)}", self.locus)
        ok = _is_digits(self.number, 1, 4) and not self.number.startswith("0")
        _need(ok, f"antigen number {self.number!r} is not 1-4 digits", self.number)

    def __str__(self) -> str:
        if self.locus == "C" or self.public:
            return f"{self.locus}w{self.number}"
        return f"{self.locus}{self.number}"

    @property
    def public(self) -> bool:
        """True for ``Bw4`` and ``Bw6``, the public epitopes (not antigens)."""
        return self.locus == "B" and self.number in PUBLIC_EPITOPES

    @property
    def kind(self) -> TypingKind:
        return TypingKind.SEROLOGY


@dataclass(frozen=True, slots=True)
class AlleleList:
    """A ``/``-separated allele list of one locus (``C*07:01/C*07:02``): the person carries one of them.

    ``str()`` writes every item in full.
    """

    locus: str
    items: tuple[AlleleName | OldAlleleName, ...]

    def __post_init__(self) -> None:
        _need(len(self.items) >= 2, "an allele list needs at least two items", self.items)
        for item in self.items:
            # checked at run time too, for callers that do not type-check
            is_name = isinstance(item, (AlleleName, OldAlleleName))  # pyright: ignore[reportUnnecessaryIsInstance]
            _need(is_name, f"{item!r} is not an allele name", item)
            _need(item.locus == self.locus, f"{item} is not of locus {self.locus}", item)

    def __str__(self) -> str:
        return "/".join(map(str, self.items))

    @property
    def kind(self) -> TypingKind:
        return TypingKind.ALLELE_LIST


Designation: TypeAlias = AlleleName | OldAlleleName | XXCode | MacCode | GGroup | PGroup | Serology | AlleleList
"""Any single-locus designation [`parse_designation`][kirmatch.nomenclature.parse_designation] reads."""


# ------------------------------------------------------------------------------------------ the grammar


def _bad(text: str, why: str) -> AlleleNameError:
    return AlleleNameError(f"{quote(text)}: {why}", input=text)


def _read_locus(text: str, written: str) -> str:
    up = written.upper()
    if up in LOCI:
        return up
    if up == "CW":
        return "C"
    if not up:
        raise _bad(text, "no locus before '*'; expected A, B or C, e.g. 'C*07:02'")
    if up in _OTHER_LOCI or up.rstrip("0123456789") in _OTHER_LOCI:
        raise _bad(text, f"locus {up} is not HLA-A, -B or -C, the KIR-ligand loci")
    raise _bad(text, f"unknown locus {quote(written)}; expected A, B or C")


def _split_tail(text: str, part: str) -> tuple[str, str]:
    """``'02N'`` -> ``('02', 'N')``: the digits of a field and the letters after them (if any)."""
    i = 0
    while i < len(part) and part[i].isdigit():
        i += 1
    digits, letters = part[:i], part[i:]
    if not digits:
        raise _bad(text, f"field {quote(part)} must start with digits, e.g. '07:02'")
    if not letters.isalpha() and letters:
        raise _bad(text, f"unexpected {quote(letters)} in field {quote(part)}")
    return digits, letters.upper()


def _read_starred(text: str, body: str) -> Designation:
    """One designation with a ``*``: current name, pre-2010 name, XX or MAC code, G or P group."""
    written, _, rest = body.partition("*")
    locus = _read_locus(text, written)
    if not rest:
        raise _bad(text, "nothing after '*'; expected fields such as '07:02'")
    if not rest.replace(":", "").isalnum():  # the usual case, in C; the loop finds the culprit otherwise
        for i, ch in enumerate(rest):
            if not (ch.isalnum() or ch == ":"):
                raise _bad(text, f"unexpected character {ch!r} at position {len(written) + 1 + i} after '*'")
    parts = rest.split(":")
    if "" in parts:
        raise _bad(text, "empty field (two ':' in a row, or ':' at an end)")
    if len(parts) > 4:
        raise _bad(text, "more than four fields")
    last = parts[-1]
    if len(parts) >= 2 and last.isalpha():
        code = last.upper()
        if len(parts) != 2 or not _is_digits(parts[0], 1, 2):
            raise _bad(text, f"code {quote(last)} must follow the allele group alone, e.g. 'C*07:XX'")
        if code == "XX":
            return XXCode(locus, _two(text, parts[0]))
        if not 2 <= len(code) <= MAX_MAC_LETTERS:
            raise _bad(text, f"{quote(last)} is not an NMDP code (2-{MAX_MAC_LETTERS} letters)")
        return MacCode(locus, _two(text, parts[0]), code)
    for part in parts[:-1]:
        if not part.isdigit():
            raise _bad(text, f"field {quote(part)} is not a number; letters may only end the name")
    digits, tail = _split_tail(text, last)
    parts[-1] = digits
    if len(tail) > 1:
        raise _bad(
            text,
            f"unexpected {quote(tail)} after the fields; only an expression suffix "
            f"({'/'.join(EXPRESSION_SUFFIXES)}), G or P may follow",
        )
    if len(parts) == 1:
        if len(digits) <= 2:
            if tail in ("G", "P"):
                example = "C*07:01P" if tail == "P" else "C*07:01:01G"
                raise _bad(text, f"a {tail} group has at least two fields, e.g. {example!r}")
            return AlleleName(locus, (_two(text, digits),), tail)
        if 4 <= len(digits) <= 8:
            if tail in ("G", "P"):
                raise _bad(text, f"pre-2010 {tail} groups are not read; write the group with ':' fields")
            return OldAlleleName(locus, digits, tail)
        raise _bad(
            text,
            f"{len(digits)} digits without ':' are neither an allele group (2 digits) nor a pre-2010 name (4-8)",
        )
    if len(parts[0]) > 2:
        raise _bad(text, f"allele group {quote(parts[0])} has more than two digits")
    for part in parts[1:]:
        if len(part) > 4:
            raise _bad(text, f"field {quote(part)} has more than four digits")
    fields = tuple(_two(text, p) for p in parts)
    if tail == "G":
        return GGroup(locus, fields)
    if tail == "P":
        return PGroup(locus, fields)
    return AlleleName(locus, fields, tail)


def _read_serology(text: str, body: str) -> Serology:
    i = 0
    while i < len(body) and body[i].isalpha():
        i += 1
    prefix, number = body[:i].upper(), body[i:]
    if not prefix:
        if body.isdigit():
            raise _bad(text, "a number alone; an allele name needs a locus, e.g. 'C*07:02', a serologic one 'Cw7'")
        raise _bad(text, "no '*' between locus and fields, e.g. 'C*07:02', and not a serologic antigen such as 'B51'")
    if prefix in _OTHER_LOCI or prefix.rstrip("W") in _OTHER_SEROLOGY:
        raise _bad(text, f"locus {prefix.rstrip('W')} is not HLA-A, -B or -C, the KIR-ligand loci")
    locus = {"A": "A", "AW": "A", "B": "B", "BW": "B", "C": "C", "CW": "C"}.get(prefix)
    if locus is None:
        raise _bad(text, "no '*' between locus and fields, e.g. 'C*07:02', and not a serologic antigen such as 'B51'")
    if not number.isdigit():
        fields = number.strip()
        if fields[:1].isdigit() and ":" in fields and all(f.isdigit() for f in fields.rstrip("NLSQCAGP").split(":")):
            # 'A01:01': an allele name whose '*' was lost (a spreadsheet, a typing report)
            raise _bad(text, f"no '*' between locus and fields; did you mean {quote(f'{locus}*{fields}')}?")
        raise _bad(text, f"serologic antigen {quote(body)} must be a locus and a number, e.g. 'B51' or 'Cw7'")
    if not _is_digits(number, 1, 4) or int(number) == 0:
        raise _bad(text, f"antigen number {quote(number)} is not 1-4 digits")
    number = str(int(number))
    if locus == "B" and number in PUBLIC_EPITOPES and prefix != "BW":
        raise _bad(text, f"there is no antigen B{number}; the public epitope is written 'Bw{number}'")
    return Serology(locus, number)


def _read_list_item(text: str, item: str) -> AlleleName | OldAlleleName:
    """A full list item ``C*07:02`` (with optional ``HLA-``)."""
    body = item[4:] if item[:4].upper() == "HLA-" else item
    read = _read_starred(text, body)
    if not isinstance(read, (AlleleName, OldAlleleName)):
        raise _bad(text, f"list item {quote(item)} is a {read.kind.value.replace('_', ' ')}; lists hold allele names")
    return read


def _read_short(text: str, item: str, first: AlleleName | OldAlleleName) -> AlleleName | OldAlleleName:
    """A list item without locus: its fields replace the last fields of the first item (``C*07:01/02``)."""
    for ch in item:
        if not (ch.isalnum() or ch == ":"):
            raise _bad(text, f"unexpected character {ch!r} in list item {quote(item)}")
    parts = item.split(":")
    if "" in parts:
        raise _bad(text, f"empty field in list item {quote(item)}")
    for part in parts[:-1]:
        if not part.isdigit():
            raise _bad(text, f"field {quote(part)} of list item {quote(item)} is not a number")
    digits, tail = _split_tail(text, parts[-1])
    if len(tail) > 1 or (tail and tail not in EXPRESSION_SUFFIXES):
        raise _bad(text, f"unexpected {quote(tail)} in list item {quote(item)}")
    parts[-1] = digits
    if isinstance(first, OldAlleleName):
        if len(parts) != 1 or not 4 <= len(digits) <= 8:
            raise _bad(text, f"list item {quote(item)} after a pre-2010 name must be 4-8 digits, e.g. 'A*0201/0205'")
        return OldAlleleName(first.locus, digits, tail)
    if any(len(p) > 4 for p in parts):
        raise _bad(text, f"list item {quote(item)} has a field of more than four digits")
    fields = tuple(_two(text, p) for p in parts)
    if len(fields) > len(first.fields):
        raise _bad(text, f"list item {quote(item)} has more fields than the first item {first}")
    return AlleleName(first.locus, first.fields[: len(first.fields) - len(fields)] + fields, tail)


def _read_list(text: str, items: list[str]) -> AlleleList:
    """``C*07:01/C*07:02``, ``C*07:01/02``, ``C*07:01:01/07:02:01``: one locus, one allele of the list."""
    items = [item.strip() for item in items]
    if "" in items:
        raise _bad(text, "empty item in the '/'-separated allele list")
    if "*" not in items[0]:
        raise _bad(text, f"the first list item {quote(items[0])} needs a locus, e.g. 'C*07:01/02'")
    first = _read_list_item(text, items[0])
    read = [first]
    for item in items[1:]:
        name = _read_list_item(text, item) if "*" in item else _read_short(text, item, first)
        if name.locus != first.locus:
            raise _bad(text, f"list item {quote(item)} is of locus {name.locus}, the list of locus {first.locus}")
        read.append(name)
    unique = tuple(dict.fromkeys(read))
    if len(unique) < 2:
        raise _bad(text, "every item of the allele list is the same allele; write it once")
    return AlleleList(first.locus, unique)


def _read(text: str, s: str) -> Designation:
    body = s[4:] if s[:4].upper() == "HLA-" else s
    if not body:
        raise _bad(text, "nothing after 'HLA-'")
    if "/" in body:
        return _read_list(text, body.split("/"))
    if "*" in body:
        return _read_starred(text, body)
    return _read_serology(text, body)


@functools.lru_cache(maxsize=1 << 17)
def _designation(text: str) -> Designation:
    return _read(text, _check_text(text))


def parse_designation(text: str) -> Designation:
    """Read one single-locus HLA designation, of any kind lab reports use, into its value object.

    Decision logic, after the checks of [`parse_allele_name`][kirmatch.nomenclature.parse_allele_name] (str, at most 200
    characters, plain ASCII) and dropping an ``HLA-`` prefix:

    1. A ``/`` makes an allele list (`AlleleList`). The first item is written in full; the others in full
       or short: a short item's fields replace the last fields of the first item (``C*07:01/02`` is
       ``C*07:01/C*07:02``; ``C*07:01:01/07:02:01`` is ``C*07:01:01/C*07:02:01``). One locus per list.
    2. A ``*`` makes an allele-like name; the locus is ``A``, ``B``, ``C`` or the pre-2010 ``Cw``. Then:

       * group ``:`` letters: ``XX`` is an `XXCode`, 2-5 other letters an NMDP `MacCode`;
       * digits without ``:``: 1-2 digits are an allele group (``C*07``), 4-8 digits a pre-2010 name
         (`OldAlleleName`: ``C*0702``, ``Cw*0702``, ``A*03012``), anything else is refused;
       * ``:``-separated fields (allele group 1-2 digits, other fields 1-4) ending in ``G`` or ``P`` are a `GGroup` /
         `PGroup`, otherwise an [`AlleleName`][kirmatch.nomenclature.AlleleName] with an optional expression suffix.
    3. Otherwise a serologic antigen (`Serology`): ``A``/``B``/``C`` with an optional ``w`` and a number
       (``A24``, ``B5``, ``Cw7``, ``C7``) or the public epitopes ``Bw4`` / ``Bw6``.

    Anything else raises [`AlleleNameError`][kirmatch._errors.AlleleNameError] naming the part that is wrong. Results
    are cached.

    >>> str(parse_designation("Cw*0702")), str(parse_designation("c*07:01/02")), str(parse_designation("C7"))
    ('Cw*0702', 'C*07:01/C*07:02', 'Cw7')
    """
    if not isinstance(text, str):  # pyright: ignore[reportUnnecessaryIsInstance]  # untyped callers
        _check_text(text)  # raises AlleleNameError naming the type (before the cache tries to hash it)
    return _designation(text)


def parse_allele_name(text: str) -> AlleleName:
    """Read a current (post-2010) HLA-A, -B or -C allele name of one to four fields.

    Raises [`AlleleNameError`][kirmatch._errors.AlleleNameError] naming the part that is wrong, also for designations of
    another kind (``C*0702``, ``C*07:XX``), which [`parse_designation`][kirmatch.nomenclature.parse_designation] reads.

    >>> str(parse_allele_name(" hla-c*07:02:01:01 "))
    'C*07:02:01:01'
    >>> parse_allele_name("C*04:09N").expressed
    False
    """
    read = parse_designation(text)
    if not isinstance(read, AlleleName):
        raise _bad(
            text,
            f"this is a {read.kind.value.replace('_', ' ')} ({read}), not a current allele name; "
            "read it with parse_designation() or kirmatch.parse_typing()",
        )
    return read


# ----------------------------------------------------------------------------------------------- GL strings


@dataclass(frozen=True, slots=True)
class GLLocus:
    """One locus of a GL string: the alternative genotypes (``|``), each a pair of designation texts.

    Each text is the canonical ``str()`` of a `Designation` (an allele list for ``/`` ambiguity); a locus
    typed with one allele only has ``""`` as the second member. Pairs are sorted, so ``a+b`` and ``b+a`` are one.
    """

    locus: str
    genotypes: tuple[tuple[str, str], ...]

    def __str__(self) -> str:
        return "|".join("+".join(t for t in pair if t) for pair in self.genotypes)


@dataclass(frozen=True, slots=True)
class GLString:
    """A genotype written as a GL string, decomposed per locus (HLA-A, then -B, then -C).

    ``original`` keeps the text as given (it takes no part in equality); ``str()`` is the canonical per-locus
    form, ``^``-joined. Phase (``~``) is dropped in the decomposition: it does not change which KIR ligands a
    person carries. When phased haplotypes or several loci of one ``^`` block vary together across ``|``
    alternatives, each locus gets every pair that occurs, which can only widen (never narrow) what is possible.
    """

    original: str = field(compare=False)
    loci: tuple[GLLocus, ...]

    def __str__(self) -> str:
        return "^".join(map(str, self.loci))

    def locus(self, name: str) -> GLLocus | None:
        """The locus ``name`` (``"A"``, ``"B"``, ``"C"``) or None when the GL string does not type it."""
        return next((g for g in self.loci if g.locus == name), None)


def _gl_piece(text: str, piece: str, where: tuple[int, int]) -> tuple[str, str]:
    """One '/'-joined allele (ambiguity) of a GL string, each item at most MAX_LENGTH characters: its locus and
    canonical text. ``where`` is the (block, genotype) numbers, for messages."""
    piece = piece.strip()
    if not piece:
        raise _bad(text, f"empty allele in {_where(where)}")
    if len(piece) > MAX_LENGTH:  # else no item can be longer
        for item in piece.split("/"):
            if len(item) > MAX_LENGTH:
                too_long = f"is longer than {MAX_LENGTH} characters"
                raise _bad(text, f"allele {quote(item, 30)} in {_where(where)} {too_long}")
    try:
        return gl_allele(piece)
    except AlleleNameError as exc:
        raise AlleleNameError(f"GL string {quote(text)}, {_where(where)}: {exc}", input=text) from None


def _where(where: tuple[int, int]) -> str:
    """The place in a GL string, as messages name it (``locus block 2, genotype 1``)."""
    return f"locus block {where[0]}, genotype {where[1]}"


@functools.lru_cache(maxsize=1 << 16)
def gl_allele(piece: str) -> tuple[str, str]:
    """(locus, canonical text) of one stripped GL allele (ambiguity) whose items are at most MAX_LENGTH long; its
    AlleleNameError names the piece alone (the GL string's context is added by the caller). Registries reuse allele
    names, so each is read once."""
    items = piece.split("/")
    read = _read_list(piece, items) if len(items) > 1 else _read(piece, piece)
    return read.locus, str(read)


def _gl_chromosome(text: str, chromosome: str, where: tuple[int, int]) -> dict[str, str]:
    """One side of a '+': a single allele or a '~'-phased haplotype, as locus -> designation text."""
    if "~" not in chromosome:
        locus, read = _gl_piece(text, chromosome, where)
        return {locus: read}
    found: dict[str, str] = {}
    for piece in chromosome.split("~"):
        locus, read = _gl_piece(text, piece, where)
        if locus in found:
            raise _bad(text, f"locus {locus} twice on one haplotype in {_where(where)}")
        found[locus] = read
    return found


def parse_gl_string(text: str) -> GLString:
    """Read a GL string (``A*01:01+A*02:01^B*08:01+B*44:02^C*07:01/C*07:02+C*05:01``) into a
    [`GLString`][kirmatch.nomenclature.GLString].

    Operators, from the loosest: ``^`` separates loci (or groups of phased loci), ``|`` separates alternative genotypes,
    ``+`` the two chromosomes, ``~`` phased loci of one haplotype, ``/`` alternative alleles. Each allele may be any
    single designation [`parse_designation`][kirmatch.nomenclature.parse_designation] reads. A locus may appear in one
    ``^`` block only; HLA loci other than A, B and C are refused (kirmatch reads KIR ligands only). At most
    ``MAX_GL_LENGTH`` (10,000) characters; reading is linear in the length.

    >>> str(parse_gl_string("B*44:02+B*08:01^A*01:01"))
    'A*01:01^B*08:01+B*44:02'
    """
    s = _check_text(text, "GL string", MAX_GL_LENGTH)
    per_locus: dict[str, dict[tuple[str, str], None]] = {}
    for b, block in enumerate(s.split("^"), 1):
        if not block.strip():
            raise _bad(text, f"empty locus block {b} (a '^' with nothing on one side)")
        block_pairs: dict[str, dict[tuple[str, str], None]] = {}
        for g, genotype in enumerate(block.split("|"), 1):
            here = (b, g)  # written out only in a message
            if not genotype.strip():
                raise _bad(text, f"empty genotype in locus block {b} (a '|' with nothing on one side)")
            sides = genotype.split("+")
            if len(sides) > 2:
                raise _bad(text, f"{_where(here)} has {len(sides)} '+'-joined chromosomes; a genotype has two")
            chromosomes = [_gl_chromosome(text, side, here) for side in sides]
            if len(chromosomes) == 2 and chromosomes[0].keys() != chromosomes[1].keys():
                raise _bad(
                    text,
                    f"{_where(here)}: '+' joins two chromosomes of the same loci, here {'~'.join(chromosomes[0])} "
                    f"and {'~'.join(chromosomes[1])}",
                )
            typed = dict.fromkeys(locus for c in chromosomes for locus in c)
            for locus in typed:
                pair = [c.get(locus, "") for c in chromosomes] + [""]
                first, second = pair[0], pair[1]
                ordered = (first, second) if (second == "" or (first != "" and first <= second)) else (second, first)
                block_pairs.setdefault(locus, {})[ordered] = None
        for locus, pairs in block_pairs.items():
            if locus in per_locus:
                raise _bad(text, f"locus {locus} appears in two '^'-separated blocks")
            per_locus[locus] = pairs
    loci = tuple(GLLocus(locus, tuple(per_locus[locus])) for locus in LOCI if locus in per_locus)
    return GLString(text, loci)
