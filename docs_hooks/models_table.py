"""MkDocs hook: the table of matching models is written from kirmatch's model registry, never by hand.

A line ``<!-- kirmatch: models-table -->`` in a page is replaced by one row per model registered in
``kirmatch.MODELS`` (the registry that the scalar API, the frame functions and the command line read): its name,
its rule, what it needs and its citation. A model added to the registry appears here with no edit to the page.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

MARKER = re.compile(r"^<!--\s*kirmatch:\s*models-table\s*-->\s*$", re.M)
SRC = Path(__file__).resolve().parents[1] / "src"


def models_table() -> str:
    """The Markdown table of the registered models, in registration order."""
    if str(SRC) not in sys.path:
        sys.path.insert(0, str(SRC))
    from kirmatch.models import LIGAND_LIGAND, MODELS

    rows = [
        "| kirmatch's name | GvH rule | needs | source | the sentence relied on | also called |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for model in MODELS:
        name = f"`{model.name}`" + (" (default)" if model is LIGAND_LIGAND else "")
        needs = "HLA of both" if model.uses_donor_hla else "recipient HLA"
        if model.needs_kir:
            needs += ", donor KIR genes"
        quote = f"\u201c{model.quote}\u201d" if model.quote else ""
        rows.append(f"| {name} | {model.rule} | {needs} | {model.citation} | {quote} | {model.also_called} |")
    return "\n".join(rows)


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    if not MARKER.search(markdown):
        return markdown
    table = models_table()
    return MARKER.sub(lambda _: table, markdown)
