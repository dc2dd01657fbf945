"""What the ad-click notebooks record at their defaults, checked against what the simulator's truth implies,
and that notebooks 2 and 4 run on Criteo files (written here in each exact layout).

The records are read from the committed notebooks; nbval (in the same test run) re-executes those notebooks
and fails if any output, records included, no longer reproduces, so these are the numbers a fresh run gives.
"""

import json
import math
from pathlib import Path

import pytest

from kit_factory import KIT_ROOT, run_mlsd
from mlsd.cases.ad_click import (
    CRITEO_MEANINGFUL_ROWS,
    held_out_predictions,
    load_data,
    published_sources,
    published_table,
    scorecards,
    split,
    write_synthetic_criteo,
)
from mlsd.cases.ad_click.simulate import DELAY_MEDIAN_HOURS, DELAY_SIGMA
from mlsd.cases.contract import STAGES
from mlsd.records import read_records
from mlsd.runs.catalog import resolve_targets
from mlsd.runs.plan import plan_runs

CASE = KIT_ROOT / "notebooks" / "03_ad_click"


def records(name: str) -> dict:
    return read_records(CASE / f"{name}.ipynb")


def _late_share(hours: float) -> float:
    return 0.5 * math.erfc((math.log(hours) - math.log(DELAY_MEDIAN_HOURS)) / (DELAY_SIGMA * math.sqrt(2)))


def test_problem_framing():
    r = records("1_problem_framing")
    assert r["observed_ctr"] == pytest.approx(0.02, abs=0.001)
    assert r["clicks_in_window"] == pytest.approx(1 - _late_share(24.0), abs=0.01)
    assert r["truth_ne"] < r["baseline_ne"] < 1
    assert r["winner_changed_at_2x"] > 0.05  # miscalibration between advertisers changes winners
    assert r["truth_auc_drop_at_2x"] > r["lr_gbdt_auc_gap"] > 0  # and moves AUC more than the models differ
    assert r["design_points_missing"] == 0


def test_metrics():
    r = records("2_metrics")
    assert r["truth_ne"] < min(r["lr_ne"], r["gbdt_ne"]) and max(r["lr_ne"], r["gbdt_ne"]) < r["baseline_ne"]
    assert r["truth_auc"] > max(r["lr_auc"], r["gbdt_auc"]) > r["baseline_auc"]
    assert r["always_no_click_accuracy"] > 0.97  # accuracy cannot tell a model from "never click"
    assert r["downsampled_raw_calibration_ratio"] > 3  # keeping 10% of negatives inflates probabilities
    assert r["downsampled_corrected_ece"] < 0.5 * r["downsampled_raw_ece"]  # recalibration cuts ECE by more than half
    assert abs(r["downsampled_raw_auc"] - r["lr_auc"]) < 0.02  # while the ranking barely moves
    assert 0 < r["best_threshold"] < 1
    assert r["in_sample_threshold_cost"] <= r["best_threshold_cost"]  # choosing on test flatters
    assert r["ablation_no_crosses_ne_change"] > 0 and r["ablation_buckets_2_10_ne_change"] > 0
    assert r["blind_vs_truth_top_slot"] < 1 < r["blind_vs_truth_bottom_slot"]  # position-blind
    assert r["ab_clicks_change"] > 0  # logistic regression wins more clicks online than the baseline


def test_architecture():
    r = records("3_architecture")
    assert r["p99_total_ms"] < r["sum_of_stage_p99_ms"]  # slow stages rarely coincide
    assert r["within_budget_at_5000_candidates"] < r["within_budget"]
    assert r["skewed_calibration_ratio"] < r["consistent_calibration_ratio"] - 0.2  # skewed counters under-predict
    assert r["skewed_ne"] > r["consistent_ne"]
    assert r["stale_minus_fresh_ne_mean"] > 0  # a fresh model beats a stale one
    assert r["correlated_p99_over_sum"] == pytest.approx(1.0, abs=0.01)  # comonotone stages: p99s add up
    assert r["skewed_counter_psi_min"] >= 0.25  # the feature monitor alerts on every skewed counter
    assert 0.05 < r["last_day_late_click_share"] < 0.12  # late clicks of the day before the counter is read
    assert r["leak_served_minus_offline_calibration"] < 0  # eventual labels flatter the offline calibration


def test_tradeoffs():
    r = records("4_tradeoffs")
    assert r["window_1h_missed_clicks"] == pytest.approx(_late_share(1.0), abs=0.03)
    assert r["window_1h_calibration_ratio"] < r["window_24h_calibration_ratio"]  # missed clicks teach too low a rate
    assert r["downsample_3pct_raw_calibration_ratio"] > 10
    assert abs(r["downsample_3pct_corrected_calibration_ratio"] - 1) < 0.25
    assert abs(r["downsample_3pct_auc_change"]) < 0.03
    assert r["exploration_max_good_new_ads_found"] > r["exploration_0_good_new_ads_found"]
    assert r["first_alert_day"] == 11  # the traffic shift starts on day 11 (the notebook's default shift_day)
    assert r["cadence_7_day_trainings"] == 1
    assert r["cadence_7_day_truth_ne_vs_daily"] > 0  # against the truth, weekly retraining loses
    assert r["history_at_equal_compute_ne_vs_recent"] < 0  # downsampling buys history at equal compute


def test_exercise_records_the_learners_answers():
    r = read_records(KIT_ROOT / "exercises" / "03_ad_click.ipynb")
    assert all(r[f"task{n}_passed"] for n in range(1, 8))
    assert r["task2"] == "calibration only"  # downsampling moves the level, not the order


# --- on a Criteo file ------------------------------------------------------------------------------

CRITEO_ROWS = 3_000
CRITEO_NOTEBOOKS = ("2_metrics", "4_tradeoffs")


def _stream_text(notebook) -> str:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return "".join("".join(o.get("text", "")) for c in cells for o in c.get("outputs", []) if o.get("output_type") == "stream")


@pytest.mark.notebooks
@pytest.mark.parametrize("layout", ["train.txt"])
def test_notebooks_2_and_4_run_on_a_criteo_file(tmp_path, layout):
    # one layout: tests/cases/test_ad_click_data.py checks that each layout loads as the reader reads it
    path = write_synthetic_criteo(tmp_path / "clicks", CRITEO_ROWS, layout=layout, seed=6).path
    out = tmp_path / "out"
    targets = [f"notebooks/03_ad_click/{name}.ipynb" for name in CRITEO_NOTEBOOKS]
    result = run_mlsd("run", *targets, "--out", str(out), "-p", "data_source", "criteo", "-p", "data_path", str(path), "-p", "seed", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    metrics, tradeoffs = (read_records(out / target) for target in targets)
    data = load_data("criteo", str(path))
    held_out = split(data)
    scored = held_out_predictions(data, held_out, label_window_hours=24.0, seed=2)
    expected = scorecards(scored.y_test, scored.predictions)
    for model, short in (("baseline", "baseline"), ("logistic regression", "lr"), ("gradient-boosted trees", "gbdt")):
        assert metrics[f"{short}_auc"] == pytest.approx(expected.loc[model, "roc_auc"], rel=1e-9)
        assert metrics[f"{short}_ne"] == pytest.approx(expected.loc[model, "normalized_entropy"], rel=1e-9)
    assert not any(name.startswith("truth_") for name in metrics)  # no truth on a real log
    assert metrics["data_source"] == tradeoffs["data_source"] == "criteo"
    assert metrics["data_rows"] == tradeoffs["data_rows"] == CRITEO_ROWS
    # downsampling on the file's own rows: raw probabilities too high, the correction brings them back
    assert metrics["downsampled_raw_calibration_ratio"] > 1.5 > metrics["downsampled_corrected_calibration_ratio"]
    assert tradeoffs["downsample_3pct_raw_calibration_ratio"] > 2
    assert abs(tradeoffs["downsample_3pct_corrected_calibration_ratio"] - 1) < abs(tradeoffs["downsample_3pct_raw_calibration_ratio"] - 1)
    assert tradeoffs["first_alert_day"] == 11  # the simulator-only sections ran on a simulated market
    printed = _stream_text(out / targets[0])
    assert f"Only {CRITEO_ROWS:,} lines: below {CRITEO_MEANINGFUL_ROWS:,}" in printed and "not meaningful" in printed
    assert "0.7655" not in printed  # published numbers come from the package table, shown as a table
    assert "run on a simulated market" in _stream_text(out / targets[1])


def test_the_published_numbers_are_the_sources_own():
    table = published_table()
    assert table.loc["LightGBM (recommenders)", "roc_auc"] == pytest.approx(0.76554, abs=5e-6)
    assert table.loc["LightGBM (recommenders)", "log_loss"] == pytest.approx(0.46826, abs=5e-6)
    assert table.loc["FFM, 2014 winners", "log_loss"] == 0.44479  # private leaderboard
    assert len(published_sources()) == len(table)


def test_a_case_folder_run_on_criteo_names_the_notebooks_that_take_it(tmp_path):
    notebooks = resolve_targets(["notebooks/03_ad_click"], False, KIT_ROOT)
    assert [nb.path.name for nb in notebooks] == [f"{stage}.ipynb" for stage in STAGES]
    plan = plan_runs(notebooks, {}, [("data_source", "criteo"), ("data_path", str(tmp_path / "f.txt"))])
    taking = ", ".join(f"notebooks/03_ad_click/{name}.ipynb" for name in CRITEO_NOTEBOOKS)
    assert f"data_source: only {taking} run on the source given; the other 2 run on their simulator" in plan.notices
    by_name = {Path(run.notebook.name).stem: run.parameters.get("data_source") for run in plan.requests}
    assert by_name == {"1_problem_framing": None, "2_metrics": "criteo", "3_architecture": None, "4_tradeoffs": "criteo"}
