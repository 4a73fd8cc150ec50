"""The installed package works outside the source tree: the table travels inside it and loads from there."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import json, kirmatch
from pathlib import Path
call = kirmatch.classify("C*07:02")
print(json.dumps({"file": kirmatch.__file__, "table": kirmatch.reference_info().path,
                  "ligand": call.ligand.value, "release": call.release}))
"""


def _installed_elsewhere() -> bool:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "KIRMATCH_TABLE"}}
    code = "import kirmatch; print(kirmatch.__file__)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd="/", env=env)
    return done.returncode == 0 and not done.stdout.strip().startswith(str(ROOT / "src"))


def test_installed_package_runs_from_another_directory(tmp_path: Path) -> None:
    if not _installed_elsewhere():
        if os.environ.get("CI"):
            pytest.fail("CI must test an installed kirmatch (pip install '.[test,build]'), not the source tree")
        pytest.skip("kirmatch is not installed in this environment (running from the source tree)")
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "KIRMATCH_TABLE"}}
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    package = Path(seen["file"]).parent
    assert not package.is_relative_to(ROOT)
    assert Path(seen["table"]).is_relative_to(package), "the table must load from inside the installed package"
    assert seen["ligand"] == "C1" and seen["release"] == "3.58.0"
    assert (package / "py.typed").is_file()


def test_console_script_is_installed(tmp_path: Path) -> None:
    if not _installed_elsewhere():
        pytest.skip("kirmatch is not installed in this environment")
    script = Path(sys.executable).with_name("kirmatch")
    done = subprocess.run([str(script), "classify", "B*57:01"], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Bw4\t80I" in done.stdout
