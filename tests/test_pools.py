"""Issue 12: decisive answers from the typings labs send. G groups read like two-field names, CIWD 3.0.0 allele
pools, the support of every "possible", homozygous blanks, and what typing would decide."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kirmatch
import kirmatch.frame
import kirmatch.strategies as kst
from kirmatch import CallStatus, Genotype, Ligand, Presence, classify, kir_ligand_mismatch, ligand_profile
from kirmatch.cli import main
from kirmatch.pools import Ciwd, Pool, Population, category
from kirmatch.reference import get_reference

P, A, Q = Presence.PRESENT, Presence.ABSENT, Presence.POSSIBLE
REFERENCE = get_reference()

DONOR_G = "A*01:01:01G+A*02:01:01G^B*57:01:01G+B*08:01:01G^C*07:01:01G+C*06:02:01G"
RECIPIENT_G = "A*01:01:01G+A*03:01:01G^B*08:01:01G+B*07:02:01G^C*07:01:01G+C*07:02:01G"


# ---------------------------------------------------------------------------------------------- G groups


def test_a_g_typed_pair_reads_as_an_hla_lab_reads_it() -> None:
    m = kir_ligand_mismatch(DONOR_G, RECIPIENT_G)
    assert m.gvh_incompatible is P and m.gvh("C1") is A
    assert m.verdict().startswith("GvH KIR-ligand incompatible: C2 (donor C*06:02:01G; recipient has no C2), Bw4")
    strict = kir_ligand_mismatch(DONOR_G, RECIPIENT_G, count_group_nulls=True)  # kirmatch 0.1's reading
    assert strict.gvh("C2") is Q


def test_g_group_nulls_are_listed_apart_and_counted_only_on_request() -> None:
    call = classify("B*57:01:01G")
    assert call.status is CallStatus.DETERMINED and call.ligand is Ligand.BW4
    c04 = classify("C*04:01:01G")
    assert c04.status is CallStatus.DETERMINED and c04.ligand is Ligand.C2 and "C*04:09N" in c04.excluded_alleles
    assert "set aside" in c04.note and "count_group_nulls=True" in c04.note
    assert classify("C*04:01:01G", count_group_nulls=True).status is CallStatus.AMBIGUOUS


# ------------------------------------------------------------------------------------------------- pools


def test_pools_decide_low_resolution_and_serologic_typings() -> None:
    common = classify("C*07", pool="common")
    assert common.ligand is Ligand.C1 and common.pool is Pool.COMMON and common.population is Population.TOTAL
    cwd = classify("C*07", pool="cwd")
    assert cwd.status is CallStatus.AMBIGUOUS and cwd.support["C2"] is Ciwd.INTERMEDIATE
    assert cwd.support["C1"] is Ciwd.COMMON and "C*07:07 (intermediate)" in cwd.support_detail["C2"]
    assert "C2 only through C*07:07 (intermediate)" in cwd.explain()
    assert classify("A24", pool="common").ligand is Ligand.BW4
    assert classify("C*07").status is CallStatus.AMBIGUOUS  # the default pool is every IPD allele


def test_an_allele_named_outright_is_always_kept() -> None:
    rare = next(r for r in REFERENCE.records if r.locus == "C" and r.expressed and r.expression == ""
                and category(r) is Ciwd.RARE and r.ligand == "C2" and len(r.fields) == 2)
    call = classify(rare.allele, pool="common")
    assert call.ligand is Ligand.C2 and call.n_set_aside == 0


def test_a_pool_that_leaves_nothing_falls_back_to_all_and_says_so() -> None:
    # every expressed HLA-B*83 allele is rare in the CIWD 3.0.0 NAM column
    assert all(category(r, Population.NAM) is Ciwd.RARE for r in REFERENCE.records if r.allele.startswith("B*83:"))
    call = classify("B*83", pool="common", population="NAM")
    assert "keeps none of its alleles: all counted" in call.note and call.n_set_aside == 0
    assert call.n_alleles == classify("B*83").n_alleles


def test_populations_and_bad_options() -> None:
    assert classify("C*07", pool="common", population="EURO").population is Population.EURO
    with pytest.raises(kirmatch.ProtocolValueError, match="allele pool 'rare'"):
        classify("C*07", pool="rare")
    with pytest.raises(kirmatch.ProtocolValueError, match="CIWD population 'MARS'"):
        classify("C*07", pool="cwd", population="MARS")


named = st.sampled_from([r for r in REFERENCE.records if r.locus in "ABC" and len(r.fields) >= 2][::7])


@settings(max_examples=60)
@given(named, st.sampled_from(list(Pool)), st.sampled_from(list(Pool)))
def test_law_a_narrower_pool_never_flips_a_named_allele(record, wide, narrow) -> None:
    """A named allele is kept whole by every pool, so no pool turns its present into absent or back."""
    genotype = {record.locus: (record.allele, None)}
    a = ligand_profile(genotype, pool=wide)
    b = ligand_profile(genotype, pool=narrow)
    for x, y in zip(a.ligands, b.ligands, strict=True):
        assert {x.presence, y.presence} != {P, A}, (record.allele, x, y)


@settings(max_examples=60)
@given(kst.genotypes(resolution=1, allow_nulls=False), st.sampled_from([Pool.CWD, Pool.COMMON]))
def test_law_a_pool_only_decides_what_all_left_open(genotype, pool) -> None:
    """Pools refine: where every allele decides, the pool agrees; it may only turn "possible" into an answer."""
    everything = ligand_profile(genotype)
    pooled = ligand_profile(genotype, pool=pool)
    for x, y in zip(everything.ligands, pooled.ligands, strict=True):
        if x.presence is not Q:
            assert y.presence is x.presence


@settings(max_examples=40)
@given(kst.donor_recipient_pairs(allow_nulls=False))
def test_law_pool_all_is_the_default_reading(pair) -> None:
    assert kir_ligand_mismatch(*pair, pool="all") == kir_ligand_mismatch(*pair)


# ----------------------------------------------------------------------------------------------- support


def test_possible_ligands_carry_their_support_into_the_verdict() -> None:
    donor = "A*01:01+A*02:01^B*08:01+B*07:02^C*07:01+C*07"
    recipient = "A*01:01+A*02:01^B*08:01+B*07:02^C*07:01+C*07:02"
    m = kir_ligand_mismatch(donor, recipient, pool="cwd")
    assert m.gvh("C2") is Q and m["C2"].donor_support is Ciwd.INTERMEDIATE
    assert "donor may carry C2 via C*07 (only through intermediate alleles)" in m.verdict()
    assert ligand_profile(donor, pool="cwd")["C2"].support is Ciwd.INTERMEDIATE
    assert kir_ligand_mismatch(donor, recipient, pool="common").gvh_incompatible is A


def test_frames_record_the_pool_and_the_support() -> None:
    donors = pd.DataFrame(
        [["A*01:01", "A*02:01", "B*08:01", "B*07:02", "C*07:01", "C*07"],
         ["A*01:01", "A*02:01", "B*08:01", "B*07:02", "C*07:01", "C*06:02"]],
        columns=["A1", "A2", "B1", "B2", "C1", "C2"],
    )
    recipient = "A*01:01+A*02:01^B*08:01+B*07:02^C*07:01+C*07:02"
    out = kirmatch.frame.mismatch_against(donors, recipient, pool="cwd")
    assert out["kir_gvh_incompatible"].tolist() == ["possible", "present"]
    assert out["kir_gvh_support"].iloc[0] == "intermediate" and pd.isna(out["kir_gvh_support"].iloc[1])
    assert out.attrs["kirmatch_pool"] == "cwd" and out.attrs["kirmatch_population"] == "total"
    common = kirmatch.frame.mismatch_against(donors, recipient, pool="common")
    assert common["kir_gvh_incompatible"].tolist() == ["absent", "present"]


# ---------------------------------------------------------------------------------------- homozygous blanks


def test_a_blank_second_allele_is_unknown_unless_read_as_homozygous() -> None:
    typed_once = ("A*03:01", "A*03:01", "B*07:02", "B*07:02", "C*07:02", "-")
    blank = Genotype.from_strings(*typed_once)
    homozygous = Genotype.from_strings(*typed_once, homozygous_if_blank=True)
    assert ligand_profile(blank).presence("C2") is Q
    assert ligand_profile(homozygous).presence("C2") is A
    donor = "A*01:01+A*24:02^B*08:01+B*44:02^C*07:01+C*05:01"
    m = kir_ligand_mismatch(donor, blank)
    assert "homozygous_if_blank=True" in m.next_steps()[0]
    assert kir_ligand_mismatch(donor, homozygous).gvh("C2") is P


def test_the_verdict_names_the_switch_when_the_blank_is_the_only_doubt() -> None:
    recipient_once = Genotype.from_strings("A*03:01", "A*03:01", "B*07:02", "B*07:02", "C*07:02", "")
    d = "A*03:01+A*03:01^B*07:02+B*07:02^C*05:01+C*07:02"
    m = kir_ligand_mismatch(d, recipient_once)
    assert m.gvh_incompatible is Q and "the only doubt is a blank second allele (recipient HLA-C)" in m.verdict()


def test_frames_and_cli_take_homozygous_if_blank() -> None:
    donors = pd.DataFrame([["A*03:01", None, "B*07:02", "", "C*05:01", "-"]], columns=["A1", "A2", "B1", "B2", "C1", "C2"])
    recipient = "A*03:01+A*03:01^B*07:02+B*07:02^C*07:02+C*07:02"
    plain = kirmatch.frame.mismatch_against(donors, recipient)
    read = kirmatch.frame.mismatch_against(donors, recipient, homozygous_if_blank=True)
    assert plain["kir_gvh_C2"].tolist() == ["present"] and plain["kir_hvg_C1"].tolist() == ["possible"]
    assert read["kir_hvg_C1"].tolist() == ["present"] and read.attrs["kirmatch_homozygous_if_blank"] is True
    out, err = io.StringIO(), io.StringIO()
    args = ["match", "--donor", "A*03:01", "A*03:01", "B*07:02", "B*07:02", "C*05:01", "C*07:02",
            "--recipient", "A*03:01", "-", "B*07:02", "-", "C*07:02", "-", "--homozygous-if-blank"]
    assert main(args, out=out, err=err) == 0, err.getvalue()
    assert out.getvalue().startswith("GvH KIR-ligand incompatible: C2")


# ------------------------------------------------------------------------------------------------- next steps


def test_next_steps_name_the_typing_that_decides() -> None:
    recipient = "A*01:01+A*03:01^B*08:01+B*07:02^C*07:01+C*07:02"
    m = kir_ligand_mismatch("A*01:01+A*02:01^B*08:01+B*07:02^C*07:01+C*07", recipient)
    assert m.next_steps() == ("Type HLA-C of the donor at two fields (C*07 may or may not carry C2).",)
    assert "Next: Type HLA-C of the donor at two fields" in m.explain()
    untyped_a = kir_ligand_mismatch("B*08:01+B*07:02^C*07:01+C*07:02", recipient)
    assert any("Type HLA-A of the donor" in step for step in untyped_a.next_steps())
    assert kir_ligand_mismatch(recipient, recipient).next_steps() == ()


def test_cli_pool_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["classify", "C*07", "--pool", "common"]) == 0
    assert "C1\t" in capsys.readouterr().out
    assert main(["classify", "B*57:01:01G", "--count-group-nulls"]) == 0
    assert "ambiguous" in capsys.readouterr().out


def test_screen_reads_the_deciding_alleles_under_the_same_pool(tmp_path) -> None:
    donors = tmp_path / "donors.csv"
    donors.write_text("id,A1,A2,B1,B2,C1,C2\nd1,A*01:01,A*02:01,B*08:01,B*07:02,C*07:01,C*07\n")
    recipient = "A*01:01+A*02:01^B*08:01+B*07:02^C*07:01+C*07:02"
    for pool, verdict, deciding in (("all", "possible", "C2: C*07 (possibly)"), ("common", "absent", None)):
        out = tmp_path / f"{pool}.csv"
        assert main(["screen", str(donors), "--recipient", recipient, "--pool", pool, "-o", str(out), "-q"],
                    out=io.StringIO(), err=io.StringIO()) == 0
        row = pd.read_csv(out).iloc[0]
        assert row["kir_gvh_incompatible"] == verdict
        assert (pd.isna(row["kir_deciding_alleles"]) if deciding is None else row["kir_deciding_alleles"] == deciding)


def test_registry_like_strategies_shrink_to_two_field_common_names() -> None:
    from hypothesis import find

    donor, recipient = find(kst.donor_recipient_pairs(resolution=2, pool="common"), lambda pair: True)
    for name in donor.designations + recipient.designations:
        assert name.count(":") == 1 and category(REFERENCE.under(kirmatch.parse_allele_name(name))[0]) is Ciwd.COMMON
    rare = kst.allele_names("C", resolution=2, pool="common")
    assert find(rare, lambda name: True) == "C*07:02"
