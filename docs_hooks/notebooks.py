"""MkDocs hook: a page shows a notebook executed while the site is built, with its outputs.

A line of the form

    <!-- execute-notebook: notebooks/donor_screening.ipynb -->

in a page (path relative to that page) is replaced by the notebook, run top to bottom with nbclient in a fresh
``python3`` kernel started in the notebook's folder: Markdown cells as Markdown (headings one level down, under the
page's own title), code cells as highlighted Python, and each output as the notebook front end would show it
(HTML such as DataFrames and kirmatch's donor-versus-recipient grid, PNG images embedded in the page, text).
The notebooks stay committed without outputs. The kernel imports kirmatch from this checkout's ``src`` (the
same code that mkdocstrings documents), ahead of any other PYTHONPATH entry. A cell that raises fails the build.

``KIRMATCH_DOCS_EXECUTE=0`` in the environment skips the execution (a note says so on the page): for quick
previews and for tests that build the site only to check links.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
from contextlib import contextmanager
from pathlib import Path

from mkdocs.exceptions import PluginError

MARKER = re.compile(r"^<!--\s*execute-notebook:\s*(\S+)\s*-->\s*$", re.M)
FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
TIMEOUT = 180  # seconds per cell

_cache: dict[str, str] = {}  # notebook digest -> rendered Markdown, for the builds of one `mkdocs serve`
_outputs: dict[str, str] = {}  # placeholder -> output HTML, substituted after Markdown has run


def _executing() -> bool:
    return os.environ.get("KIRMATCH_DOCS_EXECUTE", "1").strip().lower() not in {"0", "false", "no", "off"}


@contextmanager
def _kernel_environment(src: Path):
    """PYTHONPATH with this checkout's src first (absolute, as the kernel starts in another folder); Agg backend."""
    saved = {key: os.environ.get(key) for key in ("PYTHONPATH", "MPLBACKEND")}
    entries = [str(src)] + [
        str(Path(p).resolve()) for p in (saved["PYTHONPATH"] or "").split(os.pathsep) if p
    ]
    os.environ["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(entries))
    os.environ["MPLBACKEND"] = "Agg"
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _execute(path: Path, src: Path):
    import nbclient
    import nbformat

    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb, kernel_name="python3", timeout=TIMEOUT, resources={"metadata": {"path": str(path.parent)}}
    )
    with _kernel_environment(src):
        try:
            client.execute()
        except nbclient.exceptions.CellExecutionError as error:
            raise PluginError(f"{path.name} failed while the docs were built:\n{error}") from error
    return nb


def _demote_headings(markdown: str) -> str:
    out, fence = [], None
    for line in markdown.splitlines():
        opening = FENCE.match(line)
        if fence is not None:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = None
        elif opening:
            fence = opening.group(1)
        elif re.match(r"^#{1,5} ", line):
            line = "#" + line
        out.append(line)
    return "\n".join(out)


def _text(value) -> str:
    return value if isinstance(value, str) else "".join(value)


def _output_html(output) -> str | None:
    kind = output.get("output_type")
    if kind == "stream":
        return f'<pre class="nb-stream">{html.escape(_text(output.get("text", "")))}</pre>'
    if kind == "error":
        return f'<pre class="nb-error">{html.escape(chr(10).join(output.get("traceback", [])))}</pre>'
    data = output.get("data", {})
    if "text/html" in data:
        return _text(data["text/html"])
    if "image/png" in data:
        png = _text(data["image/png"]).replace("\n", "")
        alt = html.escape(_text(data.get("text/plain", "figure")), quote=True)
        return f'<img src="data:image/png;base64,{png}" alt="{alt}">'
    if "image/svg+xml" in data:
        return _text(data["image/svg+xml"])
    if "text/plain" in data:
        return f"<pre>{html.escape(_text(data['text/plain']))}</pre>"
    return None


def render(nb, key: str) -> str:
    """The executed notebook as Markdown, with each cell's outputs as one placeholder paragraph."""
    parts = []
    for index, cell in enumerate(nb.cells):
        source = _text(cell.source).rstrip()
        if cell.cell_type == "markdown":
            parts.append(_demote_headings(source))
        elif cell.cell_type == "code":
            if source:
                fence = "~~~~" if "```" in source else "```"
                parts.append(f"{fence}python\n{source}\n{fence}")
            shown = [h for h in (_output_html(o) for o in cell.get("outputs", [])) if h]
            if shown:
                placeholder = f"kirmatch-notebook-output-{key}-{index}"
                _outputs[placeholder] = '<div class="nb-output">\n' + "\n".join(shown) + "\n</div>"
                parts.append(placeholder)
    return "\n\n".join(parts) + "\n"


def _notebook_markdown(path: Path, src: Path) -> str:
    if not path.is_file():
        raise PluginError(f"execute-notebook: {path} does not exist")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    if digest not in _cache:
        _cache[digest] = render(_execute(path, src), digest)
    return _cache[digest]


def on_page_markdown(markdown, page, config, files):
    if not MARKER.search(markdown):
        return markdown
    page_dir = Path(page.file.abs_src_path).parent
    src = Path(config.config_file_path).resolve().parent / "src"

    def replace(match: re.Match) -> str:
        path = (page_dir / match.group(1)).resolve()
        if not _executing():
            return (
                '!!! note "Notebook not executed"\n'
                f"    This build skipped running `{match.group(1)}` (KIRMATCH_DOCS_EXECUTE=0).\n"
            )
        return _notebook_markdown(path, src)

    return MARKER.sub(replace, markdown)


def on_page_content(content, page, config, files):
    if "kirmatch-notebook-output-" not in content:
        return content
    return re.sub(
        r"<p>(kirmatch-notebook-output-[0-9a-f]+-\d+)</p>",
        lambda m: _outputs.get(m.group(1), m.group(0)),
        content,
    )
