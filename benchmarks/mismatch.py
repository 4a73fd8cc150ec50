"""Speed of donor-versus-recipient matching: prints microseconds per pair (plain script, no asserts).

Run: PYTHONPATH=src python benchmarks/bench_mismatch.py
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
    pairs = [(rng.choice(people), rng.choice(people)) for _ in range(20000)]
    for donor, recipient in pairs[:2000]:  # warm the caches
        kirmatch.kir_ligand_mismatch(donor, recipient)
    start = time.perf_counter()
    for donor, recipient in pairs:
        kirmatch.kir_ligand_mismatch(donor, recipient)
    per_pair = (time.perf_counter() - start) / len(pairs) * 1e6
    print(f"kir_ligand_mismatch, Genotype inputs, warm caches: {per_pair:.1f} us per pair")

    dicts = [({"A": g.a[0], "B": g.b[0], "C": g.c[0]}, {"A": h.a[0], "B": h.b[0], "C": h.c[0]}) for g, h in pairs[:5000]]
    start = time.perf_counter()
    for donor, recipient in dicts:
        kirmatch.kir_ligand_mismatch(donor, recipient)
    per_pair = (time.perf_counter() - start) / len(dicts) * 1e6
    print(f"kir_ligand_mismatch, dict inputs (Genotype built each time): {per_pair:.1f} us per pair")

    start = time.perf_counter()
    for donor, recipient in pairs[:5000]:
        kirmatch.kir_ligand_mismatch(donor, recipient).verdict()
    per_pair = (time.perf_counter() - start) / 5000 * 1e6
    print(f"... plus verdict(): {per_pair:.1f} us per pair")


if __name__ == "__main__":
    main()
