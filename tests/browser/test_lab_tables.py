"""Every table a committed notebook shows fits JupyterLab's output area in a 1280-pixel window.

JupyterLab opens each notebook as a learner sees it first: default layout, file browser open,
stored outputs rendered (no kernel work). At 1280 pixels the output area is about 850 pixels wide;
a wider table scrolls sideways, which on a projector means it is not read.
"""

from __future__ import annotations

import pytest
from browser import harness

from mlsd.runs.catalog import discover

NOTEBOOKS = [str(notebook.path.relative_to(harness.KIT_ROOT)) for notebook in discover(harness.KIT_ROOT)]


@pytest.fixture(scope="module")
def every_notebook_lab(tmp_path_factory):
    server = harness.start_lab(tmp_path_factory.mktemp("lab-tables"), NOTEBOOKS)
    yield server
    server.stop()


def test_every_table_fits_the_output_area(every_notebook_lab, page_for):
    too_wide = {}
    for relative in NOTEBOOKS:
        page = page_for(every_notebook_lab)
        harness.open_notebook(page, every_notebook_lab, relative)
        widths = page.evaluate("""() => {
            const cells = [...document.querySelectorAll('.jp-Notebook .jp-Cell')];
            return [...document.querySelectorAll('.jp-OutputArea-output table')].map(table => ({
                cell: cells.indexOf(table.closest('.jp-Cell')),
                table: Math.round(table.getBoundingClientRect().width),
                area: table.closest('.jp-OutputArea-output').clientWidth}));
        }""")
        assert widths or relative.endswith(("practice_app.ipynb", "explorers.ipynb")), f"{relative}: no table found"
        wide = [(w["cell"], w["table"], w["area"]) for w in widths if w["table"] > w["area"]]
        if wide:
            too_wide[relative] = wide
    assert not too_wide, f"tables wider than the output area (cell, table px, area px): {too_wide}"
