"""The documentation: the generated allele-count page matches the table, every public name is in the API reference,
every page is in the navigation, and ``mkdocs build --strict`` succeeds (warnings fail)."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import kirmatch

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _gen_counts():
    spec = importlib.util.spec_from_file_location("gen_counts", DOCS / "gen_counts.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_allele_counts_page_is_what_the_script_writes_from_the_table() -> None:
    expected = _gen_counts().render()
    committed = (DOCS / "allele_counts.md").read_text(encoding="utf-8")
    assert committed == expected, "docs/allele_counts.md is stale: run python docs/gen_counts.py and commit it"


def test_allele_counts_add_up() -> None:
    table = kirmatch.reference_table()
    text = (DOCS / "allele_counts.md").read_text(encoding="utf-8")
    totals = re.findall(r"\| \*\*HLA-([ABC])\*\* \| \*\*all\*\* \| \*\*(\d+)\*\* \| \*\*(\d+)\*\* \| \*\*(\d+)\*\* \|", text)
    assert [t[0] for t in totals] == ["A", "B", "C"]
    assert sum(int(t[3]) for t in totals) == len(table) == kirmatch.reference_info().alleles
    for locus, expressed, silent, total in totals:
        rows = table[table["locus"] == locus]
        assert (int(expressed), int(silent)) == (int(rows["expressed"].sum()), int((~rows["expressed"]).sum()))


def test_api_reference_covers_the_public_api() -> None:
    page = (DOCS / "api.md").read_text(encoding="utf-8")
    documented = {line.split(".")[-1] for line in re.findall(r"^::: (\S+)", page, re.M)}
    missing = sorted(set(kirmatch.__all__) - documented - {"__version__"})
    assert not missing, f"add these to docs/api.md: {missing}"
    assert re.search(r"^::: kirmatch\.frame$", page, re.M), "docs/api.md must document kirmatch.frame"


def test_every_page_is_in_the_navigation() -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    in_nav = set(re.findall(r"^\s+- [^:]+: (\S+\.md)\s*$", config, re.M))
    pages = {p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md")}
    assert pages == in_nav, f"pages not in nav: {sorted(pages - in_nav)}; nav without page: {sorted(in_nav - pages)}"


def test_mkdocs_build_is_strict_and_clean(tmp_path: Path) -> None:
    for module in ("mkdocs", "mkdocstrings", "mkdocstrings_handlers.python"):
        try:
            __import__(module)
        except ImportError:
            if os.environ.get("CI"):
                pytest.fail(f"CI must build the docs: {module} is missing (install the docs extra)")
            pytest.skip(f"{module} is not installed (pip install '.[docs]')")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    assert (tmp_path / "site" / "api" / "index.html").is_file()
    assert "kirmatch.frame.rank_donors" in (tmp_path / "site" / "api" / "index.html").read_text(encoding="utf-8")
