"""Genotype: constructors, canonical form, missing alleles, errors naming the slot, GL strings (when the
nomenclature layer reads them)."""

from __future__ import annotations

import pickle

import pytest

import kirmatch
from kirmatch import Genotype, GenotypeError

SIX = ("A*01:01", "A*02:01", "B*57:01", "B*08:01", "C*07:02", "C*04:01")


def test_all_constructors_agree():
    g = Genotype.from_strings(*SIX)
    assert Genotype.from_dict({"A": SIX[0:2], "B": SIX[2:4], "C": SIX[4:6]}) == g
    assert Genotype.from_dict({"A1": SIX[0], "a_2": SIX[1], "HLA-B.1": SIX[2], "B2": SIX[3], "C1": SIX[4], "C2": SIX[5]}) == g
    assert Genotype(a=SIX[0:2], b=SIX[2:4], c=SIX[4:6]) == g
    assert Genotype.coerce(list(SIX)) == g and Genotype.coerce(g) is g
    assert str(g) == "A*01:01+A*02:01^B*08:01+B*57:01^C*04:01+C*07:02"
    assert repr(g) == f"Genotype({str(g)!r})"
    assert pickle.loads(pickle.dumps(g)) == g and hash(g) == hash(Genotype.from_strings(*reversed(SIX[0:2]), *SIX[2:]))
    assert Genotype.model_validate(g.model_dump()) == g


def test_from_series_reads_a_pandas_row_and_ignores_other_columns():
    pd = pytest.importorskip("pandas")
    row = pd.Series(
        {"id": 7, "donor_A1": SIX[0], "donor_A2": SIX[1], "donor_B1": SIX[2], "donor_B2": float("nan"),
         "donor_C1": SIX[4], "donor_C2": pd.NA, "recipient_A1": "A*03:01"}
    )
    g = Genotype.from_series(row, prefix="donor_")
    assert g.b == ((SIX[2], None),) and g.c == ((SIX[4], None),) and g.n_missing == 2
    assert Genotype.coerce(pd.Series({"A1": SIX[0]})).a == ((SIX[0], None),)


def test_missing_and_homozygous():
    g = Genotype.from_strings("A*01:01", "A*01:01", "-", "", None, " - ")
    assert g.a == (("A*01:01", "A*01:01"),) and g.b == ((None, None),) and g.n_missing == 4
    assert str(g) == "A*01:01+A*01:01"
    assert Genotype().n_missing == 6 and str(Genotype()) == ""


def test_errors_name_the_slot():
    with pytest.raises(kirmatch.AlleleNameError, match=r"^HLA-B allele 2: "):
        Genotype(b=("B*57:01", "B57:01"))
    with pytest.raises(kirmatch.UnknownAlleleError, match=r"^HLA-C allele 1: 'C\*99:01'"):
        Genotype(c=("C*99:01", None))
    with pytest.raises(GenotypeError, match=r"HLA-A allele 1: 'B\*57:01' is an HLA-B designation, not HLA-A"):
        Genotype.from_strings("B*57:01", *SIX[1:])
    with pytest.raises(GenotypeError, match="3 alleles"):
        Genotype(a=("A*01:01", "A*02:01", "A*03:01"))
    with pytest.raises(GenotypeError, match="six designations"):
        Genotype.from_strings(*SIX[:5])
    with pytest.raises(GenotypeError, match="unknown key 'DRB1'"):
        Genotype.from_dict({"A": SIX[:2], "DRB1": "DRB1*01:01"})
    with pytest.raises(GenotypeError, match="unknown loci"):
        Genotype(d=("A*01:01",))
    with pytest.raises(kirmatch.AlleleNameError, match="HLA-A allele 1"):
        Genotype(a=(101, None))
    with pytest.raises(GenotypeError, match="given twice"):
        Genotype.from_dict({"A": SIX[:2], "A1": SIX[0]})


def test_alternative_genotypes_are_kept_sorted_and_combine_by_consensus():
    g = Genotype(c=[("C*07:02", "C*04:01"), ("C*07:01", "C*07:02")])
    assert g.has_alternatives and g.c == (("C*04:01", "C*07:02"), ("C*07:01", "C*07:02"))
    profile = kirmatch.ligand_profile(g)
    assert profile.presence("C1") is kirmatch.Presence.PRESENT
    assert profile.presence("C2") is kirmatch.Presence.POSSIBLE


def test_gl_strings():
    gl = "HLA-A*01:01+HLA-A*02:01^HLA-B*57:01+HLA-B*08:01^HLA-C*07:02+HLA-C*04:01"
    assert Genotype.from_gl(gl) == Genotype.from_strings(*SIX)
    ambiguous = Genotype.from_gl("HLA-C*07:02+HLA-C*04:01|HLA-C*07:02+HLA-C*07:01")
    assert ambiguous.has_alternatives
    assert kirmatch.ligand_profile(ambiguous).presence("C2") is kirmatch.Presence.POSSIBLE
    m = kirmatch.kir_ligand_mismatch(gl, {"A": SIX[:2], "B": ("B*08:01", "B*07:02"), "C": ("C*07:02", "C*03:04")})
    assert m.gvh_ligands == (kirmatch.KirLigand.C2, kirmatch.KirLigand.BW4)
