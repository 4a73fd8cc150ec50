"""The examples in docstrings, README.md and docs/*.md run as written, and so does the README's first command."""

from __future__ import annotations

import doctest
import importlib
import io
import pkgutil
import re
import shlex
from pathlib import Path

import pytest

import kirmatch
from kirmatch.cli import main

ROOT = Path(__file__).resolve().parents[1]
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
MODULES = sorted(
    m.name for m in pkgutil.iter_modules(kirmatch.__path__) if m.name not in {"__main__"}
)
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(f"kirmatch.{name}")
    result = doctest.testmod(module, optionflags=FLAGS)
    assert result.failed == 0


def _python_blocks(text: str) -> str:
    return "\n\n".join(m.group(1) for m in re.finditer(r"```python\n(.*?)```", text, re.S))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_page_examples(page: Path) -> None:
    source = _python_blocks(page.read_text(encoding="utf-8"))
    if ">>>" not in source:
        pytest.skip(f"{page.name} has no Python examples")
    test = doctest.DocTestParser().get_doctest(source, {"kirmatch": kirmatch}, page.name, str(page), 0)
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    runner.run(test, out=lambda s: None)
    assert runner.summarize(verbose=False).failed == 0, f"an example in {page.name} fails; run doctest on it"


def test_readme_first_command_runs_the_main_job() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", readme, re.S)
    assert block is not None
    first, second = block.group(1).strip().splitlines()[:2]
    assert first.startswith("pip install . && kirmatch ")
    assert second.startswith("pip install") and "pytest" in second
    argv = shlex.split(first.split("&& kirmatch ", 1)[1])
    out, err = io.StringIO(), io.StringIO()
    assert main(argv, out=out, err=err) == 0, err.getvalue()
    assert "GvH KIR-ligand incompatible" in out.getvalue()
