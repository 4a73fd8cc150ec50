"""Reading a release's text files and writing a derived table: what the HLA and KIR table builders share."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Iterator
from pathlib import Path

__all__ = ["lines", "read_protein_fasta", "csv_text", "sha256"]


def lines(path: Path) -> Iterator[str]:
    """The non-empty lines of a release file that are not ``#`` comments, without their line ends."""
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\r\n")
            if line and not line.startswith("#"):
                yield line


def read_protein_fasta(path: Path) -> dict[str, str]:
    """Protein records by allele name, the second word of each header (``>HLA:HLA00401 C*01:02:01:01 366 bp``)."""
    records: dict[str, list[str]] = {}
    current: list[str] | None = None
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line.startswith(">"):
                current = records.setdefault(line[1:].split()[1], [])
            elif line and current is not None:
                current.append(line)
    return {name: "".join(parts) for name, parts in records.items()}


def csv_text(rows: Iterable[dict[str, str]], columns: tuple[str, ...]) -> str:
    """The rows as CSV text with a header, ``\\n`` line ends (byte-reproducible on every platform)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, as hex."""
    return hashlib.sha256(path.read_bytes()).hexdigest()
