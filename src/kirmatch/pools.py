"""Allele pools: which of the alleles a typing can mean are common, from the CIWD 3.0.0 catalogue, and how a
typing is read under a pool.

The catalogue (Hurley et al., "Common, intermediate and well-documented HLA alleles in world populations: CIWD
version 3.0.0", HLA 2020;95:516-531) ships unmodified in the package (``_data/ciwd/``, LGPL-3.0, with its LICENSE
and README). Each row names an allele at 2 fields, 3 fields, 4 fields, a G or a P group, with a category in
total and in seven populations: C (common), I (intermediate), WD (well-documented), R (rare). "The 'total' version
in this dataset that the row represents the P group for that allele" (its README): a 2-field row stands for every
allele of its P group.

The category of one IPD allele (`category`):

* an expressed allele takes the best category of the rows that stand for it: its own name, its 3-field and
  2-field prefixes (the 2-field row stands for the P group, so for every allele of that protein), its G group and
  its P group. The KIR ligand is a property of the protein, so alleles of a common protein count as common.
* a non-expressed or questionable allele (N, S, C, Q) takes only the rows that name it with its suffix (its own
  name, or its 2- or 3-field prefix with the suffix, such as ``C*04:09N``): a common protein says nothing about
  its nulls.
* an allele no row stands for is rare.

A [`Reading`][kirmatch.pools.Reading] says how typings are read:

* ``pool``: ``all`` (default, every IPD allele), ``cwd`` (common, intermediate and well-documented) or ``common``.
  A pool filters the alleles of a designation that stands for several proteins by convention: 1-field names and XX
  codes, NMDP codes, serology, G and P groups. A single allele name (2 fields or more) and an allele list the lab
  wrote out are always kept whole: the lab named those alleles. When the pool leaves nothing, every allele counts
  and the note says so.
* ``population``: ``total`` (default) or one of the seven CIWD populations (``AFA``, ``API``, ``EURO``, ``HIS``,
  ``MENA``, ``NAM``, ``UNK``).
* ``count_group_nulls``: a G group names alleles with identical exons 2 and 3, its non-expressed (N, S, C) and
  questionable (Q) members included. NGS typing reports the group for the expressed allele it found, as a
  two-field name does, so by default those members are set aside, listed as ``excluded`` and not counted
  (``False``). ``True`` counts them, as kirmatch 0.1 did (the strict reading of the group).
"""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass, replace
from enum import Enum
from importlib import resources

from kirmatch._errors import ErrorCode, ProtocolValueError, ReferenceTableError, choice
from kirmatch.nomenclature import TypingKind
from kirmatch.reference import AlleleRecord, Resolution

__all__ = [
    "Pool",
    "Population",
    "Ciwd",
    "Reading",
    "DEFAULT_READING",
    "category",
    "read_under",
    "CIWD_RELEASE",
]

CIWD_RELEASE = "CIWD 3.0.0"


class Pool(str, Enum):
    """Which alleles a low-resolution typing may mean: ``all`` IPD alleles, ``cwd`` or ``common`` ones only."""

    ALL = "all"
    CWD = "cwd"
    COMMON = "common"

    def __str__(self) -> str:
        return self.value


class Population(str, Enum):
    """The CIWD 3.0.0 column a category is read from: ``total`` or one of seven populations."""

    TOTAL = "total"
    AFA = "AFA"
    API = "API"
    EURO = "EURO"
    HIS = "HIS"
    MENA = "MENA"
    NAM = "NAM"
    UNK = "UNK"

    def __str__(self) -> str:
        return self.value


class Ciwd(str, Enum):
    """A CIWD 3.0.0 category, best first."""

    COMMON = "common"
    INTERMEDIATE = "intermediate"
    WELL_DOCUMENTED = "well-documented"
    RARE = "rare"

    def __str__(self) -> str:
        return self.value

    @property
    def rank(self) -> int:
        """4 for common down to 1 for rare (0 is kept for "no allele")."""
        return _RANK[self]


_RANK = {Ciwd.COMMON: 4, Ciwd.INTERMEDIATE: 3, Ciwd.WELL_DOCUMENTED: 2, Ciwd.RARE: 1}
_CODE = {"C": Ciwd.COMMON, "I": Ciwd.INTERMEDIATE, "WD": Ciwd.WELL_DOCUMENTED, "R": Ciwd.RARE}
_IN_POOL = {
    Pool.ALL: frozenset(Ciwd),
    Pool.CWD: frozenset({Ciwd.COMMON, Ciwd.INTERMEDIATE, Ciwd.WELL_DOCUMENTED}),
    Pool.COMMON: frozenset({Ciwd.COMMON}),
}
_POOLED_KINDS = frozenset(
    {
        TypingKind.XX_CODE.value,
        TypingKind.MAC_CODE.value,
        TypingKind.SEROLOGY.value,
        TypingKind.G_GROUP.value,
        TypingKind.P_GROUP.value,
    }
)
_NOT_EXPRESSED_OR_Q = frozenset("NSCQ")


@dataclass(frozen=True)
class Reading:
    """How typings are read: the allele pool, the CIWD population and whether G groups count their nulls."""

    pool: Pool = Pool.ALL
    population: Population = Population.TOTAL
    count_group_nulls: bool = False

    @classmethod
    def of(
        cls,
        pool: Pool | str = Pool.ALL,
        population: Population | str = Population.TOTAL,
        count_group_nulls: bool = False,
    ) -> Reading:
        """A Reading from option values (names or members); a ProtocolValueError names a bad one."""
        if not isinstance(count_group_nulls, bool):
            raise ProtocolValueError(
                f"count_group_nulls must be True or False, got {count_group_nulls!r}", input=count_group_nulls
            )
        pool, population = _pool(pool), _population(population)
        if pool is Pool.ALL and population is Population.TOTAL and not count_group_nulls and cls is Reading:
            return DEFAULT_READING  # one object for the usual reading
        return cls(pool, population, count_group_nulls)

    def __str__(self) -> str:
        nulls = ", G-group nulls counted" if self.count_group_nulls else ""
        return f"pool {self.pool} ({self.population}){nulls}"


DEFAULT_READING = Reading()


def _pool(value: object) -> Pool:
    if isinstance(value, Pool):
        return value
    return choice(Pool, value.lower() if isinstance(value, str) else value, "allele pool", ErrorCode.UNKNOWN_OPTION)


def _population(value: object) -> Population:
    if isinstance(value, Population):
        return value
    if isinstance(value, str) and value.strip().lower() == "total":
        value = "total"
    elif isinstance(value, str):
        value = value.strip().upper()
    return choice(Population, value, "CIWD population", ErrorCode.UNKNOWN_OPTION)


@functools.lru_cache(maxsize=1)
def _catalogue() -> dict[str, tuple[Ciwd, ...]]:
    """ALLELE -> (total, AFA, API, EURO, HIS, MENA, NAM, UNK) categories, read once from the packaged file."""
    source = resources.files("kirmatch").joinpath("_data").joinpath("ciwd").joinpath("ciwd.3.0.0.csv")
    try:
        text = source.read_text(encoding="utf-8")
        if '"' in text or "\r" in text or "\0" in text:
            rows = list(csv.reader(io.StringIO(text)))
        else:  # what the csv module reads, read faster: the packaged file has no quotes or carriage returns
            lines = text.split("\n")
            if not lines[-1]:
                lines.pop()
            rows = [line.split(",") if line else [] for line in lines]
        header, body = rows[0], rows[1:]
        expected = ["ALLELE", "TOTAL", *(p.value for p in Population if p is not Population.TOTAL)]
        if header != expected:
            raise ValueError(f"unexpected header {header}")
        seen: dict[tuple[str, ...], tuple[Ciwd, ...]] = {}  # few distinct rows of codes: each converted once
        catalogue: dict[str, tuple[Ciwd, ...]] = {}
        for row in body:
            codes = tuple(row[1:])
            categories = seen.get(codes)
            if categories is None:
                categories = seen[codes] = tuple(_CODE[code] for code in codes)
            catalogue[row[0]] = categories
        return catalogue
    except (OSError, KeyError, ValueError, IndexError) as exc:
        raise ReferenceTableError(f"the bundled CIWD catalogue cannot be read: {exc}", input=str(source)) from exc


_POPULATION_INDEX = {p: i for i, p in enumerate(Population)}


def _keys(record: AlleleRecord) -> tuple[str, ...]:
    """The catalogue rows that stand for ``record`` (see the module docstring)."""
    locus, fields = record.locus, record.fields
    if record.expression in _NOT_EXPRESSED_OR_Q:
        suffix = record.expression
        return (record.allele, *(f"{locus}*{':'.join(fields[:k])}{suffix}" for k in (2, 3) if len(fields) > k))
    keys = [record.allele, *(f"{locus}*{':'.join(fields[:k])}" for k in (2, 3) if len(fields) > k)]
    keys += [group for group in (record.g_group, record.p_group) if group]
    return tuple(keys)


_CATEGORY: dict[tuple[str, Population], Ciwd] = {}


def category(record: AlleleRecord, population: Population = Population.TOTAL) -> Ciwd:
    """The CIWD 3.0.0 category of one IPD allele in ``population`` (rare when no catalogue row stands for it)."""
    key = (record.allele, population)
    found = _CATEGORY.get(key)
    if found is None:
        catalogue = _catalogue()
        index = _POPULATION_INDEX[population]
        found = Ciwd.RARE
        for row in _keys(record):
            categories = catalogue.get(row)
            if categories is not None and categories[index].rank > found.rank:
                found = categories[index]
        _CATEGORY[key] = found  # bounded: at most one entry per allele of the release and population
    return found


def read_under(resolution: Resolution, reading: Reading) -> Resolution:
    """``resolution`` as ``reading`` reads it: G-group nulls set aside unless counted, then the pool applied."""
    out = resolution
    if resolution.kind == TypingKind.G_GROUP.value and not reading.count_group_nulls:
        expressed = tuple(r for r in out.candidates if r.expressed and r.expression != "Q")
        others = tuple(r for r in out.candidates if not (r.expressed and r.expression != "Q"))
        if expressed and others:
            note = (
                f"{out.note}; its {len(others)} null or questionable member{'s' if len(others) != 1 else ''} set "
                "aside, as for a two-field name (count_group_nulls=True counts them)"
            )
            out = replace(out, candidates=expressed, excluded=out.excluded + others, note=note)
    if reading.pool is Pool.ALL or not _pooled(out):
        return out
    wanted = _IN_POOL[reading.pool]
    kept = tuple(r for r in out.candidates if category(r, reading.population) in wanted)
    where = f"pool {reading.pool} ({CIWD_RELEASE}, {reading.population})"
    if not kept:
        return replace(out, note=_join(out.note, f"{where} keeps none of its alleles: all counted"))
    if len(kept) == len(out.candidates):
        return out
    chosen = {id(r) for r in kept}
    aside = tuple(r for r in out.candidates if id(r) not in chosen)
    note = f"{where}: {len(kept)} of {len(out.candidates)} alleles kept, {len(aside)} set aside"
    return replace(out, candidates=kept, pooled_out=out.pooled_out + aside, note=_join(out.note, note))


def _pooled(resolution: Resolution) -> bool:
    """Whether a pool applies: designations that stand for several proteins by convention (a 1-field name too)."""
    if resolution.kind in _POOLED_KINDS:
        return True
    return resolution.kind == TypingKind.ALLELE.value and ":" not in resolution.normalized


def _join(first: str, second: str) -> str:
    return f"{first}; {second}" if first else second
