"""MkDocs hook: Python examples written as doctests (``>>>`` lines) render as highlighted code blocks.

The docstrings carry their examples as plain doctest blocks, which Markdown would otherwise read as a paragraph: an
allele name such as ``C*07:02`` then loses its asterisk to emphasis. This hook adds a Markdown preprocessor (to the
pages and, through ``config.markdown_extensions``, to the docstrings mkdocstrings renders) that wraps every run of
lines starting with ``>>>``, up to the next blank line (where a doctest's expected output ends), in a ``pycon``
fence. Lines already inside a fenced block are left alone. Nothing in the source changes, so the doctests run as
before.
"""

from __future__ import annotations

import re

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor
from mkdocs.plugins import event_priority

FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})")
PROMPT = re.compile(r"^(\s*)>>>(\s|$)")


def wrap_doctests(lines: list[str]) -> list[str]:
    out: list[str] = []
    fence: str | None = None  # the opening fence while inside a fenced block
    i = 0
    while i < len(lines):
        line = lines[i]
        opening = FENCE.match(line)
        if fence is not None:
            if opening and opening.group(2)[0] == fence[0] and len(opening.group(2)) >= len(fence):
                fence = None
            out.append(line)
            i += 1
            continue
        if opening:
            fence = opening.group(2)
            out.append(line)
            i += 1
            continue
        prompt = PROMPT.match(line)
        if not prompt:
            out.append(line)
            i += 1
            continue
        indent = prompt.group(1)
        block = []
        while i < len(lines) and lines[i].strip():
            text = lines[i]
            block.append(text[len(indent):] if text.startswith(indent) else text.lstrip())
            i += 1
        marker = "~~~" if any("```" in b for b in block) else "```"
        if out and out[-1].strip():
            out.append("")
        out.extend([f"{indent}{marker}pycon", *(f"{indent}{b}" for b in block), f"{indent}{marker}", ""])
    return out


class _DoctestPreprocessor(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        return wrap_doctests(lines)


class DoctestBlocks(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        # after whitespace normalization (30), before the fenced-code preprocessor (25) that reads our fences
        md.preprocessors.register(_DoctestPreprocessor(md), "kirmatch_doctest_blocks", 27)


@event_priority(100)  # before mkdocstrings builds its Markdown converters from the same extension list
def on_config(config):
    if not any(isinstance(ext, DoctestBlocks) for ext in config.markdown_extensions):
        config.markdown_extensions.append(DoctestBlocks())
    return config
