"""The whole ``kirmatch screen`` command against the floors of reading, factorising and writing the same file.

Run: PYTHONPATH=src python benchmarks/screen.py [N]     (default N = 1,000,000; prints its figures, asserts nothing)

Writes a registry CSV of N donors (``registry.py``'s generator, plus a ``donor_id`` column) once under
``$TMPDIR/kirmatch-bench``, then times, each in a new process, in the same run:

* ``kirmatch screen FILE --recipient ... -o OUT`` (the command a user runs: start, imports, reference table, read,
  resolve, rank, write);
* floor a: python + pandas reading the CSV as text, factorising the six HLA columns and writing it back;
* floor b: pyarrow reading the CSV, dictionary-encoding the six HLA columns and writing it back;

and prints wall times, ratios and the peak memory (max RSS) of each process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RECIPIENT = ["A*01:01", "A*02:01", "B*08:01", "B*07:02", "C*07:01", "C*07:02"]

FLOOR_A = """
import sys, pandas as pd
frame = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False)
for column in ["A1", "A2", "B1", "B2", "C1", "C2"]:
    pd.factorize(frame[column])
frame.to_csv(sys.argv[2], index=False)
"""

FLOOR_B = """
import sys, pyarrow as pa, pyarrow.csv as pc, pyarrow.compute as c
table = pc.read_csv(sys.argv[1])
for column in ["A1", "A2", "B1", "B2", "C1", "C2"]:
    c.dictionary_encode(table[column])
pc.write_csv(table, sys.argv[2])
"""


def make(n: int, path: Path) -> None:
    sys.path.insert(0, str(HERE))
    import pyarrow as pa
    import pyarrow.csv as pacsv
    from registry import registry  # type: ignore[import-not-found]

    frame = registry(n)
    frame.insert(0, "donor_id", [f"D{i:08d}" for i in range(n)])
    pacsv.write_csv(pa.Table.from_pandas(frame, preserve_index=False), str(path))


def timed(argv: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one process."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{argv[:3]} failed with status {status}")
    return wall, usage.ru_maxrss / 1024


def main(n: int) -> None:
    work = Path(tempfile.gettempdir()) / "kirmatch-bench"
    work.mkdir(exist_ok=True)
    source = work / f"registry-{n}.csv"
    if not source.exists():
        # in a process of its own: a child's peak RSS counts its parent's memory at the fork (Linux keeps the larger
        # of the two through exec), so the registry must not be built in this process
        subprocess.run([sys.executable, __file__, "--make", str(n), str(source)], check=True)
    python = sys.executable
    runs = {
        "kirmatch screen": [python, "-m", "kirmatch", "screen", str(source), "--recipient", *RECIPIENT,
                            "-o", str(work / "screened.csv"), "-q"],
        "floor a (pandas)": [python, "-c", FLOOR_A, str(source), str(work / "floor_a.csv")],
        "floor b (pyarrow)": [python, "-c", FLOOR_B, str(source), str(work / "floor_b.csv")],
    }
    timed(runs["kirmatch screen"][:3] + ["info"])  # the reference cache of this table, as after any first use
    figures = {name: timed(argv) for name, argv in runs.items()}
    print(f"registry: {n:,} donors, {source.stat().st_size / 1e6:,.0f} MB CSV")
    for name, (wall, rss) in figures.items():
        print(f"{name:20s} {wall:7.2f} s   peak RSS {rss:7,.0f} MB")
    screen, floor_a, floor_b = (figures[k] for k in runs)
    print(f"screen / floor a: {screen[0] / floor_a[0]:5.2f}x time, {screen[1] / floor_a[1]:5.2f}x memory")
    print(f"screen / floor b: {screen[0] / floor_b[0]:5.2f}x time, {screen[1] / floor_b[1]:5.2f}x memory")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--make"]:
        make(int(sys.argv[2]), Path(sys.argv[3]))
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
