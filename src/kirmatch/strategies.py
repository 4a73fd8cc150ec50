"""Hypothesis strategies for property-based tests of code that uses kirmatch: real HLA data from the bundled release.

Needs hypothesis (``pip install "kirmatch[test]"``, or ``pip install "kirmatch[hypothesis]"`` for hypothesis alone);
kirmatch itself never imports this module. Every strategy here:

* draws from the bundled IPD-IMGT/HLA release, never from hand-written allele lists, and keeps its promise by
  construction against the public API: an ``allele_names(ligand="C2")`` name is one that
  [`kirmatch.classify`][kirmatch.ligands.classify] calls C2; a ``donor_recipient_pairs(relation="gvh_incompatible",
  ligand="C2")`` pair is one that [`kirmatch.kir_ligand_mismatch`][kirmatch.mismatch.kir_ligand_mismatch] calls
  GvH-incompatible for C2 (``tests/test_strategies.py`` proves each);
* validates its arguments when called, raising `hypothesis.errors.InvalidArgument` (also for a combination
  the release has no example of, e.g. a 1-field C2 name written as a pre-2010 name);
* shrinks towards simple, common alleles: the pools are ordered so that well-known alleles (``A*02:01``,
  ``B*07:02``, ``C*07:02``, ...) come first, then expressed before null, fewer fields and lower numbers first.

The pools are built from `kirmatch.reference.get_reference` once per process (module-level caches), on first
use of a strategy, never at import.

Importing this module registers strategies for kirmatch's public types ([`Genotype`][kirmatch.genotype.Genotype],
[`KirGenotype`][kirmatch.kir.KirGenotype], [`AlleleName`][kirmatch.nomenclature.AlleleName],
[`GLString`][kirmatch.nomenclature.GLString], [`Typing`][kirmatch.hla_typing.Typing],
[`LigandCall`][kirmatch.ligands.LigandCall], [`LigandProfile`][kirmatch.profile.LigandProfile],
[`KirLigandMismatch`][kirmatch.mismatch.KirLigandMismatch]) with `hypothesis.strategies.register_type_strategy`, so that
``st.from_type(kirmatch.Genotype)`` and ``st.builds(...)`` of your own classes work; an installed kirmatch does it
through hypothesis' ``hypothesis`` entry point as soon as hypothesis is imported.

>>> from hypothesis import given
>>> from kirmatch import classify, strategies as kst
>>> @given(kst.allele_names(ligand="C2", resolution=2))
... def test_c2(name):
...     assert classify(name).ligand.value == "C2"
>>> test_c2()
"""

from __future__ import annotations

try:
    from hypothesis import strategies as st
    from hypothesis.errors import InvalidArgument
except ImportError as _exc:  # pragma: no cover - exercised in an environment without hypothesis
    raise ImportError(
        'kirmatch.strategies needs hypothesis: pip install "kirmatch[test]" (or "kirmatch[hypothesis]" for '
        "hypothesis alone)"
    ) from _exc

import functools
from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING, NamedTuple, TypedDict, cast

from kirmatch._errors import KirmatchError
from kirmatch.catalogue import PROTOCOL_LIGANDS, KirLigand, Ligand
from kirmatch.genotype import Genotype
from kirmatch.hla_typing import Typing, parse_typing
from kirmatch.kir import ALL_KIR_GENES, KirGenotype
from kirmatch.ligands import LigandCall, classify
from kirmatch.mismatch import KirLigandMismatch, kir_ligand_mismatch
from kirmatch.nomenclature import LOCI, AlleleName, GLString, parse_allele_name, parse_gl_string
from kirmatch.pools import Pool, category
from kirmatch.presence import Presence
from kirmatch.profile import DEFAULT_BW4_POLICY, Bw4Policy, LigandProfile, ligand_profile
from kirmatch.reference import AlleleRecord, get_reference

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "RELATIONS",
    "STYLES",
    "allele_names",
    "donor_recipient_pairs",
    "Family",
    "family",
    "genotypes",
    "gl_strings",
    "haplotypes",
    "kir_genotypes",
    "malformed_names",
    "typing_frames",
]



STYLES: tuple[str, ...] = (
    "current",
    "hla_prefix",
    "lower",
    "old_name",
    "g_group",
    "p_group",
    "serology",
    "xx_code",
)
"""Ways of writing an allele: its current name (``C*07:02``), with ``HLA-`` (``HLA-C*07:02``), lower case
(``c*07:02``), its pre-2010 name (``Cw*0702``, where IPD lists one), its G or P group (``C*07:02:01G``,
``C*07:02P``), its serologic antigen (``Cw7``; ``Bw4``/``Bw6`` alone for HLA-B) or its XX code (``C*07:XX``)."""

_NAME_STYLES = frozenset({"current", "hla_prefix", "lower", "old_name"})
_BASE = {"current": "current", "hla_prefix": "current", "lower": "current"}

RELATIONS: tuple[str, ...] = ("any", "identical", "haploidentical", "gvh_incompatible", "compatible")
"""Donor-recipient relations [`donor_recipient_pairs`][kirmatch.strategies.donor_recipient_pairs] draws (see there)."""

# Well-known, frequent proteins first (shrinking goes to the front of each pool); the rest follow in name order.
_COMMON: dict[str, tuple[str, ...]] = {
    "A": ("02:01", "01:01", "03:01", "24:02", "11:01", "26:01", "32:01", "68:01", "31:01", "29:02", "23:01", "25:01"),
    "B": ("07:02", "08:01", "44:02", "35:01", "15:01", "40:01", "18:01", "51:01", "57:01", "27:05", "13:02", "46:01"),
    "C": ("07:02", "07:01", "04:01", "03:04", "06:02", "05:01", "12:03", "02:02", "03:03", "08:02", "15:02", "16:01"),
}


# ------------------------------------------------------------------------------------------------ the pools


class _Entry(NamedTuple):
    """One text of a pool, what [`kirmatch.classify`][kirmatch.ligands.classify] says of it, and the allele it was
    written from."""

    order: int
    text: str
    allele: str
    locus: str
    ligand: Ligand | None
    bw4_80: str | None
    expressed: bool | None


def _simplicity(record: AlleleRecord) -> tuple[int, bool, tuple[int, ...], str]:
    common = _COMMON[record.locus]
    protein = ":".join(record.fields[:2])
    rank = common.index(protein) if protein in common else len(common)
    return (rank, not record.expressed, tuple(int(f) for f in record.fields), record.expression)


@functools.cache
def _ordered_records(locus: str) -> tuple[AlleleRecord, ...]:
    """The release's alleles of ``locus``, simplest first (see the module docstring)."""
    return tuple(sorted((r for r in get_reference().records if r.locus == locus), key=_simplicity))


def _texts(record: AlleleRecord, base: str, resolution: int | None) -> list[str]:
    """The texts of style ``base`` written from one allele (none when the allele has no such form)."""
    if base == "current":
        if resolution is None:
            return [record.allele]
        if len(record.fields) < resolution:
            return []
        suffix = "" if record.expressed else record.expression
        return [f"{record.locus}*{':'.join(record.fields[:resolution])}{suffix}"]
    if base == "old_name":
        out: list[str] = []
        for old in record.name_2009:
            locus, _, rest = old.partition("*")
            suffix = rest[-1] if rest[-1:].isalpha() else ""
            digits = rest[: len(rest) - len(suffix)]
            if resolution is None:
                out.append(old)
            elif len(digits) >= 2 * resolution:
                out.append(f"{locus}*{digits[: 2 * resolution]}{'' if record.expressed else record.expression}")
        return out
    if base == "g_group":  # a G group means its expressed members, as a two-field name does
        return [record.g_group] if record.g_group and record.expressed and record.expression != "Q" else []
    if base == "p_group":
        return [record.p_group] if record.p_group else []
    if base == "serology":
        out = list(record.serology)
        if record.locus == "B" and record.expressed and record.classified and record.epitope in ("Bw4", "Bw6"):
            out.append(record.epitope)
        return out
    if base == "xx_code":
        return [f"{record.locus}*{record.fields[0]}:XX"] if record.expressed else []
    raise AssertionError(base)  # pragma: no cover


@functools.cache
def _pool(locus: str, base: str, resolution: int | None) -> tuple[_Entry, ...]:
    """Every distinct text of style ``base`` for ``locus``, simplest first, with its
    [`classify`][kirmatch.ligands.classify] call.

    Texts the release does not read (a pre-2010 name IPD renamed since, a suffix on a prefix with expressed
    alleles under it) are left out: a pool holds only texts that classify.
    """
    seen: dict[str, _Entry] = {}
    for record in _ordered_records(locus):
        for text in _texts(record, base, resolution):
            if text in seen:
                continue
            try:
                call = classify(text)
            except KirmatchError:
                continue
            seen[text] = _Entry(len(seen), text, record.allele, locus, call.ligand, call.bw4_80, call.expressed)
    return tuple(seen.values())


def _respell(text: str, style: str) -> str:
    if style == "hla_prefix":
        return "HLA-" + text
    if style == "lower":
        return text.lower()
    return text


@functools.cache
def _select(
    loci: tuple[str, ...],
    styles: tuple[str, ...],
    resolution: int | None,
    ligands: frozenset[Ligand] | None,
    bw4_80: str | None,
    expressed: bool | None,
    pool: Pool = Pool.ALL,
) -> tuple[_Entry, ...]:
    """The entries meeting the constraints, merged over loci and styles by simplicity (then style, then locus)."""
    chosen: list[tuple[tuple[int, int, str], _Entry]] = []
    records = get_reference().by_name
    wanted = {Pool.ALL: None, Pool.CWD: ("common", "intermediate", "well-documented"), Pool.COMMON: ("common",)}[pool]
    for s, style in enumerate(styles):
        for locus in loci:
            for e in _pool(locus, _BASE.get(style, style), resolution):
                if ligands is not None and e.ligand not in ligands:
                    continue
                if bw4_80 is not None and e.bw4_80 != bw4_80:
                    continue
                if expressed is not None and e.expressed is not expressed:
                    continue
                if wanted is not None and category(records[e.allele]).value not in wanted:
                    continue
                chosen.append(((e.order, s, locus), e._replace(text=_respell(e.text, style))))
    chosen.sort(key=lambda pair: pair[0])
    return tuple(dict.fromkeys(e for _, e in chosen))


class _Designations:
    """The texts of a pool, picked by index. A pool holds up to 27,000 names: drawing an index (which shrinks to
    0, the simplest name) keeps hypothesis' reports short, where ``sampled_from`` would print them all."""

    __slots__ = ("texts",)

    def __init__(self, texts: Iterable[str]) -> None:
        self.texts = tuple(texts)

    def __call__(self, index: int) -> str:
        return self.texts[index]

    def __repr__(self) -> str:
        shown = ", ".join(map(repr, self.texts[:3]))
        return f"<{len(self.texts)} designations: {shown}{', ...' if len(self.texts) > 3 else ''}>"


@functools.cache
def _designations(
    loci: tuple[str, ...],
    styles: tuple[str, ...],
    resolution: int | None,
    ligands: frozenset[Ligand] | None,
    bw4_80: str | None,
    expressed: bool | None,
    pool: Pool = Pool.ALL,
) -> _Designations:
    """The texts of `_select` for the same (checked) arguments, once per process."""
    return _Designations(e.text for e in _select(loci, styles, resolution, ligands, bw4_80, expressed, pool))


# ------------------------------------------------------------------------------------------------- checking


def _loci(value: object, name: str = "locus") -> tuple[str, ...]:
    if value is None:
        return LOCI
    items = [value] if isinstance(value, str) and value.upper().removeprefix("HLA-") in LOCI else value
    if isinstance(items, str):
        items = list(items)
    if not isinstance(items, Iterable):
        raise InvalidArgument(f"{name}={value!r} must be 'A', 'B', 'C', a collection of them, or None")
    found: list[str] = []
    for item in cast("Iterable[object]", items):
        text = item.upper().removeprefix("HLA-") if isinstance(item, str) else None
        if text is None or text not in LOCI:
            raise InvalidArgument(f"{name}={value!r}: {item!r} is not one of the KIR-ligand loci A, B, C")
        found.append(text)
    if not found:
        raise InvalidArgument(f"{name}={value!r} names no locus")
    return tuple(sorted(set(found)))


def _one_ligand(value: object) -> Ligand:
    if isinstance(value, Ligand):
        return value
    if isinstance(value, str):
        for ligand in Ligand:
            if ligand.value.lower() == value.strip().lower():
                return ligand
    raise InvalidArgument(f"ligand {value!r} is not one of {', '.join(x.value for x in Ligand)}")


def _ligands(value: object) -> frozenset[Ligand] | None:
    if value is None:
        return None
    if isinstance(value, (str, Ligand)):
        return frozenset({_one_ligand(value)})
    if not isinstance(value, Collection) or not value:
        raise InvalidArgument(f"ligand={value!r} must be a ligand, a non-empty collection of ligands, or None")
    return frozenset(_one_ligand(v) for v in cast("Collection[object]", value))


def _styles(value: object) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, Collection) or not items:
        raise InvalidArgument(f"style={value!r} must be one of {STYLES} or a non-empty collection of them")
    chosen = cast("Collection[object]", items)
    for item in chosen:
        if item not in STYLES:
            raise InvalidArgument(f"style {item!r} is not one of {', '.join(STYLES)}")
    return tuple(s for s in STYLES if s in chosen)


def _resolution(value: object, styles: tuple[str, ...]) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 4:
        raise InvalidArgument(f"resolution={value!r} must be 1, 2, 3 or 4 fields, or None for full names")
    other = [s for s in styles if s not in _NAME_STYLES]
    if other:
        raise InvalidArgument(
            f"resolution={value!r} applies to allele names only, not to the styles {', '.join(other)}"
        )
    if value == 1 and "old_name" in styles:
        raise InvalidArgument("resolution=1 with style 'old_name': pre-2010 names have at least two fields")
    return value


def _flag(value: object, name: str) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise InvalidArgument(f"{name}={value!r} must be True, False or None")
    return value


def _subtype(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str) and value in ("80I", "80T"):
        return value
    raise InvalidArgument(f"bw4_80={value!r} must be '80I', '80T' or None")


def _bool(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidArgument(f"{name}={value!r} must be True or False")
    return value


def _size(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidArgument(f"{name}={value!r} must be a non-negative integer")
    return value


def _policy(value: object) -> Bw4Policy:
    try:
        return Bw4Policy(value)
    except ValueError:
        raise InvalidArgument(f"bw4_policy={value!r} is not one of {', '.join(p.value for p in Bw4Policy)}") from None


def _entries(
    locus: object = None,
    *,
    ligand: object = None,
    bw4_80: object = None,
    expressed: object = None,
    resolution: object = None,
    style: object = "current",
    pool: object = "all",
) -> _Designations:
    """Check the arguments of [`allele_names`][kirmatch.strategies.allele_names] and return its pool (never empty)."""
    loci = _loci(locus)
    ligands = _ligands(ligand)
    styles = _styles(style)
    depth = _resolution(resolution, styles)
    expressed = _flag(expressed, "expressed")
    subtype = _subtype(bw4_80)
    if subtype is not None:
        if ligands is not None and Ligand.BW4 not in ligands:
            raise InvalidArgument(f"bw4_80={bw4_80!r} is a Bw4 subtype, but ligand={ligand!r} excludes Bw4")
        ligands = frozenset({Ligand.BW4})
    if expressed is False and ligands is not None and Ligand.NONE not in ligands:
        raise InvalidArgument(f"expressed=False: a non-expressed allele carries no ligand, so not {ligand!r}")
    found = _designations(loci, styles, depth, ligands, subtype, expressed, _allele_pool(pool))
    if not found.texts:
        raise InvalidArgument(
            f"no designation of IPD-IMGT/HLA {get_reference().info.release} meets locus={locus!r}, ligand={ligand!r}, "
            f"bw4_80={bw4_80!r}, expressed={expressed!r}, resolution={resolution!r}, style={style!r}, pool={pool!r}"
        )
    return found


def _allele_pool(value: object) -> Pool:
    try:
        return Pool(value.lower() if isinstance(value, str) else value)
    except ValueError:
        raise InvalidArgument(f"pool={value!r} is not one of {', '.join(p.value for p in Pool)}") from None


# ----------------------------------------------------------------------------------------------- strategies


def allele_names(
    locus: str | Collection[str] | None = None,
    *,
    ligand: Ligand | str | Collection[Ligand | str] | None = None,
    bw4_80: str | None = None,
    expressed: bool | None = None,
    resolution: int | None = None,
    style: str | Collection[str] = "current",
    pool: Pool | str = Pool.ALL,
) -> st.SearchStrategy[str]:
    """HLA-A, -B or -C designations of the bundled release, as text, that
    [`kirmatch.classify`][kirmatch.ligands.classify] reads.

    * ``locus``: ``"A"``, ``"B"``, ``"C"``, a collection of them (``"BC"``), or None for all three.
    * ``ligand``: only designations whose [`classify`][kirmatch.ligands.classify] ``ligand`` is this one (``"C1"``,
      ``"C2"``, ``"Bw4"``, ``"Bw6"``, ``"none"`` or a [`Ligand`][kirmatch.catalogue.Ligand]), or one of a collection; so
      the ligand is determined. None (default): any designation, including ambiguous and unclassified ones.
    * ``bw4_80``: ``"80I"`` or ``"80T"``, Bw4 designations of that subtype.
    * ``expressed``: True for designations whose alleles are all expressed, False for nulls (non-expressed
      alleles, ligand ``none``), None for either.
    * ``resolution``: 1-4 fields (``C*07``, ``C*07:02``, ...); None (default) for the full IPD names. A name of
      fewer fields covers every expressed allele under it (lab convention), which must then meet ``ligand``.
    * ``style``: one of [`STYLES`][kirmatch.strategies.STYLES] or a collection of them: ``current`` (default),
      ``hla_prefix``, ``lower``, ``old_name`` (pre-2010, where IPD lists one), ``g_group``, ``p_group``, ``serology``,
      ``xx_code``. ``resolution`` applies to the first four only.
    * ``pool``: ``all`` (default), or ``cwd`` / ``common``: only designations of alleles CIWD 3.0.0 (total) counts
      common, intermediate or well-documented (``cwd``) or common, as registries mostly hold
      ([`kirmatch.pools`][kirmatch.pools]).

    Shrinks towards ``A*02:01``-like common alleles. Raises `InvalidArgument` for bad
    arguments or a combination with no example in the release.

    >>> from hypothesis import find
    >>> find(allele_names("C", ligand="C2", resolution=2), lambda name: True)  # the simplest: where it shrinks to
    'C*04:01'
    >>> find(allele_names("B", ligand="Bw4", style="old_name", resolution=2), lambda name: True)
    'B*4402'
    """
    pick = _entries(
        locus, ligand=ligand, bw4_80=bw4_80, expressed=expressed, resolution=resolution, style=style, pool=pool
    )
    return st.integers(0, len(pick.texts) - 1).map(pick)


def _slot_strategy(
    locus: str,
    *,
    allow_nulls: bool,
    resolution: int | None,
    style: str | Collection[str],
    pool: Pool | str = Pool.ALL,
) -> st.SearchStrategy[str]:
    """One allele of a genotype: any designation (expressed only, unless ``allow_nulls``), plus a null one slot
    in eight when ``allow_nulls`` so that nulls are common enough to matter."""
    names = allele_names(
        locus, expressed=None if allow_nulls else True, resolution=resolution, style=style, pool=pool
    )
    if not allow_nulls:
        return names
    try:
        nulls = allele_names(locus, expressed=False, resolution=resolution, style=style)
    except InvalidArgument:  # no null written this way (serology, XX)
        return names
    # Draw both and choose, rather than flatmap: each part then shrinks on its own, towards a common expressed one.
    return st.tuples(st.integers(0, 7), names, nulls).map(lambda t: t[2] if t[0] == 7 else t[1])


def _maybe_missing(draw: st.DrawFn, value: str) -> str | None:
    """``value``, or now and then (one in six) a missing allele; shrinks to ``value``."""
    return None if draw(st.integers(0, 5)) == 5 else value


def genotypes(
    *,
    loci: str | Collection[str] | None = None,
    homozygous: bool | None = None,
    allow_nulls: bool = True,
    allow_missing: bool = False,
    resolution: int | None = None,
    style: str | Collection[str] = "current",
    pool: Pool | str = Pool.ALL,
) -> st.SearchStrategy[Genotype]:
    """[`kirmatch.Genotype`][kirmatch.genotype.Genotype] values of real alleles (two per typed locus).

    * ``loci``: the loci typed (default all three); the others are left untyped (both alleles missing).
    * ``homozygous``: True for the same designation twice at every typed locus, False for two different ones,
      None (default) for either.
    * ``allow_nulls``: draw null alleles now and then (one slot in eight on top of their share of the release).
    * ``allow_missing``: leave single allele slots missing (``None``) now and then.
    * ``resolution``, ``style``, ``pool``: how each allele is written and drawn, as in
      [`allele_names`][kirmatch.strategies.allele_names].

    >>> from hypothesis import find
    >>> find(genotypes(loci="C", homozygous=True), lambda g: True)
    Genotype('C*07:02:01:01+C*07:02:01:01')
    """
    typed = _loci(loci, "loci")
    homozygous = _flag(homozygous, "homozygous")
    _bool(allow_nulls, "allow_nulls")
    _bool(allow_missing, "allow_missing")
    slots = {
        locus: _slot_strategy(locus, allow_nulls=allow_nulls, resolution=resolution, style=style, pool=pool)
        for locus in typed
    }
    return _genotypes(slots, homozygous, allow_missing)


@st.composite
def _genotypes(draw: st.DrawFn, slots: dict[str, st.SearchStrategy[str]], homozygous: bool | None,
               allow_missing: bool) -> Genotype:
    values: dict[str, tuple[str | None, str | None]] = {}
    for locus, names in slots.items():
        first = draw(names)
        same = homozygous if homozygous is not None else draw(st.integers(0, 4)) == 4
        if same:
            second = first
        else:
            second = draw(names.filter(functools.partial(_differs, locus, first)))
        if allow_missing:
            values[locus.lower()] = (_maybe_missing(draw, first), _maybe_missing(draw, second))
        else:
            values[locus.lower()] = (first, second)
    return Genotype(**values)


def _differs(locus: str, first: str, second: str) -> bool:
    """Two designations that a Genotype keeps apart (not the same after canonical spelling)."""
    pair = Genotype(**{locus.lower(): (first, second)})[locus][0]
    return pair[0] != pair[1]


def haplotypes(
    *, loci: str | Collection[str] | None = None, allow_nulls: bool = False, resolution: int | None = None,
    style: str | Collection[str] = "current", pool: Pool | str = Pool.ALL,
) -> st.SearchStrategy[dict[str, str]]:
    """One haplotype: ``{"A": name, "B": name, "C": name}``, one allele per locus of ``loci``.

    >>> from hypothesis import find
    >>> find(haplotypes(), lambda h: True)
    {'A': 'A*02:01:01:01', 'B': 'B*07:02:01:01', 'C': 'C*07:02:01:01'}
    """
    typed = _loci(loci, "loci")
    _bool(allow_nulls, "allow_nulls")
    return st.fixed_dictionaries(
        {
            locus: _slot_strategy(locus, allow_nulls=allow_nulls, resolution=resolution, style=style, pool=pool)
            for locus in typed
        }
    )


def gl_strings(
    *,
    loci: str | Collection[str] | None = None,
    allow_ambiguity: bool = False,
    allow_alternatives: bool = False,
    allow_missing: bool = False,
    phased: bool = False,
    style: str | Collection[str] = "current",
) -> st.SearchStrategy[str]:
    """GL strings of real alleles that [`kirmatch.parse_gl_string`][kirmatch.nomenclature.parse_gl_string] and
    [`Genotype.from_gl`][kirmatch.genotype.Genotype.from_gl] read.

    Loci are ``^``-joined blocks in any order, the two alleles of a locus ``+``-joined. Options:

    * ``allow_ambiguity``: an allele may be an allele list of the locus (``C*07:01/C*07:02``, current names).
    * ``allow_alternatives``: a locus may list alternative genotypes (``...|...``).
    * ``allow_missing``: a locus may be typed with one allele (no ``+``).
    * ``phased``: one block of two ``~``-phased haplotypes (``A*01:01~B*08:01~C*07:01+A*02:01~B*07:02~C*07:02``),
      with alternatives as whole haplotype pairs.
    * ``style``: how each single allele is written ([`allele_names`][kirmatch.strategies.allele_names]); ``HLA-``
      prefixes are welcome.

    >>> from hypothesis import find
    >>> find(gl_strings(loci="C"), lambda text: True)
    'C*07:02:01:01+C*07:02:01:01'
    """
    typed = _loci(loci, "loci")
    for value, name in ((allow_ambiguity, "allow_ambiguity"), (allow_alternatives, "allow_alternatives"),
                        (allow_missing, "allow_missing"), (phased, "phased")):
        _bool(value, name)
    if phased and allow_missing:
        raise InvalidArgument("phased=True with allow_missing=True: a '~' haplotype pair needs both chromosomes")
    single = {locus: allele_names(locus, style=style) for locus in typed}
    if allow_ambiguity:
        lists = {locus: _allele_lists(locus) for locus in typed}
        alleles = {locus: st.one_of(single[locus], lists[locus]) for locus in typed}
    else:
        alleles = single
    return _gl(alleles, typed, allow_alternatives, allow_missing, phased)


def _allele_lists(locus: str) -> st.SearchStrategy[str]:
    names = allele_names(locus)
    return st.lists(names, min_size=2, max_size=3, unique=True).map("/".join)


@st.composite
def _gl(draw: st.DrawFn, alleles: dict[str, st.SearchStrategy[str]], typed: tuple[str, ...],
        allow_alternatives: bool, allow_missing: bool, phased: bool) -> str:
    count = draw(st.integers(1, 3)) if allow_alternatives else 1
    if phased:
        order = draw(st.permutations(typed))
        genotypes_: list[str] = []
        for _ in range(count):
            sides = ["~".join(draw(alleles[locus]) for locus in order) for _ in range(2)]
            genotypes_.append("+".join(sides))
        return "|".join(genotypes_)
    blocks: list[str] = []
    for locus in draw(st.permutations(typed)):
        alternatives: list[str] = []
        for _ in range(count):
            pair = [draw(alleles[locus])]
            if not (allow_missing and draw(st.booleans())):
                pair.append(draw(alleles[locus]))
            alternatives.append("+".join(pair))
        blocks.append("|".join(alternatives))
    return "^".join(blocks)


def kir_genotypes(*, allow_untyped: bool = True, alleles: bool = True) -> st.SearchStrategy[KirGenotype]:
    """[`kirmatch.KirGenotype`][kirmatch.kir.KirGenotype] values: each of the 16 KIR genes present, absent or
    (``allow_untyped``) not typed, and (``alleles``) for some present genes an allele name of the bundled IPD-KIR
    release at 3, 5 or 7 digits.

    >>> from hypothesis import find
    >>> kir = find(kir_genotypes(), lambda kir: kir.alleles_of("2DS1") != ())
    >>> kir.kir2ds1.value, kir.alleles_of("2DS1")[0].startswith("KIR2DS1*")
    ('present', True)
    """
    _bool(allow_untyped, "allow_untyped")
    _bool(alleles, "alleles")
    value = st.sampled_from([True, False, None] if allow_untyped else [True, False])

    @st.composite
    def build(draw: st.DrawFn) -> KirGenotype:
        fields = {gene: draw(value) for gene in ALL_KIR_GENES}
        names: list[str] = []
        if alleles:
            for gene, present in fields.items():
                if present and draw(st.booleans()):
                    names.append(draw(st.sampled_from(_kir_allele_pool(gene))))
        return KirGenotype(**{f"kir{gene.lower()}": v for gene, v in fields.items()}, alleles=tuple(names))

    return build()


@functools.cache
def _kir_allele_pool(gene: str) -> tuple[str, ...]:
    """The release's allele names of ``gene`` (KIR2DL5: of 2DL5A and 2DL5B) at 3, 5 and 7 digits, shortest first."""
    from kirmatch.kir_reference import kir_records

    names: dict[str, None] = {}
    for digits in (3, 5, 7):
        for record in kir_records():
            if record.gene.removeprefix("KIR").rstrip("AB") != gene.rstrip("AB") or (
                gene != "2DL5" and record.gene != "KIR" + gene
            ):
                continue
            number = record.allele.split("*", 1)[1].rstrip("NQ")
            if len(number) >= digits:
                names.setdefault(f"{record.gene}*{number[:digits]}")
    return tuple(names)


class Family(NamedTuple):
    """A patient, the two haplotypes the patient inherited (``P1`` maternal, ``P2`` paternal) and relatives, each a
    [`Genotype`][kirmatch.genotype.Genotype] with the labels of the haplotypes it was built from."""

    patient: Genotype
    relatives: dict[str, Genotype]
    haplotypes: dict[str, dict[str, str]]
    inherited: dict[str, tuple[str, str]]


def family(*, max_siblings: int = 3) -> st.SearchStrategy[Family]:
    """A patient with relatives who share haplotypes: the mother (``P1`` + ``M2``), the father (``P2`` + ``F2``) and
    up to ``max_siblings`` siblings, each inheriting one maternal (``P1`` or ``M2``) and one paternal (``P2`` or
    ``F2``) haplotype, at least one of them the patient's (``M2`` + ``F2`` siblings, who share none, are not drawn),
    so that every relative shares a haplotype with the patient by construction (a sibling may share both).

    >>> from hypothesis import find
    >>> f = find(family(), lambda f: True)
    >>> sorted(f.relatives), f.inherited["mother"]
    (['father', 'mother'], ('P1', 'M2'))
    """
    _size(max_siblings, "max_siblings")

    @st.composite
    def build(draw: st.DrawFn) -> Family:
        blocks = {label: draw(haplotypes()) for label in ("P1", "P2", "M2", "F2")}

        def person(maternal: str, paternal: str) -> Genotype:
            return Genotype(
                **{k.lower(): (blocks[maternal][k], blocks[paternal][k]) for k in LOCI}
            )

        inherited = {"mother": ("P1", "M2"), "father": ("P2", "F2")}
        for i in range(draw(st.integers(0, max_siblings))):
            inherited[f"sibling{i + 1}"] = draw(st.sampled_from([("P1", "F2"), ("M2", "P2"), ("P1", "P2")]))
        relatives = {name: person(*labels) for name, labels in inherited.items()}
        return Family(person("P1", "P2"), relatives, blocks, inherited)

    return build()


# --------------------------------------------------------------------------------------------------- pairs


def donor_recipient_pairs(
    *,
    relation: str = "any",
    ligand: KirLigand | str | None = None,
    bw4_policy: Bw4Policy | str = DEFAULT_BW4_POLICY,
    b_locus_c1: bool = True,
    allow_nulls: bool = True,
    allow_missing: bool = False,
    resolution: int | None = None,
    pool: Pool | str = Pool.ALL,
) -> st.SearchStrategy[tuple[Genotype, Genotype]]:
    """``(donor, recipient)`` pairs of [`kirmatch.Genotype`][kirmatch.genotype.Genotype] in a chosen relation (see
    [`RELATIONS`][kirmatch.strategies.RELATIONS]):

    * ``any`` (default): two independent genotypes.
    * ``identical``: the same genotype twice.
    * ``haploidentical``: donor and recipient share one haplotype, one allele per locus (A, B and C) drawn
      together; their other haplotypes are drawn independently (so they may share more, by chance).
    * ``gvh_incompatible``: [`kirmatch.kir_ligand_mismatch`][kirmatch.mismatch.kir_ligand_mismatch] (ligand-ligand
      model, with ``bw4_policy`` and ``b_locus_c1``) finds a *present* GvH mismatch for ``ligand`` (``"C1"``, ``"C2"``
      or ``"Bw4"``; None for one of the three, drawn): the donor carries it for certain, the recipient lacks it for
      certain.
    * ``compatible``: the same function finds GvH incompatibility *absent*.

    ``allow_nulls``/``allow_missing`` as in [`genotypes`][kirmatch.strategies.genotypes]; missing alleles are refused
    for the last two relations, which need every allele known. ``resolution`` and ``pool`` draw registry-like
    typings ([`allele_names`][kirmatch.strategies.allele_names]): ``resolution=2, pool="common"`` shrinks to
    two-field common names; ``resolution`` applies to the first three relations only (the last two need determined
    alleles), ``pool`` to all.

    >>> from kirmatch import kir_ligand_mismatch
    >>> from hypothesis import find
    >>> donor, recipient = find(donor_recipient_pairs(relation="gvh_incompatible", ligand="C2"), lambda pair: True)
    >>> kir_ligand_mismatch(donor, recipient).gvh("C2").value
    'present'
    """
    if relation not in RELATIONS:
        raise InvalidArgument(f"relation={relation!r} is not one of {', '.join(RELATIONS)}")
    policy = _policy(bw4_policy)
    b_locus_c1 = _bool(b_locus_c1, "b_locus_c1")
    _bool(allow_nulls, "allow_nulls")
    _bool(allow_missing, "allow_missing")
    wanted: KirLigand | None = None
    if ligand is not None:
        if relation != "gvh_incompatible":
            raise InvalidArgument(f"ligand={ligand!r} applies to relation='gvh_incompatible' only")
        try:
            wanted = KirLigand.coerce(ligand)
        except ValueError:
            wanted = None
        if wanted not in PROTOCOL_LIGANDS:
            raise InvalidArgument(f"ligand={ligand!r} must be one of C1, C2, Bw4 (or None)")
    if allow_missing and relation in ("gvh_incompatible", "compatible"):
        raise InvalidArgument(f"allow_missing=True with relation={relation!r}: that relation needs every allele known")
    if resolution is not None and relation in ("gvh_incompatible", "compatible"):
        raise InvalidArgument(
            f"resolution={resolution!r} with relation={relation!r}: that relation needs determined alleles"
        )
    chosen_pool = _allele_pool(pool)
    if relation == "any":
        g = genotypes(allow_nulls=allow_nulls, allow_missing=allow_missing, resolution=resolution, pool=chosen_pool)
        return st.tuples(g, g)
    if relation == "identical":
        g = genotypes(allow_nulls=allow_nulls, allow_missing=allow_missing, resolution=resolution, pool=chosen_pool)
        return g.map(lambda g: (g, g))
    if relation == "haploidentical":
        shared = haplotypes(allow_nulls=allow_nulls, resolution=resolution, pool=chosen_pool)
        other = haplotypes(allow_nulls=allow_nulls, resolution=resolution, pool=chosen_pool)
        return st.tuples(shared, other, other, _missing_masks(allow_missing)).map(_haploidentical)
    options: _Options = {"bw4_policy": policy, "b_locus_c1": b_locus_c1}
    if relation == "gvh_incompatible":
        targets = [wanted] if wanted is not None else list(PROTOCOL_LIGANDS)
        strategies = [_gvh_incompatible(target, options, allow_nulls, chosen_pool) for target in targets]
        return st.one_of(strategies)
    return _compatible(options, allow_nulls, chosen_pool)


def _missing_masks(allow_missing: bool) -> st.SearchStrategy[tuple[bool, ...]]:
    """Which of the donor's and recipient's non-shared alleles (A, B, C each) are missing."""
    if not allow_missing:
        return st.just((False,) * 6)
    return st.tuples(*[st.booleans()] * 6)


def _haploidentical(
    drawn: tuple[dict[str, str], dict[str, str], dict[str, str], tuple[bool, ...]],
) -> tuple[Genotype, Genotype]:
    shared, donor_own, recipient_own, missing = drawn
    donor = {k.lower(): (shared[k], None if missing[i] else donor_own[k]) for i, k in enumerate(LOCI)}
    recipient = {k.lower(): (shared[k], None if missing[3 + i] else recipient_own[k]) for i, k in enumerate(LOCI)}
    return Genotype(**donor), Genotype(**recipient)


class _Options(TypedDict):
    """The matching options of [`donor_recipient_pairs`][kirmatch.strategies.donor_recipient_pairs], passed on to the
    matching functions."""

    bw4_policy: Bw4Policy
    b_locus_c1: bool


# Determined ligands each locus can carry, by what the recipient must lack (GvH incompatible) or may offer.
_DETERMINED = (Ligand.C1, Ligand.C2, Ligand.BW4, Ligand.BW6, Ligand.NONE)


def _determined_slot(
    locus: str, ligands: Iterable[Ligand], allow_nulls: bool, pool: Pool = Pool.ALL
) -> st.SearchStrategy[str]:
    """An allele of ``locus`` whose classify() ligand is one of ``ligands`` (so determined)."""
    possible = {"A": {Ligand.BW4, Ligand.NONE}, "B": {Ligand.C1, Ligand.BW4, Ligand.BW6, Ligand.NONE},
                "C": {Ligand.C1, Ligand.C2, Ligand.NONE}}[locus]
    chosen = tuple(sorted(set(ligands) & possible, key=_DETERMINED.index))
    names = allele_names(
        locus, ligand=chosen, expressed=True if Ligand.NONE not in chosen or not allow_nulls else None, pool=pool
    )
    if allow_nulls and Ligand.NONE in chosen:
        nulls = allele_names(locus, expressed=False)
        return st.integers(0, 7).flatmap(lambda k: nulls if k == 7 else names)
    return names


def _pair_of(slot: st.SearchStrategy[str]) -> st.SearchStrategy[tuple[str, str]]:
    return st.tuples(slot, slot)


def _gvh_incompatible(
    target: KirLigand, options: _Options, allow_nulls: bool, pool: Pool = Pool.ALL
) -> st.SearchStrategy[tuple[Genotype, Genotype]]:
    """Recipient alleles that cannot carry ``target``; a donor with one allele that carries it for certain."""
    everything = set(_DETERMINED)
    policy, b_c1 = options["bw4_policy"], options["b_locus_c1"]
    if target is KirLigand.C2:
        recipient = {"A": everything, "B": everything, "C": {Ligand.C1, Ligand.NONE}}
        forced_locus, forced = "C", Ligand.C2
    elif target is KirLigand.C1:
        recipient = {"A": everything, "B": everything - ({Ligand.C1} if b_c1 else set()), "C": {Ligand.C2, Ligand.NONE}}
        forced_locus, forced = "C", Ligand.C1
    else:
        a = everything if policy is Bw4Policy.B_ONLY else everything - {Ligand.BW4}
        recipient = {"A": a, "B": everything - {Ligand.BW4}, "C": everything}
        forced_locus, forced = "B", Ligand.BW4
    recipient_slots = {k: _pair_of(_determined_slot(k, v, allow_nulls, pool)) for k, v in recipient.items()}
    donor = genotypes(allow_nulls=allow_nulls, pool=pool)
    carrier = allele_names(forced_locus, ligand=forced, pool=pool)
    drawn = st.tuples(donor, carrier, st.fixed_dictionaries(recipient_slots))

    def build(values: tuple[Genotype, str, dict[str, tuple[str, str]]]) -> tuple[Genotype, Genotype]:
        g, allele, r = values
        loci = {k.lower(): v[0] for k, v in g.loci.items()}
        loci[forced_locus.lower()] = (allele, loci[forced_locus.lower()][1])
        return Genotype(**loci), Genotype(**{k.lower(): v for k, v in r.items()})

    def holds(pair: tuple[Genotype, Genotype]) -> bool:  # e.g. a weak Bw4 under exclude-weak
        return kir_ligand_mismatch(*pair, **options).gvh(target) is Presence.PRESENT

    return drawn.map(build).filter(holds)


def _compatible(
    options: _Options, allow_nulls: bool, pool: Pool = Pool.ALL
) -> st.SearchStrategy[tuple[Genotype, Genotype]]:
    """A recipient of determined alleles; a donor whose protocol ligands the recipient all carries for certain."""
    recipient = st.fixed_dictionaries(
        {k.lower(): _pair_of(_determined_slot(k, _DETERMINED, allow_nulls, pool)) for k in LOCI}
    ).map(lambda values: Genotype(**values))
    policy = options["bw4_policy"]
    donor_slots: dict[frozenset[KirLigand], st.SearchStrategy[Genotype]] = {}
    for mask in range(8):
        carried = frozenset(lig for i, lig in enumerate(PROTOCOL_LIGANDS) if mask >> i & 1)
        allowed = {Ligand.NONE, Ligand.BW6} | {Ligand(str(lig)) for lig in carried}
        a = allowed | ({Ligand.BW4} if policy is Bw4Policy.B_ONLY else set[Ligand]())
        b = allowed | ({Ligand.C1} if not options["b_locus_c1"] else set[Ligand]())
        per_locus = {"a": a, "b": b, "c": allowed}
        donor_slots[carried] = st.fixed_dictionaries(
            {k: _pair_of(_determined_slot(k.upper(), v, allow_nulls, pool)) for k, v in per_locus.items()}
        ).map(lambda values: Genotype(**values))

    def donor_for(r: Genotype) -> st.SearchStrategy[tuple[Genotype, Genotype]]:
        profile = ligand_profile(r, **options)
        carried = frozenset(lig for lig in PROTOCOL_LIGANDS if profile.presence(lig) is Presence.PRESENT)
        return donor_slots[carried].map(lambda d: (d, r))

    def holds(pair: tuple[Genotype, Genotype]) -> bool:
        return kir_ligand_mismatch(*pair, **options).gvh_incompatible is Presence.ABSENT

    return recipient.flatmap(donor_for).filter(holds)


# ---------------------------------------------------------------------------------------------- frames, text


def typing_frames(
    *,
    min_size: int = 0,
    max_size: int = 10,
    prefix: str = "",
    allow_nulls: bool = True,
    allow_missing: bool = True,
    resolution: int | None = None,
    style: str | Collection[str] = "current",
) -> st.SearchStrategy[pd.DataFrame]:
    """pandas DataFrames of HLA typings, one person per row, columns ``A1, A2, B1, B2, C1, C2`` (with ``prefix`` in
    front, e.g. ``"donor_"``), as [`kirmatch.frame`][kirmatch.frame] reads them. Cells are designations written in
    ``style`` at ``resolution`` ([`allele_names`][kirmatch.strategies.allele_names]); with ``allow_missing``, missing
    cells are ``None``, ``""`` or ``"-"``. pandas is imported when the strategy is built.

    >>> from hypothesis import find
    >>> find(typing_frames(min_size=1, prefix="donor_"), lambda frame: True).columns.tolist()
    ['donor_A1', 'donor_A2', 'donor_B1', 'donor_B2', 'donor_C1', 'donor_C2']
    """
    import pandas as pd

    low, high = _size(min_size, "min_size"), _size(max_size, "max_size")
    if low > high:
        raise InvalidArgument(f"min_size={min_size!r} is larger than max_size={max_size!r}")
    if not isinstance(prefix, str):  # pyright: ignore[reportUnnecessaryIsInstance]  # untyped callers
        raise InvalidArgument(f"prefix={prefix!r} must be a string")
    _bool(allow_nulls, "allow_nulls")
    _bool(allow_missing, "allow_missing")
    columns = [f"{prefix}{locus}{i}" for locus in LOCI for i in (1, 2)]
    cells: dict[str, st.SearchStrategy[str | None]] = {}
    for locus in LOCI:
        names = _slot_strategy(locus, allow_nulls=allow_nulls, resolution=resolution, style=style)
        cell = st.one_of(names, st.sampled_from([None, "", "-"])) if allow_missing else names
        cells.update({f"{prefix}{locus}{i}": cell for i in (1, 2)})
    rows = st.lists(st.fixed_dictionaries(cells), min_size=low, max_size=high)
    return rows.map(lambda r: pd.DataFrame(r, columns=columns, dtype=object))


def _mutations(name: str) -> list[str]:
    """Texts that break ``name`` (a current allele name such as ``C*07:02``) in one well-defined way each."""
    locus, _, rest = name.partition("*")
    fields = rest.split(":")
    return [
        f"DRB1*{rest}",  # a locus other than A, B, C
        f"Q*{rest}",  # no such locus
        f"{locus}{rest}",  # no '*'
        f"{locus}**{rest}",  # two '*'
        f"{locus}*X{rest[1:]}",  # a letter in the allele group
        f"{locus}*{fields[0]}::{':'.join(fields[1:])}",  # an empty field
        f"{locus}*{rest}:01:01:01",  # five fields
        f"{locus}*0{rest}",  # a three-digit allele group
        f"{locus}*{fields[0][-1:]}:{':'.join(fields[1:])}",  # a one-digit allele group
        f"{locus}*{rest}Z",  # an unknown suffix
        f"{locus}*{rest}NN",  # two suffixes
        f"{locus}*{rest.replace(':', '.')}",  # '.' between fields
        f"{locus}*{rest.replace(':', '-')}",  # '-' between fields
        f"{locus}*{rest}\u00e9",  # not plain ASCII
        f"{locus}*{rest}\x00",  # a control character
        f"{locus}* {rest}",  # a blank inside
        f"{locus}*{rest}/",  # an empty list item
        f"{locus}*{rest}+{locus}*{rest}",  # a genotype, not a designation
        f"{locus}*",  # nothing after '*'
        rest.replace(":", ""),  # digits alone
        "HLA-",  # nothing after HLA-
        "",  # empty
        "C*" + "0" * 250,  # too long
    ]


def malformed_names() -> st.SearchStrategy[str]:
    """Texts that are not HLA designations: each one raises [`AlleleNameError`][kirmatch._errors.AlleleNameError] from
    [`kirmatch.classify`][kirmatch.ligands.classify] (a wrong locus, a missing or doubled ``*``, letters or empty
    fields, too many or too long fields, a bad suffix, a wrong separator, non-ASCII or control characters, blanks
    inside, ...), made by breaking real allele names of the release.

    >>> from hypothesis import find
    >>> find(malformed_names(), lambda text: True)  # the simplest: a locus that is not A, B or C
    'DRB1*02:01'
    """
    kinds = len(_mutations("C*07:02"))
    return st.tuples(allele_names(resolution=2), st.integers(0, kinds - 1)).map(
        lambda pair: _mutations(pair[0])[pair[1]]
    )


# ------------------------------------------------------------------------------------- hypothesis type registry


def register_type_strategies() -> None:
    """Register strategies for kirmatch's public types with hypothesis. Importing this module does it; so does
    hypothesis itself, on import, through kirmatch's ``hypothesis`` entry point (`kirmatch._hypothesis_hook`).
    Calling it again is harmless.

    Each is registered as a function of the type, which hypothesis calls on first use, so that registering loads
    nothing (the reference table loads on the first draw).
    """
    register = st.register_type_strategy
    register(Genotype, lambda _: genotypes(allow_missing=True))
    register(KirGenotype, lambda _: kir_genotypes())
    register(AlleleName, lambda _: allele_names().map(parse_allele_name))
    register(Typing, lambda _: allele_names(style=STYLES).map(parse_typing))
    register(LigandCall, lambda _: allele_names(style=STYLES).map(classify))
    register(GLString, lambda _: gl_strings(allow_ambiguity=True, allow_alternatives=True).map(parse_gl_string))
    register(LigandProfile, lambda _: genotypes(allow_missing=True).map(ligand_profile))
    register(KirLigandMismatch, lambda _: donor_recipient_pairs().map(_mismatch))


def _mismatch(pair: tuple[Genotype, Genotype]) -> KirLigandMismatch:
    return kir_ligand_mismatch(*pair)


_hypothesis_setup_hook = register_type_strategies  # the name hypothesis' documentation suggests for the hook
register_type_strategies()
