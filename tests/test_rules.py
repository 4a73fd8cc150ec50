"""The KIR-ligand rules as laws over arbitrary residues, plus the literature anchors of each rule."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kirmatch.ligands import call_epitope, expression_flags

AMINO = "ACDEFGHIKLMNPQRSTVWY"
residues = st.text(alphabet=AMINO, min_size=8, max_size=8)


def with_at(base: str, **at: str) -> str:
    s = list(base)
    for key, aa in at.items():
        s[int(key[1:]) - 76] = aa
    return "".join(s)


@given(residues)
def test_hla_c_is_decided_by_residue_80(r: str) -> None:
    call = call_epitope("C", "C*99:01", r)
    expected = {"N": "C1", "K": "C2"}.get(r[4], "")
    assert call.epitope == expected
    assert call.classified == bool(expected)
    if expected:
        canonical = (r[1], r[4]) in {("S", "N"), ("N", "K")}
        assert ("noncanonical_77_80" in call.flags) != canonical


@given(st.sampled_from("AB"), residues)
def test_leu82_arg83_is_bw4_with_subtype_from_80(locus: str, r: str) -> None:
    call = call_epitope(locus, f"{locus}*99:01", with_at(r, p82="L", p83="R"))
    assert call.classified and call.epitope == "Bw4"
    assert call.bw4_80 == "80" + r[4]
    # only Ile80 (Cella 1994) and Thr80 (Luque 1996) are shown to protect: any other residue is flagged
    assert ("bw4_80_unusual" in call.flags) == (r[4] not in "IT")


@given(residues.map(lambda r: with_at(r, p82="R", p83="G")))
def test_hla_a_with_arg82_gly83_carries_nothing_not_bw6(r: str) -> None:
    call = call_epitope("A", "A*99:01", r)
    assert call.classified and call.epitope == ""


@given(residues)
def test_hla_b_arg82_gly83_is_bw6_unless_it_carries_the_hla_c_epitopes(r: str) -> None:
    call = call_epitope("B", "B*99:01", with_at(r, p82="R", p83="G"))
    c1 = r[0] == "V" and r[4] == "N"
    c2 = r[0] == "V" and r[4] == "K"
    assert call.epitope == ("C1" if c1 else "C2" if c2 else "Bw6")
    if c1:
        assert call.flags == ("b_locus_c1_inferred",)
    if c2:
        assert call.flags == ("b_locus_c2_inferred",)


@given(st.sampled_from("AB"), residues.filter(lambda r: r[6:8] not in {"LR", "RG"}))
def test_other_82_83_is_unclassified_with_residues_shown(locus: str, r: str) -> None:
    # Gumperz et al., J Immunol 1997;158:5237: Leu82 and Arg83 "contribute to NKB1 interaction but are not
    # essential": an incomplete motif does not rule KIR3DL1 binding out, on HLA-A as on HLA-B.
    call = call_epitope(locus, f"{locus}*99:01", r)
    assert not call.classified and r[6:8] in call.note


@given(st.sampled_from("ABC"), st.text(alphabet=AMINO + "-?X", max_size=10))
def test_rules_never_raise_and_gaps_leave_it_unclassified(locus: str, r: str) -> None:
    call = call_epitope(locus, f"{locus}*01:01", r)
    needed = [0, 1, 4, 6, 7] if locus != "A" else [4, 6, 7]
    if len(r) != 8 or any(r[i] not in AMINO for i in needed):
        assert not call.classified and call.epitope == ""


@pytest.mark.parametrize(("protein", "residues"), [("B*46:01", "VSLRNLRG"), ("B*73:01", "VGLRNLRG")])
def test_b_locus_c1_literature_from_the_table(protein: str, residues: str) -> None:
    from kirmatch.reference import get_reference

    rows = [r for r in get_reference().records if r.protein == protein and r.expressed]
    assert rows
    for row in rows:
        assert row.residues_76_83 == residues
        assert row.epitope == "C1" and "b_locus_c1_literature" in row.flags


def test_a3_a11_by_group_and_weak_bw4() -> None:
    assert call_epitope("A", "A*03:01", "VDLGTLRG").kir3dl2 == "A3"
    assert call_epitope("A", "A*11:01", "VDLGTLRG").kir3dl2 == "A11"
    assert "bw4_weak_functional" in call_epitope("A", "A*25:01", "ESLRIALR").flags
    assert "bw4_weak_functional" in call_epitope("B", "B*13:02", "ENLRTALR").flags
    assert "bw4_weak_functional" not in call_epitope("B", "B*13:03", "ENLRTALR").flags


def test_expression_flags() -> None:
    assert expression_flags("L") == ("low_expression",)
    assert expression_flags("Q") == ("questionable",)
    assert expression_flags("A") == ("aberrant_expression",)
    assert expression_flags("N") == expression_flags("") == ()
