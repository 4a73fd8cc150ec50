"""The ``kirmatch`` command: a thin argparse layer over the public API. It prints and returns exit codes;
it never calls ``sys.exit`` from library code.

Exit codes: 0 success, 1 some input could not be read (each such input is reported on stderr, the others still
printed), 2 usage error (argparse).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from kirmatch._errors import KirmatchError

if TYPE_CHECKING:
    import pandas as pd

    from kirmatch.genotype import Genotype
    from kirmatch.kir import KirGenotype

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
            print(f"kirmatch classify: {type(exc).__name__}: {exc}", file=err)
            status = 1
            if args.json:
                records.append(_error_record(exc, query=name))
            else:
                print(f"{name}\t\t\t\t\terror\t", file=out)
            continue
        if args.json:
            records.append(call.model_dump(mode="json"))
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


def _error_record(exc: KirmatchError, **context: str) -> dict[str, Any]:
    """An error as JSON: its class, machine-readable code and message."""
    return {**context, "error": type(exc).__name__, "code": exc.code.value, "message": str(exc)}


def _typing(values: list[str], homozygous_if_blank: bool = False) -> Genotype:
    from kirmatch.genotype import Genotype

    if len(values) == 6:
        return Genotype.from_strings(*values, homozygous_if_blank=homozygous_if_blank)
    if len(values) == 1:
        return Genotype.from_gl(values[0], homozygous_if_blank=homozygous_if_blank)
    from kirmatch._errors import GenotypeError

    raise GenotypeError(
        "give six designations (A A B B C C, '-' for a missing one) or one GL string, "
        f"got {len(values)} values",
        input=values,
    )


def _donor_kir(args: argparse.Namespace, command: str, err: TextIO) -> tuple[bool, KirGenotype | None]:
    """(ok, the donor KIR genotype of ``--donor-kir``); not ok when the chosen model needs it and it is missing."""
    from kirmatch.kir import KirGenotype
    from kirmatch.models import MODELS

    if MODELS.get(args.model).needs_kir and args.donor_kir is None:
        print(f"kirmatch {command}: the {args.model} model needs the donor's KIR genes: add --donor-kir", file=err)
        return False, None
    return True, (KirGenotype.from_genes(args.donor_kir) if args.donor_kir is not None else None)


def _match(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from kirmatch.mismatch import kir_ligand_mismatch, side_context

    try:
        ok, kir = _donor_kir(args, "match", err)
        if not ok:
            return 1
        sides: dict[str, Genotype] = {}
        for side in ("donor", "recipient"):
            try:
                sides[side] = _typing(getattr(args, side), args.homozygous_if_blank)
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
        print(f"kirmatch match: {type(exc).__name__}: {exc}", file=err)
        if args.json:
            print(json.dumps(_error_record(exc), indent=2), file=out)
        return 1
    if args.json:
        print(json.dumps(result.model_dump(mode="json"), indent=2), file=out)
        return 0
    print(result.verdict(), file=out)
    if args.explain:
        for sentence in result.findings():
            print(f"  {sentence}", file=out)
        for step in result.next_steps():
            print(f"  Next: {step}", file=out)
    return 0


def _person(values: list[str]) -> object:
    """One GL string (may carry DRB1/DQB1 and '~' phase) as it is, or six designations A A B B C C as a mapping."""
    if len(values) == 1:
        return values[0]
    if len(values) == 6:
        return {"A": values[0:2], "B": values[2:4], "C": values[4:6]}
    from kirmatch._errors import GenotypeError

    raise GenotypeError(
        f"give one GL string or six designations (A A B B C C, '-' for a missing one), got {len(values)} values",
        input=values,
    )


def _assess(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from kirmatch.donor import assess_donor

    try:
        result = assess_donor(
            _person(args.patient),
            _person(args.donor),
            donor_kir=args.donor_kir,
            nk_cells=args.nk_cells,
            weight_kg=args.weight_kg,
            alloreactive_fraction=args.alloreactive_fraction,
            model=args.model,
            bw4_policy=args.bw4_policy,
            b_locus_c1=not args.no_b_locus_c1,
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


def _read_frame(path: str, chunk_size: int) -> Iterator[pd.DataFrame]:
    """Chunks of the donor file as frames of strings (CSV by default, Parquet by extension)."""
    import pandas as pd

    if path.lower().endswith((".parquet", ".pq")):
        try:
            frame: pd.DataFrame = pd.read_parquet(path)
        except ImportError as exc:
            raise KirmatchError(
                f"reading {path!r} needs pyarrow: pip install 'kirmatch[parquet]'", input=path
            ) from exc
        frame = frame.astype("string")
        for start in range(0, max(len(frame), 1), chunk_size):
            yield frame.iloc[start : start + chunk_size]
        return
    yield from pd.read_csv(path, dtype="string", chunksize=chunk_size, keep_default_na=False, na_values=[""])


def _write_frame(frame: pd.DataFrame, path: str) -> None:
    if path.lower().endswith((".parquet", ".pq")):
        try:
            frame.to_parquet(path, index=False)
        except ImportError as exc:
            raise KirmatchError(f"writing {path!r} needs pyarrow: pip install 'kirmatch[parquet]'", input=path) from exc
    else:
        frame.to_csv(path, index=False)


def _screen(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import time

    import pandas as pd

    from kirmatch.frame import mismatch_against, rank_mismatches
    from kirmatch.mismatch import side_context

    show = not args.quiet and hasattr(err, "isatty") and err.isatty()
    started = time.perf_counter()
    try:
        ok, kir = _donor_kir(args, "screen", err)
        if not ok:
            return 1
        try:
            recipient = _typing(args.recipient, args.homozygous_if_blank)
        except KirmatchError as exc:
            raise side_context(exc, "recipient") from exc
        donors: list[pd.DataFrame] = []
        results: list[pd.DataFrame] = []
        done = 0
        for chunk in _read_frame(args.donors, args.chunk_size):
            chunk = chunk.reset_index(drop=True)
            chunk.index = pd.RangeIndex(done, done + len(chunk))
            results.append(
                mismatch_against(
                    chunk,
                    recipient,
                    model=args.model,
                    donor_kir=kir,
                    bw4_policy=args.bw4_policy,
                    b_locus_c1=not args.no_b_locus_c1,
                    pool=args.pool,
                    population=args.population,
                    count_group_nulls=args.count_group_nulls,
                    homozygous_if_blank=args.homozygous_if_blank,
                    errors=args.errors,
                    prefix=args.prefix,
                )
            )
            donors.append(chunk)
            done += len(chunk)
            if show:
                elapsed = time.perf_counter() - started
                print(f"\rkirmatch screen: {done:,} donors read ({elapsed:.1f} s)", end="", file=err)
        if show:
            print(file=err)
        frame = pd.concat(donors) if donors else pd.DataFrame()
        result = pd.concat(results) if results else None
        if result is None:
            raise KirmatchError(f"{args.donors!r} has no rows", input=args.donors)
        ranked = rank_mismatches(frame, result, by=args.by or ())
        _write_frame(ranked, args.output)
    except (KirmatchError, OSError) as exc:
        if show:
            print(file=err)
        print(f"kirmatch screen: {type(exc).__name__}: {exc}", file=err)
        return 1
    verdicts = ranked["kir_gvh_incompatible"].value_counts()
    bad = int(ranked["kir_error"].notna().sum())
    print(
        f"{len(ranked):,} donors screened in {time.perf_counter() - started:.1f} s: "
        f"{verdicts.get('present', 0):,} GvH KIR-ligand incompatible, {verdicts.get('possible', 0):,} possibly, "
        f"{verdicts.get('absent', 0):,} compatible, {bad:,} unreadable; wrote {args.output}",
        file=out,
    )
    return 0


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
    p.add_argument(
        "--mac-file",
        metavar="FILE",
        default=None,
        help="NMDP multiple-allele code list (code, expansion) for codes such as C*07:AB "
        "(default: $KIRMATCH_MAC_FILE)",
    )
    p.add_argument("--json", action="store_true", help="print the full results as JSON")
    p.add_argument("--explain", action="store_true", help="add a sentence per name saying why")
    _add_reading_options(p)
    p.set_defaults(run=_classify)

    p = sub.add_parser("match", help="donor versus recipient KIR-ligand (in)compatibility")
    typing = "six designations in the order A A B B C C ('-' for a missing one), or one GL string"
    p.add_argument("--donor", required=True, nargs="+", metavar="TYPING", help=f"donor HLA typing: {typing}")
    p.add_argument("--recipient", required=True, nargs="+", metavar="TYPING", help=f"recipient HLA typing: {typing}")
    _add_matching_options(p)
    p.add_argument("--json", action="store_true", help="print the full result as JSON")
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

    p = sub.add_parser("screen", help="rank the donors of a registry file against one recipient")
    p.add_argument("donors", metavar="FILE", help="donor file, CSV (or Parquet with pyarrow), columns A1..C2")
    p.add_argument("--recipient", required=True, nargs="+", metavar="TYPING", help=f"recipient HLA typing: {typing}")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="ranked output (CSV, or .parquet)")
    p.add_argument("--by", nargs="*", metavar="COLUMN", help="tie-breaker columns after the KIR-ligand verdict")
    p.add_argument("--prefix", default="", help="prefix of the HLA columns, e.g. 'donor_'")
    _add_matching_options(p)
    p.add_argument(
        "--errors",
        default="flag",
        choices=["flag", "raise"],
        help="flag (default): keep unreadable rows, last, with kir_error; raise: stop at the first",
    )
    p.add_argument("--chunk-size", type=int, default=250_000, metavar="ROWS", help=argparse.SUPPRESS)
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

    p = sub.add_parser("info", help="which IPD-IMGT/HLA release the reference table comes from")
    p.add_argument("--json", action="store_true", help="print the provenance as JSON")
    p.set_defaults(run=_info)
    return parser


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run the command line; returns the exit code (the console script passes it to ``sys.exit``)."""
    args = _parser().parse_args(argv)
    return int(args.run(args, out or sys.stdout, err or sys.stderr))
