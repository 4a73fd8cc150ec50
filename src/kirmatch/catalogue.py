"""The one catalogue of ligands: what an allele carries ([`Ligand`][kirmatch.Ligand]) and the KIR ligands a
person is profiled and matched on ([`KirLigand`][kirmatch.KirLigand]), each with its loci, receptors and role.

Everything else reads this file: the per-allele contribution of [`kirmatch.profile`][kirmatch.profile], the
bit planes of profiles and frames, the receptors of [`kirmatch.kir`][kirmatch.kir] and of the mismatch findings,
the protocol verdict, the frame column names. Adding a ligand is one entry in [`KirLigand`][kirmatch.KirLigand]
(a name and a [`LigandSpec`][kirmatch.LigandSpec]); its bit is its position.

The entries:

* ``C1`` (HLA-C Asn80; HLA-B C1 of `B*46:01`, `B*73:01` and relatives): inhibitory KIR2DL2 and KIR2DL3.
* ``C2`` (HLA-C Lys80; HLA-B with Val76-Lys80 on Arg82-Gly83, by inference only): inhibitory KIR2DL1; activating
  KIR2DS1.
* ``Bw4`` (HLA-A and -B Leu82-Arg83) and its subtypes ``Bw4-80I`` and ``Bw4-80T``: inhibitory KIR3DL1.
* ``A3/A11`` (`HLA-A*03` and `A*11`, by allele group): inhibitory KIR3DL2.

The protocol ligands, whose absence in the recipient makes a donor KIR-ligand incompatible (Ruggeri et al. 2002),
are C1, C2 and Bw4.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from kirmatch._errors import ErrorCode, choice

__all__ = [
    "Ligand",
    "LigandSpec",
    "KirLigand",
    "PROTOCOL_LIGANDS",
    "ALL_LIGANDS",
    "PROTOCOL_MASK",
    "LIGAND_BIT",
]


class Ligand(str, Enum):
    """What an allele puts on the cell surface for KIR: an epitope, or ``none`` (null allele, HLA-A without Bw4).

    The values are those of the reference table's ``ligand`` column. ``Bw6`` is an epitope but no KIR ligand.
    """

    C1 = "C1"
    C2 = "C2"
    BW4 = "Bw4"
    BW6 = "Bw6"
    NONE = "none"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class LigandSpec:
    """One catalogue entry: which alleles carry the ligand and which receptors read it.

    * ``loci``: the loci whose alleles can carry it (``C1``: HLA-C, and HLA-B unless ``b_locus_c1=False``).
    * ``epitope``: the table ligand an allele must carry; ``bw4_80``, when set, also its residue-80 subtype.
    * ``by_group``: carried by allele group (the table's ``kir3dl2`` column), not by residues; such a ligand stays
      certain when an allele's residues could not be classified.
    * ``inhibitory``: the inhibitory KIR genes that read it; ``receptor`` is how they are named together.
    * ``activating``: activating KIR genes that read it (shown as findings, never in the protocol verdict).
    * ``protocol``: counted in the protocol's GvH verdict.
    * ``bw4_family``: subject to the Bw4 policy; ``uncertain_flags``: table flags that make it "possible" only.
    """

    loci: tuple[str, ...]
    epitope: Ligand | None
    inhibitory: tuple[str, ...]
    receptor: str
    activating: tuple[str, ...] = ()
    protocol: bool = False
    bw4_80: str = ""
    by_group: bool = False
    bw4_family: bool = False
    uncertain_flags: tuple[str, ...] = ()
    description: str = ""


class KirLigand(str, Enum):
    """The KIR ligands of a profile, in catalogue order.

    Each member's ``spec`` is its [`LigandSpec`][kirmatch.LigandSpec].
    """

    _value_: str
    _spec: LigandSpec

    def __new__(cls, value: str, spec: LigandSpec) -> KirLigand:
        member = str.__new__(cls, value)
        member._value_ = value
        member._spec = spec
        return member

    C1 = (
        "C1",
        LigandSpec(
            loci=("C", "B"),
            epitope=Ligand.C1,
            inhibitory=("KIR2DL2", "KIR2DL3"),
            receptor="KIR2DL2/3",
            protocol=True,
            uncertain_flags=("b_locus_c1_inferred",),
            description="HLA-C group 1 (Ser77-Asn80), and HLA-B alleles with the same epitope",
        ),
    )
    C2 = (
        "C2",
        LigandSpec(
            loci=("C", "B"),
            epitope=Ligand.C2,
            inhibitory=("KIR2DL1",),
            receptor="KIR2DL1",
            activating=("KIR2DS1",),
            protocol=True,
            uncertain_flags=("b_locus_c2_inferred",),
            description="HLA-C group 2 (Asn77-Lys80), and HLA-B alleles with the same residues (by inference only)",
        ),
    )
    BW4 = (
        "Bw4",
        LigandSpec(
            loci=("A", "B"),
            epitope=Ligand.BW4,
            inhibitory=("KIR3DL1",),
            receptor="KIR3DL1",
            protocol=True,
            bw4_family=True,
            uncertain_flags=("bw4_80_unusual",),
            description="the Bw4 epitope (Leu82-Arg83) of HLA-A and HLA-B",
        ),
    )
    BW4_80I = (
        "Bw4-80I",
        LigandSpec(
            loci=("A", "B"),
            epitope=Ligand.BW4,
            bw4_80="80I",
            inhibitory=("KIR3DL1",),
            receptor="KIR3DL1",
            bw4_family=True,
            description="Bw4 with Ile80",
        ),
    )
    BW4_80T = (
        "Bw4-80T",
        LigandSpec(
            loci=("A", "B"),
            epitope=Ligand.BW4,
            bw4_80="80T",
            inhibitory=("KIR3DL1",),
            receptor="KIR3DL1",
            bw4_family=True,
            description="Bw4 with Thr80",
        ),
    )
    A3_A11 = (
        "A3/A11",
        LigandSpec(
            loci=("A",),
            epitope=None,
            by_group=True,
            inhibitory=("KIR3DL2",),
            receptor="KIR3DL2",
            description="HLA-A*03 and HLA-A*11 (KIR3DL2 ligands, by allele group)",
        ),
    )

    @property
    def spec(self) -> LigandSpec:
        """The catalogue entry of this ligand."""
        return self._spec

    @property
    def bit(self) -> int:
        """The ligand's bit in the bit planes of [`kirmatch.presence`][kirmatch.presence]: its catalogue position."""
        return _BIT[self]

    @property
    def column(self) -> str:
        """The ligand's suffix in frame column names (``Bw4-80I`` -> ``Bw4_80I``, ``A3/A11`` -> ``A3_A11``)."""
        return self._value_.replace("/", "_").replace("-", "_")

    def __str__(self) -> str:
        return self._value_

    @classmethod
    def coerce(cls, value: object) -> KirLigand:
        """A KirLigand from a member or its name (``"C2"``); a ProtocolValueError (``unknown_ligand``) otherwise."""
        return choice(cls, value, "KIR ligand", ErrorCode.UNKNOWN_LIGAND)



_BIT: dict[KirLigand, int] = {ligand: 1 << i for i, ligand in enumerate(KirLigand)}

LIGAND_BIT: dict[KirLigand, int] = dict(_BIT)
"""Bit of each ligand in the bit planes of [`kirmatch.presence`][kirmatch.presence] (C1 = 1, C2 = 2, Bw4 = 4, ...)."""

ALL_LIGANDS: int = (1 << len(_BIT)) - 1
"""Every ligand's bit."""

PROTOCOL_LIGANDS: tuple[KirLigand, ...] = tuple(ligand for ligand in KirLigand if ligand.spec.protocol)
"""The ligands whose absence in the recipient makes a donor KIR-ligand incompatible (Ruggeri et al. 2002)."""

PROTOCOL_MASK: int = sum(ligand.bit for ligand in PROTOCOL_LIGANDS)
"""The protocol ligands' bits."""
