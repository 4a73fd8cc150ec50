"""A cell of a lab report read into the IPD-IMGT/HLA alleles it can mean:
[`parse_typing`][kirmatch.hla_typing.parse_typing] and [`Typing`][kirmatch.hla_typing.Typing].

This is the single entry point from typing text to candidate alleles; [`kirmatch.classify`][kirmatch.ligands.classify]
reads its text through `resolve_text` too. The grammar lives in `kirmatch.nomenclature`, the look-ups in
`kirmatch.reference`, NMDP code tables in `kirmatch.mac`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from pydantic import BaseModel

from kirmatch._errors import KirmatchError, UnknownAlleleError, quote
from kirmatch.mac import MacTable, MacTableSpec, mac_table_from
from kirmatch.nomenclature import AlleleName, MacCode, TypingKind, XXCode, parse_designation
from kirmatch.pools import DEFAULT_READING, Pool, Population, Reading, read_under
from kirmatch.reference import AlleleRecord, Reference, Resolution, get_reference

__all__ = ["Typing", "parse_typing", "resolve_text", "mac_table_for", "spell_out_mac"]


class Typing(BaseModel, frozen=True):
    """What one designation means: its kind, its normalized form and every IPD allele it can be.

    ``candidates`` are IPD allele names; non-expressed alleles stay among them when the designation names them
    (a null in an allele list, NMDP code or G group), so that "no ligand" shows as a possibility. ``excluded``
    holds non-expressed alleles that merely share the fields of a name written without a suffix (``C*07:02``
    does not mean ``C*07:02:01:17N``), listed for the record.
    """

    original: str
    normalized: str
    kind: TypingKind
    locus: str
    candidates: tuple[str, ...]
    excluded: tuple[str, ...]
    n_candidates: int
    set_aside: tuple[str, ...]
    pool: Pool
    population: Population
    note: str
    release: str

    def __str__(self) -> str:
        shown = ", ".join(self.candidates[:5]) + (", ..." if self.n_candidates > 5 else "")
        note = f"; {self.note}" if self.note else ""
        return f"{self.normalized} ({self.kind.value}): {self.n_candidates} alleles ({shown}){note}"


def mac_table_for(text: str, mac_table: MacTableSpec) -> MacTable | None:
    """The MAC table the text needs: only an NMDP code reads one (and finds it missing, with advice, later)."""
    if parse_designation(text).kind is TypingKind.MAC_CODE:
        return mac_table_from(mac_table)
    return None


def spell_out_mac(text: str, table: MacTable) -> str:
    """``text`` with an NMDP code replaced by the allele list it stands for in ``table`` (``B*08:AB`` ->
    ``B*08:01/B*08:19N``); any other designation, or a malformed text, is returned unchanged.

    Used by the constructors that take ``mac_table=``: the stored designation then means the same alleles wherever
    it goes, with or without the code table.
    """
    try:
        designation = parse_designation(text)
    except KirmatchError:
        return text
    if not isinstance(designation, MacCode):
        return text
    expansion = table.codes.get(designation.code)
    if expansion is None:
        raise UnknownAlleleError(
            f"{quote(text)}: code {designation.code} is not in the MAC table {table.source}", input=text
        )
    items = [item.strip() for item in expansion.split("/") if item.strip()]
    return "/".join(
        item if "*" in item else f"{designation.locus}*{item if ':' in item else designation.group + ':' + item}"
        for item in items
    )


@functools.lru_cache(maxsize=1 << 16)
def _resolve(text: str, table: MacTable | None, reading: Reading = DEFAULT_READING) -> Resolution:
    return read_under(get_reference().resolve(parse_designation(text), mac_table=table), reading)


def resolve_text(
    text: str, *, mac_table: MacTableSpec = None, reading: Reading = DEFAULT_READING
) -> tuple[Resolution, str]:
    """The `Resolution` of one designation under ``reading`` (allele pool, population, G-group nulls) and the
    release it was made against."""
    resolution = _resolve(text, mac_table_for(text, mac_table), reading)
    return resolution, get_reference().info.release


@dataclass(frozen=True, slots=True)
class Candidates:
    """The candidates of one designation as `resolve_text` finds them, for the registry-scale paths: as positions
    in ``reference`` (allele names and XX codes, read without building their records), or as the records
    themselves (``records``, any other kind)."""

    normalized: str
    reference: Reference
    positions: tuple[int, ...] = ()
    records: tuple[AlleleRecord, ...] | None = None

    def alleles(self) -> tuple[AlleleRecord, ...]:
        """The candidate records, in the order of `Resolution.candidates`."""
        if self.records is not None:
            return self.records
        return self.reference.records_at(self.positions)

    def same(self, other: Candidates) -> bool:
        """Whether both name the same candidates (as the records' tuples compare)."""
        if self is other:
            return True
        if self.records is None and other.records is None and self.reference is other.reference:
            if self.positions == other.positions:
                return True
            if len(self.positions) != len(other.positions):
                return False
        return self.alleles() == other.alleles()

    def loci(self) -> set[str]:
        """The loci of the candidates."""
        if self.records is not None:
            return {r.locus for r in self.records}
        keys, codes = self.reference.traits()
        return {keys[codes[p]].locus for p in self.positions}


def candidates(text: str, *, reading: Reading = DEFAULT_READING, reference: Reference | None = None) -> Candidates:
    """The candidates of `resolve_text` (no ``mac_table``: ``$KIRMATCH_MAC_FILE`` for an NMDP code), raising its
    errors; allele names and XX codes are read as positions in the table, without building the records.
    ``reference`` is [`get_reference`][kirmatch.reference.get_reference], when the caller already has it."""
    table = get_reference() if reference is None else reference
    if reading.pool is Pool.ALL:  # read_under changes only G groups and pools: neither applies
        found = _by_position(text, table)
        if found is not None:
            return found
    resolution, _release = resolve_text(text, reading=reading)
    return Candidates(resolution.normalized, table, records=resolution.candidates)


@functools.lru_cache(maxsize=1 << 16)
def _by_position(text: str, reference: Reference) -> Candidates | None:
    try:
        designation = parse_designation(text)
    except KirmatchError:
        return None  # resolve_text raises it
    if not isinstance(designation, (AlleleName, XXCode)):
        return None
    return _designation_positions(designation, reference)


@functools.lru_cache(maxsize=1 << 16)
def _designation_positions(designation: AlleleName | XXCode, reference: Reference) -> Candidates | None:
    """One object for the ways a designation is spelled (``a*02:01``, ``HLA-A*02:01``)."""
    found = reference.candidate_positions(designation)
    return None if found is None else Candidates(found[0], reference, found[1])


@functools.lru_cache(maxsize=1 << 16)
def _typing(text: str, table: MacTable | None, reading: Reading) -> Typing:
    resolution = _resolve(text, table, reading)
    loci = {r.locus for r in resolution.candidates}
    return Typing(
        original=text,
        normalized=resolution.normalized,
        kind=TypingKind(resolution.kind),
        locus=loci.pop() if len(loci) == 1 else parse_designation(text).locus,
        candidates=tuple(r.allele for r in resolution.candidates),
        excluded=tuple(r.allele for r in resolution.excluded),
        n_candidates=len(resolution.candidates),
        set_aside=tuple(r.allele for r in resolution.pooled_out),
        pool=reading.pool,
        population=reading.population,
        note=resolution.note,
        release=get_reference().info.release,
    )


def parse_typing(
    text: str,
    *,
    mac_table: MacTableSpec = None,
    pool: Pool | str = Pool.ALL,
    population: Population | str = Population.TOTAL,
    count_group_nulls: bool = False,
) -> Typing:
    """Read one HLA-A, -B or -C designation as labs write it into a [`Typing`][kirmatch.hla_typing.Typing].

    Accepted (see [`parse_designation`][kirmatch.nomenclature.parse_designation] for the grammar and
    `resolve` for what each kind covers): current names of 1-4 fields with
    or without ``HLA-``, any case, blanks around, expression suffix; pre-2010 names (``C*0702``, ``Cw*0702``,
    ``A*03012``) through Nomenclature_2009; ``XX`` codes; NMDP codes with a MAC table (``mac_table=`` a path or
    a ``{code: expansion}`` mapping, or ``$KIRMATCH_MAC_FILE``); G and P groups; serology (``Cw7``, ``B5``,
    ``Bw4``); allele lists (``C*07:01/02``).

    ``pool``, ``population`` and ``count_group_nulls`` say how a designation that stands for several proteins is
    read (see [`kirmatch.pools`][kirmatch.pools]): by default every IPD allele counts, except the null and
    questionable members of a G group.

    Raises [`AlleleNameError`][kirmatch._errors.AlleleNameError] for malformed text,
    [`UnknownAlleleError`][kirmatch._errors.UnknownAlleleError] for a well-formed designation the release does not know
    (with IPD's account of deleted and renamed alleles) and [`MacTableError`][kirmatch._errors.MacTableError] for an
    NMDP code without a usable code table. Results are cached.

    >>> parse_typing("Cw*0702").normalized
    'C*07:02'
    """
    return _typing(text, mac_table_for(text, mac_table), Reading.of(pool, population, count_group_nulls))
