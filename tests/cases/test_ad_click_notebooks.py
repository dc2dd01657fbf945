"""What the ad-click notebooks record at their defaults, checked against what the simulator's truth implies.

The records are read from the committed notebooks; nbval (in the same test run) re-executes those notebooks
and fails if any output, records included, no longer reproduces, so these are the numbers a fresh run gives.
"""

import math

import pytest

from kit_factory import KIT_ROOT
from mlsd.cases.ad_click.simulate import DELAY_MEDIAN_HOURS, DELAY_SIGMA
from mlsd.records import read_records

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


def test_architecture():
    r = records("3_architecture")
    assert r["p99_total_ms"] < r["sum_of_stage_p99_ms"]  # slow stages rarely coincide
    assert r["within_budget_at_5000_candidates"] < r["within_budget"]
    assert r["skewed_calibration_ratio"] < r["consistent_calibration_ratio"] - 0.2  # skewed counters under-predict
    assert r["skewed_ne"] > r["consistent_ne"]
    assert r["stale_minus_fresh_ne_mean"] > 0  # a fresh model beats a stale one


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


def test_exercise_records_the_learners_answers():
    r = read_records(KIT_ROOT / "exercises" / "03_ad_click.ipynb")
    assert r["chosen_cadence_days"] in (1, 2, 4, 7)
    assert r["design_points_missing"] == 0
