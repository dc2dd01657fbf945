"""Shared fixtures: a throwaway kit of tiny notebooks."""

from pathlib import Path

import pytest
from kit_factory import write_notebook


@pytest.fixture
def tiny_kit(tmp_path: Path) -> Path:
    """A kit folder with one case study of two notebooks and a start notebook."""
    root = tmp_path / "kit"
    write_notebook(root / "notebooks" / "00_start_here.ipynb", smallest={"n": 10})
    write_notebook(root / "notebooks" / "01_toy_case" / "1_framing.ipynb")
    write_notebook(root / "notebooks" / "01_toy_case" / "2_metrics.ipynb", smallest={"n": 20})
    (root / "exercises").mkdir()
    return root
