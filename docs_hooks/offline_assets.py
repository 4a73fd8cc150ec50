"""MkDocs hook: the site's stylesheets for highlighted code and notebook output, generated at build time.

Code is highlighted by Pygments while the site is built (``pymdownx.highlight``), so the pages need no JavaScript
and no CDN; the theme's own highlight.js (loaded from a CDN) is switched off in mkdocs.yml. This hook writes the
matching Pygments colours, and the few rules that frame a notebook's outputs, as ``css/kirmatch.css``.
"""

from __future__ import annotations

from mkdocs.structure.files import File
from pygments.formatters import HtmlFormatter

CSS_PATH = "css/kirmatch.css"
PYGMENTS_STYLE = "default"

NOTEBOOK_CSS = """
.nb-output { margin: -12px 0 24px 0; padding: 6px 12px; border-left: 3px solid #d5d8dc; overflow-x: auto; }
.nb-output pre { margin: 0; padding: 0; border: none; background: none; white-space: pre-wrap; font-size: 75%; }
.nb-output table { margin: 6px 0; font-size: 85%; }
.nb-output img { max-width: 100%; height: auto; }
"""


def stylesheet() -> str:
    return HtmlFormatter(style=PYGMENTS_STYLE).get_style_defs(".highlight") + "\n" + NOTEBOOK_CSS.lstrip()


def on_config(config):
    if CSS_PATH not in config.extra_css:
        config.extra_css.append(CSS_PATH)
    return config


def on_files(files, config):
    files.append(File.generated(config, CSS_PATH, content=stylesheet()))
    return files
