"""Shared fixtures: where the IPD-IMGT/HLA release lives (for the reproducibility tests) and hypothesis profiles."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[1]
IMGT_ENV = "KIRMATCH_IMGT_DIR"

# The reference-table cache (kirmatch.reference) goes to a directory of this test session, not the user's cache.
os.environ.setdefault("KIRMATCH_CACHE_DIR", tempfile.mkdtemp(prefix="kirmatch-test-cache-"))

settings.register_profile(
    "ci", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def _release(env: str, name: str) -> Path | None:
    """A release directory: ``$env`` if set, else ``../shared/<name>`` beside the project (as CI lays it)."""
    for candidate in (os.environ.get(env, ""), str(ROOT.parent / "shared" / name)):
        if candidate and (Path(candidate) / "Allelelist.txt").is_file():
            return Path(candidate)
    return None


def _release_or_skip(env: str, name: str, what: str) -> Path:
    found = _release(env, name)
    if found is None:
        pytest.skip(f"the {name} release is not beside the project (../shared/{name}) and ${env} is not set: {what}")
    return found


def imgt_directory() -> Path | None:
    """The IPD-IMGT/HLA 3.58.0 release beside the project (``../shared``), or ``$KIRMATCH_IMGT_DIR``."""
    return _release(IMGT_ENV, "imgt-hla-3.58.0")


@pytest.fixture(scope="session")
def imgt_dir() -> Path:
    return _release_or_skip(IMGT_ENV, "imgt-hla-3.58.0", "the reproducibility tests need it")


@pytest.fixture(scope="session")
def built_table(imgt_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The table rebuilt from the release by the project's own build code (once per session)."""
    pytest.importorskip("Bio", reason="rebuilding the table needs the build extra (Biopython)")
    from kirmatch.build_hla_table import build_table

    out = tmp_path_factory.mktemp("table") / "hla_groups.csv"
    build_table(imgt_dir, out)
    return out


IPD_KIR_ENV = "KIRMATCH_IPD_KIR_DIR"


def ipd_kir_directory() -> Path | None:
    """The IPD-KIR 2.13.0 release beside the project (``../shared``), or ``$KIRMATCH_IPD_KIR_DIR``."""
    return _release(IPD_KIR_ENV, "ipd-kir-2.13.0")


@pytest.fixture(scope="session")
def ipd_kir_dir() -> Path:
    return _release_or_skip(IPD_KIR_ENV, "ipd-kir-2.13.0", "the KIR table reproducibility tests need it")


@pytest.fixture(scope="session")
def built_kir_table(ipd_kir_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The KIR allele table rebuilt from the release by the project's own build code (once per session)."""
    pytest.importorskip("Bio", reason="rebuilding the KIR table needs the build extra (Biopython)")
    from kirmatch.build_kir_table import build_kir_table

    out = tmp_path_factory.mktemp("kir_table") / "kir_alleles.csv"
    build_kir_table(ipd_kir_dir, out)
    return out
