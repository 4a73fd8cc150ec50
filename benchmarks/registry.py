"""Registry-scale screening: kirmatch's batch path against the floor of any string-keyed method.

Run: python benchmarks/registry.py [N]     (default N = 1,000,000; prints its figures, asserts nothing)

Builds a registry-like frame of N donors: six HLA columns whose alleles follow a skewed (Zipf) frequency over the
proteins of the bundled table, written as 2-field names mostly, 4-field names, XX codes, 1-field names, a few nulls
and missing cells, some with an HLA- prefix or in lower case. Then, in one run, it times:

* the kirmatch batch path, ``kirmatch.frame.mismatch_against(donors, recipient)`` (cold: first call);
* a bare ``pandas.factorize`` of the same six columns, the floor for any method keyed on the strings;
* the scalar API, ``kir_ligand_mismatch(Genotype.from_strings(*row), recipient)``, per row on a sample;

and prints their ratios and the peak memory (process max RSS, and its growth during the batch call).
"""

from __future__ import annotations

import resource
import sys
import time

import numpy as np
import pandas as pd

COMMON = {
    "A": ["A*02:01", "A*01:01", "A*03:01", "A*24:02", "A*11:01", "A*29:02", "A*32:01", "A*68:01", "A*31:01", "A*25:01"],
    "B": ["B*07:02", "B*08:01", "B*44:02", "B*15:01", "B*35:01", "B*40:01", "B*51:01", "B*18:01", "B*57:01", "B*44:03"],
    "C": ["C*07:01", "C*07:02", "C*04:01", "C*03:04", "C*06:02", "C*05:01", "C*12:03", "C*03:03", "C*02:02", "C*16:01"],
}


def vocabulary(locus: str, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Spellings of one locus and their frequencies."""
    from kirmatch.reference import get_reference

    records = [r for r in get_reference().records if r.locus == locus]
    proteins = sorted({r.protein for r in records if r.expressed})
    rng.shuffle(proteins)
    ordered = COMMON[locus] + [p for p in proteins if p not in COMMON[locus]][:400]
    weights = 1.0 / np.arange(1, len(ordered) + 1) ** 1.3
    by_protein: dict[str, list[str]] = {}
    for r in records:
        if r.expressed and r.allele.count(":") == 3:
            by_protein.setdefault(r.protein, []).append(r.allele)
    words, freq = [], []
    for protein, w in zip(ordered, weights, strict=True):
        words.append(protein)
        freq.append(w * 0.62)
        if protein in by_protein:
            words.append(by_protein[protein][0])
            freq.append(w * 0.22)
        words.append(f"HLA-{protein}")
        freq.append(w * 0.03)
        words.append(protein.lower())
        freq.append(w * 0.02)
    groups = sorted({p.split(":")[0] for p in ordered[:60]})
    for g in groups:
        words += [f"{g}:XX", g]
        freq += [0.004, 0.002]
    nulls = [r.allele for r in records if not r.expressed][:30]
    words += nulls
    freq += [0.0005] * len(nulls)
    words += ["", "-"]
    freq += [0.01, 0.005]
    p = np.array(freq)
    return np.array(words, dtype=object), p / p.sum()


def registry(n: int, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    data = {}
    for locus in "ABC":
        words, p = vocabulary(locus, rng)
        for slot in (1, 2):
            data[f"{locus}{slot}"] = pd.array(words[rng.choice(len(words), size=n, p=p)], dtype="string")
    return pd.DataFrame(data)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main(n: int) -> None:
    import kirmatch
    from kirmatch import Genotype, kir_ligand_mismatch
    from kirmatch.frame import mismatch_against

    t0 = time.perf_counter()
    donors = registry(n)
    built = time.perf_counter() - t0
    recipient = Genotype.from_strings("A*01:01", "A*03:01", "B*08:01", "B*07:02", "C*07:02", "C*03:04")
    kirmatch.classify("C*07:02")  # load the reference table outside the timings

    rss_before = peak_rss_mb()
    t1 = time.perf_counter()
    result = mismatch_against(donors, recipient, errors="flag")
    batch = time.perf_counter() - t1
    rss_batch = peak_rss_mb()

    t2 = time.perf_counter()
    for column in donors.columns:
        pd.factorize(donors[column])
    floor = time.perf_counter() - t2

    t3 = time.perf_counter()
    result_warm = mismatch_against(donors, recipient, errors="flag")
    warm = time.perf_counter() - t3

    sample = donors.sample(min(n, 5000), random_state=1)
    rows = [[None if pd.isna(v) else v for v in row] for row in sample.itertuples(index=False)]
    t4 = time.perf_counter()
    scalar_out = [kir_ligand_mismatch(Genotype.from_strings(*row), recipient).gvh_incompatible.value for row in rows]
    scalar = (time.perf_counter() - t4) / len(rows)
    same = list(result.loc[sample.index, "kir_gvh_incompatible"].astype(object)) == scalar_out

    distinct = sum(donors[c].nunique(dropna=False) for c in donors.columns)
    print(f"kirmatch {kirmatch.__version__}, pandas {pd.__version__}, numpy {np.__version__}, python {sys.version.split()[0]}")
    print(f"registry: {n:,} donors x 6 HLA columns, {distinct:,} distinct cells over the columns (built in {built:.1f} s)")
    print(f"verdicts: {result['kir_gvh_incompatible'].value_counts(dropna=False).to_dict()}")
    print(f"kirmatch batch, first call:        {batch:8.3f} s  ({batch / n * 1e9:7.0f} ns/row)")
    print(f"kirmatch batch, second call:       {warm:8.3f} s  ({warm / n * 1e9:7.0f} ns/row)")
    print(f"pandas.factorize of the 6 columns: {floor:8.3f} s  (the floor)")
    print(f"scalar API per row (sample {len(rows):,}):   {scalar * 1e6:8.1f} us/row, equal to batch rows: {same}")
    print(f"ratio batch / factorize floor:     {batch / floor:8.2f}x first call, {warm / floor:.2f}x second call")
    print(f"ratio scalar / batch per row:      {scalar / (batch / n):8.0f}x")
    print(f"peak RSS: {rss_batch:,.0f} MB (before the batch call {rss_before:,.0f} MB; growth {rss_batch - rss_before:,.0f} MB)")
    del result_warm


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
