"""Ligand profiles and donor-versus-recipient KIR-ligand mismatch: literature cases, the models, the Bw4 policies
and the rendering. The laws (self-match, GvH/HvG symmetry, monotonicity, honest ambiguity, order and spelling) are
in test_laws.py."""

from __future__ import annotations

import html.parser
import json
import pickle

import pytest

import kirmatch
from kirmatch import (
    Bw4Policy,
    KirGenotype,
    KirLigand,
    KirTypingError,
    Presence,
    kir_ligand_mismatch,
    ligand_profile,
)
from kirmatch.profile import slot_contribution
from kirmatch.reference import get_reference

P, A, Q = Presence.PRESENT, Presence.ABSENT, Presence.POSSIBLE
# --------------------------------------------------------------------------------------------- literature cases

SHARED_A = ("A*01:01", "A*02:01")
SHARED_B = ("B*08:01", "B*07:02")


def test_c1_c1_recipient_with_a_c1_c2_donor_is_gvh_incompatible_for_c2():
    donor = {"A": SHARED_A, "B": SHARED_B, "C": ("C*07:02", "C*04:01")}
    recipient = {"A": SHARED_A, "B": SHARED_B, "C": ("C*07:02", "C*03:04")}
    m = kir_ligand_mismatch(donor, recipient)
    assert m.gvh("C2") is P and m.gvh_incompatible is P
    assert m.gvh_ligands == (KirLigand.C2,)
    assert [str(s) for s in m.alloreactive_nk] == ["KIR2DL1+"]
    assert m["C2"].donor_alleles == ("C*04:01",)
    assert m.hvg_incompatible is A
    assert m.verdict() == "GvH KIR-ligand incompatible: C2 (donor C*04:01; recipient has no C2)"
    assert "C*04:01" in m.findings()[0] and "KIR2DL1+" in m.findings()[0]


def test_bw4_negative_recipient_with_a_b5701_donor_is_gvh_incompatible_for_bw4():
    recipient = {"A": SHARED_A, "B": SHARED_B, "C": ("C*07:02", "C*07:01")}
    donor = {"A": SHARED_A, "B": ("B*57:01", "B*08:01"), "C": ("C*07:02", "C*07:01")}
    m = kir_ligand_mismatch(donor, recipient)
    assert ligand_profile(recipient).presence("Bw4") is A
    assert m.gvh_ligands == (KirLigand.BW4,)
    assert m.gvh("Bw4-80I") is P
    assert [s.receptor for s in m.alloreactive_nk] == ["KIR3DL1"]


def test_a_donor_whose_only_bw4_allele_is_null_is_not_incompatible():
    null_bw4 = next(r.allele for r in get_reference().records if r.locus == "B" and r.epitope == "Bw4" and not r.expressed)
    recipient = {"A": SHARED_A, "B": SHARED_B, "C": ("C*07:02", "C*07:01")}
    donor = {"A": SHARED_A, "B": (null_bw4, "B*08:01"), "C": ("C*07:02", "C*07:01")}
    m = kir_ligand_mismatch(donor, recipient)
    assert m.gvh("Bw4") is A and m.gvh_incompatible is A
    assert ligand_profile(donor)["Bw4"].alleles == ()


def test_hla_b_c1_counts_as_c1_unless_switched_off():
    donor = {"A": SHARED_A, "B": ("B*46:01", "B*08:01"), "C": ("C*06:02", "C*04:01")}
    recipient = {"A": SHARED_A, "B": SHARED_B, "C": ("C*06:02", "C*04:01")}
    assert kir_ligand_mismatch(donor, recipient).gvh("C1") is P
    off = kir_ligand_mismatch(donor, recipient, b_locus_c1=False)
    assert off.gvh("C1") is A and off.b_locus_c1 is False


def test_bw4_policies():
    recipient = {"A": SHARED_A, "B": SHARED_B, "C": ("C*07:02", "C*07:01")}
    a25 = {"A": ("A*25:01", "A*01:01"), "B": SHARED_B, "C": ("C*07:02", "C*07:01")}
    a24 = {"A": ("A*24:02", "A*01:01"), "B": SHARED_B, "C": ("C*07:02", "C*07:01")}
    # Stern et al., Blood 2008;112:708: "HLA A*2301, A*2402, or A*3201 but not HLA A*2501 protects target cells
    # from lysis by KIR3DL1(+) NK cells": A*25:01 is no KIR3DL1 ligand under the default policy (exclude-weak).
    assert kir_ligand_mismatch(a25, recipient).gvh("Bw4") is A
    assert kir_ligand_mismatch(a25, recipient).bw4_policy is Bw4Policy.EXCLUDE_WEAK
    assert kir_ligand_mismatch(a25, recipient, bw4_policy="all").gvh("Bw4") is P
    assert kir_ligand_mismatch(a25, recipient, bw4_policy="exclude-weak").gvh("Bw4") is A
    assert kir_ligand_mismatch(a24, recipient, bw4_policy="exclude-weak").gvh("Bw4") is P
    assert kir_ligand_mismatch(a24, recipient, bw4_policy="b-only").gvh("Bw4") is A
    # B*13 covers weak (B*13:01/02) and other Bw4 alleles: under exclude-weak the answer can only be "possible".
    b13 = {"A": SHARED_A, "B": ("B*13", "B*08:01"), "C": ("C*07:02", "C*07:01")}
    assert ligand_profile(b13, bw4_policy="exclude-weak").presence("Bw4") is Q
    assert kir_ligand_mismatch(b13, recipient, bw4_policy="exclude-weak").bw4_policy is Bw4Policy.EXCLUDE_WEAK
    with pytest.raises(kirmatch.ProtocolValueError, match="Bw4 policy 'weak'"):
        ligand_profile(b13, bw4_policy="weak")


def test_missing_and_ambiguous_slots_make_ligands_possible():
    p = ligand_profile({"C": ("C*07:02", None)})
    assert p.presence("C1") is P and p.presence("C2") is Q
    # HLA-B may carry C2 by inference (B*35:570), so an untyped HLA-B is a possible source too
    assert p["C2"].possible_from == ("HLA-B allele missing", "HLA-C allele missing")
    assert ligand_profile({"C": ("C*07:02", None)}, b_locus_c1=False)["C2"].possible_from == ("HLA-C allele missing",)
    assert ligand_profile({"C": ("C*07", "C*07")}).presence("C2") is Q  # C*07 covers a few C2 alleles
    assert ligand_profile({"A": ("A*03:01", "A*11:01")}).presence("A3/A11") is P
    assert ligand_profile({}).presence("Bw4") is Q


@pytest.mark.parametrize("locus", ["B", "C"])
def test_an_unclassified_allele_makes_its_locus_ligands_possible(locus):
    unclassified = next(r.allele for r in get_reference().records if r.locus == locus and r.expressed and not r.classified)
    contribution = dict(zip(KirLigand, slot_contribution(unclassified, locus), strict=True))
    expected = {"B": ("C1", "C2", "Bw4", "Bw4-80I", "Bw4-80T"), "C": ("C1", "C2")}[locus]
    assert {str(ligand) for ligand, value in contribution.items() if value is Q} == set(expected)
    assert P not in contribution.values()


# ------------------------------------------------------------------------------------------------------ models

C1_ONLY = {"A": SHARED_A, "B": SHARED_B, "C": ("C*07:02", "C*03:04")}
C1_C2 = {"A": SHARED_A, "B": SHARED_B, "C": ("C*07:02", "C*04:01")}


def test_receptor_ligand_needs_the_donor_kir_gene():
    with_2dl1 = KirGenotype.from_genes("2DL1 2DL3 3DL1 3DL2")
    without = KirGenotype.from_genes("2DL3 3DL1 3DL2")
    assert kir_ligand_mismatch(C1_C2, C1_ONLY, model="receptor-ligand", donor_kir=with_2dl1).gvh("C2") is P
    assert kir_ligand_mismatch(C1_C2, C1_ONLY, model="receptor-ligand", donor_kir=without).gvh("C2") is A
    untyped = kir_ligand_mismatch(C1_C2, C1_ONLY, model="receptor-ligand", donor_kir=KirGenotype())
    assert untyped.gvh("C2") is Q


def test_missing_ligand_ignores_the_donor_hla():
    kir = KirGenotype.from_genes(["KIR2DL1", "KIR2DL3", "KIR3DL1"])
    m = kir_ligand_mismatch(C1_ONLY, C1_ONLY, model="missing-ligand", donor_kir=kir)
    assert m.gvh("C2") is P and kir_ligand_mismatch(C1_ONLY, C1_ONLY).gvh("C2") is A
    assert "missing-ligand" in m.verdict()


@pytest.mark.parametrize("model", [m.name for m in kirmatch.MODELS if m.needs_kir])
def test_kir_models_without_kir_typing_raise(model):
    with pytest.raises(KirTypingError, match="KIR gene content"):
        kir_ligand_mismatch(C1_C2, C1_ONLY, model=model)


def test_unknown_model_raises():
    with pytest.raises(kirmatch.ProtocolValueError, match="'ruggeri'"):
        kir_ligand_mismatch(C1_C2, C1_ONLY, model="ruggeri")


def test_errors_name_donor_or_recipient_and_slot_and_keep_their_class():
    bad = {"A": SHARED_A, "B": SHARED_B, "C": ("C*07:02", "C*99:99")}
    with pytest.raises(kirmatch.UnknownAlleleError, match=r"^recipient HLA-C allele 2: 'C\*99:99'") as info:
        kir_ligand_mismatch(C1_C2, bad)
    assert info.value.suggestions
    with pytest.raises(kirmatch.GenotypeError, match=r"^donor HLA-B allele 1: 'C\*07:02' is an HLA-C designation"):
        kir_ligand_mismatch({"B": ("C*07:02", None)}, C1_ONLY)


# --------------------------------------------------------------------------------------------------- rendering


def test_rendering_and_serialisation():
    m = kir_ligand_mismatch(C1_C2, {**C1_ONLY, "A": ("A*01:01", None)})
    assert len(repr(m)) < 120 and "C2" in repr(m)
    text = str(m)
    assert m.verdict() in text and "ligand-ligand" in text and m.release in text
    dumped = m.model_dump()
    assert json.loads(json.dumps(dumped))["gvh_incompatible"] == "present"
    assert kirmatch.KirLigandMismatch.model_validate(m.model_dump(mode="json")) == m
    assert pickle.loads(pickle.dumps(m)) == m
    page = m._repr_html_()
    checker = _TagBalance()
    checker.feed(page)
    assert checker.open == [] and "background" in page and "C*04:01" in page


class _TagBalance(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag != "br":
            self.open.append(tag)

    def handle_endtag(self, tag):
        assert self.open and self.open.pop() == tag


def test_constructed_results_equal_validated_ones():
    m = kir_ligand_mismatch(C1_C2, C1_ONLY)
    for row in m.ligands:
        again = kirmatch.LigandComparison(**row.model_dump())
        assert again == row and hash(again) == hash(row)
    profile = ligand_profile(C1_C2)
    assert kirmatch.LigandProfile.model_validate(profile.model_dump()) == profile


def test_answers_follow_the_mac_file_in_force(tmp_path, monkeypatch):
    """Profiles and matches are cached, but never across a change of $KIRMATCH_MAC_FILE or of the file."""
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    first.write_text("AB\t01/02\n")
    second.write_text("AB\t01/11N\n")
    donor = {"A": ("A*01:01", "A*02:01"), "B": ("B*51:AB", "B*08:01")}
    recipient = {"A": ("A*01:01", "A*02:01"), "B": ("B*08:01", "B*07:02")}
    monkeypatch.setenv("KIRMATCH_MAC_FILE", str(first))
    assert kirmatch.ligand_profile(donor).presence("Bw4") is kirmatch.Presence.PRESENT
    assert kir_ligand_mismatch(donor, recipient).gvh("Bw4") is kirmatch.Presence.PRESENT
    monkeypatch.setenv("KIRMATCH_MAC_FILE", str(second))
    assert kirmatch.ligand_profile(donor).presence("Bw4") is kirmatch.Presence.POSSIBLE
    assert kir_ligand_mismatch(donor, recipient).gvh("Bw4") is kirmatch.Presence.POSSIBLE


def test_sequence_inferred_b_locus_c1_and_named_q_alleles_are_possible_not_present():
    c2_only = {"B": ("B*08:01", "B*07:02"), "C": ("C*04:01", "C*05:01")}
    inferred = kir_ligand_mismatch({"B": ("B*07:13", "B*08:01"), "C": ("C*04:01", "C*05:01")}, c2_only)
    assert inferred.gvh("C1") is kirmatch.Presence.POSSIBLE
    literature = kir_ligand_mismatch({"B": ("B*46:01", "B*08:01"), "C": ("C*04:01", "C*05:01")}, c2_only)
    assert literature.gvh("C1") is kirmatch.Presence.PRESENT
    q = kirmatch.ligand_profile({"B": ("B*13:123Q", "B*08:01")})
    assert q.presence("Bw4") is kirmatch.Presence.POSSIBLE
    # a Q allele merely sharing the fields of a name written without suffix keeps the name's call
    assert kirmatch.ligand_profile({"C": ("C*07:02", "C*07:02")}).presence("C1") is kirmatch.Presence.PRESENT


def test_xx_codes_keep_the_nulls_of_their_group():
    profile = kirmatch.ligand_profile({"B": ("B*51:XX", "B*08:01")})
    assert profile.presence("Bw4") is kirmatch.Presence.POSSIBLE
    assert "B*51:11N" in kirmatch.parse_typing("B*51:XX").candidates
