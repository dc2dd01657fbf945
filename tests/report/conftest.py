"""Fixtures: a toy sweep folder and a run folder, written once per session and only read."""

from pathlib import Path

import pytest
from report.report_folders import (
    FAILED_RUN,
    PENDING_RUN,
    TOY_GRID,
    write_run_folder,
    write_sweep,
)


@pytest.fixture(scope="session")
def toy_sweep(tmp_path_factory) -> Path:
    """The toy sweep (16 runs: 14 ok, 1 failed, 1 pending); read-only, shared by the tests."""
    return write_sweep(
        tmp_path_factory.mktemp("sweep") / "sweep",
        TOY_GRID,
        status=lambda index: {FAILED_RUN: "failed", PENDING_RUN: "pending"}.get(index, "ok"),
    )


@pytest.fixture(scope="session")
def run_folder(tmp_path_factory) -> Path:
    """A run folder of three notebooks (2 ok, 1 failed); read-only, shared by the tests."""
    return write_run_folder(tmp_path_factory.mktemp("run") / "run")
