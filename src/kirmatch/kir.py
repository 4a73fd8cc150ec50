"""The KIR side: a donor's inhibitory KIR gene content, which KIR reads which ligand, the inhibitory KIR score and
the KIR B-content group.

The receptor of each ligand comes from the catalogue ([`kirmatch.catalogue`][kirmatch.catalogue]): C1 -> KIR2DL2/3
(KIR2DL2 or KIR2DL3, alleles of one locus), C2 -> KIR2DL1, Bw4 (80I and 80T) -> KIR3DL1, A3/A11 -> KIR3DL2.

* [`inhibitory_kir_score`][kirmatch.inhibitory_kir_score] (Boelen et al., Sci Immunol 2018;3:eaao2892): the number
  of the four inhibitory KIR genes KIR2DL1, KIR2DL2, KIR2DL3 and KIR3DL1 that a person carries together with their
  HLA ligand (2DL1 with C2, 2DL2 and 2DL3 with C1, 3DL1 with Bw4); KIR3DL2 with A3/A11 only on request. Each pair
  is ``gene and ligand`` in Kleene logic, so three-valued inputs give a range: ``minimum`` counts present pairs,
  ``maximum`` present and possible ones. The paper's methods text could not be read here: its summary says
  "Possession of an iKIR gene along with a gene encoding a KIR ligand enhanced protective and detrimental HLA class
  I associations"; the four-gene pair list, without KIR3DL2, is what independent implementations of the score use.
  Refinements they also apply (KIR2DL2 with C2 at a lower weight; HLA-A Bw4 only from `A*23`, `A*24` and `A*32`) are not
  implemented, since they could not be checked against the paper.
* [`kir_b_content`][kirmatch.kir.kir_b_content] (Cooley et al., Blood 2010;116:2411-2419): from the centromeric and
  telomeric KIR motifs (each A/A, A/B or B/B): ``Best`` = Cen-B/B; ``Better`` = two or more B motifs, not Cen-B/B;
  ``Neutral`` = zero or one B motif.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from enum import Enum
from typing import cast

from pydantic import BaseModel

from kirmatch._errors import KirTypingError, quote
from kirmatch.catalogue import PROTOCOL_LIGANDS, KirLigand
from kirmatch.presence import Presence, kleene_or
from kirmatch.profile import DEFAULT_BW4_POLICY, Bw4Policy, LigandProfile, ligand_profile

__all__ = [
    "KIR_GENES",
    "RECEPTOR_FOR",
    "KirGenotype",
    "BContentGroup",
    "KirBContent",
    "kir_b_content",
    "InhibitoryKirPair",
    "InhibitoryKirScore",
    "inhibitory_kir_score",
]

KIR_GENES: tuple[str, ...] = ("2DL1", "2DL2", "2DL3", "3DL1", "3DL2")
"""The inhibitory KIR genes whose HLA class I ligands kirmatch calls."""

RECEPTOR_FOR: dict[KirLigand, str] = {ligand: ligand.spec.receptor for ligand in KirLigand}
"""The inhibitory KIR that reads each ligand, as the catalogue names it."""

_OTHER_KIR = frozenset(
    {"2DL4", "2DL5", "2DL5A", "2DL5B", "2DS1", "2DS2", "2DS3", "2DS4", "2DS5", "3DS1", "3DL3", "2DP1", "3DP1"}
)
_GENE = re.compile(r"(?:KIR)?\s*([23]D[LSP]\d[AB]?)", re.IGNORECASE)


def _gene(text: object) -> str:
    m = _GENE.fullmatch(text.strip()) if isinstance(text, str) else None
    if m is None:
        raise KirTypingError(f"{quote(text)} is not a KIR gene name such as 'KIR2DL1' or '2DL1'", input=text)
    return m.group(1).upper()


def _motif(value: object, region: str) -> str:
    """Read a ``centromeric``/``telomeric`` motif pair (``A/A``, ``AB``, ``B/A``, ``Cen-B/B``...) as A/A, A/B or B/B."""
    text = value.strip().upper() if isinstance(value, str) else ""
    short = region[:3].upper()
    for prefix in (short + "-", short + " ", short):
        text = text.removeprefix(prefix)
    letters = text.replace("/", "").replace(" ", "")
    if len(letters) != 2 or set(letters) - {"A", "B"}:
        raise KirTypingError(f"{region} KIR motif {quote(value)} is not A/A, A/B or B/B", input=value)
    return "/".join(sorted(letters))


class BContentGroup(str, Enum):
    """Donor KIR B-content group of Cooley et al. 2010."""

    BEST = "Best"
    BETTER = "Better"
    NEUTRAL = "Neutral"

    def __str__(self) -> str:
        return self.value


class KirBContent(BaseModel, frozen=True):
    """The donor's centromeric and telomeric KIR motifs, their number of B motifs and the B-content group."""

    centromeric: str
    telomeric: str
    b_motifs: int
    group: BContentGroup

    def __str__(self) -> str:
        return f"Cen-{self.centromeric} Tel-{self.telomeric}: {self.b_motifs} B motif(s), {self.group}"


def kir_b_content(centromeric: str, telomeric: str) -> KirBContent:
    """The KIR B-content group (Cooley et al. 2010) from centromeric and telomeric motifs.

    >>> str(kir_b_content("B/B", "A/A").group), str(kir_b_content("A/B", "A/B").group)
    ('Best', 'Better')
    """
    cen = _motif(centromeric, "centromeric")
    tel = _motif(telomeric, "telomeric")
    b = cen.count("B") + tel.count("B")
    if cen == "B/B":
        group = BContentGroup.BEST
    elif b >= 2:
        group = BContentGroup.BETTER
    else:
        group = BContentGroup.NEUTRAL
    return KirBContent(centromeric=cen, telomeric=tel, b_motifs=b, group=group)


class KirGenotype(BaseModel, frozen=True):
    """A person's inhibitory KIR gene content (present / absent / possible per gene) and, optionally, the
    centromeric and telomeric motifs.

    Genes not given are ``possible`` (not typed). Build with keywords (``KirGenotype(kir2dl1=True, ...)``, values
    True/False/None or a [`Presence`][kirmatch.presence.Presence]) or
    [`from_genes`][kirmatch.kir.KirGenotype.from_genes] (the genes listed are present, the others absent).
    """

    kir2dl1: Presence = Presence.POSSIBLE
    kir2dl2: Presence = Presence.POSSIBLE
    kir2dl3: Presence = Presence.POSSIBLE
    kir3dl1: Presence = Presence.POSSIBLE
    kir3dl2: Presence = Presence.POSSIBLE
    centromeric: str | None = None
    telomeric: str | None = None

    def __init__(self, **data: object) -> None:
        fields = {}
        for key, value in data.items():
            name = key.lower()
            if name in ("centromeric", "telomeric"):
                fields[name] = None if value is None else _motif(value, name)
                continue
            if not name.startswith("kir"):
                name = "kir" + name
            if name[3:].upper() not in KIR_GENES:
                raise KirTypingError(
                    f"unknown KIR field {quote(key)}; use {', '.join('kir' + g.lower() for g in KIR_GENES)}",
                    input=key,
                )
            try:
                fields[name] = Presence.of(value)
            except ValueError as exc:
                raise KirTypingError(f"KIR{name[3:].upper()}: {exc}", input=value) from None
        super().__init__(**fields)

    @classmethod
    def from_genes(
        cls, genes: Iterable[str] | str, *, centromeric: str | None = None, telomeric: str | None = None
    ) -> KirGenotype:
        """The genes listed (``"2DL1 2DL3 3DL1 3DL2"``, ``["KIR2DL1", ...]``) present, the other four absent.

        Other KIR genes (activating, 2DL4, 2DL5, 3DL3, pseudogenes) are accepted and ignored.
        """
        if isinstance(genes, str):
            items: list[object] = list(re.split(r"[\s,;+]+", genes.strip()))
        elif isinstance(genes, Iterable) and not isinstance(genes, (bytes, Mapping)):
            items = list(cast("Iterable[object]", genes))
        else:
            shown = cast(object, genes)
            raise KirTypingError(
                f"KIR genes must be a string such as '2DL1 2DL3 3DL1 3DL2' or a list of names, got "
                f"{type(shown).__name__} {quote(shown)}",
                input=shown,
            )
        present: set[str] = set()
        for item in items:
            if isinstance(item, str) and not item.strip():
                continue
            gene = _gene(item)
            if gene in KIR_GENES:
                present.add(gene)
            elif gene not in _OTHER_KIR:
                raise KirTypingError(f"{quote(item)} is not a known KIR gene", input=item)
        values = {"kir" + g.lower(): g in present for g in KIR_GENES}
        return cls(**values, centromeric=centromeric, telomeric=telomeric)

    def gene(self, gene: str) -> Presence:
        """Presence of one gene (``"2DL1"``, ``"KIR2DL1"``); ``"2DL2/3"`` is 2DL2 or 2DL3."""
        if isinstance(gene, str) and gene.strip().upper().removeprefix("KIR") == "2DL2/3":
            return self.kir2dl2 | self.kir2dl3
        name = _gene(gene)
        if name not in KIR_GENES:
            raise KirTypingError(f"{quote(gene)} is not one of {', '.join(KIR_GENES)}", input=gene)
        presence: Presence = getattr(self, "kir" + name.lower())
        return presence

    def receptor(self, ligand: KirLigand | str) -> Presence:
        """Whether an inhibitory KIR that reads ``ligand`` is present (C1: 2DL2 or 2DL3), per the catalogue."""
        return kleene_or(*(self.gene(gene) for gene in KirLigand.coerce(ligand).spec.inhibitory))

    @property
    def b_content(self) -> KirBContent:
        """The B-content group from the motifs; KirTypingError if they were not given."""
        if self.centromeric is None or self.telomeric is None:
            raise KirTypingError("the B-content group needs both the centromeric and the telomeric KIR motif")
        return kir_b_content(self.centromeric, self.telomeric)

    def __str__(self) -> str:
        shown = {Presence.PRESENT: "+", Presence.ABSENT: "-", Presence.POSSIBLE: "?"}
        genes = " ".join(f"{g}{shown[getattr(self, 'kir' + g.lower())]}" for g in KIR_GENES)
        motifs = f" Cen-{self.centromeric} Tel-{self.telomeric}" if self.centromeric and self.telomeric else ""
        return f"KIR {genes}{motifs}"


class InhibitoryKirPair(BaseModel, frozen=True):
    """One inhibitory KIR with its ligand, and whether both are present in the person."""

    receptor: str
    ligand: KirLigand
    gene: Presence
    ligand_presence: Presence
    functional: Presence


class InhibitoryKirScore(BaseModel, frozen=True):
    """The inhibitory KIR score (Boelen et al. 2018) as a range, with its pairs and the policies used."""

    minimum: int
    maximum: int
    pairs: tuple[InhibitoryKirPair, ...]
    bw4_policy: Bw4Policy
    b_locus_c1: bool

    @property
    def exact(self) -> int | None:
        """The score when the typing decides it, else None."""
        return self.minimum if self.minimum == self.maximum else None

    def __str__(self) -> str:
        score = str(self.minimum) if self.exact is not None else f"{self.minimum}-{self.maximum}"
        pairs = ", ".join(f"{p.receptor}:{p.ligand} {p.functional}" for p in self.pairs)
        return f"iKIR score {score} ({pairs})"


def inhibitory_kir_score(
    kir: KirGenotype,
    hla: LigandProfile | object,
    *,
    bw4_policy: Bw4Policy | str = DEFAULT_BW4_POLICY,
    b_locus_c1: bool = True,
    include_kir3dl2: bool = False,
    split_kir2dl2_kir2dl3: bool = True,
) -> InhibitoryKirScore:
    """Count a person's inhibitory KIR genes whose ligand the person carries (Boelen et al. 2018).

    Pairs: KIR2DL1-C2, KIR2DL2-C1 and KIR2DL3-C1 counted apart (``split_kir2dl2_kir2dl3=False`` counts one
    KIR2DL2/3-C1 pair instead), KIR3DL1-Bw4 (per ``bw4_policy``); KIR3DL2-A3/A11 only with
    ``include_kir3dl2=True`` (kirmatch 0.1 counted it by default; the score of Boelen et al. counts four inhibitory
    KIR, see the module docstring for what could and could not be checked). ``hla`` is a
    [`LigandProfile`][kirmatch.LigandProfile] (its own policies are then used) or anything a Genotype is built
    from.
    """
    if not isinstance(kir, KirGenotype):
        raise KirTypingError(f"expected a KirGenotype, got {type(kir).__name__}", input=kir)
    profile = hla if isinstance(hla, LigandProfile) else ligand_profile(
        hla, bw4_policy=bw4_policy, b_locus_c1=b_locus_c1
    )
    ligands = PROTOCOL_LIGANDS + ((KirLigand.A3_A11,) if include_kir3dl2 else ())
    wanted: list[tuple[str, Presence, KirLigand]] = []
    for ligand in ligands:
        genes = ligand.spec.inhibitory
        if split_kir2dl2_kir2dl3 or len(genes) == 1:
            wanted += [(gene, kir.gene(gene), ligand) for gene in genes]
        else:
            wanted.append((ligand.spec.receptor, kir.receptor(ligand), ligand))
    wanted.sort(key=lambda pair: pair[0])
    pairs = tuple(
        InhibitoryKirPair(
            receptor=receptor,
            ligand=ligand,
            gene=gene,
            ligand_presence=profile.presence(ligand),
            functional=gene & profile.presence(ligand),
        )
        for receptor, gene, ligand in wanted
    )
    return InhibitoryKirScore(
        minimum=sum(p.functional is Presence.PRESENT for p in pairs),
        maximum=sum(p.functional is not Presence.ABSENT for p in pairs),
        pairs=pairs,
        bw4_policy=profile.bw4_policy,
        b_locus_c1=profile.b_locus_c1,
    )
