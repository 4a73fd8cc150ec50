"""Registry scale: the ligand profile and KIR-ligand mismatch of whole pandas frames, on the scalar rules.

Nothing here decides a ligand. Each distinct designation of each HLA column is read once through the scalar path
([`kirmatch.genotype`][kirmatch.genotype] checks, `kirmatch.profile.slot_planes` calls), giving two small bit masks;
rows then combine those masks with numpy, through the very Kleene functions of [`kirmatch.presence`][kirmatch.presence]
and `kirmatch.mismatch.mismatch_planes` that the scalar API runs. So the work grows with the number of distinct
designations, not rows, and a row's answer is the scalar answer (a property test checks it on random frames).

Conventions:

* HLA columns are found by name (``A1``..``C2``, ``A_1``, ``A.1``, ``HLA-A_1``, ``HLA-A.1``, ``HLA-A1``, any case)
  or given as ``columns={"A": ("a_first", "a_second"), ...}``; with ``prefix="donor_"`` only columns starting with
  it are considered. Missing cells (NA, ``""``, ``"-"``) are missing alleles: "possible", never "no ligand".
* Outputs are new frames indexed like the input, whose columns all start with ``kir_`` so that they cannot be
  mistaken for input columns (an input column ``C1`` is an HLA-C allele, ``kir_C1`` the C1 ligand). Presence
  columns are ordered categoricals (absent < possible < present); errors are a nullable string column. The input
  is never modified.
* ``errors="raise"`` (default) stops at the first bad cell, naming its row and column; ``errors="flag"`` keeps every
  row, reports bad cells in ``kir_error`` and leaves that row's answers undecided (missing).
* ``DataFrame.attrs`` of each output records the IPD-IMGT/HLA release, model and policies used.
* Every function is a pure, picklable ``DataFrame -> DataFrame`` that works on an empty frame; ``*_schema()`` give
  the output as an empty frame with the final dtypes (the ``meta`` of dask's ``map_partitions``).

Importing this module registers the ``DataFrame.kir`` accessor; ``import kirmatch`` imports it when pandas is
already loaded (kirmatch itself stays light to import).
"""

from __future__ import annotations

import contextlib
import contextvars
import re
from collections.abc import Generator, Mapping, Sequence
from typing import Any, Literal, cast

import numpy as np
import numpy.typing as npt
import pandas as pd

from kirmatch._errors import (
    ColumnError,
    ErrorCode,
    KirmatchError,
    KirTypingError,
    ProtocolValueError,
    quote,
    with_context,
)
from kirmatch._planes import (
    BITS,
    LIGANDS,
    CellMemo,
    Column,
    Person,
    RowErrors,
    Settings,
    mismatch_codes,
    person_planes,
    presence_codes,
    rank_keys,
    recipient_person,
    resolve_cells,
)
from kirmatch._planes import settings as settings_of
from kirmatch.catalogue import ALL_LIGANDS, PROTOCOL_LIGANDS
from kirmatch.genotype import LOCI, Genotype, is_missing, slot_key
from kirmatch.kir import BContentGroup, KirGenotype, kir_b_content_from_genes
from kirmatch.mismatch import kir_planes
from kirmatch.models import LIGAND_LIGAND, MatchModel
from kirmatch.pools import Ciwd, Pool, Population
from kirmatch.profile import DEFAULT_BW4_POLICY, Bw4Policy

__all__ = [
    "PRESENCE_DTYPE",
    "SUPPORT_DTYPE",
    "ColumnError",
    "find_hla_columns",
    "find_kir_columns",
    "kir_findings",
    "B_CONTENT_DTYPE",
    "ligand_profiles",
    "mismatch_against",
    "mismatch_pairs",
    "rank_donors",
    "rank_mismatches",
    "ORDERS",
    "profile_schema",
    "mismatch_schema",
    "KirAccessor",
]

Errors = Literal["raise", "flag"]
ColumnSpec = Mapping[str, Sequence[str]]
KirColumnSpec = Mapping[str, str] | str | None

PRESENCE_DTYPE = pd.CategoricalDtype(["absent", "possible", "present"], ordered=True)
SUPPORT_DTYPE = pd.CategoricalDtype([c.value for c in reversed(Ciwd)], ordered=True)
"""dtype of ``kir_gvh_support``: the CIWD 3.0.0 categories, ordered rare < well-documented < intermediate < common."""
"""dtype of every presence column: ordered, so that ``present > possible > absent``."""

_LIGANDS = LIGANDS
_BITS = BITS


# ------------------------------------------------------------------------------------------------------ columns


def find_hla_columns(
    frame: pd.DataFrame, columns: ColumnSpec | None = None, *, prefix: str = ""
) -> dict[str, tuple[str, str]]:
    """The two columns of each locus: ``{"A": ("A1", "A2"), "B": ..., "C": ...}``.

    Given ``columns``, they are checked to exist. Otherwise a column whose name (after ``prefix``) reads as locus
    and slot number (``A1``, ``A_1``, ``A.1``, ``HLA-A_1``, ``HLA-A.1``, case-insensitive) is taken; a slot matched
    by two columns, or a slot missing, raises [`ColumnError`][kirmatch.frame.ColumnError] listing what was seen. Both
    slots of a locus given as one column (a column holding both alleles, ``A*01:01+A*24:02``) is refused: each slot
    would read the whole cell, and ``A*01:01/A*24:02`` would become "either allele" twice.
    """
    _require_frame(frame, "frame")
    if columns is not None:
        found: dict[str, tuple[str, str]] = {}
        for locus in LOCI:
            given: object = columns.get(locus) or columns.get(locus.lower())
            if isinstance(given, str) or not isinstance(given, Sequence):
                given = None
            pair = [str(c) for c in cast("Sequence[object]", given)] if given is not None else []
            if len(pair) != 2:
                raise ColumnError(
                    f"columns= must give two column names for HLA-{locus}, e.g. {{'{locus}': ('{locus}1', "
                    f"'{locus}2')}}, got {quote(columns.get(locus) or columns.get(locus.lower()))}",
                    input=columns,
                )
            missing = [c for c in pair if c not in frame.columns]
            if missing:
                raise ColumnError(f"columns {', '.join(map(quote, missing))} are not in the frame", input=missing)
            if pair[0] == pair[1]:
                raise ColumnError(
                    f"columns= gives {quote(pair[0])} for both HLA-{locus} alleles; if that column holds both alleles "
                    f"in one cell (e.g. '{locus}*01:01+{locus}*02:01'), split it into two columns first "
                    "(kirmatch screen does that itself)",
                    input=pair,
                )
            doubled = [c for c in pair if list(frame.columns).count(c) > 1]
            if doubled:
                raise ColumnError(f"the frame has more than one column named {quote(doubled[0])}", input=doubled)
            found[locus] = (pair[0], pair[1])
        return found
    slots: dict[tuple[str, int], list[str]] = {}
    for name in frame.columns:
        if not isinstance(name, str) or not name.startswith(prefix):
            continue
        parsed = slot_key(name[len(prefix) :])
        if parsed is not None and parsed[1] is not None:
            slots.setdefault((parsed[0], parsed[1]), []).append(name)
    result: dict[str, tuple[str, str]] = {}
    problems: list[str] = []
    for locus in LOCI:
        pair = list[str]()
        for index in (1, 2):
            names = slots.get((locus, index), [])
            if len(names) != 1:
                problems.append(
                    f"HLA-{locus} allele {index}: " + ("no column" if not names else f"several ({', '.join(names)})")
                )
            else:
                pair.append(names[0])
        if len(pair) == 2:
            result[locus] = (pair[0], pair[1])
    if problems:
        shown = ", ".join(map(str, list(frame.columns)[:12]))
        raise ColumnError(
            f"cannot find the HLA columns{f' with prefix {prefix!r}' if prefix else ''}: {'; '.join(problems)} "
            f"(columns: {shown}); name them A1..C2 (or HLA-A_1...) or pass columns=",
            input=list(frame.columns),
        )
    return result


def _require_frame(frame: object, what: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise ColumnError(
            f"{what} must be a pandas DataFrame, got {type(frame).__name__}",
            input=type(frame).__name__,
            code=ErrorCode.BAD_FRAME,
        )


# ----------------------------------------------------------------------------------------------- the planes


def _errors_mode(errors: str) -> str:
    if errors not in ("raise", "flag"):
        raise ProtocolValueError(
            f"errors must be 'raise' or 'flag', got {quote(errors)}", input=errors, code=ErrorCode.UNKNOWN_OPTION
        )
    return errors




def _hashable_cell(value: object) -> object:
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value


def _column_planes(values: pd.Series, locus: str, column: str, settings: Settings) -> Column:
    """Each distinct cell of one column read once through the scalar path, then spread over the rows (each bad
    cell's KirmatchError already names the column)."""
    try:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    except TypeError:  # unhashable cells (lists, dicts): read them as their repr, which no parser accepts
        codes, uniques = pd.factorize(values.map(_hashable_cell), use_na_sentinel=True)
    memo = _MEMO.get()
    if memo is not None:
        return memo.cells(list(uniques), locus, column, settings).column(codes)
    return resolve_cells(list(uniques), locus, column, settings).column(codes)


_MEMO: contextvars.ContextVar[CellMemo | None] = contextvars.ContextVar("kirmatch_cell_memo", default=None)


@contextlib.contextmanager
def _one_reading() -> Generator[None]:
    """Within it, the frame functions read each distinct designation of a column once across calls (plain dicts,
    dropped at exit): for a registry matched in chunks, as ``kirmatch screen`` does on its pandas path."""
    token = _MEMO.set(CellMemo())
    try:
        yield
    finally:
        _MEMO.reset(token)


def _person_planes(
    frame: pd.DataFrame, hla: dict[str, tuple[str, str]], settings: Settings, errors: str
) -> tuple[Person, RowErrors]:
    """Planes (and support) of every row's person and the problems of each bad row (by position)."""
    return person_planes(
        lambda locus: [_column_planes(frame[column], locus, column, settings) for column in hla[locus]],
        len(frame),
        settings,
        errors,
        lambda position: frame.index[position],
    )


def _provenance(out: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Record in ``DataFrame.attrs`` the release and policies the answers were decided with."""
    from kirmatch.reference import reference_info

    out.attrs["kirmatch_release"] = f"IPD-IMGT/HLA {reference_info().release}"
    out.attrs["kirmatch_bw4_policy"] = settings.bw4_policy.value
    out.attrs["kirmatch_b_locus_c1"] = settings.b_locus_c1
    out.attrs["kirmatch_pool"] = settings.reading.pool.value
    out.attrs["kirmatch_population"] = settings.reading.population.value
    out.attrs["kirmatch_count_group_nulls"] = settings.reading.count_group_nulls
    out.attrs["kirmatch_homozygous_if_blank"] = settings.homozygous_if_blank
    return out


def _presence_column(codes: npt.NDArray[np.int8]) -> pd.Categorical:
    return pd.Categorical.from_codes(codes, dtype=PRESENCE_DTYPE)


def _add_error_columns(out: pd.DataFrame, errors: RowErrors) -> pd.DataFrame:
    """``kir_error`` (the message of each bad row) and ``kir_error_code`` (its [`ErrorCode`][kirmatch.ErrorCode]
    value), missing on good rows."""
    message = pd.Series(pd.NA, index=out.index, dtype="string")
    code = pd.Series(pd.NA, index=out.index, dtype="string")
    if errors:
        rows = list(errors)
        message.iloc[rows] = [text for text, _ in errors.values()]
        code.iloc[rows] = [reason.value for _, reason in errors.values()]
    out["kir_error"] = message
    out["kir_error_code"] = code
    return out


# --------------------------------------------------------------------------------------------------- profiles


def profile_schema() -> pd.DataFrame:
    """The output of [`ligand_profiles`][kirmatch.frame.ligand_profiles] for no rows: its columns and dtypes."""
    data: dict[str, Any] = {f"kir_{ligand.column}": pd.Categorical([], dtype=PRESENCE_DTYPE) for ligand in _LIGANDS}
    data["kir_error"] = pd.Series([], dtype="string")
    data["kir_error_code"] = pd.Series([], dtype="string")
    schema: pd.DataFrame = pd.DataFrame(data)
    return schema


def ligand_profiles(
    frame: pd.DataFrame,
    *,
    columns: ColumnSpec | None = None,
    prefix: str = "",
    bw4_policy: Bw4Policy | str = DEFAULT_BW4_POLICY,
    b_locus_c1: bool = True,
    pool: Pool | str = Pool.ALL,
    population: Population | str = Population.TOTAL,
    count_group_nulls: bool = False,
    homozygous_if_blank: bool = False,
    errors: Errors = "raise",
) -> pd.DataFrame:
    """For each row's typing, whether the person carries C1, C2, Bw4, Bw4-80I, Bw4-80T and A3/A11.

    Returns ``kir_C1``, ``kir_C2``, ``kir_Bw4``, ``kir_Bw4_80I``, ``kir_Bw4_80T``, ``kir_A3_A11`` (present / possible /
    absent, as [`kirmatch.ligand_profile`][kirmatch.profile.ligand_profile] says for the same typing) and ``kir_error``.
    """
    mode = _errors_mode(errors)
    settings = settings_of(bw4_policy, b_locus_c1, pool, population, count_group_nulls, homozygous_if_blank)
    hla = find_hla_columns(frame, columns, prefix=prefix)
    person, error_text = _person_planes(frame, hla, settings, mode)
    undecided = sorted(error_text)
    data: dict[str, Any] = {
        f"kir_{ligand.column}": _presence_column(presence_codes(person.planes, ligand.bit, undecided))
        for ligand in _LIGANDS
    }
    out = _add_error_columns(pd.DataFrame(data, index=frame.index), error_text)
    return _provenance(out, settings)


# --------------------------------------------------------------------------------------------------- mismatch


def mismatch_schema() -> pd.DataFrame:
    """The output of [`mismatch_against`][kirmatch.frame.mismatch_against] and
    [`mismatch_pairs`][kirmatch.frame.mismatch_pairs] for no rows: columns and dtypes."""
    data: dict[str, Any] = {}
    for direction in ("gvh", "hvg"):
        for ligand in _LIGANDS:
            data[f"kir_{direction}_{ligand.column}"] = pd.Categorical([], dtype=PRESENCE_DTYPE)
    data["kir_gvh_incompatible"] = pd.Categorical([], dtype=PRESENCE_DTYPE)
    data["kir_hvg_incompatible"] = pd.Categorical([], dtype=PRESENCE_DTYPE)
    data["kir_gvh_support"] = pd.Categorical([], dtype=SUPPORT_DTYPE)
    data["kir_error"] = pd.Series([], dtype="string")
    data["kir_error_code"] = pd.Series([], dtype="string")
    schema: pd.DataFrame = pd.DataFrame(data)
    return schema


def _mismatch_frame(
    index: pd.Index,
    donor: Person,
    recipient: Person,
    model: MatchModel,
    kir: tuple[Any, Any] | None,
    error_text: RowErrors,
) -> pd.DataFrame:
    codes = mismatch_codes(donor, recipient, model, kir, sorted(error_text))
    data: dict[str, Any] = {
        name: pd.Categorical.from_codes(column, dtype=SUPPORT_DTYPE if name == "kir_gvh_support" else PRESENCE_DTYPE)
        for name, column in codes.items()
    }
    out = _add_error_columns(pd.DataFrame(data, index=index), error_text)
    out.attrs["kirmatch_model"] = model.name
    return out


def _model(
    model: MatchModel | str, donor_kir: KirGenotype | None, *, per_row: bool = False
) -> tuple[MatchModel, tuple[int, int] | None]:
    chosen = MatchModel.coerce(model)
    if chosen.needs_kir and donor_kir is None and not per_row:
        raise KirTypingError(
            f"the {chosen} model needs the donors' KIR gene content: give KIR columns (KIR2DL1 ... or one gene-content "
            "column such as KIR; kir_columns=) or one KirGenotype for all donors (donor_kir=)",
        )
    return chosen, (kir_planes(donor_kir) if donor_kir is not None else None)


def mismatch_against(
    donors: pd.DataFrame,
    recipient: Genotype | object,
    *,
    columns: ColumnSpec | None = None,
    prefix: str = "",
    model: MatchModel | str = LIGAND_LIGAND,
    bw4_policy: Bw4Policy | str = DEFAULT_BW4_POLICY,
    b_locus_c1: bool = True,
    pool: Pool | str = Pool.ALL,
    population: Population | str = Population.TOTAL,
    count_group_nulls: bool = False,
    homozygous_if_blank: bool = False,
    donor_kir: KirGenotype | None = None,
    kir_columns: KirColumnSpec = "auto",
    errors: Errors = "raise",
) -> pd.DataFrame:
    """KIR-ligand mismatch of every donor row against one recipient (anything
    [`Genotype.coerce`][kirmatch.genotype.Genotype.coerce] reads).

    Per ligand ``kir_gvh_<ligand>`` and ``kir_hvg_<ligand>``, then ``kir_gvh_incompatible`` and ``kir_hvg_incompatible``
    over the protocol ligands C1, C2 and Bw4, as [`kirmatch.kir_ligand_mismatch`][kirmatch.mismatch.kir_ligand_mismatch]
    says for each row; ``kir_error`` for rows that could not be read (``errors="flag"``).

    The models that read the donor's KIR genes take them from ``donor_kir`` (one typing for every donor) or, per row,
    from the frame's KIR columns ([`find_kir_columns`][kirmatch.frame.find_kir_columns]: one column per gene such as
    ``KIR2DL1`` with POS/NEG, 1/0 or allele names, or one gene-content column such as ``KIR``), found by name with
    ``kir_columns="auto"`` or named (``{"2DL1": "kir_2dl1_result", ...}`` or a column name).
    """
    mode = _errors_mode(errors)
    settings = settings_of(bw4_policy, b_locus_c1, pool, population, count_group_nulls, homozygous_if_blank)
    chosen = MatchModel.coerce(model)
    row_kir: tuple[npt.NDArray[Any], npt.NDArray[Any]] | None = None
    kir_errors: RowErrors = {}
    if chosen.needs_kir and donor_kir is None:
        found = find_kir_columns(donors, kir_columns, prefix=prefix)
        if found is not None:
            row_kir, kir_errors = _row_kir(donors, found, mode)
    chosen, kir = _model(chosen, donor_kir, per_row=row_kir is not None)
    try:
        patient = Genotype.coerce(recipient)
    except KirmatchError as exc:
        raise with_context(exc, "recipient", " " if str(exc).startswith("HLA-") else ": ") from exc
    hla = find_hla_columns(donors, columns, prefix=prefix)
    donor_person, error_text = _person_planes(donors, hla, settings, mode)
    profile = settings.profile(patient)
    recipient = recipient_person(profile, len(donors))
    kir_arrays: tuple[Any, Any] | None = (_BITS.type(kir[0]), _BITS.type(kir[1])) if kir is not None else row_kir
    for row, (text, code) in kir_errors.items():
        error_text[row] = (f"{error_text[row][0]}; {text}", error_text[row][1]) if row in error_text else (text, code)
    return _provenance(
        _mismatch_frame(donors.index, donor_person, recipient, chosen, kir_arrays, error_text), settings
    )


_KIR_GENE_COLUMN = re.compile(r"(?:KIR[-_. ]?)?([23]D[LSP]\d[AB]?)", re.IGNORECASE)
_KIR_TEXT_COLUMNS = frozenset({"kir", "kir_genes", "kir genes", "kir_genotype", "kir genotype", "kir_typing"})


def find_kir_columns(
    frame: pd.DataFrame, kir_columns: KirColumnSpec = "auto", *, prefix: str = ""
) -> Mapping[str, str] | str | None:
    """The donors' KIR typing columns: ``{gene: column}`` for one column per gene (``KIR2DL1``, ``2DL1``,
    ``kir_2dl1``...), or the name of one gene-content column (``KIR``, ``KIR_genes``, ``KIR genotype``: text such as
    ``2DL1 2DL3 3DL1``), or None when there are none. ``kir_columns`` names them instead of ``"auto"``; None turns
    the search off."""
    if kir_columns is None:
        return None
    if isinstance(kir_columns, str) and kir_columns != "auto":
        if kir_columns not in frame.columns:
            raise ColumnError(f"KIR column {quote(kir_columns)} is not in the frame", input=kir_columns)
        return kir_columns
    if isinstance(kir_columns, Mapping):
        given = {str(gene): str(column) for gene, column in kir_columns.items()}
        missing = [c for c in given.values() if c not in frame.columns]
        if missing:
            raise ColumnError(f"KIR columns {', '.join(map(quote, missing))} are not in the frame", input=missing)
        return given
    genes: dict[str, str] = {}
    text: list[str] = []
    for name in frame.columns:
        if not isinstance(name, str) or not name.startswith(prefix):
            continue
        bare = name[len(prefix) :].strip()
        m = _KIR_GENE_COLUMN.fullmatch(bare)
        if m is not None and (bare.upper().startswith("KIR") or bare[:1] in "23"):
            genes.setdefault(m.group(1).upper(), name)
        elif bare.lower() in _KIR_TEXT_COLUMNS:
            text.append(name)
    if genes:
        return genes
    if len(text) == 1:
        return text[0]
    if len(text) > 1:
        raise ColumnError(
            f"several KIR gene-content columns: {', '.join(text)}; name one with kir_columns=", input=text
        )
    return None


def _distinct_kir(frame: pd.DataFrame, found: Mapping[str, str] | str) -> tuple[npt.NDArray[np.int64], list[object]]:
    """Each row's code into the distinct KIR typings of the frame (a text, or a ``{gene: cell}`` mapping)."""
    typings: list[object] = []
    seen: dict[object, int] = {}
    codes = np.zeros(len(frame), dtype=np.int64)
    if isinstance(found, str):
        values: list[object] = [None if is_missing(v) else str(v) for v in frame[found].tolist()]
        for position, value in enumerate(values):
            code = seen.setdefault(value, len(seen))
            if code == len(typings):
                typings.append(value)
            codes[position] = code
    else:
        genes = list(found)
        columns = [frame[found[g]].tolist() for g in genes]
        for position, cells in enumerate(zip(*columns, strict=True)):
            key = tuple(None if is_missing(v) else str(v) for v in cells)
            code = seen.setdefault(key, len(seen))
            if code == len(typings):
                typings.append(dict(zip(genes, key, strict=True)))
            codes[position] = code
    return codes, typings


def _row_kir(
    frame: pd.DataFrame, found: Mapping[str, str] | str, errors: str
) -> tuple[tuple[npt.NDArray[Any], npt.NDArray[Any]], RowErrors]:
    """Per row, the donor's inhibitory KIR for each ligand as planes, each distinct typing read once."""
    codes, typings = _distinct_kir(frame, found)
    present = np.zeros(len(typings), dtype=_BITS)
    possible = np.zeros(len(typings), dtype=_BITS)
    bad: dict[int, KirmatchError] = {}
    for i, typing in enumerate(typings):
        try:
            genotype = KirGenotype.from_genes(typing)  # type: ignore[arg-type]
        except KirmatchError as exc:
            bad[i] = with_context(exc, "KIR typing")
            possible[i] = ALL_LIGANDS
            continue
        present[i], possible[i] = kir_planes(genotype)
    row_errors: RowErrors = {}
    if bad:
        flagged = np.flatnonzero(np.isin(codes, list(bad)))
        if errors == "raise" and len(flagged):
            first_row = int(flagged[0])
            raise with_context(bad[int(codes[first_row])], f"row {frame.index[first_row]!r}, ", sep="")
        for flagged_row in flagged.tolist():
            problem = bad[int(codes[flagged_row])]
            row_errors[flagged_row] = (str(problem), problem.code)
    return (present[codes], possible[codes]), row_errors


B_CONTENT_DTYPE = pd.CategoricalDtype([g.value for g in reversed(BContentGroup)], ordered=True)
"""dtype of ``kir_b_content``: Neutral < Better < Best (Cooley et al. 2010)."""


def kir_findings(donors: pd.DataFrame, kir_columns: KirColumnSpec = "auto", *, prefix: str = "") -> pd.DataFrame:
    """Per donor, from the frame's KIR columns ([`find_kir_columns`][kirmatch.frame.find_kir_columns]): the KIR
    B-content group from gene content (``kir_b_content``: Best, Better or Neutral, missing when the gene content
    cannot decide or the typing cannot be read; [`kir_b_content_from_genes`][kirmatch.kir.kir_b_content_from_genes])
    and whether the donor carries an activating KIR2DS1 or KIR3DS1 (``kir_activating``: present, absent, possible;
    Mancusi et al., Blood 2015;125:3173: "transplantation from donors with KIR2DS1 and/or KIR3DS1 was associated with
    reduced risk of nonrelapse mortality"). Findings, not part of the protocol's verdict; `rank_order` can use them
    as tie-breakers."""
    _require_frame(donors, "donors")
    found = find_kir_columns(donors, kir_columns, prefix=prefix)
    if found is None:
        raise ColumnError(
            "the frame has no KIR columns (KIR2DL1 ... or one gene-content column such as KIR); name them with "
            "kir_columns=",
            input=list(donors.columns),
        )
    codes, typings = _distinct_kir(donors, found)
    groups: list[str | None] = []
    activating: list[str | None] = []
    for typing in typings:
        try:
            genotype = KirGenotype.from_genes(typing)  # type: ignore[arg-type]
        except KirmatchError:
            groups.append(None)
            activating.append(None)
            continue
        group = kir_b_content_from_genes(genotype).group
        groups.append(group.value if group is not None else None)
        activating.append((genotype.kir2ds1 | genotype.kir3ds1).value)
    out = pd.DataFrame(
        {
            "kir_b_content": pd.Categorical([groups[int(c)] for c in codes.tolist()], dtype=B_CONTENT_DTYPE),
            "kir_activating": pd.Categorical([activating[int(c)] for c in codes.tolist()], dtype=PRESENCE_DTYPE),
        },
        index=donors.index,
    )
    return out


def mismatch_pairs(
    frame: pd.DataFrame,
    *,
    donor_prefix: str = "donor_",
    recipient_prefix: str = "recipient_",
    donor_columns: ColumnSpec | None = None,
    recipient_columns: ColumnSpec | None = None,
    model: MatchModel | str = LIGAND_LIGAND,
    bw4_policy: Bw4Policy | str = DEFAULT_BW4_POLICY,
    b_locus_c1: bool = True,
    pool: Pool | str = Pool.ALL,
    population: Population | str = Population.TOTAL,
    count_group_nulls: bool = False,
    homozygous_if_blank: bool = False,
    errors: Errors = "raise",
) -> pd.DataFrame:
    """KIR-ligand mismatch of each row's donor against the same row's recipient (a cohort of transplant pairs).

    Columns are found with ``donor_prefix`` / ``recipient_prefix`` (``donor_A1``, ``recipient_HLA-C_2``...) or given as
    ``donor_columns=`` / ``recipient_columns=``. Same output as [`mismatch_against`][kirmatch.frame.mismatch_against].
    """
    mode = _errors_mode(errors)
    settings = settings_of(bw4_policy, b_locus_c1, pool, population, count_group_nulls, homozygous_if_blank)
    chosen, _ = _model(model, None)
    d_cols = find_hla_columns(frame, donor_columns, prefix=donor_prefix)
    r_cols = find_hla_columns(frame, recipient_columns, prefix=recipient_prefix)
    d_planes, d_err = _person_planes(frame, d_cols, settings, mode)
    r_planes, r_err = _person_planes(frame, r_cols, settings, mode)
    error_text: RowErrors = {}
    for row in sorted(set(d_err) | set(r_err)):
        sides = [(side, found[row]) for side, found in (("donor", d_err), ("recipient", r_err)) if row in found]
        error_text[row] = ("; ".join(f"{side}: {text}" for side, (text, _) in sides), sides[0][1][1])
    return _provenance(_mismatch_frame(frame.index, d_planes, r_planes, chosen, None, error_text), settings)


# ---------------------------------------------------------------------------------------------------- ranking


def rank_donors(
    donors: pd.DataFrame,
    recipient: Genotype | object,
    *,
    by: Sequence[str] = (),
    ascending: bool | Sequence[bool] = True,
    columns: ColumnSpec | None = None,
    prefix: str = "",
    bw4_policy: Bw4Policy | str = DEFAULT_BW4_POLICY,
    b_locus_c1: bool = True,
    pool: Pool | str = Pool.ALL,
    population: Population | str = Population.TOTAL,
    count_group_nulls: bool = False,
    homozygous_if_blank: bool = False,
    errors: Errors = "raise",
) -> pd.DataFrame:
    """The donors with their mismatch columns, best candidates for the NK-cell protocol first.

    Order: GvH KIR-ligand incompatible (present, then possible, then absent); then more protocol ligands with a GvH
    mismatch for certain (more alloreactive NK subsets); then fewer protocol ligands left "possible" (the better typed
    first); then the tie-breaker columns ``by`` (with ``ascending``); then the input order. Unreadable rows
    (``errors="flag"``) come last. Adds ``kir_rank`` (1 = best). Returns a new frame; the input is not modified.
    """
    result = mismatch_against(
        donors,
        recipient,
        columns=columns,
        prefix=prefix,
        bw4_policy=bw4_policy,
        b_locus_c1=b_locus_c1,
        pool=pool,
        population=population,
        count_group_nulls=count_group_nulls,
        homozygous_if_blank=homozygous_if_blank,
        errors=errors,
    )
    return rank_mismatches(donors, result, by=by, ascending=ascending)


Order = Literal["most-mismatched", "protocol"]
ORDERS: tuple[str, ...] = ("most-mismatched", "protocol")
"""The donor orders of [`rank_mismatches`][kirmatch.frame.rank_mismatches]."""


def _sort_key(values: pd.Series, ascending: bool) -> npt.NDArray[Any]:
    """Dense ranks of a tie-breaker column, missing last; a text column whose filled cells all read as numbers (a CSV's
    ``age``) is ranked as numbers, so that 9 < 10 < 100."""
    if not pd.api.types.is_numeric_dtype(values.dtype) and not isinstance(values.dtype, pd.CategoricalDtype):
        filled = values.dropna()
        if len(filled):
            numbers = pd.to_numeric(filled.astype(str).str.strip(), errors="coerce")
            if bool(numbers.notna().all()):
                values = pd.to_numeric(values.astype("string").str.strip(), errors="coerce")
    ranks = values.rank(method="dense", ascending=ascending, na_option="bottom")
    return ranks.to_numpy(dtype=float)


def rank_mismatches(
    donors: pd.DataFrame,
    result: pd.DataFrame,
    *,
    by: Sequence[str] = (),
    ascending: bool | Sequence[bool] = True,
    order: Order = "most-mismatched",
) -> pd.DataFrame:
    """Join ``donors`` with their [`mismatch_against`][kirmatch.frame.mismatch_against] ``result`` and order them as
    [`rank_donors`][kirmatch.frame.rank_donors] does (for callers that computed the mismatch in pieces, such as
    ``kirmatch screen``).

    ``order="protocol"`` (the default of ``kirmatch screen``): the protocol needs one certain GvH mismatch, so
    certainly incompatible donors come first, then possibly incompatible ones, then compatible ones, and within each
    the ``by`` columns decide (then the input order); how many ligands are mismatched does not outrank them.
    ``order="most-mismatched"`` is `rank_donors`'s order. A text column whose filled cells are all numbers sorts as
    numbers."""
    sequence = rank_order(donors, result, by=by, ascending=ascending, order=order)
    # take the rows of each part in rank order, then join them: no concatenated copy of the whole frame is made
    positions = pd.RangeIndex(len(sequence))
    parts = [part.take(sequence).set_axis(positions, axis=0) for part in (donors, result)]
    ranked: pd.DataFrame = pd.concat(parts, axis=1).set_axis(donors.index[sequence], axis=0)
    ranked["kir_rank"] = np.arange(1, len(ranked) + 1)
    return ranked


def rank_order(
    donors: pd.DataFrame,
    result: pd.DataFrame,
    *,
    by: Sequence[str] = (),
    ascending: bool | Sequence[bool] = True,
    order: Order = "most-mismatched",
    kir_tie_breakers: pd.DataFrame | None = None,
) -> npt.NDArray[np.intp]:
    """The positions of ``donors`` in the order of [`rank_mismatches`][kirmatch.frame.rank_mismatches] (the first is
    the best), sorted on small integer keys (``np.lexsort``) without joining or copying the frames.

    ``kir_tie_breakers`` ([`kir_findings`][kirmatch.frame.kir_findings] of the same donors) breaks the ties left
    after the ``by`` keys: KIR B-content Best, Better, Neutral, undecided; then activating KIR2DS1/KIR3DS1 present,
    possible, absent."""
    _require_frame(donors, "donors")
    _require_frame(result, "result")
    clash = [c for c in [*result.columns, "kir_rank"] if c in donors.columns]
    if clash:
        raise ColumnError(
            f"the donor frame already has columns {', '.join(clash)}; rename them first",
            input=clash,
            code=ErrorCode.COLUMN_CLASH,
        )
    by = [by] if isinstance(by, str) else list(by)
    for name in by:
        if name not in donors.columns:
            raise ColumnError(f"tie-breaker column {quote(name)} is not in the donor frame", input=name)
    asc = [ascending] * len(by) if isinstance(ascending, bool) else list(ascending)
    if len(asc) != len(by):
        raise ProtocolValueError("ascending must be one bool or one per tie-breaker column", input=ascending)
    protocol = [f"kir_gvh_{ligand.column}" for ligand in PROTOCOL_LIGANDS]
    codes = {c: result[c].cat.codes.to_numpy() for c in [*protocol, "kir_gvh_incompatible"]}
    # np.lexsort sorts by its last key first: bad rows last, then GvH present > possible > absent, more certain
    # GvH ligands first, fewer doubtful ones first, the tie-breakers, the input order.
    if order not in ORDERS:
        raise ProtocolValueError(
            f"order must be one of {', '.join(ORDERS)}, got {quote(order)}", input=order, code=ErrorCode.UNKNOWN_OPTION
        )
    keys: list[npt.NDArray[Any]] = [np.arange(len(donors))]
    if kir_tie_breakers is not None:
        keys.append(-kir_tie_breakers["kir_activating"].cat.codes.to_numpy().astype(int))
        keys.append(-kir_tie_breakers["kir_b_content"].cat.codes.to_numpy().astype(int))
    for name, up in reversed(list(zip(by, asc, strict=True))):
        keys.append(_sort_key(donors[name], up))
    bad = result["kir_error"].notna().to_numpy(dtype=bool)
    keys += rank_keys([codes[c] for c in protocol], codes["kir_gvh_incompatible"], bad, order)
    return np.lexsort(keys)


# --------------------------------------------------------------------------------------------------- accessor


@pd.api.extensions.register_dataframe_accessor("kir")
class KirAccessor:
    """``df.kir``: the frame functions of [`kirmatch.frame`][kirmatch.frame] as methods of a DataFrame of typings.

    >>> import pandas as pd, kirmatch.frame
    >>> df = pd.DataFrame({"A1": ["A*01:01"], "A2": ["A*02:01"], "B1": ["B*57:01"], "B2": ["B*08:01"],
    ...                    "C1": ["C*07:02"], "C2": ["C*04:01"]})
    >>> df.kir.profiles()["kir_C2"].tolist()
    ['present']
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        self._frame = frame

    def profiles(self, **options: Any) -> pd.DataFrame:
        """[`ligand_profiles`][kirmatch.frame.ligand_profiles] of this frame."""
        return ligand_profiles(self._frame, **options)

    def mismatch(self, recipient: Genotype | object, **options: Any) -> pd.DataFrame:
        """[`mismatch_against`][kirmatch.frame.mismatch_against] of this frame's donors and ``recipient``."""
        return mismatch_against(self._frame, recipient, **options)

    def pairs(self, **options: Any) -> pd.DataFrame:
        """[`mismatch_pairs`][kirmatch.frame.mismatch_pairs] of this frame's donor/recipient columns."""
        return mismatch_pairs(self._frame, **options)

    def rank(self, recipient: Genotype | object, **options: Any) -> pd.DataFrame:
        """[`rank_donors`][kirmatch.frame.rank_donors] of this frame's donors for ``recipient``."""
        return rank_donors(self._frame, recipient, **options)

    def annotate(self, recipient: Genotype | object | None = None, **options: Any) -> pd.DataFrame:
        """This frame with the profile columns (or, given ``recipient``, the mismatch columns) joined on."""
        extra = ligand_profiles(self._frame, **options) if recipient is None else mismatch_against(
            self._frame, recipient, **options
        )
        clash = [c for c in extra.columns if c in self._frame.columns]
        if clash:
            raise ColumnError(
                f"the frame already has columns {', '.join(clash)}; rename them first",
                input=clash,
                code=ErrorCode.COLUMN_CLASH,
            )
        joined: pd.DataFrame = pd.concat([self._frame, extra], axis=1)
        return joined
