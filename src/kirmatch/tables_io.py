"""Files in and out for the command line: donor tables the way labs write them, ranked files a clinician can open.

Reading ([`read_table`][kirmatch.tables_io.read_table]) gives an [`InputTable`][kirmatch.tables_io.InputTable]: every
input column as text, in file order, with the file line (or sheet row) of each row, so that an error names the line
a person can open. Formats:

* CSV, its delimiter (``,``, ``;`` from European Excel, tab) read from the header line unless given; UTF-8 with or
  without a byte-order mark, UTF-16 with one; another encoding only when named (``--encoding latin-1``). A ragged row,
  an unclosed quote, a NUL byte, an empty file or bytes that are not text are refused with one line naming the line.
  Lines with no field filled in are skipped. Duplicated headers are renamed as pandas does (``HLA-A``, ``HLA-A.1``).
* Parquet (the ``parquet`` extra); a named index (donor ids) becomes the first column.
* xlsx (the ``xlsx`` extra, openpyxl), first sheet unless one is named.
* ``-``: standard input (CSV unless the format is given).

The HLA columns ([`find_layout`][kirmatch.tables_io.find_layout], [`typing_frame`][kirmatch.tables_io.typing_frame])
may be two per locus (``A1``/``A2``, ``HLA-A_1``, ``HLA-A``/``HLA-A.1`` as pandas reads a doubled Excel header), one
per locus with both alleles in the cell (``A*01:01+A*24:02``, ``A*01:01, A*24:02``, ``A*01:01 A*24:02``), or one GL
string column. A cell this module cannot split (three alleles, ``|`` alternatives, ``A*01:01/A*24:02`` in a column
holding both alleles, where ``/`` would mean "either") is an error of that row, never a guess.

Writing ([`write_table`][kirmatch.tables_io.write_table]) is atomic: a temporary file in the output's directory,
flushed to disk, then renamed over the output, so an interruption leaves the old file or the complete new one. CSV
and xlsx cells (and headers) that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab
or carriage return) get a leading ``'``, as OWASP advises against CSV injection, except plain numbers (``-3.5``) and
a lone ``-`` (a missing allele). Parquet is written as is.

``kirmatch screen`` reads a plain CSV file with its own streaming reader (``kirmatch._stream``), which writes the
bytes this module writes; the pandas-free plumbing the two share (formats, layouts, quoting, atomic writes) lives in
``kirmatch._files``.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import importlib
import importlib.util
import io
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import pandas as pd

from kirmatch import _files
from kirmatch._errors import ColumnError, ErrorCode, FileFormatError, KirmatchError, quote
from kirmatch._files import (
    SLOT_COLUMNS,
    Format,
    HlaLayout,
    atomic_write,
    check_output_path,
    file_format,
    find_layout,
    header_line,
)
from kirmatch.genotype import LOCI, Genotype, is_missing
from kirmatch.mac import MacTable
from kirmatch.pools import DEFAULT_READING, Reading

__all__ = [
    "InputTable",
    "HlaLayout",
    "read_table",
    "find_layout",
    "typing_frame",
    "neutralise_formulas",
    "flag_rows",
    "atomic_write",
    "verdicts",
    "deciding_alleles",
    "write_table",
    "check_output_path",
    "file_format",
    "SLOT_COLUMNS",
]

# the pandas-free plumbing this module shares with the streaming screen (`kirmatch._files`)
_arrow = _files.arrow
_pyarrow = _files.pyarrow_modules
_big = _files.big
_quote_arrow = _files.quote_arrow
_quoted_characters = _files.quoted_characters
_ligand_words_arrow = _files.ligand_words_arrow
_sniff = _files.sniff
_unique_headers = _files.unique_headers
_neutral = _files.neutral
_NOT_BLANK = _files.NOT_BLANK

RowErrors = dict[int, tuple[str, ErrorCode]]


@dataclass(frozen=True)
class InputTable:
    """A donor file as read: ``frame`` (every column as text, NA for an empty cell, a RangeIndex), ``lines`` (the
    file line, sheet row or row number of each row, for messages), ``line_word`` ("line" or "row")."""

    frame: pd.DataFrame
    lines: npt.NDArray[np.int64]
    source: str
    format: Format
    sha256: str | None
    line_word: str = "line"
    index_column: str | None = None
    """The column that was the Parquet file's named index (donor ids), if any."""
    notes: tuple[str, ...] = field(default=())


# ----------------------------------------------------------------------------------------------------- reading


def _read_bytes(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except IsADirectoryError:
        raise FileFormatError(f"{quote(path)} is a directory, not a donor file", input=path) from None
    except OSError as exc:
        raise FileFormatError(f"cannot read {quote(path)}: {exc.strerror or exc}", input=path) from None


def _decode(raw: bytes, path: str, encoding: str | None) -> str:
    if encoding:
        try:
            return raw.decode(encoding)
        except LookupError:
            raise FileFormatError(f"unknown encoding {quote(encoding)}", input=encoding) from None
        except UnicodeDecodeError as exc:
            raise FileFormatError(f"{quote(path)} is not {encoding} text: {exc.reason}", input=path) from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    if b"\x00" in raw[:4096]:
        raise FileFormatError(
            f"{quote(path)} holds NUL bytes: it is UTF-16 without a byte-order mark or not a text file; save it as "
            "CSV UTF-8 (or pass --encoding utf-16-le)",
            input=path,
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise FileFormatError(
            f"{quote(path)} is not UTF-8 text (byte 0x{raw[exc.start]:02x} on line {line}); save it as CSV UTF-8, or "
            "name its encoding, e.g. --encoding latin-1 (or cp1252 for Windows Excel)",
            input=path,
        ) from None


def _arrow_text() -> bool:
    """Whether the deciding-alleles text is built with pyarrow's string kernels."""
    return _arrow()


def _read_csv_arrow(raw: bytes, path: str, delimiter: str) -> tuple[pd.DataFrame, npt.NDArray[np.int64]] | None:
    """The fast reading of a plain CSV with pyarrow: the same frame and lines as the Python reader, or None when the
    file is not plain (then the Python reader reads it and words any error).

    Plain: UTF-8 (a byte-order mark allowed), no NUL byte, the header on line 1 with a field filled in, one line per
    row (no quoted line break, no blank line; checked by counting the line breaks against the rows), the same number
    of fields on every line. Rows with no field filled in are dropped as the Python reader drops them; a cell of
    whitespace only is missing, as there."""
    if b"\x00" in raw or raw.startswith((b"\xff\xfe", b"\xfe\xff", b"\n", b"\r")):
        return None
    pa, pc, pacsv = _pyarrow()

    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    end = body.find(b"\n")
    try:
        first = (body if end < 0 else body[:end]).decode("utf-8").rstrip("\r")
        header = next(csv.reader([first], delimiter=delimiter, strict=True))
    except (UnicodeDecodeError, csv.Error, StopIteration):
        return None
    if not any(cell.strip() for cell in header) or ('"' in first and first.count('"') % 2):
        return None
    names = _unique_headers(header)
    try:
        table = pacsv.read_csv(
            io.BytesIO(body),
            read_options=pacsv.ReadOptions(skip_rows=1, column_names=names),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, quote_char='"', double_quote=True, escape_char=False, newlines_in_values=True,
                ignore_empty_lines=False,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in names}, strings_can_be_null=True, null_values=[""],
                quoted_strings_can_be_null=True,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeDecodeError):
        return None
    breaks = body.count(b"\n") + (0 if body.endswith(b"\n") else 1)
    if table.num_rows + 1 != breaks:
        return None  # a quoted line break or a blank line: the Python reader numbers those lines
    columns: list[Any] = []
    filled: Any = None
    for column in table.columns:
        blank = pc.equal(pc.utf8_trim_whitespace(column), "")
        if pc.any(blank).as_py():
            column = pc.if_else(blank, pa.scalar(None, pa.string()), column)
        columns.append(column)
        valid = pc.is_valid(column)
        filled = valid if filled is None else pc.or_(filled, valid)
    lines = np.arange(2, table.num_rows + 2, dtype=np.int64)
    if filled is not None and not pc.all(filled).as_py():
        keep = np.asarray(filled, dtype=bool)
        columns = [pc.filter(column, filled) for column in columns]
        lines = lines[keep]
    data = {name: pd.arrays.ArrowStringArray(column) for name, column in zip(names, columns, strict=True)}
    return pd.DataFrame(data, index=pd.RangeIndex(len(lines)), columns=names), lines


def _read_csv(path: str, *, sep: str | None, encoding: str | None, sheet: str | None) -> InputTable:
    raw = _read_bytes(path)
    digest = hashlib.sha256(raw).hexdigest()
    if not encoding and _arrow() and _NOT_BLANK.search(raw):
        head = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
        try:
            line = head[: head.find(b"\n")].decode("utf-8") if b"\n" in head else head.decode("utf-8")
        except UnicodeDecodeError:
            line = ""
        delimiter = sep if sep else _sniff(line)
        delimiter = "\t" if delimiter == "\\t" else delimiter
        fast = _read_csv_arrow(raw, path, delimiter) if len(delimiter) == 1 and line else None
        if fast is not None:
            sep_note = (f"delimiter {delimiter!r}",) if delimiter != "," else ()
            return InputTable(fast[0], fast[1], path, "csv", digest, "line", notes=sep_note)
    text = _decode(raw, path, encoding)
    if not text.strip():
        raise FileFormatError(f"{quote(path)} is empty: no header line", input=path)
    first = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = sep if sep else _sniff(first)
    if delimiter == "\\t":
        delimiter = "\t"
    if len(delimiter) != 1:
        raise FileFormatError(f"the delimiter must be one character, got {quote(delimiter)}", input=delimiter)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    header_line = 0
    rows: list[list[str]] = []
    lines: list[int] = []
    previous = 0
    try:
        for record in reader:
            start = previous + 1
            previous = reader.line_num
            if not any(cell.strip() for cell in record):
                continue  # a blank line, or one with no field filled in (Excel's trailing ",,,,")
            if header is None:
                header, header_line = record, start
                continue
            if len(record) != len(header):
                raise FileFormatError(
                    f"{quote(path)} line {start} has {len(record)} fields, the header (line {header_line}) has "
                    f"{len(header)} (delimiter {delimiter!r}); a quote or delimiter is out of place",
                    input=path,
                )
            rows.append(record)
            lines.append(start)
    except csv.Error as exc:
        raise FileFormatError(
            f"{quote(path)} line {reader.line_num}: {exc} (an unclosed quote?)", input=path
        ) from None
    if header is None:
        raise FileFormatError(f"{quote(path)} is empty: no header line", input=path)
    names = _unique_headers(header)
    data = {
        name: pd.array([cell if cell.strip() else None for cell in column], dtype="string")
        for name, column in zip(names, zip(*rows, strict=True) if rows else [()] * len(names), strict=True)
    }
    frame = pd.DataFrame(data, index=pd.RangeIndex(len(rows)), columns=names)
    sep_note = (f"delimiter {delimiter!r}",) if delimiter != "," else ()
    return InputTable(frame, np.asarray(lines, dtype=np.int64), path, "csv", digest, "line", notes=sep_note)


def _read_parquet(path: str, *, sep: str | None, encoding: str | None, sheet: str | None) -> InputTable:
    raw = _read_bytes(path)
    try:
        frame = pd.read_parquet(io.BytesIO(raw))
    except ImportError:
        raise FileFormatError(
            f"reading {quote(path)} needs pyarrow: pip install 'kirmatch[parquet]'", input=path
        ) from None
    except Exception as exc:  # pyarrow raises its own error classes for a file that is not Parquet
        raise FileFormatError(f"{quote(path)} is not a readable Parquet file: {exc}", input=path) from None
    index_column = None
    if not isinstance(frame.index, pd.RangeIndex) or any(n is not None for n in frame.index.names):
        names = [str(n) if n is not None else f"index_{i}" for i, n in enumerate(frame.index.names)]
        clash = [n for n in names if n in frame.columns]
        if clash:
            raise ColumnError(
                f"{quote(path)}: the index {', '.join(clash)} has the name of a column", input=clash,
                code=ErrorCode.COLUMN_CLASH,
            )
        frame.index.names = names
        frame = frame.reset_index()
        index_column = names[0]
    frame.columns = _unique_headers(list(frame.columns))
    frame = frame.reset_index(drop=True)
    lines = np.arange(1, len(frame) + 1, dtype=np.int64)
    return InputTable(
        frame, lines, path, "parquet", hashlib.sha256(raw).hexdigest(), "row", index_column=index_column
    )


def _read_xlsx(path: str, *, sep: str | None, encoding: str | None, sheet: str | None) -> InputTable:
    raw = _read_bytes(path)
    if importlib.util.find_spec("openpyxl") is None:
        raise FileFormatError(
            f"reading {quote(path)} needs openpyxl: pip install 'kirmatch[xlsx]'", input=path
        ) from None
    try:
        frame = pd.read_excel(  # pyright: ignore[reportUnknownMemberType]  # openpyxl's types are not installed
            io.BytesIO(raw), sheet_name=sheet if sheet is not None else 0, dtype=str, keep_default_na=False,
            na_values=[""], engine="openpyxl",
        )
    except (ValueError, KeyError, OSError) as exc:
        raise FileFormatError(f"{quote(path)} is not a readable xlsx workbook: {exc}", input=path) from None
    except Exception as exc:  # zipfile.BadZipFile and openpyxl's own errors
        raise FileFormatError(f"{quote(path)} is not a readable xlsx workbook: {exc}", input=path) from None
    filled = frame.notna().any(axis=1).to_numpy()
    lines = np.flatnonzero(filled).astype(np.int64) + 2  # sheet rows: the header is row 1
    frame = frame.loc[filled].reset_index(drop=True).astype("string")
    return InputTable(frame, lines, path, "xlsx", hashlib.sha256(raw).hexdigest(), "row")


_READERS: dict[str, Callable[..., InputTable]] = {"csv": _read_csv, "parquet": _read_parquet, "xlsx": _read_xlsx}


def read_table(
    path: str, *, format: str | None = None, sep: str | None = None, encoding: str | None = None,
    sheet: str | None = None,
) -> InputTable:
    """Read a donor file (see the module docstring); raises
    [`FileFormatError`][kirmatch._errors.FileFormatError] with one line saying what is wrong and where."""
    kind = file_format(path, format)
    return _READERS[kind](path, sep=sep, encoding=encoding, sheet=sheet)


# ----------------------------------------------------------------------------------------------------- layouts


_SPLIT = re.compile(r"\s*[+,;]\s*|\s+")


def _split_cell(value: str, locus: str) -> tuple[str | None, str | None]:
    """The two alleles of a cell holding both (``A*01:01+A*24:02``, ``A*01:01, A*24:02``, ``A*01:01 A*24:02``)."""
    text = value.strip()
    if any(ch in text for ch in "|^~"):
        raise ColumnError(
            f"{quote(value)} has GL operators (|, ^ or ~) in a column of HLA-{locus} alleles; put GL strings in a GL "
            "column (--gl-column)",
            input=value,
            code=ErrorCode.BAD_GENOTYPE,
        )
    parts = [p for p in _SPLIT.split(text) if p and not is_missing(p)]
    if len(parts) > 2:
        raise ColumnError(
            f"{quote(value)} holds {len(parts)} alleles; a cell of the column holding both HLA-{locus} alleles has "
            "two at most", input=value, code=ErrorCode.BAD_GENOTYPE,
        )
    if len(parts) == 1 and "/" in parts[0] and parts[0].count("*") > 1:
        raise ColumnError(
            f"{quote(value)}: one designation in a column holding both HLA-{locus} alleles; '/' means 'either of', so "
            f"whether this is two alleles or one ambiguous allele is unknown: write the two alleles separated by '+' "
            f"('{locus}*01:01+{locus}*24:02')",
            input=value,
            code=ErrorCode.BAD_GENOTYPE,
        )
    padded = [*parts, None, None]
    return padded[0], padded[1]


def _gl_slots(value: str, mac: MacTable | None) -> dict[str, tuple[str | None, str | None]]:
    genotype = Genotype.from_gl(value.strip(), mac_table=mac)
    if genotype.has_alternatives:
        raise ColumnError(
            f"{quote(value)} lists alternative genotypes ('|'); kirmatch screen reads one genotype per row (use "
            "kirmatch match for alternatives)",
            input=value,
            code=ErrorCode.BAD_GENOTYPE,
        )
    return {locus: genotype.loci[locus][0] for locus in LOCI}


def _map_unique(values: pd.Series, read: Callable[[str], Any], column: str, errors: RowErrors) -> list[Any]:
    """``read`` of each distinct non-missing cell, once; a cell's KirmatchError becomes its rows' error."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    results: list[Any] = []
    bad: dict[int, KirmatchError] = {}
    for i, value in enumerate(uniques):
        if is_missing(value):
            results.append(None)
            continue
        try:
            results.append(read(str(value)))
        except KirmatchError as exc:
            bad[i] = exc
            results.append(None)
    if bad:
        for row in np.flatnonzero(np.isin(codes, list(bad))):
            problem = bad[int(codes[row])]
            text = f"column {column!r}: {problem}"
            position = int(row)
            if position in errors:
                errors[position] = (f"{errors[position][0]}; {text}", errors[position][1])
            else:
                errors[position] = (text, problem.code)
    return [results[c] if c >= 0 else None for c in codes]


def typing_frame(
    frame: pd.DataFrame, layout: HlaLayout, *, mac_table: MacTable | None = None
) -> tuple[pd.DataFrame, RowErrors]:
    """The typing of every row as six slot columns ``A1``..``C2`` (text, NA for missing), indexed like ``frame``, and
    the rows whose cells could not be split (by position: message, code). With ``mac_table``, NMDP codes are spelled
    out as the allele lists they stand for."""
    errors: RowErrors = {}
    out: dict[str, Any] = {}
    # text stays in pyarrow's buffers when pyarrow is installed (no Python string object per cell)
    text: Any = pd.StringDtype("pyarrow") if _arrow() else pd.StringDtype()
    if layout.gl is not None:
        found = _map_unique(frame[layout.gl], lambda v: _gl_slots(v, mac_table), layout.gl, errors)
        for locus, (first, second) in SLOT_COLUMNS.items():
            out[first] = [f[locus][0] if f else None for f in found]
            out[second] = [f[locus][1] if f else None for f in found]
    else:
        for locus, (a, b) in layout.slots.items():
            out[SLOT_COLUMNS[locus][0]] = frame[a].astype(text)
            out[SLOT_COLUMNS[locus][1]] = frame[b].astype(text)
        for locus, column in layout.cells.items():
            split: Callable[[str], tuple[str | None, str | None]] = functools.partial(_split_cell, locus=locus)
            pairs = _map_unique(frame[column], split, column, errors)
            out[SLOT_COLUMNS[locus][0]] = [p[0] if p else None for p in pairs]
            out[SLOT_COLUMNS[locus][1]] = [p[1] if p else None for p in pairs]
    arrays: dict[str, Any] = {
        name: out[name].array if isinstance(out[name], pd.Series) else pd.array(out[name], dtype=text)
        for pair in SLOT_COLUMNS.values()
        for name in pair
    }
    typed = pd.DataFrame(arrays, index=frame.index)
    if mac_table is not None:
        from kirmatch.hla_typing import spell_out_mac

        for name in typed.columns:
            typed[name] = pd.array(
                _map_unique(typed[name], lambda v: spell_out_mac(v.strip(), mac_table), name, errors), dtype=text
            )
    if errors:
        typed.iloc[sorted(errors), :] = pd.NA
    return typed, errors


# ----------------------------------------------------------------------------------------------------- writing


_WRITE_BATCH = 200_000
"""Rows formatted at a time when writing CSV, so that the text in memory is bounded by the batch."""


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and headers cannot run as spreadsheet formulas (OWASP, CSV injection): a
    text starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading ``'``, unless it is a plain
    number (``-3.5``) or a lone ``-`` (a missing allele). Numeric and categorical columns of numbers are left."""
    out: pd.DataFrame = frame.copy(deep=False)  # columns are replaced, never written into
    for name in out.columns:
        column = out[name]
        if isinstance(column.dtype, pd.CategoricalDtype):
            categories = column.cat.categories
            if any(isinstance(c, str) and _neutral(c) != c for c in categories):
                out[name] = column.astype("string").map(_neutral, na_action="ignore")
            continue
        if column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
            texts = column.astype("string")
            risky = texts.str.match(r"[=+\-@\t\r]", na=False)
            if bool(risky.any()):
                before = texts[risky]
                after = before.map(_neutral)
                # most risky-looking cells are a lone '-' (a missing allele) or a number, which stay as they are
                out[name] = texts.where(~risky, after) if bool((after != before).any()) else texts
    out.columns = pd.Index([_neutral(str(c)) for c in out.columns])
    return out


def flag_rows(result: pd.DataFrame, errors: RowErrors) -> pd.DataFrame:
    """``result`` (a [`mismatch_against`][kirmatch.frame.mismatch_against] frame) with the rows of ``errors`` (by
    position) undecided and their message and code in ``kir_error`` / ``kir_error_code``."""
    if not errors:
        return result
    out: pd.DataFrame = result.copy()
    rows = sorted(errors)
    for name in out.columns:
        column = out[name]
        dtype = column.dtype
        if isinstance(dtype, pd.CategoricalDtype):
            codes = column.cat.codes.to_numpy().copy()
            codes[rows] = -1
            undecided = pd.Categorical.from_codes(codes, dtype=cast("pd.CategoricalDtype", dtype))
            out[name] = pd.Series(undecided, index=out.index)
    message: list[str | None] = [None if pd.isna(v) else str(v) for v in out["kir_error"].tolist()]
    code: list[str | None] = [None if pd.isna(v) else str(v) for v in out["kir_error_code"].tolist()]
    for row in rows:
        message[row], code[row] = errors[row][0], errors[row][1].value
    out["kir_error"] = pd.array(message, dtype="string")
    out["kir_error_code"] = pd.array(code, dtype="string")
    return out


def _to_excel(frame: pd.DataFrame, path: str) -> None:
    frame.to_excel(path, index=False, engine="openpyxl")  # pyright: ignore[reportUnknownMemberType]


_ARROW_KINDS = "biuOSUT"


def _arrow_writable(frame: pd.DataFrame) -> bool:
    """Whether every column is text, a categorical of text, an integer without NA or a bool without NA: the columns
    the pyarrow writer spells as pandas' ``to_csv`` does (floats and dates are left to pandas)."""
    for name in frame.columns:
        dtype = frame[name].dtype
        if isinstance(dtype, pd.CategoricalDtype):
            if not all(isinstance(c, str) for c in dtype.categories):
                return False
        elif isinstance(dtype, pd.StringDtype):
            continue
        elif isinstance(dtype, np.dtype) and dtype.kind in "biu":
            continue
        else:
            return False
    return True


def _csv_rows_arrow(frame: pd.DataFrame) -> bytes:
    """``frame``'s rows as CSV text (no header), byte for byte what ``to_csv(index=False, lineterminator="\\n")``
    writes for the columns [`_arrow_writable`][kirmatch.tables_io._arrow_writable] accepts."""
    pa, pc, _ = _pyarrow()

    if len(frame) == 0:
        return b""
    special = "[" + re.escape(_quoted_characters()) + "]"
    cells: list[Any] = []
    for name in frame.columns:
        series = frame[name]
        dtype = series.dtype
        if isinstance(dtype, pd.CategoricalDtype):
            words = pa.array([str(c) for c in dtype.categories], type=pa.large_string())
            # code -1 (NA) takes the empty word appended last
            words = pa.concat_arrays([_quote_arrow(words, special), pa.array([""], type=pa.large_string())])
            codes = series.cat.codes.to_numpy().astype(np.int64)
            column: Any = pc.take(words, pa.array(np.where(codes < 0, len(words) - 1, codes)))
        elif isinstance(dtype, pd.StringDtype):
            text = pa.array(series.array, type=pa.large_string())
            column = pc.fill_null(_quote_arrow(text, special), _big(""))
        elif dtype.kind == "b":
            column = pc.if_else(pa.array(series.to_numpy()), _big("True"), _big("False"))
        else:
            column = pc.cast(pa.array(series.to_numpy()), pa.large_string())
        cells.append(column)
    rows = pc.binary_join_element_wise(*cells, _big(","))
    rows = pc.binary_join_element_wise(rows, _big(""), _big("\n"))
    chunks = rows.chunks if isinstance(rows, pa.ChunkedArray) else [rows]
    out: list[bytes] = []
    for chunk in chunks:
        if len(chunk) == 0:
            continue
        _, offsets, data = chunk.buffers()
        width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        ends = np.frombuffer(offsets, dtype=width)[chunk.offset : chunk.offset + len(chunk) + 1]
        out.append(data.to_pybytes()[int(ends[0]) : int(ends[-1])])
    return b"".join(out)


def _header_line(frame: pd.DataFrame) -> str:
    return header_line(list(frame.columns))


def write_csv_rows(frame: pd.DataFrame, fh: Any, *, header: bool) -> None:
    """Write ``frame`` (no index) to the binary file ``fh`` as pandas' ``to_csv`` would (``\\n`` line ends): with
    pyarrow when it is installed and the columns allow, else with pandas."""
    if _arrow() and _arrow_writable(frame):
        if header:
            fh.write(_header_line(frame).encode("utf-8"))
        fh.write(_csv_rows_arrow(frame))
        return
    text = frame.to_csv(index=False, header=header, lineterminator="\n")
    fh.write(text.encode("utf-8"))


def write_table(frame: pd.DataFrame, path: str, *, format: str | None = None, comment: Sequence[str] = ()) -> None:
    """Write ``frame`` (no index) as CSV, Parquet or xlsx (by ``format`` or extension), atomically; ``-`` is standard
    output (CSV). CSV and xlsx cells are neutralised against formula injection; ``comment`` lines go first in a CSV as
    ``# ...``."""
    kind = file_format(path, format) if path != "-" else (format or "csv")
    if kind == "parquet":
        if importlib.util.find_spec("pyarrow") is None:
            raise FileFormatError(
                f"writing {quote(path)} needs pyarrow: pip install 'kirmatch[parquet]'", input=path
            ) from None
        if path == "-":
            buffer = io.BytesIO()
            frame.to_parquet(buffer, index=False)
            sys.stdout.buffer.write(buffer.getvalue())
            return
        atomic_write(path, lambda tmp: frame.to_parquet(tmp, index=False))
        return
    safe = neutralise_formulas(frame)
    if kind == "xlsx":
        if importlib.util.find_spec("openpyxl") is None:
            raise FileFormatError(
                f"writing {quote(path)} needs openpyxl: pip install 'kirmatch[xlsx]'", input=path
            ) from None
        if path == "-":
            raise FileFormatError("xlsx cannot go to standard output; give a file name", input=path)
        atomic_write(path, functools.partial(_to_excel, safe))
        return
    header = "".join(f"# {line}\n" for line in comment)

    def write_csv(target: str) -> None:
        with open(target, "wb") as fh:
            fh.write(header.encode("utf-8"))
            for start in range(0, max(len(safe), 1), _WRITE_BATCH):
                write_csv_rows(safe.iloc[start : start + _WRITE_BATCH], fh, header=start == 0)

    if path == "-":
        sys.stdout.write(header)
        safe.to_csv(sys.stdout, index=False, lineterminator="\n")
        return
    atomic_write(path, write_csv)


# ----------------------------------------------------------------------------------------- the clinician's columns


def verdicts(result: pd.DataFrame, model: str) -> pd.Series[Any]:
    """One plain-language verdict per row of a [`mismatch_against`][kirmatch.frame.mismatch_against] result, in the
    words of [`KirLigandMismatch.verdict`][kirmatch.mismatch.KirLigandMismatch.verdict] without the alleles."""
    from kirmatch._planes import verdict_keys, verdict_texts
    from kirmatch.catalogue import PROTOCOL_LIGANDS

    gvh = [result[f"kir_gvh_{ligand.column}"].cat.codes.to_numpy() for ligand in PROTOCOL_LIGANDS]
    key = verdict_keys(gvh, result["kir_error"].notna().to_numpy(dtype=bool))
    return _text_series(verdict_texts(model), key, result.index)


def _text_series(texts: Sequence[str], codes: npt.NDArray[np.int64], index: pd.Index) -> pd.Series[Any]:
    """A text column (pandas' string dtype) whose row i is ``texts[codes[i]]``."""
    if _arrow():
        pa, _, _ = _pyarrow()

        taken: Any = pa.array(list(texts), type=pa.large_string()).take(pa.array(codes))
        series: pd.Series[Any] = pd.Series(taken, dtype=pd.StringDtype("pyarrow"), index=index)
        return series
    words: Any = np.asarray(list(texts), dtype=object)[codes]
    plain: pd.Series[Any] = pd.Series(pd.array(words, dtype="string"), index=index)
    return plain


def _combine(keys: Sequence[npt.NDArray[np.int64]]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Codes of the distinct combinations of several integer key columns (each >= -1), and the first row of each."""
    combined = np.zeros(len(keys[0]) if keys else 0, dtype=np.int64)
    for key in keys:
        width = int(key.max()) + 2 if len(key) else 1
        codes, uniques = pd.factorize(combined * width + (key + 1))
        combined = codes.astype(np.int64)
        del uniques
    first = np.full(int(combined.max()) + 1 if len(combined) else 0, -1, dtype=np.int64)
    first[combined[::-1]] = np.arange(len(combined) - 1, -1, -1)
    return combined, first


def deciding_alleles(
    typed: pd.DataFrame,
    result: pd.DataFrame,
    *,
    bw4_policy: str,
    b_locus_c1: bool,
    uses_donor_hla: bool,
    reading: Reading = DEFAULT_READING,
) -> pd.Series[Any]:
    """Per row, the donor alleles that carry each GvH-mismatched protocol ligand (``C2: C*04:01; Bw4: B*57:01``; an
    allele that only may carry it is marked ``(possibly)``). Empty when the model does not read the donor's HLA.

    Each distinct cell is read once, and each distinct combination of the pieces of a row is written once."""
    from kirmatch.catalogue import PROTOCOL_LIGANDS
    from kirmatch.genotype import slot_designation
    from kirmatch.profile import Bw4Policy, slot_planes

    n = len(typed)
    if not uses_donor_hla or n == 0:
        return _text_series([""], np.zeros(n, dtype=np.int64), typed.index)
    policy = Bw4Policy.coerce(bw4_policy)
    # per locus: the distinct cells of both slots (one code space), their planes and names; per slot: the codes of
    # its cells and whether the cell may be written (not missing, not a repeat of the locus's first slot)
    slots: list[tuple[npt.NDArray[np.intp], npt.NDArray[Any], npt.NDArray[Any], list[str], npt.NDArray[np.bool_]]] = []
    for locus, (one, two) in SLOT_COLUMNS.items():
        both = pd.concat([typed[one], typed[two]], ignore_index=True)
        joint, uniques = pd.factorize(both, use_na_sentinel=True)
        # planes of code c at c; code -1 (NA) reads the zeros appended last
        present = np.zeros(len(uniques) + 1, dtype=np.int64)
        possible = np.zeros(len(uniques) + 1, dtype=np.int64)
        names: list[str] = []
        for i, value in enumerate(uniques):
            names.append(str(value))
            if str(value) == "":
                continue
            try:
                spelled = slot_designation(value, locus, one)
                # the same reading (pool, G groups) as the verdict, so the text never names an allele it set aside
                present[i], possible[i] = slot_planes(spelled, locus, policy, b_locus_c1, reading=reading)
            except KirmatchError:
                continue
        first_codes, second_codes = joint[:n], joint[n:]
        repeat = (second_codes == first_codes) & (second_codes >= 0)
        slots.append((first_codes, present, possible, names, np.ones(n, dtype=bool)))
        slots.append((second_codes, present, possible, names, ~repeat))
    ligand_codes: list[npt.NDArray[np.int64]] = []
    ligand_texts: list[list[str]] = []
    arrow_parts: list[Any] = []
    vocabularies: list[Any] = []
    for ligand in PROTOCOL_LIGANDS:
        gvh = result[f"kir_gvh_{ligand.column}"].cat.codes.to_numpy() >= 1
        pieces: list[npt.NDArray[np.int64]] = []
        for codes, present, possible, _names, open_ in slots:
            sure = (present & ligand.bit) != 0
            maybe = ~sure & ((possible & ligand.bit) != 0)
            # piece 2c: allele c for certain, 2c+1: allele c possibly, -1: nothing (code -1 reads the last entry)
            piece = np.where(sure | maybe, 2 * np.arange(len(present), dtype=np.int64) + maybe, -1)
            piece[-1] = -1
            pieces.append(np.where(gvh & open_, piece[codes], -1))
        if _arrow_text():
            if not vocabularies:
                vocabularies = [_files.word_vocabulary(names) for _, _, _, names, _ in slots]
            arrow_parts.append(_ligand_words_arrow(str(ligand), pieces, vocabularies))
            continue
        combined, first = _combine(pieces)
        texts: list[str] = []
        for row in first.tolist():
            words: list[str] = []
            for (_, _, _, names, _), piece_of_row in zip(slots, pieces, strict=True):
                p = int(piece_of_row[row])
                if p >= 0:
                    words.append(names[p // 2] + (" (possibly)" if p % 2 else ""))
            texts.append(f"{ligand}: {', '.join(words)}" if words else "")
        ligand_codes.append(combined)
        ligand_texts.append(texts)
    if _arrow_text():
        _, pc, _ = _pyarrow()

        # "; " between the ligands that have words (each part starts with it); a row with none is empty
        line = pc.utf8_slice_codeunits(pc.binary_join_element_wise(*arrow_parts, _big("")), 2)
        written: pd.Series[Any] = pd.Series(line, dtype=pd.StringDtype("pyarrow"), index=typed.index)
        return written
    combined, first = _combine(ligand_codes)
    joined: list[str] = []
    for row in first.tolist():
        parts = [texts[int(codes[row])] for texts, codes in zip(ligand_texts, ligand_codes, strict=True)]
        joined.append("; ".join(p for p in parts if p))
    return _text_series(joined, combined, typed.index)
