"""The bundled reference table: loading it (lazily, once), its provenance, and look-ups by name.

The table (``hla_groups.csv``, built by :mod:`kirmatch.build` from one IPD-IMGT/HLA release) travels inside the
package and is read with :mod:`importlib.resources` on first use, never at import. ``KIRMATCH_TABLE`` may name
another table built the same way (for a newer release); its ``.json`` provenance must sit beside it.

Look-ups return :class:`AlleleRecord` values, one per IPD allele, and never raise anything but
:class:`~kirmatch.KirmatchError` subclasses for a name that is well formed but unknown.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from kirmatch._errors import ReferenceTableError, UnknownAlleleError, quote
from kirmatch.nomenclature import AlleleName

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "AlleleRecord",
    "ReferenceInfo",
    "Resolution",
    "Reference",
    "get_reference",
    "reference_info",
    "reference_table",
    "TABLE_ENV",
]

TABLE_ENV = "KIRMATCH_TABLE"
"""Environment variable naming a table to use instead of the bundled one."""

_TABLE_NAME = "hla_groups.csv"


@dataclass(frozen=True, slots=True)
class AlleleRecord:
    """One row of the reference table: one IPD-IMGT/HLA allele and what its protein carries."""

    allele: str
    locus: str
    fields: tuple[str, ...]
    protein: str
    expression: str
    expressed: bool
    residues_76_83: str
    residues_from: str
    classified: bool
    epitope: str
    ligand: str
    bw4_80: str
    kir3dl2: str
    flags: tuple[str, ...]
    note: str
    g_group: str
    p_group: str
    serology: tuple[str, ...]
    serology_other: tuple[str, ...]
    serology_broad: tuple[str, ...]
    name_2009: tuple[str, ...]

    @classmethod
    def from_row(cls, row: dict[str, str]) -> AlleleRecord:
        name = row["allele"]
        return cls(
            allele=name,
            locus=row["locus"],
            fields=tuple(name.split("*", 1)[1].rstrip("NLSQCA").split(":")),
            protein=row["protein"],
            expression=row["expression"],
            expressed=row["expressed"] == "true",
            residues_76_83=row["residues_76_83"],
            residues_from=row["residues_from"],
            classified=row["classified"] == "true",
            epitope=row["epitope"],
            ligand=row["ligand"],
            bw4_80=row["bw4_80"],
            kir3dl2=row["kir3dl2"],
            flags=tuple(filter(None, row["flags"].split(";"))),
            note=row["note"],
            g_group=row["g_group"],
            p_group=row["p_group"],
            serology=tuple(filter(None, row["serology"].split("/"))),
            serology_other=tuple(filter(None, row["serology_other"].split("/"))),
            serology_broad=tuple(filter(None, row["serology_broad"].split("/"))),
            name_2009=tuple(filter(None, row["name_2009"].split("/"))),
        )


@dataclass(frozen=True, slots=True)
class Resolution:
    """What a designation denotes: the candidate alleles, the non-expressed ones set aside, and a note."""

    normalized: str
    candidates: tuple[AlleleRecord, ...]
    excluded: tuple[AlleleRecord, ...]
    note: str = ""


class ReferenceInfo(BaseModel):
    """Where the reference table came from: the IPD-IMGT/HLA release and how the table was built."""

    model_config = ConfigDict(frozen=True)

    database: str
    release: str
    release_date: str
    rules_version: str
    build_command: str
    alleles: int
    table_sha256: str
    inputs_sha256: dict[str, str]
    path: str

    def __str__(self) -> str:
        return (
            f"{self.database} {self.release} ({self.release_date}), {self.alleles} HLA-A/B/C alleles, "
            f"rules v{self.rules_version}"
        )


class Reference:
    """The loaded table with its indexes. Build one with :func:`get_reference`; it is immutable once built."""

    def __init__(self, records: Iterable[AlleleRecord], info: ReferenceInfo, history: list[dict[str, str]]):
        self.records: tuple[AlleleRecord, ...] = tuple(records)
        self.info = info
        self.by_name: dict[str, AlleleRecord] = {r.allele: r for r in self.records}
        prefix: dict[tuple[str, tuple[str, ...]], list[AlleleRecord]] = {}
        for record in self.records:
            for k in range(1, len(record.fields) + 1):
                prefix.setdefault((record.locus, record.fields[:k]), []).append(record)
        self.by_prefix: dict[tuple[str, tuple[str, ...]], tuple[AlleleRecord, ...]] = {
            key: tuple(value) for key, value in prefix.items()
        }
        self.history: dict[str, dict[str, str]] = {row["name"].upper(): row for row in history}

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickles as "the process-wide reference", so worker processes load their own copy once.
        return (get_reference, ())

    def under(self, name: AlleleName) -> tuple[AlleleRecord, ...]:
        """Every allele whose fields start with ``name``'s fields (nulls included), or raise UnknownAlleleError."""
        found = self.by_prefix.get((name.locus, name.fields))
        if found is None:
            raise self.unknown(name)
        return found

    def resolve(self, name: AlleleName) -> Resolution:
        """The IPD alleles a single allele name denotes, by the lab convention for expression suffixes.

        * A name with a suffix (``C*04:09N``) denotes the alleles under its fields, which must all carry that
          suffix: ``C*07:02N`` is refused (C*07:02 is expressed; its null is ``C*07:02:01:17N``), so that a
          stray letter never turns an expressed protein into a null.
        * A name without one (``C*07:02``) denotes the *expressed* alleles under its fields; non-expressed ones
          that share the fields (``C*07:02:01:17N``) are returned apart, as ``excluded``, for the record.
        * A name without a suffix whose alleles are all non-expressed (``C*04:09`` for ``C*04:09N``) denotes
          those alleles, with a note that IPD writes the suffix.
        """
        found = self.under(name)
        if name.suffix:
            if any(r.expression != name.suffix for r in found):
                with_suffix = [r.allele for r in found if r.expression == name.suffix]
                bare = AlleleName(name.locus, name.fields)
                hint = (
                    f"; the {name.suffix} alleles under it are {', '.join(with_suffix[:5])}"
                    if with_suffix
                    else f"; write {bare} for the expressed alleles"
                )
                raise UnknownAlleleError(
                    f"{quote(str(name))} is not an IPD-IMGT/HLA {self.info.release} name: {bare} covers alleles "
                    f"without the suffix {name.suffix}{hint}",
                    input=str(name),
                    suggestions=tuple(with_suffix[:5]) or (str(bare),),
                )
            return Resolution(str(name), found, ())
        expressed = tuple(r for r in found if r.expressed)
        if expressed:
            return Resolution(str(name), expressed, tuple(r for r in found if not r.expressed))
        spelled = sorted({r.allele for r in found})
        event = self.history.get(str(name).upper())
        why = f"IPD {event['fate']} it ({event['when']}); " if event and event["when"] else ""
        return Resolution(
            str(name),
            found,
            (),
            note=f"{why}IPD writes this with its expression suffix: {', '.join(spelled[:5])}",
        )

    def unknown(self, name: AlleleName | str) -> UnknownAlleleError:
        """The error for a well-formed name absent from the release, with IPD's history or the closest names."""
        text = str(name)
        release = f"IPD-IMGT/HLA {self.info.release}"
        event = self.history.get(text.upper())
        if event is not None:
            replacement = event["replacement"] or None
            when = f" ({event['when']})" if event["when"] else ""
            use = f"; use {replacement}" if replacement else "; IPD names no replacement"
            return UnknownAlleleError(
                f"{quote(text)} is not a current allele: IPD-IMGT/HLA lists it as {event['fate']}{when}{use}",
                input=text,
                replacement=replacement,
                suggestions=(replacement,) if replacement else (),
            )
        suggestions = self.closest(name) if isinstance(name, AlleleName) else ()
        hint = f"; closest known: {', '.join(suggestions)}" if suggestions else ""
        return UnknownAlleleError(
            f"{quote(text)} is well formed but not an allele of {release}{hint}",
            input=text,
            suggestions=suggestions,
        )

    def closest(self, name: AlleleName, n: int = 3) -> tuple[str, ...]:
        """Up to ``n`` existing names at the deepest level that matches, nearest by number first."""
        depth = len(name.fields)
        while depth > 0 and (name.locus, name.fields[: depth - 1]) not in self.by_prefix and depth > 1:
            depth -= 1
        parent = name.fields[: depth - 1]
        if depth > 1 and (name.locus, parent) not in self.by_prefix:
            return ()
        pool = self.by_prefix.get((name.locus, parent), ()) if parent else [
            r for r in self.records if r.locus == name.locus
        ]
        level = {r.fields[: depth] for r in pool if len(r.fields) >= depth}
        try:
            target = int(name.fields[depth - 1])
        except (IndexError, ValueError):  # pragma: no cover - fields are digits by construction
            target = 0
        ranked = sorted(level, key=lambda f: (abs(int(f[-1]) - target), int(f[-1])))
        return tuple(f"{name.locus}*{':'.join(f)}" for f in ranked[:n])


def _bundled_table() -> Path:
    candidate = resources.files("kirmatch").joinpath("data", _TABLE_NAME)
    if candidate.is_file():
        return Path(str(candidate))
    # A source checkout used without installing (PYTHONPATH=src): the table sits in the project's data/.
    source = Path(__file__).resolve().parents[2] / "data" / _TABLE_NAME
    if source.is_file():
        return source
    raise ReferenceTableError(
        "the bundled reference table is missing from this installation of kirmatch; reinstall it",
        input=str(candidate),
    )


def load_reference(path: str | Path) -> Reference:
    """Read a table written by :func:`kirmatch.build.build_table` (with its ``.json`` and history beside it)."""
    table = Path(path)
    meta = table.with_suffix(".json")
    history = table.with_name("hla_history.csv")
    for needed in (table, meta, history):
        if not needed.is_file():
            raise ReferenceTableError(f"reference file {str(needed)!r} does not exist", input=str(needed))
    raw = table.read_bytes()
    try:
        text = raw.decode("utf-8")
        rows = list(csv.DictReader(text.splitlines()))
        provenance = json.loads(meta.read_text(encoding="utf-8"))
        records = [AlleleRecord.from_row(row) for row in rows]
        with history.open(encoding="utf-8", newline="") as fh:
            events = list(csv.DictReader(fh))
    except (UnicodeDecodeError, KeyError, ValueError, json.JSONDecodeError) as exc:
        raise ReferenceTableError(f"reference table {str(table)!r} is malformed: {exc}", input=str(table)) from exc
    digest = hashlib.sha256(raw).hexdigest()
    if provenance.get("table_sha256") != digest:
        raise ReferenceTableError(
            f"reference table {str(table)!r} does not match the SHA-256 in {meta.name}: it was edited after the build",
            input=str(table),
        )
    info = ReferenceInfo(
        database=provenance["database"],
        release=provenance["release"],
        release_date=provenance["release_date"],
        rules_version=provenance["rules_version"],
        build_command=provenance["build_command"],
        alleles=len(records),
        table_sha256=digest,
        inputs_sha256=provenance["inputs_sha256"],
        path=str(table),
    )
    return Reference(records, info, events)


@functools.lru_cache(maxsize=1)
def _reference_at(path: str) -> Reference:
    return load_reference(path)


def get_reference() -> Reference:
    """The process-wide reference: ``$KIRMATCH_TABLE`` if set, else the bundled table. Loaded once."""
    override = os.environ.get(TABLE_ENV)
    return _reference_at(override if override else str(_bundled_table()))


def reference_info() -> ReferenceInfo:
    """Provenance of the reference in use: release, date, SHA-256 of the table and of every IMGT input file."""
    return get_reference().info


def reference_table() -> pd.DataFrame:
    """The reference table as a pandas DataFrame (a fresh copy; categorical locus/epitope/ligand columns)."""
    import pandas as pd

    reference = get_reference()
    frame = pd.read_csv(
        reference.info.path,
        dtype=str,
        keep_default_na=False,
        na_filter=False,
    )
    for column in ("expressed", "classified"):
        frame[column] = frame[column].eq("true")
    for column in ("locus", "expression", "epitope", "ligand", "bw4_80", "kir3dl2"):
        frame[column] = frame[column].astype("category")
    return frame
