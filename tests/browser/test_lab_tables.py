"""Every table a committed notebook shows fits JupyterLab's output area in a 1280-pixel window.

JupyterLab opens each notebook as a learner sees it first: default layout, file browser open,
stored outputs rendered (the test waits for the stored tables, not for the kernel). At 1280 pixels the output area is about 850 pixels wide;
a wider table scrolls sideways, which on a projector means it is not read.
"""

from __future__ import annotations

import json
import secrets

import pytest
from browser import harness

from mlsd.runs.catalog import discover

NOTEBOOKS = [str(notebook.path.relative_to(harness.KIT_ROOT)) for notebook in discover(harness.KIT_ROOT)]


@pytest.fixture(scope="module")
def every_notebook_lab(tmp_path_factory):
    server = harness.start_lab(tmp_path_factory.mktemp("lab-tables"), NOTEBOOKS)
    yield server
    server.stop()


def _stored_tables(relative: str) -> int:
    """How many HTML tables the notebook's stored outputs hold."""
    cells = json.loads((harness.KIT_ROOT / relative).read_text())["cells"]
    return sum("".join(output.get("data", {}).get("text/html", "")).count("<table")
               for cell in cells for output in cell.get("outputs", []))


def _open_rendered(page, relative: str) -> None:
    """Open ``relative`` in the running JupyterLab page, alone, and wait until its stored tables are
    in the page (not for its kernel: stored outputs render without one). The notebooks open before
    are closed unsaved: a kernel connecting while the page is read (widget state, kernel info) can
    mark a notebook changed, and the save dialog would block the page."""
    page.evaluate("""async (relative) => {
        for (const widget of Array.from(window.jupyterapp.shell.widgets('main'))) {
            if (widget.context?.model) widget.context.model.dirty = false;
        }
        await window.jupyterapp.commands.execute('application:close-all');
        await window.jupyterapp.commands.execute('docmanager:open', {path: relative});
    }""", relative)
    page.wait_for_function(
        """([relative, tables]) => window.jupyterapp?.shell?.currentWidget?.context?.path === relative
            && document.querySelectorAll('.jp-OutputArea-output table').length >= tables""",
        arg=[relative, _stored_tables(relative)], timeout=90_000)


def test_every_table_fits_the_output_area(every_notebook_lab, page_for):
    too_wide = {}
    page = page_for(every_notebook_lab)
    server = every_notebook_lab
    page.goto(f"{server.url}/workspaces/mlsd-{secrets.token_hex(4)}?reset&token={server.token}")
    page.wait_for_function("() => window.jupyterapp?.started !== undefined", timeout=90_000)
    page.evaluate("() => window.jupyterapp.started")
    for relative in NOTEBOOKS:
        _open_rendered(page, relative)
        widths = page.evaluate("""() => {
            const cells = [...document.querySelectorAll('.jp-Notebook .jp-Cell')];
            return [...document.querySelectorAll('.jp-OutputArea-output table')].map(table => ({
                cell: cells.indexOf(table.closest('.jp-Cell')),
                table: Math.round(table.getBoundingClientRect().width),
                area: table.closest('.jp-OutputArea-output').clientWidth}));
        }""")
        assert widths or relative.endswith(("practice_app.ipynb", "explorers.ipynb")), f"{relative}: no table found"
        assert all(800 <= w["area"] <= 900 for w in widths), f"not the default layout: {widths[:3]}"
        wide = [(w["cell"], w["table"], w["area"]) for w in widths if w["table"] > w["area"]]
        if wide:
            too_wide[relative] = wide
    assert not too_wide, f"tables wider than the output area (cell, table px, area px): {too_wide}"
