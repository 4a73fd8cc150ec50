"""``kirmatch screen`` of a CSV registry in bounded memory, with pyarrow and numpy (no pandas).

The file is read once, in batches, by pyarrow's streaming CSV reader. Each batch keeps only small integer codes: per
HLA slot, the code of its cell in one dictionary per locus (the distinct texts seen so far), and the other columns as
pyarrow text. Every distinct designation of the run is then read once through the scalar rules
(`kirmatch._planes.resolve_cells`), rows are combined as bit planes in blocks, the ranking is one ``np.lexsort`` on
the compact keys (the keys of `kirmatch.frame.rank_order`), and the output is written in rank order by batch:
each distinct text (a designation, a verdict, a presence word) is quoted and neutralised once, then taken per row.

The bytes are those of the pandas path (`kirmatch.tables_io`); tests compare the two on random files. What this path
does not take (another format, standard input or output, ``--encoding``, a MAC file, ``--by``, KIR columns read per
row, KIR tie-breakers, HLA columns other than two per locus, a CSV that is not plain: a quoted line break, a blank
line, a ragged row, bytes that are not UTF-8) falls back to the pandas path, which reads it or words its error.
"""

from __future__ import annotations

import hashlib
import queue
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt

from kirmatch._errors import KirmatchError
from kirmatch._files import (
    NOT_BLANK,
    SLOT_COLUMNS,
    HlaLayout,
    arrow_bools,
    arrow_ints,
    arrow_texts,
    atomic_write,
    big,
    header_line,
    neutral,
    numpy_bools,
    numpy_ints,
    pyarrow_modules,
    quote_arrow,
    quoted_characters,
    sniff,
    unique_headers,
)
from kirmatch._planes import (
    PRESENCE_WORDS,
    SUPPORT_WORDS,
    Cells,
    RowErrors,
    Settings,
    mismatch_codes,
    person_planes,
    rank_keys,
    recipient_person,
    resolve_cells,
    verdict_keys,
    verdict_texts,
)
from kirmatch.catalogue import PROTOCOL_LIGANDS
from kirmatch.genotype import LOCI
from kirmatch.models import MatchModel
from kirmatch.profile import LigandProfile

__all__ = ["Header", "Screened", "enabled", "read_header", "screen_csv"]

_READ_BLOCK = 1 << 20
"""Bytes pyarrow parses at a time: the batches are about this size."""
_BLOCK_ROWS = 1 << 20
"""Rows combined at a time: the per-row planes and support in memory are bounded by this."""
_WRITE_ROWS = 1 << 16
"""Rows written at a time: the text in memory is bounded by this."""
_QUEUED_BATCHES = 16
"""Parsed batches waiting to be coded, at most (memory)."""
_WORKERS: int = 2
"""Threads building output batches (pyarrow's kernels let go of the GIL)."""
_RISKY = r"^[=+\-@\t\r]"


def enabled() -> bool:
    """Whether ``kirmatch screen`` tries this path first (tests turn it off to compare it with the pandas path)."""
    return True


class _NotPlain(Exception):
    """The file is not a plain CSV for the streaming reader: the pandas path reads it instead."""


@dataclass(frozen=True)
class Header:
    """A CSV file's header as the streaming reader reads it: the column names (made unique as pandas does), the
    delimiter, and where the rows start (after a byte-order mark)."""

    names: list[str]
    delimiter: str


def read_header(path: str, sep: str | None) -> Header | None:
    """The header of the plain CSV file ``path``, or None when the streaming reader does not take it (the pandas
    path then reads the file and words any error)."""
    import csv

    try:
        with open(path, "rb") as fh:
            head = fh.read(1 << 16)
    except OSError:
        return None
    if not NOT_BLANK.search(head) or b"\x00" in head or head.startswith((b"\xff\xfe", b"\xfe\xff", b"\n", b"\r")):
        return None
    body = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
    end = body.find(b"\n")
    if end < 0:
        return None
    try:
        first = body[:end].decode("utf-8").rstrip("\r")
    except UnicodeDecodeError:
        return None
    delimiter = sep if sep else sniff(first)
    delimiter = "\t" if delimiter == "\\t" else delimiter
    if len(delimiter) != 1 or not first or ('"' in first and first.count('"') % 2):
        return None
    try:
        header = next(csv.reader([first], delimiter=delimiter, strict=True))
    except (csv.Error, StopIteration):
        return None
    if not any(cell.strip() for cell in header):
        return None
    return Header(unique_headers(header), delimiter)


class _Source:
    """The input file as pyarrow reads it, its line breaks counted on the way and a NUL byte stopping it; the bytes
    are hashed (SHA-256, for the record) by a thread of its own, hashlib letting go of the GIL."""

    def __init__(self, fh: BinaryIO) -> None:
        self._fh = fh
        self._sha256 = hashlib.sha256()
        self._pending: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._hasher = threading.Thread(target=self._hash, name="kirmatch-sha256")
        self._hasher.start()
        self.breaks = 0
        self.last = b""
        self.closed = False

    def _hash(self) -> None:
        while (data := self._pending.get()) is not None:
            self._sha256.update(data)

    def read(self, size: int = -1) -> bytes:
        data = self._fh.read(size)
        if data:
            if b"\x00" in data:
                raise _NotPlain("a NUL byte")
            self._pending.put(data)
            self.breaks += data.count(b"\n")
            self.last = data[-1:]
        return data

    def finish(self) -> None:
        """Let the hashing thread end (every byte read so far hashed)."""
        if self._hasher.is_alive():
            self._pending.put(None)
            self._hasher.join()

    def hexdigest(self) -> str:
        """The SHA-256 of the bytes read (call after `finish`)."""
        return self._sha256.hexdigest()

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def close(self) -> None:
        self.closed = True


@dataclass
class _Slots:
    """The HLA slots of every row read so far: per locus the distinct texts (one code space for both slots), per
    slot the rows' codes (-1 missing)."""

    texts: dict[str, list[str]]
    """Per locus, the distinct texts by code."""
    dictionary: dict[str, Any]
    """Per locus, every distinct cell seen (pyarrow text, blank ones included), in the order first seen."""
    code_of: dict[str, npt.NDArray[np.int32]]
    """Per locus, the code of each dictionary entry (-1 for a cell of whitespace only, which is missing)."""
    codes: dict[str, list[npt.NDArray[np.int32]]]
    read: dict[str, list[Cells]]

    @classmethod
    def empty(cls) -> _Slots:
        pa, _, _ = pyarrow_modules()

        return cls(
            {locus: [] for locus in LOCI},
            # entry 0 of each dictionary is the null of an empty cell (code -1), so that every cell is found
            {locus: pa.nulls(1, type=pa.string()) for locus in LOCI},
            {locus: np.full(1, -1, dtype=np.int32) for locus in LOCI},
            {slot: [] for pair in SLOT_COLUMNS.values() for slot in pair},
            {locus: [] for locus in LOCI},
        )

    def resolve(self, chosen: Settings, support: bool) -> None:
        """Read the texts added since the last call (while the reader thread codes the next batches); ``support``:
        with the CIWD support of each ligand (for ``kir_gvh_support``)."""
        for locus, (first, _) in SLOT_COLUMNS.items():
            done = sum(len(part.present) - 1 for part in self.read[locus])
            texts = self.texts[locus]
            if len(texts) > done or not self.read[locus]:
                self.read[locus].append(resolve_cells(texts[done:], locus, first, chosen, support=support))

    def encode(self, locus: str, slot: str, column: Any) -> npt.NDArray[np.int32]:
        """The codes of one batch's column, new texts added to the locus's dictionary (a cell of whitespace only is
        missing): one hash lookup per cell in pyarrow, Python only for the texts not seen before."""
        pa, pc, _ = pyarrow_modules()

        index = pc.index_in(column, value_set=self.dictionary[locus], skip_nulls=False)
        if index.null_count:  # texts not seen before
            added = pc.unique(pc.filter(column, pc.is_null(index)))
            blank = numpy_bools(pc.utf8_is_space(added))  # pyarrow's whitespace, as tables_io's
            texts = self.texts[locus]
            codes_added = np.empty(len(added), dtype=np.int32)
            for k, text in enumerate(added.to_pylist()):
                if blank[k]:
                    codes_added[k] = -1
                else:
                    codes_added[k] = len(texts)
                    texts.append(text)
            self.dictionary[locus] = pa.concat_arrays([self.dictionary[locus], added])
            self.code_of[locus] = np.concatenate([self.code_of[locus], codes_added])
            index = pc.index_in(column, value_set=self.dictionary[locus], skip_nulls=False)
        codes: npt.NDArray[np.int32] = self.code_of[locus][numpy_ints(index)]
        self.codes[slot].append(codes)
        return codes


class _Reader(threading.Thread):
    """Parses the file in a thread of its own (pyarrow letting go of the GIL) and puts each batch on ``batches``,
    None at the end, also after a failure: ``failed`` is then set (the file is not plain) and ``error`` holds any
    other exception. The caller codes the batches (`_Rows.take`) while the next ones are parsed."""

    def __init__(self, path: str, header: Header) -> None:
        # not a daemon: were the main thread to end while pyarrow runs here (a second Ctrl-C during the join), the
        # interpreter waits for this thread, which stops at its next batch, instead of finalizing under it
        super().__init__(name="kirmatch-read", daemon=False)
        self.path, self.header = path, header
        self.failed = False
        self.error: BaseException | None = None
        self.source: _Source | None = None
        self.batches: queue.Queue[Any] = queue.Queue(maxsize=_QUEUED_BATCHES)
        self.stop = threading.Event()

    def run(self) -> None:
        pa, _, _ = pyarrow_modules()
        try:
            self._parse()
        except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeDecodeError, _NotPlain, OSError):
            self.failed = True
        except BaseException as exc:  # raised again in the main thread (a thread's own traceback would be lost)
            self.failed = True
            self.error = exc
        finally:
            if self.source is not None:
                self.source.finish()
            self._put(None)

    def _put(self, item: Any) -> None:
        while not self.stop.is_set():
            try:
                self.batches.put(item, timeout=0.05)
                return
            except queue.Full:
                continue

    def _parse(self) -> None:
        pa, _, pacsv = pyarrow_modules()

        names = self.header.names
        with open(self.path, "rb") as fh:
            source = self.source = _Source(fh)
            reader = pacsv.open_csv(
                source,
                read_options=pacsv.ReadOptions(skip_rows=1, column_names=names, block_size=_READ_BLOCK),
                parse_options=pacsv.ParseOptions(
                    delimiter=self.header.delimiter, quote_char='"', double_quote=True, escape_char=False,
                    newlines_in_values=True, ignore_empty_lines=False,
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types={name: pa.string() for name in names}, strings_can_be_null=True, null_values=[""],
                    quoted_strings_can_be_null=True,
                ),
            )
            for batch in reader:
                if self.stop.is_set():
                    return
                self._put(batch)


class _Rows:
    """The rows read so far: the HLA cells as codes (`_Slots`), the other columns as pyarrow text, the file line of
    each row (rows with no field filled in skipped, as the pandas path skips them)."""

    def __init__(self, names: list[str], slot_of: dict[str, tuple[str, int]]) -> None:
        self.names, self.slot_of = names, slot_of
        self.slots = _Slots.empty()
        self.others: dict[str, list[Any]] = {name: [] for name in names if name not in slot_of}
        self.kept_lines: list[npt.NDArray[np.int64]] = []
        self.parsed = 0
        self.dropped = False

    def take(self, batch: Any) -> None:
        pa, pc, _ = pyarrow_modules()

        slots, slot_of = self.slots, self.slot_of
        n = batch.num_rows
        filled = np.zeros(n, dtype=bool)
        row_codes: dict[str, npt.NDArray[np.int32]] = {}
        batch_others: dict[str, Any] = {}
        for name, column in zip(self.names, batch.columns, strict=True):
            if name in slot_of:
                locus, i = slot_of[name]
                codes = slots.encode(locus, SLOT_COLUMNS[locus][i], column)
                row_codes[SLOT_COLUMNS[locus][i]] = codes
                filled |= codes >= 0
            else:
                blank = pc.utf8_is_space(column)  # a cell of whitespace only is missing ("" is null already)
                if pc.any(blank).as_py():
                    column = pc.if_else(blank, pa.nulls(1, type=pa.string())[0], column)
                batch_others[name] = column
                if column.null_count:
                    filled |= numpy_bools(pc.is_valid(column))
                else:
                    filled[:] = True
        lines = np.arange(self.parsed + 2, self.parsed + 2 + n, dtype=np.int64)
        if not filled.all():
            self.dropped = True
            for slot, codes in row_codes.items():
                slots.codes[slot][-1] = codes[filled]
            keep = arrow_bools(filled)
            batch_others = {name: pc.filter(column, keep) for name, column in batch_others.items()}
            lines = lines[filled]
        for name, column in batch_others.items():
            self.others[name].append(column)
        self.kept_lines.append(lines)
        self.parsed += n


@dataclass(frozen=True)
class Screened:
    """What the streaming screen read and decided, for the record and the summary."""

    rows: int
    sha256: str
    counts: dict[str, int]
    """Rows whose GvH verdict over the protocol ligands is present, possible, absent."""
    bad: int
    first_problem: str
    first_problem_line: int


def _text(values: Any) -> Any:
    """A pyarrow text array as large_string (what the shared kernels take)."""
    pa, pc, _ = pyarrow_modules()

    return values if pa.types.is_large_string(values.type) else pc.cast(values, pa.large_string())


def _vocabulary(words: Sequence[str], special: str) -> Any:
    """Distinct cell texts neutralised and quoted once, with the empty text of a missing cell appended last."""
    pa, _, _ = pyarrow_modules()

    safe = [str(neutral(w)) for w in words]
    quoted = quote_arrow(arrow_texts(safe), special)
    return pa.concat_arrays([quoted, arrow_texts([""])])


def _free_text(values: Any, special: str) -> Any:
    """A column of free text (ids, any other input column) neutralised and quoted per cell, missing as empty."""
    pa, pc, _ = pyarrow_modules()

    text = _text(values)
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    risky = pc.match_substring_regex(text, _RISKY)
    if pc.any(risky).as_py():
        rows = np.flatnonzero(numpy_bools(risky))
        cells: list[Any] = text.to_pylist()
        for row in rows.tolist():
            cells[row] = neutral(cells[row])
        text = arrow_texts(cells)
    return pc.coalesce(quote_arrow(text, special), big(""))


def screen_csv(
    path: str,
    header: Header,
    layout: HlaLayout,
    output: str,
    *,
    lead: str | None,
    profile: LigandProfile,
    model: MatchModel,
    kir: tuple[int, int] | None,
    chosen: Settings,
    order: str,
    columns: str,
    errors: str,
    comment: Callable[[Screened], Sequence[str]],
    progress: Callable[[int], None] | None = None,
) -> Screened | None:
    """Screen the donors of the plain CSV ``path`` against one recipient (``profile``) and write the ranked file
    ``output`` atomically (the pandas path's bytes); None when the file is not plain (nothing is written then).

    ``comment(screened)`` gives the ``# ...`` lines that go first (the record, which needs the input's digest and row
    count); ``errors="raise"`` raises at the first bad row instead of writing."""
    pa, pc, _ = pyarrow_modules()

    names = header.names
    slot_of = {column: (locus, i) for locus, pair in layout.slots.items() for i, column in enumerate(pair)}
    wanted = _wanted_columns(columns)
    support = "kir_gvh_support" in wanted  # the CIWD support of each row is read only to be written
    reader = _Reader(path, header)
    rows = _Rows(names, slot_of)
    reader.start()
    try:
        # the batches are coded and their new designations read here while the reader thread parses the next
        while (batch := reader.batches.get()) is not None:
            rows.take(batch)
            rows.slots.resolve(chosen, support)
            if progress is not None:
                progress(rows.parsed)
    finally:
        reader.stop.set()
        reader.join()
    if reader.error is not None:
        raise reader.error
    source = reader.source
    if reader.failed or source is None:
        return None
    slots, others, parsed = rows.slots, rows.others, rows.parsed
    breaks = source.breaks + (0 if source.last == b"\n" else 1)
    if parsed + 1 != breaks:
        return None  # a quoted line break or a blank line: the pandas path numbers those lines
    kept_lines, dropped = rows.kept_lines, rows.dropped
    line_of = np.concatenate(kept_lines) if dropped else None
    n = sum(len(c) for c in slots.codes[SLOT_COLUMNS[LOCI[0]][0]])
    if n == 0:
        return None  # no donor rows: the pandas path says so
    # the smallest integers that hold every code (int16 for a registry of fewer than 32,767 distinct texts a locus)
    width = np.min_scalar_type(-max(len(texts) for texts in slots.texts.values()) - 1)
    codes_of = {slot: np.concatenate(parts).astype(width) for slot, parts in slots.codes.items()}
    del slots.codes
    cells = _resolve(slots, chosen, support)

    # rows combined in blocks, keeping one small code per row and output column
    decided: dict[str, npt.NDArray[np.int8]] = {
        name: np.empty(n, dtype=np.int8) for name in wanted if name not in ("kir_error", "kir_error_code")
    }
    error_text: RowErrors = {}
    for start in range(0, n, _BLOCK_ROWS):
        stop = min(start + _BLOCK_ROWS, n)

        def loci(locus: str, start: int = start, stop: int = stop) -> list[Any]:
            return [
                cells[slot].column(codes_of[slot][start:stop], support=support, missing=chosen.homozygous_if_blank)
                for slot in SLOT_COLUMNS[locus]
            ]

        donor, block_errors = person_planes(loci, stop - start, chosen, "flag", support=support)
        undecided = sorted(block_errors)
        recipient = recipient_person(profile, stop - start)
        block = mismatch_codes(donor, recipient, model, kir, undecided, support=support)
        for name, column in decided.items():
            column[start:stop] = block[name]
        for row, problem in block_errors.items():
            error_text[start + row] = problem
    bad = np.zeros(n, dtype=bool)
    if error_text:
        bad[list(error_text)] = True
    first_bad = min(error_text) if error_text else -1

    def line(row: int) -> int:
        return int(line_of[row]) if line_of is not None else row + 2

    if errors == "raise" and first_bad >= 0:
        raise KirmatchError(f"{path} line {line(first_bad)}: {error_text[first_bad][0]}", input=path)
    gvh = [decided[f"kir_gvh_{ligand.column}"] for ligand in PROTOCOL_LIGANDS]
    incompatible = decided["kir_gvh_incompatible"]
    sequence = np.lexsort([np.arange(n), *rank_keys(gvh, incompatible, bad, order)]).astype(np.min_scalar_type(n))
    verdicts = verdict_keys(gvh, bad).astype(np.int16)
    counts = {word: int(np.count_nonzero(incompatible == code)) for code, word in enumerate(PRESENCE_WORDS)}
    screened = Screened(
        rows=n,
        sha256=source.hexdigest(),
        counts=counts,
        bad=len(error_text),
        first_problem=error_text[first_bad][0] if first_bad >= 0 else "",
        first_problem_line=line(first_bad) if first_bad >= 0 else 0,
    )
    # one array per column (a take from a chunked array would join its chunks at every batch)
    text_others = {name: pa.chunked_array(parts, type=pa.string()).combine_chunks() for name, parts in others.items()}
    del others
    out_columns = [*([lead] if lead is not None else []), "kir_rank", "kir_verdict", "kir_deciding_alleles",
                   *wanted, "kir_line", *[c for c in names if c != lead]]
    special = "[" + re.escape(quoted_characters()) + "]"
    vocab = {locus: _vocabulary(texts, special) for locus, texts in slots.texts.items()}
    verdict_words = _vocabulary(verdict_texts(model.name), special)
    deciding = _Deciding(cells, slots.texts, model.uses_donor_hla)
    comma, newline = big(","), big("\n")

    # consecutive presence (and support) columns are written as one text per distinct combination of their codes
    segments: list[list[str]] = []
    for name in out_columns:
        if name in decided and segments and segments[-1][0] in decided:
            segments[-1].append(name)
        else:
            segments.append([name])
    combined: dict[tuple[str, ...], dict[int, str]] = {tuple(group): {} for group in segments}

    def group_text(group: list[str], rows: npt.NDArray[np.intp]) -> Any:
        key = np.zeros(len(rows), dtype=np.int64)
        for name in group:
            key = key * 8 + (decided[name][rows].astype(np.int64) + 1)
        uniques, inverse = np.unique(key, return_inverse=True)
        known = combined[tuple(group)]
        texts: list[str] = []
        values: list[int] = uniques.tolist()
        for value in values:
            text = known.get(value)
            if text is None:
                words: list[str] = []
                for k, name in enumerate(reversed(group)):
                    code = (value >> (3 * k)) % 8 - 1
                    vocabulary: tuple[str, ...] = SUPPORT_WORDS if name == "kir_gvh_support" else PRESENCE_WORDS
                    words.append("" if code < 0 else _quote_word(str(neutral(vocabulary[code]))))
                text = known[value] = ",".join(reversed(words))
            texts.append(text)
        return arrow_texts(texts).take(arrow_ints(inverse.reshape(-1)))

    # a slot's words with the missing cell's empty word first: row codes -1.. read at code + 1
    slot_words = {locus: pa.concat_arrays([arrow_texts([""]), words[:-1]]) for locus, words in vocab.items()}

    def column_text(
        group: list[str], rows: npt.NDArray[np.intp], start: int, slots_of_rows: dict[str, npt.NDArray[Any]]
    ) -> Any:
        name = group[0]
        if name in decided:
            return group_text(group, rows)
        if name == "kir_rank":
            return pc.cast(arrow_ints(np.arange(start + 1, start + 1 + len(rows), dtype=np.int64)), pa.large_string())
        if name == "kir_line":
            numbers = line_of[rows] if line_of is not None else rows + 2
            return pc.cast(arrow_ints(numbers), pa.large_string())
        if name == "kir_verdict":
            return verdict_words.take(arrow_ints(verdicts[rows]))
        if name == "kir_deciding_alleles":
            return deciding.text(slots_of_rows, [g[rows] for g in gvh])
        if name in ("kir_error", "kir_error_code"):
            which = 0 if name == "kir_error" else 1
            texts: list[str | None] = [None] * len(rows)
            if error_text:
                for k in np.flatnonzero(bad[rows]).tolist():
                    problem = error_text[int(rows[k])]
                    texts[k] = problem[0] if which == 0 else problem[1].value
            return _free_text(arrow_texts(texts), special)
        if name in slot_of:
            locus, i = slot_of[name]
            return slot_words[locus].take(arrow_ints(slots_of_rows[SLOT_COLUMNS[locus][i]] + 1))
        return _free_text(text_others[name].take(arrow_ints(rows)), special)

    last = segments[-1][0]
    if last in slot_of:  # the last column taken from words that end the line: the lines are joined once
        vocab_last = pc.binary_join_element_wise(slot_words[slot_of[last][0]], newline, big(""))
    else:
        vocab_last = None

    def ranked_lines(start: int) -> Any:
        """The CSV lines of the rows ranked ``start`` to ``start + _WRITE_ROWS``."""
        rows = sequence[start : start + _WRITE_ROWS]
        slots_of_rows = {slot: codes[rows] for slot, codes in codes_of.items()}  # read once for all the columns
        cells = [column_text(group, rows, start, slots_of_rows) for group in segments[:-1]]
        if vocab_last is not None:
            locus, i = slot_of[last]
            cells.append(vocab_last.take(arrow_ints(slots_of_rows[SLOT_COLUMNS[locus][i]] + 1)))
            return pc.binary_join_element_wise(*cells, comma)
        cells.append(column_text(segments[-1], rows, start, slots_of_rows))
        return pc.binary_join_element_wise(pc.binary_join_element_wise(*cells, comma), big(""), newline)

    def write(target: str) -> None:
        from collections import deque
        from concurrent.futures import Future, ThreadPoolExecutor

        with open(target, "wb") as fh:
            fh.write("".join(f"# {line}\n" for line in comment(screened)).encode("utf-8"))
            fh.write(header_line([neutral(c) for c in out_columns]).encode("utf-8"))
            # pyarrow's kernels let go of the GIL: two batches are built at once, written in order
            if _WORKERS == 1:
                for start in range(0, n, _WRITE_ROWS):
                    _write_text(fh, ranked_lines(start))
                return
            with ThreadPoolExecutor(max_workers=_WORKERS, thread_name_prefix="kirmatch-screen") as pool:
                pending: deque[Future[Any]] = deque()
                for start in range(0, n, _WRITE_ROWS):
                    pending.append(pool.submit(ranked_lines, start))
                    if len(pending) > 2:
                        _write_text(fh, pending.popleft().result())
                while pending:
                    _write_text(fh, pending.popleft().result())

    atomic_write(output, write)
    return screened


def _quote_word(word: str) -> str:
    """One cell as Python's csv writer quotes it (QUOTE_MINIMAL)."""
    if any(ch in word for ch in quoted_characters()):
        return '"' + word.replace('"', '""') + '"'
    return word


def _write_text(fh: BinaryIO, text: Any) -> None:
    """Write the UTF-8 bytes of a pyarrow text array's cells, back to back, from its buffer (no copy)."""
    pa, _, _ = pyarrow_modules()

    if len(text) == 0:
        return
    _, offsets, data = text.buffers()
    width = np.int64 if pa.types.is_large_string(text.type) else np.int32
    ends = np.frombuffer(offsets, dtype=width)[text.offset : text.offset + len(text) + 1]
    fh.write(memoryview(data)[int(ends[0]) : int(ends[-1])])


def _wanted_columns(columns: str) -> list[str]:
    """The decided columns written after ``kir_deciding_alleles`` for ``--columns short`` / ``full`` (the pandas
    path's order)."""
    from kirmatch._planes import LIGANDS

    if columns == "full":
        names = [f"kir_{d}_{ligand.column}" for d in ("gvh", "hvg") for ligand in LIGANDS]
        return [*names, "kir_gvh_incompatible", "kir_hvg_incompatible", "kir_gvh_support", "kir_error",
                "kir_error_code"]
    return [*(f"kir_gvh_{ligand.column}" for ligand in PROTOCOL_LIGANDS), "kir_gvh_incompatible", "kir_error"]


def _resolve(slots: _Slots, chosen: Settings, support: bool) -> dict[str, Cells]:
    """Each slot's distinct cells read once (both slots of a locus share the reading; a bad cell's error names its
    own slot column)."""
    out: dict[str, Cells] = {}
    for locus, (first, second) in SLOT_COLUMNS.items():
        slots.resolve(chosen, support)
        cells = Cells.concat(slots.read[locus])
        out[first] = cells
        if cells.errors:
            bad = sorted(cells.errors)
            again = resolve_cells([slots.texts[locus][i] for i in bad], locus, second, chosen, support=support)
            errors = {i: again.errors[k] for k, i in enumerate(bad)}
            cells = Cells(cells.present, cells.possible, cells.support, cells.missing, cells.bad, errors)
        out[second] = cells
    return out


class _Deciding:
    """``kir_deciding_alleles`` of rows in rank order: per GvH-mismatched protocol ligand, the donor alleles that
    carry it (the text of `kirmatch.tables_io.deciding_alleles`), quoted as the csv writer quotes it.

    Each (ligand, slot) contributes at most one word per row, taken from a vocabulary that has every allele name in
    three forms (the row's first word ``C2: name``, a ligand's first word ``; C2: name``, a later word ``, name``)
    and with ``(possibly)``; the words of a row are joined once. Names are written with their quotes doubled: a name
    holding a quote makes its row quoted anyway. The text starts with a ligand name, never a formula."""

    def __init__(self, cells: dict[str, Cells], texts: dict[str, list[str]], uses_donor_hla: bool) -> None:
        self.uses_donor_hla = uses_donor_hla
        self.locus_of = {slot: locus for locus, pair in SLOT_COLUMNS.items() for slot in pair}
        self.texts = {slot: texts[locus] for slot, locus in self.locus_of.items()}
        self.special = {
            slot: np.array([any(ch in name for ch in quoted_characters()) for name in names] + [False], dtype=bool)
            for slot, names in self.texts.items()
        }
        self.any_special = {slot: bool(flags.any()) for slot, flags in self.special.items()}
        self.vocabularies: dict[tuple[str, str], Any] = {}
        self.pieces: dict[tuple[str, int], npt.NDArray[np.int64]] = {}
        for slot, found in cells.items():
            present = np.where(found.bad, 0, found.present).astype(np.int64)
            possible = np.where(found.bad, 0, found.possible).astype(np.int64)
            present[-1] = possible[-1] = 0  # a missing cell (NA) names no allele
            for ligand in PROTOCOL_LIGANDS:
                sure = (present & ligand.bit) != 0
                maybe = ~sure & ((possible & ligand.bit) != 0)
                piece = np.where(sure | maybe, 2 * np.arange(len(present), dtype=np.int64) + maybe, -1)
                if (piece >= 0).any():  # no cell of this slot carries the ligand (HLA-A and C1): never a word
                    self.pieces[(slot, ligand.bit)] = piece

    def vocabulary(self, ligand: str, slot: str) -> Any:
        """The words of one (ligand, slot): form f, piece p at ``f * 2 * len(names) + p``; the empty word last."""
        key = (ligand, self.locus_of[slot])  # both slots of a locus share its names
        found = self.vocabularies.get(key)
        if found is None:
            names = [name.replace('"', '""') for name in self.texts[slot]]
            words = [
                f"{lead}{name}{tail}"
                for lead in (f"{ligand}: ", f"; {ligand}: ", ", ")
                for name in names
                for tail in ("", " (possibly)")
            ]
            found = self.vocabularies[key] = arrow_texts([*words, ""])
        return found

    def text(self, slots_of_rows: dict[str, npt.NDArray[Any]], gvh: Sequence[npt.NDArray[np.int8]]) -> Any:
        """The text of rows whose slot codes are ``slots_of_rows`` and GvH presence codes of the protocol ligands
        ``gvh``."""
        _, pc, _ = pyarrow_modules()

        m = len(gvh[0])
        if not self.uses_donor_hla:
            return arrow_texts([""]).take(arrow_ints(np.zeros(m, dtype=np.int64)))
        slot_codes: dict[str, npt.NDArray[np.int32]] = {}
        open_: dict[str, npt.NDArray[np.bool_]] = {}
        for first, second in SLOT_COLUMNS.values():
            one, two = slots_of_rows[first], slots_of_rows[second]
            slot_codes[first], slot_codes[second] = one, two
            open_[first] = np.ones(m, dtype=bool)
            open_[second] = ~((two == one) & (two >= 0))  # the same cell twice is named once
        words: list[Any] = []
        seen_row = np.zeros(m, dtype=bool)
        quoted = np.zeros(m, dtype=bool)
        for ligand, codes in zip(PROTOCOL_LIGANDS, gvh, strict=True):
            mismatched = codes >= 1
            seen_ligand = np.zeros(m, dtype=bool)
            for slot, slot_code in slot_codes.items():
                pieces = self.pieces.get((slot, ligand.bit))
                if pieces is None:
                    continue
                piece = pieces[slot_code]
                has = (piece >= 0) & mismatched & open_[slot]
                if not has.any():
                    continue  # no word of this slot here: its empty words would add nothing
                quoted |= seen_ligand & has  # a second word of a ligand: ", " in the text
                if self.any_special[slot]:
                    quoted |= has & self.special[slot][slot_code]
                width = 2 * len(self.texts[slot])
                vocabulary = self.vocabulary(str(ligand), slot)
                # the form: 0 the row's first word, 1 a ligand's first, 2 a later one (a seen ligand was a seen row)
                form = seen_row.astype(np.int64) + seen_ligand
                words.append(vocabulary.take(arrow_ints(np.where(has, form * width + piece, len(vocabulary) - 1))))
                seen_row |= has
                seen_ligand |= has
        if not words:
            return arrow_texts([""]).take(arrow_ints(np.zeros(m, dtype=np.int64)))
        marks = arrow_texts(["", '"']).take(arrow_ints(quoted.astype(np.int64)))
        return pc.binary_join_element_wise(marks, *words, marks, big(""))
