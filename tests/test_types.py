"""The public API type-checks in a downstream user's strict module (``py.typed`` is a promise, not a file)."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def test_a_downstream_module_type_checks_under_mypy_strict() -> None:
    api = pytest.importorskip("mypy.api", reason="mypy is in the test extra")
    stdout, stderr, status = api.run(
        ["--strict", "--no-incremental", "--config-file", "/dev/null", str(HERE / "typecheck" / "downstream_user.py")]
    )
    assert status == 0, stdout + stderr
