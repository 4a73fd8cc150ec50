"""File plumbing shared by the pandas reader/writer (`kirmatch.tables_io`) and the streaming screen
(``kirmatch._stream``), with no pandas: file formats, delimiters and headers, where the HLA columns are, safe output
paths and atomic writes, CSV quoting as Python's csv writer quotes, formula neutralising, and the pyarrow text kernels.
"""

from __future__ import annotations

import csv
import functools
import importlib
import importlib.util
import io
import os
import re
import signal
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt

from kirmatch._errors import ColumnError, FileFormatError, quote
from kirmatch.genotype import LOCI, slot_key

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "SLOT_COLUMNS",
    "Format",
    "HlaLayout",
    "atomic_write",
    "check_output_path",
    "file_format",
    "find_layout",
    "header_line",
    "neutral",
]


Format = Literal["csv", "parquet", "xlsx"]


SLOT_COLUMNS: dict[str, tuple[str, str]] = {locus: (f"{locus}1", f"{locus}2") for locus in LOCI}
"""The columns of the frame [`typing_frame`][kirmatch.tables_io.typing_frame] returns."""


def file_format(path: str, given: str | None = None) -> Format:
    """The format of ``path``: ``given``, else by extension (``.parquet``/``.pq``, ``.xlsx``), else CSV."""
    if given:
        if given not in ("csv", "parquet", "xlsx"):
            raise FileFormatError(f"unknown file format {quote(given)}; use csv, parquet or xlsx", input=given)
        return given  # type: ignore[return-value]
    lower = path.lower()
    if lower.endswith((".parquet", ".pq")):
        return "parquet"
    if lower.endswith((".xlsx", ".xlsm")):
        return "xlsx"
    if lower.endswith(".xls"):
        raise FileFormatError(
            f"{quote(path)} is an old .xls workbook; save it as .xlsx or CSV UTF-8 from Excel", input=path
        )
    return "csv"


def sniff(header: str) -> str:
    """The delimiter of a CSV header line: the most frequent of ``,``, ``;`` and tab outside quotes (``,`` on a tie)."""
    counts = {",": 0, ";": 0, "\t": 0}
    quoted = False
    for ch in header:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts.values())
    return "," if best == 0 or counts[","] == best else max(counts, key=lambda d: counts[d])


def unique_headers(names: Sequence[object]) -> list[str]:
    """Header names made unique the way pandas does (``X``, ``X.1``, ``X.2``); empty ones ``Unnamed: i``."""
    seen: dict[str, int] = {}
    out: list[str] = []
    taken = {str(n) for n in names}
    for i, raw in enumerate(names):
        name = str(raw).strip() if raw is not None and str(raw).strip() else f"Unnamed: {i}"
        if name in seen:
            k = seen[name]
            while f"{name}.{k}" in taken or f"{name}.{k}" in seen:
                k += 1
            seen[name] = k + 1
            name = f"{name}.{k}"
        seen.setdefault(name, 1)
        out.append(name)
    return out


ARROW_MAJOR = 26
"""The first pyarrow release the fast CSV paths (reading, writing, text columns) were checked on. Older releases fail
in the string kernels they use (10.0.1: "Negative buffer resize" in binary_join_element_wise; 14.0.1: no kernel for
large_string), so with them ``kirmatch screen`` takes the Python and pandas paths, which give the same bytes."""


@functools.lru_cache(maxsize=1)
def arrow() -> bool:
    """Whether ``kirmatch screen`` reads and writes CSV with pyarrow (the ``parquet`` extra, a release checked for
    it)."""
    if importlib.util.find_spec("pyarrow") is None:
        return False
    version = str(importlib.import_module("pyarrow").__version__)
    try:
        return int(version.split(".")[0]) >= ARROW_MAJOR
    except ValueError:
        return False


def pyarrow_modules() -> tuple[Any, Any, Any]:
    """pyarrow, pyarrow.compute and pyarrow.csv (untyped: kirmatch calls them through ``Any``)."""
    return (
        importlib.import_module("pyarrow"),
        importlib.import_module("pyarrow.compute"),
        importlib.import_module("pyarrow.csv"),
    )


NOT_BLANK = re.compile(rb"\S")
"""A byte that ``bytes.strip()`` keeps: found without copying the file as ``raw.strip()`` would."""


GL_NAMES = frozenset({"gl", "glstring", "hlaglstring", "genotype", "hlagenotype", "hlatyping", "typing"})


@dataclass(frozen=True)
class HlaLayout:
    """Where a file keeps its HLA typing: ``slots`` (two columns per locus), ``cells`` (one column per locus holding
    both alleles) and ``gl`` (one GL string column); ``describe()`` says it in words for the record."""

    slots: Mapping[str, tuple[str, str]]
    cells: Mapping[str, str]
    gl: str | None = None

    def describe(self) -> str:
        if self.gl is not None:
            return f"GL string column {self.gl!r}"
        parts = [f"HLA-{locus}: {a!r}, {b!r}" for locus, (a, b) in self.slots.items()]
        parts += [f"HLA-{locus}: {c!r} (both alleles in one cell)" for locus, c in self.cells.items()]
        return "; ".join(parts)

    def source_columns(self) -> list[str]:
        if self.gl is not None:
            return [self.gl]
        return [c for pair in self.slots.values() for c in pair] + list(self.cells.values())


def key(name: str) -> str:
    return re.sub(r"[-_. ]", "", name).lower()


def find_layout(
    frame: pd.DataFrame | Sequence[str],
    *,
    prefix: str = "",
    hla_columns: Mapping[str, Sequence[str]] | None = None,
    gl_column: str | None = None,
) -> HlaLayout:
    """Where ``frame`` keeps its HLA typing (see [`HlaLayout`][kirmatch.tables_io.HlaLayout]).

    Given ``gl_column`` or ``hla_columns`` (``{"A": ("A1", "A2")}`` or ``{"A": ("HLA-A",)}`` for a column holding both
    alleles), those are checked. Otherwise, per locus: a column named for the locus alone (``HLA-A``, ``A``) with a
    pandas-doubled twin (``HLA-A.1``) is the pair; alone, it holds both alleles; else the slot columns of
    [`find_hla_columns`][kirmatch.frame.find_hla_columns]. With none of these for any locus, a column named ``gl``,
    ``GL string`` or ``genotype`` is read as GL strings. Both slots named by one column is refused.
    """
    columns = [str(c) for c in (frame if isinstance(frame, Sequence) else frame.columns)]
    if gl_column is not None:
        if gl_column not in columns:
            raise ColumnError(f"GL string column {quote(gl_column)} is not in the file", input=gl_column)
        return HlaLayout({}, {}, gl_column)
    slots: dict[str, tuple[str, str]] = {}
    cells: dict[str, str] = {}
    if hla_columns is not None:
        for locus in LOCI:
            given = list(hla_columns.get(locus, ()) or hla_columns.get(locus.lower(), ()))
            missing = [c for c in given if c not in columns]
            if missing:
                raise ColumnError(f"HLA-{locus} column {quote(missing[0])} is not in the file", input=missing)
            if len(given) == 2 and given[0] == given[1]:
                raise ColumnError(
                    f"HLA-{locus}: both alleles point at column {quote(given[0])}; if it holds both alleles in one "
                    f"cell ('{locus}*01:01+{locus}*24:02'), give it once (--hla-column {locus}={given[0]}) so that "
                    "kirmatch splits the cell; read twice, 'A*01:01/A*24:02' would be taken as 'either' in each slot",
                    input=given,
                )
            if len(given) == 2:
                slots[locus] = (given[0], given[1])
            elif len(given) == 1:
                cells[locus] = given[0]
            else:
                raise ColumnError(
                    f"no column given for HLA-{locus}: give one (both alleles in a cell) or two", input=locus
                )
        return HlaLayout(slots, cells)
    own = [c for c in columns if c.startswith(prefix)]
    problems: list[str] = []
    for locus in LOCI:
        bare = [c for c in own if slot_key(c[len(prefix) :]) == (locus, None)]
        numbered: dict[int, list[str]] = {}
        for c in own:
            parsed = slot_key(c[len(prefix) :])
            if parsed is not None and parsed[0] == locus and parsed[1] is not None:
                numbered.setdefault(parsed[1], []).append(c)
        if len(bare) == 1:
            twin = f"{bare[0]}.1"
            if twin in own and f"{bare[0]}.2" not in own:
                slots[locus] = (bare[0], twin)  # a doubled header as pandas or kirmatch read it
                continue
            if not numbered:
                cells[locus] = bare[0]
                continue
            problems.append(
                f"HLA-{locus}: both a column {bare[0]!r} and numbered ones "
                f"({', '.join(c for names in numbered.values() for c in names)})"
            )
            continue
        if len(bare) > 1:
            problems.append(f"HLA-{locus}: several columns name the locus ({', '.join(bare)})")
            continue
        pair = [numbered.get(i, []) for i in (1, 2)]
        if all(len(p) == 1 for p in pair):
            slots[locus] = (pair[0][0], pair[1][0])
        elif any(pair):
            problems += [
                f"HLA-{locus} allele {i}: " + ("no column" if not p else f"several ({', '.join(p)})")
                for i, p in zip((1, 2), pair, strict=True)
                if len(p) != 1
            ]
    if not slots and not cells and not problems:
        gl = [c for c in own if key(c[len(prefix):]) in GL_NAMES]
        if len(gl) == 1:
            return HlaLayout({}, {}, gl[0])
    found = set(slots) | set(cells)
    problems += [f"HLA-{locus}: no column" for locus in LOCI if locus not in found and not any(
        p.startswith(f"HLA-{locus}") for p in problems)]
    if problems:
        shown = ", ".join(columns[:12]) + (", ..." if len(columns) > 12 else "")
        raise ColumnError(
            f"cannot find the HLA columns{f' with prefix {prefix!r}' if prefix else ''}: {'; '.join(problems)} "
            f"(columns: {shown}); name them A1..C2, HLA-A_1.., one per locus (HLA-A, both alleles in a cell) or "
            "a GL string column 'gl', or give them with --hla-column / --gl-column",
            input=columns,
        )
    return HlaLayout(slots, cells)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def neutral(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_START) and value != "-" and not NUMBER.fullmatch(value):
        return "'" + value
    return value


def check_output_path(output: str, inputs: Sequence[str]) -> None:
    """Refuse an output that is a directory, lies in a missing directory, or is one of the ``inputs`` (by path or as
    the same file under another name)."""
    if output == "-":
        return
    path = Path(output)
    if path.is_dir() or output.endswith(("/", os.sep)):
        raise FileFormatError(f"output {quote(output)} is a directory; give a file name", input=output)
    if not path.parent.exists() and str(path.parent) not in ("", "."):
        raise FileFormatError(f"the directory of output {quote(output)} does not exist", input=output)
    for given in inputs:
        if given == "-":
            continue
        same = os.path.realpath(given) == os.path.realpath(output)
        if not same and path.exists():
            try:
                same = os.path.samefile(given, output)
            except OSError:
                same = False
        if same:
            raise FileFormatError(
                f"output {quote(output)} is the input file; kirmatch never overwrites its input: choose another name",
                input=output,
            )


def umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: str, write: Callable[[str], None]) -> None:
    """Run ``write(temporary_path)`` and rename the result over ``path``: an interruption (a signal, a full disk)
    leaves the old file, or none, never a truncated one. The temporary file sits beside ``path`` (same file system,
    so the rename is atomic) and is removed on any failure."""
    target = Path(path)
    # the temporary name keeps the extension (spreadsheet writers check it) and ends hidden in the same directory
    # Ctrl-C / SIGTERM are held back while the temporary file is created, so that they are raised inside the try
    # below (which removes it), never between its creation and the try.
    blockable = hasattr(signal, "pthread_sigmask")
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM}) if blockable else None
    try:
        handle, temporary = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=f".kirmatch-tmp{target.suffix}", dir=target.parent or "."
        )
    except BaseException:
        if held is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
        raise
    try:
        if held is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
        os.close(handle)
        write(temporary)
        with open(temporary, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(temporary, 0o666 & ~umask())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@functools.lru_cache(maxsize=1)
def quoted_characters() -> str:
    """The characters that make Python's csv writer (pandas' ``to_csv``) quote a field, with ``\\n`` ending lines:
    the delimiter, the quote, ``\\n``, and ``\\r`` on the Pythons whose writer quotes it."""
    probe = io.StringIO()
    csv.writer(probe, lineterminator="\n").writerow(["a\rb", "c"])
    return ',"\n' + ("\r" if probe.getvalue().startswith('"') else "")


# pyarrow imports pandas (0.2 s, 40 MB) the first time ``pa.array``, ``pa.scalar``, ``Array.to_numpy`` or
# ``pc.fill_null`` runs, to look for pandas objects; the streaming screen builds and reads its arrays from buffers
# instead, so that reading and writing a CSV never loads pandas. (Were a pyarrow release to load it elsewhere, only
# that time would be lost.)


def arrow_ints(values: npt.NDArray[Any]) -> Any:
    """A pyarrow array of the integers ``values`` (no nulls), built on their buffer."""
    pa, _, _ = pyarrow_modules()

    data = np.ascontiguousarray(values)
    return pa.Array.from_buffers(pa.from_numpy_dtype(data.dtype), len(data), [None, pa.py_buffer(data)])


def arrow_bools(mask: npt.NDArray[np.bool_]) -> Any:
    """A pyarrow boolean array of ``mask`` (no nulls)."""
    pa, _, _ = pyarrow_modules()

    bits = np.packbits(np.asarray(mask, dtype=bool), bitorder="little")
    return pa.Array.from_buffers(pa.bool_(), len(mask), [None, pa.py_buffer(bits)])


def arrow_texts(words: Sequence[str | None]) -> Any:
    """A pyarrow large_string array of ``words`` (None for a null)."""
    pa, _, _ = pyarrow_modules()

    data = [b"" if word is None else word.encode("utf-8") for word in words]
    offsets = np.zeros(len(data) + 1, dtype=np.int64)
    np.cumsum([len(d) for d in data], out=offsets[1:])
    validity = None
    if any(word is None for word in words):
        validity = pa.py_buffer(np.packbits([word is not None for word in words], bitorder="little"))
    return pa.Array.from_buffers(
        pa.large_string(), len(data), [validity, pa.py_buffer(offsets), pa.py_buffer(b"".join(data))]
    )


def numpy_ints(values: Any) -> npt.NDArray[Any]:
    """The integers of a pyarrow array without nulls, as numpy (on its buffer)."""
    pa, _, _ = pyarrow_modules()

    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    dtype = np.dtype(str(values.type))  # int8 ... uint64: numpy spells them as pyarrow does
    return np.frombuffer(values.buffers()[1], dtype=dtype)[values.offset : values.offset + len(values)]


def numpy_bools(values: Any) -> npt.NDArray[np.bool_]:
    """A pyarrow boolean array as numpy (a null reads False)."""
    pa, _, _ = pyarrow_modules()

    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    validity, data = values.buffers()[:2]
    n, offset = len(values), values.offset
    bits = np.unpackbits(np.frombuffer(data, dtype=np.uint8), bitorder="little")[offset : offset + n].astype(bool)
    if validity is not None and values.null_count:
        bits &= np.unpackbits(np.frombuffer(validity, dtype=np.uint8), bitorder="little")[offset : offset + n] == 1
    return bits


def big(text: str) -> Any:
    """A pyarrow large_string scalar (taken from an array: see `arrow_texts`)."""
    return arrow_texts([text])[0]


def may_hold(text: Any, characters: str) -> bool:
    """Whether a pyarrow text array may hold one of ``characters`` (ASCII): False only when no byte of its text is one
    of them, a scan far quicker than a regex per cell (a non-text array may hold them)."""
    pa, _, _ = pyarrow_modules()

    chunks = text.chunks if isinstance(text, pa.ChunkedArray) else [text]
    for chunk in chunks:
        if not (pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type)):
            return True
        buffers = chunk.buffers()
        if len(chunk) == 0 or len(buffers) < 3 or buffers[1] is None or buffers[2] is None:
            continue
        width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        ends = np.frombuffer(buffers[1], dtype=width)[chunk.offset : chunk.offset + len(chunk) + 1]
        data = memoryview(buffers[2])[int(ends[0]) : int(ends[-1])].tobytes()  # this slice's text only
        if any(ch.encode("ascii") in data for ch in characters):
            return True
    return False


def quote_arrow(text: Any, special: str) -> Any:
    """Text cells quoted as Python's csv writer quotes them (QUOTE_MINIMAL): those holding a special character are
    put in quotes, quotes inside doubled."""
    pa, pc, _ = pyarrow_modules()

    if not may_hold(text, quoted_characters()):
        return text
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    if len(text) > 1024:
        # a column of few distinct texts (verdicts, deciding alleles): quote each distinct text once
        encoded = pc.dictionary_encode(text)
        if 2 * len(encoded.dictionary) < len(text):
            return quote_arrow(encoded.dictionary, special).take(encoded.indices)
    needs = pc.match_substring_regex(text, special)
    if not pc.any(needs).as_py():
        return text
    quoted = pc.binary_join_element_wise(big('"'), pc.replace_substring(text, '"', '""'), big('"'), big(""))
    return pc.if_else(needs, quoted, text)


def word_vocabulary(names: Sequence[str]) -> Any:
    """The words [`ligand_words_arrow`][kirmatch._files.ligand_words_arrow] takes for one slot whose cells are
    ``names``: piece 2c is ``", <name c>"``, piece 2c+1 ``", <name c> (possibly)"``, and the last entry is empty."""
    pa, _, _ = pyarrow_modules()

    vocabulary = [w for name in names for w in (f", {name}", f", {name} (possibly)")]
    return pa.array([*vocabulary, ""], type=pa.large_string())


def ligand_words_arrow(ligand: str, pieces: Sequence[npt.NDArray[np.int64]], vocabularies: Sequence[Any]) -> Any:
    """Per row, ``"; <ligand>: <allele>, <allele> (possibly)"`` from the pieces of the six slots (piece 2c: allele c
    for certain, 2c+1: possibly, -1: nothing; each slot's words from
    [`word_vocabulary`][kirmatch._files.word_vocabulary]), or ``""`` when no slot has a piece; built by pyarrow, no
    Python per row.

    Every word carries its separator in front and the first is cut off afterwards (pyarrow's null-skipping join is
    not used: it drops the rows whose words are all null)."""
    pa, pc, _ = pyarrow_modules()

    n = len(pieces[0])
    has = np.zeros(n, dtype=bool)
    for piece in pieces:
        has |= piece >= 0
    rows = np.flatnonzero(has)  # only the rows with a word are written, then spread over all rows
    if len(rows) == 0:
        return pa.array([""], type=pa.large_string()).take(np.zeros(n, dtype=np.int64))
    words: list[Any] = []
    for piece, vocabulary in zip(pieces, vocabularies, strict=True):
        mine = piece[rows]
        if not (mine >= 0).any():
            continue  # no word of this slot in these rows: joining its empty words would add nothing
        words.append(vocabulary.take(np.where(mine < 0, len(vocabulary) - 1, mine)))
    joined = pc.utf8_slice_codeunits(pc.binary_join_element_wise(*words, big("")), 2)
    written = pc.binary_join_element_wise(big(f"; {ligand}: "), joined, big(""))
    where = np.full(n, len(rows), dtype=np.int64)  # a row without words reads the empty text appended last
    where[rows] = np.arange(len(rows))
    return pa.concat_arrays([written, pa.array([""], type=pa.large_string())]).take(where)


def header_line(names: Sequence[object]) -> str:
    """The header line of a CSV with these column names, as Python's csv writer (pandas' ``to_csv``) writes it."""
    line = io.StringIO()
    csv.writer(line, lineterminator="\n").writerow([str(c) for c in names])
    return line.getvalue()

