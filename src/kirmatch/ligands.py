"""The KIR-ligand rules: from the residues at mature positions 76-83 of one HLA class I protein to its epitope.

This module is the one place where the rules live. The table build (`kirmatch.build_hla_table`) applies them to every
IPD-IMGT/HLA protein and writes the result; at run time [`classify`][kirmatch.ligands.classify] reads what the build
wrote and sums it up over the alleles a designation can mean, as a [`LigandCall`][kirmatch.ligands.LigandCall].

Decision logic of [`call_epitope`][kirmatch.ligands.call_epitope], given the locus, the protein (first two fields) and
residues 76-83:

* Any residue the rule needs (76, 77, 80, 82, 83) missing or a gap -> unclassified, residues shown.
* HLA-C: residue 80 Asn -> ``C1`` (KIR2DL2/3 ligand), Lys -> ``C2`` (KIR2DL1 ligand); anything else at 80 ->
  unclassified. Residue 77 is recorded, and a 77/80 pair other than Ser77-Asn80 or Asn77-Lys80 is flagged
  ``noncanonical_77_80``: position 80 decides KIR2DL1 versus KIR2DL2/3 binding (Winter and Long 1997;
  Mandelboim 1996), 77 is the serological marker that usually travels with it.
* HLA-A and HLA-B: residues 82-83 Leu-Arg -> ``Bw4`` (KIR3DL1 ligand), subtype from residue 80: Ile -> ``80I``,
  Thr -> ``80T``, any other residue X -> ``80X`` (e.g. ``80N``), flagged ``bw4_80_unusual``: only Ile80
  (Cella et al., J Exp Med 1994;180:1235: "Inhibition of NK cell-mediated lysis strongly correlated with the
  presence of an Ile residue at position 80") and Thr80 (Luque et al., Eur J Immunol 1996;26:1974) have been shown
  to protect, so downstream such a Bw4 is "possible".
* HLA-A or HLA-B whose 82-83 is neither Leu-Arg nor Arg-Gly -> unclassified ("possible" downstream): the Bw4
  motif is incomplete, but Leu82 and Arg83 "contribute to NKB1 interaction but are not essential" (Gumperz et
  al., J Immunol 1997;158:5237), so KIR3DL1 binding is not ruled out.
* HLA-B with Arg82-Gly83: Val76 with Asn80 is the HLA-C C1 epitope carried by an HLA-B molecule -> ``C1``
  (flag ``b_locus_c1_literature`` for `B*46:01` and `B*73:01`; `B*46:01` is, in Hilton et al., Cell Rep 2017,
  "an exceptional HLA-B allotype that is recognized by the C1-specific natural killer (NK) cell receptor
  KIR2DL3"; ``b_locus_c1_inferred`` for other proteins with the same residues); Val76
  with Lys80, the residue that defines C2 on HLA-C, -> ``C2`` by inference only (flag ``b_locus_c2_inferred``,
  e.g. `B*35:570`, VNLRKLRG; no functional study found); otherwise -> ``Bw6``.
* HLA-A with Arg82-Gly83 carries no KIR3DL1 ligand: epitope empty (classified). Bw6 is an HLA-B epitope.
* ``bw4_weak_functional``: the `A*25` group and `B*13:01`/`B*13:02` carry Bw4 by sequence but are poor KIR3DL1 ligands
  (Stern 2008; Foley 2008). They stay ``Bw4``: policies downstream decide whether to count them.
* `HLA-A*03` and `HLA-A*11` are the KIR3DL2 ligands A3 and A11 (Hansasuta 2004), marked by allele group
  (``a3_a11_by_group``), not by residue.

Expression (`expression_flags`): N, S and C put nothing on the cell surface; L, Q and A keep their ligand
and are flagged ``low_expression``, ``questionable`` and ``aberrant_expression``.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from pydantic import BaseModel

from kirmatch._frozen_map import FrozenMap
from kirmatch.catalogue import Ligand
from kirmatch.hla_typing import mac_table_for, resolve_text
from kirmatch.mac import MacTable, MacTableSpec
from kirmatch.pools import CIWD_RELEASE, DEFAULT_READING, Ciwd, Pool, Population, Reading, category
from kirmatch.reference import AlleleRecord, Resolution

__all__ = [
    "Ligand",
    "CallStatus",
    "LigandCall",
    "classify",
    "surface_ligand",
    "summarize",
    "RULES_VERSION",
    "MATURE_START",
    "MATURE_END",
    "EpitopeCall",
    "call_epitope",
    "expression_flags",
    "B_LOCUS_C1_LITERATURE",
    "BW4_WEAK_FUNCTIONAL",
    "BW4_80_SHOWN",
]

RULES_VERSION = "2"
"""Bumped whenever a rule below changes what the table says; recorded in the table's provenance."""

MATURE_START = 76
MATURE_END = 83
"""The window of mature-protein positions the rules read (inclusive)."""

B_LOCUS_C1_LITERATURE: frozenset[str] = frozenset({"B*46:01", "B*73:01"})
BW4_80_SHOWN: frozenset[str] = frozenset({"I", "T"})
"""Residues at 80 of the Bw4 epitope shown to protect from KIR3DL1+ NK cells: Ile (Cella et al. 1994) and Thr (Luque
et al. 1996)."""
BW4_WEAK_FUNCTIONAL_PROTEINS: frozenset[str] = frozenset({"B*13:01", "B*13:02"})
BW4_WEAK_FUNCTIONAL_GROUPS: frozenset[str] = frozenset({"A*25"})
BW4_WEAK_FUNCTIONAL = BW4_WEAK_FUNCTIONAL_PROTEINS | BW4_WEAK_FUNCTIONAL_GROUPS
KIR3DL2_GROUPS: dict[str, str] = {"A*03": "A3", "A*11": "A11"}

_CANONICAL_C = {("S", "N"): "C1", ("N", "K"): "C2"}
_AMINO = frozenset("ACDEFGHIKLMNPQRSTVWY")


@dataclass(frozen=True, slots=True)
class EpitopeCall:
    """What a protein sequence carries: ``epitope`` is ``C1``, ``C2``, ``Bw4``, ``Bw6`` or ``""`` (none)."""

    classified: bool
    epitope: str = ""
    bw4_80: str = ""
    kir3dl2: str = ""
    flags: tuple[str, ...] = ()
    note: str = ""


def _at(residues: str, position: int) -> str:
    r = residues[position - MATURE_START]
    return r if r in _AMINO else ""


def call_epitope(locus: str, protein: str, residues: str) -> EpitopeCall:
    """Apply the rules to one protein. ``residues`` holds positions 76-83 (``-`` for a gap, ``?`` unknown)."""
    group = protein.split(":")[0]
    kir3dl2 = KIR3DL2_GROUPS.get(group, "") if locus == "A" else ""
    extra = ("a3_a11_by_group",) if kir3dl2 else ()
    if len(residues) != MATURE_END - MATURE_START + 1:
        return EpitopeCall(False, kir3dl2=kir3dl2, flags=extra, note="residues 76-83 not known")
    needed = (76, 77, 80, 82, 83) if locus != "A" else (80, 82, 83)
    missing = [p for p in needed if not _at(residues, p)]
    if missing:
        return EpitopeCall(
            False,
            kir3dl2=kir3dl2,
            flags=extra,
            note=f"residues 76-83 {residues}: no amino acid at {', '.join(map(str, missing))}",
        )
    r76, r77, r80, r82, r83 = (_at(residues, p) for p in (76, 77, 80, 82, 83))
    if locus == "C":
        epitope = {"N": "C1", "K": "C2"}.get(r80, "")
        if not epitope:
            return EpitopeCall(False, note=f"HLA-C residue 80 is {r80}, neither Asn (C1) nor Lys (C2)")
        flags = () if _CANONICAL_C.get((r77, r80)) else ("noncanonical_77_80",)
        return EpitopeCall(True, epitope, flags=flags, note=f"{r77}77-{r80}80")
    if (r82, r83) == ("L", "R"):
        weak = protein in BW4_WEAK_FUNCTIONAL_PROTEINS or group in BW4_WEAK_FUNCTIONAL_GROUPS
        bw4_flags = extra + (("bw4_weak_functional",) if weak else ())
        if r80 not in BW4_80_SHOWN:
            bw4_flags += ("bw4_80_unusual",)
        return EpitopeCall(True, "Bw4", bw4_80=f"80{r80}", kir3dl2=kir3dl2, flags=bw4_flags, note=f"L82-R83, {r80}80")
    if (r82, r83) != ("R", "G"):
        return EpitopeCall(
            False,
            kir3dl2=kir3dl2,
            flags=extra,
            note=f"HLA-{locus} residues 82-83 are {r82}{r83}, neither LR (Bw4) nor RG (Bw6): "
            "KIR3DL1 binding not ruled out",
        )
    if locus == "A":
        return EpitopeCall(True, "", kir3dl2=kir3dl2, flags=extra, note=f"{r82}82-{r83}83: no Bw4 motif")
    if r76 == "V" and r80 == "N":
        flag = "b_locus_c1_literature" if protein in B_LOCUS_C1_LITERATURE else "b_locus_c1_inferred"
        return EpitopeCall(True, "C1", flags=(flag,), note=f"V76, {r77}77, N80 on R82-G83")
    if r76 == "V" and r80 == "K":
        return EpitopeCall(True, "C2", flags=("b_locus_c2_inferred",), note=f"V76, {r77}77, K80 on R82-G83")
    return EpitopeCall(True, "Bw6", note=f"R82-G83, {r80}80")


def expression_flags(suffix: str) -> tuple[str, ...]:
    """Flags that the expression suffix alone implies."""
    return {"L": ("low_expression",), "Q": ("questionable",), "A": ("aberrant_expression",)}.get(suffix, ())


# ----------------------------------------------------------------------------------------------- the run-time call


class CallStatus(str, Enum):
    """How sure a [`LigandCall`][kirmatch.ligands.LigandCall] is.

    * ``determined``: every allele the designation covers puts the same ligand (or none) on the cell surface.
    * ``ambiguous``: the covered alleles disagree; ``possible_ligands`` and ``ligand_counts`` say how.
    * ``unclassified``: no covered allele could be classified from its sequence.
    * ``not expressed``: every covered allele is null, secreted or cytoplasmic: no ligand.
    """

    DETERMINED = "determined"
    AMBIGUOUS = "ambiguous"
    UNCLASSIFIED = "unclassified"
    NOT_EXPRESSED = "not expressed"

    def __str__(self) -> str:
        return self.value


_LIGAND_ORDER = {ligand: i for i, ligand in enumerate(Ligand)}
_SHOWN = 10


def surface_ligand(record: AlleleRecord) -> Ligand | None:
    """The ligand one IPD allele puts on the cell surface; ``None`` when its sequence could not be classified."""
    if not record.expressed:
        return Ligand.NONE
    if not record.classified:
        return None
    return Ligand(record.epitope) if record.epitope else Ligand.NONE


def _only(values: Iterable[str]) -> str | None:
    distinct = set(values)
    return distinct.pop() if len(distinct) == 1 else None


class LigandCall(BaseModel, frozen=True):
    """Which KIR ligand an HLA designation carries, over every IPD-IMGT/HLA allele it can mean.

    ``flags`` lists every flag found on a covered allele and ``flag_counts`` on how many (a flag on all of them has the
    count ``n_alleles``). ``ligand`` is set only when all covered alleles agree (``status == "determined"`` or ``"not
    expressed"``); otherwise ``possible_ligands`` and ``ligand_counts`` (with an ``unclassified`` count where sequences
    could not be classified) show the spread. Non-expressed alleles that merely share the fields of a name written
    without a suffix are listed in ``excluded_alleles``, not counted.
    """

    query: str
    normalized: str
    locus: str
    status: CallStatus
    ligand: Ligand | None
    possible_ligands: tuple[Ligand, ...]
    ligand_counts: FrozenMap[str, int]
    bw4_80: str | None
    possible_bw4_80: tuple[str, ...]
    kir3dl2: str | None
    expressed: bool | None
    residues_76_83: str | None
    flags: tuple[str, ...]
    flag_counts: FrozenMap[str, int]
    n_alleles: int
    alleles: tuple[str, ...]
    n_excluded: int
    excluded_alleles: tuple[str, ...]
    support: FrozenMap[str, Ciwd]
    support_detail: FrozenMap[str, str]
    n_set_aside: int
    set_aside_alleles: tuple[str, ...]
    pool: Pool
    population: Population
    note: str
    release: str

    @property
    def determined(self) -> bool:
        """True when the ligand is known for certain (``determined`` or ``not expressed``)."""
        return self.ligand is not None

    def __str__(self) -> str:
        return self.explain()

    def explain(self) -> str:
        """A short paragraph saying what was called and why."""
        covered = f"{self.n_alleles} IPD-IMGT/HLA {self.release} allele{'s' if self.n_alleles != 1 else ''}"
        if self.status is CallStatus.DETERMINED:
            detail = f" ({self.bw4_80})" if self.bw4_80 else ""
            residues = f", residues 76-83 {self.residues_76_83}" if self.residues_76_83 else ""
            head = f"{self.normalized}: {self.ligand}{detail}, determined over {covered}{residues}."
        elif self.status is CallStatus.NOT_EXPRESSED:
            head = f"{self.normalized}: no ligand; {covered}, none expressed on the cell surface."
        elif self.status is CallStatus.UNCLASSIFIED:
            head = f"{self.normalized}: unclassified; the sequence of its {covered} does not decide the ligand."
        else:
            spread = ", ".join(f"{k} {v}" for k, v in self.ligand_counts.items())
            head = f"{self.normalized}: ambiguous over {covered} ({spread}); possible: " + ", ".join(
                map(str, self.possible_ligands)
            ) + "."
            backing = [
                f"{ligand} among common alleles"
                if best is Ciwd.COMMON
                else f"{ligand} only through {self.support_detail[ligand]}"
                for ligand, best in self.support.items()
            ]
            if backing:
                head += f" By {CIWD_RELEASE} ({self.population}): {'; '.join(backing)}."
        parts = [head]
        if self.flags:
            every = [f for f in self.flags if self.flag_counts.get(f) == self.n_alleles]
            some = [f"{f} ({self.flag_counts[f]} of {self.n_alleles})" for f in self.flags if f not in every]
            if every:
                parts.append(f"Flags: {', '.join(every)}.")
            if some:
                parts.append(f"Flagged on some covered alleles: {', '.join(some)}.")
        if self.n_excluded:
            shown = ", ".join(self.excluded_alleles[:3])
            more = f" and {self.n_excluded - 3} more" if self.n_excluded > 3 else ""
            parts.append(
                f"Not counted: {self.n_excluded} null or questionable allele{'s' if self.n_excluded != 1 else ''} "
                f"sharing these fields ({shown}{more}); name one to mean it."
            )
        if self.n_set_aside:
            shown = ", ".join(self.set_aside_alleles[:3])
            more = f" and {self.n_set_aside - 3} more" if self.n_set_aside > 3 else ""
            parts.append(
                f"Set aside by the {self.pool} pool: {self.n_set_aside} allele{'s' if self.n_set_aside != 1 else ''} "
                f"({shown}{more})."
            )
        if self.note:
            parts.append(self.note if self.note.endswith(".") else self.note + ".")
        return " ".join(parts)


def _status(
    candidates: tuple[AlleleRecord, ...], counts: Counter[str], known: list[Ligand]
) -> tuple[CallStatus, Ligand | None]:
    """The call's status and its ligand (set only when every candidate agrees)."""
    if all(not r.expressed for r in candidates):
        return CallStatus.NOT_EXPRESSED, Ligand.NONE
    if len(counts) == 1 and "unclassified" in counts:
        return CallStatus.UNCLASSIFIED, None
    if len(counts) == 1:
        return CallStatus.DETERMINED, known[0]
    return CallStatus.AMBIGUOUS, None


def _count_order(item: tuple[str, int]) -> int:
    """Ligands in catalogue order, ``unclassified`` last."""
    return _LIGAND_ORDER[Ligand(item[0])] if item[0] != "unclassified" else len(_LIGAND_ORDER)


def _support(
    candidates: tuple[AlleleRecord, ...], ligands: list[Ligand | None], population: Population
) -> tuple[FrozenMap[str, Ciwd], FrozenMap[str, str]]:
    """Per ligand the candidates may carry: the best CIWD category among them, and, when that is not common, which
    proteins carry it (``C*07:07 (intermediate), C*07:09 (well-documented)``)."""
    best: dict[str, Ciwd] = {}
    proteins: dict[str, dict[str, Ciwd]] = {}
    for record, ligand in zip(candidates, ligands, strict=True):
        if ligand is None:
            continue
        found = category(record, population)
        key = ligand.value
        if key not in best or found.rank > best[key].rank:
            best[key] = found
        known = proteins.setdefault(key, {})
        name = record.protein + ("" if record.expressed else record.expression)
        if name not in known or found.rank > known[name].rank:
            known[name] = found
    order = sorted(best, key=lambda k: _LIGAND_ORDER[Ligand(k)])
    detail: dict[str, str] = {}
    for key in order:
        if best[key] is Ciwd.COMMON:
            continue
        ranked = sorted(proteins[key].items(), key=lambda kv: (-kv[1].rank, kv[0]))
        shown = ", ".join(f"{name} ({cat})" for name, cat in ranked[:3])
        detail[key] = shown + (f" and {len(ranked) - 3} more" if len(ranked) > 3 else "")
    return FrozenMap((k, best[k]) for k in order), FrozenMap(detail)


def summarize(query: str, resolution: Resolution, release: str, reading: Reading = DEFAULT_READING) -> LigandCall:
    """Sum up the calls of the candidate alleles of one designation into a [`LigandCall`][kirmatch.LigandCall]."""
    candidates = resolution.candidates
    ligands = [surface_ligand(r) for r in candidates]
    counts = Counter("unclassified" if lig is None else lig.value for lig in ligands)
    known = sorted({lig for lig in ligands if lig is not None}, key=_LIGAND_ORDER.__getitem__)
    status, ligand = _status(candidates, counts, known)
    bw4 = sorted({r.bw4_80 for r in candidates if r.expressed and r.bw4_80})
    flag_counts = Counter(f for r in candidates for f in r.flags)
    flags = sorted(flag_counts)
    expressed = {r.expressed for r in candidates}
    support, detail = _support(candidates, ligands, reading.population)
    return LigandCall(
        query=query,
        normalized=resolution.normalized,
        locus=_only(r.locus for r in candidates) or "",
        status=status,
        ligand=ligand,
        possible_ligands=tuple(known),
        ligand_counts=FrozenMap(sorted(counts.items(), key=_count_order)),
        bw4_80=bw4[0] if ligand is Ligand.BW4 and len(bw4) == 1 else None,
        possible_bw4_80=tuple(bw4),
        kir3dl2=_only(r.kir3dl2 for r in candidates if r.expressed) or None,
        expressed=next(iter(expressed)) if len(expressed) == 1 else None,
        residues_76_83=_only(r.residues_76_83 for r in candidates) or None,
        flags=tuple(flags),
        flag_counts=FrozenMap((f, flag_counts[f]) for f in flags),
        n_alleles=len(candidates),
        alleles=tuple(r.allele for r in candidates[:_SHOWN]),
        n_excluded=len(resolution.excluded),
        excluded_alleles=tuple(r.allele for r in resolution.excluded[:_SHOWN]),
        support=support,
        support_detail=detail,
        n_set_aside=len(resolution.pooled_out),
        set_aside_alleles=tuple(r.allele for r in resolution.pooled_out[:_SHOWN]),
        pool=reading.pool,
        population=reading.population,
        note=resolution.note,
        release=release,
    )


@functools.lru_cache(maxsize=65536)
def _classify_text(text: str, table: MacTable | None, reading: Reading) -> LigandCall:
    resolution, release = resolve_text(text, mac_table=table, reading=reading)
    return summarize(text, resolution, release, reading)


def classify(
    name: str,
    *,
    mac_table: MacTableSpec = None,
    pool: Pool | str = Pool.ALL,
    population: Population | str = Population.TOTAL,
    count_group_nulls: bool = False,
) -> LigandCall:
    """Which KIR ligand the HLA-A, -B or -C designation ``name`` carries, as a
    [`LigandCall`][kirmatch.ligands.LigandCall].

    Accepts every single-locus form [`kirmatch.parse_typing`][kirmatch.hla_typing.parse_typing] reads: IPD names of 1-4
    fields with or without ``HLA-``, any case, surrounding blanks and an expression suffix; pre-2010 names; XX and NMDP
    codes (NMDP codes with ``mac_table=`` or ``$KIRMATCH_MAC_FILE``); G and P groups; serology; allele lists. The call
    is summed over all the alleles the designation can mean: with ``pool="cwd"`` or ``"common"`` (and a
    ``population``) only the CIWD 3.0.0 alleles of that pool among those a low-resolution designation stands for;
    a G group's null and questionable members only with ``count_group_nulls=True`` ([`kirmatch.pools`][kirmatch.pools]).
    ``support`` says, per possible ligand, the best CIWD category among the alleles that carry it. Raises
    [`AlleleNameError`][kirmatch._errors.AlleleNameError] for malformed text and
    [`UnknownAlleleError`][kirmatch._errors.UnknownAlleleError] (with the closest known names, or IPD's replacement for
    a deleted allele) for a well-formed designation absent from the release.

    >>> classify("C*07:02").ligand
    <Ligand.C1: 'C1'>
    >>> classify("B*57:01").bw4_80
    '80I'
    >>> classify("C*04:09N").status
    <CallStatus.NOT_EXPRESSED: 'not expressed'>
    >>> classify("Cw*0702").normalized
    'C*07:02'
    >>> classify("C*07", pool="common").ligand, classify("B*57:01:01G").ligand
    (<Ligand.C1: 'C1'>, <Ligand.BW4: 'Bw4'>)
    """
    table = mac_table_for(name, mac_table)
    return _classify_text(name, table, Reading.of(pool, population, count_group_nulls))
