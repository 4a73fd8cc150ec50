"""One person's HLA-A, -B and -C typing: two allele slots per locus, possibly several alternative genotypes.

A [`Genotype`][kirmatch.genotype.Genotype] holds, for each locus, a tuple of alternative genotypes (one unless the
typing came as a GL string with ``|``), each a pair of designations where ``None`` is a missing allele. Every
designation is checked with [`kirmatch.classify`][kirmatch.ligands.classify] (so any form it accepts is accepted) and
stored in its normalized spelling; pairs and alternatives are sorted, so neither allele order nor spelling (case,
``HLA-`` prefix) changes a Genotype.

Decision logic of the constructors:

* Missing allele: ``None``, ``""``, ``"-"`` (after stripping blanks) and NaN/NA. A missing allele is "unknown",
  never "no ligand": the ligand profile makes every ligand its locus can carry ``possible``.
* A locus value may be a single designation (one allele known), a pair, or a sequence of pairs (alternative
  genotypes). More than two alleles in one genotype is an error.
* A designation whose locus is not the slot's locus is an error naming the slot (``HLA-B allele 1: ...``); so is
  any error from [`classify`][kirmatch.ligands.classify], re-raised as the same class with the slot prepended.
* Mapping keys (``from_dict``/``from_series``): ``A``, ``B``, ``C`` for a whole locus, or ``A1``, ``A_2``,
  ``HLA-B.1``... for one slot; ``from_dict`` refuses other keys, ``from_series`` ignores other columns.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Self, TypeAlias, TypeGuard, TypeVar, cast

from pydantic import BaseModel, ValidationError, model_validator

from kirmatch._errors import GenotypeError, KirmatchError, quote, with_context
from kirmatch._frozen import fill, trusted
from kirmatch.hla_typing import candidates, spell_out_mac
from kirmatch.ligands import classify
from kirmatch.mac import MacTableSpec, environment_token, mac_table_from
from kirmatch.nomenclature import LOCI, MAX_GL_LENGTH, MAX_LENGTH, gl_allele
from kirmatch.reference import get_reference

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from pydantic.config import ExtraValues

__all__ = ["Genotype", "LOCI", "is_missing", "slot_designation", "slot_key"]


Pair: TypeAlias = tuple[str | None, str | None]
G = TypeVar("G", bound="Genotype")

_MISSING_TEXT = frozenset({"", "-"})
_LABELS = {locus: f"HLA-{locus}" for locus in ("A", "B", "C")}
_KEY = re.compile(r"(?:HLA[-_. ]?)?([ABC])(?:[\s_.\-]*([12]))?", re.IGNORECASE)


def is_missing(value: object) -> bool:
    """True for the ways a missing allele is written: ``None``, ``""``, ``"-"``, NaN, pandas NA/NaT."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() in _MISSING_TEXT
    if isinstance(value, float):
        return math.isnan(value)
    return type(value).__name__ in ("NAType", "NaTType")


@functools.lru_cache(maxsize=65536)
def _canonical_cached(text: str, _mac: object) -> tuple[str, str]:
    """(stored spelling, locus) of a designation; raises the KirmatchError of [`classify`][kirmatch.ligands.classify].

    The stored spelling is the normalized form when that reads back to the same alleles, else the text itself
    (stripped), so that a stored designation always means what was typed.
    """
    reference = get_reference()
    found = candidates(text, reference=reference)  # as resolve_text (same errors), without building records
    spelled = found.normalized
    if spelled != text:
        try:
            same = candidates(spelled, reference=reference).same(found)
        except KirmatchError:
            same = False
        if not same:
            spelled = text.strip()
    loci = found.loci()
    return spelled, loci.pop() if len(loci) == 1 else ""


def slot_designation(value: object, locus: str, slot: str, mac: object = ...) -> str | None:
    """The stored spelling of one slot's designation (None if missing), checked to be of ``locus``.

    ``mac`` is the MAC-file token of `kirmatch.mac.environment_token`, when the caller already has it.
    """
    return _checked(value, locus, environment_token() if mac is ... else mac, slot)


def _checked(value: object, locus: str, mac: object, label: str, index: int = 0) -> str | None:
    """[`slot_designation`][kirmatch.genotype.slot_designation] with the slot named ``label`` (``{label} allele
    {index}`` when ``index``), written out only in an error."""
    if value is None:
        return None
    try:
        if isinstance(value, str):
            if value.strip() in _MISSING_TEXT:
                return None
            spelled, found = _canonical_cached(value, mac)
        elif is_missing(value):
            return None
        else:
            spelled, found = _canonical_any(value)
    except KirmatchError as exc:
        raise with_context(exc, _label(label, index)) from exc
    if found != locus:
        what = f"an HLA-{found} designation" if found else "a designation that spans several loci"
        raise GenotypeError(f"{_label(label, index)}: {quote(value)} is {what}, not HLA-{locus}", input=value)
    return spelled


def _label(label: str, index: int) -> str:
    return f"{label} allele {index}" if index else label


def _canonical_any(value: object) -> tuple[str, str]:
    classify(value)  # type: ignore[arg-type]  # raises AlleleNameError naming the type
    raise GenotypeError(f"{quote(value)} is not a designation", input=value)  # pragma: no cover


def _pair(
    values: Sequence[object], locus: str, label: str, homozygous_if_blank: bool = False, mac: object = ...
) -> Pair:
    n = len(values)
    if n > 2:
        raise GenotypeError(
            f"{label}: {len(values)} alleles given; a genotype has two (use None for a missing one)",
            input=values,
        )
    token = environment_token() if mac is ... else mac
    first = _checked(values[0], locus, token, label, 1) if n else None
    second = _checked(values[1], locus, token, label, 2) if n == 2 else None
    if first is None or (second is not None and second < first):  # sorted, a missing allele last
        first, second = second, first
    if homozygous_if_blank and first is not None and second is None:
        second = first  # a registry's way of writing a homozygous locus: the allele once, the other cell blank
    return first, second


def _is_sequence(value: object) -> TypeGuard[Sequence[object]]:
    kind = type(value)
    if kind is tuple or kind is list:
        return True
    if kind is str or value is None:
        return False
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)


def _locus(value: object, locus: str, homozygous_if_blank: bool = False, mac: object = ...) -> tuple[Pair, ...]:
    """Read whatever was given for one locus as sorted, distinct alternative pairs."""
    label = _LABELS.get(locus) or f"HLA-{locus}"
    kind = type(value)
    if kind is tuple or kind is list:
        pair = cast("Sequence[object]", value)
        if len(pair) <= 2 and all(type(v) is str or v is None for v in pair):  # the usual pair of designations
            return (_pair(pair, locus, label, homozygous_if_blank, mac),) if pair else ((None, None),)
    if isinstance(value, str) or not _is_sequence(value):
        if is_missing(value):
            return ((None, None),)
        return (_pair([value], locus, label, homozygous_if_blank, mac),)
    items = list(value)
    if not items:
        return ((None, None),)
    alternatives = [v for v in items if _is_sequence(v)]
    if not alternatives:
        return (_pair(items, locus, label, homozygous_if_blank, mac),)
    if len(alternatives) < len(items):
        raise GenotypeError(
            f"{label}: mix of alleles and genotypes; give a pair or a list of alternative pairs", input=value
        )
    if len(alternatives) == 1:
        return (_pair(list(alternatives[0]), locus, label, homozygous_if_blank, mac),)
    pairs = {
        _pair(list(v), locus, f"{label} genotype {i + 1}", homozygous_if_blank, mac)
        for i, v in enumerate(alternatives)
    }
    return tuple(sorted(pairs, key=lambda p: tuple((d is None, d or "") for d in p)))


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise GenotypeError(f"homozygous_if_blank must be True or False, got {quote(value)}", input=value)
    return value


def slot_key(key: object) -> tuple[str, int | None] | None:
    """The locus and allele slot a column or mapping key names (``A1``, ``a_2``, ``HLA-B.1`` -> ``("B", 1)``; ``C``
    or ``HLA-C`` -> ``("C", None)``), or None: the one grammar of HLA column names, for mappings and frames alike."""
    if not isinstance(key, str):
        return None
    return _slot_key(key)


@functools.lru_cache(maxsize=1024)
def _slot_key(key: str) -> tuple[str, int | None] | None:
    m = _KEY.fullmatch(key.strip())
    if m is None:
        return None
    return m.group(1).upper(), (int(m.group(2)) if m.group(2) else None)


def _kirmatch_error(exc: ValidationError, given: object) -> KirmatchError:
    """The KirmatchError behind a pydantic ValidationError of a Genotype, or a GenotypeError with pydantic's text."""
    for error in exc.errors():
        cause = (error.get("ctx") or {}).get("error")
        if isinstance(cause, KirmatchError):
            return cause
    errors = exc.errors()
    where = ".".join(map(str, errors[0]["loc"])) if errors else ""
    message = errors[0]["msg"] if errors else str(exc)
    return GenotypeError(f"cannot read a Genotype from {quote(given)}: {where or 'genotype'}: {message}", input=given)


def _spelled(values: tuple[object, ...], mac_table: MacTableSpec) -> tuple[object, ...]:
    """``values`` with each NMDP code spelled out from ``mac_table`` (unchanged when there is none)."""
    table = mac_table_from(mac_table) if mac_table is not None else None
    if table is None:
        return values
    return tuple(spell_out_mac(v.strip(), table) if isinstance(v, str) else v for v in values)


@functools.lru_cache(maxsize=65536)
def _gl_slot(piece: str, mac: object) -> tuple[str, str]:
    """(locus, stored spelling) of one stripped GL allele; raises a KirmatchError when it is not a designation of the
    locus the GL grammar reads in it."""
    locus, text = gl_allele(piece)
    spelled, found = _canonical_cached(text, mac)
    if found != locus:
        raise GenotypeError(f"{quote(piece)} is not of one locus", input=piece)
    return locus, spelled


def _simple_gl(cls: type[G], text: object, homozygous_if_blank: bool) -> G | None:
    """[`Genotype.from_gl`][kirmatch.genotype.Genotype.from_gl] for the usual GL string: ``^``-joined loci of one or
    two ``+``-joined alleles (each may be a ``/`` list), no ``|`` or ``~``; each allele text is read once and
    cached, as registries reuse them. None for any other text, and for any text with a problem: the full reader
    then reads it, and names the problem. A law test (tests/test_fast_paths.py) checks that both readers agree."""
    if not isinstance(text, str) or len(text) > MAX_GL_LENGTH or "|" in text or "~" in text:
        return None
    s = text.strip(" \t\r\n")
    if not (s.isascii() and s.isprintable()):
        return None
    mac = environment_token()
    loci: dict[str, Pair] = {}
    try:
        for block in s.split("^"):
            sides = block.split("+")
            if len(sides) > 2:
                return None
            first = sides[0].strip()
            if not first or len(first) > MAX_LENGTH:
                return None
            locus, one = _gl_slot(first, mac)
            if locus in loci:
                return None
            if len(sides) == 1:
                loci[locus] = (one, one if homozygous_if_blank else None)
                continue
            second = sides[1].strip()
            if not second or len(second) > MAX_LENGTH:
                return None
            other, two = _gl_slot(second, mac)
            if other != locus:
                return None
            loci[locus] = (one, two) if one <= two else (two, one)
    except KirmatchError:
        return None
    return trusted(cls, a=(loci.get("A", _NO_PAIR),), b=(loci.get("B", _NO_PAIR),), c=(loci.get("C", _NO_PAIR),))


_NO_PAIR: Pair = (None, None)


def _render_pair(pair: Pair) -> str:
    known = [d for d in pair if d is not None]
    return "+".join(known) if known else "-"


class Genotype(BaseModel, frozen=True):
    """HLA-A, -B and -C typing of one person: per locus, alternative genotypes of two slots (``None`` = missing).

    Build one with ``Genotype(a=("A*01:01", "A*02:01"), b=..., c=...)``,
    [`from_dict`][kirmatch.genotype.Genotype.from_dict], [`from_strings`][kirmatch.genotype.Genotype.from_strings],
    [`from_gl`][kirmatch.genotype.Genotype.from_gl], [`from_series`][kirmatch.genotype.Genotype.from_series] or
    [`coerce`][kirmatch.genotype.Genotype.coerce]. ``str()`` is GL-string-like
    (``A*01:01+A*02:01^B*08:01+B*57:01^C*06:02+C*07:01``); a locus with nothing typed is left out.

    >>> g = Genotype.from_strings("A*02:01", "a*01:01", "B*57:01", "B*08:01", "C*06:02", "-")
    >>> str(g)
    'A*01:01+A*02:01^B*08:01+B*57:01^C*06:02'
    """

    a: tuple[Pair, ...] = ((None, None),)
    b: tuple[Pair, ...] = ((None, None),)
    c: tuple[Pair, ...] = ((None, None),)

    def __init__(self, a: object = None, b: object = None, c: object = None, **unknown: object) -> None:
        # ``homozygous_if_blank`` (keyword only) reads a locus given once, its other allele blank, as homozygous
        homozygous_if_blank = unknown.pop("homozygous_if_blank", False)
        if unknown:
            raise GenotypeError(
                f"unknown loci {', '.join(map(quote, unknown))}; a Genotype has a, b and c", input=tuple(unknown)
            )
        h = _flag(homozygous_if_blank)
        # The values are canonical by construction: fill the frozen instance without validating them again.
        mac = environment_token()  # once for the six slots
        values = {"a": _locus(a, "A", h, mac), "b": _locus(b, "B", h, mac), "c": _locus(c, "C", h, mac)}
        fill(self, values)

    @model_validator(mode="before")
    @classmethod
    def _canonicalize(cls, data: Any) -> Any:
        # model_validate() does not go through __init__; keep its input canonical too (idempotent, cached).
        if isinstance(data, Mapping):
            given = cast("Mapping[object, object]", data)
            return {k.lower(): _locus(given.get(k), k.upper()) for k in ("a", "b", "c") if k in given} | {
                k: v for k, v in given.items() if k not in ("a", "b", "c")
            }
        return data

    @classmethod
    def model_validate(
        cls,
        obj: Any,
        *,
        strict: bool | None = None,
        extra: ExtraValues | None = None,
        from_attributes: bool | None = None,
        context: Any | None = None,
        by_alias: bool | None = None,
        by_name: bool | None = None,
    ) -> Self:
        """As pydantic's, but a bad typing raises kirmatch's own error (a
        [`GenotypeError`][kirmatch._errors.GenotypeError] or the designation's error), not pydantic's
        ``ValidationError``."""
        given = {"strict": strict, "extra": extra, "from_attributes": from_attributes, "context": context,
                 "by_alias": by_alias, "by_name": by_name}
        options: dict[str, Any] = {k: v for k, v in given.items() if v is not None}  # older pydantic lacks some
        try:
            return super().model_validate(obj, **options)
        except ValidationError as exc:
            raise _kirmatch_error(exc, obj) from None

    @classmethod
    def model_validate_json(
        cls,
        json_data: str | bytes | bytearray,
        *,
        strict: bool | None = None,
        extra: ExtraValues | None = None,
        context: Any | None = None,
        by_alias: bool | None = None,
        by_name: bool | None = None,
    ) -> Self:
        """As pydantic's, raising kirmatch's own errors (see
        [`model_validate`][kirmatch.genotype.Genotype.model_validate])."""
        given = {"strict": strict, "extra": extra, "context": context, "by_alias": by_alias, "by_name": by_name}
        options: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
        try:
            return super().model_validate_json(json_data, **options)
        except ValidationError as exc:
            raise _kirmatch_error(exc, json_data) from None

    # ------------------------------------------------------------------------------------------- constructors

    @classmethod
    def from_dict(cls, mapping: Mapping[str, object], *, homozygous_if_blank: bool = False) -> Genotype:
        """From ``{"A": ("A*01:01", "A*02:01"), ...}`` or ``{"A1": "A*01:01", "A2": "A*02:01", ...}``."""
        if not isinstance(mapping, Mapping):  # pyright: ignore[reportUnnecessaryIsInstance]  # untyped callers
            raise GenotypeError(
                f"from_dict needs a mapping such as {{'A': ('A*01:01', 'A*02:01')}}, got {type(mapping).__name__}",
                input=mapping,
            )
        return cls._from_items(mapping.items(), strict=True, homozygous_if_blank=homozygous_if_blank)

    @classmethod
    def from_strings(
        cls, *names: object, homozygous_if_blank: bool = False, mac_table: MacTableSpec = None
    ) -> Genotype:
        """From six designations in the order A, A, B, B, C, C (``None``, ``""`` or ``"-"`` for a missing one).

        ``homozygous_if_blank=True`` reads a locus given once, its other allele blank, as homozygous (registries
        write homozygous loci that way); by default the blank allele stays unknown.

        ``mac_table`` (a MAC file path, a ``{code: expansion}`` mapping or a [`MacTable`][kirmatch.mac.MacTable])
        reads NMDP codes such as ``B*08:AB``: each is stored as the allele list it stands for, so the Genotype means
        the same alleles wherever it goes. Without it, ``$KIRMATCH_MAC_FILE`` is used when a code is met.
        """
        only = names[0] if len(names) == 1 else None
        if _is_sequence(only):
            names = tuple(only)
        if len(names) != 6:
            raise GenotypeError(
                f"expected six designations (A, A, B, B, C, C; '-' for a missing one), got {len(names)}",
                input=names,
            )
        spelled = _spelled(names, mac_table)
        return cls(a=spelled[0:2], b=spelled[2:4], c=spelled[4:6], homozygous_if_blank=homozygous_if_blank)

    @classmethod
    def from_gl(cls, text: str, *, homozygous_if_blank: bool = False, mac_table: MacTableSpec = None) -> Genotype:
        """From a GL string: ``+`` joins the two alleles, ``|`` separates alternative genotypes, ``^`` loci.

        Loci other than A, B and C are ignored (they carry no KIR ligand). Read by
        [`kirmatch.nomenclature.parse_gl_string`][kirmatch.nomenclature.parse_gl_string]. ``mac_table`` as for
        [`from_strings`][kirmatch.genotype.Genotype.from_strings].
        """
        if mac_table is None and isinstance(homozygous_if_blank, bool):
            fast = _simple_gl(cls, text, homozygous_if_blank)
            if fast is not None:
                return fast
        return cls._read_gl(text, homozygous_if_blank=homozygous_if_blank, mac_table=mac_table)

    @classmethod
    def _read_gl(cls, text: str, *, homozygous_if_blank: bool = False, mac_table: MacTableSpec = None) -> Genotype:
        """[`from_gl`][kirmatch.genotype.Genotype.from_gl] by the full reader, whatever the text."""
        from kirmatch.nomenclature import parse_gl_string

        gl = parse_gl_string(text)
        loci: dict[str, list[tuple[object, ...]]] = {}
        for entry in gl.loci:
            locus = str(entry.locus).upper().removeprefix("HLA-")
            if locus not in LOCI:
                continue
            if locus in loci:
                raise GenotypeError(f"GL string {quote(text)} gives HLA-{locus} twice", input=text)
            loci[locus] = [_spelled(tuple(pair), mac_table) for pair in entry.genotypes]
        return cls(**{locus.lower(): value for locus, value in loci.items()}, homozygous_if_blank=homozygous_if_blank)

    @classmethod
    def from_series(cls, row: pd.Series[Any], *, prefix: str = "", homozygous_if_blank: bool = False) -> Genotype:
        """From a pandas row (Series) with columns such as ``A1, A2, B1, B2, C1, C2`` (or ``HLA-A_1``...).

        With ``prefix`` (e.g. ``"donor_"``) only columns starting with it are read, the prefix removed.
        Other columns are ignored; NaN/NA cells are missing alleles.
        """
        import pandas as pd

        items: list[tuple[str, object]] = []
        for key, value in row.items():
            if not isinstance(key, str):
                continue
            if prefix:
                if not key.lower().startswith(prefix.lower()):
                    continue
                key = key[len(prefix):]
            if not _is_sequence(value) and pd.isna(value):
                value = None
            items.append((key, value))
        return cls._from_items(items, strict=False, homozygous_if_blank=homozygous_if_blank)

    @classmethod
    def coerce(
        cls, value: object, *, homozygous_if_blank: bool = False, mac_table: MacTableSpec = None
    ) -> Genotype:
        """A Genotype from a Genotype, a mapping, a GL string, a pandas Series or a sequence of six designations
        (``homozygous_if_blank`` and ``mac_table`` as for [`from_strings`][kirmatch.genotype.Genotype.from_strings];
        a Genotype is returned as it is)."""
        h = homozygous_if_blank
        if isinstance(value, Genotype):
            return value
        if isinstance(value, Mapping):
            return cls.from_dict(cast("Mapping[str, object]", value), homozygous_if_blank=h)  # checks the keys
        if isinstance(value, str):
            return cls.from_gl(value, homozygous_if_blank=h, mac_table=mac_table)
        if hasattr(value, "items") and hasattr(value, "index"):
            # a pandas row, or anything that reads like one
            return cls.from_series(cast("pd.Series[Any]", value), homozygous_if_blank=h)
        if _is_sequence(value):
            return cls.from_strings(*value, homozygous_if_blank=h, mac_table=mac_table)
        raise GenotypeError(
            f"cannot read a genotype from {type(value).__name__} {quote(value)}; give a Genotype, a dict, "
            "a GL string or six designations",
            input=value,
        )

    @classmethod
    def _from_items(
        cls, items: Iterable[tuple[object, object]], *, strict: bool, homozygous_if_blank: bool = False
    ) -> Genotype:
        whole: dict[str, object] = {}
        slots: dict[str, dict[int, object]] = {}
        for key, value in items:
            parsed = slot_key(key)
            if parsed is None:
                if strict:
                    raise GenotypeError(
                        f"unknown key {quote(key)}; use A, B, C (a pair each) or A1, A2, B1, B2, C1, C2", input=key
                    )
                continue
            locus, index = parsed
            if index is None:
                if locus in whole or locus in slots:
                    raise GenotypeError(f"HLA-{locus} is given twice (key {quote(key)})", input=key)
                whole[locus] = value
            else:
                if locus in whole or index in slots.get(locus, {}):
                    raise GenotypeError(f"HLA-{locus} allele {index} is given twice (key {quote(key)})", input=key)
                slots.setdefault(locus, {})[index] = value
        for locus, by_index in slots.items():
            whole[locus] = (by_index.get(1), by_index.get(2))
        return cls(**{locus.lower(): value for locus, value in whole.items()}, homozygous_if_blank=homozygous_if_blank)

    # ------------------------------------------------------------------------------------------------ reading

    @property
    def loci(self) -> dict[str, tuple[Pair, ...]]:
        """``{"A": alternatives, "B": ..., "C": ...}``."""
        return {"A": self.a, "B": self.b, "C": self.c}

    def __getitem__(self, locus: str) -> tuple[Pair, ...]:
        key = str(locus).upper().removeprefix("HLA-")
        if key not in LOCI:
            raise GenotypeError(f"{quote(locus)} is not HLA-A, -B or -C", input=locus)
        return self.loci[key]

    @property
    def designations(self) -> tuple[str, ...]:
        """Every typed designation, once each, locus by locus."""
        seen: dict[str, None] = {}
        for alternatives in (self.a, self.b, self.c):
            for pair in alternatives:
                for d in pair:
                    if d is not None:
                        seen.setdefault(d)
        return tuple(seen)

    @property
    def n_missing(self) -> int:
        """Missing allele slots, counted over the first alternative of each locus."""
        return sum(d is None for alternatives in (self.a, self.b, self.c) for d in alternatives[0])

    @property
    def has_alternatives(self) -> bool:
        """True when some locus lists more than one alternative genotype."""
        return any(len(alternatives) > 1 for alternatives in (self.a, self.b, self.c))

    def __str__(self) -> str:
        parts: list[str] = []
        for alternatives in (self.a, self.b, self.c):
            if all(p == (None, None) for p in alternatives):
                continue
            parts.append("|".join(_render_pair(p) for p in alternatives))
        return "^".join(parts)

    def __repr__(self) -> str:
        return f"Genotype({str(self)!r})"
