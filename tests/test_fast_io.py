"""Issue 15: the pyarrow reader and writer give what the Python reader and pandas' writer give, and the reference
table's binary cache is an optimisation only (a corrupt or unwritable cache changes nothing)."""

from __future__ import annotations

import io
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kirmatch import strategies as kst
from kirmatch import tables_io
from kirmatch.reference import load_reference

pytest.importorskip("pyarrow")

CSVS = [
    "id,A1,A2\nd1,A*01:01,A*02:01\nd2,,A*03:01\n",
    "\ufeffid;A1;A2\r\nd1;A*01:01;A*02:01\r\n;;\r\nd2; ;A*03:01\r\n",
    'id,A1,A1\n"d,1","A*01:01","A*02:01"\n,,\nd3,A*11:01,"x""y"\n',
    'id,A1,A2\n"d\n1",A*01:01,A*02:01\n',  # a quoted line break: the Python reader numbers the lines
    "id,A1,A2\n\nd1,A*01:01,A*02:01\n",  # a blank line
    "id\tA1\tA2\nd1\tA*01:01\tA*02:01",  # no final line break
]


@pytest.mark.parametrize("text", CSVS)
def test_arrow_reader_equals_python_reader(tmp_path: Path, text: str) -> None:
    path = tmp_path / "donors.csv"
    path.write_bytes(text.encode("utf-8"))
    fast = tables_io.read_table(str(path))
    with mock.patch.object(tables_io, "_arrow", lambda: False):
        slow = tables_io.read_table(str(path))
    pd.testing.assert_frame_equal(fast.frame, slow.frame, check_dtype=False)
    assert fast.lines.tolist() == slow.lines.tolist()
    assert fast.notes == slow.notes


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=6)), min_size=1, max_size=8))
def test_arrow_writer_equals_pandas(cells: list[str | None]) -> None:
    n = len(cells)
    frame = pd.DataFrame({
        "text": pd.array(cells, dtype="string"),
        "kind": pd.Categorical([c if c is None else c[:1] for c in cells]),
        "rank": list(range(1, n + 1)),
        "flag": [i % 2 == 0 for i in range(n)],
    })
    out = io.BytesIO()
    tables_io.write_csv_rows(frame, out, header=True)
    assert out.getvalue() == frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


@settings(max_examples=10, deadline=None)
@given(st.lists(st.one_of(st.none(), st.sampled_from(["a,b", 'say "x"', "two\nlines", "plain", "", "r\r"])), min_size=1,
                max_size=6), st.integers(0, 2**32 - 1))
def test_arrow_writer_equals_pandas_on_long_columns(words: list[str | None], seed: int) -> None:
    """Long columns of few distinct texts (quoted once per distinct text) and of many (quoted per cell)."""
    rng = np.random.default_rng(seed)
    n = 3000
    few = [words[i] for i in rng.integers(0, len(words), n)]
    many = [None if w is None else f"{w}{i}" for i, w in enumerate(few)]
    frame = pd.DataFrame({"few": pd.array(few, dtype="string"), "many": pd.array(many, dtype="string")})
    out = io.BytesIO()
    tables_io.write_csv_rows(frame, out, header=True)
    assert out.getvalue() == frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def test_screen_same_bytes_without_pyarrow(tmp_path: Path) -> None:
    from kirmatch.cli import main

    donors = tmp_path / "donors.csv"
    donors.write_text(
        "donor_id,A1,A2,B1,B2,C1,C2\n"
        "d1,A*01:01,A*24:02,B*57:01,B*08:01,C*04:01,C*07:01\n"
        "d2,A*02:01,,B*44:02,B*07:02,C*07:02,=cmd\n"
        "d3,A*03:01,A*03:01,B*35:01,B*51:01,C*04:01,C*15:02\n",
        encoding="utf-8",
    )
    recipient = ["A*01:01", "A*02:01", "B*08:01", "B*07:02", "C*07:01", "C*07:02"]
    fast, slow = tmp_path / "fast.csv", tmp_path / "slow.csv"
    assert main(["screen", str(donors), "--recipient", *recipient, "-o", str(fast), "-q"], out=io.StringIO(),
                err=io.StringIO()) == 0
    with mock.patch.object(tables_io, "_arrow", lambda: False):
        main(["screen", str(donors), "--recipient", *recipient, "-o", str(slow), "-q"], out=io.StringIO(),
             err=io.StringIO())
    assert fast.read_bytes() == slow.read_bytes()
    assert fast.read_bytes().count(b"\n") == 4


def _bundled() -> Path:
    from kirmatch.reference import _bundled_table  # pyright: ignore[reportPrivateUsage]

    return _bundled_table()


def test_reference_cache_is_an_optimisation_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIRMATCH_CACHE_DIR", str(tmp_path / "cache"))
    parsed = load_reference(_bundled())  # writes the cache
    files = list((tmp_path / "cache").iterdir())
    assert len(files) == 1
    cached = load_reference(_bundled())
    assert cached.records == parsed.records and cached.info == parsed.info
    assert cached.by_prefix == parsed.by_prefix and cached.history == parsed.history
    files[0].write_bytes(b"not a pickle")  # corrupt: ignored, parsed again and rewritten
    again = load_reference(_bundled())
    assert again.records == parsed.records
    assert files[0].read_bytes() != b"not a pickle"
    monkeypatch.setenv("KIRMATCH_CACHE_DIR", str(files[0]))  # a file, not a directory: no cache, no failure
    assert load_reference(_bundled()).records == parsed.records


@settings(max_examples=40, deadline=None)
@given(kst.typing_frames(min_size=1, max_size=12), st.integers(0, 2**32 - 1))
def test_deciding_alleles_same_without_pyarrow(frame: pd.DataFrame, seed: int) -> None:
    """The pyarrow text building of kir_deciding_alleles writes what the Python one writes, with blanks and a slot that
    repeats the other among the rows."""
    from kirmatch.frame import mismatch_against
    from kirmatch.profile import DEFAULT_BW4_POLICY

    rng = np.random.default_rng(seed)
    typed = frame.astype("string")
    typed.loc[rng.random(len(typed)) < 0.2, "C2"] = pd.NA
    repeat = rng.random(len(typed)) < 0.3
    typed.loc[repeat, "B2"] = typed.loc[repeat, "B1"]
    result = mismatch_against(typed, "A*01:01+A*02:01^B*08:01+B*07:02^C*07:01+C*07:02", errors="flag")
    options = {"bw4_policy": DEFAULT_BW4_POLICY.value, "b_locus_c1": True, "uses_donor_hla": True}
    fast = tables_io.deciding_alleles(typed, result, **options)
    with mock.patch.object(tables_io, "_arrow", lambda: False):
        slow = tables_io.deciding_alleles(typed, result, **options)
    assert fast.tolist() == slow.tolist()
