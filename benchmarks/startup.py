"""Start-up: ``import kirmatch`` and the first classification of one allele, each in a new process.

Run: PYTHONPATH=src python benchmarks/startup.py [RUNS]     (default RUNS = 9; prints its figures, asserts nothing)

Each run is a new Python process that times, with ``time.perf_counter`` inside the process:

* ``import kirmatch``;
* then the modules ``kirmatch.classify`` needs (``kirmatch.ligands`` and what it imports: pydantic, the models);
* then the first ``kirmatch.classify('C*07:02')`` (reference table loaded, CIWD catalogue read, one call), with the
  reference cache warm (written by a run before) and cold (``$KIRMATCH_CACHE_DIR`` an empty directory each time, so
  the table is parsed and the cache written);
* and the wall time of the whole process (interpreter start included), and of ``python -c pass`` for comparison.

and prints the median in milliseconds of each, with the minimum and maximum.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROBE = """
import json, time
t0 = time.perf_counter()
import kirmatch
t1 = time.perf_counter()
import kirmatch.ligands
t2 = time.perf_counter()
kirmatch.classify("C*07:02")
t3 = time.perf_counter()
print(json.dumps({"import kirmatch": t1 - t0, "modules of classify": t2 - t1, "first classify": t3 - t2,
                  "import + classify": t3 - t0}))
"""


def run(env: dict[str, str]) -> dict[str, float]:
    """The in-process figures (seconds) of one new process, and its wall time."""
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, check=True, capture_output=True, text=True).stdout
    wall = time.perf_counter() - start
    figures: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    figures["process wall"] = wall
    return figures


def bare(env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], env=env, check=True)
    return time.perf_counter() - start


def show(title: str, runs: list[dict[str, float]]) -> None:
    print(title)
    for key in runs[0]:
        values = [r[key] * 1000 for r in runs]
        print(f"  {key:20s} median {statistics.median(values):7.1f} ms   (min {min(values):6.1f}, max {max(values):6.1f})")


def main(runs: int) -> None:
    base = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="kirmatch-startup-") as work:
        warm_env = {**base, "KIRMATCH_CACHE_DIR": str(Path(work) / "warm")}
        run(warm_env)  # writes the cache the warm runs read
        python = [bare(base) * 1000 for _ in range(runs)]
        warm = [run(warm_env) for _ in range(runs)]
        cold: list[dict[str, float]] = []
        for i in range(runs):
            cold.append(run({**base, "KIRMATCH_CACHE_DIR": str(Path(work) / f"cold-{i}")}))
    print(f"{runs} new processes each; {sys.executable} (python -c pass: median {statistics.median(python):.1f} ms)")
    show("cache warm", warm)
    show("cache cold (table parsed, cache written)", cold)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 9)
