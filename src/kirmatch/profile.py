"""Which KIR ligands one person carries: from a [`Genotype`][kirmatch.genotype.Genotype] to a three-valued ligand
profile.

Built on the candidate alleles of each typed designation (`kirmatch.hla_typing.resolve_text`, the same resolution
[`kirmatch.classify`][kirmatch.ligands.classify] sums up), so every typing form kirmatch reads works here, and on the
per-allele calls of the reference table.

Decision logic, per allele slot and ligand (C1, C2, Bw4, Bw4-80I, Bw4-80T, A3/A11):

* What one IPD allele contributes (`record_bits`): nothing if it is not expressed; its table ligand if it
  is (HLA-C C1/C2; HLA-B C1 of `B*46:01`, `B*73:01` and relatives when ``b_locus_c1`` is on, the default; HLA-A or -B
  Bw4 with its 80I/80T subtype, HLA-A Bw4 left out under the ``b-only`` policy and the alleles flagged
  ``bw4_weak_functional`` left out under ``exclude-weak``); A3/A11 for expressed `A*03`/`A*11` alleles. Uncertain
  rather than certain: every ligand of an expressed allele whose sequence could not be classified, the ligands of
  an allele of questionable expression (Q), and the C1 of an HLA-B allele that carries the C1 residues by sequence
  only (``b_locus_c1_inferred``: KIR2DL2/3 binding shown for `B*46:01` and `B*73:01` alone).
* A typed slot (`candidate_planes`): a ligand is ``present`` when every candidate allele carries it for
  certain, ``possible`` when some may, ``absent`` when none can.
* A missing slot: ``possible`` for every ligand its locus can carry.

A person carries a ligand by Kleene "or" over both slots of a genotype; alternative genotypes of a locus
(GL ``|``) combine by consensus (present or absent only if all agree); loci combine by "or". So ``present`` is
claimed only when no reading of the typing could remove the ligand. The combination runs on the bit planes of
[`kirmatch.presence`][kirmatch.presence], the same code [`kirmatch.frame`][kirmatch.frame] runs over whole registries.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from enum import Enum
from typing import Any

from pydantic import BaseModel, PrivateAttr

from kirmatch._errors import choice, flag
from kirmatch._frozen import trusted
from kirmatch.catalogue import ALL_LIGANDS, KirLigand, Ligand
from kirmatch.genotype import Genotype, Pair
from kirmatch.hla_typing import Candidates, candidates, resolve_text
from kirmatch.mac import environment_token
from kirmatch.pools import DEFAULT_READING, Ciwd, Pool, Population, Reading, category
from kirmatch.presence import Planes, Presence, planes_consensus, planes_of, planes_or, presence_at
from kirmatch.reference import AlleleRecord, AlleleTraits, Reference, get_reference

__all__ = [
    "Bw4Policy",
    "DEFAULT_BW4_POLICY",
    "LigandEvidence",
    "LigandProfile",
    "ligand_profile",
    "slot_contribution",
]


class Bw4Policy(str, Enum):
    """Which Bw4 alleles count as KIR3DL1 ligands.

    * ``exclude-weak`` (default): leave out the alleles flagged ``bw4_weak_functional``, ``A*25`` and
      ``B*13:01``/``B*13:02``, which carry the Bw4 motif but do not protect targets from KIR3DL1+ NK cells. Stern et
      al., Blood 2008;112:708: "expression of HLA `A*2301`, `A*2402`, or `A*3201` but not HLA `A*2501` protects target
      cells from lysis by KIR3DL1(+) NK cells". Foley et al., Blood 2008;112:435: "All Bw4+ HLA-B alleles with the
      exception of `HLA-B*1301` and `-B*1302` protected targets from lysis" and "KIR3DL1-dependent alloreactive NK
      clones were identified in donors with `HLA-A*2402` but not in donors with `HLA-B*1301` or `-B*1302`".
    * ``all``: every HLA-A or -B allele with the Bw4 epitope (the motif alone, as serology and IPD's calculator
      read it; kirmatch 0.1's default).
    * ``b-only``: count HLA-B Bw4 only (HLA-A Bw4 contributes nothing), as in studies that type Bw4 on HLA-B.
    """

    ALL = "all"
    EXCLUDE_WEAK = "exclude-weak"
    B_ONLY = "b-only"

    def __str__(self) -> str:
        return self.value

    @classmethod
    def coerce(cls, value: object) -> Bw4Policy:
        """A Bw4Policy from a member or its name; a ProtocolValueError (``unknown_option``) otherwise."""
        return choice(cls, value, "Bw4 policy")


DEFAULT_BW4_POLICY = Bw4Policy.EXCLUDE_WEAK
"""The Bw4 policy used when none is given (Stern et al. 2008; Foley et al. 2008): see
[`Bw4Policy`][kirmatch.Bw4Policy]."""

_ORDER: tuple[KirLigand, ...] = tuple(KirLigand)
_INDEX = {ligand: i for i, ligand in enumerate(_ORDER)}
_P, _A, _Q = Presence.PRESENT, Presence.ABSENT, Presence.POSSIBLE
_WEAK = "bw4_weak_functional"
_BY_GROUP = sum(ligand.bit for ligand in _ORDER if ligand.spec.by_group)
# (bit, table ligand, residue-80 subtype, Bw4 family) of each ligand read from the residues, in catalogue order
_BY_RESIDUE = tuple(
    (ligand.bit, ligand.spec.epitope.value, ligand.spec.bw4_80, ligand.spec.bw4_family)
    for ligand in _ORDER
    if ligand.spec.epitope is not None and not ligand.spec.by_group
)
_UNCERTAIN_FLAGS = tuple((ligand.bit, ligand.spec.uncertain_flags) for ligand in _ORDER if ligand.spec.uncertain_flags)


@functools.lru_cache(maxsize=64)
def locus_mask(locus: str, policy: Bw4Policy = DEFAULT_BW4_POLICY, b_locus_c1: bool = True) -> int:
    """The ligands an allele of ``locus`` can contribute under the policies (a missing allele: all possible).

    From the catalogue's loci, less HLA-B C1 and C2 when ``b_locus_c1`` is off and HLA-A Bw4 under the ``b-only``
    policy.
    """
    mask = 0
    for ligand in _ORDER:
        spec = ligand.spec
        if locus not in spec.loci:
            continue
        if locus == "B" and spec.epitope in (Ligand.C1, Ligand.C2) and not b_locus_c1:
            continue
        if locus == "A" and spec.bw4_family and policy is Bw4Policy.B_ONLY:
            continue
        mask |= ligand.bit
    return mask


def record_bits(
    record: AlleleRecord, policy: Bw4Policy = DEFAULT_BW4_POLICY, b_locus_c1: bool = True
) -> tuple[int, int]:
    """What one IPD allele contributes: (ligands it carries for certain, ligands it may carry).

    * Not expressed (N, S, C): nothing.
    * Expressed, sequence not classified: every ligand its locus can carry is uncertain (the ligands the catalogue
      assigns by allele group, A3/A11, stay certain).
    * Questionable expression (Q): its ligands are uncertain, since the allele may not reach the cell surface.
      (A Q allele is a candidate only when the typing names it or an expansion does: a name written without
      suffix sets Q alleles aside as it sets nulls aside, see
      [`Reference.resolve_name`][kirmatch.reference.Reference.resolve_name].)
    * A ligand whose catalogue entry lists one of the allele's flags as uncertain (HLA-B C1 by sequence inference
      only, ``b_locus_c1_inferred``, not `B*46:01` or `B*73:01`): that ligand uncertain.
    * Otherwise every catalogue ligand whose table ligand (and residue-80 subtype) the allele carries, under the
      policies (``exclude-weak`` drops the Bw4 of alleles flagged ``bw4_weak_functional``).
    """
    return _trait_bits(record, policy, b_locus_c1)


def _trait_bits(record: AlleleRecord | AlleleTraits, policy: Bw4Policy, b_locus_c1: bool) -> tuple[int, int]:
    """[`record_bits`][kirmatch.profile.record_bits] of a record or of its traits (the fields it reads)."""
    mask = locus_mask(record.locus, policy, b_locus_c1)
    if not record.expressed:
        return 0, 0
    group = _BY_GROUP & mask if record.kir3dl2 else 0
    if not record.classified:
        return group, mask & ~_BY_GROUP
    weak = policy is Bw4Policy.EXCLUDE_WEAK and _WEAK in record.flags
    bits = 0
    for bit, epitope, bw4_80, bw4_family in _BY_RESIDUE:
        if record.ligand == epitope and (not bw4_80 or record.bw4_80 == bw4_80) and not (bw4_family and weak):
            bits |= bit
    bits = (bits & mask) | group
    if record.expression == "Q":
        return 0, bits
    uncertain = 0
    for bit, flags in _UNCERTAIN_FLAGS:
        if any(flag in record.flags for flag in flags):
            uncertain |= bit
    return bits & ~uncertain, bits & uncertain


@functools.lru_cache(maxsize=1 << 17)
def _record_bits(record: AlleleRecord, policy: Bw4Policy, b_locus_c1: bool) -> tuple[int, int]:
    """[`record_bits`][kirmatch.profile.record_bits], kept for the alleles that many designations cover (bounded:
    room for every allele of the release under two policies)."""
    return record_bits(record, policy, b_locus_c1)


@functools.lru_cache(maxsize=8)
def _position_bits(reference: Reference, policy: Bw4Policy, b_locus_c1: bool) -> list[tuple[int, int]]:
    """[`record_bits`][kirmatch.profile.record_bits] of every record of ``reference``, by position, worked out once
    per distinct [`AlleleTraits`][kirmatch.reference.AlleleTraits] (no record is built)."""
    keys, codes = reference.traits()
    by_traits = [_trait_bits(traits, policy, b_locus_c1) for traits in keys]
    return [by_traits[code] for code in codes]


def _candidate_bits(found: Candidates, policy: Bw4Policy, b_locus_c1: bool) -> list[tuple[int, int]]:
    """The bits of each candidate, in order."""
    if found.records is not None:
        return [_record_bits(record, policy, b_locus_c1) for record in found.records]
    table = _position_bits(found.reference, policy, b_locus_c1)
    return [table[p] for p in found.positions]


def candidate_planes(
    candidates: Iterable[AlleleRecord], policy: Bw4Policy = DEFAULT_BW4_POLICY, b_locus_c1: bool = True
) -> Planes:
    """Planes of one allele slot typed with a designation covering ``candidates``: a ligand is present when
    every candidate carries it for certain, possible when some candidate carries it (or may)."""
    return _planes_of_bits(record_bits(record, policy, b_locus_c1) for record in candidates)


def _planes_of_bits(bits: Iterable[tuple[int, int]]) -> Planes:
    """The planes of a slot whose candidates contribute ``bits`` (each: ligands carried for certain, ligands maybe
    carried): a ligand is present when every candidate carries it for certain, possible when some may."""
    every = ALL_LIGANDS
    some = 0
    for known, unknown in bits:
        every &= known
        some |= known | unknown
    return every, some & ~every


def slot_planes(
    designation: str | None,
    locus: str,
    policy: Bw4Policy = DEFAULT_BW4_POLICY,
    b_locus_c1: bool = True,
    mac: object = None,
    reading: Reading = DEFAULT_READING,
) -> Planes:
    """Planes (present, possible) of one allele slot; ``None`` is a missing allele (all its locus can carry).

    ``mac`` is the token of the MAC file in force ([`environment_token`][kirmatch.mac.environment_token]), for
    callers that read it once for many slots; by default it is read here. ``reading`` is the allele pool and
    G-group reading ([`kirmatch.pools`][kirmatch.pools]).
    """
    token = environment_token() if mac is None else mac
    return _slot_planes(designation, locus, policy, b_locus_c1, token, reading)


def slot_support(
    designation: str | None,
    locus: str,
    policy: Bw4Policy = DEFAULT_BW4_POLICY,
    b_locus_c1: bool = True,
    mac: object = None,
    reading: Reading = DEFAULT_READING,
) -> tuple[Ciwd | None, ...]:
    """Per catalogue ligand, the best CIWD category among the slot's candidates that may carry it (``None`` where
    none may; common for a missing allele, which may be any allele of its locus)."""
    token = environment_token() if mac is None else mac
    return _slot(designation, locus, policy, b_locus_c1, token, reading)[1]


def checked_slot_planes(
    designation: str | None, locus: str, policy: Bw4Policy, b_locus_c1: bool, mac: object, reading: Reading
) -> Planes:
    """[`slot_planes`][kirmatch.profile.slot_planes] under checked options, ``mac`` the token already read (None when
    no MAC file is set), for callers that read it once for many slots."""
    return _slot_planes(designation, locus, policy, b_locus_c1, mac, reading)


def checked_slot_support(
    designation: str | None, locus: str, policy: Bw4Policy, b_locus_c1: bool, mac: object, reading: Reading
) -> tuple[Ciwd | None, ...]:
    """[`slot_support`][kirmatch.profile.slot_support] under checked options, ``mac`` the token already read."""
    return _slot(designation, locus, policy, b_locus_c1, mac, reading)[1]


@functools.lru_cache(maxsize=65536)
def _slot_planes(
    designation: str | None, locus: str, policy: Bw4Policy, b_locus_c1: bool, mac: object, reading: Reading
) -> Planes:
    if designation is None:  # a missing allele may be any allele of its locus
        return 0, locus_mask(locus, policy, b_locus_c1)
    return _planes_of_bits(_candidate_bits(candidates(designation, reading=reading), policy, b_locus_c1))


@functools.lru_cache(maxsize=65536)
def _slot(
    designation: str | None, locus: str, policy: Bw4Policy, b_locus_c1: bool, mac: object, reading: Reading
) -> tuple[Planes, tuple[Ciwd | None, ...]]:
    planes = _slot_planes(designation, locus, policy, b_locus_c1, mac, reading)
    if designation is None:  # a missing allele may be any allele of its locus, common ones included
        return planes, tuple(Ciwd.COMMON if planes[1] & ligand.bit else None for ligand in _ORDER)
    best: list[Ciwd | None] = [None] * len(_ORDER)
    if not planes[1]:  # nothing possible: no support to report
        return planes, tuple(best)
    resolution, _release = resolve_text(designation, reading=reading)
    for record in resolution.candidates:
        known, unknown = _record_bits(record, policy, b_locus_c1)
        carried = known | unknown
        if not carried:
            continue
        found = category(record, reading.population)
        for i, ligand in enumerate(_ORDER):
            current = best[i]
            if carried & planes[1] & ligand.bit and (current is None or found.rank > current.rank):
                best[i] = found
    return planes, tuple(best)


def slot_contribution(
    designation: str | None, locus: str, policy: Bw4Policy = DEFAULT_BW4_POLICY, b_locus_c1: bool = True
) -> tuple[Presence, ...]:
    """What one allele slot contributes, one [`Presence`][kirmatch.presence.Presence] per
    [`KirLigand`][kirmatch.catalogue.KirLigand] (in enum order).

    ``designation`` ``None`` is a missing allele.
    """
    planes = slot_planes(designation, locus, policy, b_locus_c1)
    return tuple(presence_at(planes, ligand.bit) for ligand in _ORDER)


class LigandEvidence(BaseModel, frozen=True):
    """Whether a person carries one KIR ligand, and which typed alleles make it so.

    ``alleles``: designations that carry it for certain (filled when ``presence`` is present);
    ``possible_from``: designations, or missing slots (``"HLA-C allele missing"``), that may carry it.
    """

    ligand: KirLigand
    presence: Presence
    alleles: tuple[str, ...] = ()
    possible_from: tuple[str, ...] = ()
    support: Ciwd | None = None
    """When ``presence`` is possible: the best CIWD 3.0.0 category among the alleles that may carry it (a missing
    allele may be a common one)."""

    def __str__(self) -> str:
        if self.presence is _P:
            return f"{self.ligand} present ({', '.join(self.alleles)})"
        if self.presence is _Q:
            return f"{self.ligand} possible ({', '.join(self.possible_from)})"
        return f"{self.ligand} absent"


_ABSENT = tuple(trusted(LigandEvidence, ligand=ligand, presence=_A, alleles=(), possible_from=(), support=None)
                for ligand in _ORDER)
"""Per ligand, the evidence of a person who cannot carry it (immutable, so shared)."""


class LigandProfile(BaseModel, frozen=True):
    """The KIR ligands one person carries, three-valued, with the policies used. Index it by ligand."""

    genotype: Genotype
    ligands: tuple[LigandEvidence, ...]
    bw4_policy: Bw4Policy
    b_locus_c1: bool
    pool: Pool = Pool.ALL
    population: Population = Population.TOTAL
    count_group_nulls: bool = False
    release: str
    _planes: Planes = PrivateAttr()

    def model_post_init(self, context: Any, /) -> None:
        # a validated profile (model_validate, a copy): its bit planes from its evidence
        object.__setattr__(self, "__pydantic_private__", {"_planes": planes_of(e.presence for e in self.ligands)})

    @property
    def planes(self) -> Planes:
        """The profile as bit planes (present, possible) over the catalogue's bits (internal; not dumped)."""
        return self._planes

    def __getitem__(self, ligand: KirLigand | str) -> LigandEvidence:
        return self.ligands[_INDEX[KirLigand.coerce(ligand)]]

    def presence(self, ligand: KirLigand | str) -> Presence:
        """present / absent / possible for one ligand."""
        return self[ligand].presence

    def __repr__(self) -> str:
        shown = ", ".join(f"{e.ligand}={e.presence.value}" for e in self.ligands)
        return f"LigandProfile({str(self.genotype)!r}: {shown})"

    def __str__(self) -> str:
        return f"{self.genotype}: " + "; ".join(str(e) for e in self.ligands) + f" (Bw4 policy {self.bw4_policy})."


def _slot_label(locus: str) -> str:
    return _MISSING_LABELS.get(locus) or f"HLA-{locus} allele missing"


_MISSING_LABELS = {locus: f"HLA-{locus} allele missing" for locus in ("A", "B", "C")}


def genotype_planes(
    genotype: Genotype, policy: Bw4Policy, b_locus_c1: bool, reading: Reading = DEFAULT_READING
) -> Planes:
    """Planes of a whole person: Kleene "or" over the two slots of a genotype, consensus over alternative
    genotypes of a locus, "or" over loci."""
    person: Planes = (0, 0)
    for locus, alternatives in genotype.loci.items():
        per_alt = [
            planes_or(
                slot_planes(pair[0], locus, policy, b_locus_c1, reading=reading),
                slot_planes(pair[1], locus, policy, b_locus_c1, reading=reading),
            )
            for pair in alternatives
        ]
        person = planes_or(person, planes_consensus(per_alt, ALL_LIGANDS))
    return person


_Slot = tuple[str, int, int, tuple[Ciwd | None, ...]]
_SlotReader = Callable[[str | None, str], tuple[Planes, tuple[Ciwd | None, ...]]]


def _slots(
    loci: tuple[tuple[str, tuple[Pair, ...]], ...], slot: _SlotReader
) -> tuple[Planes, list[_Slot]]:
    """The person's planes (as `genotype_planes`) and each distinct slot label in reading order (locus,
    alternative, slot) with its slot's planes and CIWD backing (``slot`` reads one). A label always reads the same
    (a designation is of one locus; a missing slot names its locus), so it is listed once."""
    person: Planes = (0, 0)
    slots: list[_Slot] = []
    seen: set[str] = set()
    for locus, alternatives in loci:
        per_alt: list[Planes] = []
        for pair in alternatives:
            present = possible = 0
            for d in pair:
                (p, q), backing = slot(d, locus)
                present |= p
                possible |= q
                label = d if d is not None else _slot_label(locus)
                if label not in seen:
                    seen.add(label)
                    slots.append((label, p, q, backing))
            per_alt.append((present, possible & ~present))
        locus_planes = per_alt[0] if len(per_alt) == 1 else planes_consensus(per_alt, ALL_LIGANDS)
        person = planes_or(person, locus_planes)
    return person, slots


LigandRow = tuple[tuple[str, ...], tuple[str, ...], int]
"""One ligand of a person, compactly: (alleles, possible_from, index of the CIWD support in ``tuple(Ciwd)`` or -1),
as [`LigandEvidence`][kirmatch.profile.LigandEvidence] holds them."""

PersonLigands = tuple[Planes, tuple[LigandRow, ...]]
"""A person's ligands, compactly: the planes and one `LigandRow` per ligand (catalogue order). Only strings, ints
and tuples, so that a cache of many people costs the garbage collector nothing."""

CIWD_ORDER: tuple[Ciwd, ...] = tuple(Ciwd)
"""The CIWD categories in the order a `LigandRow` indexes them."""
_CIWD_INDEX = {c: i for i, c in enumerate(CIWD_ORDER)}
_NO_ROW: LigandRow = ((), (), -1)
_BITS = tuple((i, ligand.bit) for i, ligand in enumerate(_ORDER))


def _row(i: int, bit: int, planes: Planes, slots: list[_Slot]) -> LigandRow:
    """One ligand's evidence: the slots that carry it for certain (when the person surely does), those that may."""
    if planes[0] & bit:  # a slot sure of the ligand counts as sure only when the person is
        return (
            tuple([label for label, p, _, _ in slots if p & bit]),
            tuple([label for label, _, q, _ in slots if q & bit]),
            -1,
        )
    if not planes[1] & bit:  # no slot may carry it
        return _NO_ROW
    support: Ciwd | None = None
    maybe: list[str] = []
    for label, p, q, backing in slots:
        if (p | q) & bit:
            maybe.append(label)
            found = backing[i]
            if found is not None and (support is None or found.rank > support.rank):
                support = found
    return (), tuple(maybe), -1 if support is None else _CIWD_INDEX[support]


PersonReader = Callable[[tuple[Pair, ...], tuple[Pair, ...], tuple[Pair, ...]], PersonLigands]


@functools.lru_cache(maxsize=32)
def person_reader(policy: Bw4Policy, b_locus_c1: bool, mac: object, reading: Reading) -> PersonReader:
    """Under checked options (``mac`` the token of [`environment_token`][kirmatch.mac.environment_token]): a cached
    function from a genotype's HLA-A, -B and -C alternatives to its `PersonLigands`.

    Its cache is keyed by the alternatives alone (tuples of strings), so that, like its values, it holds nothing
    the garbage collector has to walk, and keeps no Genotype alive.
    """

    @functools.lru_cache(maxsize=4096)
    def slot(designation: str | None, locus: str) -> tuple[Planes, tuple[Ciwd | None, ...]]:
        return _slot(designation, locus, policy, b_locus_c1, mac, reading)

    @functools.lru_cache(maxsize=16384)
    def read(a: tuple[Pair, ...], b: tuple[Pair, ...], c: tuple[Pair, ...]) -> PersonLigands:
        planes, slots = _slots((("A", a), ("B", b), ("C", c)), slot)
        return planes, tuple([_row(i, bit, planes, slots) if (planes[0] | planes[1]) & bit else _NO_ROW
                              for i, bit in _BITS])

    return read


def person_ligands(
    genotype: Genotype, policy: Bw4Policy, b_locus_c1: bool, mac: object, reading: Reading
) -> PersonLigands:
    """The [`LigandProfile`][kirmatch.profile.LigandProfile] of a genotype, compactly (`PersonLigands`), from
    checked options (``mac`` the token of [`environment_token`][kirmatch.mac.environment_token]); cached."""
    return person_reader(policy, b_locus_c1, mac, reading)(genotype.a, genotype.b, genotype.c)


def support_of(row: LigandRow) -> Ciwd | None:
    """The CIWD support a `LigandRow` holds."""
    return None if row[2] < 0 else CIWD_ORDER[row[2]]


def _evidence(i: int, planes: Planes, row: LigandRow) -> LigandEvidence:
    ligand = _ORDER[i]
    presence = presence_at(planes, ligand.bit)
    if presence is _A:
        return _ABSENT[i]
    if presence is _P:
        return trusted(
            LigandEvidence, ligand=ligand, presence=_P, alleles=row[0], possible_from=row[1], support=None
        )
    return trusted(
        LigandEvidence, ligand=ligand, presence=_Q, alleles=(), possible_from=row[1], support=support_of(row)
    )


@functools.lru_cache(maxsize=16384)
def cached_profile(
    genotype: Genotype, policy: Bw4Policy, b_locus_c1: bool, mac: object, reading: Reading
) -> LigandProfile:
    """The profile of [`ligand_profile`][kirmatch.profile.ligand_profile] from checked options (``mac`` the token of
    [`environment_token`][kirmatch.mac.environment_token]), cached."""
    planes, rows = person_ligands(genotype, policy, b_locus_c1, mac, reading)
    profile = trusted(
        LigandProfile,
        genotype=genotype,
        ligands=tuple([_evidence(i, planes, row) for i, row in enumerate(rows)]),
        bw4_policy=policy,
        b_locus_c1=b_locus_c1,
        pool=reading.pool,
        population=reading.population,
        count_group_nulls=reading.count_group_nulls,
        release=get_reference().info.release,
    )
    object.__setattr__(profile, "__pydantic_private__", {"_planes": planes})
    return profile


def ligand_profile(
    genotype: Genotype | object,
    *,
    bw4_policy: Bw4Policy | str = DEFAULT_BW4_POLICY,
    b_locus_c1: bool = True,
    pool: Pool | str = Pool.ALL,
    population: Population | str = Population.TOTAL,
    count_group_nulls: bool = False,
) -> LigandProfile:
    """Which KIR ligands the person typed as ``genotype`` carries (see the module docstring for the logic).

    ``genotype`` may be a [`Genotype`][kirmatch.genotype.Genotype] or anything
    [`Genotype.coerce`][kirmatch.genotype.Genotype.coerce] reads.

    >>> p = ligand_profile({"C": ("C*07:02", "C*04:01"), "B": ("B*57:01", None)})
    >>> p.presence("C2").value, p["Bw4"].alleles
    ('present', ('B*57:01',))
    """
    reading = Reading.of(pool, population, count_group_nulls)
    policy = Bw4Policy.coerce(bw4_policy)
    chosen = flag(b_locus_c1, "b_locus_c1")
    return cached_profile(Genotype.coerce(genotype), policy, chosen, environment_token(), reading)
