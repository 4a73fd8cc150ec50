"""The ``kirmatch`` command: output lines, exit codes and error messages."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from kirmatch.cli import main


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_classify_prints_one_line_per_name() -> None:
    code, out, err = run("classify", "C*07:02", "B*44:02", "C*04:09N", "C*07")
    assert code == 0 and not err
    lines = [line.split("\t") for line in out.splitlines()]
    assert lines[0] == ["name", "locus", "ligand", "bw4_80", "expressed", "status", "alleles"]
    assert lines[1][:6] == ["C*07:02", "C", "C1", "-", "yes", "determined"]
    assert lines[2][:6] == ["B*44:02", "B", "Bw4", "80T", "yes", "determined"]
    assert lines[3][:6] == ["C*04:09N", "C", "none", "-", "no", "not expressed"]
    assert lines[4][2] == "C1/C2?" and lines[4][5] == "ambiguous"


def test_classify_reports_bad_names_and_goes_on() -> None:
    code, out, err = run("classify", "Q*01", "C*07:02")
    assert code == 1
    assert "AlleleNameError" in err and "'Q*01'" in err
    assert "C*07:02\tC\tC1" in out


def test_classify_json() -> None:
    code, out, _ = run("classify", "--json", "A*24:02", "nonsense")
    data = json.loads(out)
    assert code == 1
    assert data[0]["ligand"] == "Bw4" and data[0]["bw4_80"] == "80I"
    assert data[1]["error"] == "AlleleNameError"


def test_info() -> None:
    code, out, _ = run("info", "--json")
    assert code == 0 and json.loads(out)["release"] == "3.58.0"


def test_build_table_refuses_a_directory_that_is_not_a_release(tmp_path: Path) -> None:
    code, _, err = run("build-table", "--imgt", str(tmp_path), "--out", str(tmp_path / "t.csv"))
    assert code == 1 and "not an IPD-IMGT/HLA release directory" in err and "A_prot.fasta" in err


def test_usage_errors_exit_2() -> None:
    with pytest.raises(SystemExit) as info:
        run("classify")
    assert info.value.code == 2


def test_python_dash_m() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kirmatch", "classify", "B*46:01"], capture_output=True, text=True
    )
    assert done.returncode == 0 and "B*46:01\tB\tC1" in done.stdout


def test_screen_ranks_a_csv_and_keeps_every_row(tmp_path: Path) -> None:
    donors = tmp_path / "donors.csv"
    donors.write_text(
        "donor_id,A1,A2,B1,B2,C1,C2\n"
        "d1,A*01:01,A*02:01,B*08:01,B*07:02,C*07:02,C*03:04\n"
        "d2,A*01:01,A*02:01,B*57:01,B*08:01,C*07:02,C*04:01\n"
        "d3,A*01:01,nonsense,B*08:01,B*07:02,C*07:02,C*04:01\n"
        "d4,A*01:01,A*02:01,B*08:01,,C*07:02,C*04:01\n"
    )
    ranked = tmp_path / "ranked.csv"
    code, out, err = run(
        "screen", str(donors), "--recipient", "A*01:01", "A*03:01", "B*08:01", "B*07:02", "C*07:02", "C*03:04",
        "-o", str(ranked),
    )
    assert code == 0, err
    assert "4 donors screened" in out and "1 unreadable" in out
    import pandas as pd

    table = pd.read_csv(ranked, dtype=str)
    assert list(table["donor_id"]) == ["d2", "d4", "d1", "d3"]
    assert list(table["kir_rank"]) == ["1", "2", "3", "4"]
    assert table.loc[3, "kir_error"].startswith("column 'A2'")


def test_screen_reports_a_bad_recipient(tmp_path: Path) -> None:
    donors = tmp_path / "donors.csv"
    donors.write_text("A1,A2,B1,B2,C1,C2\nA*01:01,A*02:01,B*08:01,B*07:02,C*07:02,C*03:04\n")
    code, _, err = run("screen", str(donors), "--recipient", "C*99:99", "-o", str(tmp_path / "o.csv"))
    assert code == 1 and "recipient" in err


def test_screen_reads_and_writes_parquet(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    import pandas as pd

    donors = pd.DataFrame(
        [["A*01:01", "A*02:01", "B*57:01", "B*08:01", "C*07:02", "C*04:01"]] * 3, columns=["A1", "A2", "B1", "B2", "C1", "C2"]
    )
    donors.to_parquet(tmp_path / "donors.parquet")
    code, _out, err = run(
        "screen", str(tmp_path / "donors.parquet"), "--recipient", "A*01:01+A*03:01^B*08:01+B*07:02^C*07:02+C*03:04",
        "-o", str(tmp_path / "ranked.parquet"),
    )
    assert code == 0, err
    ranked = pd.read_parquet(tmp_path / "ranked.parquet")
    assert len(ranked) == 3 and set(ranked["kir_gvh_incompatible"]) == {"present"}
