"""Fixtures of the sweep tests: a grid file writer and the `mlsd` command run in this process."""

from pathlib import Path

import pytest

from mlsd.cli import main


@pytest.fixture
def write_grid(tmp_path: Path):
    """Write a grid file's text under tmp_path and return its path."""

    def write(text: str, name: str = "grid.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text)
        return path

    return write


@pytest.fixture
def mlsd_here(capsys):
    """Run `mlsd` in this process (for commands that start no kernel): (exit status, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        status = main([str(arg) for arg in args])
        captured = capsys.readouterr()
        return status, captured.out, captured.err

    return run
