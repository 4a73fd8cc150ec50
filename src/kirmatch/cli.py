"""The ``kirmatch`` command: a thin argparse layer over the public API. It prints and returns exit codes;
it never calls ``sys.exit`` from library code.

Exit codes: 0 success, 1 some input could not be read (each such input is reported on stderr, the others still
printed), 2 usage error (argparse), 130 interrupted (Ctrl-C), 143 terminated (SIGTERM). An interruption prints one
line, no traceback; files are written atomically (see `kirmatch.tables_io`), so an interrupted
command leaves no output file or the complete one.
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, TextIO

from kirmatch._errors import KirmatchError

if TYPE_CHECKING:
    from kirmatch._files import HlaLayout
    from kirmatch.genotype import Genotype
    from kirmatch.kir import KirGenotype
    from kirmatch.mac import MacTable
    from kirmatch.models import MatchModel

__all__ = ["main"]


def _classify(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from kirmatch.ligands import classify

    status = 0
    if not args.json:
        print("name\tlocus\tligand\tbw4_80\texpressed\tstatus\talleles", file=out)
    records: list[dict[str, Any]] = []
    for name in args.names:
        try:
            call = classify(
                name,
                mac_table=args.mac_file,
                pool=args.pool,
                population=args.population,
                count_group_nulls=args.count_group_nulls,
            )
        except KirmatchError as exc:
            print(f"kirmatch classify: {type(exc).__name__}: {_cell(str(exc))}", file=err)
            status = 1
            if args.json:
                records.append(_error_record(exc, query=name))
            else:
                print(f"{_cell(name)}\t\t\t\t\terror\t", file=out)
            continue
        if args.json:
            record = call.model_dump(mode="json")
            listed = len(call.alleles)
            record["alleles_complete"] = listed == call.n_alleles
            if listed < call.n_alleles:
                record["alleles_note"] = f"alleles lists the first {listed} of the {call.n_alleles} covered alleles"
            records.append(record)
            continue
        ligand = call.ligand.value if call.ligand is not None else "/".join(map(str, call.possible_ligands)) + "?"
        bw4 = call.bw4_80 or "/".join(call.possible_bw4_80) or "-"
        expressed = {True: "yes", False: "no", None: "mixed"}[call.expressed]
        print(
            f"{call.normalized}\t{call.locus}\t{ligand}\t{bw4}\t{expressed}\t{call.status.value}\t{call.n_alleles}",
            file=out,
        )
        if args.explain:
            print(f"  {call.explain()}", file=out)
    if args.json:
        json.dump(records, out, indent=2)
        print(file=out)
    return status


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _cell(text: str) -> str:
    """User text safe for one TSV cell or terminal line: tabs, newlines and escape sequences shown as ``\\t``,
    ``\\n``, ``\\x1b``, never acted on."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


def _error_record(exc: KirmatchError, **context: str) -> dict[str, Any]:
    """An error as JSON: its class, machine-readable code and message."""
    return {**context, "error": type(exc).__name__, "code": exc.code.value, "message": str(exc)}


_TYPING_SPLIT = re.compile(r"[\s,;]+")


def _typing(values: list[str], mac: MacTable | None = None, homozygous_if_blank: bool = False) -> Genotype:
    """A typing given on the command line: six designations (as six arguments, or in one quoted string separated by
    blanks, commas or semicolons), one GL string, or one ``+`` pair per locus (``A*01:01+A*02:01 B*08:01+...``)."""
    from kirmatch.genotype import Genotype

    tokens = [t for value in values for t in _TYPING_SPLIT.split(value.strip()) if t]
    if len(tokens) == 6 and not any(ch in t for t in tokens for ch in "^+|~"):
        return Genotype.from_strings(*tokens, mac_table=mac, homozygous_if_blank=homozygous_if_blank)
    if len(tokens) == 1:
        return Genotype.from_gl(tokens[0], mac_table=mac, homozygous_if_blank=homozygous_if_blank)
    if 1 < len(tokens) <= 3 and all("+" in t and "^" not in t for t in tokens):
        return Genotype.from_gl("^".join(tokens), mac_table=mac, homozygous_if_blank=homozygous_if_blank)
    from kirmatch._errors import GenotypeError

    raise GenotypeError(
        "give six designations (A A B B C C, '-' for a missing one; as six arguments or in one quoted string) or "
        f"one GL string, got {len(tokens)} values",
        input=values,
    )


def _mac(args: argparse.Namespace) -> MacTable | None:
    """The MAC table of ``--mac-file``, else of ``$KIRMATCH_MAC_FILE``, else None."""
    from kirmatch.mac import mac_table_from

    return mac_table_from(getattr(args, "mac_file", None))


def _mac_record(table: MacTable | None) -> dict[str, str] | None:
    return {"path": table.source, "sha256": table.digest} if table is not None else None


def _donor_kir(
    args: argparse.Namespace, command: str, err: TextIO, per_row: bool = False
) -> tuple[bool, KirGenotype | None]:
    """(ok, the donor KIR genotype of ``--donor-kir``); not ok when the chosen model needs it and it is missing
    (``per_row``: the donor file has KIR columns, read row by row)."""
    from kirmatch.kir import KirGenotype
    from kirmatch.models import MODELS

    if MODELS.get(args.model).needs_kir and args.donor_kir is None and not per_row:
        print(f"kirmatch {command}: the {args.model} model needs the donor's KIR genes: add --donor-kir", file=err)
        return False, None
    return True, (KirGenotype.from_genes(args.donor_kir) if args.donor_kir is not None else None)


def _match(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from kirmatch.mismatch import kir_ligand_mismatch, side_context

    try:
        ok, kir = _donor_kir(args, "match", err)
        if not ok:
            return 1
        mac = _mac(args)
        sides: dict[str, Genotype] = {}
        for side in ("donor", "recipient"):
            try:
                sides[side] = _typing(getattr(args, side), mac, args.homozygous_if_blank)
            except KirmatchError as exc:
                raise side_context(exc, side) from exc
        result = kir_ligand_mismatch(
            sides["donor"],
            sides["recipient"],
            model=args.model,
            bw4_policy=args.bw4_policy,
            b_locus_c1=not args.no_b_locus_c1,
            donor_kir=kir,
            pool=args.pool,
            population=args.population,
            count_group_nulls=args.count_group_nulls,
        )
    except KirmatchError as exc:
        print(f"kirmatch match: {type(exc).__name__}: {_cell(str(exc))}", file=err)
        if args.json:
            print(json.dumps(_error_record(exc), indent=2), file=out)
        return 1
    if args.json:
        print(json.dumps(_match_record(result, mac), indent=2), file=out)
        return 0
    print(result.verdict(), file=out)
    if args.explain:
        for sentence in result.findings():
            print(f"  {sentence}", file=out)
        for step in result.next_steps():
            print(f"  Next: {step}", file=out)
    return 0


def _person(values: list[str], homozygous_if_blank: bool = False) -> object:
    """One GL string (may carry DRB1/DQB1 and '~' phase) as it is, or six designations A A B B C C as a mapping
    (with ``homozygous_if_blank``, a locus given once, its other allele blank or '-', is that allele twice)."""
    if len(values) == 1:
        return values[0]
    if len(values) == 6:
        pairs = [list(values[i : i + 2]) for i in (0, 2, 4)]
        if homozygous_if_blank:
            for pair in pairs:
                blank = [v.strip() in ("", "-") for v in pair]
                if blank.count(True) == 1:
                    pair[blank.index(True)] = pair[blank.index(False)]
        return {"A": pairs[0], "B": pairs[1], "C": pairs[2]}
    from kirmatch._errors import GenotypeError

    raise GenotypeError(
        f"give one GL string or six designations (A A B B C C, '-' for a missing one), got {len(values)} values",
        input=values,
    )


def _assess(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from kirmatch.donor import assess_donor

    try:
        result = assess_donor(
            _person(args.patient, args.homozygous_if_blank),
            _person(args.donor, args.homozygous_if_blank),
            donor_kir=args.donor_kir,
            nk_cells=args.nk_cells,
            weight_kg=args.weight_kg,
            alloreactive_fraction=args.alloreactive_fraction,
            model=args.model,
            bw4_policy=args.bw4_policy,
            b_locus_c1=not args.no_b_locus_c1,
            pool=args.pool,
            population=args.population,
            count_group_nulls=args.count_group_nulls,
        )
    except KirmatchError as exc:
        print(f"kirmatch assess: {type(exc).__name__}: {exc}", file=err)
        if args.json:
            print(json.dumps(_error_record(exc), indent=2), file=out)
        return 1
    if args.json:
        print(json.dumps(result.model_dump(mode="json"), indent=2), file=out)
    else:
        print(result.explain(), file=out)
    return 0


def _match_record(result: Any, mac: MacTable | None) -> dict[str, Any]:
    """The JSON of ``kirmatch match``: kirmatch's version, the verdict line, the MAC file used, then the result."""
    from kirmatch import __version__

    return {
        "kirmatch_version": __version__,
        "verdict": result.verdict(),
        "mac_table": _mac_record(mac),
        **result.model_dump(mode="json"),
    }


def _hla_columns(given: list[str] | None) -> dict[str, list[str]] | None:
    """``--hla-column A=HLA-A`` / ``A=a1,a2`` as ``{"A": [...]}``."""
    if not given:
        return None
    from kirmatch._errors import ColumnError

    found: dict[str, list[str]] = {}
    for item in given:
        locus, sep, names = item.partition("=")
        locus = locus.strip().upper().removeprefix("HLA-")
        if not sep or locus not in ("A", "B", "C") or not names.strip():
            raise ColumnError(
                f"--hla-column {item!r}: write LOCUS=COLUMN (both alleles in one cell) or LOCUS=FIRST,SECOND",
                input=item,
            )
        found[locus] = [n.strip() for n in names.split(",")]
    return found


_SHORT_COLUMNS = ["kir_gvh_C1", "kir_gvh_C2", "kir_gvh_Bw4", "kir_gvh_incompatible", "kir_error"]
_ID_NAMES = ("id", "donorid", "donor", "donorcode", "sampleid", "registryid", "grid", "personid", "patientid")


def _id_column(args: argparse.Namespace, columns: Sequence[str], index_column: str | None) -> str | None:
    from kirmatch._errors import ColumnError

    if args.id is not None:
        if args.id not in columns:
            raise ColumnError(f"--id column {args.id!r} is not in the file", input=args.id)
        return str(args.id)
    if index_column is not None:
        return str(index_column)
    for name in columns:
        if re.sub(r"[-_. ]", "", name).lower() in _ID_NAMES:
            return name
    return None


def _screen_columns(
    args: argparse.Namespace, columns: Sequence[str], index_column: str | None
) -> tuple[HlaLayout, str | None]:
    """The donor file's HLA layout and id column, after refusing a file that already has a column screen writes
    and a ``--by`` column it lacks."""
    from kirmatch._errors import ColumnError, ErrorCode
    from kirmatch._files import find_layout
    from kirmatch._planes import LIGANDS

    produced = [
        *(f"kir_{d}_{ligand.column}" for d in ("gvh", "hvg") for ligand in LIGANDS),
        "kir_gvh_incompatible", "kir_hvg_incompatible", "kir_gvh_support", "kir_error", "kir_error_code",
        "kir_rank", "kir_verdict", "kir_deciding_alleles", "kir_line",
    ]
    clash = [c for c in produced if c in columns]
    if clash:
        raise ColumnError(
            f"the donor file already has columns named {', '.join(clash)}, which kirmatch screen writes; rename "
            "them first (kirmatch never overwrites an input column)",
            input=clash,
            code=ErrorCode.COLUMN_CLASH,
        )
    for name in args.by or ():
        if name not in columns:
            raise ColumnError(f"--by column {name!r} is not in the donor file", input=name)
    id_column = _id_column(args, columns, index_column)
    layout = find_layout(
        list(columns), prefix=args.prefix, hla_columns=_hla_columns(args.hla_column), gl_column=args.gl_column
    )
    return layout, id_column


def _screen_record(
    args: argparse.Namespace, *, sha256: str | None, file_format: str, rows: int, layout: HlaLayout,
    id_column: str | None, recipient: Genotype, mac: MacTable | None,
) -> dict[str, Any]:
    """What ``kirmatch screen`` records of a run (the sidecar JSON, and the ``--header-comment`` lines)."""
    from kirmatch import __version__
    from kirmatch._files import file_format as format_of
    from kirmatch.models import MODELS
    from kirmatch.reference import reference_info

    info = reference_info()
    return {
        "kirmatch_version": __version__,
        "command": "kirmatch screen",
        "input": {"path": args.donors, "sha256": sha256, "format": file_format, "rows": rows,
                  "hla_columns": layout.describe(), "id_column": id_column},
        "recipient": str(recipient),
        "model": MODELS.get(args.model).name,
        "bw4_policy": args.bw4_policy,
        "b_locus_c1": not args.no_b_locus_c1,
        "pool": args.pool,
        "population": args.population,
        "count_group_nulls": args.count_group_nulls,
        "homozygous_if_blank": args.homozygous_if_blank,
        "donor_kir": args.donor_kir,
        "order": args.order,
        "by": list(args.by or ()),
        "columns": args.columns,
        "release": f"{info.database} {info.release}",
        "table_sha256": info.table_sha256,
        "mac_table": _mac_record(mac),
        "formulas_neutralised": args.output == "-" or format_of(args.output, args.output_format) != "parquet",
    }


def _screen_comment(args: argparse.Namespace, record: dict[str, Any]) -> list[str]:
    return [f"{key}: {json.dumps(value)}" for key, value in record.items()] if args.header_comment else []


def _screen_sidecar(args: argparse.Namespace, record: dict[str, Any]) -> None:
    if args.output != "-" and not args.no_sidecar:
        from kirmatch._files import atomic_write

        text = json.dumps(record, indent=2) + "\n"
        atomic_write(f"{args.output}.json", functools.partial(_write_text, text=text))


def _screen_summary(
    args: argparse.Namespace, out: TextIO, err: TextIO, *, rows: int, seconds: float, counts: dict[str, int],
    bad: int, first_line: int, line_word: str, first_problem: str, written: bool,
) -> int:
    summary = (
        f"{rows:,} donors screened in {seconds:.1f} s: "
        f"{counts.get('present', 0):,} GvH KIR-ligand incompatible, {counts.get('possible', 0):,} "
        f"possibly, {counts.get('absent', 0):,} compatible, {bad:,} unreadable; wrote {args.output}"
    )
    print(summary, file=err if args.output == "-" else out)
    if bad:
        print(
            f"kirmatch screen: {bad:,} row(s) could not be read (kir_error); first, {line_word} "
            f"{first_line}: {_cell(first_problem)}",
            file=err,
        )
    if written and bad == rows:
        print("kirmatch screen: no donor row could be read", file=err)
        return 1
    return 0


def _screen_streamed(
    args: argparse.Namespace, out: TextIO, err: TextIO, *, recipient: Genotype, model: MatchModel,
    kir: KirGenotype | None, mac: MacTable | None, show: bool, started: float,
) -> int | None:
    """``kirmatch screen`` of a plain CSV file by the streaming reader (`kirmatch._stream`), or None when this run is
    not one it takes (the pandas path then runs, with the same output)."""
    import time

    from kirmatch import _stream
    from kirmatch._files import arrow, file_format
    from kirmatch._planes import BITS, settings
    from kirmatch.mismatch import kir_planes

    if (
        args.donors == "-" or args.output == "-" or file_format(args.donors, args.input_format) != "csv"
        or file_format(args.output, args.output_format) != "csv" or args.encoding or mac is not None or args.by
        or args.kir_tie_breakers or (model.needs_kir and kir is None) or not _stream.enabled() or not arrow()
    ):
        return None
    header = _stream.read_header(args.donors, args.sep)
    if header is None:
        return None
    try:
        layout, id_column = _screen_columns(args, header.names, None)
    except KirmatchError:
        return None  # the pandas path reads the file and words the problem in its order
    if layout.gl is not None or layout.cells or len(layout.slots) != 3:
        return None
    chosen = settings(
        args.bw4_policy, not args.no_b_locus_c1, args.pool, args.population, args.count_group_nulls,
        args.homozygous_if_blank,
    )
    profile = chosen.profile(recipient)
    planes = kir_planes(kir) if kir is not None else None
    records: list[dict[str, Any]] = []

    def comment(screened: _stream.Screened) -> list[str]:
        records.append(_screen_record(
            args, sha256=screened.sha256, file_format="csv", rows=screened.rows, layout=layout,
            id_column=id_column, recipient=recipient, mac=mac,
        ))
        return _screen_comment(args, records[0])

    def progress(done: int) -> None:
        print(f"\rkirmatch screen: {done:,} donors read ({time.perf_counter() - started:.1f} s)", end="", file=err)

    screened = _stream.screen_csv(
        args.donors, header, layout, args.output,
        lead=id_column, profile=profile, model=model,
        kir=(int(BITS.type(planes[0])), int(BITS.type(planes[1]))) if planes is not None else None,
        chosen=chosen, order=args.order, columns=args.columns, errors=args.errors, comment=comment,
        progress=progress if show else None,
    )
    if show:
        print(file=err)
    if screened is None:
        return None
    _screen_sidecar(args, records[0])
    return _screen_summary(
        args, out, err, rows=screened.rows, seconds=time.perf_counter() - started, counts=screened.counts,
        bad=screened.bad, first_line=screened.first_problem_line, line_word="line",
        first_problem=screened.first_problem, written=True,
    )


def _screen(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import dataclasses
    import time

    from kirmatch._errors import FileFormatError, KirTypingError
    from kirmatch._files import check_output_path
    from kirmatch.mismatch import side_context
    from kirmatch.models import MODELS

    show = not args.quiet and hasattr(err, "isatty") and err.isatty()
    started = time.perf_counter()
    written = False
    try:
        ok, kir = _donor_kir(args, "screen", err, per_row=True)  # KIR columns of the file, checked below
        if not ok:
            return 1
        check_output_path(args.output, [args.donors])
        mac = _mac(args)
        try:
            recipient = _typing(args.recipient, mac, args.homozygous_if_blank)
        except KirmatchError as exc:
            raise side_context(exc, "recipient") from exc
        model = MODELS.get(args.model)
        streamed = _screen_streamed(
            args, out, err, recipient=recipient, model=model, kir=kir, mac=mac, show=show, started=started
        )
        if streamed is not None:
            return streamed

        import numpy as np
        import pandas as pd

        from kirmatch.frame import (
            _one_reading,  # pyright: ignore[reportPrivateUsage]
            find_kir_columns,
            kir_findings,
            mismatch_against,
            rank_order,
        )
        from kirmatch.pools import Reading
        from kirmatch.tables_io import (
            SLOT_COLUMNS,
            deciding_alleles,
            flag_rows,
            read_table,
            typing_frame,
            verdicts,
            write_table,
        )

        table = read_table(
            args.donors, format=args.input_format, sep=args.sep, encoding=args.encoding, sheet=args.sheet
        )
        frame = table.frame
        if len(frame) == 0:
            raise FileFormatError(f"{args.donors!r} has a header but no donor rows", input=args.donors)
        layout, id_column = _screen_columns(args, [str(c) for c in frame.columns], table.index_column)
        typed, shape_errors = typing_frame(frame, layout, mac_table=mac)
        kir_columns = None
        if model.needs_kir and kir is None:
            kir_columns = find_kir_columns(frame, "auto", prefix=args.prefix)
            if kir_columns is None:
                raise KirTypingError(
                    f"the {model} model needs the donors' KIR genes: add --donor-kir (one typing for all) or KIR "
                    "columns to the file (KIR2DL1 ... with POS/NEG, 1/0 or allele names, or one column KIR)"
                )
            names = [kir_columns] if isinstance(kir_columns, str) else list(kir_columns.values())
            typed = typed.join(frame[names])
        results: list[pd.DataFrame] = []
        with _one_reading():  # each distinct designation read once for the run, not once per chunk
            for start in range(0, len(typed), args.chunk_size):
                chunk = typed.iloc[start : start + args.chunk_size]
                results.append(
                    mismatch_against(
                        chunk,
                        recipient,
                        columns=SLOT_COLUMNS,
                        kir_columns=kir_columns,
                        model=model,
                        donor_kir=kir,
                        bw4_policy=args.bw4_policy,
                        b_locus_c1=not args.no_b_locus_c1,
                        pool=args.pool,
                        population=args.population,
                        count_group_nulls=args.count_group_nulls,
                        homozygous_if_blank=args.homozygous_if_blank,
                        errors="flag",
                    )
                )
                if show:
                    done = min(start + args.chunk_size, len(typed))
                    elapsed = time.perf_counter() - started
                    print(f"\rkirmatch screen: {done:,} donors read ({elapsed:.1f} s)", end="", file=err)
        if show:
            print(file=err)
        result = pd.concat(results)
        del results  # the chunks' frames, copied into result
        result = flag_rows(result, shape_errors)
        bad = result["kir_error"].notna().to_numpy()
        if args.errors == "raise" and bad.any():
            first = int(np.flatnonzero(bad)[0])
            raise KirmatchError(
                f"{args.donors} {table.line_word} {int(table.lines[first])}: {result['kir_error'].iloc[first]}",
                input=args.donors,
            )
        result["kir_line"] = table.lines
        tie_breakers = None
        if args.kir_tie_breakers:
            tie_breakers = kir_findings(frame, "auto", prefix=args.prefix)
            for name in tie_breakers.columns:
                result[name] = tie_breakers[name].to_numpy()
        # rank on the small integer keys, then take every column's rows in that order once
        sequence = rank_order(frame, result, by=args.by or (), order=args.order, kir_tie_breakers=tie_breakers)
        result["kir_verdict"] = verdicts(result, model.name)
        result["kir_deciding_alleles"] = deciding_alleles(
            typed, result, bw4_policy=args.bw4_policy, b_locus_c1=not args.no_b_locus_c1,
            uses_donor_hla=model.uses_donor_hla,
            reading=Reading.of(args.pool, args.population, args.count_group_nulls),
        )
        positions = pd.RangeIndex(len(sequence))
        ranked = pd.concat([part.take(sequence).set_axis(positions, axis=0) for part in (frame, result)], axis=1)
        ranked["kir_rank"] = np.arange(1, len(ranked) + 1)
        lead = [id_column] if id_column is not None else []
        chosen = ["kir_rank", "kir_verdict", "kir_deciding_alleles"]
        if args.columns == "full":
            chosen += [c for c in result.columns if c not in chosen]
        else:
            chosen += [*_SHORT_COLUMNS, "kir_line"]
            if tie_breakers is not None:
                chosen += list(tie_breakers.columns)
        ordered = ranked[[*lead, *chosen, *[c for c in frame.columns if c not in lead]]]
        n_bad = int(bad.sum())
        first_problem = str(result["kir_error"].iloc[int(np.flatnonzero(bad)[0])]) if n_bad else ""
        first_line = int(table.lines[int(np.flatnonzero(bad)[0])]) if n_bad else 0
        # the ranked copy holds every column now: let the input, its typing and the result go before writing
        table = dataclasses.replace(table, frame=frame.iloc[:0])
        del frame, typed, result, ranked
        record = _screen_record(
            args, sha256=table.sha256, file_format=table.format, rows=len(ordered), layout=layout,
            id_column=id_column, recipient=recipient, mac=mac,
        )
        write_table(ordered, args.output, format=args.output_format, comment=_screen_comment(args, record))
        written = True
        _screen_sidecar(args, record)
    except (KirmatchError, OSError) as exc:
        if show:
            print(file=err)
        print(f"kirmatch screen: {type(exc).__name__}: {_cell(str(exc))}", file=err)
        return 1
    counts = ordered["kir_gvh_incompatible"].value_counts()
    return _screen_summary(
        args, out, err, rows=len(ordered), seconds=time.perf_counter() - started,
        counts={word: int(counts.get(word, 0)) for word in ("present", "possible", "absent")}, bad=n_bad,
        first_line=first_line, line_word=table.line_word, first_problem=first_problem, written=written,
    )


def _write_text(path: str, text: str) -> None:
    Path(path).write_text(text, encoding="utf-8")


def _schema(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """The JSON schema of a command's --json output (``match`` now; ``assess`` joins it as another entry)."""
    print(json.dumps(_SCHEMAS[args.what](), indent=2), file=out)
    return 0


def _match_schema() -> dict[str, Any]:
    from kirmatch.mismatch import KirLigandMismatch

    schema = KirLigandMismatch.model_json_schema(mode="serialization")
    extra = {
        "kirmatch_version": {"type": "string", "description": "the kirmatch version that wrote this"},
        "verdict": {"type": "string", "description": "the one-line verdict, as kirmatch match prints it"},
        "mac_table": {
            "anyOf": [
                {"type": "object", "properties": {"path": {"type": "string"}, "sha256": {"type": "string"}},
                 "required": ["path", "sha256"]},
                {"type": "null"},
            ],
            "description": "the NMDP MAC file used (--mac-file or $KIRMATCH_MAC_FILE), or null",
        },
    }
    schema["properties"] = {**extra, **schema.get("properties", {})}
    schema["required"] = [*extra, *schema.get("required", [])]
    schema["title"] = "kirmatch match --json"
    return schema


_SCHEMAS = {"match": _match_schema}


def _build_table(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from kirmatch.build_hla_table import build_table

    try:
        provenance = build_table(args.imgt, args.out)
    except (KirmatchError, ImportError) as exc:  # ImportError: the build extra (Biopython) is not installed
        print(f"kirmatch build-table: {exc}", file=err)
        return 1
    print(
        f"wrote {args.out}: {provenance['alleles']} alleles of IPD-IMGT/HLA {provenance['release']} "
        f"(table SHA-256 {str(provenance['table_sha256'])[:16]}...)",
        file=out,
    )
    return 0


def _build_kir_table(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from kirmatch.build_kir_table import build_kir_table

    try:
        provenance = build_kir_table(args.ipd_kir, args.out)
    except (KirmatchError, ImportError) as exc:  # ImportError: the build extra (Biopython) is not installed
        print(f"kirmatch build-kir-table: {exc}", file=err)
        return 1
    print(
        f"wrote {args.out}: {provenance['alleles']} alleles of IPD-KIR {provenance['release']} "
        f"(table SHA-256 {str(provenance['table_sha256'])[:16]}...)",
        file=out,
    )
    return 0


def _info(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from kirmatch.reference import reference_info

    try:
        info = reference_info()
    except KirmatchError as exc:
        print(f"kirmatch info: {exc}", file=err)
        return 1
    if args.json:
        print(info.model_dump_json(indent=2), file=out)
    else:
        print(str(info), file=out)
        print(f"table: {info.path}", file=out)
        print(f"table SHA-256: {info.table_sha256}", file=out)
    return 0


def _add_matching_options(p: argparse.ArgumentParser) -> None:
    """The options every matching command shares, their choices read from the model registry and the enums."""
    from kirmatch.models import LIGAND_LIGAND, MODELS
    from kirmatch.profile import DEFAULT_BW4_POLICY, Bw4Policy

    needs_kir = [m.name for m in MODELS if m.needs_kir]
    p.add_argument(
        "--model",
        default=LIGAND_LIGAND.name,
        choices=MODELS.names(),
        help=f"matching model (default {LIGAND_LIGAND.name}: {LIGAND_LIGAND.citation})"
        + (f"; {', '.join(needs_kir)} need --donor-kir" if needs_kir else ""),
    )
    p.add_argument(
        "--donor-kir",
        metavar="GENES",
        help="donor KIR typing: genes found, e.g. '2DL1,2DL3,3DL1,3DL2' (those not listed are absent), results "
        "('KIR2DL1+ KIR3DL1-': others not typed) or alleles ('KIR2DL1*003')",
    )
    p.add_argument(
        "--bw4-policy",
        default=DEFAULT_BW4_POLICY.value,
        choices=[policy.value for policy in Bw4Policy],
        help=f"which Bw4 alleles count (default {DEFAULT_BW4_POLICY.value})",
    )
    p.add_argument("--no-b-locus-c1", action="store_true", help="do not count HLA-B C1 (B*46:01, B*73:01) as C1")
    _add_reading_options(p)
    p.add_argument(
        "--homozygous-if-blank",
        action="store_true",
        help="a locus typed once, its other allele blank or '-', is homozygous (default: the blank allele is unknown)",
    )


def _add_reading_options(p: argparse.ArgumentParser) -> None:
    """How low-resolution designations and G groups are read (kirmatch.pools)."""
    from kirmatch.pools import Pool, Population

    p.add_argument(
        "--pool",
        default=Pool.ALL.value,
        choices=[pool.value for pool in Pool],
        help="alleles a low-resolution typing may mean: all IPD alleles (default), cwd or common (CIWD 3.0.0)",
    )
    p.add_argument(
        "--population",
        default=Population.TOTAL.value,
        choices=[population.value for population in Population],
        help="CIWD 3.0.0 population of the pool (default total)",
    )
    p.add_argument(
        "--count-group-nulls",
        action="store_true",
        help="count the null and questionable members of a G group (default: set aside, as for a two-field name)",
    )


def _add_mac_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--mac-file",
        metavar="FILE",
        default=None,
        help="NMDP multiple-allele code list (code, expansion) for codes such as C*07:AB "
        "(default: $KIRMATCH_MAC_FILE)",
    )


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {value}")
    return value


def _parser() -> argparse.ArgumentParser:
    from kirmatch import __version__

    parser = argparse.ArgumentParser(
        prog="kirmatch",
        description="KIR ligands of HLA-A, -B and -C alleles from IPD-IMGT/HLA sequences, and KIR-ligand matching.",
    )
    parser.add_argument("--version", action="version", version=f"kirmatch {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("classify", help="the KIR ligand of each HLA designation")
    p.add_argument(
        "names",
        nargs="+",
        metavar="NAME",
        help="HLA-A, -B or -C designations: C*07:02, Cw*0702, C*07:XX, C*07:01:01G, C*07:01P, Cw7, C*07:01/02, ...",
    )
    _add_mac_option(p)
    p.add_argument("--json", action="store_true", help="print the full results as JSON")
    p.add_argument("--explain", action="store_true", help="add a sentence per name saying why")
    _add_reading_options(p)
    p.set_defaults(run=_classify)

    p = sub.add_parser("match", help="donor versus recipient KIR-ligand (in)compatibility")
    typing = "six designations in the order A A B B C C ('-' for a missing one), or one GL string"
    p.add_argument("--donor", required=True, nargs="+", metavar="TYPING", help=f"donor HLA typing: {typing}")
    p.add_argument("--recipient", required=True, nargs="+", metavar="TYPING", help=f"recipient HLA typing: {typing}")
    _add_matching_options(p)
    _add_mac_option(p)
    p.add_argument("--json", action="store_true", help="print the full result as JSON (kirmatch schema match)")
    p.add_argument("--explain", action="store_true", help="add one sentence per finding")
    p.set_defaults(run=_match)

    p = sub.add_parser("assess", help="is this relative an eligible donor under the NK-cell protocol, and why")
    person = "one GL string (DRB1/DQB1 and '~' phase read for haploidentity) or six designations A A B B C C"
    p.add_argument("--patient", required=True, nargs="+", metavar="TYPING", help=f"patient HLA typing: {person}")
    p.add_argument("--donor", required=True, nargs="+", metavar="TYPING", help=f"donor HLA typing: {person}")
    _add_matching_options(p)
    p.add_argument("--nk-cells", type=float, metavar="N", help="NK cells in the product")
    p.add_argument("--weight-kg", type=float, metavar="W", help="the patient's weight in kg")
    p.add_argument("--alloreactive-fraction", type=float, metavar="F", help="alloreactive share of NK cells (0-1)")
    p.add_argument("--json", action="store_true", help="print the full assessment as JSON")
    p.set_defaults(run=_assess)

    p = sub.add_parser(
        "screen",
        help="rank the donors of a registry file against one recipient",
        description="Rank every donor of a file against one recipient and write them, best first, for the protocol. "
        "Reads CSV (',', ';' or tab; UTF-8 or UTF-16 with a byte-order mark), Parquet and xlsx, '-' for stdin; HLA "
        "columns two per locus (A1..C2, HLA-A_1, HLA-A/HLA-A.1), one per locus with both alleles in the cell "
        "(A*01:01+A*24:02) or a GL string column.",
    )
    p.add_argument("donors", metavar="FILE", help="donor file: CSV, .parquet or .xlsx, or - for standard input")
    p.add_argument("--recipient", required=True, nargs="+", metavar="TYPING", help=f"recipient HLA typing: {typing}")
    p.add_argument(
        "-o", "--output", required=True, metavar="FILE",
        help="ranked output: CSV, .parquet or .xlsx (written atomically; never the input), or - for standard output",
    )
    p.add_argument("--by", nargs="*", metavar="COLUMN", help="tie-breaker columns (numbers sort as numbers)")
    p.add_argument(
        "--order",
        default="protocol",
        choices=["protocol", "most-mismatched"],
        help="protocol (default): certainly GvH-incompatible first, then possibly, then compatible, each by --by; "
        "most-mismatched: more ligands mismatched for certain first, then the better typed, then --by",
    )
    p.add_argument(
        "--kir-tie-breakers",
        action="store_true",
        help="break the remaining ties with the donors' KIR columns: B-content Best, Better, Neutral (Cooley 2010), "
        "then activating KIR2DS1/KIR3DS1 (Mancusi 2015); adds kir_b_content and kir_activating",
    )
    p.add_argument(
        "--columns",
        default="short",
        choices=["short", "full"],
        help="short (default): id, rank, verdict, deciding alleles, GvH C1/C2/Bw4, errors, then the input columns; "
        "full: every kir_ column",
    )
    p.add_argument("--id", metavar="COLUMN", help="the donor id column, written first (default: found by name)")
    p.add_argument("--prefix", default="", help="prefix of the HLA columns, e.g. 'donor_'")
    p.add_argument(
        "--hla-column", action="append", metavar="LOCUS=COLUMN[,COLUMN]",
        help="where a locus is: A=HLA-A (both alleles in one cell) or A=a1,a2; repeat per locus",
    )
    p.add_argument("--gl-column", metavar="COLUMN", help="a column of GL strings holding the whole typing")
    p.add_argument("--sep", metavar="CHAR", help="CSV delimiter (default: read from the header line)")
    p.add_argument("--encoding", metavar="NAME", help="text encoding of a CSV that is not UTF-8, e.g. latin-1")
    p.add_argument("--sheet", metavar="NAME", help="xlsx sheet (default: the first)")
    p.add_argument("--input-format", choices=["csv", "parquet", "xlsx"], help="format of FILE (default: by extension)")
    p.add_argument("--output-format", choices=["csv", "parquet", "xlsx"], help="format of -o (default: by extension)")
    p.add_argument("--header-comment", action="store_true", help="start a CSV output with '# ' lines recording the run")
    p.add_argument("--no-sidecar", action="store_true", help="do not write OUTPUT.json recording the run")
    _add_matching_options(p)
    _add_mac_option(p)
    p.add_argument(
        "--errors",
        default="flag",
        choices=["flag", "raise"],
        help="flag (default): keep unreadable rows, last, with kir_error; raise: stop at the first, naming its line",
    )
    p.add_argument("--chunk-size", type=_positive, default=250_000, metavar="ROWS", help=argparse.SUPPRESS)
    p.add_argument("-q", "--quiet", action="store_true", help="no progress display")
    p.set_defaults(run=_screen)

    p = sub.add_parser("build-table", help="build the reference table from an IPD-IMGT/HLA release directory")
    p.add_argument("--imgt", required=True, metavar="DIR", help="release directory (A_prot.fasta, Allelelist.txt, ...)")
    p.add_argument("--out", required=True, metavar="CSV", help="where to write hla_groups.csv (and its .json)")
    p.set_defaults(run=_build_table)

    p = sub.add_parser("build-kir-table", help="build the KIR allele table from an IPD-KIR release directory")
    p.add_argument("--ipd-kir", required=True, metavar="DIR", help="IPD-KIR release directory")
    p.add_argument("--out", required=True, metavar="CSV", help="where to write kir_alleles.csv (and its .json)")
    p.set_defaults(run=_build_kir_table)

    p = sub.add_parser("schema", help="the JSON schema of a command's --json output")
    p.add_argument("what", choices=sorted(_SCHEMAS), help="the command")
    p.set_defaults(run=_schema)

    p = sub.add_parser("info", help="which IPD-IMGT/HLA release the reference table comes from")
    p.add_argument("--json", action="store_true", help="print the provenance as JSON")
    p.set_defaults(run=_info)
    return parser


class _Terminated(BaseException):
    """SIGTERM, raised in the main thread like KeyboardInterrupt so that temporary files are removed."""


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise _Terminated


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run the command line; returns the exit code (the console script passes it to ``sys.exit``).

    Ctrl-C (SIGINT) and SIGTERM end the command with one line on stderr and exit code 130 / 143; any file being
    written is left as it was (see `kirmatch.tables_io.atomic_write`)."""
    args = _parser().parse_args(argv)
    stderr = err or sys.stderr
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminate) if main_thread else None
    try:
        return int(args.run(args, out or sys.stdout, stderr))
    except KeyboardInterrupt:
        print(f"\nkirmatch {args.command}: interrupted; no partly written file was left", file=stderr)
        return 130
    except _Terminated:
        print(f"\nkirmatch {args.command}: terminated; no partly written file was left", file=stderr)
        return 143
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous)
