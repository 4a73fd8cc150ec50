"""Parse time per name for a registry-like list of 100,000 HLA designations (plain script, prints figures).

    PYTHONPATH=src python benchmarks/parse.py [N]

The list mixes, drawn from the bundled table with a fixed seed: 2-field and 4-field current names, pre-2010 names,
XX codes, G groups, P groups, serologic antigens and short allele lists, some with ``HLA-``, lower case or blanks,
as registry exports write them. Reported: the grammar alone (:func:`parse_designation`) and the full reading into
candidate alleles (:func:`parse_typing`), each cold (caches cleared) and cached (second pass over the same list).
"""

from __future__ import annotations

import random
import sys
import time

from kirmatch import parse_typing
from kirmatch.hla_typing import _resolve, _typing
from kirmatch.nomenclature import _designation, parse_designation
from kirmatch.reference import get_reference


def registry_names(n: int, seed: int = 2024) -> list[str]:
    rng = random.Random(seed)
    records = get_reference().records
    old = [o for r in records for o in r.name_2009]
    g_groups = sorted({r.g_group for r in records if r.g_group})
    p_groups = sorted({r.p_group for r in records if r.p_group})
    antigens = sorted({a for r in records for a in r.serology + r.serology_broad} | {"Bw4", "Bw6"})
    makers = [
        lambda: f"{(r := rng.choice(records)).locus}*{':'.join(r.fields[:2])}",
        lambda: rng.choice(records).allele,
        lambda: rng.choice(old),
        lambda: f"{(r := rng.choice(records)).locus}*{r.fields[0]}:XX",
        lambda: rng.choice(g_groups),
        lambda: rng.choice(p_groups),
        lambda: rng.choice(antigens),
        lambda: f"{(r := rng.choice(records)).locus}*{':'.join(r.fields[:2])}/{int(r.fields[1]) % 99 + 1:02d}",
    ]
    styles = [lambda s: s, lambda s: "HLA-" + s, lambda s: s.lower(), lambda s: f" {s} "]
    return [rng.choice(styles)(rng.choice(makers)()) for _ in range(n)]


def timed(label: str, names: list[str], parse) -> None:
    failures = 0
    start = time.perf_counter()
    for name in names:
        try:
            parse(name)
        except ValueError:
            failures += 1
    elapsed = time.perf_counter() - start
    print(f"{label:<34} {elapsed:8.2f} s  {elapsed / len(names) * 1e6:9.2f} us/name  ({failures} errors)")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    get_reference()  # load the table first: its one-off cost is not parsing
    names = registry_names(n)
    print(f"{n} registry-like names, {len(set(names))} distinct")
    _designation.cache_clear()
    timed("grammar, cold (parse_designation)", names, parse_designation)
    timed("grammar, cached", names, parse_designation)
    for cache in (_designation, _resolve, _typing):
        cache.cache_clear()
    timed("full, cold (parse_typing)", names, parse_typing)
    timed("full, cached", names, parse_typing)


if __name__ == "__main__":
    main()
