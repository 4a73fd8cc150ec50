"""Issue 13: per-donor KIR typing in frames and ``kirmatch screen``: KIR columns found by name and read row by row by
the models that need them."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

import kirmatch
import kirmatch.frame as kf
from kirmatch.cli import main

RECIPIENT = "A*01:01+A*03:01^B*08:01+B*07:02^C*07:01+C*07:02"  # lacks C2 and Bw4
HLA = {"A1": "A*02:01", "A2": "A*03:01", "B1": "B*15:01", "B2": "B*07:02", "C1": "C*03:04", "C2": "C*07:02"}


def _donors(**kir: list[object]) -> pd.DataFrame:
    n = len(next(iter(kir.values())))
    return pd.DataFrame({**{k: [v] * n for k, v in HLA.items()}, **kir})


def test_per_gene_columns_are_read_row_by_row_as_the_scalar_api_reads_each_row() -> None:
    donors = _donors(KIR2DL1=["POS", "NEG", "KIR2DL1*003", None], KIR3DL1=["1", "1", "0", "POS"], KIR2DL3=["POS"] * 4)
    assert kf.find_kir_columns(donors) == {"2DL1": "KIR2DL1", "3DL1": "KIR3DL1", "2DL3": "KIR2DL3"}
    out = kf.mismatch_against(donors, RECIPIENT, model="receptor-ligand")
    for i, row in donors.iterrows():
        kir = kirmatch.KirGenotype.from_genes({g: row[f"KIR{g}"] for g in ("2DL1", "3DL1", "2DL3")})
        scalar = kirmatch.kir_ligand_mismatch(HLA_GL, RECIPIENT, model="receptor-ligand", donor_kir=kir)
        assert out.loc[i, "kir_gvh_C2"] == scalar.gvh("C2").value
        assert out.loc[i, "kir_gvh_Bw4"] == scalar.gvh("Bw4").value
    assert out["kir_gvh_C2"].tolist() == ["present", "absent", "present", "possible"]


HLA_GL = "A*02:01+A*03:01^B*15:01+B*07:02^C*03:04+C*07:02"


def test_a_gene_content_column_and_bad_cells_are_flagged() -> None:
    donors = _donors(KIR=["2DL1 2DL3 3DL1", "2DL3", "2DL9"])
    out = kf.mismatch_against(donors, RECIPIENT, model="receptor-ligand", errors="flag")
    assert out["kir_gvh_C2"].tolist()[:2] == ["present", "absent"]
    assert out["kir_error_code"].tolist()[2] == "bad_kir_typing" and pd.isna(out["kir_gvh_C2"].iloc[2])
    with pytest.raises(kirmatch.KirTypingError, match="row 2"):
        kf.mismatch_against(donors, RECIPIENT, model="receptor-ligand")


def test_without_kir_columns_a_kir_model_says_what_is_missing() -> None:
    with pytest.raises(kirmatch.KirTypingError, match="KIR columns"):
        kf.mismatch_against(pd.DataFrame({k: [v] for k, v in HLA.items()}), RECIPIENT, model="receptor-ligand")
    # the ligand-ligand model never reads them
    donors = _donors(KIR=["2DL9"])
    assert kf.mismatch_against(donors, RECIPIENT)["kir_error"].isna().all()


def test_screen_reads_the_files_kir_columns(tmp_path: Path) -> None:
    donors = _donors(KIR2DL1=["POS", "NEG"], KIR2DL3=["POS", "POS"], KIR3DL1=["POS", "NEG"])
    donors.insert(0, "id", ["d1", "d2"])
    donors.to_csv(tmp_path / "donors.csv", index=False)
    out, err = io.StringIO(), io.StringIO()
    code = main(["screen", str(tmp_path / "donors.csv"), "--recipient", RECIPIENT, "--model", "receptor-ligand",
                 "-o", str(tmp_path / "ranked.csv"), "-q"], out=out, err=err)
    assert code == 0, err.getvalue()
    ranked = pd.read_csv(tmp_path / "ranked.csv")
    assert ranked["id"].tolist() == ["d1", "d2"]
    assert ranked["kir_gvh_incompatible"].tolist() == ["present", "absent"]


def test_b_content_and_activating_kir_break_ties(tmp_path: Path) -> None:
    """Cooley et al. 2010 (B-content: Best, Better, Neutral) and Mancusi et al. 2015 (donors with KIR2DS1 and/or
    KIR3DS1) as tie-breakers after the protocol verdict."""
    donors = _donors(KIR=["2DL1 2DL3 3DL1 2DS4 3DL2 3DL3 2DL4 3DP1",
                          "2DL1 2DL2 2DS2 3DS1 2DS1 3DL2 3DL3 2DL4 3DP1",
                          ""])
    findings = kf.kir_findings(donors)
    assert findings["kir_b_content"].tolist()[:2] == ["Neutral", "Best"] and pd.isna(findings["kir_b_content"].iloc[2])
    assert findings["kir_activating"].tolist() == ["absent", "present", "possible"]
    result = kf.mismatch_against(donors, RECIPIENT)
    assert kf.rank_order(donors, result).tolist() == [0, 1, 2]
    assert kf.rank_order(donors, result, kir_tie_breakers=findings).tolist() == [1, 0, 2]
    with pytest.raises(kirmatch.ColumnError, match="no KIR columns"):
        kf.kir_findings(pd.DataFrame({k: [v] for k, v in HLA.items()}))
    donors.insert(0, "id", ["d1", "d2", "d3"])
    donors.to_csv(tmp_path / "donors.csv", index=False)
    assert main(["screen", str(tmp_path / "donors.csv"), "--recipient", RECIPIENT, "-o", str(tmp_path / "r.csv"),
                 "-q", "--kir-tie-breakers"], out=io.StringIO(), err=io.StringIO()) == 0
    ranked = pd.read_csv(tmp_path / "r.csv")
    assert ranked["id"].tolist() == ["d2", "d1", "d3"] and "kir_b_content" in ranked.columns
