"""A cell of a lab report read into the IPD-IMGT/HLA alleles it can mean:
[`parse_typing`][kirmatch.hla_typing.parse_typing] and [`Typing`][kirmatch.hla_typing.Typing].

This is the single entry point from typing text to candidate alleles; [`kirmatch.classify`][kirmatch.ligands.classify]
reads its text through `resolve_text` too. The grammar lives in `kirmatch.nomenclature`, the look-ups in
`kirmatch.reference`, NMDP code tables in `kirmatch.mac`.
"""

from __future__ import annotations

import functools

from pydantic import BaseModel

from kirmatch._errors import KirmatchError, UnknownAlleleError, quote
from kirmatch.mac import MacTable, MacTableSpec, mac_table_from
from kirmatch.nomenclature import MacCode, TypingKind, parse_designation
from kirmatch.pools import DEFAULT_READING, Pool, Population, Reading, read_under
from kirmatch.reference import Resolution, get_reference

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
