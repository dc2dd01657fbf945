"""What `mlsd explore` serves: the gallery notebook without its cells tagged notebook-only."""

from pathlib import Path

import nbformat

from mlsd.explore import app

GALLERY = Path(__file__).resolve().parents[2] / "notebooks" / "explorers.ipynb"


def test_the_served_gallery_leaves_out_the_table_of_starts_and_keeps_every_other_cell(tmp_path):
    source = nbformat.read(GALLERY, as_version=4)
    served = nbformat.read(app.app_notebook(GALLERY, tmp_path), as_version=4)
    kept = [cell.source for cell in source.cells
            if app.NOTEBOOK_ONLY not in cell.metadata.get("tags", [])]
    assert [cell.source for cell in served.cells] == kept
    assert len(kept) == len(source.cells) - 2
    assert not any("tab.record()" in cell.source or "Where each tab starts" in cell.source
                   for cell in served.cells)
    assert any("gallery.gallery(tabs)" in cell.source for cell in served.cells)
