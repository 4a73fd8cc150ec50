"""The bundled KIR allele table (IPD-KIR), loaded lazily, and the reading of KIR allele names against it.

The table (``kir_alleles.csv``, built by [`kirmatch.build_kir_table`][kirmatch.build_kir_table] from one IPD-KIR
release) is read with `importlib.resources` on first use, never at import.

Decision logic of [`resolve_kir_allele`][kirmatch.kir_reference.resolve_kir_allele]:

* A name is a gene (``KIR2DL1`` or ``2DL1``), ``*``, and 3, 5 or 7 digits, optionally followed by the expression suffix
  (``N``, ``Q``): ``KIR2DL1*003``, ``2DL1*00302``, ``KIR3DL1*0040101``. Any resolution is accepted: the name covers
  every allele of the release whose number starts with it.
* A name that IPD deleted is refused with the replacement named (``deleted_allele``); one the release does not know
  is refused (``unknown_allele``).
* What the covered alleles say is combined as alternatives: a property is known only when every covered allele
  agrees (``KIR2DL1*003`` has Arg245 in every allele it covers; a name whose alleles disagree gives "unknown").
"""

from __future__ import annotations

import csv
import functools
import json
import re
from dataclasses import dataclass
from importlib import resources

from kirmatch._errors import ErrorCode, KirTypingError, ReferenceTableError, quote

__all__ = ["KirAlleleRecord", "KirAlleleCall", "kir_table_info", "kir_records", "resolve_kir_allele"]

_NAME = re.compile(r"(?:KIR)?\s*([23]D[LSP]\d[AB]?)\s*\*\s*(\d{3}(?:\d{2}){0,2})([NQ]?)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class KirAlleleRecord:
    """One row of the KIR allele table."""

    allele: str
    gene: str
    protein: str
    suffix: str
    coding: str
    confirmed: str
    expressed: str
    residue_245: str
    kir2ds4_deletion: str
    kir3dl1_expression: str
    residues_from: str
    note: str


@dataclass(frozen=True, slots=True)
class KirAlleleCall:
    """What a KIR allele name says, over the alleles it covers (a value is ``""`` when they disagree)."""

    name: str
    gene: str
    alleles: tuple[str, ...]
    expressed: str
    residue_245: str
    kir2ds4_deletion: str
    kir3dl1_expression: str


def _data_text(name: str) -> str:
    try:
        return resources.files("kirmatch").joinpath("_data").joinpath(name).read_text(encoding="utf-8")
    except OSError as exc:  # pragma: no cover - a broken installation
        raise ReferenceTableError(f"the bundled KIR table {name} cannot be read: {exc}", input=name) from exc


@functools.lru_cache(maxsize=1)
def kir_records() -> tuple[KirAlleleRecord, ...]:
    """Every allele of the bundled IPD-KIR release, in ``Allelelist.txt`` order."""
    rows = csv.DictReader(_data_text("kir_alleles.csv").splitlines())
    return tuple(KirAlleleRecord(**row) for row in rows)


@functools.lru_cache(maxsize=1)
def _history() -> dict[str, str]:
    rows = csv.DictReader(_data_text("kir_history.csv").splitlines())
    return {row["name"]: row["replacement"] for row in rows}


@functools.lru_cache(maxsize=1)
def kir_table_info() -> dict[str, object]:
    """The provenance of the bundled KIR table (release, SHA-256s, sources)."""
    info: dict[str, object] = json.loads(_data_text("kir_alleles.json"))
    return info


@functools.lru_cache(maxsize=1)
def _by_gene() -> dict[str, tuple[KirAlleleRecord, ...]]:
    out: dict[str, list[KirAlleleRecord]] = {}
    for record in kir_records():
        out.setdefault(record.gene, []).append(record)
    return {gene: tuple(records) for gene, records in out.items()}


def _agreed(values: list[str]) -> str:
    return values[0] if values and all(v == values[0] for v in values) else ""


@functools.lru_cache(maxsize=4096)
def resolve_kir_allele(text: str) -> KirAlleleCall:
    """Read one KIR allele name at any resolution (``KIR2DL1*003``, ``3DL1*00401``) against the bundled release.

    >>> call = resolve_kir_allele("KIR2DL1*003")
    >>> call.gene, call.residue_245, len(call.alleles) > 1
    ('KIR2DL1', 'R', True)
    >>> resolve_kir_allele("KIR3DL1*004").kir3dl1_expression
    'retained'
    """
    m = _NAME.fullmatch(text.strip()) if isinstance(text, str) else None  # pyright: ignore[reportUnnecessaryIsInstance]
    if m is None:
        raise KirTypingError(
            f"{quote(text)} is not a KIR allele name such as 'KIR2DL1*003' or 'KIR3DL1*00401'", input=text
        )
    gene = "KIR" + m.group(1).upper()
    number, suffix = m.group(2), m.group(3).upper()
    name = f"{gene}*{number}{suffix}"
    if name in _history():
        replacement = _history()[name]
        hint = f"; IPD-KIR names it {replacement}" if replacement else ""
        raise KirTypingError(
            f"{quote(text)} was deleted from IPD-KIR{hint}", input=text, code=ErrorCode.DELETED_ALLELE
        )
    records = [
        r
        for r in _by_gene().get(gene, ())
        if r.allele.split("*", 1)[1].rstrip("NQ").startswith(number) and (not suffix or r.suffix == suffix)
    ]
    if not records:
        raise KirTypingError(
            f"{quote(text)} is well formed but names no allele of IPD-KIR {kir_table_info().get('release', '')}",
            input=text,
            code=ErrorCode.UNKNOWN_ALLELE,
        )
    return KirAlleleCall(
        name=name,
        gene=gene,
        alleles=tuple(r.allele for r in records),
        expressed=_agreed([r.expressed for r in records]),
        residue_245=_agreed([r.residue_245 for r in records]),
        kir2ds4_deletion=_agreed([r.kir2ds4_deletion for r in records]),
        kir3dl1_expression=_agreed([r.kir3dl1_expression for r in records]),
    )
