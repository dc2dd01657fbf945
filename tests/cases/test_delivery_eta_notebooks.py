"""Delivery ETA's notebooks 1–3 on files in DoorDash's and the food-delivery set's layouts."""

import json

import pytest
from delivery_files import doordash_log, food_log, write_doordash, write_food
from kit_factory import run_mlsd

from mlsd.cases.delivery_eta.data import NO_TRUTH, load_data
from mlsd.records import read_records

NOTEBOOKS = [f"notebooks/05_delivery_eta/{stage}.ipynb"
             for stage in ("1_problem_framing", "2_metrics", "3_architecture")]


def _stream_text(notebook) -> str:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return "".join("".join(o.get("text", "")) for c in cells for o in c.get("outputs", [])
                   if o.get("output_type") == "stream")


@pytest.mark.notebooks
@pytest.mark.parametrize("source", ["doordash", "food_delivery"])
def test_notebooks_1_to_3_run_on_the_published_layouts(tmp_path, source):
    if source == "doordash":
        path = write_doordash(tmp_path / "historical_data.csv", doordash_log(n_orders=2_500))
    else:
        path = write_food(tmp_path / "deliverytime.txt", food_log(n_orders=2_000))
    table = load_data(source, str(path)).table
    out = tmp_path / "out"
    result = run_mlsd("run", *NOTEBOOKS, "--out", str(out), "-p", "data_source", source,
                      "-p", "data_path", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    framing, metrics, architecture = (read_records(out / notebook) for notebook in NOTEBOOKS)
    for records in (framing, metrics, architecture):
        assert records["data_source"] == source and records["data_rows"] == len(table)
        assert ("data_days" in records) == (source == "doordash")
    assert "part_prep_mean" not in framing and "design_prep_mae" not in architecture
    assert framing["design_findings"] == 0
    assert metrics["estimate_gbdt_squared_mae"] < metrics["estimate_store_average_mae"]
    assert 0.5 < metrics["promise_calibrated_coverage"] < 1
    assert architecture["feature_set_all_mae"] > 0
    assert ("lag_30_mae" in architecture) == (source == "doordash")
    assert NO_TRUTH in _stream_text(out / NOTEBOOKS[0])
    if source == "food_delivery":
        assert "no timestamps" in _stream_text(out / NOTEBOOKS[0])
