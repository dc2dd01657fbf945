"""The explorer gallery: every explorer in its own tab, and the numbers its notebook records."""

import numpy as np
import pytest
from sklearn.metrics import precision_score, recall_score

from mlsd.explore import ABPlanner, CalibrationExplorer, FunnelBudgetExplorer, RankingExplorer, ThresholdExplorer, gallery
from mlsd.records import read_records
from mlsd.runs.catalog import default_root, load

ROOT = default_root()
NOTEBOOK = ROOT / "notebooks" / "explorers.ipynb"


@pytest.fixture(scope="module")
def defaults():
    return {name: p.default for name, p in load(NOTEBOOK, ROOT).parameters.items()}


def test_every_explorer_has_a_tab_with_an_introduction():
    explorers = gallery.gallery_explorers(seed=3, n_impressions=20_000, n_events=10_000)
    kinds = [ThresholdExplorer, CalibrationExplorer, RankingExplorer, FunnelBudgetExplorer, ABPlanner]
    assert [type(explorer) for explorer in explorers.values()] == kinds
    tabs = gallery.gallery(explorers)
    assert list(tabs.titles) == list(explorers) == list(gallery.TAB_INTRODUCTIONS)
    for page, explorer in zip(tabs.children, explorers.values()):
        introduction, shown = page.children
        assert introduction.value.startswith("<p") and shown is explorer.widget


def test_recorded_start_is_the_cheapest_threshold_with_its_precision_and_recall(defaults):
    records = read_records(NOTEBOOK)
    y_true, raw_by_rate = gallery.click_predictions(defaults["seed"], defaults["n_impressions"])
    scores = raw_by_rate[1.0]
    start = gallery.cheapest_threshold(y_true, scores)
    assert records["threshold_start"] == start
    flagged = (scores >= start).astype(int)
    assert records["threshold_precision"] == pytest.approx(precision_score(y_true, flagged), abs=1e-12)
    assert records["threshold_recall"] == pytest.approx(recall_score(y_true, flagged), abs=1e-12)
    costs = [np.mean(gallery.COST_FP * ((scores >= t) & (y_true == 0)) + gallery.COST_FN * ((scores < t) & (y_true == 1))) for t in (start, start * 0.9, start * 1.1)]
    assert costs[0] <= min(costs[1:])


def test_recorded_plan_detects_about_as_often_as_planned_and_peeking_inflates_false_positives():
    records = read_records(NOTEBOOK)
    assert abs(records["ab_measured_power"] - 0.8) < 0.03  # 2,000 simulated experiments: ±0.9% s.e.
    assert records["ab_peeking_false_positive_rate"] > 0.05 * 2
