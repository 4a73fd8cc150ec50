"""Turn an IPD-IMGT/HLA release directory into kirmatch's reference table.

``kirmatch build-table --imgt DIR --out src/kirmatch/_data/hla_groups.csv`` (or
[`build_table`][kirmatch.build_hla_table.build_table]) reads the files of one release (laid out like
``imgt-hla-3.58.0/``: ``A_prot.fasta``, ``B_prot.fasta``, ``C_prot.fasta``, ``Allelelist.txt``, ``hla_nom_g.txt``,
``hla_nom_p.txt``, ``rel_dna_ser.txt``, ``rel_ser_ser.txt``, ``Nomenclature_2009.txt``, ``Deleted_alleles.txt``,
``release_version.txt``) and writes three files that are derived from them, never copies of them:

* ``hla_groups.csv``: one row per HLA-A, -B and -C allele of ``Allelelist.txt``, with its residues at mature
  positions 76-83 and the KIR-ligand call of [`kirmatch.ligands`][kirmatch.ligands];
* ``hla_groups.json``: provenance (release, date, SHA-256 of every input, build command, rules version);
* ``hla_history.csv``: deleted and renamed HLA-A, -B and -C names with their current replacement.

How residues 76-83 are found (decision logic):

1. Each distinct protein record of a locus is aligned (Biopython ``PairwiseAligner``, global, BLOSUM62, gap open
   -10, extend -0.5, free end gaps, so partial and exon 2-3 records align where they fit) to each locus reference
   record (``REFERENCE_ALLELES``: full length, mature protein after the 24-residue class I leader). A reading
   without a gap inside 76-83 is kept if there is one (an indel next to the window then lands outside it, where
   another reference shows it belongs), else the best-scoring one. A trailing stop (``X``) is removed first.
2. Mature position *p* is read from the residue aligned to reference index ``24 + p - 1``. No offset is assumed
   for the record itself.
3. A record "covers" 76-83 when all eight positions align to residues and the record is in frame there: at
   least 80 % of its residues at positions 66-75 are residues that expressed alleles of the locus show at that
   position, and, for a non-expressed allele (whose record may be frame-shifted inside the window), each of
   its residues at 76-83 is one that at least two expressed alleles show there.
4. An allele whose own record does not cover 76-83 (or that has no record) takes the residues of the first allele,
   in ``Allelelist.txt`` order, with the same first two fields whose record does (same protein by definition); the
   ``residues_from`` column names it. Otherwise it stays unclassified, saying why.

The build needs the ``build`` extra (Biopython); run time never imports it.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from kirmatch._build_io import csv_text, lines, read_protein_fasta, sha256
from kirmatch._errors import ReferenceTableError
from kirmatch.ligands import MATURE_END, MATURE_START, RULES_VERSION, call_epitope, expression_flags
from kirmatch.nomenclature import LOCI, NOT_EXPRESSED_SUFFIXES

__all__ = ["TABLE_COLUMNS", "HISTORY_COLUMNS", "INPUT_FILES", "build_table", "derive_rows"]

LEADER_LENGTH = 24
"""Residues of the class I signal peptide before mature position 1."""

REFERENCE_ALLELES = {
    "A": ("A*01:01:01:01", "A*24:02:01:01"),
    "B": ("B*07:02:01:01", "B*57:01:01:01", "B*44:02:01:01"),
    "C": ("C*01:02:01:01", "C*04:01:01:01"),
}
"""Locus reference records: the IPD reference allele plus one of each other 76-83 motif family (Bw4 on HLA-A and
-B, C2 on HLA-C), so that a record is read against the reference closest to it and an indel next to the window is
not pulled into it. Missing ones are skipped; the first full-length record is used if none is present."""

FLANK = (66, 93)
"""Mature positions read from every record (the window and some context)."""
UPSTREAM = (66, 75)
"""Positions whose agreement with expressed alleles tells a record in frame up to the window."""
IN_FRAME_SUPPORT = 0.8

TABLE_COLUMNS: tuple[str, ...] = (
    "allele",
    "locus",
    "protein",
    "expression",
    "expressed",
    "residues_76_83",
    "residues_from",
    "classified",
    "epitope",
    "ligand",
    "bw4_80",
    "kir3dl2",
    "flags",
    "note",
    "g_group",
    "p_group",
    "serology",
    "serology_other",
    "serology_broad",
    "name_2009",
)
HISTORY_COLUMNS: tuple[str, ...] = ("name", "locus", "fate", "replacement", "when")

INPUT_FILES: tuple[str, ...] = (
    "release_version.txt",
    "Allelelist.txt",
    "A_prot.fasta",
    "B_prot.fasta",
    "C_prot.fasta",
    "hla_nom_g.txt",
    "hla_nom_p.txt",
    "rel_dna_ser.txt",
    "rel_ser_ser.txt",
    "Nomenclature_2009.txt",
    "Deleted_alleles.txt",
)

_NAME_IN_TEXT = re.compile(r"\b(?:A|B|C|Cw)\*[0-9][0-9:]*[0-9][NLSQCA]?")
_WHEN = re.compile(r"\(([A-Z][a-z]+ [0-9]{4})\)")


# --------------------------------------------------------------------------------------------- reading the release


def _locus_of(name: str) -> str:
    return name.split("*", 1)[0]


def _fields(name: str) -> tuple[str, ...]:
    return tuple(name.split("*", 1)[1].rstrip("NLSQCA").split(":"))


def read_release_version(directory: Path) -> tuple[str, str]:
    version = date = ""
    with (directory / "release_version.txt").open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("# version:"):
                version = line.split(":", 1)[1].strip().removeprefix("IPD-IMGT/HLA").strip()
            elif line.startswith("# date:"):
                date = line.split(":", 1)[1].strip()
    if not version:
        raise ReferenceTableError(f"{directory / 'release_version.txt'} names no version", input=str(directory))
    return version, date


def read_allele_list(directory: Path) -> list[str]:
    names: list[str] = []
    for line in lines(directory / "Allelelist.txt"):
        if line.startswith("AlleleID"):
            continue
        _, name = line.split(",", 1)
        if _locus_of(name) in LOCI:
            names.append(name)
    return names


def read_fasta(path: Path) -> dict[str, str]:
    """Protein records by allele name (``>HLA:HLA00401 C*01:02:01:01 366 bp``), trailing stop removed."""
    return {name: protein.rstrip("X") for name, protein in read_protein_fasta(path).items()}


def read_groups(path: Path) -> dict[str, str]:
    """G or P group of each allele (``A*;01:01:01:01/01:01:01:03;01:01:01G``); alleles alone are left out."""
    groups: dict[str, str] = {}
    for line in lines(path):
        locus, members, group = (line.split(";") + ["", ""])[:3]
        if not group:
            continue
        for member in members.split("/"):
            groups[locus + member] = locus + group
    return groups


def _antigen(locus: str, number: str) -> str:
    return ("Cw" if locus == "C" else locus) + number


def read_serology(
    directory: Path,
) -> tuple[dict[str, list[str]], dict[str, list[str]], dict[str, str]]:
    """Serology of each allele from rel_dna_ser: the WHO equivalent (unambiguous or assumed antigen) and the
    others it may type as (possible antigens, expert-assigned exceptions); and the parent of each split or
    associated antigen from rel_ser_ser."""

    def antigens(locus: str, columns: list[str]) -> list[str]:
        found: list[str] = []
        for column in columns:
            for number in column.split("/"):
                number = number.strip()
                if number and number not in {"0", "?"} and _antigen(locus, number) not in found:
                    found.append(_antigen(locus, number))
        return found

    equivalent: dict[str, list[str]] = {}
    other: dict[str, list[str]] = {}
    for line in lines(directory / "rel_dna_ser.txt"):
        parts = (line.split(";") + [""] * 6)[:6]
        locus = parts[0].rstrip("*")
        if locus not in LOCI:
            continue
        name = f"{locus}*{parts[1]}"
        equivalent[name] = antigens(locus, [parts[2], parts[4]])
        other[name] = [a for a in antigens(locus, [parts[3], parts[5]]) if a not in equivalent[name]]
    broad: dict[str, str] = {}
    for line in lines(directory / "rel_ser_ser.txt"):
        parts = (line.split(";") + ["", "", ""])[:4]
        locus = {"Cw": "C"}.get(parts[0], parts[0])
        if locus not in LOCI:
            continue
        parent = _antigen(locus, parts[1])
        for column in parts[2:4]:
            for number in filter(None, column.split("/")):
                broad[_antigen(locus, number)] = parent
    return equivalent, other, broad


def _ancestors(antigen: str, parent: dict[str, str]) -> list[str]:
    """Every broader antigen containing ``antigen`` (B5102 -> B51, B5), nearest first."""
    chain: list[str] = []
    while antigen in parent and parent[antigen] not in chain:
        antigen = parent[antigen]
        chain.append(antigen)
    return chain


def read_nomenclature_2009(directory: Path) -> list[tuple[str, str]]:
    """(pre-2010 name, April-2010 name or '') pairs of HLA-A, -B and -C."""
    pairs: list[tuple[str, str]] = []
    for line in lines(directory / "Nomenclature_2009.txt"):
        parts = line.split()
        if len(parts) != 2 or "*" not in parts[0] or parts[0].startswith("="):
            continue
        old, new = parts
        if _locus_of(old) in {"A", "B", "C", "Cw"}:
            pairs.append((old, "" if new == "None" else new))
    return pairs


def read_deleted(directory: Path) -> list[tuple[str, str]]:
    """(deleted name, IPD's description) of HLA-A, -B and -C."""
    rows: list[tuple[str, str]] = []
    for row in csv.reader(lines(directory / "Deleted_alleles.txt")):
        if len(row) < 3 or row[0] == "AlleleID":
            continue
        if _locus_of(row[1]) in {"A", "B", "C", "Cw"}:
            rows.append((row[1], ",".join(row[2:])))
    return rows


# ---------------------------------------------------------------------------------------------- residues 76-83


@dataclass
class _Reading:
    """What one protein record shows at mature positions FLANK[0]..FLANK[1] (``-`` gap, ``?`` not covered)."""

    by_position: dict[int, str] = field(default_factory=dict[int, str])

    def window(self) -> str:
        return "".join(self.by_position.get(p, "?") for p in range(MATURE_START, MATURE_END + 1))


class _Alignment(Protocol):
    """What is read of a Biopython ``Alignment``."""

    @property
    def score(self) -> float: ...

    @property
    def aligned(self) -> Sequence[Sequence[Sequence[int]]]:
        """The aligned blocks: ``[target blocks, query blocks]``, each block ``(start, end)``."""
        ...


class _Alignments(Protocol):
    """What is read of Biopython's ``PairwiseAlignments``: the alignments, best first."""

    def __getitem__(self, index: int, /) -> _Alignment: ...


class _Aligner(Protocol):
    """What is used of Biopython's ``PairwiseAligner``."""

    def align(self, seqA: str, seqB: str, /) -> _Alignments: ...


def _aligner() -> _Aligner:  # pragma: no cover - import guarded for a helpful message
    try:
        from Bio.Align import PairwiseAligner, substitution_matrices
    except ImportError as exc:
        raise ImportError(
            "building the table needs Biopython: pip install 'kirmatch[build]'"
        ) from exc
    aligner = PairwiseAligner(mode="global")
    # Biopython leaves load's parameter unannotated
    aligner.substitution_matrix = substitution_matrices.load("BLOSUM62")  # pyright: ignore[reportUnknownMemberType]
    aligner.open_gap_score = -10.0
    aligner.extend_gap_score = -0.5
    aligner.end_gap_score = 0.0
    return aligner


def _read_positions(aligner: _Aligner, references: list[str], record: str) -> _Reading:
    """Align ``record`` to each reference and read the residues at the FLANK mature positions.

    Of the readings, one without a gap inside 76-83 is preferred (an indel next to the window is then
    placed outside it, where another reference shows it belongs), then the best alignment score.
    """
    # Only the N-terminal part matters (position 93 is reference index 116); cutting both keeps it quick.
    best: tuple[tuple[bool, float], _Reading] | None = None
    for reference in references:
        ref = reference[: LEADER_LENGTH + FLANK[1] + 30]
        rec = record[: len(ref) + 60]
        alignment = aligner.align(ref, rec)[0]
        reading = _reading(alignment, rec)
        gapped = "-" in reading.window()
        key = (gapped, -alignment.score)
        if best is None or key < best[0]:
            best = (key, reading)
    assert best is not None
    return best[1]


def _reading(alignment: _Alignment, rec: str) -> _Reading:
    to_record: dict[int, int] = {}
    targets, queries = alignment.aligned
    for (r0, r1), (q0, _q1) in zip(targets, queries, strict=True):
        for r in range(r0, r1):
            to_record[r] = q0 + r - r0
    # Reference positions inside the record's span but not aligned to a residue are gaps (deletions).
    first = min(to_record, default=0)
    last = max(to_record, default=-1)
    reading = _Reading()
    for p in range(FLANK[0], FLANK[1] + 1):
        r = LEADER_LENGTH + p - 1
        if r in to_record:
            reading.by_position[p] = rec[to_record[r]]
        elif first < r < last:
            reading.by_position[p] = "-"
    return reading


def _in_frame(reading: _Reading, seen: dict[int, Counter[str]], expressed: bool) -> bool:
    window = reading.window()
    if "?" in window or "-" in window:
        return False
    upstream = [
        (p, aa) for p, aa in reading.by_position.items() if UPSTREAM[0] <= p <= UPSTREAM[1] and aa != "-"
    ]
    support = sum(1 for p, aa in upstream if seen[p][aa] >= 2)
    if support < IN_FRAME_SUPPORT * len(upstream):
        return False
    window_positions = range(MATURE_START, MATURE_END + 1)
    return expressed or all(seen[p][aa] >= 2 for p, aa in zip(window_positions, window, strict=True))


def read_residues(
    alleles: list[str], records: dict[str, str], locus: str
) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Residues 76-83 per allele of one locus, where from, and why not where unknown."""
    aligner = _aligner()
    full = LEADER_LENGTH + 270
    references = [records[n] for n in REFERENCE_ALLELES[locus] if n in records and len(records[n]) >= full]
    if not references:
        references = [next(records[n] for n in alleles if n in records and len(records[n]) >= full)]
    readings: dict[str, _Reading] = {}
    cache: dict[str, _Reading] = {}
    for name in alleles:
        sequence = records.get(name)
        if sequence is None:
            continue
        if sequence not in cache:
            cache[sequence] = _read_positions(aligner, references, sequence)
        readings[name] = cache[sequence]
    seen: dict[int, Counter[str]] = defaultdict(Counter)
    for name, reading in readings.items():
        if name[-1] not in NOT_EXPRESSED_SUFFIXES:
            for p, aa in reading.by_position.items():
                seen[p][aa] += 1
    own = {
        name: r.window()
        for name, r in readings.items()
        if _in_frame(r, seen, name[-1] not in NOT_EXPRESSED_SUFFIXES)
    }
    by_protein: dict[str, str] = {}
    for name in alleles:
        if name in own:
            by_protein.setdefault(":".join(_fields(name)[:2]), name)
    residues: dict[str, str] = {}
    source: dict[str, str] = {}
    why: dict[str, str] = {}
    for name in alleles:
        if name in own:
            residues[name], source[name] = own[name], name
            continue
        donor = by_protein.get(":".join(_fields(name)[:2]))
        if donor is not None:
            residues[name], source[name] = own[donor], donor
        elif name not in records:
            why[name] = "no protein record in the release and no allele of the same protein has one"
        elif name in readings and "?" not in readings[name].window() and "-" not in readings[name].window():
            why[name] = (
                f"record reads {readings[name].window()} at 76-83, not in frame with expressed alleles there "
                "(frame shift or stop nearby), and no allele of the same protein covers them"
            )
        else:
            window = readings[name].window() if name in readings else "????????"
            why[name] = f"record does not cover 76-83 (reads {window}) and no allele of the same protein does"
    return residues, source, why


# ------------------------------------------------------------------------------------------------- the history


def _resolve(name: str, current: set[str], forward: dict[str, str], prefixes: set[str]) -> str:
    """Follow renames until a current allele (or a current allele prefix) is reached; '' if none."""
    seen: set[str] = set()
    while name and name not in seen:
        seen.add(name)
        normal = name.replace("Cw*", "C*")
        if normal in current or normal in prefixes:
            return normal
        name = forward.get(name, forward.get(normal, ""))
    return ""


def _named_replacement(name: str, description: str) -> str:
    """The allele IPD's description points to: the name after "renamed" or "identical to" (first sentence only,
    where later sentences may speak of other alleles), else the most specific name it mentions."""
    first = description.split(". ")[0]
    for marker in (r"renamed\s+", r"identical to (?:corrected sequence of )?"):
        found = re.search(marker + r"((?:A|B|C|Cw)\*[0-9][0-9:]*[0-9][NLSQCA]?)", first)
        if found:
            return found.group(1)
    names = [t for t in _NAME_IN_TEXT.findall(first) if t != name]
    return max(names, key=lambda t: t.count(":"), default="")


def _fate(description: str) -> str:
    text = description.lower()
    if "never assigned" in text:
        return "never assigned"
    if "identical" in text:
        return "identical to another allele"
    if "renamed" in text:
        return "renamed"
    return "withdrawn"


def derive_history(
    deleted: list[tuple[str, str]], pairs_2009: list[tuple[str, str]], current: set[str]
) -> list[dict[str, str]]:
    prefixes = {
        f"{_locus_of(n)}*{':'.join(_fields(n)[:k])}" for n in current for k in range(1, len(_fields(n)) + 1)
    }
    forward: dict[str, str] = {}
    for name, description in deleted:
        forward[name] = _named_replacement(name, description)
    for old, new in pairs_2009:
        forward.setdefault(old, new)
    rows: list[dict[str, str]] = []
    for name, description in deleted:
        when = _WHEN.search(description)
        rows.append(
            {
                "name": name,
                "locus": "C" if _locus_of(name) == "Cw" else _locus_of(name),
                "fate": _fate(description),
                "replacement": _resolve(forward[name], current, forward, prefixes),
                "when": when.group(1) if when else "",
            }
        )
    for old, new in pairs_2009:
        if not new and old not in forward:
            rows.append(
                {
                    "name": old,
                    "locus": "C" if _locus_of(old) == "Cw" else _locus_of(old),
                    "fate": "deleted before April 2010",
                    "replacement": "",
                    "when": "",
                }
            )
    return rows


# --------------------------------------------------------------------------------------------------- the table


def _extended(name: str, current: set[str]) -> str:
    """The current name of an April-2010 allele that IPD has since given more fields, or ''.

    When a new allele splits an existing one by a further field, the existing allele keeps its name with ``:01``
    appended (``A*01:02`` -> ``A*01:02:01`` -> ``A*01:02:01:01``; the suffix stays last: ``A*01:04N`` ->
    ``A*01:04:01:01N``). Such extensions are not listed in Deleted_alleles.txt.
    """
    if not name:
        return ""
    suffix = name[-1] if name[-1].isalpha() else ""
    base = name[: len(name) - len(suffix)]
    for depth in (1, 2):
        candidate = base + ":01" * depth + suffix
        if candidate in current:
            return candidate
    return ""


def derive_rows(directory: Path) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The table rows and history rows of the release in ``directory`` (nothing written)."""
    alleles = read_allele_list(directory)
    current = set(alleles)
    g_groups = read_groups(directory / "hla_nom_g.txt")
    p_groups = read_groups(directory / "hla_nom_p.txt")
    serology, serology_other, broad = read_serology(directory)
    pairs_2009 = read_nomenclature_2009(directory)
    deleted = read_deleted(directory)
    history = derive_history(deleted, pairs_2009, current)
    renamed_to = {row["name"]: row["replacement"] for row in history}
    old_names: dict[str, list[str]] = defaultdict(list)
    for old, new in pairs_2009:
        target = new if new in current else renamed_to.get(new, "") or _extended(new, current)
        if target in current:
            old_names[target].append(old)

    residues: dict[str, str] = {}
    source: dict[str, str] = {}
    why: dict[str, str] = {}
    for locus in LOCI:
        names = [n for n in alleles if _locus_of(n) == locus]
        records = read_fasta(directory / f"{locus}_prot.fasta")
        r, s, w = read_residues(names, records, locus)
        residues.update(r)
        source.update(s)
        why.update(w)

    rows: list[dict[str, str]] = []
    for name in alleles:
        locus = _locus_of(name)
        fields = _fields(name)
        suffix = name[-1] if name[-1].isalpha() else ""
        protein = f"{locus}*{':'.join(fields[:2])}"
        expressed = suffix not in NOT_EXPRESSED_SUFFIXES
        window = residues.get(name, "")
        call = call_epitope(locus, protein, window)
        note = call.note if window else why.get(name, "residues 76-83 not known")
        antigens = serology.get(name, [])
        rows.append(
            {
                "allele": name,
                "locus": locus,
                "protein": protein,
                "expression": suffix,
                "expressed": "true" if expressed else "false",
                "residues_76_83": window,
                "residues_from": "" if source.get(name, name) == name else source[name],
                "classified": "true" if call.classified else "false",
                "epitope": call.epitope,
                "ligand": call.epitope if expressed else "",
                "bw4_80": call.bw4_80,
                "kir3dl2": call.kir3dl2,
                "flags": ";".join(call.flags + expression_flags(suffix)),
                "note": note,
                "g_group": g_groups.get(name, ""),
                "p_group": p_groups.get(name, ""),
                "serology": "/".join(antigens),
                "serology_other": "/".join(serology_other.get(name, [])),
                "serology_broad": "/".join(
                    dict.fromkeys(b for a in antigens + serology_other.get(name, []) for b in _ancestors(a, broad))
                ),
                "name_2009": "/".join(old_names.get(name, [])),
            }
        )
    return rows, history


def build_table(imgt: str | Path, out: str | Path) -> dict[str, object]:
    """Build the reference table from the IPD-IMGT/HLA release in ``imgt`` and write it to ``out``.

    Writes ``out`` (CSV), ``out`` with ``.json`` (provenance) and ``hla_history.csv`` beside it. Returns the provenance.
    Raises [`ReferenceTableError`][kirmatch._errors.ReferenceTableError] when a needed input file is missing.
    """
    directory = Path(imgt)
    out = Path(out)
    # Check where the files go before the build (which takes tens of seconds): the table, its provenance and the
    # history are three distinct files beside each other.
    if out.is_dir() or str(out).endswith(("/", os.sep)):
        raise ReferenceTableError(
            f"--out {str(out)!r} is a directory; give the table's file name, e.g. {str(out / 'hla_groups.csv')!r}",
            input=str(out),
        )
    if out.suffix.lower() != ".csv" or out.name == "hla_history.csv":
        raise ReferenceTableError(
            f"--out {str(out)!r} must name the table's .csv file (not hla_history.csv, which is written beside it)",
            input=str(out),
        )
    missing = [name for name in INPUT_FILES if not (directory / name).is_file()]
    if missing:
        raise ReferenceTableError(
            f"{str(directory)!r} is not an IPD-IMGT/HLA release directory: missing {', '.join(missing)}",
            input=str(directory),
        )
    version, date = read_release_version(directory)
    rows, history = derive_rows(directory)
    out.parent.mkdir(parents=True, exist_ok=True)
    table_text = csv_text(rows, TABLE_COLUMNS)
    history_text = csv_text(history, HISTORY_COLUMNS)
    out.write_text(table_text, encoding="utf-8")
    history_path = out.with_name("hla_history.csv")
    history_path.write_text(history_text, encoding="utf-8")
    provenance: dict[str, object] = {
        "database": "IPD-IMGT/HLA",
        "release": version,
        "release_date": date,
        "rules_version": RULES_VERSION,
        "build_command": f"kirmatch build-table --imgt DIR --out {out.name}",
        "alleles": len(rows),
        "table_sha256": hashlib.sha256(table_text.encode()).hexdigest(),
        "history_sha256": hashlib.sha256(history_text.encode()).hexdigest(),
        "inputs_sha256": {name: sha256(directory / name) for name in INPUT_FILES},
    }
    out.with_suffix(".json").write_text(json.dumps(provenance, indent=2) + "\n", encoding="utf-8")
    return provenance
