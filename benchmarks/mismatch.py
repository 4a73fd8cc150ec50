"""Speed of donor-versus-recipient matching: prints microseconds per pair (plain script, no asserts).

Run: PYTHONPATH=src python benchmarks/mismatch.py

Five figures from one run over 200 random people (4-field alleles of the bundled release):
* a pair seen for the first time, both people's ligand profiles already known (the usual case when one patient is
  compared with many donors, or a cohort is re-analysed);
* a pair seen before: both people's ligands are cached (compactly, per person); the result itself is kept only for
  the last few pairs (a large cache of result models costs the garbage collector more, per new pair, than building
  the result again);
* a pair given as two dicts, so that both Genotypes are read from text each time;
* a new pair of new GL strings (issue 15's figure): each pair's two GL strings are texts never seen before in the
  process (random alleles), so no cache keyed by a person or a text helps, while the allele names repeat across
  pairs, as in a registry (caches keyed by one allele may be warm);
* the same from new dicts of six allele names.
"""

from __future__ import annotations

import random
import time

import kirmatch
from kirmatch.reference import get_reference


def new_people(rng: random.Random, by_locus: dict[str, list[str]], n: int) -> list[tuple[str, ...]]:
    """``n`` typings (six allele names, A A B B C C), no two alike."""
    seen: set[tuple[str, ...]] = set()
    out: list[tuple[str, ...]] = []
    while len(out) < n:
        names = tuple(rng.choice(by_locus[locus]) for locus in "AABBCC")
        if names not in seen:
            seen.add(names)
            out.append(names)
    return out


def gl(names: tuple[str, ...]) -> str:
    return f"{names[0]}+{names[1]}^{names[2]}+{names[3]}^{names[4]}+{names[5]}"


def main() -> None:
    reference = get_reference()
    rng = random.Random(4)
    by_locus: dict[str, list[str]] = {"A": [], "B": [], "C": []}
    for record in reference.records:
        by_locus[record.locus].append(record.allele)
    people = [
        kirmatch.Genotype.from_strings(*(rng.choice(by_locus[locus]) for locus in "AABBCC")) for _ in range(200)
    ]
    for person in people:  # profiles known
        kirmatch.ligand_profile(person)
    pairs = [(d, r) for d in people[:100] for r in people[100:]]  # 10,000 distinct pairs

    start = time.perf_counter()
    for donor, recipient in pairs:
        kirmatch.kir_ligand_mismatch(donor, recipient)
    first = (time.perf_counter() - start) / len(pairs) * 1e6

    start = time.perf_counter()
    for donor, recipient in pairs:
        kirmatch.kir_ligand_mismatch(donor, recipient)
    again = (time.perf_counter() - start) / len(pairs) * 1e6

    dicts = [({"A": g.a[0], "B": g.b[0], "C": g.c[0]}, {"A": h.a[0], "B": h.b[0], "C": h.c[0]}) for g, h in pairs[:5000]]
    start = time.perf_counter()
    for donor, recipient in dicts:
        kirmatch.kir_ligand_mismatch(donor, recipient).verdict()
    text = (time.perf_counter() - start) / len(dicts) * 1e6

    # New texts: alleles drawn from a registry-like pool (the 200 people's alleles), so allele names repeat across
    # pairs but each person's text is new. Warm-up pairs first (from their own texts), then the timed pairs.
    pool: dict[str, list[str]] = {"A": [], "B": [], "C": []}
    for person in people:
        for locus in "ABC":
            pool[locus].extend(d for pair in person[locus] for d in pair if d is not None)
    fresh = new_people(random.Random(15), pool, 2 * (200 + 4000 + 4000))
    texts = [gl(p) for p in fresh]
    assert len(set(texts)) == len(texts)
    for i in range(0, 400, 2):  # warm-up
        kirmatch.kir_ligand_mismatch(texts[i], texts[i + 1])
    new_gl = [(texts[i], texts[i + 1]) for i in range(400, 8400, 2)]
    start = time.perf_counter()
    for donor_text, recipient_text in new_gl:
        kirmatch.kir_ligand_mismatch(donor_text, recipient_text)
    from_gl = (time.perf_counter() - start) / len(new_gl) * 1e6

    def as_dict(p: tuple[str, ...]) -> dict[str, object]:
        return {"A": p[0:2], "B": p[2:4], "C": p[4:6]}

    new_dicts = [(as_dict(fresh[i]), as_dict(fresh[i + 1])) for i in range(8400, 16400, 2)]
    start = time.perf_counter()
    for donor_dict, recipient_dict in new_dicts:
        kirmatch.kir_ligand_mismatch(donor_dict, recipient_dict)
    from_dicts = (time.perf_counter() - start) / len(new_dicts) * 1e6

    print(f"kir_ligand_mismatch, new pair, profiles known:     {first:7.1f} us per pair")
    print(f"kir_ligand_mismatch, same pair again:               {again:7.1f} us per pair")
    print(f"kir_ligand_mismatch + verdict(), from dicts of text: {text:7.1f} us per pair")
    print(f"kir_ligand_mismatch, new pair of new GL strings:    {from_gl:7.1f} us per pair")
    print(f"kir_ligand_mismatch, new pair of new dicts:         {from_dicts:7.1f} us per pair")


if __name__ == "__main__":
    main()
