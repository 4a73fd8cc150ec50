"""The examples in the docstrings of the matching modules run as written."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["presence", "genotype", "profile", "kir", "mismatch", "protocol"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(f"kirmatch.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_readme_python_examples():
    from pathlib import Path

    readme = Path(__file__).resolve().parents[1] / "README.md"
    parser = doctest.DocTestParser()
    text = readme.read_text(encoding="utf-8")
    section = text[text.index("## Donor versus recipient"):text.index("## Rebuilding the table")]
    section = "\n".join("" if line.startswith("```") else line for line in section.splitlines())
    test = parser.get_doctest(section, {}, "README", str(readme), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.summarize(verbose=False).failed == 0
