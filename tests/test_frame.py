"""kirmatch.frame: the vectorised layer gives the scalar answer row by row, never loses a row, keeps its schema."""

from __future__ import annotations

import functools
import pickle
import random

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import kirmatch
from kirmatch import Genotype, KirLigand
from kirmatch.frame import (
    PRESENCE_DTYPE,
    ColumnError,
    find_hla_columns,
    ligand_profiles,
    mismatch_against,
    mismatch_schema,
    profile_schema,
    rank_donors,
)
from kirmatch.reference import get_reference

RECORDS = get_reference().records
COLS = ["A1", "A2", "B1", "B2", "C1", "C2"]
SUFFIX = {lig: lig.value.replace("/", "_").replace("-", "_") for lig in KirLigand}
RECIPIENT = {"A": ("A*01:01", "A*03:01"), "B": ("B*08:01", "B*07:02"), "C": ("C*07:02", "C*03:04")}


def _names(locus: str) -> list[str]:
    rng = random.Random(locus)
    pool = [r for r in RECORDS if r.locus == locus]
    names = {r.allele for r in rng.sample(pool, 40)}
    names |= {r.protein for r in rng.sample(pool, 40) if r.expressed}
    names |= set(rng.sample(sorted(r.allele for r in pool if not r.expressed), 5))
    names |= {f"{locus}*{r.fields[0]}:XX" for r in rng.sample(pool, 3)}
    names |= {f"{locus}*{r.fields[0]}" for r in rng.sample(pool, 3)}
    return sorted(names)


NAMES = {locus: _names(locus) for locus in "ABC"}


def cell(locus: str) -> st.SearchStrategy[object]:
    return st.one_of(st.sampled_from(NAMES[locus]), st.sampled_from([None, "", "-"]))


def typing_rows() -> st.SearchStrategy[dict[str, object]]:
    return st.fixed_dictionaries({c: cell(c[0]) for c in COLS})


frames = st.lists(typing_rows(), min_size=0, max_size=12).map(lambda rows: pd.DataFrame(rows, columns=COLS))


@pytest.mark.parametrize(
    "names",
    [
        ["A1", "A2", "B1", "B2", "C1", "C2"],
        ["a_1", "a_2", "b_1", "b_2", "c_1", "c_2"],
        ["HLA-A_1", "HLA-A_2", "HLA-B_1", "HLA-B_2", "HLA-C_1", "HLA-C_2"],
        ["HLA-A.1", "HLA-A.2", "HLA-B.1", "HLA-B.2", "HLA-C.1", "HLA-C.2"],
        ["A.1", "A.2", "B.1", "B.2", "C.1", "C.2"],
        ["hla-a1", "hla-a2", "hla-b1", "hla-b2", "hla-c1", "hla-c2"],
    ],
)
def test_common_column_spellings_are_recognised(names: list[str]) -> None:
    frame = pd.DataFrame([["A*01:01", "A*02:01", "B*57:01", "B*08:01", "C*07:02", "C*04:01"]], columns=names)
    found = find_hla_columns(frame)
    assert found == {"A": (names[0], names[1]), "B": (names[2], names[3]), "C": (names[4], names[5])}
    assert ligand_profiles(frame)["kir_C2"].iloc[0] == "present"


def test_columns_missing_or_doubled_are_a_clear_error() -> None:
    with pytest.raises(ColumnError, match="HLA-C allele 2: no column"):
        find_hla_columns(pd.DataFrame(columns=["A1", "A2", "B1", "B2", "C1"]))
    with pytest.raises(ColumnError, match="several"):
        find_hla_columns(pd.DataFrame(columns=["A1", "A_1", "A2", "B1", "B2", "C1", "C2"]))


def test_output_columns_cannot_be_confused_with_input_columns() -> None:
    frame = pd.DataFrame([["A*01:01", "A*02:01", "B*57:01", "B*08:01", "C*07:02", "C*04:01"]], columns=COLS)
    out = ligand_profiles(frame)
    assert all(c.startswith("kir_") for c in out.columns)
    assert "C1" not in out.columns and out["kir_C1"].iloc[0] == "present"
    clashing = frame.assign(kir_gvh_C1="x")
    with pytest.raises(ColumnError, match="kir_gvh_C1"):
        rank_donors(clashing, RECIPIENT)


@given(frames)
def test_input_is_never_modified_and_no_row_is_lost(frame: pd.DataFrame) -> None:
    before = frame.copy()
    bad = frame.copy()
    if len(bad):
        bad.iloc[0, 4] = "Q*01"
    out = mismatch_against(bad, RECIPIENT, errors="flag")
    pd.testing.assert_frame_equal(frame, before)
    assert len(out) == len(frame) and list(out.index) == list(frame.index)
    if len(bad):
        assert "Q*01" in out["kir_error"].iloc[0] and pd.isna(out["kir_gvh_incompatible"].iloc[0])
        assert out["kir_error_code"].iloc[0] == "malformed_name" and out["kir_error_code"].iloc[1:].isna().all()
        assert out["kir_error"].iloc[1:].isna().all()


def test_errors_raise_names_row_and_column() -> None:
    frame = pd.DataFrame(
        [["A*01:01", "A*02:01", "B*57:01", "B*08:01", "C*07:02", "C*04:01"],
         ["A*01:01", "A*02:01", "B*57:01", "C*04:01", "C*07:02", "C*04:01"]],
        columns=COLS,
        index=["d1", "d2"],
    )
    with pytest.raises(kirmatch.GenotypeError) as info:
        mismatch_against(frame, RECIPIENT)
    assert "row 'd2'" in str(info.value) and "'B2'" in str(info.value)
    with pytest.raises(kirmatch.ProtocolValueError):
        ligand_profiles(frame, errors="ignore")  # type: ignore[arg-type]


def test_empty_frames_and_schemas() -> None:
    empty = pd.DataFrame(columns=COLS)
    pd.testing.assert_frame_equal(ligand_profiles(empty).reset_index(drop=True), profile_schema())
    pd.testing.assert_frame_equal(mismatch_against(empty, RECIPIENT).reset_index(drop=True), mismatch_schema())
    assert all(
        dtype == PRESENCE_DTYPE
        for name, dtype in mismatch_schema().dtypes.items()
        if name not in ("kir_error", "kir_error_code", "kir_gvh_support")
    )
    assert str(mismatch_schema()["kir_error"].dtype) == "string"
    assert str(mismatch_schema()["kir_error_code"].dtype) == "string"


def test_functions_are_picklable_and_work_per_partition() -> None:
    job = functools.partial(mismatch_against, recipient=Genotype.coerce(RECIPIENT), errors="flag")
    again = pickle.loads(pickle.dumps(job))
    frame = pd.DataFrame([["A*01:01", "A*02:01", "B*57:01", "B*08:01", "C*07:02", "C*04:01"]] * 4, columns=COLS)
    whole = again(frame)
    parts = pd.concat([again(frame.iloc[:2]), again(frame.iloc[2:])])
    pd.testing.assert_frame_equal(whole, parts)


def test_rank_puts_incompatible_first_then_certain_then_tie_breakers() -> None:
    frame = pd.DataFrame(
        [
            ["A*01:01", "A*02:01", "B*08:01", "B*07:02", "C*07:02", "C*03:04", 30],  # compatible
            ["A*01:01", "A*02:01", "B*57:01", "B*08:01", "C*07:02", "C*04:01", 40],  # C2 + Bw4
            ["A*01:01", "A*02:01", "B*08:01", "B*07:02", "C*07:02", None, 20],  # C2 possible
            ["A*01:01", "Z*01", "B*08:01", "B*07:02", "C*07:02", "C*04:01", 10],  # unreadable
            ["A*01:01", "A*02:01", "B*08:01", "B*07:02", "C*07:02", "C*04:01", 25],  # C2
            ["A*01:01", "A*02:01", "B*08:01", "B*07:02", "C*07:02", "C*04:01", 22],  # C2, younger
        ],
        columns=COLS + ["age"],
    )
    ranked = rank_donors(frame, RECIPIENT, by=["age"], errors="flag")
    assert list(ranked.index) == [1, 5, 4, 2, 0, 3]
    assert list(ranked["kir_rank"]) == [1, 2, 3, 4, 5, 6]
    assert list(ranked["kir_gvh_incompatible"].astype(object).fillna("?")) == [
        "present", "present", "present", "possible", "absent", "?"
    ]
    pd.testing.assert_frame_equal(frame, frame.copy())


def test_accessor() -> None:
    frame = pd.DataFrame([["A*01:01", "A*02:01", "B*57:01", "B*08:01", "C*07:02", "C*04:01"]], columns=COLS)
    assert frame.kir.mismatch(RECIPIENT)["kir_gvh_C2"].iloc[0] == "present"
    annotated = frame.kir.annotate(RECIPIENT)
    assert list(annotated.columns[:6]) == COLS and "kir_gvh_Bw4" in annotated.columns
    assert frame.kir.rank(RECIPIENT)["kir_rank"].iloc[0] == 1


def test_dask_map_partitions() -> None:
    dd = pytest.importorskip("dask.dataframe")
    rng = np.random.default_rng(3)
    rows = [[rng.choice(NAMES[c[0]]) for c in COLS] for _ in range(40)]
    frame = pd.DataFrame(rows, columns=COLS)
    job = functools.partial(mismatch_against, recipient=Genotype.coerce(RECIPIENT), errors="flag")
    lazy = dd.from_pandas(frame, npartitions=4).map_partitions(job, meta=mismatch_schema())
    pd.testing.assert_frame_equal(lazy.compute(), job(frame))
