"""Plain papermill, as a pipeline or an Airflow task calls it, works from any folder and on a renamed
copy: the notebook's parameter check reads the parameters cell the kernel ran, not a file."""

import subprocess
import sys

import pytest
from kit_factory import write_notebook

from mlsd.records import read_records

pytestmark = pytest.mark.slow


def _papermill(*args, cwd) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "papermill", "--log-level", "ERROR", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)


def test_papermill_from_the_kit_folder_on_a_renamed_copy_checks_and_records(tmp_path):
    notebook = write_notebook(tmp_path / "notebooks" / "renamed copy.ipynb")
    done = _papermill(str(notebook.relative_to(tmp_path)), "out.ipynb", "-p", "seed", "3", "-p", "n", "50", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert read_records(tmp_path / "out.ipynb")["size"] == 50


def test_papermill_with_a_value_out_of_range_fails_in_the_check_cell_with_one_line(tmp_path):
    notebook = write_notebook(tmp_path / "notebooks" / "n.ipynb")
    done = _papermill(str(notebook), str(tmp_path / "out.ipynb"), "-p", "n", "5", cwd=tmp_path.parent)
    assert done.returncode == 1
    assert "ParameterError: parameter n = 5 is not allowed: expected an int in [10, 100000]" in done.stderr
