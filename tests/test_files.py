"""Issue 14: lab files in, clinician files out. Each test is one item of the issue: the file shapes labs have, one
clear line for a broken file, the ranked file a clinician opens, and the checks that stop data loss."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import kirmatch
import kirmatch.frame
from kirmatch import ColumnError, Genotype, KirmatchError, MacTableError, ProtocolValueError, ReferenceTableError
from kirmatch.cli import main
from kirmatch.tables_io import neutralise_formulas

ROOT = Path(__file__).resolve().parents[1]
RECIPIENT = ["--recipient", "A*01:01 A*03:01 B*08:01 B*07:02 C*07:02 C*03:04"]
# id, typing (A A B B C C), age: d2 and d5 are certainly incompatible (C2, Bw4), d4 too (C2; Bw4 possible: B2 is
# missing), d1 compatible, d3 unreadable. Ages with 1, 2 and 3 digits, so that text order and number order differ.
DONORS = [
    ("d1", "A*01:01", "A*02:01", "B*08:01", "B*07:02", "C*07:02", "C*03:04", "9"),
    ("d2", "A*01:01", "A*02:01", "B*57:01", "B*08:01", "C*07:02", "C*04:01", "100"),
    ("d3", "A*01:01", "nonsense", "B*08:01", "B*07:02", "C*07:02", "C*04:01", "25"),
    ("d4", "A*01:01", "A*02:01", "B*08:01", None, "C*07:02", "C*04:01", "10"),
    ("d5", "A*24:02", "A*02:01", "B*57:01", "B*08:01", "C*07:02", "C*04:01", "30"),
]
SLOTS = ["A1", "A2", "B1", "B2", "C1", "C2"]
COMPARED = ["donor_id", "kir_rank", "kir_verdict", "kir_deciding_alleles", "kir_gvh_C1", "kir_gvh_C2", "kir_gvh_Bw4",
            "kir_gvh_incompatible"]


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def frame() -> pd.DataFrame:
    return pd.DataFrame(DONORS, columns=["donor_id", *SLOTS, "age"])


def screen(path: Path, tmp_path: Path, *options: str, output: str = "ranked.csv", by: bool = True) -> pd.DataFrame:
    out = tmp_path / output
    code, _, err = run("screen", str(path), *RECIPIENT, "-o", str(out), *(["--by", "age"] if by else []), *options)
    assert code == 0, err
    return pd.read_csv(out, dtype=str, keep_default_na=False)


def pair(a: object, b: object, sep: str) -> str:
    return sep.join(x for x in (a, b) if isinstance(x, str) and x)


def shapes(tmp_path: Path) -> dict[str, tuple[Path, tuple[str, ...]]]:
    """The same registry in every file shape the issue lists."""
    base = frame()
    made: dict[str, tuple[Path, tuple[str, ...]]] = {}

    def text(name: str, body: str, encoding: str = "utf-8", *options: str) -> None:
        path = tmp_path / name
        path.write_bytes(body.encode(encoding))
        made[name] = (path, options)

    plain = base.to_csv(index=False)
    text("plain.csv", plain)
    text("excel-eu.csv", "\ufeff" + base.to_csv(index=False, sep=";"))
    text("utf16.csv", plain, "utf-16")
    text("tab.tsv", base.to_csv(index=False, sep="\t"))
    doubled = base.rename(columns={"A1": "HLA-A", "A2": "HLA-A.1", "B1": "HLA-B", "B2": "HLA-B.1", "C1": "HLA-C",
                                   "C2": "HLA-C.1"})
    text("doubled-headers.csv", doubled.to_csv(index=False))
    for name, sep in (("cells-comma.csv", ", "), ("cells-plus.csv", "+"), ("cells-space.csv", " ")):
        cells = pd.DataFrame({
            "donor_id": base["donor_id"],
            **{f"HLA-{locus}": [pair(a, b, sep) for a, b in zip(base[f"{locus}1"], base[f"{locus}2"], strict=True)]
               for locus in "ABC"},
            "age": base["age"],
        })
        text(name, cells.to_csv(index=False))
    gl = pd.DataFrame({
        "donor_id": base["donor_id"],
        "gl": ["^".join(pair(r[f"{locus}1"], r[f"{locus}2"], "+") for locus in "ABC") for _, r in base.iterrows()],
        "age": base["age"],
    })
    text("gl.csv", gl.to_csv(index=False))
    if _has("openpyxl"):
        base.to_excel(tmp_path / "registry.xlsx", index=False)
        made["registry.xlsx"] = (tmp_path / "registry.xlsx", ())
    if _has("pyarrow"):
        base.set_index("donor_id").to_parquet(tmp_path / "registry.parquet")  # ids as the index
        made["registry.parquet"] = (tmp_path / "registry.parquet", ())
    return made


def _has(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


# ---------------------------------------------------------------------------------------- one registry, any shape


def test_the_same_registry_in_every_file_shape_gives_the_same_ranked_file(tmp_path: Path) -> None:
    made = shapes(tmp_path)
    expected = screen(made["plain.csv"][0], tmp_path)[COMPARED]
    # the protocol order: certainly incompatible first, then by age as numbers (10 < 30 < 100), unreadable last
    assert expected["donor_id"].tolist() == ["d4", "d5", "d2", "d1", "d3"]
    assert expected.loc[0, "kir_verdict"] == "GvH KIR-ligand incompatible: C2; possibly also Bw4"
    assert expected.loc[1, "kir_deciding_alleles"] == "C2: C*04:01; Bw4: A*24:02, B*57:01"  # d5: two Bw4 alleles
    assert expected.loc[2, "kir_deciding_alleles"] == "C2: C*04:01; Bw4: B*57:01"
    for name, (path, options) in made.items():
        got = screen(path, tmp_path, *options, output=f"out-{name}.csv")[COMPARED]
        assert got.equals(expected), f"{name}:\n{got}\n{expected}"


def test_standard_input_and_output(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kirmatch", "screen", "-", *RECIPIENT, "-o", "-", "--by", "age"],
        input=frame().to_csv(index=False), capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    assert done.returncode == 0, done.stderr
    ranked = pd.read_csv(io.StringIO(done.stdout), dtype=str)
    assert ranked["donor_id"].tolist() == ["d4", "d5", "d2", "d1", "d3"]
    assert "5 donors screened" in done.stderr  # the summary goes to stderr when the list goes to stdout


def test_parquet_index_ids_are_kept_first(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    frame().set_index("donor_id").to_parquet(tmp_path / "r.parquet")
    code, _, err = run("screen", str(tmp_path / "r.parquet"), *RECIPIENT, "-o", str(tmp_path / "o.parquet"))
    assert code == 0, err
    ranked = pd.read_parquet(tmp_path / "o.parquet")
    assert list(ranked.columns[:3]) == ["donor_id", "kir_rank", "kir_verdict"]
    assert sorted(ranked["donor_id"]) == ["d1", "d2", "d3", "d4", "d5"]


def test_xlsx_round_trip_and_a_missing_extra_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("openpyxl")
    frame().to_excel(tmp_path / "r.xlsx", index=False)
    code, _, err = run("screen", str(tmp_path / "r.xlsx"), *RECIPIENT, "-o", str(tmp_path / "o.xlsx"))
    assert code == 0, err
    assert len(pd.read_excel(tmp_path / "o.xlsx")) == 5
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "openpyxl" else real(name, *a))
    code, _, err = run("screen", str(tmp_path / "r.xlsx"), *RECIPIENT, "-o", str(tmp_path / "o2.csv"))
    assert code == 1 and err.count("\n") == 1 and "pip install 'kirmatch[xlsx]'" in err


def test_a_column_holding_both_alleles_is_split_and_never_read_twice(tmp_path: Path) -> None:
    cells = pd.DataFrame({"HLA-A": ["A*01:01/A*24:02", "A*01:01+A*24:02", "A*01:01 A*02:01 A*03:01"],
                          "HLA-B": ["B*08:01+B*07:02"] * 3, "HLA-C": ["C*07:02+C*04:01"] * 3})
    (tmp_path / "c.csv").write_text(cells.to_csv(index=False))
    ranked = screen(tmp_path / "c.csv", tmp_path, "--columns", "full", by=False)
    by_line = ranked.set_index("kir_line")
    assert "'/' means 'either of'" in by_line.loc["2", "kir_error"]
    assert by_line.loc["3", "kir_error"] == "" and by_line.loc["3", "kir_gvh_C2"] == "present"
    assert "holds 3 alleles" in by_line.loc["4", "kir_error"]
    # pointing both slots at it is refused, on the command line and in the frame functions
    code, _, err = run("screen", str(tmp_path / "c.csv"), *RECIPIENT, "-o", str(tmp_path / "o.csv"),
                       "--hla-column", "A=HLA-A,HLA-A", "--hla-column", "B=HLA-B", "--hla-column", "C=HLA-C")
    assert code == 1 and "both alleles point at column 'HLA-A'" in err
    with pytest.raises(ColumnError, match="for both HLA-A alleles"):
        kirmatch.frame.mismatch_against(cells, "A*01:01+A*03:01^B*08:01+B*07:02^C*07:02+C*03:04",
                                        columns={"A": ("HLA-A", "HLA-A"), "B": ("HLA-B", "HLA-B"), "C": ("HLA-C", "HLA-C")})


# ------------------------------------------------------------------------------------------ one line, no traceback


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"A1,A2,B1,B2,C1,C2\nA*01:01,A*02:01,B*08:01\n", "line 2 has 3 fields, the header (line 1) has 6"),
        (b"A1,A2,B1,B2,C1,C2\nA*01:01,A*02:01,B*08:01,B*07:02,C*07:02,C*04:01,extra\n", "line 2 has 7 fields"),
        (b"", "is empty"),
        (b"\n\n", "is empty"),
        (b'A1,A2,B1,B2,C1,C2\n"A*01:01,A*02:01,B*08:01,B*07:02,C*07:02,C*04:01\n', "unclosed quote"),
        ("A1,A2,B1,B2,C1,C2,name\nA*01:01,A*02:01,B*08:01,B*07:02,C*07:02,C*04:01,Jos\u00e9\n".encode("latin-1"),
         "is not UTF-8 text (byte 0xe9 on line 2)"),
        ("A1,A2,B1,B2,C1,C2\n".encode("utf-16-le"), "NUL bytes"),
        (b"A1,A2,B1,B2,C1,C2\n", "has a header but no donor rows"),
    ],
)
def test_a_broken_csv_is_one_clear_line(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "donors.csv"
    path.write_bytes(content)
    code, out, err = run("screen", str(path), *RECIPIENT, "-o", str(tmp_path / "o.csv"))
    assert code == 1 and out == "" and err.count("\n") == 1 and message in err, err
    assert not (tmp_path / "o.csv").exists()


def test_a_named_encoding_is_read(tmp_path: Path) -> None:
    path = tmp_path / "donors.csv"
    path.write_bytes(frame().assign(name="Jos\u00e9").to_csv(index=False).encode("latin-1"))
    ranked = screen(path, tmp_path, "--encoding", "latin-1")
    assert set(ranked["name"]) == {"Jos\u00e9"}


def test_bad_paths_and_options(tmp_path: Path) -> None:
    path = tmp_path / "donors.csv"
    path.write_text(frame().to_csv(index=False))
    with pytest.raises(SystemExit) as info:
        run("screen", str(path), *RECIPIENT, "-o", str(tmp_path / "o.csv"), "--chunk-size", "0")
    assert info.value.code == 2
    code, _, err = run("screen", str(path), *RECIPIENT, "-o", str(tmp_path))
    assert code == 1 and "is a directory" in err
    code, _, err = run("screen", str(tmp_path), *RECIPIENT, "-o", str(tmp_path / "o.csv"))
    assert code == 1 and "is a directory" in err and err.count("\n") == 1
    code, _, err = run("screen", str(tmp_path / "missing.csv"), *RECIPIENT, "-o", str(tmp_path / "o.csv"))
    assert code == 1 and "cannot read" in err


def test_build_table_checks_its_output_before_building(tmp_path: Path) -> None:
    for out in (tmp_path / "hla_history.csv", tmp_path):
        code, _, err = run("build-table", "--imgt", str(tmp_path), "--out", str(out))
        assert code == 1 and "--out" in err and "not an IPD-IMGT/HLA release" not in err


def test_frame_functions_refuse_what_is_not_a_frame() -> None:
    for call in (lambda: kirmatch.frame.ligand_profiles([["A*01:01"]]),  # type: ignore[arg-type]
                 lambda: kirmatch.frame.mismatch_against("A1,A2", "A*01:01+A*02:01")):  # type: ignore[arg-type]
        with pytest.raises(ColumnError, match="must be a pandas DataFrame") as info:
            call()
        assert info.value.code.value == "bad_frame"


def test_genotype_model_validate_raises_kirmatch_errors() -> None:
    with pytest.raises(KirmatchError, match="HLA-A allele 1"):
        Genotype.model_validate({"a": ("B*08:01", None)})
    with pytest.raises(KirmatchError):
        Genotype.model_validate(5)
    assert str(Genotype.model_validate({"a": ("A*01:01", "A*02:01")})) == "A*01:01+A*02:01"


# ------------------------------------------------------------------------------------------------- wrong answers


def test_ids_rows_and_columns_are_kept_and_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "donors.csv"
    path.write_text(frame().to_csv(index=False))
    ranked = screen(path, tmp_path)
    assert list(ranked.columns[:4]) == ["donor_id", "kir_rank", "kir_verdict", "kir_deciding_alleles"]
    assert list(ranked.columns[-7:]) == [*SLOTS, "age"] and len(ranked) == 5
    # every row keeps its file line, so a donor can be found in the file
    assert {r.donor_id: int(r.kir_line) for r in ranked.itertuples()} == {"d1": 2, "d2": 3, "d3": 4, "d4": 5, "d5": 6}
    path.write_text(frame().assign(kir_rank="7").to_csv(index=False))
    code, _, err = run("screen", str(path), *RECIPIENT, "-o", str(tmp_path / "o.csv"))
    assert code == 1 and "kir_rank" in err and "never overwrites" in err


def test_orders(tmp_path: Path) -> None:
    path = tmp_path / "donors.csv"
    path.write_text(frame().to_csv(index=False))
    assert screen(path, tmp_path)["donor_id"].tolist() == ["d4", "d5", "d2", "d1", "d3"]
    most = screen(path, tmp_path, "--order", "most-mismatched")["donor_id"].tolist()
    assert most == ["d5", "d2", "d4", "d1", "d3"]  # two certain ligands before one, then by age


@given(st.lists(st.integers(-1000, 1000), min_size=2, max_size=12))
def test_numbers_in_a_text_column_sort_as_numbers(ages: list[int]) -> None:
    donors = pd.DataFrame({"age": pd.array([str(a) for a in ages], dtype="string")})
    result = kirmatch.frame.mismatch_schema().reindex(range(len(ages)))
    for c in result.columns:
        result[c] = result[c].astype(kirmatch.frame.mismatch_schema()[c].dtype)
    ranked = kirmatch.frame.rank_mismatches(donors, result, by=["age"], order="protocol")
    assert [int(a) for a in ranked["age"]] == sorted(ages)


@pytest.mark.parametrize(("value", "expected"), [(False, False), ("False", False), ("no", False), ("0", False),
                                                 (0, False), ("true", True), (True, True)])
def test_b_locus_c1_words_mean_what_they_say(value: object, expected: bool) -> None:
    profile = kirmatch.ligand_profile("B*46:01+B*08:01^C*02:02+C*02:02", b_locus_c1=value)  # type: ignore[arg-type]
    assert profile.b_locus_c1 is expected


def test_b_locus_c1_refuses_other_values() -> None:
    for value in ("maybe", 2, None):
        with pytest.raises(ProtocolValueError, match="b_locus_c1 must be True or False"):
            kirmatch.kir_ligand_mismatch("A*01:01", "A*01:01", b_locus_c1=value)  # type: ignore[arg-type]


def test_classify_escapes_what_it_echoes() -> None:
    forged = "X\tC\tC1\n*04:01\x1b[31m"
    code, out, err = run("classify", forged, "C*07:02")
    assert code == 1
    assert len(out.splitlines()) == 3  # header, the bad name's row, C*07:02: no forged row
    assert "\x1b" not in out + err and "\\t" in out and "\\x1b" in out


@given(st.text(min_size=1, max_size=20))
def test_no_written_cell_starts_a_formula(text: str) -> None:
    safe = neutralise_formulas(pd.DataFrame({text: [text]}))
    for cell in [safe.columns[0], safe.iloc[0, 0]]:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")) or cell == "-" or _number(cell)
        assert cell == text or cell == "'" + text  # nothing else changes


def _number(text: str) -> bool:
    """A plain decimal number, which a spreadsheet reads as a number, not a formula."""
    return re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", text) is not None


def test_formulas_are_neutralised_in_the_ranked_file(tmp_path: Path) -> None:
    donors = frame().assign(note=['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1)", "-3.5", "-"])
    path = tmp_path / "donors.csv"
    path.write_text(donors.to_csv(index=False))
    ranked = screen(path, tmp_path).set_index("donor_id")
    assert ranked.loc["d1", "note"] == "'=HYPERLINK(\"http://x\",\"y\")"
    assert ranked.loc["d2", "note"].startswith("'+cmd") and ranked.loc["d3", "note"] == "'@SUM(1)"
    assert ranked.loc["d4", "note"] == "-3.5" and ranked.loc["d5", "note"] == "-"


def test_every_row_unreadable_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "donors.csv"
    path.write_text("A1,A2,B1,B2,C1,C2\nx,y,z,B*08:01,C*07:02,C*04:01\nq,A*01:01,B*08:01,B*08:01,C*07:02,C*04:01\n")
    code, _, err = run("screen", str(path), *RECIPIENT, "-o", str(tmp_path / "o.csv"))
    assert code == 1 and "no donor row could be read" in err and "line 2" in err


def test_errors_raise_names_the_file_line(tmp_path: Path) -> None:
    path = tmp_path / "donors.csv"
    path.write_text('id,A1,A2,B1,B2,C1,C2,note\n\nd1,A*01:01,A*02:01,B*08:01,B*07:02,C*07:02,C*04:01,"two\nlines"\n'
                    "d2,A*01:01,A*99:99,B*08:01,B*07:02,C*07:02,C*04:01,x\n")
    code, _, err = run("screen", str(path), *RECIPIENT, "-o", str(tmp_path / "o.csv"), "--errors", "raise")
    assert code == 1 and "line 5: column 'A2': 'A*99:99'" in err
    assert not (tmp_path / "o.csv").exists()


def test_the_run_is_recorded(tmp_path: Path) -> None:
    path = tmp_path / "donors.csv"
    path.write_text(frame().to_csv(index=False))
    out = tmp_path / "o.csv"
    code, _, err = run("screen", str(path), *RECIPIENT, "-o", str(out), "--header-comment", "--model", "ligand-ligand")
    assert code == 0, err
    record = json.loads((tmp_path / "o.csv.json").read_text())
    assert record["recipient"] == "A*01:01+A*03:01^B*07:02+B*08:01^C*03:04+C*07:02"
    assert record["input"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert record["model"] == "ligand-ligand" and record["release"] == "IPD-IMGT/HLA 3.58.0"
    assert record["kirmatch_version"] == kirmatch.__version__ and record["mac_table"] is None
    lines = out.read_text().splitlines()
    assert lines[0].startswith("# kirmatch_version: ") and any(x.startswith("# recipient: ") for x in lines[:20])
    assert len(pd.read_csv(out, comment="#")) == 5


# ------------------------------------------------------------------------------------- match, MAC files, schema


def test_match_reads_one_quoted_typing() -> None:
    expected = run("match", "--donor", "A*01:01", "A*02:01", "B*57:01", "B*08:01", "C*07:02", "C*04:01", *RECIPIENT)
    for donor in ("A*01:01 A*02:01 B*57:01 B*08:01 C*07:02 C*04:01", "A*01:01, A*02:01, B*57:01, B*08:01, C*07:02, C*04:01",
                  "A*01:01;A*02:01;B*57:01;B*08:01;C*07:02;C*04:01", "A*01:01+A*02:01 B*57:01+B*08:01 C*07:02+C*04:01"):
        assert run("match", "--donor", donor, *RECIPIENT) == expected


def test_a_missing_star_suggests_the_name() -> None:
    code, _, err = run("match", "--donor", "A01:01 A*02:01 B*57:01 B*08:01 C*07:02 C*04:01", *RECIPIENT)
    assert code == 1 and "did you mean 'A*01:01'?" in err


def test_mac_files_everywhere_the_error_names_them(tmp_path: Path) -> None:
    mac = tmp_path / "mac.txt"
    mac.write_bytes("\ufeffAB\t08:01/08:19N\nCD\t01/02\n".encode())
    table = kirmatch.mac.load_mac_table(mac)
    assert set(table.codes) == {"AB", "CD"}  # the byte-order mark did not eat the first code
    g = Genotype.from_strings("A*01:01", "A*02:01", "B*08:AB", "-", "C*07:02", "-", mac_table=mac)
    assert "B*08:01/B*08:19N" in str(g)
    donor = "A*01:01 A*02:01 B*57:01 B*08:AB C*07:02 C*04:01"
    code, _, err = run("match", "--donor", donor, *RECIPIENT)
    assert code == 1 and "--mac-file" in err
    code, out, err = run("match", "--donor", donor, *RECIPIENT, "--mac-file", str(mac), "--json")
    record = json.loads(out)
    assert code == 0, err
    assert record["mac_table"] == {"path": str(mac.resolve()), "sha256": hashlib.sha256(mac.read_bytes()).hexdigest()}
    assert record["kirmatch_version"] == kirmatch.__version__ and record["verdict"].startswith("GvH KIR-ligand")
    donors = tmp_path / "d.csv"
    donors.write_text("A1,A2,B1,B2,C1,C2\nA*01:01,A*02:01,B*57:01,B*08:AB,C*07:02,C*04:01\n")
    code, _, err = run("screen", str(donors), *RECIPIENT, "-o", str(tmp_path / "o.csv"), "--mac-file", str(mac))
    assert code == 0, err
    mac.write_text("AB\t08:01/08:19N\nAB\t08:01\n")
    with pytest.raises(MacTableError, match="defines code AB twice"):
        kirmatch.mac.load_mac_table(mac)


def test_schema_of_match_describes_its_json() -> None:
    code, out, _ = run("schema", "match")
    schema = json.loads(out)
    assert code == 0 and {"kirmatch_version", "verdict", "mac_table", "gvh_incompatible"} <= set(schema["properties"])
    _, out, _ = run("match", "--donor", "A*01:01 A*02:01 B*57:01 B*08:01 C*07:02 C*04:01", *RECIPIENT, "--json")
    assert set(json.loads(out)) <= set(schema["properties"])


def test_classify_json_says_when_the_allele_list_is_cut() -> None:
    _, out, _ = run("classify", "--json", "C*07", "C*07:02:01:01")
    many, one = json.loads(out)
    assert many["alleles_complete"] is False and "first 10 of the" in many["alleles_note"]
    assert one["alleles_complete"] is True and "alleles_note" not in one


# ------------------------------------------------------------------------------------------- the reference table


def _table_copy(tmp_path: Path) -> Path:
    data = Path(kirmatch.__file__).parent / "_data"
    for name in ("hla_groups.csv", "hla_groups.json", "hla_history.csv"):
        (tmp_path / name).write_bytes((data / name).read_bytes())
    return tmp_path / "hla_groups.csv"


def test_an_edited_history_is_refused(tmp_path: Path) -> None:
    from kirmatch.reference import load_reference

    table = _table_copy(tmp_path)
    history = tmp_path / "hla_history.csv"
    history.write_text(history.read_text().replace("A*01:34N,A,renamed,A*01:01:38L", "A*01:34N,A,renamed,B*57:01"))
    with pytest.raises(ReferenceTableError, match=r"hla_history\.csv.*edited or truncated"):
        load_reference(table)


@pytest.mark.parametrize("cut", [10, 5000, -1])
def test_a_truncated_or_malformed_table_is_a_reference_error(tmp_path: Path, cut: int) -> None:
    from kirmatch.reference import load_reference

    table = _table_copy(tmp_path)
    raw = table.read_bytes()
    table.write_bytes(raw[:cut] if cut > 0 else raw.replace(b",", b";", 3))
    with pytest.raises(ReferenceTableError, match="edited or truncated"):
        load_reference(table)
    (tmp_path / "hla_groups.json").write_text("{not json")
    with pytest.raises(ReferenceTableError, match="malformed"):
        load_reference(table)
