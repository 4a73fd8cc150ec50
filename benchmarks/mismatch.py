"""Speed of donor-versus-recipient matching: prints microseconds per pair (plain script, no asserts).

Run: PYTHONPATH=src python benchmarks/mismatch.py

Three figures from one run over 200 random people (4-field alleles of the bundled release):
* a pair seen for the first time, both people's ligand profiles already known (the usual case when one patient is
  compared with many donors, or a cohort is re-analysed);
* a pair seen before (the result is cached);
* a pair given as two dicts, so that both Genotypes are read from text each time.
"""

from __future__ import annotations

import random
import time

import kirmatch
from kirmatch.reference import get_reference


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

    print(f"kir_ligand_mismatch, new pair, profiles known:     {first:7.1f} us per pair")
    print(f"kir_ligand_mismatch, same pair again (cached):      {again:7.1f} us per pair")
    print(f"kir_ligand_mismatch + verdict(), from dicts of text: {text:7.1f} us per pair")


if __name__ == "__main__":
    main()
