"""The numpy core of the registry-scale layer: distinct cells read once, rows combined as bit planes (no pandas).

[`kirmatch.frame`][kirmatch.frame] wraps these functions in pandas frames; ``kirmatch screen`` on a CSV file calls
them on pyarrow batches (``kirmatch._stream``). Both therefore give a row the answer of the scalar path: a cell is
read by `kirmatch.genotype.slot_designation` and `kirmatch.profile.slot_planes` / ``slot_support``, each distinct
cell once per call and kept in plain arrays (so that a registry with many distinct designations never falls off a
bounded cache), and rows are combined through `kirmatch.presence.planes_or` and `kirmatch.mismatch.mismatch_planes`.

Per row, a presence column is a code: -1 undecided (a bad row), 0 absent, 1 possible, 2 present.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from kirmatch._errors import ErrorCode, KirmatchError, ProtocolValueError, flag, quote, with_context
from kirmatch.catalogue import ALL_LIGANDS, PROTOCOL_LIGANDS, PROTOCOL_MASK, KirLigand
from kirmatch.genotype import LOCI, is_missing, slot_designation
from kirmatch.mac import environment_token
from kirmatch.mismatch import mismatch_planes
from kirmatch.models import MatchModel
from kirmatch.pools import DEFAULT_READING, Ciwd, Pool, Population, Reading
from kirmatch.presence import planes_or
from kirmatch.profile import (
    Bw4Policy,
    LigandProfile,
    checked_slot_planes,
    checked_slot_support,
    ligand_profile,
    locus_mask,
)

__all__ = [
    "BITS",
    "LIGANDS",
    "PRESENCE_WORDS",
    "SUPPORT_WORDS",
    "CellMemo",
    "Cells",
    "Column",
    "Person",
    "RowErrors",
    "Settings",
    "incompatible_codes",
    "mismatch_codes",
    "person_planes",
    "presence_codes",
    "rank_keys",
    "recipient_person",
    "resolve_cells",
    "settings",
    "verdict_keys",
    "verdict_texts",
]

LIGANDS = tuple(KirLigand)
BITS = np.min_scalar_type(ALL_LIGANDS)
"""dtype of the bit planes: the smallest unsigned integer that holds every catalogue ligand's bit."""
PRESENCE_WORDS = ("absent", "possible", "present")
"""The presence words, by code (0, 1, 2)."""
SUPPORT_WORDS = tuple(c.value for c in reversed(Ciwd))
"""The CIWD categories by code of ``kir_gvh_support`` (rare < well-documented < intermediate < common)."""

_NO_SUPPORT = np.zeros(len(LIGANDS), dtype=np.uint8)

RowErrors = dict[int, tuple[str, ErrorCode]]
"""The problems of bad rows, by position: (message, code of the row's first problem)."""


@dataclass(frozen=True)
class Settings:
    """The policies a registry-scale call was made with."""

    bw4_policy: Bw4Policy
    b_locus_c1: bool
    reading: Reading = DEFAULT_READING
    homozygous_if_blank: bool = False

    def profile(self, genotype: object) -> LigandProfile:
        """The ligand profile of one person (the recipient a registry is matched against) under these settings."""
        reading = self.reading
        return ligand_profile(
            genotype, bw4_policy=self.bw4_policy, b_locus_c1=self.b_locus_c1, pool=reading.pool,
            population=reading.population, count_group_nulls=reading.count_group_nulls,
        )


def settings(
    bw4_policy: Bw4Policy | str,
    b_locus_c1: bool,
    pool: Pool | str = Pool.ALL,
    population: Population | str = Population.TOTAL,
    count_group_nulls: bool = False,
    homozygous_if_blank: bool = False,
) -> Settings:
    """The checked [`Settings`][kirmatch._planes.Settings] of these options."""
    if not isinstance(homozygous_if_blank, bool):
        raise ProtocolValueError(
            f"homozygous_if_blank must be True or False, got {quote(homozygous_if_blank)}", input=homozygous_if_blank
        )
    return Settings(
        Bw4Policy.coerce(bw4_policy),
        flag(b_locus_c1, "b_locus_c1"),
        Reading.of(pool, population, count_group_nulls),
        homozygous_if_blank,
    )


@dataclass
class Person:
    """Per row: present and possible bits, and per ligand the CIWD rank (0-4) of the best allele that may carry it."""

    present: npt.NDArray[Any]
    possible: npt.NDArray[Any]
    support: npt.NDArray[np.uint8]

    @property
    def planes(self) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
        return self.present, self.possible


@dataclass
class Cells:
    """The distinct cells of one locus read once: per code their planes, support ranks, missing and bad masks, and
    the error of each bad cell. Code ``len(cells)`` (the last entry; -1 when indexing) is a missing cell (NA)."""

    present: npt.NDArray[Any]
    possible: npt.NDArray[Any]
    support: npt.NDArray[np.uint8]
    missing: npt.NDArray[np.bool_]
    bad: npt.NDArray[np.bool_]
    errors: dict[int, KirmatchError]

    def column(self, codes: npt.NDArray[Any], *, support: bool = True, missing: bool = True) -> Column:
        """The rows of one column whose cells have ``codes`` (-1 for NA). Without ``support`` the support ranks, and
        without ``missing`` the missing mask (needed only by ``homozygous_if_blank``), are left out (zeros,
        broadcast), as is the bad mask when no cell is bad."""
        n = len(codes)
        ranks = self.support[codes] if support else np.broadcast_to(_NO_SUPPORT, (n, len(LIGANDS)))
        empty = np.broadcast_to(np.False_, (n,))
        return Column(
            self.present[codes], self.possible[codes], ranks, self.missing[codes] if missing else empty,
            self.bad[codes] if self.errors else empty, codes, self.errors,
        )

    @staticmethod
    def concat(parts: Sequence[Cells]) -> Cells:
        """The cells of several reads of distinct cells, codes continuing from one part to the next (each part's
        last entry, a missing cell, is kept once at the end)."""
        errors: dict[int, KirmatchError] = {}
        offset = 0
        for part in parts:
            errors.update({offset + i: exc for i, exc in part.errors.items()})
            offset += len(part.present) - 1

        def joined(field: str) -> Any:
            arrays = [getattr(part, field)[:-1] for part in parts]
            return np.concatenate([*arrays, getattr(parts[-1], field)[-1:]])

        return Cells(
            joined("present"), joined("possible"), joined("support"), joined("missing"), joined("bad"), errors
        )


@dataclass
class Column:
    """One HLA column read: per row planes, support ranks, missing and bad masks; the codes and bad cells' errors."""

    present: npt.NDArray[Any]
    possible: npt.NDArray[Any]
    support: npt.NDArray[np.uint8]
    missing: npt.NDArray[np.bool_]
    bad: npt.NDArray[np.bool_]
    codes: npt.NDArray[Any]
    errors: dict[int, KirmatchError]


def resolve_cells(
    uniques: Sequence[object], locus: str, column: str, chosen: Settings, *, support: bool = True
) -> Cells:
    """Each distinct cell of an HLA-``locus`` column read once through the scalar path (a bad cell's
    KirmatchError names ``column``); without ``support``, the CIWD support ranks are not worked out (left 0)."""
    n = len(uniques)
    present = np.zeros(n + 1, dtype=BITS)
    possible = np.zeros(n + 1, dtype=BITS)
    bad = np.zeros(n + 1, dtype=bool)
    missing = np.zeros(n + 1, dtype=bool)
    with_support = support
    ranks = np.zeros((n + 1, len(LIGANDS)), dtype=np.uint8)
    messages: dict[int, KirmatchError] = {}
    missing_planes = (0, locus_mask(locus, chosen.bw4_policy, chosen.b_locus_c1))
    mac = environment_token()  # read once per call, not per distinct cell
    policy, b_c1, reading = chosen.bw4_policy, chosen.b_locus_c1, chosen.reading
    # a missing allele may be any allele of its locus, common ones included
    missing_support = [Ciwd.COMMON.rank if missing_planes[1] & ligand.bit else 0 for ligand in LIGANDS]
    where = f"column {column!r}"
    for i, value in enumerate(uniques):
        if is_missing(value):
            planes = missing_planes
            missing[i] = True
            ranks[i] = missing_support
        else:
            try:
                spelled = slot_designation(value, locus, where, mac)
                planes = checked_slot_planes(spelled, locus, policy, b_c1, mac, reading)
                backing = checked_slot_support(spelled, locus, policy, b_c1, mac, reading) if with_support else ()
            except KirmatchError as exc:
                bad[i] = True
                messages[i] = exc
                continue
            if with_support:
                ranks[i] = [0 if found is None else found.rank for found in backing]
        present[i], possible[i] = planes
    present[n], possible[n] = missing_planes  # code -1 (NA) indexes the last entry
    missing[n] = True
    ranks[n] = missing_support
    return Cells(present, possible, ranks, missing, bad, messages)


class CellMemo:
    """Distinct cells already read in this run, per (locus, column, settings), in plain dicts: a registry read in
    chunks reads each designation once however many distinct designations it has (the scalar caches behind
    [`resolve_cells`][kirmatch._planes.resolve_cells] are bounded, and evict beyond their size)."""

    def __init__(self) -> None:
        self._read: dict[tuple[str, str, Settings, bool], tuple[dict[object, int], list[Cells]]] = {}

    def cells(
        self, uniques: Sequence[object], locus: str, column: str, chosen: Settings, *, support: bool = True
    ) -> Cells:
        """[`resolve_cells`][kirmatch._planes.resolve_cells] of ``uniques``, reading only the cells not seen before
        (cells that cannot be hashed are read each time)."""
        seen, parts = self._read.setdefault((locus, column, chosen, support), ({}, []))
        new: list[object] = []
        for value in uniques:
            try:
                if value not in seen:
                    seen[value] = -1
                    new.append(value)
            except TypeError:  # unhashable: never remembered
                return resolve_cells(uniques, locus, column, chosen, support=support)
        if new or not parts:
            offset = sum(len(part.present) - 1 for part in parts)
            parts.append(resolve_cells(new, locus, column, chosen, support=support))
            for k, value in enumerate(new):
                seen[value] = offset + k
            if len(parts) > 1:
                parts[:] = [Cells.concat(parts)]
        every = parts[0]
        where = np.fromiter((seen[value] for value in uniques), dtype=np.int64, count=len(uniques))
        where = np.append(where, len(every.present) - 1)  # the missing cell last, as resolve_cells gives it
        return Cells(
            every.present[where], every.possible[where], every.support[where], every.missing[where],
            every.bad[where], {k: every.errors[int(i)] for k, i in enumerate(where.tolist()) if int(i) in every.errors},
        )


def person_planes(
    loci: Callable[[str], Sequence[Column]],
    n: int,
    chosen: Settings,
    errors: str,
    row_label: Callable[[int], object] = lambda position: position,
    *,
    support: bool = True,
) -> tuple[Person, RowErrors]:
    """Planes (and support) of every row's person from the two columns of each locus (``loci(locus)``, read one
    locus at a time so that only one locus's columns are held), and the problems of each bad row (by position).

    With ``homozygous_if_blank``, a locus whose one cell is missing and the other typed is that allele twice: the
    missing cell then adds nothing (Kleene "or" of an allele with itself is the allele). ``errors="raise"`` raises the
    first bad cell's error, prefixed with ``row <row_label(position)>``."""
    person = (np.zeros(n, dtype=BITS), np.zeros(n, dtype=BITS))
    ranks = np.zeros((n if support else 1, len(LIGANDS)), dtype=np.uint8)
    error_text: RowErrors = {}
    for locus in LOCI:
        read = list(loci(locus))
        if chosen.homozygous_if_blank:
            for this, other in ((read[0], read[1]), (read[1], read[0])):
                blank = this.missing & ~other.missing & ~other.bad
                this.present = np.where(blank, 0, this.present).astype(BITS)
                this.possible = np.where(blank, 0, this.possible).astype(BITS)
        for column in read:
            if column.bad.any():
                rows = np.flatnonzero(column.bad)
                if errors == "raise":
                    first = int(rows[0])
                    label = f"row {row_label(first)!r}, "
                    raise with_context(column.errors[int(column.codes[first])], label, sep="")
                for position in rows.tolist():
                    exc = column.errors[int(column.codes[position])]
                    if position in error_text:
                        error_text[position] = (f"{error_text[position][0]}; {exc}", error_text[position][1])
                    else:
                        error_text[position] = (str(exc), exc.code)
            person = planes_or(person, (column.present, column.possible))
            if support:
                np.maximum(ranks, column.support, out=ranks)
    return Person(person[0], person[1], ranks if support else np.broadcast_to(ranks, (n, len(LIGANDS)))), error_text


def recipient_person(profile: LigandProfile, n: int) -> Person:
    """One recipient's ligand profile as the planes of ``n`` rows (broadcast, not copied)."""
    r = profile.planes
    ranks = np.array([[0 if e.support is None else e.support.rank for e in profile.ligands]], dtype=np.uint8)
    return Person(full(r[0], n), full(r[1], n), np.broadcast_to(ranks, (n, len(LIGANDS))))


def full(bits: Any, n: int) -> npt.NDArray[Any]:
    """``bits`` (one mask, or one per row) as one mask per row."""
    return np.broadcast_to(np.asarray(bits, dtype=BITS), (n,))


def presence_codes(
    planes: tuple[npt.NDArray[Any], npt.NDArray[Any]], bit: int, undecided: Sequence[int]
) -> npt.NDArray[np.int8]:
    """Per row, the presence code of ``bit``: 2 present, 1 possible, 0 absent, -1 for the ``undecided`` rows."""
    codes: npt.NDArray[np.int8] = ((planes[0] & bit) != 0).astype(np.int8) * 2 + ((planes[1] & bit) != 0).astype(
        np.int8
    )
    if len(undecided):
        codes[list(undecided)] = -1
    return codes


def incompatible_codes(
    planes: tuple[npt.NDArray[Any], npt.NDArray[Any]], undecided: Sequence[int]
) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.bool_]]:
    """Kleene "or" over the protocol ligands (present if any is present, else possible if any is possible) as
    presence codes, and where it is possible."""
    present, possible = planes
    any_present = ((present & PROTOCOL_MASK) != 0).astype(BITS)
    any_possible = (((possible & PROTOCOL_MASK) != 0) & (any_present == 0)).astype(BITS)
    return presence_codes((any_present, any_possible), 1, undecided), any_possible.astype(bool)


def gvh_support(
    donor: Person, recipient: Person, gvh_possible: npt.NDArray[Any], model: MatchModel
) -> npt.NDArray[np.uint8]:
    """Per row, the best CIWD rank among the typed alleles behind a possible protocol GvH mismatch: the donor's
    alleles that may carry the ligand (models that read the donor's HLA) and the recipient's that may carry it."""
    best = np.zeros(len(gvh_possible), dtype=np.uint8)
    for i, ligand in enumerate(LIGANDS):
        if not ligand.spec.protocol:
            continue
        open_ = (gvh_possible & ligand.bit) != 0
        rank = np.zeros(len(best), dtype=np.uint8)
        if model.uses_donor_hla:
            rank = np.where((donor.possible & ligand.bit) != 0, donor.support[:, i], rank)
        recipient_rank = np.where((recipient.possible & ligand.bit) != 0, recipient.support[:, i], 0)
        rank = np.maximum(rank, recipient_rank).astype(np.uint8)
        best = np.where(open_, np.maximum(best, rank), best).astype(np.uint8)
    return best


def mismatch_codes(
    donor: Person,
    recipient: Person,
    model: MatchModel,
    kir: tuple[Any, Any] | None,
    undecided: Sequence[int],
    *,
    support: bool = True,
) -> dict[str, npt.NDArray[np.int8]]:
    """The codes of every mismatch column (``kir_gvh_<ligand>``, ``kir_hvg_<ligand>``, ``kir_gvh_incompatible``,
    ``kir_hvg_incompatible``: presence codes; ``kir_gvh_support``: an index into
    [`SUPPORT_WORDS`][kirmatch._planes.SUPPORT_WORDS], -1 where the verdict is not possible; left out without
    ``support``)."""
    n = len(donor.present)
    kir_rows = (full(kir[0], n), full(kir[1], n)) if kir is not None else None
    directions = {
        name: (full(planes[0], n), full(planes[1], n))
        for name, planes in zip(
            ("gvh", "hvg"), mismatch_planes(model, donor.planes, recipient.planes, kir_rows), strict=True
        )
    }
    data: dict[str, npt.NDArray[np.int8]] = {}
    for name, planes in directions.items():
        for ligand in LIGANDS:
            data[f"kir_{name}_{ligand.column}"] = presence_codes(planes, ligand.bit, undecided)
    gvh_open = np.zeros(n, dtype=bool)
    for name, planes in directions.items():
        data[f"kir_{name}_incompatible"], open_ = incompatible_codes(planes, undecided)
        if name == "gvh":
            gvh_open = open_
    if not support:
        return data
    ranks = gvh_support(donor, recipient, directions["gvh"][1], model)
    best: npt.NDArray[np.int8] = np.where(gvh_open & (ranks > 0), ranks.astype(np.int8) - 1, -1).astype(np.int8)
    if len(undecided):
        best[list(undecided)] = -1
    data["kir_gvh_support"] = best
    return data


# ------------------------------------------------------------------------------------------------ the verdicts


def verdict_texts(model: str) -> list[str]:
    """The verdict of each key of [`verdict_keys`][kirmatch._planes.verdict_keys], in the words of
    [`KirLigandMismatch.verdict`][kirmatch.mismatch.KirLigandMismatch.verdict] without the alleles; the last is an
    unreadable row's."""
    names = [str(ligand) for ligand in PROTOCOL_LIGANDS]
    width = len(names)
    suffix = "" if model == "ligand-ligand" else f" ({model} model)"
    texts: list[str] = []
    for index in range(4**width):
        digits = [(index // 4 ** (width - 1 - k)) % 4 - 1 for k in range(width)]
        sure = [n for n, c in zip(names, digits, strict=True) if c == 2]
        maybe = [n for n, c in zip(names, digits, strict=True) if c == 1]
        if sure:
            text = f"GvH KIR-ligand incompatible{suffix}: {', '.join(sure)}" + (
                f"; possibly also {', '.join(maybe)}" if maybe else ""
            )
        elif maybe:
            text = (
                f"GvH KIR-ligand incompatibility possible{suffix}: {', '.join(maybe)} (typing incomplete or ambiguous)"
            )
        else:
            text = f"GvH KIR-ligand compatible{suffix}"
        texts.append(text)
    texts.append("unreadable typing: see kir_error")
    return texts


def verdict_keys(gvh: Sequence[npt.NDArray[Any]], bad: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
    """Per row, the index of its verdict in [`verdict_texts`][kirmatch._planes.verdict_texts]: the GvH presence codes
    of the protocol ligands (-1..2, in catalogue order) read as base-4 digits; bad rows take the last text."""
    key = np.zeros(len(bad), dtype=np.int64)
    for codes in gvh:
        key = key * 4 + (codes.astype(np.int64) + 1)
    key[bad] = 4 ** len(gvh)
    return key


def rank_keys(
    gvh: Sequence[npt.NDArray[Any]], incompatible: npt.NDArray[Any], bad: npt.NDArray[np.bool_], order: str
) -> list[npt.NDArray[Any]]:
    """The ranking keys of ``np.lexsort`` after the tie-breakers (its last key sorts first): GvH present > possible >
    absent, with ``order="most-mismatched"`` more certain GvH ligands first and fewer doubtful ones first; bad rows
    last."""
    keys: list[npt.NDArray[Any]] = []
    if order == "most-mismatched":
        n = len(bad)
        keys.append(sum(((codes == 1) * 1 for codes in gvh), np.zeros(n, dtype=int)))
        keys.append(-sum(((codes == 2) * 1 for codes in gvh), np.zeros(n, dtype=int)))
    keys.append(-incompatible.astype(int))
    keys.append(bad)
    return keys
