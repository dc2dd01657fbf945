"""Executed notebooks as self-contained HTML pages that open offline.

nbconvert's lab template loads require.js, MathJax and mermaid from a CDN, and the widget manager
from unpkg when the notebook stores widget state. Here:

- a template extending the lab one empties those script blocks, so the page adds no script of its
  own (a notebook's own HTML output is kept as it is);
- ``metadata.widgets`` is removed, and the output priority leaves out widget views, JavaScript and
  mermaid, so such outputs show their plain-text (or image) fallback;
- any remaining ``src=`` or ``href=`` attribute pointing to the web (a markdown image or link in the
  notebook's own text) becomes ``data-external-url=``, so nothing is fetched and the address stays
  readable in the page source.

Images are embedded as data URIs and the CSS is inlined, so each page is one file. LaTeX in
markdown is shown as its source (MathJax would need the network).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import nbformat
from jinja2 import DictLoader
from nbconvert import HTMLExporter
from traitlets.config import Config

OFFLINE_TEMPLATE = "mlsd_offline.html.j2"
_TEMPLATE_SOURCE = """\
{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""
OUTPUT_PRIORITY = ["text/html", "text/markdown", "image/svg+xml", "text/latex", "image/png", "image/jpeg", "text/plain"]
_EXTERNAL = re.compile(r"""\b(?:src|href)(\s*=\s*["']?\s*(?:https?:)?//)""", re.IGNORECASE)


def offline_exporter() -> HTMLExporter:
    """An HTMLExporter (lab template) whose pages load nothing from the network; reuse it."""
    config = Config({"NbConvertBase": {"display_data_priority": OUTPUT_PRIORITY}})
    return HTMLExporter(
        config=config,
        extra_loaders=[DictLoader({OFFLINE_TEMPLATE: _TEMPLATE_SOURCE})],
        template_file=OFFLINE_TEMPLATE,
        embed_images=True,
    )


def render_notebook(exporter: HTMLExporter, notebook: nbformat.NotebookNode, target: Path, title: str, folder: Path) -> None:
    """Write ``notebook`` (executed, read from ``folder``) as the offline HTML page ``target``.

    Images that its markdown names by a path relative to ``folder`` are embedded when they exist.
    """
    notebook.metadata.pop("widgets", None)
    body, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": title, "path": str(folder)}})
    target.write_text(_EXTERNAL.sub(r"data-external-url\1", body), encoding="utf-8")


def render_all(
    pages: list[tuple[Path, Path, str]], progress: Callable[[str], None] = lambda line: None
) -> dict[Path, str]:
    """Render each ``(source, target, title)`` in turn with one exporter.

    A source that cannot be read as a notebook (missing, not JSON, not a notebook) is skipped; the
    returned mapping gives each skipped source the reason. Any other error propagates.
    """
    exporter = offline_exporter()
    skipped = {}
    for number, (source, target, title) in enumerate(pages, start=1):
        progress(f"rendering notebook {number}/{len(pages)}")
        try:
            notebook = nbformat.read(source, as_version=4)
        except (OSError, ValueError) as error:
            skipped[source] = " ".join(str(error).split()) or type(error).__name__
            continue
        render_notebook(exporter, notebook, target, title, source.parent)
    return skipped
