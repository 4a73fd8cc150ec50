"""The bundled reference table: loading it (lazily, once), its provenance, and look-ups by name.

The table (``hla_groups.csv``, built by `kirmatch.build_hla_table` from one IPD-IMGT/HLA release) travels inside
the package and is read with `importlib.resources` on first use, never at import. ``KIRMATCH_TABLE`` may
name another table built the same way (for a newer release); its ``.json`` provenance must sit beside it.

Look-ups return [`AlleleRecord`][kirmatch.reference.AlleleRecord] values, one per IPD allele, and never raise anything
but [`KirmatchError`][kirmatch._errors.KirmatchError] subclasses for a name that is well formed but unknown.
`Reference.resolve` turns any designation of `kirmatch.nomenclature` into a `Resolution`, using the table's
``name_2009``, ``g_group``, ``p_group`` and serology columns and, for NMDP codes, a MAC table the user supplies
(`kirmatch.mac`).
"""

from __future__ import annotations

import csv
import functools
import hashlib
import json
import os
import threading
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from itertools import compress
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar, cast

from pydantic import BaseModel

from kirmatch._errors import KirmatchError, MacTableError, ReferenceTableError, UnknownAlleleError, quote
from kirmatch._frozen_map import FrozenMap
from kirmatch.mac import MAC_ENV, MacTableSpec, mac_table_from
from kirmatch.nomenclature import (
    AlleleList,
    AlleleName,
    Designation,
    GGroup,
    MacCode,
    OldAlleleName,
    PGroup,
    Serology,
    TypingKind,
    XXCode,
    parse_allele_name,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "AlleleRecord",
    "ReferenceInfo",
    "Resolution",
    "Reference",
    "get_reference",
    "reference_info",
    "reference_table",
    "TABLE_ENV",
]

TABLE_ENV = "KIRMATCH_TABLE"
"""Environment variable naming a table to use instead of the bundled one."""

_TABLE_NAME = "hla_groups.csv"


@dataclass(frozen=True, slots=True)
class AlleleRecord:
    """One row of the reference table: one IPD-IMGT/HLA allele and what its protein carries."""

    allele: str
    locus: str
    fields: tuple[str, ...]
    protein: str
    expression: str
    expressed: bool
    residues_76_83: str
    residues_from: str
    classified: bool
    epitope: str
    ligand: str
    bw4_80: str
    kir3dl2: str
    flags: tuple[str, ...]
    note: str
    g_group: str
    p_group: str
    serology: tuple[str, ...]
    serology_other: tuple[str, ...]
    serology_broad: tuple[str, ...]
    name_2009: tuple[str, ...]

    def __reduce__(self) -> tuple[Any, ...]:
        # rebuilt through __init__ from its values: much faster to unpickle than the per-field __setstate__ of a frozen
        # slotted dataclass (the reference cache holds 27k of them)
        return (AlleleRecord, tuple(getattr(self, name) for name in _RECORD_FIELDS))

    @classmethod
    def from_row(cls, row: dict[str, str]) -> AlleleRecord:
        name = row["allele"]
        return cls(
            allele=name,
            locus=row["locus"],
            fields=tuple(name.split("*", 1)[1].rstrip("NLSQCA").split(":")),
            protein=row["protein"],
            expression=row["expression"],
            expressed=row["expressed"] == "true",
            residues_76_83=row["residues_76_83"],
            residues_from=row["residues_from"],
            classified=row["classified"] == "true",
            epitope=row["epitope"],
            ligand=row["ligand"],
            bw4_80=row["bw4_80"],
            kir3dl2=row["kir3dl2"],
            flags=tuple(filter(None, row["flags"].split(";"))),
            note=row["note"],
            g_group=row["g_group"],
            p_group=row["p_group"],
            serology=tuple(filter(None, row["serology"].split("/"))),
            serology_other=tuple(filter(None, row["serology_other"].split("/"))),
            serology_broad=tuple(filter(None, row["serology_broad"].split("/"))),
            name_2009=tuple(filter(None, row["name_2009"].split("/"))),
        )


_RECORD_FIELDS: tuple[str, ...] = tuple(AlleleRecord.__dataclass_fields__)


class AlleleTraits(NamedTuple):
    """What the ligand rules read of an allele: these fields of its [`AlleleRecord`][kirmatch.reference.AlleleRecord],
    under the same names. Few distinct values cover the release, so registry-scale callers work per distinct value
    (`Reference.traits`) without building the records."""

    locus: str
    expression: str
    expressed: bool
    classified: bool
    ligand: str
    bw4_80: str
    kir3dl2: str
    flags: tuple[str, ...]


def _traits_of(record: AlleleRecord) -> AlleleTraits:
    return AlleleTraits(
        record.locus,
        record.expression,
        record.expressed,
        record.classified,
        record.ligand,
        record.bw4_80,
        record.kir3dl2,
        record.flags,
    )


def _trait_codes(records: Iterable[AlleleRecord]) -> tuple[tuple[AlleleTraits, ...], array[int]]:
    """The distinct traits of ``records`` (in order of first use) and, per record, the position of its own."""
    codes: dict[AlleleTraits, int] = {}
    per_record = array("I", (codes.setdefault(_traits_of(r), len(codes)) for r in records))
    return tuple(codes), per_record


@dataclass(frozen=True, slots=True)
class Resolution:
    """What a designation denotes: the candidate alleles, the non-expressed ones set aside, and a note."""

    normalized: str
    candidates: tuple[AlleleRecord, ...]
    excluded: tuple[AlleleRecord, ...]
    note: str = ""
    kind: str = TypingKind.ALLELE.value
    pooled_out: tuple[AlleleRecord, ...] = ()
    """Candidates an allele pool set aside (rare ones), for the record; see [`kirmatch.pools`][kirmatch.pools]."""


class ReferenceInfo(BaseModel, frozen=True):
    """Where the reference table came from: the IPD-IMGT/HLA release and how the table was built.

    Immutable and hashable; ``inputs_sha256`` (input file name -> SHA-256) is a read-only mapping.
    """

    database: str
    release: str
    release_date: str
    rules_version: str
    build_command: str
    alleles: int
    table_sha256: str
    inputs_sha256: FrozenMap[str, str]
    path: str

    def __str__(self) -> str:
        return (
            f"{self.database} {self.release} ({self.release_date}), {self.alleles} HLA-A/B/C alleles, "
            f"rules v{self.rules_version}"
        )


class Reference:
    """The loaded table with its indexes. Build one with `get_reference`; it is immutable once built.

    Read from the binary cache, the records are built one at a time, on first use (a classification reads a few
    dozen of the release's alleles); ``records`` builds them all.
    """

    def __init__(self, records: Iterable[AlleleRecord], info: ReferenceInfo, history: list[dict[str, str]]):
        built: list[AlleleRecord | None] = list(records)
        rows = _Rows(built, None)
        indexes = _index_lists(cast("list[AlleleRecord]", built), history)
        self._setup(rows, info, {row["name"].upper(): row for row in history}, indexes, coded=False)

    def _setup(
        self,
        rows: _Rows,
        info: ReferenceInfo,
        history: dict[str, dict[str, str]],
        indexes: dict[str, Any],
        *,
        coded: bool,
    ) -> None:
        self._rows = rows
        self.info = info
        self.history: dict[str, dict[str, str]] = history
        self.by_name: Mapping[str, AlleleRecord] = _ByName(rows)
        self._prefix = _groups(rows, indexes, "prefix", _PREFIX_KEY, coded=coded)
        self.by_prefix: Mapping[tuple[str, tuple[str, ...]], tuple[AlleleRecord, ...]] = self._prefix
        self._traits: tuple[tuple[AlleleTraits, ...], Sequence[int]] | None = None
        self._plain_codes: tuple[bool, ...] | None = None  # per distinct traits: expressed as such
        self._index = _Indexes(
            old_prefix=_groups(rows, indexes, "old_prefix", _PAIR_KEY, coded=coded),
            g_groups=_groups(rows, indexes, "g_groups", _TEXT_KEY, coded=coded),
            p_groups=_groups(rows, indexes, "p_groups", _TEXT_KEY, coded=coded),
            serology=_groups(rows, indexes, "serology", _TEXT_KEY, coded=coded),
            public=_groups(rows, indexes, "public", _TEXT_KEY, coded=coded),
            renamed_since_2010=cast("dict[tuple[str, str, str], str]", indexes["renamed"]),
        )
        self._state = indexes if coded else None

    @property
    def records(self) -> tuple[AlleleRecord, ...]:
        """Every allele of the table, in its order (built on first access when read from the cache)."""
        return self._rows.all()

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickles as "the process-wide reference", so worker processes load their own copy once.
        return (get_reference, ())

    def cache_state(self) -> dict[str, Any] | None:
        """What the binary cache keeps (see `_encode_state`): the records in one text, and every index as positions
        into them (not the provenance); None when the table holds a character the cache uses as a separator."""
        if self._state is not None:
            return self._state
        return _encode_state(self.records, self.history, self._index.renamed_since_2010, self)

    @classmethod
    def from_cache_state(cls, state: dict[str, Any], info: ReferenceInfo) -> Reference:
        count = state["n"]
        if not isinstance(count, int) or any(
            not isinstance(state[key], str) or (count and state[key].count(_SEP_RECORD) != count - 1)
            for key in ("rows", "names")
        ):
            raise ValueError("the cached rows are inconsistent")
        self = cls.__new__(cls)
        rows = _Rows([None] * count, state["rows"], state["names"])
        traits = _decode_traits(state, count)
        self._setup(rows, info, state["history"], state, coded=True)
        self._traits = traits
        return self

    def traits(self) -> tuple[tuple[AlleleTraits, ...], Sequence[int]]:
        """The distinct [`AlleleTraits`][kirmatch.reference.AlleleTraits] of the table, and per record (in table
        order) the position of its own among them; from the cache without building a record."""
        if self._traits is None:
            self._traits = _trait_codes(self.records)
        return self._traits

    def records_at(self, positions: Iterable[int]) -> tuple[AlleleRecord, ...]:
        """The records at these positions of the table (built on first use)."""
        return self._rows.take(positions)

    def candidate_positions(self, designation: Designation) -> tuple[str, tuple[int, ...]] | None:
        """What `resolve` gives for an allele name or an XX code, as (normalized, positions of the candidates in the
        table), without building the records; None for any other kind, and for a designation `resolve` refuses
        (call `resolve` then: it raises the error)."""
        if isinstance(designation, AlleleName):
            name = designation
        elif isinstance(designation, XXCode):
            name = AlleleName(designation.locus, (designation.group,))
        else:
            return None
        found = self._prefix.positions((name.locus, name.fields))
        if found is None:
            return None
        keys, codes = self.traits()
        if isinstance(designation, XXCode):
            return str(designation), tuple(found)
        suffix = name.suffix
        if suffix:  # as resolve_name: every allele under the fields carries the suffix, else an error
            if any(keys[codes[p]].expression != suffix for p in found):
                return None
            return str(name), tuple(found)
        plain_codes = self._plain_codes
        if plain_codes is None:
            plain_codes = self._plain_codes = tuple(map(_plain, keys))
        plain = tuple(compress(found, map(plain_codes.__getitem__, map(codes.__getitem__, found))))
        return str(name), plain or tuple(found)

    def under(self, name: AlleleName) -> tuple[AlleleRecord, ...]:
        """Every allele whose fields start with ``name``'s fields (nulls included), or raise UnknownAlleleError."""
        found = self.by_prefix.get((name.locus, name.fields))
        if found is None:
            raise self.unknown(name)
        return found

    def resolve(self, designation: Designation, *, mac_table: MacTableSpec = None) -> Resolution:
        """The IPD alleles any single-locus designation (see
        [`parse_designation`][kirmatch.nomenclature.parse_designation]) can mean, with the kind of designation and a
        note saying how it was read.

        * Allele names: `resolve_name`. XX codes: as the 1-field name of their group.
        * Pre-2010 names: `resolve_old`. Allele lists and NMDP codes: the union of their items, each read by
          `resolve_name` (so a null the list names is a candidate). NMDP codes need a code table: ``mac_table`` (a path,
          a ``{code: expansion}`` mapping or a [`MacTable`][kirmatch.mac.MacTable]), else ``$KIRMATCH_MAC_FILE``;
          without either a [`MacTableError`][kirmatch._errors.MacTableError] says how to supply one.
        * G and P groups: every allele IPD lists in the group (hla_nom_g.txt / hla_nom_p.txt), nulls included.
        * Serology: `resolve_serology`.
        """
        if isinstance(designation, AlleleName):
            return self.resolve_name(designation)
        if isinstance(designation, OldAlleleName):
            return self.resolve_old(designation)
        if isinstance(designation, XXCode):
            # NMDP's XX code stands for every allele of the group, nulls included: unlike a name written
            # without suffix, it does not say the typed allele is expressed (C*07:XX may be C*07:32N).
            found = self.under(AlleleName(designation.locus, (designation.group,)))
            nulls = sum(1 for r in found if not r.expressed)
            note = f"XX: every allele of the group {designation.locus}*{designation.group}" + (
                f", {nulls} of them not expressed" if nulls else ""
            )
            return Resolution(str(designation), found, (), note, TypingKind.XX_CODE.value)
        if isinstance(designation, AlleleList):
            parts = [self.resolve(item) for item in designation.items]
            notes = [f"{item}: {part.note}" for item, part in zip(designation.items, parts, strict=True) if part.note]
            return _union(str(designation), TypingKind.ALLELE_LIST, parts, "; ".join(notes))
        if isinstance(designation, MacCode):
            return self.resolve_mac(designation, mac_table)
        if isinstance(designation, (GGroup, PGroup)):
            return self.resolve_group(designation)
        if isinstance(designation, Serology):  # pyright: ignore[reportUnnecessaryIsInstance]  # untyped callers
            return self.resolve_serology(designation)
        raise UnknownAlleleError(f"{quote(designation)} is not a designation kirmatch reads", input=designation)

    def resolve_name(self, name: AlleleName) -> Resolution:
        """The IPD alleles a single allele name denotes, by the lab convention for expression suffixes.

        * A name with a suffix (``C*04:09N``) denotes the alleles under its fields, which must all carry that
          suffix: ``C*07:02N`` is refused (`C*07:02` is expressed; its null is ``C*07:02:01:17N``), so that a
          stray letter never turns an expressed protein into a null.
        * A name without one (``C*07:02``) denotes the alleles under its fields that are expressed as such:
          non-expressed ones (N, S, C) and those of questionable expression (Q) that share the fields
          (``C*07:02:01:17N``) are returned apart, as ``excluded``, for the record. A Q allele, like a null,
          counts only when named or when an expansion (list, NMDP code, XX, G or P group) names it.
        * A name without a suffix whose alleles all carry one (``C*04:09`` for ``C*04:09N``) denotes those
          alleles, with a note that IPD writes the suffix.
        """
        found = self.under(name)
        if name.suffix:
            if any(r.expression != name.suffix for r in found):
                with_suffix = [r.allele for r in found if r.expression == name.suffix]
                bare = AlleleName(name.locus, name.fields)
                hint = (
                    f"; the {name.suffix} alleles under it are {', '.join(with_suffix[:5])}"
                    if with_suffix
                    else f"; write {bare} for the expressed alleles"
                )
                raise UnknownAlleleError(
                    f"{quote(str(name))} is not an IPD-IMGT/HLA {self.info.release} name: {bare} covers alleles "
                    f"without the suffix {name.suffix}{hint}",
                    input=str(name),
                    suggestions=tuple(with_suffix[:5]) or (str(bare),),
                )
            return Resolution(str(name), found, ())
        plain = tuple(r for r in found if r.expressed and r.expression != "Q")
        if plain:
            return Resolution(str(name), plain, tuple(r for r in found if not r.expressed or r.expression == "Q"))
        spelled = sorted({r.allele for r in found})
        event = self.history.get(str(name).upper())
        why = f"IPD {event['fate']} it ({event['when']}); " if event and event["when"] else ""
        return Resolution(
            str(name),
            found,
            (),
            note=f"{why}IPD writes this with its expression suffix: {', '.join(spelled[:5])}",
        )

    def resolve_old(self, old: OldAlleleName) -> Resolution:
        """The current alleles a pre-2010 name denotes, from the ``name_2009`` column (Nomenclature_2009.txt).

        1. A name IPD deleted (Deleted_alleles.txt) raises [`UnknownAlleleError`][kirmatch._errors.UnknownAlleleError]
           with IPD's account.
        2. A name whose April-2010 form IPD has renamed or deleted since raises the same way. The April-2010
           form is found in the history by dropping its colons, and only where every field has two digits, so
           the link is exact and never a guess.
        3. Otherwise the name stands for every current allele whose pre-2010 name starts with its digits (a
           4-digit name is a protein, a 6-digit name a synonymous variant). Each such allele contributes its
           current fields at the same depth, and the result is every allele under those current prefixes, by
           the convention of `resolve_name` (so alleles named after 2010 are included). When the digits
           lead to more than one current prefix (IPD renamed an allele to another protein since), all of them
           are kept and the note says so.
        4. A 5-digit name (``A*03012``) that is not in Nomenclature_2009 is read as the 1990s form, whose fifth
           digit was the synonymous variant (``A*030102``), and the note says so; this is the one reading WHO
           nomenclature allowed for a 5-digit name, and it is then looked up like any other.
        """
        index = self._index
        text = str(old)
        if text.upper() in self.history:
            raise self.unknown(text)
        renamed = index.renamed_since_2010.get((old.locus, old.digits, old.suffix))
        if renamed is not None:
            error = self.unknown(renamed)
            raise UnknownAlleleError(
                f"{quote(text)} is the pre-2010 name of {renamed}; {error}",
                input=text,
                replacement=error.replacement,
                suggestions=error.suggestions,
            )
        digits, how = old.digits, ""
        if (old.locus, digits) not in index.old_prefix and len(digits) == 5:
            digits = digits[:4] + "0" + digits[4]
            padded = OldAlleleName(old.locus, digits, old.suffix)
            if str(padded).upper() in self.history:
                raise self.unknown(str(padded))
            how = f"1990s 5-digit name, {padded} in Nomenclature_2009"
        holders = index.old_prefix.get((old.locus, digits))
        if holders is None:
            raise UnknownAlleleError(
                f"{quote(text)} is well formed but not a pre-2010 name (Nomenclature_2009.txt) of an allele of "
                f"IPD-IMGT/HLA {self.info.release}",
                input=text,
            )
        depth = len(digits) // 2
        prefixes = tuple(dict.fromkeys(r.fields[:depth] for r in holders))
        parts = [self.resolve_name(AlleleName(old.locus, p, old.suffix)) for p in prefixes]
        current = "/".join(f"{old.locus}*{':'.join(p)}{old.suffix}" for p in prefixes)
        note = f"pre-2010 name {text}" + (f" ({how})" if how else "") + f" = {current}"
        if len(prefixes) > 1:
            note += "; ambiguous: alleles it covered before 2010 now carry these different names (IPD renamed "
            note += "some since), all are kept"
        notes = [note] + [part.note for part in parts if part.note]
        return _union(current, TypingKind.OLD_NAME, parts, "; ".join(notes))

    def resolve_group(self, group: GGroup | PGroup) -> Resolution:
        """Every allele IPD lists in the G or P group, non-expressed ones included (the group names them)."""
        text = str(group)
        if isinstance(group, GGroup):
            members, kind, what = self._index.g_groups.get(text), TypingKind.G_GROUP, "G group (hla_nom_g.txt)"
        else:
            members, kind, what = self._index.p_groups.get(text), TypingKind.P_GROUP, "P group (hla_nom_p.txt)"
        if members is None:
            raise UnknownAlleleError(
                f"{quote(text)} is well formed but not a {what} of IPD-IMGT/HLA {self.info.release}", input=text
            )
        nulls = sum(1 for r in members if not r.expressed)
        note = f"{what} of {len(members)} alleles" + (f", {nulls} of them not expressed" if nulls else "")
        return Resolution(text, members, (), note=note, kind=kind.value)

    def resolve_serology(self, antigen: Serology) -> Resolution:
        """The alleles a serologic antigen covers, by rel_dna_ser.txt and rel_ser_ser.txt.

        * An antigen covers every allele assigned to it, to one of its splits (``B5``: ``B51``, ``B52``) or to
          one of its associated antigens (``B51``: ``B5102``), at any depth, counting the antigens rel_dna_ser
          lists as possible or as expert-assigned exceptions too (``A26`` covers `A*66:01`, which some sera type
          as A26): a serologic typing may mean any of them. Alleles without an assignment are not covered.
          Non-expressed alleles and those of questionable expression (Q) are set aside as ``excluded``: the
          antigen was seen on the cell surface, as for a name without suffix.
        * ``Bw4`` / ``Bw6`` given alone: the expressed HLA-B alleles whose residues 82-83 make that epitope
          (Leu-Arg, Arg-Gly; `B*46:01` and `B*73:01`, which carry C1, are serologically Bw6). The public epitope is
          what was typed, so it is present; which antigen carries it, and so whether a Bw6 allele carries C1,
          is unknown.
        """
        text = str(antigen)
        if antigen.public:
            members = self._index.public.get(text, ())
            note = f"{text} alone: the expressed HLA-B alleles carrying the {text} epitope by sequence (82-83)"
            return Resolution(text, members, (), note=note, kind=TypingKind.SEROLOGY.value)
        covered = self._index.serology.get(text)
        if covered is None:
            raise UnknownAlleleError(
                f"{quote(text)}: no allele of IPD-IMGT/HLA {self.info.release} is assigned to the serologic "
                "antigen (rel_dna_ser.txt)",
                input=text,
            )
        expressed = tuple(r for r in covered if r.expressed and r.expression != "Q")
        excluded = tuple(r for r in covered if not r.expressed or r.expression == "Q")
        note = (
            f"serologic {text}: the {len(covered)} alleles rel_dna_ser.txt assigns to it or its splits; "
            "alleles without a serologic assignment are not included"
        )
        return Resolution(text, expressed or covered, excluded if expressed else (), note, TypingKind.SEROLOGY.value)

    def resolve_mac(self, code: MacCode, mac_table: MacTableSpec = None) -> Resolution:
        """An NMDP code: the union of the alleles its expansion names, each read by `resolve_name`.

        Expansion items without ``:`` are second fields under the typed group (``01/02``); items with ``:`` are full
        fields (``08:01/08:19N``), with or without the locus. Items the release does not know (the code table may be
        newer) are left out and listed in the note; if none is known,
        [`UnknownAlleleError`][kirmatch._errors.UnknownAlleleError].
        """
        text = str(code)
        table = mac_table_from(mac_table)
        if table is None:
            raise MacTableError(
                f"{quote(text)} is an NMDP multiple-allele code, and no code table was supplied: kirmatch does not "
                "bundle it (NMDP updates it daily). Download it from NMDP (the two-column code list, e.g. "
                "numer.v3.txt) and pass mac_table='path/to/file' (or a {code: expansion} mapping), set the "
                f"environment variable {MAC_ENV}, or use --mac-file on the command line",
                input=text,
            )
        expansion = table.codes.get(code.code)
        if expansion is None:
            raise UnknownAlleleError(
                f"{quote(text)}: code {code.code} is not in the MAC table {table.source}", input=text
            )
        names: list[AlleleName] = []
        for item in expansion.split("/"):
            item = item.strip()
            spelled = item if "*" in item else f"{code.locus}*{item if ':' in item else code.group + ':' + item}"
            try:
                name = parse_allele_name(spelled)
            except KirmatchError as exc:
                raise MacTableError(
                    f"{quote(text)}: item {quote(item)} of code {code.code} in {table.source} is malformed: {exc}",
                    input=text,
                ) from None
            if name.locus != code.locus:
                raise MacTableError(
                    f"{quote(text)}: item {quote(item)} of code {code.code} is not of locus {code.locus}", input=text
                )
            names.append(name)
        parts: list[Resolution] = []
        missing: list[str] = []
        for name in dict.fromkeys(names):
            try:
                parts.append(self.resolve_name(name))
            except UnknownAlleleError:
                missing.append(str(name))
        if not parts:
            raise UnknownAlleleError(
                f"{quote(text)} expands to {expansion}, none of which is in IPD-IMGT/HLA {self.info.release}",
                input=text,
            )
        note = f"NMDP code {code.code} = {'/'.join(map(str, dict.fromkeys(names)))} ({table.source})"
        if missing:
            note += f"; not in IPD-IMGT/HLA {self.info.release}, left out: {', '.join(missing)}"
        return _union(text, TypingKind.MAC_CODE, parts, note)

    def unknown(self, name: AlleleName | str) -> UnknownAlleleError:
        """The error for a well-formed name absent from the release, with IPD's history or the closest names."""
        text = str(name)
        release = f"IPD-IMGT/HLA {self.info.release}"
        event = self.history.get(text.upper())
        if event is not None:
            replacement = event["replacement"] or None
            when = f" ({event['when']})" if event["when"] else ""
            use = f"; use {replacement}" if replacement else "; IPD names no replacement"
            return UnknownAlleleError(
                f"{quote(text)} is not a current allele: IPD-IMGT/HLA lists it as {event['fate']}{when}{use}",
                input=text,
                replacement=replacement,
                suggestions=(replacement,) if replacement else (),
            )
        suggestions = self.closest(name) if isinstance(name, AlleleName) else ()
        hint = f"; closest known: {', '.join(suggestions)}" if suggestions else ""
        return UnknownAlleleError(
            f"{quote(text)} is well formed but not an allele of {release}{hint}",
            input=text,
            suggestions=suggestions,
        )

    def closest(self, name: AlleleName, n: int = 3) -> tuple[str, ...]:
        """Up to ``n`` existing names at the deepest level that matches, nearest by number first."""
        depth = len(name.fields)
        while depth > 0 and (name.locus, name.fields[: depth - 1]) not in self.by_prefix and depth > 1:
            depth -= 1
        parent = name.fields[: depth - 1]
        if depth > 1 and (name.locus, parent) not in self.by_prefix:
            return ()
        pool = self.by_prefix.get((name.locus, parent), ()) if parent else [
            r for r in self.records if r.locus == name.locus
        ]
        level = {r.fields[: depth] for r in pool if len(r.fields) >= depth}
        try:
            target = int(name.fields[depth - 1])
        except (IndexError, ValueError):  # pragma: no cover - fields are digits by construction
            target = 0
        ranked = sorted(level, key=lambda f: (abs(int(f[-1]) - target), int(f[-1])))
        return tuple(f"{name.locus}*{':'.join(f)}" for f in ranked[:n])


def _plain(traits: AlleleTraits) -> bool:
    """Expressed as such: what a name without suffix denotes (`Reference.resolve_name`)."""
    return traits.expressed and traits.expression != "Q"


def _decode_traits(state: dict[str, Any], count: int) -> tuple[tuple[AlleleTraits, ...], Sequence[int]]:
    """The traits the cache keeps (see `_encode_state`), checked against the number of records."""
    keys_raw, codes_bytes = state["traits"]
    keys = tuple(AlleleTraits(*key) for key in keys_raw)
    codes = array("I")
    codes.frombytes(codes_bytes)
    if len(codes) != count or (count and max(codes) >= len(keys)):
        raise ValueError("the cached traits are inconsistent")
    return keys, codes


def _union(normalized: str, kind: TypingKind, parts: list[Resolution], note: str = "") -> Resolution:
    """Candidates of several resolutions, in order, each once; excluded ones that no part names as candidate."""
    candidates = tuple(dict.fromkeys(r for part in parts for r in part.candidates))
    chosen = set(candidates)
    excluded = tuple(dict.fromkeys(r for part in parts for r in part.excluded if r not in chosen))
    return Resolution(normalized, candidates, excluded, note, kind.value)


def _old_name_parts(text: str) -> tuple[str, str, str]:
    """``'Cw*07020101'`` -> ``('C', '07020101', '')`` as written in the table's ``name_2009`` column."""
    locus, _, rest = text.partition("*")
    suffix = rest[-1] if rest[-1:].isalpha() else ""
    return ("C" if locus == "Cw" else locus), rest[: len(rest) - len(suffix)], suffix


_SEP_RECORD = "\x1e"
"""Separates the records (and the keys of an index) in the cache's texts."""
_SEP_FIELD = "\x1f"
"""Separates the fields of a record, and the parts of a key, in the cache's texts."""
_SEP_ITEM = "\x1d"
"""Starts each item of a tuple field in the cache's texts (so that ``()`` and ``("",)`` differ)."""


def _field_kind(annotation: object) -> str:
    kinds = {"str": "s", "bool": "b", "tuple[str, ...]": "t"}
    if not isinstance(annotation, str) or annotation not in kinds:  # pragma: no cover - a new field of another type
        raise TypeError(f"AlleleRecord field of type {annotation!r} has no cache encoding")
    return kinds[annotation]


_FIELD_KINDS: tuple[str, ...] = tuple(
    _field_kind(AlleleRecord.__dataclass_fields__[name].type) for name in _RECORD_FIELDS
)


def _encode_value(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, tuple):
        return "".join(_SEP_ITEM + item for item in cast("tuple[str, ...]", value))
    return cast(str, value)


_BOOL_FIELDS = tuple(i for i, kind in enumerate(_FIELD_KINDS) if kind == "b")
_TUPLE_FIELDS = tuple(i for i, kind in enumerate(_FIELD_KINDS) if kind == "t")


def _decode_record(line: str) -> AlleleRecord:
    """One record from its line in the cache (`_encode_state`); text fields are taken as split, only the bool and
    tuple fields converted."""
    values: list[Any] = line.split(_SEP_FIELD)
    if len(values) != len(_FIELD_KINDS):
        raise ValueError(f"a cached record has {len(values)} fields, not {len(_FIELD_KINDS)}")
    for i in _BOOL_FIELDS:
        values[i] = values[i] == "1"
    for i in _TUPLE_FIELDS:
        text = values[i]
        values[i] = tuple(text[1:].split(_SEP_ITEM)) if text else ()  # each item starts with the separator
    return AlleleRecord(*values)


class _Rows:
    """The records of a table, each built on first use from its line in the cache (or all given, parsed)."""

    def __init__(self, built: list[AlleleRecord | None], lines: str | None, names: str | None = None):
        self._built = built
        self._text = lines
        self._lines: list[str] | None = None
        self._names_text = names
        self._all: tuple[AlleleRecord, ...] | None = None
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._built)

    def record(self, position: int) -> AlleleRecord:
        found = self._built[position]
        if found is None:
            with self._lock:  # one object per allele, even when two threads ask at once
                found = self._built[position]
                if found is None:
                    lines = self._lines
                    if lines is None:
                        lines = self._lines = cast(str, self._text).split(_SEP_RECORD)
                    found = self._built[position] = _decode_record(lines[position])
        return found

    def take(self, positions: Iterable[int]) -> tuple[AlleleRecord, ...]:
        record = self.record
        return tuple(record(i) for i in positions)

    def all(self) -> tuple[AlleleRecord, ...]:
        if self._all is None:
            self._all = self.take(range(len(self._built)))
        return self._all

    def names(self) -> list[str]:
        if self._names_text is None:
            return [record.allele for record in self.all()]
        return self._names_text.split(_SEP_RECORD) if self._built else []


class _ByName(Mapping[str, AlleleRecord]):
    """Allele name -> record (the last row of that name, as a dict built from the rows would keep)."""

    def __init__(self, rows: _Rows):
        self._rows = rows
        self._positions: dict[str, int] | None = None

    def _index(self) -> dict[str, int]:
        if self._positions is None:
            names = self._rows.names()
            self._positions = dict(zip(names, range(len(names)), strict=True))
        return self._positions

    def __getitem__(self, name: str) -> AlleleRecord:
        return self._rows.record(self._index()[name])

    def __contains__(self, name: object) -> bool:
        return name in self._index()

    def __iter__(self) -> Iterator[str]:
        return iter(self._index())

    def __len__(self) -> int:
        return len(self._index())


_K = TypeVar("_K")


@dataclass(frozen=True)
class _KeyCodec(Generic[_K]):
    """How the keys of one index are spelled in the cache's texts."""

    encode: Callable[[_K], str]
    decode: Callable[[str], _K]


def _decode_prefix(text: str) -> tuple[str, tuple[str, ...]]:
    locus, *fields = text.split(_SEP_FIELD)
    return locus, tuple(fields)


def _decode_pair(text: str) -> tuple[str, str]:
    locus, _, digits = text.partition(_SEP_FIELD)
    return locus, digits


def _same(text: str) -> str:
    return text


_PREFIX_KEY: _KeyCodec[tuple[str, tuple[str, ...]]] = _KeyCodec(
    lambda key: _SEP_FIELD.join((key[0], *key[1])), _decode_prefix
)
_PAIR_KEY: _KeyCodec[tuple[str, str]] = _KeyCodec(lambda key: key[0] + _SEP_FIELD + key[1], _decode_pair)
_TEXT_KEY: _KeyCodec[str] = _KeyCodec(_same, _same)


class _Groups(Mapping[_K, tuple[AlleleRecord, ...]]):
    """An index key -> the records it names, kept as positions into the rows: each value is built on first use."""

    def __init__(
        self,
        rows: _Rows,
        keys: list[Any] | str,
        offsets: Sequence[int],
        members: Sequence[int],
        codec: _KeyCodec[_K] | None,
    ):
        # keys: the keys themselves (codec None), or their spellings joined by _SEP_RECORD (split on first use)
        self._rows = rows
        self._keys = keys
        self._offsets = offsets
        self._members = members
        self._codec = codec
        self._positions: dict[Any, int] | None = None
        self._memo: dict[_K, tuple[AlleleRecord, ...]] = {}

    def _spelled(self) -> list[Any]:
        if isinstance(self._keys, str):
            self._keys = self._keys.split(_SEP_RECORD)
        return self._keys

    def _index(self) -> dict[Any, int]:
        if self._positions is None:
            keys = self._spelled()
            self._positions = dict(zip(keys, range(len(keys)), strict=True))
        return self._positions

    def _find(self, key: object) -> int | None:
        codec = self._codec
        if codec is None:
            return self._index().get(key)
        try:
            spelled = codec.encode(cast("_K", key))
        except (TypeError, ValueError, AttributeError, IndexError):
            return None
        found = self._index().get(spelled)
        # a key of another shape may be spelled like one of ours: only the very key counts, as in a dict
        return found if found is not None and codec.decode(spelled) == key else None

    def __getitem__(self, key: _K) -> tuple[AlleleRecord, ...]:
        found = self._memo.get(key)
        if found is None:
            position = self._find(key)
            if position is None:
                raise KeyError(key)
            found = self._rows.take(self._members[self._offsets[position] : self._offsets[position + 1]])
            self._memo[key] = found
        return found

    def positions(self, key: _K) -> Sequence[int] | None:
        """The positions of the records ``key`` names (None for a key not in the index), without building them."""
        position = self._find(key)
        if position is None:
            return None
        return self._members[self._offsets[position] : self._offsets[position + 1]]

    def __contains__(self, key: object) -> bool:
        hash(key)  # an unhashable key raises TypeError, as in a dict
        return self._find(key) is not None

    def __iter__(self) -> Iterator[_K]:
        codec = self._codec
        if codec is None:
            return iter(cast("list[_K]", self._spelled()))
        return map(codec.decode, cast("list[str]", self._spelled()))

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def encoded(self, codec: _KeyCodec[_K]) -> tuple[str, int, bytes, bytes]:
        """The index as the cache keeps it: key spellings, their count, and the offsets and positions as uint32."""
        keys = [codec.encode(key) for key in self]
        return (
            _SEP_RECORD.join(keys),
            len(keys),
            array("I", self._offsets).tobytes(),
            array("I", self._members).tobytes(),
        )


def _groups(rows: _Rows, state: dict[str, Any], name: str, codec: _KeyCodec[_K], *, coded: bool) -> _Groups[_K]:
    """The index ``name`` of a state: as the cache keeps it (``coded``, `_Groups.encoded`), or key -> positions."""
    if coded:
        text, count, offsets_bytes, members_bytes = state[name]
        offsets, members = array("I"), array("I")
        offsets.frombytes(offsets_bytes)
        members.frombytes(members_bytes)
        if len(offsets) != count + 1 or not isinstance(text, str):
            raise ValueError(f"index {name} is inconsistent")
        return _Groups(rows, text if count else [], offsets, members, codec)
    lists: dict[_K, list[int]] = state[name]
    flat: list[int] = []
    ends = [0]
    for positions in lists.values():
        flat.extend(positions)
        ends.append(len(flat))
    return _Groups(rows, list(lists), ends, flat, None)


@dataclass(frozen=True)
class _Indexes:
    """Look-up tables over the records for the designation kinds other than current names."""

    old_prefix: Mapping[tuple[str, str], tuple[AlleleRecord, ...]]
    g_groups: Mapping[str, tuple[AlleleRecord, ...]]
    p_groups: Mapping[str, tuple[AlleleRecord, ...]]
    serology: Mapping[str, tuple[AlleleRecord, ...]]
    public: Mapping[str, tuple[AlleleRecord, ...]]
    renamed_since_2010: dict[tuple[str, str, str], str]


def _first_of_each(records: Sequence[AlleleRecord], positions: list[int]) -> list[int]:
    """The positions of distinct records, each the first of its value (as ``dict.fromkeys`` of the records keeps)."""
    seen: dict[AlleleRecord, int] = {}
    for position in positions:
        seen.setdefault(records[position], position)
    return list(seen.values())


def _index_lists(records: Sequence[AlleleRecord], history: list[dict[str, str]]) -> dict[str, Any]:
    """Every index of the table as key -> positions of its records, in table order."""
    prefix: dict[tuple[str, tuple[str, ...]], list[int]] = {}
    old_prefix: dict[tuple[str, str], list[int]] = {}
    g_groups: dict[str, list[int]] = {}
    p_groups: dict[str, list[int]] = {}
    serology: dict[str, list[int]] = {}
    public: dict[str, list[int]] = {"Bw4": [], "Bw6": []}
    for i, record in enumerate(records):
        for k in range(1, len(record.fields) + 1):
            prefix.setdefault((record.locus, record.fields[:k]), []).append(i)
        for old in record.name_2009:
            locus, digits, _ = _old_name_parts(old)
            for k in range(4, len(digits) + 1, 2):
                old_prefix.setdefault((locus, digits[:k]), []).append(i)
            if len(digits) % 2:
                old_prefix.setdefault((locus, digits), []).append(i)
        if record.g_group:
            g_groups.setdefault(record.g_group, []).append(i)
        if record.p_group:
            p_groups.setdefault(record.p_group, []).append(i)
        # serology_broad already holds every broader antigen (the build follows rel_ser_ser to the top)
        for antigen in dict.fromkeys(record.serology + record.serology_other + record.serology_broad):
            serology.setdefault(antigen, []).append(i)
        if record.locus == "B" and record.expressed and record.classified:
            # Serologic Bw4 / Bw6 are epitopes of residues 77-83, told apart at 82-83: Leu-Arg is Bw4, Arg-Gly
            # Bw6, so the HLA-B alleles that carry C1 (B*46:01, B*73:01) are serologically Bw6 too.
            motif = record.residues_76_83[6:8]
            if motif in ("LR", "RG"):
                public["Bw4" if motif == "LR" else "Bw6"].append(i)
    renamed: dict[tuple[str, str, str], str] = {}
    for row in history:
        name = row["name"]
        locus, _, rest = name.partition("*")
        suffix = rest[-1] if rest[-1:].isalpha() else ""
        fields = rest[: len(rest) - len(suffix)].split(":")
        if len(fields) > 1 and all(len(f) == 2 and f.isdigit() for f in fields):
            renamed[(locus, "".join(fields), suffix)] = name
    return {
        "prefix": prefix,
        "old_prefix": {key: _first_of_each(records, value) for key, value in old_prefix.items()},
        "g_groups": g_groups,
        "p_groups": p_groups,
        "serology": serology,
        "public": public,
        "renamed": renamed,
    }


def _encode_state(
    records: tuple[AlleleRecord, ...],
    history: dict[str, dict[str, str]],
    renamed: dict[tuple[str, str, str], str],
    reference: Reference,
) -> dict[str, Any] | None:
    """The cache of a parsed reference: each record as one line of its fields (tuples as items each led by
    ``_SEP_ITEM``), the lines in one text, and each index as `_Groups.encoded`. None when a value holds one of the
    separators (then there is no cache; the counts below find it)."""
    lines = [_SEP_FIELD.join(map(_encode_value, (getattr(r, name) for name in _RECORD_FIELDS))) for r in records]
    text = _SEP_RECORD.join(lines)
    tuples = [name for name, kind in zip(_RECORD_FIELDS, _FIELD_KINDS, strict=True) if kind == "t"]
    items = sum(len(getattr(r, name)) for r in records for name in tuples)
    if (
        text.count(_SEP_RECORD) != max(len(lines) - 1, 0)
        or text.count(_SEP_FIELD) != len(lines) * (len(_RECORD_FIELDS) - 1)
        or text.count(_SEP_ITEM) != items
    ):
        return None
    index = reference._index  # pyright: ignore[reportPrivateUsage]
    groups: tuple[tuple[str, object, _KeyCodec[Any]], ...] = (
        ("prefix", reference.by_prefix, _PREFIX_KEY),
        ("old_prefix", index.old_prefix, _PAIR_KEY),
        ("g_groups", index.g_groups, _TEXT_KEY),
        ("p_groups", index.p_groups, _TEXT_KEY),
        ("serology", index.serology, _TEXT_KEY),
        ("public", index.public, _TEXT_KEY),
    )
    state: dict[str, Any] = {
        "n": len(records),
        "rows": text,
        "names": _SEP_RECORD.join(r.allele for r in records),
        "history": history,
        "renamed": renamed,
    }
    for name, group, codec in groups:
        state[name] = cast("_Groups[Any]", group).encoded(codec)
    keys, codes = reference.traits()
    state["traits"] = ([tuple(key) for key in keys], array("I", codes).tobytes())
    return state


@functools.lru_cache(maxsize=1)
def _bundled_table() -> Path:
    candidate = resources.files("kirmatch").joinpath("_data").joinpath(_TABLE_NAME)
    if candidate.is_file():
        return Path(str(candidate))
    raise ReferenceTableError(
        "the bundled reference table is missing from this installation of kirmatch; reinstall it",
        input=str(candidate),
    )


def load_reference(path: str | Path) -> Reference:
    """Read a table written by [`kirmatch.build_hla_table.build_table`][kirmatch.build_hla_table.build_table] (its
    ``.json`` and history beside it)."""
    table = Path(path)
    meta = table.with_suffix(".json")
    history = table.with_name("hla_history.csv")
    for needed in (table, meta, history):
        if not needed.is_file():
            raise ReferenceTableError(f"reference file {str(needed)!r} does not exist", input=str(needed))
    raw = table.read_bytes()
    history_raw = history.read_bytes()
    # Compare the SHA-256 of both files with the provenance first, then parse: an edited or truncated file is refused
    # as such, never half-read (an edit could make a deleted allele name another replacement).
    try:
        provenance = json.loads(meta.read_text(encoding="utf-8"))
        if not isinstance(provenance, dict):
            raise ValueError("the provenance is not a JSON object")
    except (UnicodeDecodeError, ValueError) as exc:
        raise ReferenceTableError(f"provenance {str(meta)!r} is malformed: {exc}", input=str(meta)) from None
    prov = cast("dict[str, Any]", provenance)
    for name, data, key in ((table, raw, "table_sha256"), (history, history_raw, "history_sha256")):
        expected = prov.get(key)
        if not isinstance(expected, str):
            raise ReferenceTableError(
                f"provenance {str(meta)!r} has no {key}; rebuild the table with kirmatch build-table", input=str(meta)
            )
        if hashlib.sha256(data).hexdigest() != expected:
            raise ReferenceTableError(
                f"reference file {str(name)!r} does not match the SHA-256 in {meta.name}: it was edited or truncated "
                "after the build",
                input=str(name),
            )
    digest = prov["table_sha256"]
    meta_digest = hashlib.sha256(meta.read_bytes()).hexdigest()
    cache = _cache_path(digest, str(prov["history_sha256"]), meta_digest)
    state = _read_cache(cache) if cache is not None else None
    if state is not None:
        try:
            return Reference.from_cache_state(state, _info(prov, state["n"], digest, table))
        except (KeyError, IndexError, AttributeError, TypeError, ValueError):
            pass  # the provenance itself is malformed (the full reading below says how), or the cache is not ours
    try:
        rows = list(csv.DictReader(raw.decode("utf-8").splitlines()))
        records = [AlleleRecord.from_row(row) for row in rows]
        events = list(csv.DictReader(history_raw.decode("utf-8").splitlines()))
        for event in events:
            for column in ("name", "fate", "replacement", "when"):
                if not isinstance(event.get(column), str):
                    raise KeyError(column)
        info = _info(prov, len(records), digest, table)
        reference = Reference(records, info, events)
    except (UnicodeDecodeError, KeyError, IndexError, AttributeError, TypeError, ValueError) as exc:
        # ValueError covers pydantic's ValidationError of a provenance field of the wrong type
        raise ReferenceTableError(
            f"reference table {str(table)!r} is malformed: {type(exc).__name__}: {exc}", input=str(table)
        ) from None
    if cache is not None:
        fresh = reference.cache_state()
        if fresh is not None:
            _write_cache(cache, fresh)
    return reference


def _info(prov: dict[str, Any], alleles: int, digest: str, table: Path) -> ReferenceInfo:
    return ReferenceInfo(
        database=prov["database"],
        release=prov["release"],
        release_date=prov["release_date"],
        rules_version=prov["rules_version"],
        build_command=prov["build_command"],
        alleles=alleles,
        table_sha256=digest,
        inputs_sha256=prov["inputs_sha256"],  # validated into a FrozenMap
        path=str(table),
    )


CACHE_ENV = "KIRMATCH_CACHE_DIR"
"""Environment variable naming the directory of kirmatch's binary cache (default ``$XDG_CACHE_HOME/kirmatch`` or
``~/.cache/kirmatch``); an empty value turns the cache off."""

_CACHE_FORMAT = "reference-3"
"""Changes whenever the records, the indexes or their encoding change, so that an older cache is never read."""


def _cache_path(table_sha: str, history_sha: str, meta_sha: str) -> Path | None:
    """Where the parsed reference of these exact files is cached (keyed by their SHA-256s, and by how this Python
    writes the cache: marshal version, byte order), or None for no cache."""
    given = os.environ.get(CACHE_ENV)
    if given is not None:
        if not given.strip():
            return None
        base = Path(given)
    else:
        xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
        base = (Path(xdg) if xdg else Path.home() / ".cache") / "kirmatch"
    import marshal
    import sys

    writer = f"{sys.implementation.cache_tag}|{marshal.version}|{sys.byteorder}|{array('I').itemsize}"
    key = hashlib.sha256(f"{_CACHE_FORMAT}|{writer}|{table_sha}|{history_sha}|{meta_sha}".encode()).hexdigest()[:32]
    return base / f"{_CACHE_FORMAT}-{key}.bin"


def _read_cache(path: Path) -> dict[str, Any] | None:
    """The cached state, or None when it is missing, unreadable or not what this version writes (then the table is
    parsed again and the cache rewritten). The key is the SHA-256 of the table, history and provenance, checked just
    before; the file also carries the key, so a file renamed is never taken for another, and the SHA-256 of its
    body, so a file cut short or altered is never read."""
    import marshal

    try:
        with open(path, "rb") as fh:
            data = fh.read()
        ends = [data.index(b"\n")]
        for _ in range(2):
            ends.append(data.index(b"\n", ends[-1] + 1))
        marker, name, body_sha = data[: ends[0]], data[ends[0] + 1 : ends[1]], data[ends[1] + 1 : ends[2]]
        body = memoryview(data)[ends[2] + 1 :]  # not copied
        if marker.decode() != _CACHE_FORMAT or name.decode() != path.name:
            return None
        if hashlib.sha256(body).hexdigest() != body_sha.decode():
            return None
        state = marshal.loads(body)  # our own cache (checked above): plain strings, numbers, bytes and containers
    except Exception:  # a missing, truncated or foreign file: parse the table instead
        return None
    if not isinstance(state, dict):
        return None
    return cast("dict[str, Any]", state)


def _write_cache(path: Path, state: dict[str, Any]) -> None:
    """Write the cache atomically; never fails the call (a read-only or full directory just means no cache)."""
    import marshal
    import tempfile

    try:
        body = marshal.dumps(state)
        header = f"{_CACHE_FORMAT}\n{path.name}\n{hashlib.sha256(body).hexdigest()}\n".encode()
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(handle, "wb") as fh:
                fh.write(header)
                fh.write(body)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except Exception:  # OSError, or anything else: the cache is an optimisation only
        return


@functools.lru_cache(maxsize=1)
def _reference_at(path: str) -> Reference:
    return load_reference(path)


def get_reference() -> Reference:
    """The process-wide reference: ``$KIRMATCH_TABLE`` if set, else the bundled table. Loaded once."""
    override = os.environ.get(TABLE_ENV)
    return _reference_at(override if override else str(_bundled_table()))


def reference_info() -> ReferenceInfo:
    """Provenance of the reference in use: release, date, SHA-256 of the table and of every IMGT input file."""
    return get_reference().info


def reference_table() -> pd.DataFrame:
    """The reference table as a pandas DataFrame (a fresh copy; categorical locus/epitope/ligand columns)."""
    import pandas as pd

    reference = get_reference()
    frame = pd.read_csv(
        reference.info.path,
        dtype=str,
        keep_default_na=False,
        na_filter=False,
    )
    for column in ("expressed", "classified"):
        frame[column] = frame[column].eq("true")
    for column in ("locus", "expression", "epitope", "ligand", "bw4_80", "kir3dl2"):
        frame[column] = frame[column].astype("category")
    return frame
