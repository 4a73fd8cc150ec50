"""Hypothesis strategies over real alleles of the bundled table: genotypes with nulls, 1-field names, missing
slots, and the ways the same typing can be written."""

from __future__ import annotations

from hypothesis import strategies as st

import kirmatch
from kirmatch.reference import get_reference

RECORDS = get_reference().records
BY_LOCUS = {locus: [r for r in RECORDS if r.locus == locus] for locus in "ABC"}
NULLS = {locus: [r for r in BY_LOCUS[locus] if not r.expressed] for locus in "ABC"}
# A few alleles that matter to the rules, so that they are drawn often enough.
NOTABLE = {
    "A": ["A*25:01:01:01", "A*24:02:01:01", "A*03:01:01:01", "A*11:01:01:01", "A*01:01:01:01", "A*02:01:01:01"],
    "B": ["B*57:01:01:01", "B*13:01:01:01", "B*46:01:01:01", "B*73:01:01:01", "B*08:01:01:01", "B*44:02:01:01"],
    "C": ["C*07:02:01:01", "C*04:01:01:01", "C*06:02:01:01", "C*03:04:01:01", "C*04:09N", "C*07:01:01:01"],
}
NOTABLE = {locus: [n for n in names if n in get_reference().by_name] for locus, names in NOTABLE.items()}


def _record_strategy(locus: str) -> st.SearchStrategy:
    by_name = get_reference().by_name
    names = st.one_of(
        st.sampled_from([r.allele for r in BY_LOCUS[locus]]),
        st.sampled_from([r.allele for r in NULLS[locus]]),
        st.sampled_from(NOTABLE[locus]),
    )
    return names.map(by_name.__getitem__)


_RECORD = {locus: _record_strategy(locus) for locus in "ABC"}


def record(locus: str) -> st.SearchStrategy:
    """A real allele record of the locus: any allele, a null, or one of the notable ones (built once)."""
    return _RECORD[locus]


def exact_name(locus: str) -> st.SearchStrategy[str]:
    """The full name of one allele: a designation that covers exactly one allele."""
    return record(locus).map(lambda r: r.allele)


def coarser(r) -> st.SearchStrategy[str | None]:
    """Names that cover the allele ``r`` (and maybe others): its full name, a prefix of its fields when it is
    expressed (the lab convention: a name without suffix means the expressed alleles), or a missing slot."""
    options = [st.just(r.allele), st.none()]
    if r.expressed:
        options += [st.just(f"{r.locus}*{':'.join(r.fields[:k])}") for k in range(1, len(r.fields))]
    return st.one_of(options)


_DESIGNATION = {locus: _RECORD[locus].flatmap(coarser) for locus in "ABC"}


def designation(locus: str) -> st.SearchStrategy[str | None]:
    """Any designation of the locus the table knows (full, 1-3 fields, nulls) or a missing slot."""
    return _DESIGNATION[locus]


def respell(name: str | None) -> st.SearchStrategy[str | None]:
    """The same designation written another way (case, HLA- prefix, blanks) or, for a missing one, None/''/'-'."""
    if name is None:
        return st.sampled_from([None, "", "-", " - "])
    return st.tuples(st.booleans(), st.booleans(), st.booleans()).map(
        lambda f: (" " if f[2] else "") + ("hla-" if f[0] else "") + (name.lower() if f[1] else name)
    )


@st.composite
def concrete_and_coarse(draw) -> tuple[dict, dict]:
    """A genotype of exactly named alleles and a coarser typing of the same person (prefixes, missing slots)."""
    concrete, coarse = {}, {}
    for locus in "ABC":
        recs = [draw(record(locus)), draw(record(locus))]
        concrete[locus] = tuple(r.allele for r in recs)
        coarse[locus] = tuple(draw(coarser(r)) for r in recs)
    return concrete, coarse


@st.composite
def genotypes(draw, exact: bool = False) -> kirmatch.Genotype:
    """A Genotype; ``exact`` draws full allele names only (no ambiguity, no missing slot)."""
    pick = exact_name if exact else designation
    return kirmatch.Genotype(**{locus.lower(): (draw(pick(locus)), draw(pick(locus))) for locus in "ABC"})


def kir_genotypes() -> st.SearchStrategy[kirmatch.KirGenotype]:
    value = st.sampled_from([True, False, None])
    return st.builds(
        kirmatch.KirGenotype, kir2dl1=value, kir2dl2=value, kir2dl3=value, kir3dl1=value, kir3dl2=value
    )
