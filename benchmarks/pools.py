"""How much the allele pools decide: the registry of benchmarks/registry.py screened under each pool.

Run: python benchmarks/pools.py [N]     (default N = 1,000,000; prints its figures, asserts nothing)

Builds the same registry-like frame as ``benchmarks/registry.py`` (2-field names mostly, 4-field names, XX codes,
1-field names, nulls, blanks) and screens it against one recipient with ``pool="all"`` (the default), ``"cwd"``
and ``"common"``. Prints, for each narrower pool, how many donors' ``kir_gvh_incompatible`` moves from possible to
present or absent (and, as a check, how many move the other way: none should), and the time of each call.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from registry import registry


def main(n: int) -> None:
    import kirmatch
    from kirmatch.frame import mismatch_against

    donors = registry(n)
    recipient = kirmatch.Genotype.from_strings("A*01:01", "A*03:01", "B*08:01", "B*07:02", "C*07:02", "C*03:04")
    kirmatch.classify("C*07:02")
    results: dict[str, pd.Series] = {}
    for pool in ("all", "cwd", "common"):
        start = time.perf_counter()
        out = mismatch_against(donors, recipient, errors="flag", pool=pool)
        results[pool] = out["kir_gvh_incompatible"].astype("string").fillna("unreadable")
        print(f"pool={pool:<6} {time.perf_counter() - start:6.2f} s  {results[pool].value_counts().to_dict()}")
    base = results["all"]
    for pool in ("cwd", "common"):
        now = results[pool]
        was_possible = base == "possible"
        decided = was_possible & now.isin(["present", "absent"])
        to_present = int((was_possible & (now == "present")).sum())
        to_absent = int((was_possible & (now == "absent")).sum())
        undone = int((base.isin(["present", "absent"]) & (now != base)).sum())
        print(
            f"pool={pool}: {int(decided.sum()):,} of {int(was_possible.sum()):,} possible donors decided "
            f"({to_present:,} to present, {to_absent:,} to absent); certain answers changed: {undone}"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
