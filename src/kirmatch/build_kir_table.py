"""Turn an IPD-KIR release directory into kirmatch's KIR allele table.

``kirmatch build-kir-table --ipd-kir DIR --out src/kirmatch/_data/kir_alleles.csv`` (or
[`build_kir_table`][kirmatch.build_kir_table.build_kir_table]) reads one IPD-KIR release laid out like
``ipd-kir-2.13.0/`` (``Allelelist.txt``, ``Allele_status.txt``, ``Deleted_alleles.txt``, ``release_version.txt`` and
one ``<gene>_prot.fasta`` per gene; the pseudogenes KIR2DP1 and KIR3DP1 have no protein file) and writes files
derived from them, never copies of them:

* ``kir_alleles.csv``: one row per allele of ``Allelelist.txt``, in its order (columns
  [`KIR_TABLE_COLUMNS`][kirmatch.build_kir_table.KIR_TABLE_COLUMNS]);
* ``kir_alleles.json``: provenance (release, SHA-256 of every input and of the table, build command, the literature
  each column relies on);
* ``kir_history.csv``: the deleted and renamed allele names with the current name they point to.

Decision logic, per allele:

1. ``protein`` is the gene and the first three digits of the allele number (IPD-KIR names: three digits for the
   protein, two for synonymous coding changes, two for non-coding ones); ``suffix`` the expression suffix (``N`` null,
   ``Q`` questionable); ``coding`` and ``confirmed`` come from ``Allele_status.txt``.
2. ``expressed``: ``false`` for ``N`` alleles and for KIR2DS4 alleles with the 22-bp deletion (step 4),
   ``questionable`` for ``Q`` alleles, otherwise ``true``.
3. KIR2DL1 residue 245 (``residue_245``): each protein record is aligned (Biopython ``PairwiseAligner``, global,
   BLOSUM62, gap open -10, extend -0.5, free end gaps) to the record of ``KIR2DL1*0010101`` and the residue aligned to
   its mature position 245 is read. IPD-KIR numbers the mature protein from 1 after the 21-residue KIR2DL1 leader
   (the reference record starts ``MSLLVVSMACVGFFLLQGAWP`` before the mature ``HEGVHRKPS...``); in this release the
   mature-numbered position 245 is the one Arg/Cys dimorphism of the region, at the end of the transmembrane segment
   (``...IILFILLFFLLH[R/C]WCS``), as Bari et al. describe it: "KIR2DL1 alleles with arginine in position 245 of the
   transmembrane domain (KIR2DL1-R245) are stronger than those with cysteine (KIR2DL1-C245)" (Bari et al., Sci Rep
   2016;6:23689, citing Blood 2009;114:5182; outcome: Bari et al., J Clin Oncol 2013;31:3782). A record that does not
   cover the position takes the residue of the first allele of the same protein that does (``residues_from``).
4. KIR2DS4 22-bp deletion (``kir2ds4_deletion``): "a 22 bp deletion in exon 5, which causes a frame shift, yielding
   a truncated KIR2DS4 protein with loss of the transmembrane and cytoplasmic domains ... the deleted variant of
   KIR2DS4 is not anchored to the cell membrane but encodes a soluble form" (Middleton et al., Hum Immunol
   2007;68:128). Read from the record: ``true`` when the protein ends in a stop (``X``) before the reference's
   transmembrane region (aligned to ``KIR2DS4*0010101``), ``false`` when it runs to the reference's end, else empty
   (the record cannot tell; the allele of the same protein that can decides, as in step 3).
5. KIR3DL1 expression group (``kir3dl1_expression``), by protein, only where a source sentence was found and quoted:
   ``retained`` for ``KIR3DL1*004`` ("this allotype is largely misfolded but stably retained in the endoplasmic
   reticulum ... A small fraction of KIR3DL1*004 folds correctly and leaves the endoplasmic reticulum to be expressed
   on the surface", Taner et al., J Immunol 2011;186:62), ``high`` for ``KIR3DL1*002`` ("the efficient folding of
   KIR3DL1*002 and its abundance on the NK cell surface", same paper); every other KIR3DL1 allele ``unknown``: the
   high/low lineage assignments of Yawata et al. 2006 and Boudreau et al. 2017 could not be checked against the
   papers' own text, so they are not used.

The build needs the ``build`` extra (Biopython); run time never imports this module.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from pathlib import Path

from kirmatch._build_io import csv_text, lines, read_protein_fasta
from kirmatch._errors import ReferenceTableError
from kirmatch.build_hla_table import _Aligner, _aligner  # pyright: ignore[reportPrivateUsage]

__all__ = [
    "KIR_TABLE_COLUMNS",
    "KIR_HISTORY_COLUMNS",
    "KIR_INPUT_FILES",
    "KIR_SOURCES",
    "build_kir_table",
    "derive_kir_rows",
]

KIR_TABLE_COLUMNS: tuple[str, ...] = (
    "allele",
    "gene",
    "protein",
    "suffix",
    "coding",
    "confirmed",
    "expressed",
    "residue_245",
    "kir2ds4_deletion",
    "kir3dl1_expression",
    "residues_from",
    "note",
)
"""Columns of ``kir_alleles.csv``, in order."""

KIR_HISTORY_COLUMNS: tuple[str, ...] = ("name", "gene", "fate", "replacement", "when")

KIR_INPUT_FILES: tuple[str, ...] = ("release_version.txt", "Allelelist.txt", "Allele_status.txt", "Deleted_alleles.txt")
"""Files every release directory must hold (the protein FASTA files are read per gene when present)."""

KIR2DL1_REFERENCE = "KIR2DL1*0010101"
KIR2DL1_LEADER = 21
KIR2DL1_POSITION = 245
KIR2DS4_REFERENCE = "KIR2DS4*0010101"
KIR2DS4_LEADER = 21
KIR2DS4_TRANSMEMBRANE = 225
"""Mature KIR2DS4 position before which a stop leaves the protein without its transmembrane segment."""

KIR3DL1_GROUPS: dict[str, tuple[str, str]] = {
    "KIR3DL1*004": ("retained", "Taner et al., J Immunol 2011;186:62-72"),
    "KIR3DL1*002": ("high", "Taner et al., J Immunol 2011;186:62-72"),
}
"""KIR3DL1 proteins with an expression group verified against the source's own sentence (see the module docstring)."""

KIR_SOURCES: dict[str, str] = {
    "residue_245": (
        "Bari et al., Blood 2009;114:5182 and J Clin Oncol 2013;31:3782 (KIR2DL1-R245 stronger than KIR2DL1-C245); "
        "read from the protein sequence at mature position 245"
    ),
    "kir2ds4_deletion": (
        "Middleton et al., Hum Immunol 2007;68:128 (22-bp exon 5 deletion: truncated, soluble, not membrane-anchored);"
        " read from the protein sequence"
    ),
    "kir3dl1_expression": (
        "Taner et al., J Immunol 2011;186:62 (KIR3DL1*004 retained in the endoplasmic reticulum; KIR3DL1*002 "
        "abundant on the NK cell surface); all other KIR3DL1 alleles unknown"
    ),
}
"""The literature each derived column relies on (copied into the provenance)."""

_GENE = re.compile(r"^(KIR[23]D[LSP]\d[AB]?)\*(\d+)([A-Z]?)$")
_WHEN = re.compile(r"\(([A-Z][a-z]+ [0-9]{4})\)")
_RENAMED = re.compile(r"(?:renamed|identical to)\s+(?:KIR)?([23]D[LSP]\d[AB]?\*\d+[A-Z]?)")


def read_kir_release(directory: Path) -> tuple[str, str]:
    """(version, date) from ``release_version.txt`` (``2.13.0 (2023-12-13), ANHIG/IPDKIR commit ...``)."""
    text = (directory / "release_version.txt").read_text(encoding="utf-8").strip()
    m = re.match(r"(\d+\.\d+\.\d+)\s*\((\d{4}-\d{2}-\d{2})\)", text)
    if m is None:
        raise ReferenceTableError(f"{directory / 'release_version.txt'} names no IPD-KIR version", input=str(directory))
    return m.group(1), m.group(2)


def read_kir_allele_list(directory: Path) -> list[str]:
    names: list[str] = []
    for line in lines(directory / "Allelelist.txt"):
        if line.startswith("AlleleID"):
            continue
        names.append(line.split(",", 1)[1].strip())
    return names


def read_status(directory: Path) -> dict[str, tuple[str, str]]:
    """(Full/Partial, Confirmed/Unconfirmed) per allele."""
    status: dict[str, tuple[str, str]] = {}
    for row in csv.reader(lines(directory / "Allele_status.txt")):
        if len(row) < 8 or row[0] == "Allele":
            continue
        status[row[0]] = (row[6], row[3])
    return status


def _protein(name: str) -> str:
    m = _GENE.match(name)
    if m is None:
        raise ReferenceTableError(f"{name!r} in Allelelist.txt is not an IPD-KIR allele name", input=name)
    return f"{m.group(1)}*{m.group(2)[:3]}"


def _mapping(aligner: _Aligner, reference: str, record: str) -> dict[int, int]:
    """Reference index -> record index for the residues the best global alignment pairs."""
    alignment = aligner.align(reference, record)[0]
    targets, queries = alignment.aligned
    out: dict[int, int] = {}
    for (r0, r1), (q0, _q1) in zip(targets, queries, strict=True):
        for r in range(r0, r1):
            out[r] = q0 + r - r0
    return out


def _residue_245(aligner: _Aligner, reference: str, record: str) -> str:
    index = KIR2DL1_LEADER + KIR2DL1_POSITION - 1
    found = _mapping(aligner, reference, record.rstrip("X")).get(index)
    return record[found] if found is not None else ""


def _kir2ds4_deletion(aligner: _Aligner, reference: str, record: str) -> str:
    """'true' (stop before the transmembrane region), 'false' (runs to the reference's end) or '' (cannot tell)."""
    body = record.rstrip("X")
    mapping = _mapping(aligner, reference, body)
    if not mapping:
        return ""
    last_reference = max(r for r, q in mapping.items() if q < len(body))
    if record.endswith("X") and last_reference < KIR2DS4_LEADER + KIR2DS4_TRANSMEMBRANE - 1:
        return "true"
    if last_reference >= len(reference) - 3:
        return "false"
    return ""


def _by_protein(
    alleles: list[str], own: dict[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    """Each allele's value: its own where read, else that of the first allele of the same protein that has one."""
    first: dict[str, str] = {}
    for name in alleles:
        if own.get(name):
            first.setdefault(_protein(name), name)
    values: dict[str, str] = {}
    source: dict[str, str] = {}
    for name in alleles:
        if own.get(name):
            values[name], source[name] = own[name], name
        elif _protein(name) in first:
            donor = first[_protein(name)]
            values[name], source[name] = own[donor], donor
    return values, source


def derive_kir_rows(directory: Path) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The table rows and history rows of the IPD-KIR release in ``directory`` (nothing written)."""
    alleles = read_kir_allele_list(directory)
    status = read_status(directory)
    aligner = _aligner()

    residue: dict[str, str] = {}
    residue_from: dict[str, str] = {}
    deletion: dict[str, str] = {}
    deletion_from: dict[str, str] = {}
    for gene, reference_name, read in (
        ("KIR2DL1", KIR2DL1_REFERENCE, _residue_245),
        ("KIR2DS4", KIR2DS4_REFERENCE, _kir2ds4_deletion),
    ):
        records = read_protein_fasta(directory / f"{gene}_prot.fasta")
        reference = records[reference_name].rstrip("X")
        names = [n for n in alleles if n.startswith(gene + "*")]
        cache: dict[str, str] = {}
        own: dict[str, str] = {}
        for name in names:
            record = records.get(name)
            if record is None:
                continue
            if record not in cache:
                cache[record] = read(aligner, reference, record)
            own[name] = cache[record]
        values, sources = _by_protein(names, own)
        (residue if gene == "KIR2DL1" else deletion).update(values)
        (residue_from if gene == "KIR2DL1" else deletion_from).update(sources)

    rows: list[dict[str, str]] = []
    for name in alleles:
        m = _GENE.match(name)
        assert m is not None
        gene, suffix = m.group(1), m.group(3)
        protein = _protein(name)
        coding, confirmed = status.get(name, ("", ""))
        notes: list[str] = []
        expressed = {"N": "false", "Q": "questionable"}.get(suffix, "true")
        value_245 = residue.get(name, "") if gene == "KIR2DL1" else ""
        value_2ds4 = deletion.get(name, "") if gene == "KIR2DS4" else ""
        taken_from = residue_from.get(name, "") if gene == "KIR2DL1" else deletion_from.get(name, "")
        if gene == "KIR2DL1" and not value_245:
            notes.append("residue 245 not covered by the record nor by another allele of the same protein")
        if gene == "KIR2DS4":
            if value_2ds4 == "true":
                expressed = "false"
                notes.append("22-bp deletion: truncated, soluble, not on the cell membrane")
            elif not value_2ds4:
                notes.append("the record cannot tell full-length from the 22-bp deletion")
        group = ""
        if gene == "KIR3DL1":
            group = KIR3DL1_GROUPS.get(protein, ("unknown", ""))[0]
        rows.append(
            {
                "allele": name,
                "gene": gene,
                "protein": protein,
                "suffix": suffix,
                "coding": coding,
                "confirmed": confirmed,
                "expressed": expressed,
                "residue_245": value_245,
                "kir2ds4_deletion": value_2ds4,
                "kir3dl1_expression": group,
                "residues_from": "" if taken_from in ("", name) else taken_from,
                "note": "; ".join(notes),
            }
        )
    return rows, derive_kir_history(directory, set(alleles))


def derive_kir_history(directory: Path, current: set[str]) -> list[dict[str, str]]:
    """Deleted names with their fate and the current allele IPD's description points to ('' if none)."""
    rows: list[dict[str, str]] = []
    for row in csv.reader(lines(directory / "Deleted_alleles.txt")):
        if len(row) < 3 or row[0] == "AlleleID" or "*" not in row[1]:
            continue
        name, description = row[1], ",".join(row[2:])
        found = _RENAMED.search(description)
        replacement = "KIR" + found.group(1) if found else ""
        text = description.lower()
        fate = "renamed" if "renamed" in text else "identical to another allele" if "identical" in text else "withdrawn"
        when = _WHEN.search(description)
        rows.append(
            {
                "name": name,
                "gene": name.split("*", 1)[0],
                "fate": fate,
                "replacement": replacement if replacement in current else "",
                "when": when.group(1) if when else "",
            }
        )
    return rows


def build_kir_table(ipd_kir: str | Path, out: str | Path) -> dict[str, object]:
    """Build the KIR allele table from the IPD-KIR release in ``ipd_kir`` and write it to ``out``.

    Writes ``out`` (CSV), ``out`` with ``.json`` (provenance) and ``kir_history.csv`` beside it; returns the
    provenance. Raises [`ReferenceTableError`][kirmatch._errors.ReferenceTableError] when an input file is missing.
    """
    directory = Path(ipd_kir)
    missing = [name for name in KIR_INPUT_FILES if not (directory / name).is_file()]
    missing += [f"{g}_prot.fasta" for g in ("KIR2DL1", "KIR2DS4") if not (directory / f"{g}_prot.fasta").is_file()]
    if missing:
        raise ReferenceTableError(
            f"{str(directory)!r} is not an IPD-KIR release directory: missing {', '.join(missing)}",
            input=str(directory),
        )
    version, date = read_kir_release(directory)
    rows, history = derive_kir_rows(directory)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    table_text = csv_text(rows, KIR_TABLE_COLUMNS)
    history_text = csv_text(history, KIR_HISTORY_COLUMNS)
    out.write_text(table_text, encoding="utf-8")
    out.with_name("kir_history.csv").write_text(history_text, encoding="utf-8")
    inputs = sorted(KIR_INPUT_FILES + tuple(p.name for p in directory.glob("*_prot.fasta")))
    provenance: dict[str, object] = {
        "database": "IPD-KIR",
        "release": version,
        "release_date": date,
        "build_command": f"kirmatch build-kir-table --ipd-kir DIR --out {out.name}",
        "alleles": len(rows),
        "table_sha256": hashlib.sha256(table_text.encode()).hexdigest(),
        "history_sha256": hashlib.sha256(history_text.encode()).hexdigest(),
        "inputs_sha256": {name: hashlib.sha256((directory / name).read_bytes()).hexdigest() for name in inputs},
        "sources": KIR_SOURCES,
    }
    out.with_suffix(".json").write_text(json.dumps(provenance, indent=2) + "\n", encoding="utf-8")
    return provenance
