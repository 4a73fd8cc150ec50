"""The bundled KIR allele table: reproducible byte for byte from IPD-KIR 2.13.0, complete, and what it reads from
sequence agrees with the literature's description of the variants."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import pytest

from kirmatch.build_kir_table import KIR_TABLE_COLUMNS
from kirmatch.cli import main
from kirmatch.kir_reference import kir_records, kir_table_info, resolve_kir_allele

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "kirmatch" / "_data"


@pytest.mark.parametrize("name", ["kir_alleles.csv", "kir_history.csv", "kir_alleles.json"])
def test_rebuild_is_byte_identical(built_kir_table: Path, name: str) -> None:
    rebuilt = built_kir_table.with_name(name).read_bytes()
    assert rebuilt == (DATA / name).read_bytes(), f"src/kirmatch/_data/{name} differs: run kirmatch build-kir-table"


def test_one_row_per_allele_of_allelelist(ipd_kir_dir: Path) -> None:
    listed = [
        line.split(",", 1)[1].strip()
        for line in (ipd_kir_dir / "Allelelist.txt").read_text().splitlines()
        if line.startswith("KIR") and "*" in line
    ]
    assert [r.allele for r in kir_records()] == listed
    assert kir_table_info()["alleles"] == len(listed) == 2219


def test_provenance_hashes_are_those_of_the_release_files(ipd_kir_dir: Path) -> None:
    info = kir_table_info()
    assert info["release"] == "2.13.0"
    hashes = info["inputs_sha256"]
    assert isinstance(hashes, dict) and "KIR2DL1_prot.fasta" in hashes
    for name, digest in hashes.items():
        assert hashlib.sha256((ipd_kir_dir / str(name)).read_bytes()).hexdigest() == digest, name
    table = (DATA / "kir_alleles.csv").read_bytes()
    assert hashlib.sha256(table).hexdigest() == info["table_sha256"]


def test_cli_builds_the_table(ipd_kir_dir: Path, tmp_path: Path) -> None:
    pytest.importorskip("Bio")
    out, err = io.StringIO(), io.StringIO()
    assert main(["build-kir-table", "--ipd-kir", str(ipd_kir_dir), "--out", str(tmp_path / "k.csv")], out=out, err=err) == 0
    assert "2219 alleles of IPD-KIR 2.13.0" in out.getvalue()
    assert main(["build-kir-table", "--ipd-kir", str(tmp_path), "--out", str(tmp_path / "x.csv")], out=out, err=err) == 1


def test_columns_and_value_domains() -> None:
    with (DATA / "kir_alleles.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0]) == KIR_TABLE_COLUMNS
    for row in rows:
        assert row["allele"].startswith(row["protein"]) and row["protein"].startswith(row["gene"] + "*")
        assert row["expressed"] in {"true", "false", "questionable"}
        assert row["residue_245"] == "" or row["gene"] == "KIR2DL1"
        assert row["kir2ds4_deletion"] in {"", "true", "false"} and (row["kir2ds4_deletion"] == "" or row["gene"] == "KIR2DS4")
        assert (row["kir3dl1_expression"] != "") == (row["gene"] == "KIR3DL1")
        if row["suffix"] == "N":
            assert row["expressed"] == "false"


def test_kir2dl1_residue_245_is_the_arg_cys_dimorphism() -> None:
    # Bari et al. (Sci Rep 2016;6:23689): "KIR2DL1 alleles with arginine in position 245 of the transmembrane domain
    # (KIR2DL1-R245) are stronger than those with cysteine (KIR2DL1-C245)". Read from sequence, 245 is R or C in
    # nearly all alleles, with both common.
    values = [r.residue_245 for r in kir_records() if r.gene == "KIR2DL1" and r.residue_245]
    assert values.count("R") > 100 and values.count("C") > 50
    assert set(values) <= {"R", "C", "H"}


def test_kir2ds4_deletion_alleles_are_not_expressed() -> None:
    # Middleton et al. (Hum Immunol 2007;68:128): the 22-bp deletion variant "is not anchored to the cell membrane".
    # KIR2DS4*003 is the deletion allele that paper studies; *001 is the full-length allele.
    assert resolve_kir_allele("KIR2DS4*003").kir2ds4_deletion == "true"
    assert resolve_kir_allele("KIR2DS4*003").expressed == "false"
    assert resolve_kir_allele("KIR2DS4*001").kir2ds4_deletion == "false"


def test_kir3dl1_groups_are_only_the_verified_ones() -> None:
    groups = {r.protein: r.kir3dl1_expression for r in kir_records() if r.gene == "KIR3DL1"}
    assert groups["KIR3DL1*004"] == "retained" and groups["KIR3DL1*002"] == "high"
    assert {g for p, g in groups.items() if p not in {"KIR3DL1*004", "KIR3DL1*002"}} == {"unknown"}
    assert json.loads((DATA / "kir_alleles.json").read_text())["sources"]["kir3dl1_expression"]
