"""Which KIR ligands one person carries: from a [`Genotype`][kirmatch.genotype.Genotype] to a three-valued ligand profile.

Built on the candidate alleles of each typed designation (`kirmatch.hla_typing.resolve_text`, the same
resolution [`kirmatch.classify`][kirmatch.ligands.classify] sums up), so every typing form kirmatch reads works here, and on the
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
from collections.abc import Iterable
from enum import Enum

from pydantic import BaseModel, ConfigDict, Field

from kirmatch._errors import ProtocolValueError, quote
from kirmatch._frozen import trusted
from kirmatch.genotype import Genotype
from kirmatch.mac import environment_token
from kirmatch.presence import Planes, Presence, planes_consensus, planes_or, presence_at
from kirmatch.reference import AlleleRecord, get_reference
from kirmatch.hla_typing import resolve_text

__all__ = [
    "Bw4Policy",
    "KirLigand",
    "PROTOCOL_LIGANDS",
    "LigandEvidence",
    "LigandProfile",
    "ligand_profile",
    "slot_contribution",
]


class Bw4Policy(str, Enum):
    """Which Bw4 alleles count as KIR3DL1 ligands.

    * ``all`` (default): every HLA-A or -B allele with the Bw4 epitope (the protocol's "HLA-Bw4 alleles").
    * ``exclude-weak``: leave out the alleles flagged ``bw4_weak_functional`` (`A*25`, `B*13:01`, `B*13:02`), poor
      KIR3DL1 ligands (Stern et al. 2008; Foley et al. 2008).
    * ``b-only``: count HLA-B Bw4 only (HLA-A Bw4 contributes nothing), as in studies that type Bw4 on HLA-B.
    """

    ALL = "all"
    EXCLUDE_WEAK = "exclude-weak"
    B_ONLY = "b-only"

    def __str__(self) -> str:
        return self.value

    @classmethod
    def coerce(cls, value: object) -> Bw4Policy:
        try:
            return cls(value)
        except ValueError:
            raise ProtocolValueError(
                f"unknown Bw4 policy {quote(value)}; use one of {', '.join(p.value for p in cls)}", input=value
            ) from None


class KirLigand(str, Enum):
    """The KIR ligands of a profile: the protocol's C1, C2 and Bw4, the Bw4 subtypes, and A3/A11 (KIR3DL2)."""

    C1 = "C1"
    C2 = "C2"
    BW4 = "Bw4"
    BW4_80I = "Bw4-80I"
    BW4_80T = "Bw4-80T"
    A3_A11 = "A3/A11"

    def __str__(self) -> str:
        return self.value


PROTOCOL_LIGANDS: tuple[KirLigand, ...] = (KirLigand.C1, KirLigand.C2, KirLigand.BW4)
"""The ligands whose absence in the recipient makes a donor KIR-ligand incompatible (Ruggeri et al. 2002)."""

_ORDER = tuple(KirLigand)
_INDEX = {ligand: i for i, ligand in enumerate(_ORDER)}
_P, _A, _Q = Presence.PRESENT, Presence.ABSENT, Presence.POSSIBLE

LIGAND_BIT: dict[KirLigand, int] = {ligand: 1 << i for i, ligand in enumerate(_ORDER)}
"""Bit of each ligand in the bit planes of [`kirmatch.presence`][kirmatch.presence] (C1 = 1, C2 = 2, Bw4 = 4, ...)."""
ALL_LIGANDS = (1 << len(_ORDER)) - 1
PROTOCOL_MASK = sum(LIGAND_BIT[ligand] for ligand in PROTOCOL_LIGANDS)
_C1, _C2, _BW4 = LIGAND_BIT[KirLigand.C1], LIGAND_BIT[KirLigand.C2], LIGAND_BIT[KirLigand.BW4]
_80I, _80T, _A3 = LIGAND_BIT[KirLigand.BW4_80I], LIGAND_BIT[KirLigand.BW4_80T], LIGAND_BIT[KirLigand.A3_A11]
_BW4_FAMILY = _BW4 | _80I | _80T
_WEAK = "bw4_weak_functional"


def locus_mask(locus: str, policy: Bw4Policy = Bw4Policy.ALL, b_locus_c1: bool = True) -> int:
    """The ligands an allele of ``locus`` can contribute under the policies (a missing allele: all possible)."""
    if locus == "C":
        return _C1 | _C2
    if locus == "B":
        return _BW4_FAMILY | (_C1 if b_locus_c1 else 0)
    return _A3 | (0 if policy is Bw4Policy.B_ONLY else _BW4_FAMILY)


def record_bits(record: AlleleRecord, policy: Bw4Policy = Bw4Policy.ALL, b_locus_c1: bool = True) -> tuple[int, int]:
    """What one IPD allele contributes: (ligands it carries for certain, ligands it may carry).

    * Not expressed (N, S, C): nothing.
    * Expressed, sequence not classified: every ligand its locus can carry is uncertain (the KIR3DL2 ligands
      A3/A11 go by allele group and stay certain).
    * Questionable expression (Q): its ligands are uncertain, since the allele may not reach the cell surface.
      (A Q allele is a candidate only when the typing names it or an expansion does: a name written without
      suffix sets Q alleles aside as it sets nulls aside, see `kirmatch.reference.Reference.resolve_name`.)
    * HLA-B C1 by sequence inference only (``b_locus_c1_inferred``, not `B*46:01` or `B*73:01`): C1 uncertain.
    * Otherwise its table ligand, under the policies.
    """
    mask = locus_mask(record.locus, policy, b_locus_c1)
    if not record.expressed:
        return 0, 0
    a3 = _A3 if record.kir3dl2 and mask & _A3 else 0
    if not record.classified:
        return a3, mask & ~_A3
    bits = a3
    if record.ligand == "C2":
        bits |= _C2
    elif record.ligand == "C1":
        bits |= _C1 & mask  # HLA-B C1 only when b_locus_c1
    elif record.ligand == "Bw4":
        weak = policy is Bw4Policy.EXCLUDE_WEAK and _WEAK in record.flags
        if not weak:
            bits |= (_BW4 | {"80I": _80I, "80T": _80T}.get(record.bw4_80, 0)) & mask
    if record.expression == "Q":
        return 0, bits
    if "b_locus_c1_inferred" in record.flags:
        return bits & ~_C1, bits & _C1
    return bits, 0


def candidate_planes(
    candidates: Iterable[AlleleRecord], policy: Bw4Policy = Bw4Policy.ALL, b_locus_c1: bool = True
) -> Planes:
    """Planes of one allele slot typed with a designation covering ``candidates``: a ligand is present when
    every candidate carries it for certain, possible when some candidate carries it (or may)."""
    every = ALL_LIGANDS
    some = 0
    for record in candidates:
        known, unknown = record_bits(record, policy, b_locus_c1)
        every &= known
        some |= known | unknown
    return every, some & ~every


def slot_planes(
    designation: str | None, locus: str, policy: Bw4Policy = Bw4Policy.ALL, b_locus_c1: bool = True
) -> Planes:
    """Planes (present, possible) of one allele slot; ``None`` is a missing allele (all its locus can carry)."""
    return _slot_planes(designation, locus, policy, b_locus_c1, environment_token())


@functools.lru_cache(maxsize=65536)
def _slot_planes(
    designation: str | None, locus: str, policy: Bw4Policy, b_locus_c1: bool, _mac: object
) -> Planes:
    if designation is None:
        return 0, locus_mask(locus, policy, b_locus_c1)
    resolution, _release = resolve_text(designation)
    return candidate_planes(resolution.candidates, policy, b_locus_c1)


def slot_contribution(
    designation: str | None, locus: str, policy: Bw4Policy = Bw4Policy.ALL, b_locus_c1: bool = True
) -> tuple[Presence, ...]:
    """What one allele slot contributes, one [`Presence`][kirmatch.presence.Presence] per [`KirLigand`][kirmatch.profile.KirLigand] (in enum order).

    ``designation`` ``None`` is a missing allele.
    """
    planes = slot_planes(designation, locus, policy, b_locus_c1)
    return tuple(presence_at(planes, LIGAND_BIT[ligand]) for ligand in _ORDER)


class LigandEvidence(BaseModel):
    """Whether a person carries one KIR ligand, and which typed alleles make it so.

    ``alleles``: designations that carry it for certain (filled when ``presence`` is present);
    ``possible_from``: designations, or missing slots (``"HLA-C allele missing"``), that may carry it.
    """

    model_config = ConfigDict(frozen=True)

    ligand: KirLigand
    presence: Presence
    alleles: tuple[str, ...] = ()
    possible_from: tuple[str, ...] = ()

    def __str__(self) -> str:
        if self.presence is _P:
            return f"{self.ligand} present ({', '.join(self.alleles)})"
        if self.presence is _Q:
            return f"{self.ligand} possible ({', '.join(self.possible_from)})"
        return f"{self.ligand} absent"


class LigandProfile(BaseModel):
    """The KIR ligands one person carries, three-valued, with the policies used. Index it by ligand."""

    model_config = ConfigDict(frozen=True)

    genotype: Genotype
    ligands: tuple[LigandEvidence, ...]
    bw4_policy: Bw4Policy
    b_locus_c1: bool
    release: str
    planes: tuple[int, int] = Field(default=(0, 0), repr=False)
    """The profile as bit planes (present, possible) over `LIGAND_BIT`."""

    def __getitem__(self, ligand: KirLigand | str) -> LigandEvidence:
        return self.ligands[_INDEX[_ligand(ligand)]]

    def presence(self, ligand: KirLigand | str) -> Presence:
        """present / absent / possible for one ligand."""
        return self[ligand].presence

    def __repr__(self) -> str:
        shown = ", ".join(f"{e.ligand}={e.presence.value}" for e in self.ligands)
        return f"LigandProfile({str(self.genotype)!r}: {shown})"

    def __str__(self) -> str:
        return f"{self.genotype}: " + "; ".join(str(e) for e in self.ligands) + f" (Bw4 policy {self.bw4_policy})."


def _ligand(value: KirLigand | str) -> KirLigand:
    try:
        return KirLigand(value)
    except ValueError:
        raise ProtocolValueError(
            f"unknown KIR ligand {quote(value)}; use one of {', '.join(x.value for x in KirLigand)}", input=value
        ) from None


def _slot_label(locus: str) -> str:
    return f"HLA-{locus} allele missing"


def genotype_planes(genotype: Genotype, policy: Bw4Policy, b_locus_c1: bool) -> Planes:
    """Planes of a whole person: Kleene "or" over the two slots of a genotype, consensus over alternative
    genotypes of a locus, "or" over loci."""
    person: Planes = (0, 0)
    for locus, alternatives in genotype.loci.items():
        per_alt = [
            planes_or(slot_planes(pair[0], locus, policy, b_locus_c1), slot_planes(pair[1], locus, policy, b_locus_c1))
            for pair in alternatives
        ]
        person = planes_or(person, planes_consensus(per_alt, ALL_LIGANDS))
    return person


@functools.lru_cache(maxsize=16384)
def _profile(genotype: Genotype, policy: Bw4Policy, b_locus_c1: bool, _mac: object = None) -> LigandProfile:
    planes = genotype_planes(genotype, policy, b_locus_c1)
    n = len(_ORDER)
    certain: list[dict[str, None]] = [{} for _ in range(n)]
    maybe: list[dict[str, None]] = [{} for _ in range(n)]
    for locus, alternatives in genotype.loci.items():
        for pair in alternatives:
            for d in pair:
                slot = slot_planes(d, locus, policy, b_locus_c1)
                label = d if d is not None else _slot_label(locus)
                for i, ligand in enumerate(_ORDER):
                    bit = LIGAND_BIT[ligand]
                    if slot[0] & bit and planes[0] & bit:
                        certain[i].setdefault(label)
                    elif (slot[0] | slot[1]) & bit:
                        maybe[i].setdefault(label)
    evidence = tuple(
        trusted(LigandEvidence,
            ligand=ligand,
            presence=presence_at(planes, LIGAND_BIT[ligand]),
            alleles=tuple(certain[i]) if planes[0] & LIGAND_BIT[ligand] else (),
            possible_from=tuple(k for k in maybe[i] if k not in certain[i]),
        )
        for i, ligand in enumerate(_ORDER)
    )
    return trusted(LigandProfile,
        genotype=genotype,
        ligands=evidence,
        bw4_policy=policy,
        b_locus_c1=b_locus_c1,
        release=get_reference().info.release,
        planes=planes,
    )


def ligand_profile(
    genotype: Genotype | object, *, bw4_policy: Bw4Policy | str = Bw4Policy.ALL, b_locus_c1: bool = True
) -> LigandProfile:
    """Which KIR ligands the person typed as ``genotype`` carries (see the module docstring for the logic).

    ``genotype`` may be a [`Genotype`][kirmatch.genotype.Genotype] or anything [`Genotype.coerce`][kirmatch.genotype.Genotype.coerce] reads.

    >>> p = ligand_profile({"C": ("C*07:02", "C*04:01"), "B": ("B*57:01", None)})
    >>> p.presence("C2").value, p["Bw4"].alleles
    ('present', ('B*57:01',))
    """
    return _profile(Genotype.coerce(genotype), Bw4Policy.coerce(bw4_policy), bool(b_locus_c1), environment_token())
