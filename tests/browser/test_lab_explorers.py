"""The explorers in JupyterLab, in Chromium: keyboard moves change exactly what the state computes.

Each test opens a case-study notebook in a real JupyterLab, runs all its cells with Lab's own
command, moves an explorer's slider with the arrow keys, and compares the numbers the page shows
with a state object built afresh in the same kernel for the value the slider now holds.
"""

from __future__ import annotations

import json

from browser import harness

AD_CLICK = "notebooks/03_ad_click/2_metrics.ipynb"
VIDEO_RECS = "notebooks/01_video_recs/2_metrics.ipynb"
MEANS = [{"selector": ".widget-html-content", "contains": "mean over users"}]
PRESSES = 3

THRESHOLD_TRUTH = """
import json
from mlsd.explore import ThresholdExplorer, ThresholdExplorerState
live = [value for value in Out.values() if isinstance(value, ThresholdExplorer)][-1]
scores = predictions["logistic regression"]  # what the notebook gives the explorer
fresh = ThresholdExplorerState(y_test, scores, threshold=live.slider.value, cost_fp=cost_fp, cost_fn=cost_fn).snapshot()
print(json.dumps({
    "slider": live.slider.value, "step": live.slider.step, "state": live.state.threshold,
    "best": live.state.best().threshold,
    "threshold": f"{fresh.threshold:.4f}", "precision": f"{fresh.precision:.4f}", "recall": f"{fresh.recall:.4f}",
}))
"""

RANKING_TRUTH = """
import json
from mlsd.explore import RankingExplorer, RankingExplorerState
live = [value for value in Out.values() if isinstance(value, RankingExplorer)][-1]
rows = case.shared_rows({name: recommendations[name] for name in ("popular", "matrix factorisation")}, test, k)
fresh = RankingExplorerState(**rows, k=live.k_slider.value, metric=live.state.metric).snapshot()
print(json.dumps({
    "slider": live.k_slider.value, "state": live.state.k,
    "means": {result.name: f"{result.mean:.4f}" for result in fresh.recommenders},
}))
"""


def _means_shown(text: str) -> dict:
    """``{recommender: mean}`` from the means table's text (tab-separated cells, one row per line)."""
    cells = [line.split("\t") for line in text.splitlines() if line.count("\t") >= 2]
    return {row[0].strip(): row[1].strip() for row in cells if row[0].strip() != "recommender"}


def test_threshold_slider_moved_by_keyboard_shows_what_the_state_computes(lab, page_for):
    page = page_for(lab)
    harness.open_notebook(page, lab, AD_CLICK)
    harness.run_all_cells(page)
    scope = harness.mark_cell(page, "ThresholdExplorer(y_test", "threshold")

    best_button = page.locator(f"{scope} button", has_text="cost-minimising threshold")
    at_best = harness.threshold_readout(harness.press_and_time(page, scope, best_button, "Enter", harness.THRESHOLD_READOUT)["texts"][0])
    handle = page.locator(f"{scope} .widget-slider .noUi-handle").first
    shown = []
    for _ in range(PRESSES):
        shown.append(harness.threshold_readout(harness.press_and_time(page, scope, handle, "ArrowRight", harness.THRESHOLD_READOUT)["texts"][0]))

    truth = json.loads(harness.kernel_output(page, THRESHOLD_TRUTH))
    expected_threshold = (round(truth["best"] / truth["step"]) + PRESSES) * truth["step"]
    assert abs(truth["slider"] - expected_threshold) < truth["step"] / 100
    assert truth["state"] == truth["slider"]
    assert shown[-1] == {name: truth[name] for name in ("threshold", "precision", "recall")}
    assert [numbers["threshold"] for numbers in shown] == sorted({n["threshold"] for n in shown})
    assert shown[-1]["threshold"] != at_best["threshold"]


def test_ranking_k_moved_by_keyboard_shows_what_the_state_computes(lab, page_for):
    page = page_for(lab)
    harness.open_notebook(page, lab, VIDEO_RECS)
    harness.run_all_cells(page)
    scope = harness.mark_cell(page, "RankingExplorer(", "ranking")

    before = _means_shown(harness.watched_texts(page, scope, MEANS)[0])
    k_handle = page.locator(f"{scope} .widget-slider .noUi-handle").first
    for _ in range(2):
        after = _means_shown(harness.press_and_time(page, scope, k_handle, "ArrowRight", MEANS)["texts"][0])

    truth = json.loads(harness.kernel_output(page, RANKING_TRUTH))
    assert truth["slider"] == truth["state"] == 12
    assert after == truth["means"]
    assert set(after) == set(before) == {"popular", "matrix factorisation"}
    assert after != before
