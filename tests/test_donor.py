"""The donor side: KIR typing in every form, B-content from gene content, haploidentity and one assessment per donor.

The README family (docs/index.md): the patient lacks C2 and Bw4; the mother shares P1 and carries C2 and Bw4; the
father shares P2 and carries neither; a sibling typed only ``C*07:XX`` at HLA-C.
"""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import given, settings

import kirmatch
from kirmatch import (
    BContentGroup,
    KirGenotype,
    KirTypingError,
    Presence,
    assess_donor,
    haplo_match,
    kir_b_content_from_genes,
    rank_family_donors,
)
from kirmatch import strategies as kst
from kirmatch.cli import main
from kirmatch.kir import ALL_KIR_GENES

P, A, Q = Presence.PRESENT, Presence.ABSENT, Presence.POSSIBLE
PATIENT = "A*01:01+A*03:01^B*08:01+B*07:02^C*07:01+C*07:02"
MOTHER = "A*01:01+A*24:02^B*08:01+B*44:02^C*07:01+C*05:01"
FATHER = "A*02:01+A*03:01^B*15:01+B*07:02^C*03:04+C*07:02"
SIBLING = "A*01:01+A*02:01^B*08:01+B*15:01^C*07:XX"
FRAMEWORK = "3DL3 3DP1 2DL4 3DL2"


# ------------------------------------------------------------------------------------------- KIR typing forms


@pytest.mark.parametrize("empty", ["", [], None, "   ", {}])
def test_untyped_kir_is_possible_never_certain(empty: object) -> None:
    kir = KirGenotype.coerce(empty) if empty is not None else KirGenotype.from_genes(None)
    assert all(kir.gene(g) is Q for g in ALL_KIR_GENES) and not kir.typed
    # and it never gives a certain verdict under a model that reads KIR
    m = kirmatch.kir_ligand_mismatch(MOTHER, PATIENT, model="receptor-ligand", donor_kir=kir)
    assert m.gvh_incompatible is Q


def test_every_form_labs_report_parses_and_nothing_is_dropped() -> None:
    listing = KirGenotype.from_genes("2DL1 2DL3 3DL1 2DS4 2DS1 3DS1")
    assert (listing.kir2ds1, listing.kir3ds1, listing.kir2ds4, listing.kir2dl2) == (P, P, P, A)
    explicit = KirGenotype.from_genes("KIR2DL1+ KIR3DL1- KIR2DS1 POS 2DS2 NEG 2DL2:1 2DL3=0")
    assert (explicit.kir2dl1, explicit.kir3dl1, explicit.kir2ds1, explicit.kir2ds2) == (P, A, P, A)
    assert (explicit.kir2dl2, explicit.kir2dl3, explicit.kir3dl2) == (P, A, Q)  # not named: not typed
    columns = KirGenotype.from_genes({"KIR2DL1": 1, "KIR2DL2": 0, "KIR3DL1": "NEG", "KIR2DS4": "003+001", "KIR2DS1": None})
    assert (columns.kir2dl1, columns.kir2dl2, columns.kir3dl1, columns.kir2ds4, columns.kir2ds1) == (P, A, A, P, Q)
    assert columns.alleles == ("KIR2DS4*001", "KIR2DS4*003")
    alleles = KirGenotype.from_genes("KIR2DL1*003 KIR3DL1*00401")
    assert (alleles.kir2dl1, alleles.kir3dl1, alleles.kir2dl3) == (P, P, Q)
    assert alleles.alleles == ("KIR2DL1*003", "KIR3DL1*00401")


@pytest.mark.parametrize(
    "bad", ["2DL9", "KIR2DL1*999", "KIR3DL1*003", "2DL1 maybe", "KIR2DL1*003-"]
)
def test_bad_kir_typing_is_a_typed_error(bad: str) -> None:
    with pytest.raises(KirTypingError):
        KirGenotype.from_genes(bad)


def test_framework_genes_absent_are_flagged() -> None:
    assert KirGenotype.from_genes(f"2DL1 2DL3 3DL1 {FRAMEWORK}").plausibility() == ()
    assert any("KIR3DL2" in w for w in KirGenotype.from_genes("2DL1 2DL3 3DL1").plausibility())


@settings(max_examples=60)
@given(kst.kir_genotypes())
def test_kir_genotypes_round_trip_and_str(kir: KirGenotype) -> None:
    assert KirGenotype.model_validate(kir.model_dump()) == kir
    assert str(kir).startswith("KIR 2DL1")


# ------------------------------------------------------------------------------------------------- B-content


def test_b_content_from_gene_content_cooley_2010() -> None:
    # Cooley et al., Blood 2010;116:2411: "Group A and B KIR haplotypes have distinctive centromeric (Cen) and
    # telomeric (Tel) gene-content motifs"; Best = Cen-B/B, Better = two or more B motifs, Neutral = 0 or 1.
    aa = kir_b_content_from_genes(KirGenotype.from_genes(f"2DL1 2DL3 3DL1 2DS4 {FRAMEWORK}"))
    assert (aa.centromeric, aa.telomeric, aa.b_motifs, aa.group) == (("A/A",), ("A/A",), (0, 0), BContentGroup.NEUTRAL)
    best = kir_b_content_from_genes(KirGenotype.from_genes(f"2DL2 2DS2 2DL1 3DL1 2DS4 {FRAMEWORK}"))
    assert best.centromeric == ("B/B",) and best.group is BContentGroup.BEST
    better = kir_b_content_from_genes(KirGenotype.from_genes(f"2DL1 2DL2 2DL3 3DL1 3DS1 2DS1 2DS4 {FRAMEWORK}"))
    assert (better.centromeric, better.telomeric, better.b_motifs, better.group) == (
        ("A/B",), ("A/B",), (2, 2), BContentGroup.BETTER,
    )
    untyped = kir_b_content_from_genes(KirGenotype())
    assert untyped.group is None and untyped.presence("Best") is Q


@settings(max_examples=60)
@given(kst.kir_genotypes(alleles=False))
def test_b_content_is_monotone_in_what_is_typed(kir: KirGenotype) -> None:
    # typing more genes can only narrow the possible groups, never add one
    call = kir_b_content_from_genes(kir)
    filled = KirGenotype(**{f"kir{g.lower()}": (kir.gene(g) if kir.gene(g) is not Q else True) for g in ALL_KIR_GENES})
    assert set(kir_b_content_from_genes(filled).groups) <= set(call.groups)


# ---------------------------------------------------------------------------------------------- haploidentity


def test_readme_family_haploidentity() -> None:
    assert haplo_match(MOTHER, PATIENT).haploidentical is P
    assert haplo_match(FATHER, PATIENT).haploidentical is P
    assert haplo_match(SIBLING, PATIENT).haploidentical is Q  # C*07:XX may or may not be C*07:01
    unrelated = "A*02:01+A*24:02^B*15:01+B*44:02^C*03:04+C*05:01"
    assert haplo_match(unrelated, PATIENT).haploidentical is A


def test_class_ii_and_phase() -> None:
    p = "A*01:01~B*08:01~C*07:01~DRB1*03:01+A*03:01~B*07:02~C*07:02~DRB1*15:01"
    shared = "A*01:01~B*08:01~C*07:01~DRB1*03:01+A*24:02~B*44:02~C*05:01~DRB1*04:01"
    recombinant = "A*01:01~B*07:02~C*07:01~DRB1*03:01+A*24:02~B*44:02~C*05:01~DRB1*04:01"
    m = haplo_match(shared, p)
    assert m.phased and m.haploidentical is P and m["DRB1"].shared is P
    assert haplo_match(recombinant, p).haploidentical is A  # every locus shares an allele, no haplotype does
    low = haplo_match({"A": ("A*01:01", "A*24:02"), "DRB1": ("DRB1*03", "DRB1*04:01")}, {"A": ("A*01:01",), "DRB1": ("DRB1*03:01", "DRB1*15:01")})
    assert low["DRB1"].shared is Q


@settings(max_examples=25, deadline=None)
@given(kst.family())
def test_every_relative_is_haploidentical_by_construction(family: kst.Family) -> None:
    for name, relative in family.relatives.items():
        assert haplo_match(relative, family.patient).haploidentical is P, name


# ------------------------------------------------------------------------------------------------ assessment


def test_readme_family_assessment() -> None:
    mother, father, sibling = (assess_donor(PATIENT, d) for d in (MOTHER, FATHER, SIBLING))
    assert (mother.eligible, father.eligible, sibling.eligible) == (P, A, Q)
    assert mother.gvh_ligand("C2") is P and mother.gvh_ligand("Bw4") is P
    assert "compatible" in father.explain() and "C*07:XX" in sibling.explain()


def test_donor_kir_decides_the_alloreactive_subsets() -> None:
    no_receptors = assess_donor(PATIENT, MOTHER, donor_kir=f"2DL3 {FRAMEWORK}")
    assert no_receptors.eligible is A and all(s.presence is A for s in no_receptors.subsets)
    only_2dl1 = assess_donor(PATIENT, MOTHER, donor_kir=f"2DL1 2DL3 {FRAMEWORK}")
    present = {s.subset.receptor: s.presence for s in only_2dl1.subsets}
    assert present == {"KIR2DL1": P, "KIR3DL1": A, "KIR2DL1+KIR3DL1": A} and only_2dl1.eligible is P
    untyped = assess_donor(PATIENT, MOTHER, donor_kir="")
    assert untyped.eligible is Q


def test_activating_kir_are_findings_not_the_verdict() -> None:
    with_2ds1 = assess_donor(PATIENT, FATHER, donor_kir=f"2DL1 2DL3 3DL1 2DS1 {FRAMEWORK}")
    assert with_2ds1.gvh is A and with_2ds1.eligible is A
    assert any("KIR2DS1" in f and "Venstrom" in f for f in with_2ds1.findings)


def test_product_threshold() -> None:
    low = assess_donor(PATIENT, MOTHER, nk_cells=6.9e8, weight_kg=70)
    high = assess_donor(PATIENT, MOTHER, nk_cells=7e8, weight_kg=70, alloreactive_fraction=0.1)
    assert (low.eligible, low.reaches_threshold) == (A, False)
    assert (high.eligible, high.reaches_threshold) == (P, True) and high.alloreactive_dose_per_kg == pytest.approx(1e6)


def test_rank_family_donors() -> None:
    ranked = rank_family_donors(PATIENT, {"father": FATHER, "sibling": SIBLING, "mother": MOTHER})
    assert [r.name for r in ranked] == ["mother", "sibling", "father"]


def test_cli_assess_prints_the_same() -> None:
    out, err = io.StringIO(), io.StringIO()
    assert main(["assess", "--patient", PATIENT, "--donor", MOTHER], out=out, err=err) == 0
    assert out.getvalue().strip() == assess_donor(PATIENT, MOTHER).explain()
    out = io.StringIO()
    assert main(["assess", "--patient", PATIENT, "--donor", SIBLING, "--json"], out=out, err=err) == 0
    assert json.loads(out.getvalue())["eligible"] == "possible"
    out = io.StringIO()
    assert main(["assess", "--patient", PATIENT, "--donor", "C*99:99"], out=out, err=err) == 1
