"""Import time, first-call time and warm per-call time of kirmatch.classify.

Run: python benchmarks/classify.py [N]   (prints its figures; asserts nothing)
"""

from __future__ import annotations

import random
import subprocess
import sys
import time


def main(n: int = 100_000) -> None:
    code = "import time; t = time.perf_counter(); import kirmatch; print(time.perf_counter() - t)"
    imports = sorted(float(subprocess.check_output([sys.executable, "-c", code])) for _ in range(5))
    import_s = imports[len(imports) // 2]

    t0 = time.perf_counter()
    import kirmatch
    from kirmatch.reference import get_reference

    t1 = time.perf_counter()
    kirmatch.classify("C*07:02")
    first = time.perf_counter() - t1

    records = get_reference().records
    rng = random.Random(1)
    names = [rng.choice(records).allele for _ in range(2000)]
    names += [r.protein for r in rng.sample(records, 2000)]
    for name in names:  # warm the cache
        kirmatch.classify(name)
    queries = [rng.choice(names) for _ in range(n)]
    t2 = time.perf_counter()
    for name in queries:
        kirmatch.classify(name)
    warm = (time.perf_counter() - t2) / n

    kirmatch.ligands._classify_text.cache_clear()
    cold_names = list(dict.fromkeys(names))
    t3 = time.perf_counter()
    for name in cold_names:
        kirmatch.classify(name)
    cold = (time.perf_counter() - t3) / len(cold_names)

    print(f"python {sys.version.split()[0]}, kirmatch {kirmatch.__version__}, {kirmatch.reference_info()}")
    print(f"import kirmatch (median of 5 fresh processes): {import_s * 1e3:8.1f} ms")
    print(f"first classify() incl. loading the table:      {first * 1e3:8.1f} ms (in-process import {t1 - t0:.3f} s)")
    print(f"classify() per call, cache miss (table loaded): {cold * 1e6:8.1f} us over {len(cold_names)} names")
    print(f"classify() per call, warm cache:                {warm * 1e6:8.2f} us over {n} calls")
    print(f"ratio cold/warm: {cold / warm:.0f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
