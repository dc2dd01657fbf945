"""The explorer gallery: every case's explorers then the A/B planner, each in its own tab, and the
numbers its notebook records."""

import numpy as np
import pytest
from sklearn.metrics import precision_score, recall_score

from mlsd.cases import CASES, gallery
from mlsd.cases.contract import ExplorerTab
from mlsd.cases.ad_click import explore as ad_click_explore
from mlsd.cases.feed_ranking import explore as feed_explore
from mlsd.cases.feed_ranking.evaluation import DEFAULT_WEIGHTS
from mlsd.cases.rental_search import explore as rental_explore
from mlsd.explore import (
    ABPlanner,
    CalibrationExplorer,
    FunnelBudgetExplorer,
    PromiseExplorer,
    RankingExplorer,
    RankingGainsExplorer,
    RankingGainsState,
    ThresholdExplorer,
    ValueModelExplorer,
    ValueModelExplorerState,
)
from mlsd.explore.value_model import SNAPSHOT_NUMBERS
from mlsd.records import read_records
from mlsd.reproducibility import ABSOLUTE_TOLERANCE, RELATIVE_TOLERANCE
from mlsd.runs.catalog import default_root, load

ROOT = default_root()
NOTEBOOK = ROOT / "notebooks" / "explorers.ipynb"
TITLES = [
    "Ranking metrics", "Latency budget", "Value model", "Threshold", "Calibration",
    "Ranking gains", "Promise", "A/B test planner",
]


@pytest.fixture(scope="module")
def defaults():
    return {name: p.default for name, p in load(NOTEBOOK, ROOT).parameters.items()}


@pytest.fixture(scope="module")
def tabs():
    return gallery.gallery_tabs(
        seed=3, n_impressions=20_000, n_events=10_000, n_feed_impressions=20_000,
        n_searches=2_000, n_orders=5_000,
    )


def test_every_explorer_has_a_tab_with_a_line_on_what_to_try_in_case_order(tabs):
    assert [case.name for case in CASES] == [
        "video_recs", "feed_ranking", "ad_click", "rental_search", "delivery_eta"]
    kinds = [
        RankingExplorer, FunnelBudgetExplorer, ValueModelExplorer, ThresholdExplorer,
        CalibrationExplorer, RankingGainsExplorer, PromiseExplorer, ABPlanner,
    ]
    assert [type(tab.explorer) for tab in tabs] == kinds
    layout = gallery.gallery(tabs)
    assert list(layout.titles) == [tab.title for tab in tabs] == TITLES
    for index, (page, tab) in enumerate(zip(layout.children, tabs)):
        layout.selected_index = index
        introduction, shown = page.children
        assert introduction.value.startswith("<p") and shown is tab.explorer.widget
        assert tab.what_to_try and tab.what_to_try[:20] in introduction.value


def test_the_page_builds_the_first_explorer_and_each_other_one_when_its_tab_is_opened():
    tabs = gallery.gallery_tabs(seed=3, n_impressions=20_000, n_events=10_000,
                                n_feed_impressions=20_000, n_searches=2_000, n_orders=5_000)
    assert not any(tab.built for tab in tabs)  # the data are made, no explorer yet
    layout = gallery.gallery(tabs)
    assert [tab.built for tab in tabs] == [True] + [False] * 7
    assert layout.children[0].children[1] is tabs[0].explorer.widget
    assert layout.children[3].children[1].value == gallery.PREPARING
    layout.selected_index = 3
    assert [tab.built for tab in tabs] == [True, False, False, True, False, False, False, False]
    assert layout.children[3].children[1] is tabs[3].explorer.widget
    layout.selected_index = 0
    layout.selected_index = 3  # a second visit keeps the explorer, its moves and its figure
    assert layout.children[3].children[1] is tabs[3].explorer.widget


def test_a_tab_whose_explorer_fails_says_why_on_its_page_and_tries_again_when_reopened():
    calls = []

    def failing():
        calls.append(1)
        raise ValueError("n_orders must be at least 5000; got 10")

    tabs = [gallery.ab_planner_tab(3), ExplorerTab("Broken", "Nothing to try.", failing)]
    layout = gallery.gallery(tabs)
    with pytest.raises(ValueError, match="n_orders"):
        layout.selected_index = 1
    shown = layout.children[1].children[1].value
    assert "could not be built: n_orders must be at least 5000; got 10" in shown
    layout.selected_index = 0
    with pytest.raises(ValueError):
        layout.selected_index = 1
    assert len(calls) == 2 and not tabs[1].built


def test_each_tab_starts_at_the_numbers_its_explorer_shows(tabs):
    ranking, funnel, value, threshold, _, gains, promise, planner = tabs
    metrics = ranking.explorer.state.snapshot()
    assert ranking.start == {
        f"{result.name.replace(' ', '_')}_ndcg@10": result.mean for result in metrics.recommenders
    }
    budget = funnel.explorer.state.snapshot()
    assert funnel.start == {
        "funnel_p99_ms": budget.request_p99_ms, "funnel_within_budget": budget.within_budget
    }
    snapshot = value.explorer.state.snapshot()
    assert value.start == {f"value_{name}": getattr(snapshot, name) for name in SNAPSHOT_NUMBERS}
    assert threshold.start["threshold_start"] == threshold.explorer.state.snapshot().threshold
    assert planner.start["ab_measured_power"] == planner.explorer.state.snapshot().measured_power
    offline = gains.explorer.state.snapshot().offline
    assert {name: gains.start[f"gains_{name.lower().replace(' ', '_')}_ndcg@10"]
            for name in offline} == offline
    shown = promise.explorer.state.snapshot()
    assert promise.start["promise_expected_cost"] == shown.expected_cost
    assert promise.start["promise_late_rate"] == shown.late_rate


def test_sizes_go_to_the_case_that_takes_them_and_others_are_refused():
    known = r"\['n_events', 'n_feed_impressions', 'n_impressions', 'n_orders', 'n_searches'\]"
    refused = f"gallery size 'n_users' is not one of the cases' sizes {known}"
    with pytest.raises(ValueError, match=refused):
        gallery.gallery_tabs(n_users=10)
    with pytest.raises(ValueError, match="seed must be an integer >= 0; got -1"):
        gallery.gallery_tabs(seed=-1)


def test_recorded_start_is_the_cheapest_threshold_with_its_precision_and_recall(defaults):
    records = read_records(NOTEBOOK)
    seed, n_impressions = defaults["seed"], defaults["n_impressions"]
    y_true, raw_by_rate = ad_click_explore.click_predictions(seed, n_impressions)
    scores = raw_by_rate[1.0]
    start = ad_click_explore.cheapest_threshold(y_true, scores)
    # recorded on another machine: equal within the kit's tolerance (BLAS kernels differ by CPU)
    assert records["threshold_start"] == pytest.approx(start, rel=RELATIVE_TOLERANCE,
                                                       abs=ABSOLUTE_TOLERANCE)
    flagged = (scores >= start).astype(int)
    precision = precision_score(y_true, flagged)
    assert records["threshold_precision"] == pytest.approx(precision, abs=1e-12)
    assert records["threshold_recall"] == pytest.approx(recall_score(y_true, flagged), abs=1e-12)
    cost_fp, cost_fn = ad_click_explore.COST_FP, ad_click_explore.COST_FN
    costs = [
        np.mean(
            cost_fp * ((scores >= t) & (y_true == 0))
            + cost_fn * ((scores < t) & (y_true == 1))
        )
        for t in (start, start * 0.9, start * 1.1)
    ]
    assert costs[0] <= min(costs[1:])


def test_recorded_value_model_start_is_the_default_feeds_snapshot(defaults):
    records = read_records(NOTEBOOK)
    inputs = feed_explore.value_model_inputs(defaults["seed"], defaults["n_feed_impressions"])
    snapshot = ValueModelExplorerState(**inputs, weights=DEFAULT_WEIGHTS).snapshot()
    for name in SNAPSHOT_NUMBERS:
        assert records[f"value_{name}"] == pytest.approx(getattr(snapshot, name), abs=1e-12), name


def test_recorded_ranking_gains_start_is_the_default_worlds_snapshot(defaults):
    records = read_records(NOTEBOOK)
    inputs = rental_explore.gallery_inputs(defaults["seed"], defaults["n_searches"])
    snapshot = RankingGainsState(**inputs).snapshot()  # at the case's gains
    for name, value in snapshot.offline.items():
        key = name.lower().replace(" ", "_")
        assert records[f"gains_{key}_ndcg@10"] == pytest.approx(value, abs=1e-12), name
        assert records[f"gains_{key}_bookings"] == pytest.approx(snapshot.truth[name], abs=1e-12)


def test_recorded_plan_detects_about_as_often_as_planned_and_peeking_inflates_false_positives():
    records = read_records(NOTEBOOK)
    assert abs(records["ab_measured_power"] - 0.8) < 0.03  # 2,000 simulated experiments: ±0.9% s.e.
    assert records["ab_peeking_false_positive_rate"] > 0.05 * 2
