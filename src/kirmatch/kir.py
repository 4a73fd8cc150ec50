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
    "ALL_KIR_GENES",
    "FRAMEWORK_GENES",
    "RECEPTOR_FOR",
    "KirGenotype",
    "read_gene_value",
    "BContentGroup",
    "KirBContent",
    "kir_b_content",
    "KirBContentCall",
    "kir_b_content_from_genes",
    "InhibitoryKirPair",
    "InhibitoryKirScore",
    "inhibitory_kir_score",
]

KIR_GENES: tuple[str, ...] = ("2DL1", "2DL2", "2DL3", "3DL1", "3DL2")
"""The inhibitory KIR genes whose HLA class I ligands kirmatch calls."""

ALL_KIR_GENES: tuple[str, ...] = (
    "2DL1", "2DL2", "2DL3", "3DL1", "3DL2",
    "2DL4", "2DL5", "2DS1", "2DS2", "2DS3", "2DS4", "2DS5", "3DL3", "3DS1", "2DP1", "3DP1",
)  # fmt: skip
"""The 16 KIR genes a [`KirGenotype`][kirmatch.KirGenotype] holds: the five inhibitory ones whose ligands kirmatch
calls first, then KIR2DL4, KIR2DL5 (KIR2DL5A or KIR2DL5B), the activating KIR2DS1-5 and KIR3DS1, KIR3DL3 and the
pseudogenes KIR2DP1 and KIR3DP1."""

FRAMEWORK_GENES: tuple[str, ...] = ("3DL3", "3DP1", "2DL4", "3DL2")
"""Genes present on (nearly) every KIR haplotype: a typing that reports one absent is suspicious."""

RECEPTOR_FOR: dict[KirLigand, str] = {ligand: ligand.spec.receptor for ligand in KirLigand}
"""The inhibitory KIR that reads each ligand, as the catalogue names it."""

_SUBGENES = {"2DL5A": "2DL5", "2DL5B": "2DL5"}
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


_PRESENT_WORDS = frozenset({"POS", "POSITIVE", "PRESENT", "PRES", "YES", "Y", "TRUE", "+", "1", "1.0"})
_ABSENT_WORDS = frozenset({"NEG", "NEGATIVE", "ABSENT", "ABS", "NO", "FALSE", "-", "0", "0.0"})
_UNTYPED_WORDS = frozenset({"", "NA", "N/A", "NAN", "NONE", "?", "UNKNOWN", "POSSIBLE", "NT", "NOT TYPED", "UNTYPED"})
_TOKEN = re.compile(
    r"(?P<gene>(?:KIR)?[23]D[LSP]\d[AB]?)(?:\*(?P<allele>\d{3,7}[NQ]?))?(?:(?P<sign>[+-])|[:=](?P<value>.+))?",
    re.IGNORECASE,
)
_ALLELE_PART = re.compile(r"(?:(?:KIR)?(?P<gene>[23]D[LSP]\d[AB]?)\*)?(?P<number>\d{3,7}[NQ]?)", re.IGNORECASE)


def _field(gene: str) -> str:
    return "kir" + _SUBGENES.get(gene, gene).lower()


def _known(text: object) -> str:
    """The gene named by ``text`` (``KIR2DL1``, ``2dl5a``); a KirTypingError for a name that is no KIR gene."""
    gene = _gene(text)
    if _SUBGENES.get(gene, gene) not in ALL_KIR_GENES:
        raise KirTypingError(f"{quote(text)} is not a known KIR gene ({', '.join(ALL_KIR_GENES)})", input=text)
    return gene


def _is_nan(value: object) -> bool:
    return (isinstance(value, float) and value != value) or type(value).__name__ in ("NAType", "NaTType")


def read_gene_value(gene: str, value: object) -> tuple[Presence, tuple[str, ...]]:
    """One gene's typing as labs report it: ``POS``/``NEG``, ``+``/``-``, 1/0, True/False, a
    [`Presence`][kirmatch.Presence], allele names (``KIR2DL1*003``, DKMS-style ``003/034+004``), or nothing (``None``,
    NaN, ``""``: not typed, ``possible``). Returns the presence and the allele names (normalized)."""
    if value is None or _is_nan(value):
        return Presence.POSSIBLE, ()
    if isinstance(value, Presence):
        return value, ()
    if isinstance(value, bool):
        return (Presence.PRESENT if value else Presence.ABSENT), ()
    if isinstance(value, (int, float)) and value in (0, 1):
        return (Presence.PRESENT if value == 1 else Presence.ABSENT), ()
    if not isinstance(value, str):
        raise KirTypingError(
            f"KIR{gene}: {type(value).__name__} {quote(value)} is not a KIR typing; use POS/NEG, 1/0 or allele names",
            input=value,
        )
    text = value.strip().upper()
    if text in _UNTYPED_WORDS:
        return Presence.POSSIBLE, ()
    if text in _PRESENT_WORDS:
        return Presence.PRESENT, ()
    if text in _ABSENT_WORDS:
        return Presence.ABSENT, ()
    from kirmatch.kir_reference import resolve_kir_allele

    names: list[str] = []
    for part in filter(None, re.split(r"[\s+|/,]+", text)):
        m = _ALLELE_PART.fullmatch(part)
        if m is None:
            raise KirTypingError(f"KIR{gene}: {quote(value)} is not POS/NEG, 1/0 or KIR allele names", input=value)
        named = (m.group("gene") or gene).upper()
        if _SUBGENES.get(named, named) != _SUBGENES.get(gene, gene) and not (gene == "2DL5" and named in _SUBGENES):
            raise KirTypingError(f"KIR{gene}: {quote(part)} is an allele of KIR{named}", input=value)
        names.append(resolve_kir_allele(f"KIR{named}*{m.group('number')}").name)
    return Presence.PRESENT, tuple(dict.fromkeys(names))


class KirGenotype(BaseModel, frozen=True):
    """A person's KIR gene content (present / absent / possible for each of the 16 genes of
    [`ALL_KIR_GENES`][kirmatch.kir.ALL_KIR_GENES]), the KIR alleles typed, and optionally the centromeric and
    telomeric motifs.

    A gene not typed is ``possible``: nothing is ever assumed absent unless the typing says so. Build with keywords
    (``KirGenotype(kir2dl1=True, kir3dl1="KIR3DL1*004")``, values True/False/None, POS/NEG, 1/0, a
    [`Presence`][kirmatch.presence.Presence] or allele names), with [`from_genes`][kirmatch.kir.KirGenotype.from_genes]
    or [`coerce`][kirmatch.kir.KirGenotype.coerce]:

    * a gene-content list (``"2DL1 2DL3 3DL1 2DS4"``, ``["KIR2DL1", ...]``): the genes listed are present, every other
      gene absent, as labs list the genes they found;
    * explicit results (``"KIR2DL1+ KIR3DL1- KIR2DS1 POS"``, ``"2DL1:1 2DL2:0"``, a mapping ``{"KIR2DL1": "POS"}``, a
      pandas row of ``KIR2DL1``... columns): the genes named take their result, the others stay ``possible``;
    * allele names at any resolution of IPD-KIR (``KIR2DL1*003``, ``KIR3DL1*00401``): the gene is present and the
      alleles are kept; allele names alone leave the other genes ``possible``;
    * nothing (``""``, ``[]``, ``None``): every gene ``possible``, never "no inhibitory KIR".

    KIR2DL5A and KIR2DL5B are read as KIR2DL5 (present if either is).

    >>> str(KirGenotype.from_genes("2DL1 2DL3 3DL1 3DL2 2DL4 3DL3 3DP1 2DS4"))
    'KIR 2DL1+ 2DL2- 2DL3+ 3DL1+ 3DL2+ 2DL4+ 2DL5- 2DS1- 2DS2- 2DS3- 2DS4+ 2DS5- 3DL3+ 3DS1- 2DP1- 3DP1+'
    >>> str(KirGenotype.from_genes("KIR2DL1*003 KIR3DL1-"))
    'KIR 2DL1+ 2DL2? 2DL3? 3DL1- 3DL2? (KIR2DL1*003)'
    >>> KirGenotype.from_genes("").kir2dl1
    <Presence.POSSIBLE: 'possible'>
    """

    kir2dl1: Presence = Presence.POSSIBLE
    kir2dl2: Presence = Presence.POSSIBLE
    kir2dl3: Presence = Presence.POSSIBLE
    kir3dl1: Presence = Presence.POSSIBLE
    kir3dl2: Presence = Presence.POSSIBLE
    kir2dl4: Presence = Presence.POSSIBLE
    kir2dl5: Presence = Presence.POSSIBLE
    kir2ds1: Presence = Presence.POSSIBLE
    kir2ds2: Presence = Presence.POSSIBLE
    kir2ds3: Presence = Presence.POSSIBLE
    kir2ds4: Presence = Presence.POSSIBLE
    kir2ds5: Presence = Presence.POSSIBLE
    kir3dl3: Presence = Presence.POSSIBLE
    kir3ds1: Presence = Presence.POSSIBLE
    kir2dp1: Presence = Presence.POSSIBLE
    kir3dp1: Presence = Presence.POSSIBLE
    centromeric: str | None = None
    telomeric: str | None = None
    alleles: tuple[str, ...] = ()

    def __init__(self, **data: object) -> None:
        fields: dict[str, object] = {}
        alleles: list[str] = []
        for key, value in data.items():
            name = key.lower()
            if name in ("centromeric", "telomeric"):
                fields[name] = None if value is None or _is_nan(value) else _motif(value, name)
                continue
            if name == "alleles":
                items = [value] if isinstance(value, str) else list(cast("Iterable[object]", value or ()))
                for item in items:
                    if not isinstance(item, str):
                        raise KirTypingError(f"KIR allele {quote(item)} is not a name", input=item)
                    from kirmatch.kir_reference import resolve_kir_allele

                    alleles.append(resolve_kir_allele(item).name)
                continue
            gene = name.upper().removeprefix("KIR")
            if _SUBGENES.get(gene, gene) not in ALL_KIR_GENES:
                raise KirTypingError(
                    f"unknown KIR field {quote(key)}; use kir2dl1 ... kir3dp1 ({', '.join(ALL_KIR_GENES)})", input=key
                )
            presence, named = read_gene_value(gene, value)
            fields[_field(gene)] = presence
            alleles += named
        for allele in alleles:
            gene = allele.removeprefix("KIR").split("*", 1)[0]
            if fields.get(_field(gene), Presence.POSSIBLE) is Presence.ABSENT:
                raise KirTypingError(f"{allele} is typed but KIR{gene} is given as absent", input=allele)
            fields[_field(gene)] = Presence.PRESENT
        fields["alleles"] = tuple(sorted(set(alleles)))
        super().__init__(**fields)

    # ------------------------------------------------------------------------------------------- constructors

    @classmethod
    def from_genes(
        cls,
        genes: Iterable[str] | Mapping[str, object] | str | None,
        *,
        centromeric: str | None = None,
        telomeric: str | None = None,
    ) -> KirGenotype:
        """A KIR typing in any form labs report (see the class docstring): a gene-content list (the genes listed
        present, the others absent), explicit results (the others ``possible``), allele names, or a mapping of
        gene to result. An empty or missing typing leaves every gene ``possible``."""
        explicit: dict[str, object] = {}
        listed: dict[str, Presence] = {}
        alleles: list[str] = []
        if genes is None:
            items: list[object] = []
        elif isinstance(genes, str):
            items = list(re.split(r"[\s,;]+", genes.strip()))
        elif isinstance(genes, Mapping):
            for key, value in cast("Mapping[object, object]", genes).items():
                gene = _known(key)
                explicit[gene] = value
            return cls(**{_field(g): v for g, v in _merge_subgenes(explicit).items()},
                       centromeric=centromeric, telomeric=telomeric)
        elif isinstance(genes, Iterable) and not isinstance(genes, bytes):
            items = list(cast("Iterable[object]", genes))
        else:
            shown = cast(object, genes)
            raise KirTypingError(
                f"KIR genes must be a string such as '2DL1 2DL3 3DL1 3DL2', a list of names or a mapping, got "
                f"{type(shown).__name__} {quote(shown)}",
                input=shown,
            )
        tokens: list[str] = []
        for item in items:
            if not isinstance(item, str):
                raise KirTypingError(f"{quote(item)} is not a KIR gene name such as 'KIR2DL1'", input=item)
            # '2DL1+2DL3' lists two genes; '2DL1+' says 2DL1 is present
            tokens += [t for t in re.split(r"\+(?=\s*(?:KIR)?[23]D)", item.strip(), flags=re.IGNORECASE) if t]
        previous: str | None = None
        for token in tokens:
            word = token.strip().upper()
            if previous is not None and (word in _PRESENT_WORDS or word in _ABSENT_WORDS):
                explicit[previous] = word
                listed.pop(previous, None)
                previous = None
                continue
            m = _TOKEN.fullmatch(token.strip())
            if m is None:
                raise KirTypingError(
                    f"{quote(token)} is not a KIR gene ('2DL1', 'KIR2DL1+', 'KIR3DL1-', 'KIR2DS1 POS') or allele "
                    "('KIR2DL1*003')",
                    input=token,
                )
            gene = _known(m.group("gene"))
            previous = None
            if m.group("allele"):
                alleles.append(f"KIR{gene}*{m.group('allele')}")
                if m.group("sign") == "-":
                    raise KirTypingError(f"{quote(token)}: an allele cannot be negative", input=token)
            elif m.group("sign"):
                explicit[gene] = m.group("sign")
            elif m.group("value") is not None:
                explicit[gene] = m.group("value")
            else:
                listed[gene] = Presence.PRESENT
                previous = gene
        values: dict[str, object] = dict(explicit)
        for gene in listed:
            if gene in values and read_gene_value(gene, values[gene])[0] is Presence.ABSENT:
                raise KirTypingError(f"KIR{gene} is listed and also given as absent", input=gene)
            values.setdefault(gene, Presence.PRESENT)
        if listed and not explicit:  # a gene-content list: the genes not listed were looked for and not found
            named = set(listed) | {a[3:].split("*", 1)[0] for a in alleles}
            for gene in ALL_KIR_GENES:
                if not any(_SUBGENES.get(g, g) == gene for g in named):
                    values.setdefault(gene, Presence.ABSENT)
        return cls(
            **{_field(g): v for g, v in _merge_subgenes(values).items()},
            alleles=tuple(alleles),
            centromeric=centromeric,
            telomeric=telomeric,
        )

    @classmethod
    def coerce(cls, value: object) -> KirGenotype:
        """A KirGenotype from a KirGenotype, ``None`` (untyped: every gene possible), a string, a list of names or
        a mapping of gene to result (a pandas row of KIR columns reads as a mapping)."""
        if isinstance(value, KirGenotype):
            return value
        if value is None:
            return cls()
        if isinstance(value, (str, Mapping)) or (isinstance(value, Iterable) and not isinstance(value, bytes)):
            return cls.from_genes(cast("str | Mapping[str, object] | Iterable[str]", value))
        raise KirTypingError(
            f"cannot read a KIR typing from {type(value).__name__} {quote(value)}; give gene names, results or alleles",
            input=value,
        )

    # ------------------------------------------------------------------------------------------------ reading

    def gene(self, gene: str) -> Presence:
        """Presence of one gene (``"2DL1"``, ``"KIR2DS1"``); ``"2DL2/3"`` is 2DL2 or 2DL3; 2DL5A/B read 2DL5."""
        if isinstance(gene, str) and gene.strip().upper().removeprefix("KIR") == "2DL2/3":
            return self.kir2dl2 | self.kir2dl3
        name = _gene(gene)
        if _SUBGENES.get(name, name) not in ALL_KIR_GENES:
            raise KirTypingError(f"{quote(gene)} is not one of {', '.join(ALL_KIR_GENES)}", input=gene)
        presence: Presence = getattr(self, _field(name))
        return presence

    def receptor(self, ligand: KirLigand | str) -> Presence:
        """Whether an inhibitory KIR that reads ``ligand`` is present (C1: 2DL2 or 2DL3), per the catalogue."""
        return kleene_or(*(self.gene(gene) for gene in KirLigand.coerce(ligand).spec.inhibitory))

    def activating(self, ligand: KirLigand | str) -> Presence:
        """Whether an activating KIR that reads ``ligand`` is present (C2: KIR2DS1), per the catalogue."""
        return kleene_or(*(self.gene(gene) for gene in KirLigand.coerce(ligand).spec.activating))

    def alleles_of(self, gene: str) -> tuple[str, ...]:
        """The typed alleles of one gene."""
        name = "KIR" + _SUBGENES.get(_gene(gene), _gene(gene))
        return tuple(a for a in self.alleles if _SUBGENES.get(a[3:].split("*")[0], a[3:].split("*")[0]) == name[3:])

    @property
    def typed(self) -> bool:
        """True when at least one gene is present or absent (not every gene ``possible``)."""
        return any(getattr(self, _field(g)) is not Presence.POSSIBLE for g in ALL_KIR_GENES)

    def plausibility(self) -> tuple[str, ...]:
        """Warnings about the typing itself: a framework gene (KIR3DL3, KIR3DP1, KIR2DL4, KIR3DL2) reported absent,
        or neither KIR2DL2 nor KIR2DL3 (both absent is rare). Empty when nothing looks wrong."""
        out = [
            f"KIR{g} is reported absent, but it is a framework gene present on nearly every KIR haplotype: "
            "check the typing"
            for g in FRAMEWORK_GENES
            if self.gene(g) is Presence.ABSENT
        ]
        if self.kir2dl2 is Presence.ABSENT and self.kir2dl3 is Presence.ABSENT:
            out.append("neither KIR2DL2 nor KIR2DL3 is reported: rare, check the typing")
        return tuple(out)

    @property
    def b_content(self) -> KirBContent:
        """The B-content group from the motifs; KirTypingError if they were not given (see
        [`b_content_call`][kirmatch.kir.KirGenotype.b_content_call] for the group from gene content)."""
        if self.centromeric is None or self.telomeric is None:
            raise KirTypingError("the B-content group needs both the centromeric and the telomeric KIR motif")
        return kir_b_content(self.centromeric, self.telomeric)

    def b_content_call(self) -> KirBContentCall:
        """The B-content group, three-valued: from the motifs when both were given, else from gene content
        ([`kir_b_content_from_genes`][kirmatch.kir.kir_b_content_from_genes])."""
        if self.centromeric is not None and self.telomeric is not None:
            b = self.b_content
            return KirBContentCall(
                centromeric=(b.centromeric,), telomeric=(b.telomeric,), b_motifs=(b.b_motifs, b.b_motifs),
                groups=(b.group,), source="motifs",
            )
        return kir_b_content_from_genes(self)

    def __str__(self) -> str:
        shown = {Presence.PRESENT: "+", Presence.ABSENT: "-", Presence.POSSIBLE: "?"}
        genes = " ".join(
            f"{g}{shown[getattr(self, _field(g))]}"
            for g in ALL_KIR_GENES
            if g in KIR_GENES or getattr(self, _field(g)) is not Presence.POSSIBLE
        )
        motifs = f" Cen-{self.centromeric} Tel-{self.telomeric}" if self.centromeric and self.telomeric else ""
        alleles = f" ({', '.join(self.alleles)})" if self.alleles else ""
        return f"KIR {genes}{motifs}{alleles}"


def _merge_subgenes(values: dict[str, object]) -> dict[str, object]:
    """KIR2DL5A/KIR2DL5B results as one KIR2DL5 value: present if either is, absent only if both are."""
    subs = {g: values.pop(g) for g in list(values) if g in _SUBGENES}
    if subs and "2DL5" not in values:
        states = [read_gene_value(g, v)[0] for g, v in subs.items()]
        if Presence.PRESENT in states:
            values["2DL5"] = Presence.PRESENT
        elif len(subs) == 2 and all(s is Presence.ABSENT for s in states):
            values["2DL5"] = Presence.ABSENT
        alleles = [a for g, v in subs.items() for a in read_gene_value(g, v)[1]]
        if alleles:
            values["2DL5"] = "+".join(alleles)
    return values


class KirBContentCall(BaseModel, frozen=True):
    """The KIR B-content (Cooley et al. 2010) as far as the typing decides it: the centromeric and telomeric motifs
    that remain possible, the range of B motifs, and the groups that remain possible (one when it is decided)."""

    centromeric: tuple[str, ...]
    telomeric: tuple[str, ...]
    b_motifs: tuple[int, int]
    groups: tuple[BContentGroup, ...]
    source: str

    @property
    def group(self) -> BContentGroup | None:
        """The group when the typing decides it, else None."""
        return self.groups[0] if len(self.groups) == 1 else None

    def presence(self, group: BContentGroup | str) -> Presence:
        """Whether the donor is in ``group``: present, absent, or possible."""
        wanted = BContentGroup(group)
        if wanted not in self.groups:
            return Presence.ABSENT
        return Presence.PRESENT if len(self.groups) == 1 else Presence.POSSIBLE

    def __str__(self) -> str:
        if not self.centromeric or not self.telomeric:
            return "KIR B-content cannot be assigned from this gene content"
        cen = " or ".join(self.centromeric)
        tel = " or ".join(self.telomeric)
        low, high = self.b_motifs
        motifs = f"{low} B motif{'s' if low != 1 else ''}" if low == high else f"{low}-{high} B motifs"
        group = str(self.group) if self.group else "possibly " + " or ".join(map(str, self.groups))
        return f"Cen-{cen} Tel-{tel}: {motifs}, {group} (from {self.source})"


def _motif_options(a: Presence, b: Presence) -> tuple[str, ...]:
    """The motif pairs consistent with A-motif genes ``a`` and B-motif genes ``b`` (each three-valued)."""
    out: list[str] = []
    if a is not Presence.ABSENT and b is not Presence.PRESENT:
        out.append("A/A")
    if a is not Presence.ABSENT and b is not Presence.ABSENT:
        out.append("A/B")
    if a is not Presence.PRESENT and b is not Presence.ABSENT:
        out.append("B/B")
    return tuple(out)


def kir_b_content_from_genes(kir: KirGenotype) -> KirBContentCall:
    """The B-content group from gene content (Cooley et al., Blood 2010;116:2411-2419: "Group A and B KIR haplotypes
    have distinctive centromeric (Cen) and telomeric (Tel) gene-content motifs").

    Definitions implemented (those of the IPD-KIR and DKMS B-content calculators): centromeric A motif KIR2DL3,
    B motifs KIR2DL2/KIR2DS2 (Cen-A/A: 2DL3 and neither 2DL2 nor 2DS2; Cen-A/B: 2DL3 and 2DL2 or 2DS2; Cen-B/B:
    2DL2 or 2DS2 without 2DL3); telomeric A motifs KIR3DL1/KIR2DS4, B motifs KIR3DS1/KIR2DS1 likewise. The group:
    ``Best`` = Cen-B/B; ``Better`` = two or more B motifs, not Cen-B/B; ``Neutral`` = zero or one. Genes not typed
    leave every motif they could make possible: the call lists what remains.

    >>> str(kir_b_content_from_genes(KirGenotype.from_genes("2DL1 2DL3 3DL1 2DS4 3DL2 3DL3 2DL4 3DP1")))
    'Cen-A/A Tel-A/A: 0 B motifs, Neutral (from gene content)'
    >>> str(kir_b_content_from_genes(KirGenotype(kir2dl2=True, kir2dl3=False, kir3dl1=True)))
    'Cen-B/B Tel-A/A or A/B: 2-3 B motifs, Best (from gene content)'
    """
    cen = _motif_options(kir.kir2dl3, kir.kir2dl2 | kir.kir2ds2)
    tel = _motif_options(kir.kir3dl1 | kir.kir2ds4, kir.kir3ds1 | kir.kir2ds1)
    counts: list[int] = []
    groups: set[BContentGroup] = set()
    for c in cen:
        for t in tel:
            b = c.count("B") + t.count("B")
            counts.append(b)
            groups.add(BContentGroup.BEST if c == "B/B" else BContentGroup.BETTER if b >= 2 else BContentGroup.NEUTRAL)
    order = list(BContentGroup)
    return KirBContentCall(
        centromeric=cen,
        telomeric=tel,
        b_motifs=(min(counts), max(counts)) if counts else (0, 4),
        groups=tuple(sorted(groups, key=order.index)),
        source="gene content",
    )

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
