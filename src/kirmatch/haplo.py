"""Haploidentity: does a relative share one HLA haplotype with the patient, locus by locus, three-valued.

[`haplo_match`][kirmatch.haplo_match] compares two typings at HLA-A, -B, -C and, when given, HLA-DRB1 and -DQB1
(read here for matching only: kirmatch has no class II reference table, so DRB1/DQB1 names are checked for form,
not against a release).

Decision logic:

* Two designations are the **same allele** (at the protein level, the first two fields) when both denote exactly
  one and the same protein, **different** when no protein is common to both, **possibly the same** otherwise
  (``C*07:XX`` against ``C*07:02``). HLA-A, -B and -C designations are resolved against the bundled IPD-IMGT/HLA
  release (any form [`classify`][kirmatch.classify] reads); DRB1/DQB1 ones by their fields (``DRB1*04`` and
  ``DRB1*04:XX`` give the first field only). A missing allele is unknown: it may be any allele.
* Per locus: ``shared`` = some donor allele is the same as some recipient allele (Kleene "or"); the GvH
  mismatches are the recipient's distinct alleles that the donor lacks, the HvG mismatches the donor's distinct
  alleles that the recipient lacks, each counted as a range (certain, certain + possible). Alternative genotypes (GL
  ``|``) combine by consensus.
* Haplotype: when both typings are phased (a GL string whose chromosomes join loci with ``~``), a haplotype is shared
  when all loci typed in both carry the same allele on one chromosome of each; otherwise one haplotype **can** be
  shared when every locus shares an allele: ``haploidentical`` is the Kleene "and" of the loci's ``shared``. Without
  phase this is the usual reading of a family typing (an allele in common at every locus); the phase-free answer
  does not exclude a recombinant, which only the family study's phase can show.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any, cast

from pydantic import BaseModel

from kirmatch._errors import GenotypeError, KirmatchError, quote, with_context
from kirmatch.genotype import Genotype, is_missing
from kirmatch.presence import Presence, consensus, kleene_and, kleene_or

__all__ = ["HAPLO_LOCI", "LocusMatch", "HaploMatch", "haplo_match", "split_typing", "split_sides"]

HAPLO_LOCI: tuple[str, ...] = ("A", "B", "C", "DRB1", "DQB1")
"""The loci haploidentity is judged on (DRB1 and DQB1 only when given)."""

_CLASS_II = ("DRB1", "DQB1")
_CLASS_II_NAME = re.compile(r"(?:HLA-)?(DRB1|DQB1)\*(\d{2,3})(?::(\d{2,3}|XX))?(?::\d{2,3})*(?::\d{2,3})?([A-Z]?)")
_KEY = re.compile(r"(?:HLA[-_ ]?)?(A|B|C|DRB1|DQB1)(?:[\s_.\-]*([12]))?", re.IGNORECASE)
_P, _A, _Q = Presence.PRESENT, Presence.ABSENT, Presence.POSSIBLE

Pair = tuple[str | None, str | None]


class LocusMatch(BaseModel, frozen=True):
    """One locus, donor against recipient: the alleles, whether one is shared, and the mismatch counts as ranges."""

    locus: str
    donor: tuple[Pair, ...]
    recipient: tuple[Pair, ...]
    shared: Presence
    gvh_mismatches: tuple[int, int]
    hvg_mismatches: tuple[int, int]

    def __str__(self) -> str:
        def count(r: tuple[int, int]) -> str:
            return str(r[0]) if r[0] == r[1] else f"{r[0]}-{r[1]}"

        return (
            f"HLA-{self.locus}: shared allele {self.shared}; GvH mismatches {count(self.gvh_mismatches)}, "
            f"HvG mismatches {count(self.hvg_mismatches)}"
        )


class HaploMatch(BaseModel, frozen=True):
    """Donor against recipient at A, B, C (and DRB1, DQB1 when given): per-locus results, whether one haplotype is
    shared (three-valued), whether phase was used, and the total GvH and HvG mismatch counts as ranges."""

    loci: tuple[LocusMatch, ...]
    haploidentical: Presence
    phased: bool
    gvh_mismatches: tuple[int, int]
    hvg_mismatches: tuple[int, int]

    def __getitem__(self, locus: str) -> LocusMatch:
        for item in self.loci:
            if item.locus == locus.upper().removeprefix("HLA-"):
                return item
        raise KeyError(locus)

    def verdict(self) -> str:
        """One line: haploidentical / possibly / not, and on which loci."""
        how = "phased haplotypes" if self.phased else "an allele in common at every locus"
        if self.haploidentical is _P:
            return f"Haploidentical ({how}: {', '.join('HLA-' + m.locus for m in self.loci)})"
        if self.haploidentical is _A and self.phased and all(m.shared is not _A for m in self.loci):
            return "Not haploidentical: the phased typings share no haplotype"
        if self.haploidentical is _A:
            missing = [f"HLA-{m.locus}" for m in self.loci if m.shared is _A]
            return f"Not haploidentical: no allele in common at {', '.join(missing) or 'the phased haplotypes'}"
        unsure = [f"HLA-{m.locus}" for m in self.loci if m.shared is _Q]
        return f"Possibly haploidentical: the typing does not decide at {', '.join(unsure) or 'the phase'}"

    def explain(self) -> str:
        """The verdict, then one line per locus."""
        return "\n".join([self.verdict() + "."] + [str(m) + "." for m in self.loci])

    def __str__(self) -> str:
        return self.explain()


# ------------------------------------------------------------------------------------------------- reading


class _Typing:
    """One person's typing for haploidentity: alternatives per locus and, when phased, the two haplotypes."""

    def __init__(self, loci: dict[str, tuple[Pair, ...]], phase: tuple[dict[str, str], dict[str, str]] | None) -> None:
        self.loci = loci
        self.phase = phase


def _class_ii(text: object, locus: str) -> str | None:
    if is_missing(text):
        return None
    m = _CLASS_II_NAME.fullmatch(text.strip().upper()) if isinstance(text, str) else None
    if m is None or m.group(1) != locus:
        raise GenotypeError(f"HLA-{locus}: {quote(text)} is not an HLA-{locus} designation such as '{locus}*04:01'",
                            input=text)
    second = m.group(3)
    return f"{locus}*{m.group(2)}" + (f":{second}" if second and second != "XX" else "")


def _pair(values: object, locus: str) -> tuple[Pair, ...]:
    if is_missing(values):
        return ((None, None),)
    if isinstance(values, str):
        items: list[object] = [values]
    elif isinstance(values, Sequence):
        items = list(cast("Sequence[object]", values))
    else:
        raise GenotypeError(f"HLA-{locus}: cannot read {quote(values)}", input=values)
    if len(items) > 2:
        raise GenotypeError(f"HLA-{locus}: {len(items)} alleles given; a genotype has two", input=tuple(items))
    first, second = ([*items, None, None])[:2]
    return ((_class_ii(first, locus), _class_ii(second, locus)),)


def _is_class_ii(name: str) -> bool:
    return name.strip().upper().removeprefix("HLA-").startswith(("DRB1*", "DQB1*"))


def _class_i_only(text: str) -> str:
    """The GL string without its DRB1/DQB1 names (phased chromosomes keep their class I loci)."""
    blocks: list[str] = []
    for block in text.strip().split("^"):
        alternatives: list[str] = []
        for alternative in block.split("|"):
            sides = ["~".join(p for p in side.split("~") if not _is_class_ii(p)) for side in alternative.split("+")]
            if any(sides):
                alternatives.append("+".join(sides))
        if alternatives:
            blocks.append("|".join(alternatives))
    return "^".join(blocks)


@functools.lru_cache(maxsize=4096)
def _from_gl(text: str) -> tuple[Genotype, _Typing]:
    genotype = Genotype.from_gl(_class_i_only(text))
    loci: dict[str, tuple[Pair, ...]] = {k: v for k, v in genotype.loci.items()}
    phase: list[dict[str, str]] = [{}, {}]
    phased = "~" in text
    for block in text.strip().split("^"):
        chromosomes = block.split("+")
        names = [piece.split("~") for piece in chromosomes]
        locus_of = {
            (m.group(1) if (m := re.match(r"(?:HLA-)?([A-Z]+[0-9]?)\*", n.strip().upper())) else "")
            for side in names for n in side
        }
        if locus_of & set(_CLASS_II):
            if "|" in block:
                raise GenotypeError(f"alternative genotypes ('|') of HLA-DRB1/DQB1 are not read: {quote(block)}",
                                    input=text)
            for side_index, side in enumerate(names[:2]):
                for name in side:
                    for locus in _CLASS_II:
                        if name.strip().upper().removeprefix("HLA-").startswith(locus + "*"):
                            value = _class_ii(name, locus)
                            current = loci.get(locus, ((None, None),))[0]
                            slots = list(current)
                            slots[side_index] = value
                            loci[locus] = ((slots[0], slots[1]),)
        if phased and "|" not in block and "/" not in block:
            for side_index, side in enumerate(names[:2]):
                for name in side:
                    m = re.match(r"(?:HLA-)?(A|B|C|DRB1|DQB1)\*", name.strip(), re.IGNORECASE)
                    if m:
                        phase[side_index][m.group(1).upper()] = name.strip()
    usable = phased and all(len(h) >= 2 for h in phase)
    return genotype, _Typing(loci, (phase[0], phase[1]) if usable else None)


def split_typing(value: object) -> tuple[Genotype, _Typing]:
    """The HLA-A, -B, -C [`Genotype`][kirmatch.Genotype] of a typing (for KIR-ligand matching) and its full reading
    for haploidentity (with DRB1/DQB1 and phase when given). Reads a Genotype, a GL string, a mapping (``A``,
    ``DRB1``, ``A1``, ``DRB1_2``...) or a pandas row."""
    if isinstance(value, Genotype):
        return value, _Typing(dict(value.loci), None)
    if isinstance(value, str):
        return _from_gl(value)
    items: list[tuple[object, object]]
    if isinstance(value, Mapping):
        items = list(cast("Mapping[object, object]", value).items())
        strict = True
    elif hasattr(value, "items") and hasattr(value, "index"):
        items = list(cast("Any", value).items())
        strict = False
    elif isinstance(value, Sequence):
        genotype = Genotype.coerce(cast("Sequence[object]", value))
        return genotype, _Typing(dict(genotype.loci), None)
    else:
        raise GenotypeError(f"cannot read an HLA typing from {type(value).__name__} {quote(value)}", input=value)
    class_i: dict[object, object] = {}
    class_ii: dict[str, dict[int, object]] = {}
    for key, cell in items:
        if isinstance(cell, float) and math.isnan(cell):
            cell = None
        m = _KEY.fullmatch(key.strip()) if isinstance(key, str) else None
        if m is None:
            if strict:
                raise GenotypeError(f"unknown key {quote(key)}; use A, B, C, DRB1, DQB1 or slots A1 ... DQB1_2",
                                    input=key)
            continue
        locus = m.group(1).upper()
        if locus in _CLASS_II:
            slot = class_ii.setdefault(locus, {})
            if m.group(2):
                slot[int(m.group(2))] = cell
            else:
                slot[0] = cell
        else:
            class_i[key] = cell
    genotype = Genotype.from_dict(cast("Mapping[str, object]", class_i)) if strict else Genotype._from_items(  # pyright: ignore[reportPrivateUsage]
        class_i.items(), strict=False
    )
    loci: dict[str, tuple[Pair, ...]] = dict(genotype.loci)
    for locus, slots in class_ii.items():
        loci[locus] = _pair(slots[0], locus) if 0 in slots else _pair([slots.get(1), slots.get(2)], locus)
    return genotype, _Typing(loci, None)


# ----------------------------------------------------------------------------------------------- comparing


@functools.lru_cache(maxsize=65536)
def _proteins(text: str, locus: str) -> frozenset[str]:
    if locus in _CLASS_II:
        return frozenset({text})
    from kirmatch.hla_typing import resolve_text

    resolution, _ = resolve_text(text)
    return frozenset(":".join(r.allele.split(":")[:2]).rstrip("NLSQCA") for r in resolution.candidates)


def same_allele(first: str | None, second: str | None, locus: str) -> Presence:
    """Whether two designations of ``locus`` denote the same protein: present, absent or possible."""
    if first is None or second is None:
        return _Q
    if locus in _CLASS_II:
        a, b = first.split("*")[1].split(":"), second.split("*")[1].split(":")
        if a[0] != b[0]:
            return _A
        if len(a) >= 2 and len(b) >= 2:
            return _P if a[1] == b[1] else _A
        return _Q
    p, q = _proteins(first, locus), _proteins(second, locus)
    if not p & q:
        return _A
    return _P if len(p) == 1 and p == q else _Q


def _count(flags: list[Presence]) -> tuple[int, int]:
    return sum(f is _P for f in flags), sum(f is not _A for f in flags)


def _compare_pairs(d: Pair, r: Pair, locus: str) -> tuple[Presence, tuple[int, int], tuple[int, int]]:
    shared = kleene_or(*(same_allele(x, y, locus) for x in d for y in r))

    def missing_in(own: Pair, other: Pair) -> list[Presence]:
        distinct: list[str | None] = []
        for a in own:
            if a is None or a not in distinct:
                distinct.append(a)
        return [~kleene_or(*(same_allele(a, b, locus) for b in other)) for a in distinct]

    return shared, _count(missing_in(r, d)), _count(missing_in(d, r))


def _locus(locus: str, d: tuple[Pair, ...], r: tuple[Pair, ...]) -> LocusMatch:
    results = [_compare_pairs(x, y, locus) for x in d for y in r]
    shared = consensus(s for s, _, _ in results)
    gvh = (min(g[0] for _, g, _ in results), max(g[1] for _, g, _ in results))
    hvg = (min(h[0] for _, _, h in results), max(h[1] for _, _, h in results))
    return LocusMatch(locus=locus, donor=d, recipient=r, shared=shared, gvh_mismatches=gvh, hvg_mismatches=hvg)


def haplo_match(donor: object, recipient: object) -> HaploMatch:
    """Compare two typings at HLA-A, -B, -C and, when given, DRB1 and DQB1: shared allele per locus, mismatch
    counts, and whether one haplotype can be shared (see the module docstring).

    >>> patient = "A*01:01+A*03:01^B*08:01+B*07:02^C*07:01+C*07:02"
    >>> mother = "A*01:01+A*24:02^B*08:01+B*44:02^C*07:01+C*05:01"
    >>> m = haplo_match(mother, patient)
    >>> m.haploidentical.value, m.gvh_mismatches, m.hvg_mismatches
    ('present', (3, 3), (3, 3))
    >>> haplo_match("A*02:01+A*24:02^B*15:01+B*44:02^C*03:04+C*05:01", patient).verdict()
    'Not haploidentical: no allele in common at HLA-A, HLA-B, HLA-C'
    """
    (_, d), (_, r) = split_sides(donor, recipient)
    loci: list[LocusMatch] = []
    for locus in HAPLO_LOCI:
        if locus in _CLASS_II and locus not in d.loci and locus not in r.loci:
            continue
        loci.append(_locus(locus, d.loci.get(locus, ((None, None),)), r.loci.get(locus, ((None, None),))))
    phased = d.phase is not None and r.phase is not None
    if phased:
        assert d.phase is not None and r.phase is not None
        common = [m.locus for m in loci]
        haplo = kleene_or(
            *(
                kleene_and(*(same_allele(_norm(hd.get(k), k), _norm(hr.get(k), k), k) for k in common))
                for hd in d.phase
                for hr in r.phase
            )
        )
    else:
        haplo = kleene_and(*(m.shared for m in loci))
    return HaploMatch(
        loci=tuple(loci),
        haploidentical=haplo,
        phased=phased,
        gvh_mismatches=(sum(m.gvh_mismatches[0] for m in loci), sum(m.gvh_mismatches[1] for m in loci)),
        hvg_mismatches=(sum(m.hvg_mismatches[0] for m in loci), sum(m.hvg_mismatches[1] for m in loci)),
    )


def _norm(name: str | None, locus: str) -> str | None:
    if name is None:
        return None
    return _class_ii(name, locus) if locus in _CLASS_II else name


def split_sides(
    donor: object, recipient: object, labels: tuple[str, str] = ("donor", "recipient")
) -> tuple[tuple[Genotype, _Typing], tuple[Genotype, _Typing]]:
    """`split_typing` of both people, an error naming the side it comes from (``donor: ...``)."""
    out: list[tuple[Genotype, _Typing]] = []
    for value, label in zip((donor, recipient), labels, strict=True):
        try:
            out.append(split_typing(value))
        except KirmatchError as exc:
            raise with_context(exc, label) from exc
    return out[0], out[1]
