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


def imgt_directory() -> Path | None:
    """The IPD-IMGT/HLA 3.58.0 release beside the project (``../shared``), or ``$KIRMATCH_IMGT_DIR``."""
    candidates = [os.environ.get(IMGT_ENV, ""), ROOT.parent / "shared" / "imgt-hla-3.58.0"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "Allelelist.txt").is_file():
            return Path(candidate)
    return None


@pytest.fixture(scope="session")
def imgt_dir() -> Path:
    found = imgt_directory()
    if found is None:
        pytest.skip(
            "the IPD-IMGT/HLA 3.58.0 release is not beside the project (../shared/imgt-hla-3.58.0) and "
            f"${IMGT_ENV} is not set: the reproducibility tests need it"
        )
    return found


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
    candidates = [
        os.environ.get(IPD_KIR_ENV, ""),
        ROOT.parent / "shared" / "ipd-kir-2.13.0",
        Path("/work/shared/ipd-kir-2.13.0"),
    ]
    for candidate in candidates:
        if candidate and (Path(candidate) / "Allelelist.txt").is_file():
            return Path(candidate)
    return None


@pytest.fixture(scope="session")
def ipd_kir_dir() -> Path:
    found = ipd_kir_directory()
    if found is None:
        pytest.skip(
            "the IPD-KIR 2.13.0 release is not beside the project (../shared/ipd-kir-2.13.0) and "
            f"${IPD_KIR_ENV} is not set: the KIR table reproducibility tests need it"
        )
    return found


@pytest.fixture(scope="session")
def built_kir_table(ipd_kir_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The KIR allele table rebuilt from the release by the project's own build code (once per session)."""
    pytest.importorskip("Bio", reason="rebuilding the KIR table needs the build extra (Biopython)")
    from kirmatch.build_kir_table import build_kir_table

    out = tmp_path_factory.mktemp("kir_table") / "kir_alleles.csv"
    build_kir_table(ipd_kir_dir, out)
    return out
