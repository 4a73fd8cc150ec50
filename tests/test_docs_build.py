"""The documentation: the generated allele-count page matches the table, every public name is in the API reference,
every page is in the navigation, and ``mkdocs build --strict`` succeeds (warnings fail).

The site is built once per session (the build executes the donor-screening notebook) and its HTML is then read for
what a reader would see wrong: Sphinx roles left raw, allele names whose asterisk Markdown ate, a notebook page
without its outputs, code highlighting fetched from a CDN. A broken anchor must fail the strict build."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
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
    for locus, expressed, silent, _total in totals:
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


def _need_mkdocs() -> None:
    for module in ("mkdocs", "mkdocstrings", "mkdocstrings_handlers.python", "pymdownx", "nbclient", "ipykernel"):
        try:
            __import__(module)
        except ImportError:
            if os.environ.get("CI"):
                pytest.fail(f"CI must build the docs: {module} is missing (install the docs extra)")
            pytest.skip(f"{module} is not installed (pip install '.[docs]')")


def _mkdocs_build(root: Path, site: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **env},
    )


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site built once, strictly, from this checkout (notebook executed)."""
    _need_mkdocs()
    site = tmp_path_factory.mktemp("docs") / "site"
    done = _mkdocs_build(ROOT, site, KIRMATCH_DOCS_EXECUTE="1")
    assert done.returncode == 0, done.stderr[-4000:]
    return site


class _Text(HTMLParser):
    """The text a reader sees: text nodes only (no tags, attribute values or URLs in them), no script or style."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("script", "style"):
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden = max(0, self._hidden - 1)

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(page: str) -> str:
    parser = _Text()
    parser.feed(page)
    parser.close()
    return re.sub(r"\b(?:https?|ftp)://\S+", " ", "".join(parser.parts))  # URLs written out as link text


RAW_ROLE = re.compile(r":(?:py:)?(?:class|func|data|meth|mod|attr|exc|obj|const):")
# An allele name whose asterisk was lost: a locus letter right before the digits of a colon-separated name
# (C07:02, HLA-A24:02, B*44:02 is fine). Not preceded by a letter, digit or asterisk, so that words such as
# "KIR3DL2:" or hex runs do not match, and needing digits after the colon, so that serology followed by a colon
# ("B44: ...") does not match either.
LOST_ASTERISK = re.compile(r"(?<![\w*])(?:HLA-)?(?:A|B|Cw|C)\d{2,3}:\d{2,3}")
# Old-style names (Cw*0702) have no colon; without its asterisk "Cw0702" is still unmistakable.
LOST_ASTERISK_OLD = re.compile(r"(?<![\w*])Cw\d{4,}")
# In the HTML itself: emphasis opened right after a locus letter, where an allele's asterisk became <em>.
EMPHASIS_AFTER_LOCUS = re.compile(r"(?<![\w*])(?:HLA-)?(?:A|B|Cw|C)<(?:em|strong)>\d")


def allele_names_without_asterisk(page: str) -> list[str]:
    text = visible_text(page)
    found = [m.group(0) for m in LOST_ASTERISK.finditer(text)] + [m.group(0) for m in LOST_ASTERISK_OLD.finditer(text)]
    return found + [m.group(0) for m in EMPHASIS_AFTER_LOCUS.finditer(page)]


def test_lost_asterisk_check_finds_what_it_should_and_only_that() -> None:
    lost = [
        '<p>classify("C07:02").ligand</p>',
        "<p>The mother carries C2 (C<em>05:01) and Bw4 (A</em>24:02, B*44:02)</p>",
        "<p>HLA-B46:01 carries C1</p>",
        "<p>pre-2010: Cw0702</p>",
        "<h2>KIR3DL2 ligands (HLA-A<em>03 and A</em>11)</h2>",
    ]
    fine = [
        "<p>classify(<code>C*07:02</code>), <code>HLA-B*46:01</code>, A*24:02:01:01, Cw*0702</p>",
        "<p>KIR3DL2: A3/A11. B44: Bw4. Serology B51, A24 and Bw4. 10:30, KIR2DL1:2</p>",
        '<p><a href="https://example.org/alleles/A02:01">the IPD page</a> at https://example.org/C07:02</p>',
        "<p>rs1234A56:78 and XC07:02 are not allele names</p>",
        '<img src="data:image/png;base64,iVBORw0KGgo" alt="a figure">',
        "<style>.C07:02 {}</style>",
    ]
    assert all(allele_names_without_asterisk(page) for page in lost), [p for p in lost if not allele_names_without_asterisk(p)]
    assert not [found for page in fine for found in allele_names_without_asterisk(page)]


def _pages(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): p.read_text(encoding="utf-8") for p in sorted(site.rglob("*.html"))}


def test_mkdocs_build_is_strict_and_clean(site: Path) -> None:
    assert (site / "api" / "index.html").is_file()
    assert "kirmatch.frame.rank_donors" in (site / "api" / "index.html").read_text(encoding="utf-8")


def test_no_raw_sphinx_roles(site: Path) -> None:
    raw = {name: sorted(set(RAW_ROLE.findall(page))) for name, page in _pages(site).items() if RAW_ROLE.search(page)}
    assert not raw, f"Sphinx roles shown as text (mkdocstrings does not read them; run the role conversion): {raw}"


def test_cross_references_are_links(site: Path) -> None:
    api = (site / "api" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<a class="autorefs[^"]*"[^>]*href="#kirmatch\.genotype\.Genotype"[^>]*><code>', api)
    assert "[`" not in visible_text(api), "a Markdown cross-reference was left unresolved"


def test_allele_names_keep_their_asterisk(site: Path) -> None:
    lost = {name: found for name, page in _pages(site).items() if (found := allele_names_without_asterisk(page))}
    assert not lost, f"allele names lost their '*' to Markdown emphasis (put them in code spans): {lost}"


def test_doctest_examples_are_code_blocks(site: Path) -> None:
    api = (site / "api" / "index.html").read_text(encoding="utf-8")
    assert '<span class="gp">&gt;&gt;&gt; </span>' in api, "docstring examples are not rendered as pycon code"
    assert re.search(r'<span class="s2">"C\*07:02"</span>', api), 'classify("C*07:02") is not shown as written'
    prose = visible_text(re.sub(r'<div class="[^"]*highlight">.*?</div>', " ", api, flags=re.S))
    assert ">>>" not in prose, "a doctest example was rendered as prose"


def test_notebook_page_shows_the_executed_notebook(site: Path) -> None:
    page = (site / "notebook" / "index.html").read_text(encoding="utf-8")
    assert re.search(r"""class=['"]kirmatch-mismatch['"]""", page), "the donor-versus-recipient HTML grid is missing"
    assert re.search(r'<img [^>]*src="data:image/png;base64,[A-Za-z0-9+/]{100}', page), "the plot is missing"
    assert 'class="dataframe' in page, "the DataFrame outputs are missing"
    assert str(kirmatch.reference_info()) in visible_text(page), "the notebook ran another kirmatch or table"
    assert "kirmatch-notebook-output-" not in page, "an output placeholder was left in the page"
    assert "Notebook not executed" not in page


def test_code_is_highlighted_at_build_time_without_a_cdn(site: Path) -> None:
    pages = _pages(site)
    remote = {
        name: sorted(set(re.findall(r'<(?:script|link)\b[^>]*(?:src|href)="((?:https?:)?//[^"]+)"', page)))
        for name, page in pages.items()
    }
    remote = {name: urls for name, urls in remote.items() if urls}
    assert not remote, f"pages load scripts or stylesheets from the network: {remote}"
    assert not [name for name, page in pages.items() if "hljs" in page or "highlight.js" in page]
    for name in ("index.html", "api/index.html", "notebook/index.html"):
        assert re.search(r'<div class="[^"]*highlight"><pre><span></span><code><span class="\w+">', pages[name]), name
    css = site / "css" / "kirmatch.css"
    assert css.is_file() and ".highlight .k" in css.read_text(encoding="utf-8")
    assert 'href="css/kirmatch.css"' in pages["index.html"]


def test_a_broken_anchor_fails_the_strict_build(tmp_path: Path) -> None:
    _need_mkdocs()
    copy = tmp_path / "repo"
    copy.mkdir()
    shutil.copy2(ROOT / "mkdocs.yml", copy / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", copy / "docs")
    shutil.copytree(ROOT / "docs_hooks", copy / "docs_hooks")
    (copy / "src").symlink_to(ROOT / "src", target_is_directory=True)
    index = copy / "docs" / "index.md"
    index.write_text(
        index.read_text(encoding="utf-8") + "\nSee [the rules](rules.md#no-such-anchor-here).\n", encoding="utf-8"
    )
    done = _mkdocs_build(copy, tmp_path / "site", KIRMATCH_DOCS_EXECUTE="0")  # the notebook does not matter here
    assert done.returncode != 0, "mkdocs build --strict accepted a link to an anchor that does not exist"
    warnings = [line for line in (done.stdout + done.stderr).splitlines() if line.startswith("WARNING")]
    assert len(warnings) == 1 and "no-such-anchor-here" in warnings[0], done.stderr[-4000:]  # that, and nothing else


def _hook(name: str):
    _need_mkdocs()
    spec = importlib.util.spec_from_file_location(f"docs_hooks_{name}", ROOT / "docs_hooks" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_doctest_blocks_become_pycon_fences_and_nothing_else_does() -> None:
    wrap = _hook("doctest_blocks").wrap_doctests
    text = [
        "Which ligand:",
        ">>> classify(\"C*07:02\").ligand",
        "<Ligand.C1: 'C1'>",
        "",
        "```python",
        ">>> inside_a_fence()",
        "```",
        "Text after.",
    ]
    assert wrap(text) == [
        "Which ligand:",
        "",
        "```pycon",
        ">>> classify(\"C*07:02\").ligand",
        "<Ligand.C1: 'C1'>",
        "```",
        "",
        "",
        "```python",
        ">>> inside_a_fence()",
        "```",
        "Text after.",
    ]
    assert wrap(["no examples", "here"]) == ["no examples", "here"]
