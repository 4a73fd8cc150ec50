"""Issue 15: ``kirmatch screen`` of a plain CSV by the streaming reader (`kirmatch._stream`) writes the bytes, the
record and the summary of the pandas path, keeps every row, and agrees with the scalar API."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from kirmatch import _stream
from kirmatch import strategies as kst
from kirmatch._files import arrow
from kirmatch.cli import main
from kirmatch.mismatch import kir_ligand_mismatch

streamed = pytest.mark.skipif(not arrow(), reason="the streaming screen needs pyarrow 26 or later (the parquet extra)")

RECIPIENT = ["A*01:01", "A*02:01", "B*08:01", "B*07:02", "C*07:01", "C*07:02"]
ODD_CELLS = [
    "", " ", "-", "=cmd", "+A*01:01", "A*99:99", "B*07:02", 'x"y', "a,b", " C*07:02", "C*01:02 x", "NA", "\u00a0",
    "\x1f", "\u2003C*07:02",
]


def _cells(locus: str) -> st.SearchStrategy[str]:
    return st.one_of(
        kst.allele_names(locus, style=["current", "lower", "hla_prefix", "serology", "xx_code", "g_group"]),
        kst.allele_names(locus, resolution=2),
        st.sampled_from(ODD_CELLS),
    )


@st.composite
def registries(draw: st.DrawFn) -> tuple[str, bytes]:
    """A donor CSV as labs write one: any HLA column naming, extra columns, blank and odd cells, rows with no field
    filled in, a byte-order mark, CRLF line ends, another delimiter."""
    style = draw(st.sampled_from(["{l}{i}", "HLA-{l}_{i}", "{l}.{i}", "hla-{l}.{i}"]))
    hla = [style.format(l=locus, i=i) for locus in "ABC" for i in (1, 2)]
    extra = draw(st.lists(st.sampled_from(["donor_id", "note", "age", "ID"]), unique=True, max_size=3))
    if "donor_id" in extra and "ID" in extra:
        extra.remove("ID")
    columns = draw(st.permutations([*hla, *extra]))
    n = draw(st.integers(1, 12))
    rows: list[list[str]] = []
    for _ in range(n):
        if draw(st.integers(0, 9)) == 0:
            rows.append([""] * len(columns))  # Excel's trailing ",,,,"
            continue
        row: list[str] = []
        for column in columns:
            if column in hla:
                row.append(draw(_cells(column[-3] if column[-2] in "_." else column[-2])))
            else:
                row.append(draw(st.sampled_from(["D1", "d,2", "=1+1", "-3", "", "x\"q", "@sum", "7", "\u00a0", "\x1f"])))
        rows.append(row)
    if all(not any(cell.strip() for cell in row) for row in rows):
        rows[0] = [*rows[0][:-1], "x"]
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter, lineterminator=ending)
    writer.writerow(columns)
    writer.writerows(rows)
    lines = text.getvalue().split(ending)
    for _ in range(draw(st.integers(0, 2))):  # blank lines, which the readers skip but count
        lines.insert(draw(st.integers(1, len(lines) - 1)), "")
    body = ending.join(lines)
    if draw(st.booleans()):
        body = body.rstrip("\r\n")  # no final line break
    bom = b"\xef\xbb\xbf" if draw(st.booleans()) else b""
    return delimiter, bom + body.encode("utf-8")


OPTIONS = st.fixed_dictionaries(
    {
        "columns": st.sampled_from([[], ["--columns", "full"]]),
        "order": st.sampled_from([[], ["--order", "most-mismatched"]]),
        "model": st.sampled_from([[], ["--model", "receptor-ligand", "--donor-kir", "2DL1 2DL3 3DL1"]]),
        "policy": st.sampled_from([[], ["--bw4-policy", "all"], ["--bw4-policy", "b-only"], ["--no-b-locus-c1"]]),
        "blank": st.sampled_from([[], ["--homozygous-if-blank"]]),
        "pool": st.sampled_from([[], ["--pool", "common"]]),
        "comment": st.sampled_from([[], ["--header-comment"]]),
        "errors": st.sampled_from([[], ["--errors", "raise"]]),
        "id": st.sampled_from([[], ["--id", "note"], ["--no-sidecar"]]),
    }
)


def _run(argv: list[str], stream: bool) -> tuple[int, str, str, bool]:
    """Exit status, standard output (without the timing) and error of ``kirmatch screen``, and whether the streaming
    path wrote the file."""
    out, err = io.StringIO(), io.StringIO()
    returned: list[object] = []
    original = _stream.screen_csv

    def spy(*args: Any, **kwargs: Any) -> Any:
        returned.append(original(*args, **kwargs))
        return returned[-1]

    with mock.patch.object(_stream, "enabled", lambda: stream), mock.patch.object(_stream, "screen_csv", spy):
        status = main(argv, out=out, err=err)
    taken = any(value is not None for value in returned)
    timing = re.compile(r" in \d+\.\d s")
    return status, timing.sub("", out.getvalue()), err.getvalue(), taken


@streamed
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(registries(), OPTIONS)
def test_streamed_screen_writes_the_pandas_paths_bytes(
    tmp_path: Path, registry: tuple[str, bytes], options: dict[str, list[str]]
) -> None:
    delimiter, content = registry
    donors = tmp_path / "donors.csv"
    donors.write_bytes(content)
    extra = [arg for value in options.values() for arg in value]
    if delimiter == "\t":
        extra += ["--sep", "\\t"]
    outputs = []
    for stream in (True, False):
        target = tmp_path / f"ranked-{stream}.csv"
        chunks = [] if stream else ["--chunk-size", "3"]  # the pandas path in chunks, sharing one reading
        status, out, err, taken = _run(
            ["screen", str(donors), "--recipient", *RECIPIENT, "-o", str(target), "-q", *extra, *chunks], stream
        )
        if stream:
            streamed = taken
        written = target.read_bytes() if target.exists() else None
        sidecar = Path(f"{target}.json")
        record = json.loads(sidecar.read_text()) if sidecar.exists() else None
        outputs.append((status, out.replace(str(target), "OUT"), err, written, record))
        target.unlink(missing_ok=True)
        sidecar.unlink(missing_ok=True)
    assert outputs[0] == outputs[1]
    if outputs[1][0] == 0:  # every file this strategy writes is plain: the streaming path read it
        assert streamed
    event(f"exit status {outputs[1][0]}")


@streamed
def test_the_streamed_path_is_taken_and_keeps_every_row(tmp_path: Path) -> None:
    donors = tmp_path / "donors.csv"
    donors.write_text(
        "donor_id,A1,A2,B1,B2,C1,C2\n"
        "d1,A*01:01,A*24:02,B*57:01,B*08:01,C*04:01,C*07:01\n"
        ",,,,,,\n"
        "d3,A*03:01,,B*46:01,B*51:01,C*99:99,C*15:02\n"
        "d4,A*02:01,A*02:01,B*44:02,B*07:02,C*07:02,C*07:02\n",
        encoding="utf-8",
    )
    target = tmp_path / "ranked.csv"
    with mock.patch.object(_stream, "screen_csv", wraps=_stream.screen_csv) as spy:
        assert main(["screen", str(donors), "--recipient", *RECIPIENT, "-o", str(target), "-q"],
                    out=io.StringIO(), err=io.StringIO()) == 0
    assert spy.call_count == 1
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert sorted(r["donor_id"] for r in rows) == ["d1", "d3", "d4"]  # the empty line 3 is not a donor
    assert {r["donor_id"]: r["kir_line"] for r in rows} == {"d1": "2", "d3": "4", "d4": "5"}
    assert [r["kir_rank"] for r in rows] == ["1", "2", "3"]
    assert rows[-1]["donor_id"] == "d3" and "C*99:99" in rows[-1]["kir_error"]


@streamed
@pytest.mark.parametrize(
    "content",
    [
        'id,A1,A2,B1,B2,C1,C2\n"d\n1",A*01:01,A*02:01,B*08:01,B*07:02,C*07:01,C*07:02\n',  # a quoted line break
        "id,A1,A2,B1,B2,C1,C2\nd1,A*01:01,A*02:01,B*08:01\n",  # a ragged row
        "id,A1,A2,B1,B2,C1,C2\n",  # no donor rows
    ],
)
def test_a_file_that_is_not_plain_goes_to_the_pandas_path(tmp_path: Path, content: str) -> None:
    donors = tmp_path / "donors.csv"
    donors.write_text(content, encoding="utf-8")
    header = _stream.read_header(str(donors), None)
    assert header is not None
    from kirmatch._files import find_layout
    from kirmatch._planes import settings as settings_of
    from kirmatch.models import LIGAND_LIGAND
    from kirmatch.profile import ligand_profile

    target = tmp_path / "ranked.csv"
    screened = _stream.screen_csv(
        str(donors), header, find_layout(header.names), str(target), lead="id",
        profile=ligand_profile("+".join(RECIPIENT[:2]) + "^" + "+".join(RECIPIENT[2:4]) + "^" + "+".join(RECIPIENT[4:])),
        model=LIGAND_LIGAND, kir=None, chosen=settings_of("exclude-weak", True), order="protocol", columns="short",
        errors="flag", comment=lambda _: [],
    )
    assert screened is None and not target.exists()
    assert list(tmp_path.iterdir()) == [donors]  # no temporary file left either


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kst.typing_frames(min_size=1, max_size=20, allow_missing=True))
def test_each_streamed_row_is_the_scalar_answer(tmp_path: Path, frame: object) -> None:
    import pandas as pd

    assert isinstance(frame, pd.DataFrame)
    frame = frame.fillna("")
    frame.insert(0, "donor_id", [f"d{i}" for i in range(len(frame))])
    donors = tmp_path / "donors.csv"
    frame.to_csv(donors, index=False)
    target = tmp_path / "ranked.csv"
    main(["screen", str(donors), "--recipient", *RECIPIENT, "-o", str(target), "-q", "--columns", "full"],
         out=io.StringIO(), err=io.StringIO())
    written = pd.read_csv(target, dtype=str, keep_default_na=False).set_index("donor_id")
    assert sorted(written.index) == sorted(frame["donor_id"])
    for _, row in frame.iterrows():
        got = written.loc[row["donor_id"]]
        if got["kir_error"]:
            continue
        cells = [None if not str(row[c]).strip() or row[c] == "-" else row[c] for c in ["A1", "A2", "B1", "B2", "C1", "C2"]]
        donor = {"A": cells[0:2], "B": cells[2:4], "C": cells[4:6]}
        result = kir_ligand_mismatch(donor, {"A": RECIPIENT[0:2], "B": RECIPIENT[2:4], "C": RECIPIENT[4:6]})
        for entry in result.ligands:
            assert got[f"kir_gvh_{entry.ligand.column}"] == entry.gvh.value


@settings(max_examples=25, deadline=None)
@given(kst.typing_frames(min_size=1, max_size=15), st.integers(1, 5))
def test_chunks_sharing_one_reading_give_the_whole_frames_answer(frame: object, size: int) -> None:
    """Frame calls inside ``_one_reading()`` read each distinct designation once across calls (plain dicts), and
    the chunks' answers are the whole frame's."""
    import pandas as pd

    from kirmatch import _planes
    from kirmatch.frame import _one_reading, mismatch_against  # pyright: ignore[reportPrivateUsage]

    assert isinstance(frame, pd.DataFrame)
    recipient = "A*01:01+A*02:01^B*08:01+B*07:02^C*07:01+C*07:02"
    whole = mismatch_against(frame, recipient, errors="flag")
    read: list[int] = []
    original = _planes.resolve_cells

    def counting(uniques: Any, *args: Any, **kwargs: Any) -> Any:
        read.append(len(uniques))
        return original(uniques, *args, **kwargs)

    with mock.patch.object(_planes, "resolve_cells", counting), _one_reading():
        parts = [
            mismatch_against(frame.iloc[start : start + size], recipient, errors="flag")
            for start in range(0, len(frame), size)
        ]
    pd.testing.assert_frame_equal(pd.concat(parts), whole)
    distinct = sum(frame[c].map(repr).nunique(dropna=False) for c in frame.columns)
    assert sum(read) <= distinct  # never a cell read twice in one column


@streamed
def test_a_failure_in_the_reader_thread_reaches_the_caller(tmp_path: Path) -> None:
    """An unexpected exception in the reader thread is raised in the caller's thread (not lost in a thread's
    traceback, not taken for a file the streaming reader does not take)."""
    donors = tmp_path / "donors.csv"
    donors.write_text("id,A1,A2,B1,B2,C1,C2\nd1,A*01:01,A*02:01,B*08:01,B*07:02,C*07:01,C*07:02\n", encoding="utf-8")
    header = _stream.read_header(str(donors), None)
    assert header is not None
    from kirmatch._files import find_layout
    from kirmatch._planes import settings as settings_of
    from kirmatch.models import LIGAND_LIGAND
    from kirmatch.profile import ligand_profile

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug")

    with mock.patch.object(_stream._Reader, "_parse", broken), pytest.raises(RuntimeError, match="a bug"):  # pyright: ignore[reportPrivateUsage]
        _stream.screen_csv(
            str(donors), header, find_layout(header.names), str(tmp_path / "ranked.csv"), lead="id",
            profile=ligand_profile("A*01:01+A*02:01^B*08:01+B*07:02^C*07:01+C*07:02"), model=LIGAND_LIGAND, kir=None,
            chosen=settings_of("exclude-weak", True), order="protocol", columns="short", errors="flag",
            comment=lambda _: [],
        )
    assert not (tmp_path / "ranked.csv").exists()
