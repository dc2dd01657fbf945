"""The Dask executor gives the same sweep as the local one, and a missing or silent scheduler is a clear error."""

import csv
import logging
import sys
from pathlib import Path

import pytest
from kit_factory import run_mlsd, write_notebook

pytestmark = pytest.mark.slow

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=logging.CRITICAL) as local:
        yield local


def read_rows(folder: Path) -> list[dict]:
    with open(folder / "results.csv", newline="") as handle:
        return [{key: value for key, value in row.items() if key != "seconds"} for row in csv.DictReader(handle)]


def test_a_sweep_on_a_dask_cluster_gives_the_same_results_as_a_local_one(cluster, tmp_path):
    root = tmp_path / "kit"
    write_notebook(root / "notebooks" / "00_start_here.ipynb")
    grid = tmp_path / "grid.yaml"
    grid.write_text("seed: [2]\nmode: [fine, fail]\n")
    common = ("--root", str(root), "sweep", "start_here", "--grid", str(grid), "-p", "n", "30", "--jobs", "2")
    local = run_mlsd(*common, "--out", str(tmp_path / "local"))
    on_dask = run_mlsd(*common, "--out", str(tmp_path / "dask"), "--executor", "dask", "--scheduler", cluster.scheduler_address)
    assert local.returncode == on_dask.returncode == 1, on_dask.stderr
    rows = read_rows(tmp_path / "dask")
    assert rows == read_rows(tmp_path / "local")
    assert [(row["seed"], row["mode"], row["status"]) for row in rows] == [("2", "fine", "ok"), ("2", "fail", "failed")]
    assert rows[0]["mean"] and all((tmp_path / "dask" / row["output"]).is_file() for row in rows)
    assert rows[1]["error"] == "In [5]: RuntimeError: asked to fail"


def test_an_unreachable_scheduler_is_rejected_with_one_line_and_nothing_is_written(tiny_kit, tmp_path, write_grid):
    out = tmp_path / "out"
    grid = write_grid("seed: [1, 2]\n")
    result = run_mlsd("--root", str(tiny_kit), "sweep", "start_here", "--grid", str(grid), "--out", str(out), "--executor", "dask", "--scheduler", "tcp://127.0.0.1:1")
    assert result.returncode == 2
    assert result.stderr.splitlines() == ["mlsd sweep: --scheduler tcp://127.0.0.1:1: no Dask scheduler answered (Timed out trying to connect to tcp://127.0.0.1:1 after 10 s)"]
    assert not out.exists()


def test_dask_without_a_scheduler_is_rejected(tiny_kit, write_grid, mlsd_here):
    status, _, stderr = mlsd_here("--root", tiny_kit, "sweep", "start_here", "--grid", write_grid("seed: [1]\n"), "--executor", "dask")
    assert status == 2
    assert stderr == "mlsd sweep: --executor dask needs --scheduler ADDRESS, e.g. tcp://HOST:8786\n"


def test_dask_without_the_distributed_package_is_rejected_with_what_to_install(tiny_kit, write_grid, mlsd_here, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    grid = write_grid("seed: [1]\n")
    status, _, stderr = mlsd_here("--root", tiny_kit, "sweep", "start_here", "--grid", grid, "--executor", "dask", "--scheduler", "tcp://127.0.0.1:1")
    assert status == 2
    assert stderr == "mlsd sweep: --executor dask needs the distributed package: pip install -e '.[dask]'\n"
    assert not (tiny_kit / "runs").exists()
