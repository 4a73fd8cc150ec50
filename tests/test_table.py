"""The bundled table: reproducible byte for byte from the release, complete, and internally consistent."""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter
from pathlib import Path

import pytest

from kirmatch.build_hla_table import TABLE_COLUMNS
from kirmatch.reference import get_reference, reference_info

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "kirmatch" / "_data"


@pytest.mark.parametrize("name", ["hla_groups.csv", "hla_history.csv"])
def test_rebuild_is_byte_identical(built_table: Path, name: str) -> None:
    rebuilt = built_table.with_name(name).read_bytes()
    assert rebuilt == (DATA / name).read_bytes(), f"src/kirmatch/_data/{name} differs from a rebuild: run kirmatch build-table"


def test_rebuild_provenance_matches(built_table: Path) -> None:
    rebuilt = json.loads(built_table.with_suffix(".json").read_text())
    bundled = json.loads((DATA / "hla_groups.json").read_text())
    assert rebuilt == bundled


def test_every_class_i_allele_of_the_release_has_a_row(imgt_dir: Path) -> None:
    listed = [
        line.split(",", 1)[1].strip()
        for line in (imgt_dir / "Allelelist.txt").read_text().splitlines()
        if line[:3] == "HLA" and line.split(",", 1)[1][:2] in {"A*", "B*", "C*"}
    ]
    names = [r.allele for r in get_reference().records]
    assert names == listed
    assert len(names) == 27225


def test_provenance_is_reported_and_matches_the_file() -> None:
    info = reference_info()
    assert info.release == "3.58.0"
    assert info.release_date == "2024-10-09"
    assert info.alleles == 27225
    assert info.table_sha256 == hashlib.sha256(Path(info.path).read_bytes()).hexdigest()
    assert set(info.inputs_sha256) >= {"A_prot.fasta", "B_prot.fasta", "C_prot.fasta", "Allelelist.txt"}
    assert "build-table" in info.build_command


def test_provenance_hashes_are_those_of_the_release_files(imgt_dir: Path) -> None:
    for name, digest in reference_info().inputs_sha256.items():
        assert hashlib.sha256((imgt_dir / name).read_bytes()).hexdigest() == digest, name


def _rows() -> list[dict[str, str]]:
    with (DATA / "hla_groups.csv").open(newline="") as fh:
        return list(csv.DictReader(fh))


def test_columns_and_value_domains() -> None:
    rows = _rows()
    assert tuple(rows[0]) == TABLE_COLUMNS
    for row in rows:
        assert row["locus"] in {"A", "B", "C"}
        assert row["expression"] in {"", "N", "L", "S", "Q", "C", "A"}
        assert row["epitope"] in {"", "C1", "C2", "Bw4", "Bw6"}
        assert row["bw4_80"] == "" or (row["epitope"] == "Bw4" and row["bw4_80"].startswith("80"))
        # ligand is the epitope exactly when the protein reaches the cell surface
        expressed = row["expression"] not in {"N", "S", "C"}
        assert row["expressed"] == ("true" if expressed else "false")
        assert row["ligand"] == (row["epitope"] if expressed else "")
        # locus-specific epitopes
        allowed = {"A": {"", "Bw4"}, "B": {"", "Bw4", "Bw6", "C1", "C2"}, "C": {"", "C1", "C2"}}[row["locus"]]
        assert row["epitope"] in allowed
        assert row["protein"] == row["allele"].rstrip("NLSQCA")[: len(row["protein"])]
        if row["classified"] == "false":
            assert row["epitope"] == "" and row["note"], row
        if row["residues_76_83"]:
            assert len(row["residues_76_83"]) == 8


def test_alleles_of_one_protein_share_residues_and_epitope() -> None:
    """Same first two fields = same protein: every classified allele of a protein agrees."""
    by_protein: dict[str, set[tuple[str, str]]] = {}
    for row in _rows():
        if row["residues_76_83"] and row["expressed"] == "true":
            by_protein.setdefault(row["protein"], set()).add((row["residues_76_83"], row["epitope"]))
    disagreeing = {p: v for p, v in by_protein.items() if len(v) > 1}
    assert not disagreeing


def test_every_expressed_allele_has_its_residues() -> None:
    missing = [r["allele"] for r in _rows() if r["expressed"] == "true" and not r["residues_76_83"]]
    assert missing == []


def test_motif_anchored_reading_agrees_with_the_alignment(imgt_dir: Path) -> None:
    """An independent read: where a record has the conserved G56-P57-E58 anchor and the Tyr-Asn-Gln motif (84-87
    in most alleles) exactly 28 residues after G56, with Arg75 in place, residues 76-83 sit at fixed distances from the anchor."""
    import re

    from kirmatch.build_hla_table import read_fasta

    by_name = {r["allele"]: r for r in _rows()}
    anchor = re.compile(r"GPEYW")
    checked = 0
    for locus in "ABC":
        for name, sequence in read_fasta(imgt_dir / f"{locus}_prot.fasta").items():
            row = by_name[name]
            m = anchor.search(sequence)
            if not m or row["residues_from"] or not row["residues_76_83"]:
                continue
            start = m.start()  # mature position 56
            if sequence[start + 19] != "R" or sequence[start + 28 : start + 31] not in {"YYN", "YNQ", "YYH", "HYN"}:
                continue  # Arg75 and the 84-86 motif both in place: no indel between the anchors
            assert sequence[start + 20 : start + 28] == row["residues_76_83"], name
            checked += 1
    assert checked > 20000


def test_history_replacements_are_current_names() -> None:
    reference = get_reference()
    current = set(reference.by_name)
    prefixes = {key for key in reference.by_prefix}
    with (DATA / "hla_history.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows
    for row in rows:
        replacement = row["replacement"]
        if replacement:
            locus, _, rest = replacement.partition("*")
            fields = tuple(rest.rstrip("NLSQCA").split(":"))
            assert replacement in current or (locus, fields) in prefixes, row
            assert len(fields) >= 2, row  # never only an allele group
    by_name = {row["name"]: row for row in rows}
    assert by_name["C*03:99:01"]["replacement"] == "C*01:169:01"
    assert by_name["A*01:34N"]["replacement"] == "A*01:01:38L"


def test_serology_columns() -> None:
    by_name = {r["allele"]: r for r in _rows()}
    assert by_name["B*51:02:01"]["serology_broad"].split("/")[-1] == "B5" if "B*51:02:01" in by_name else True
    row = by_name["A*66:01:01:01"]
    assert row["serology"] == "A66" and set(row["serology_other"].split("/")) == {"A26", "A34"}
    assert "A10" in row["serology_broad"].split("/")
    assert by_name["C*07:02:01:01"]["serology"] == "Cw7"


def test_flags_follow_the_rules() -> None:
    rows = _rows()
    for row in rows:
        flags = set(filter(None, row["flags"].split(";")))
        if "b_locus_c1_literature" in flags:
            assert row["protein"] in {"B*46:01", "B*73:01"} and row["epitope"] == "C1"
        if "b_locus_c1_inferred" in flags:
            assert row["locus"] == "B" and row["epitope"] == "C1" and row["protein"] not in {"B*46:01", "B*73:01"}
        if row["locus"] == "B" and row["epitope"] == "C1":
            assert flags & {"b_locus_c1_literature", "b_locus_c1_inferred"}
            assert row["residues_76_83"][0] == "V" and row["residues_76_83"][4] == "N"
        assert ("a3_a11_by_group" in flags) == (row["allele"][:4] in {"A*03", "A*11"})
        assert ("low_expression" in flags) == (row["expression"] == "L")
        assert ("questionable" in flags) == (row["expression"] == "Q")
        if "bw4_weak_functional" in flags:
            assert row["epitope"] == "Bw4"
            assert row["allele"].startswith("A*25") or row["protein"] in {"B*13:01", "B*13:02"}
        if "noncanonical_77_80" in flags:
            assert row["locus"] == "C"
            r77, r80 = row["residues_76_83"][1], row["residues_76_83"][4]
            assert (r77, r80) not in {("S", "N"), ("N", "K")}


def test_alleles_without_a_protein_record_still_have_a_row(imgt_dir: Path) -> None:
    from kirmatch.build_hla_table import read_fasta

    with_record: set[str] = set()
    for locus in "ABC":
        with_record |= set(read_fasta(imgt_dir / f"{locus}_prot.fasta"))
    missing = [r for r in get_reference().records if r.allele not in with_record]
    assert len(missing) == 6
    assert all(r.expression == "N" and not r.expressed and r.ligand == "" for r in missing)


def test_locus_counts() -> None:
    assert Counter(r["locus"] for r in _rows()) == {"A": 8472, "B": 10183, "C": 8570}
