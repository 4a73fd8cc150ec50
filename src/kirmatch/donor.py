"""One assessment per family donor under the NK-cell protocol: is this relative an eligible donor, and why.

The protocol (NCT06885476) selects a haploidentical relative who is KIR-ligand mismatched in the graft-versus-host
(GvH) direction, whose alloreactive NK repertoire sets the functional dose, and whose product holds at least
10 x 10^6 NK cells/kg. [`assess_donor`][kirmatch.assess_donor] puts these together.

Decision logic (every part three-valued; ``eligible`` is their Kleene "and", so it is ``present`` only when each
criterion holds for certain, ``absent`` when one certainly fails, otherwise ``possible``):

1. **Haploidentity**: [`haplo_match`][kirmatch.haplo_match] (A, B, C, and DRB1/DQB1 when given).
2. **GvH KIR-ligand mismatch**: [`kir_ligand_mismatch`][kirmatch.kir_ligand_mismatch] under the chosen model
   (default ligand-ligand, the protocol's definition); its verdict is reported unchanged. Activating KIR never enter
   it.
3. **Alloreactive subsets** (only when the donor's KIR typing is given): each subset of the mismatch result exists
   only if the donor carries an inhibitory KIR for every ligand of the subset (a donor without KIR2DL1 has no
   KIR2DL1+ alloreactive cells); an inhibitory gene whose typed alleles are all null (``N``) counts as possibly
   absent. At least one subset must exist. Without the donor's KIR typing this criterion is not assessed (the
   ligand-ligand model does not read it) and the explanation says so.
4. **Product** (only when ``nk_cells`` and ``weight_kg`` are given):
   [`reaches_purification_threshold`][kirmatch.reaches_purification_threshold] (10 x 10^6 NK cells/kg); with
   ``alloreactive_fraction`` also the alloreactive NK dose per kg (reported, not a criterion: the protocol sets no
   threshold on it that kirmatch could verify).

Findings that never change ``eligible``: activating KIR (KIR2DS1, whose ligand is C2, and KIR3DS1), the KIR B-content
group, the function of typed KIR alleles (KIR2DL1 Arg/Cys245, KIR3DL1 expression group, KIR2DS4 deletion), and
warnings on the plausibility of the KIR typing.

Sources of the findings: Venstrom et al., N Engl J Med 2012;367:805 ("The activating killer-cell
immunoglobulin-like receptor (KIR) 2DS1 has ligand specificity for HLA-C2 antigens"); Mancusi et al., Blood
2015;125:3173 (in haploidentical transplants with donor-versus-recipient NK alloreactivity, "transplantation from
donors with KIR2DS1 and/or KIR3DS1 was associated with reduced risk of nonrelapse mortality"); Cooley et al., Blood
2010;116:2411 (B-content); Bari et al., J Clin Oncol 2013;31:3782 ("functionally stronger KIR2DL1 allele with
arginine at amino acid position 245 (KIR2DL1-R245)" against "the functionally weaker KIR2DL1 allele with cysteine");
Taner et al., J Immunol 2011;186:62 (KIR3DL1*004 "largely misfolded but stably retained in the endoplasmic
reticulum"); Middleton et al., Hum Immunol 2007;68:128 (the KIR2DS4 22-bp deletion variant "is not anchored to the
cell membrane").

``pool``, ``population`` and ``count_group_nulls`` read low-resolution typings and G groups as in
[`kirmatch.pools`][kirmatch.pools]; they apply to the KIR-ligand half (haploidentity compares the typings as written).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import cast

from pydantic import BaseModel

from kirmatch._errors import KirmatchError, with_context
from kirmatch.catalogue import KirLigand
from kirmatch.haplo import HaploMatch, haplo_match, split_sides
from kirmatch.kir import BContentGroup, KirBContentCall, KirGenotype
from kirmatch.mismatch import AlloreactiveSubset, KirLigandMismatch, kir_ligand_mismatch
from kirmatch.models import LIGAND_LIGAND, MatchModel
from kirmatch.pools import Pool, Population
from kirmatch.presence import Presence, kleene_and, kleene_or
from kirmatch.profile import DEFAULT_BW4_POLICY, Bw4Policy
from kirmatch.protocol import (
    NK_PURIFICATION_THRESHOLD_PER_KG,
    alloreactive_nk_dose_per_kg,
    nk_dose_per_kg,
    reaches_purification_threshold,
)

__all__ = ["DonorSubset", "DonorAssessment", "assess_donor", "RankedDonor", "rank_family_donors"]

_P, _A, _Q = Presence.PRESENT, Presence.ABSENT, Presence.POSSIBLE
_WORD = {_P: "yes", _A: "no", _Q: "possible"}


class DonorSubset(BaseModel, frozen=True):
    """An alloreactive NK subset of the mismatch result, and whether the donor's KIR typing lets it exist."""

    subset: AlloreactiveSubset
    donor_receptors: Presence
    presence: Presence

    def __str__(self) -> str:
        return f"{self.subset.receptor}+ ({self.presence})"


class DonorAssessment(BaseModel, frozen=True):
    """One family donor under the protocol: haploidentity, KIR-ligand mismatch, alloreactive subsets the donor's KIR
    allow, the product's NK numbers, findings, and ``eligible`` (three-valued) with one reason per criterion."""

    haplo: HaploMatch
    mismatch: KirLigandMismatch
    donor_kir: KirGenotype | None
    subsets: tuple[DonorSubset, ...]
    nk_dose_per_kg: float | None
    reaches_threshold: bool | None
    alloreactive_dose_per_kg: float | None
    eligible: Presence
    reasons: tuple[str, ...]
    findings: tuple[str, ...]
    b_content: KirBContentCall | None

    @property
    def gvh(self) -> Presence:
        """The GvH KIR-ligand mismatch of the protocol ligands (C1, C2, Bw4)."""
        return self.mismatch.gvh_incompatible

    def gvh_ligand(self, ligand: KirLigand | str) -> Presence:
        """GvH mismatch for one ligand."""
        return self.mismatch.gvh(ligand)

    def verdict(self) -> str:
        """One line: eligible / not eligible / possibly eligible."""
        return {
            _P: "Eligible donor under the protocol",
            _A: "Not an eligible donor under the protocol",
            _Q: "Possibly an eligible donor: the typing does not decide",
        }[self.eligible]

    def explain(self) -> str:
        """The verdict, the reason for each criterion, then the findings, one per line."""
        lines = [self.verdict() + "."]
        lines += [f"- {r}" for r in self.reasons]
        lines += [f"* {f}" for f in self.findings]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.explain()


def _receptor(kir: KirGenotype, ligand: KirLigand) -> Presence:
    """The donor's inhibitory receptor for ``ligand``: its gene, less certain when all typed alleles are null."""
    out: list[Presence] = []
    from kirmatch.kir_reference import resolve_kir_allele

    for gene in ligand.spec.inhibitory:
        presence = kir.gene(gene)
        typed = kir.alleles_of(gene)
        if presence is _P and typed and all(resolve_kir_allele(a).expressed == "false" for a in typed):
            presence = _Q
        out.append(presence)
    return kleene_or(*out)


def _allele_findings(kir: KirGenotype) -> list[str]:
    from kirmatch.kir_reference import resolve_kir_allele

    out: list[str] = []
    for allele in kir.alleles:
        call = resolve_kir_allele(allele)
        if call.expressed == "false" and call.gene != "KIR2DS4":
            out.append(f"{allele} is a null allele: it puts no {call.gene} on the cell surface.")
        if call.gene == "KIR2DL1" and call.residue_245:
            strength = {"R": "stronger (Arg245)", "C": "weaker (Cys245)"}.get(call.residue_245)
            if strength:
                out.append(f"{allele} is a functionally {strength} KIR2DL1 allele (Bari et al. 2013).")
        if call.gene == "KIR2DS4" and call.kir2ds4_deletion == "true":
            out.append(f"{allele} carries the 22-bp deletion: a soluble KIR2DS4, not on the cell membrane "
                       "(Middleton et al. 2007).")
        if call.gene == "KIR3DL1" and call.kir3dl1_expression == "retained":
            out.append(f"{allele} is mostly retained inside the cell; little reaches the surface (Taner et al. 2011).")
        if call.gene == "KIR3DL1" and call.kir3dl1_expression == "high":
            out.append(f"{allele} is abundant on the NK cell surface (Taner et al. 2011).")
    return out


def assess_donor(
    patient: object,
    donor: object,
    *,
    donor_kir: KirGenotype | object | None = None,
    nk_cells: float | None = None,
    weight_kg: float | None = None,
    alloreactive_fraction: float | None = None,
    model: MatchModel | str = LIGAND_LIGAND,
    bw4_policy: Bw4Policy | str = DEFAULT_BW4_POLICY,
    b_locus_c1: bool = True,
    pool: Pool | str = Pool.ALL,
    population: Population | str = Population.TOTAL,
    count_group_nulls: bool = False,
) -> DonorAssessment:
    """Is ``donor`` an eligible donor for ``patient`` under the protocol, and why (see the module docstring).

    ``patient`` and ``donor`` are anything [`haplo_match`][kirmatch.haplo_match] reads (a GL string, possibly with
    DRB1/DQB1 and ``~`` phase, a mapping, a [`Genotype`][kirmatch.Genotype]); ``donor_kir`` anything
    [`KirGenotype.coerce`][kirmatch.kir.KirGenotype.coerce] reads; ``weight_kg`` is the patient's weight.

    >>> patient = "A*01:01+A*03:01^B*08:01+B*07:02^C*07:01+C*07:02"
    >>> mother = "A*01:01+A*24:02^B*08:01+B*44:02^C*07:01+C*05:01"
    >>> a = assess_donor(patient, mother)
    >>> a.eligible.value, a.haplo.haploidentical.value, a.gvh.value
    ('present', 'present', 'present')
    >>> assess_donor(patient, mother, donor_kir="2DL3 3DL2 3DL3 2DL4 3DP1").eligible.value  # no KIR2DL1, no KIR3DL1
    'absent'
    """
    (donor_hla, _), (recipient_hla, _) = split_sides(donor, patient, ("donor", "patient"))
    kir = KirGenotype.coerce(donor_kir) if donor_kir is not None else None
    haplo = haplo_match(donor, patient)
    mismatch = kir_ligand_mismatch(
        donor_hla,
        recipient_hla,
        model=model,
        bw4_policy=bw4_policy,
        b_locus_c1=b_locus_c1,
        donor_kir=kir,
        pool=pool,
        population=population,
        count_group_nulls=count_group_nulls,
    )
    reasons: list[str] = [f"Haploidentity: {haplo.verdict()}."]
    criteria = [haplo.haploidentical, mismatch.gvh_incompatible]
    reasons.append(f"KIR-ligand: {mismatch.verdict()}.")

    subsets: list[DonorSubset] = []
    if kir is not None:
        for subset in mismatch.alloreactive_nk:
            receptors = kleene_and(*(_receptor(kir, ligand) for ligand in subset.ligands))
            subsets.append(DonorSubset(subset=subset, donor_receptors=receptors, presence=subset.presence & receptors))
        exists = kleene_or(*(s.presence for s in subsets))
        criteria.append(exists)
        if not subsets:
            reasons.append("Alloreactive NK subsets: none, since no protocol ligand is missing in the patient.")
        else:
            sure = [s.subset.receptor + "+" for s in subsets if s.presence is _P]
            maybe = [s.subset.receptor + "+" for s in subsets if s.presence is _Q]
            lacking = [s.subset.receptor for s in subsets if s.donor_receptors is _A]
            text = f"Alloreactive NK subsets given the donor's KIR ({kir}): "
            text += ", ".join(sure) if sure else "none for certain"
            if maybe:
                text += f"; possibly {', '.join(maybe)}"
            if lacking:
                text += f"; the donor lacks the receptors of {', '.join(lacking)}"
            reasons.append(text + ".")
    else:
        reasons.append(
            "Alloreactive NK subsets: not assessed (no donor KIR typing); the subsets named assume the donor carries "
            "their inhibitory KIR genes."
        )

    dose = threshold = allo_dose = None
    if nk_cells is not None and weight_kg is not None:
        dose = nk_dose_per_kg(nk_cells, weight_kg)
        threshold = reaches_purification_threshold(nk_cells, weight_kg)
        criteria.append(_P if threshold else _A)
        reasons.append(
            f"Product: {dose / 1e6:.2f} x 10^6 NK cells/kg, "
            f"{'at or above' if threshold else 'below'} the {NK_PURIFICATION_THRESHOLD_PER_KG / 1e6:g} x 10^6/kg "
            "purification threshold."
        )
        if alloreactive_fraction is not None:
            allo_dose = alloreactive_nk_dose_per_kg(nk_cells, weight_kg, alloreactive_fraction)
            reasons.append(f"Alloreactive NK dose: {allo_dose / 1e6:.2f} x 10^6 cells/kg.")
    else:
        reasons.append("Product: not assessed (give the NK cell count and the patient's weight).")

    findings: list[str] = []
    b_content: KirBContentCall | None = None
    if kir is not None:
        c2 = mismatch[KirLigand.C2].recipient
        if kir.kir2ds1 is not _A:
            carries = "carries" if kir.kir2ds1 is _P else "may carry"
            patient_c2 = {_P: "carries", _A: "lacks", _Q: "may carry"}[c2]
            findings.append(
                f"The donor {carries} the activating KIR2DS1, whose ligand C2 the patient {patient_c2} "
                "(Venstrom et al. 2012); a finding, not part of the GvH verdict."
            )
        if kir.kir3ds1 is not _A:
            carries = "carries" if kir.kir3ds1 is _P else "may carry"
            findings.append(f"The donor {carries} the activating KIR3DS1.")
        if (kir.kir2ds1 is not _A or kir.kir3ds1 is not _A) and mismatch.gvh_incompatible is not _A:
            findings.append(
                "With donor-versus-recipient NK alloreactivity, donors with KIR2DS1 and/or KIR3DS1 had less "
                "non-relapse mortality in haploidentical transplants (Mancusi et al. 2015)."
            )
        b_content = kir.b_content_call()
        findings.append(f"KIR B-content: {b_content} (Cooley et al. 2010).")
        findings += _allele_findings(kir)
        findings += [f"KIR typing: {w}." for w in kir.plausibility()]
    eligible = kleene_and(*criteria)
    return DonorAssessment(
        haplo=haplo,
        mismatch=mismatch,
        donor_kir=kir,
        subsets=tuple(subsets),
        nk_dose_per_kg=dose,
        reaches_threshold=threshold,
        alloreactive_dose_per_kg=allo_dose,
        eligible=eligible,
        reasons=tuple(reasons),
        findings=tuple(findings),
        b_content=b_content,
    )


class RankedDonor(BaseModel, frozen=True):
    """One donor of [`rank_family_donors`][kirmatch.rank_family_donors]: its name, rank (1 = best) and assessment."""

    name: str
    rank: int
    assessment: DonorAssessment

    def __str__(self) -> str:
        return f"{self.rank}. {self.name}: {self.assessment.verdict()}"


_RANK = {_P: 0, _Q: 1, _A: 2}
_GROUP_RANK = {BContentGroup.BEST: 0, BContentGroup.BETTER: 1, BContentGroup.NEUTRAL: 2}


def _key(a: DonorAssessment) -> tuple[int, ...]:
    sure_subsets = sum(s.presence is _P for s in a.subsets)
    group = a.b_content.group if a.b_content is not None else None
    activating = 0
    if a.donor_kir is not None:
        activating = sum(g is _P for g in (a.donor_kir.kir2ds1, a.donor_kir.kir3ds1))
    return (
        _RANK[a.eligible],
        _RANK[a.gvh],
        -sure_subsets,
        _GROUP_RANK.get(group, 3) if group is not None else 3,
        -activating,
    )


def rank_family_donors(
    patient: object,
    donors: Mapping[str, object] | Iterable[tuple[str, object]],
    *,
    donor_kir: Mapping[str, object] | None = None,
    **options: object,
) -> tuple[RankedDonor, ...]:
    """Assess every donor (``{name: typing}``) and order them: eligible first, then possibly eligible; within each,
    certain GvH mismatch first, more certain alloreactive subsets, then the KIR B-content group (Best, Better,
    Neutral) and activating KIR (KIR2DS1, KIR3DS1) as tie-breakers. ``donor_kir`` maps names to KIR typings;
    ``options`` go to [`assess_donor`][kirmatch.assess_donor]. Ties keep the input order and share a rank.

    >>> patient = "A*01:01+A*03:01^B*08:01+B*07:02^C*07:01+C*07:02"
    >>> family = {"father": "A*02:01+A*03:01^B*15:01+B*07:02^C*03:04+C*07:02",
    ...           "mother": "A*01:01+A*24:02^B*08:01+B*44:02^C*07:01+C*05:01"}
    >>> [str(r) for r in rank_family_donors(patient, family)]
    ['1. mother: Eligible donor under the protocol', '2. father: Not an eligible donor under the protocol']
    """
    items: list[tuple[str, object]] = (
        list(cast("Mapping[str, object]", donors).items()) if isinstance(donors, Mapping) else list(donors)
    )
    kir = dict(donor_kir or {})
    assessed: list[tuple[str, DonorAssessment]] = []
    for name, typing in items:
        try:
            assessed.append((name, assess_donor(patient, typing, donor_kir=kir.get(name), **options)))  # type: ignore[arg-type]
        except KirmatchError as exc:
            raise with_context(exc, str(name)) from exc
    assessed.sort(key=lambda pair: _key(pair[1]))
    out: list[RankedDonor] = []
    for i, (name, a) in enumerate(assessed):
        rank = out[-1].rank if out and _key(a) == _key(out[-1].assessment) else i + 1
        out.append(RankedDonor(name=str(name), rank=rank, assessment=a))
    return tuple(out)
