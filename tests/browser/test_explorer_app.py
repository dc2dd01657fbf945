"""The standalone explorer app (what ``mlsd explore`` serves), in Chromium through Voilà.

The page must show every explorer without any code, fit a 1280-pixel-wide window, and respond to a
control: the threshold, one weight of the feed's value model, or the gain of a booking in rental
search's offline NDCG, moved by the keyboard, shows the numbers that a state object, built in this
test process from the same seeded data, computes for the new threshold, weight or gain.
"""

from __future__ import annotations

import re

import pytest
from browser import harness

from mlsd.cases import gallery
from mlsd.cases.ad_click import explore as ad_click_explore
from mlsd.cases.feed_ranking import explore as feed_explore
from mlsd.cases.feed_ranking.evaluation import DEFAULT_WEIGHTS
from mlsd.cases.rental_search import explore as rental_explore
from mlsd.cases.rental_search.schema import GAINS
from mlsd.explore import RankingGainsState, ThresholdExplorerState, ValueModelExplorerState
from mlsd.runs.catalog import load

GALLERY = "notebooks/explorers.ipynb"
VALUE_READOUT = [{"selector": ".widget-html-content", "contains": "expected viral actions"}]
VALUE_LINES = {
    "clicks": ("expected clicks", "{:.4f}"),
    "long_dwells": ("expected long dwells", "{:.4f}"),
    "viral_actions": ("expected viral actions (like + comment + share)", "{:.4f}"),
    "hides": ("expected hides", "{:.4f}"),
    "top_creator_share": ("top slots held by the largest 10% of creators", "{:.1%}"),
    "small_creator_share": ("top slots held by the smallest 50%", "{:.1%}"),
    "creator_gini": ("Gini of creators' expected views", "{:.3f}"),
}
"""Each number of the value model's readout: its label on the page and its format."""


@pytest.fixture(scope="module")
def tabs():
    """The gallery's tabs at small sizes: their titles and lines on what to try do not depend on them."""
    return gallery.gallery_tabs(
        seed=3, n_impressions=20_000, n_events=10_000, n_feed_impressions=20_000,
        n_searches=2_000,
    )


@pytest.fixture(scope="module")
def explorer_app(tmp_path_factory):
    server = harness.start_voila(tmp_path_factory.mktemp("voila"), GALLERY)
    yield server
    server.stop()


def _open(page, server):
    page.goto(server.url)
    page.wait_for_selector(".widget-tab .noUi-handle", timeout=120_000)


def test_app_shows_every_explorer_without_code_and_fits_1280_pixels(explorer_app, page_for, tabs):
    page = page_for(explorer_app)
    _open(page, explorer_app)
    assert page.locator(".cm-editor, .CodeMirror, .jp-InputArea-editor").count() == 0
    assert "gallery_tabs(" not in page.inner_text("body")
    titles = page.locator(".widget-tab .lm-TabBar-tab")
    what_to_try = {tab.title: tab.what_to_try for tab in tabs}
    assert titles.all_inner_texts() == list(what_to_try)
    for index in range(titles.count()):
        title = titles.nth(index).inner_text()
        harness.open_gallery_tab(page, title)
        page.get_by_text(what_to_try[title][:40]).wait_for(state="visible")
        overflow = page.evaluate(
            "() => ({page: document.documentElement.scrollWidth, window: window.innerWidth})"
        )
        assert overflow["page"] <= overflow["window"] == harness.VIEWPORT["width"], (title, overflow)


def test_app_threshold_moved_by_keyboard_matches_a_state_built_from_the_same_data(explorer_app, page_for):
    page = page_for(explorer_app)
    _open(page, explorer_app)
    harness.open_gallery_tab(page, "Threshold")
    scope = ".widget-tab"
    handle = page.locator(f"{scope} .widget-slider .noUi-handle:visible").first
    moved = harness.threshold_readout(harness.press_and_time(page, scope, handle, "ArrowLeft", harness.THRESHOLD_READOUT)["texts"][0])

    defaults = {name: p.default for name, p in load(harness.KIT_ROOT / GALLERY, harness.KIT_ROOT).parameters.items()}
    y_true, raw_by_rate = ad_click_explore.click_predictions(defaults["seed"], defaults["n_impressions"])
    start = ad_click_explore.cheapest_threshold(y_true, raw_by_rate[1.0])
    step = ThresholdExplorerState(y_true, raw_by_rate[1.0]).threshold_range.step
    threshold = (round(start / step) - 1) * step
    truth = ThresholdExplorerState(y_true, raw_by_rate[1.0], threshold=threshold).snapshot()
    assert moved == {"threshold": f"{threshold:.4f}", "precision": f"{truth.precision:.4f}", "recall": f"{truth.recall:.4f}"}


def value_readout(text: str) -> dict:
    """The click weight and every number a value-model explorer's readout shows, as printed."""
    found = {"click weight": re.search(r"Weights: click (\S+),", text)}
    found.update({name: re.search(re.escape(label) + r"\s+(\S+)", text)
                  for name, (label, _) in VALUE_LINES.items()})
    if not all(found.values()):
        raise AssertionError(f"not a value-model explorer's readout: {text!r}")
    return {name: match.group(1) for name, match in found.items()}


def test_app_value_model_weight_moved_by_keyboard_matches_a_state_built_from_the_same_data(
    explorer_app, page_for
):
    page = page_for(explorer_app)
    _open(page, explorer_app)
    harness.open_gallery_tab(page, "Value model")
    scope = ".widget-tab"
    handle = page.locator(f"{scope} .widget-slider .noUi-handle:visible").first  # the click weight
    pressed = harness.press_and_time(page, scope, handle, "ArrowRight", VALUE_READOUT)
    moved = value_readout(pressed["texts"][0])

    parameters = load(harness.KIT_ROOT / GALLERY, harness.KIT_ROOT).parameters
    defaults = {name: p.default for name, p in parameters.items()}
    inputs = feed_explore.value_model_inputs(defaults["seed"], defaults["n_feed_impressions"])
    click = DEFAULT_WEIGHTS["click"] + 0.5  # one step of the weight sliders
    weights = {**DEFAULT_WEIGHTS, "click": click}
    truth = ValueModelExplorerState(**inputs, weights=weights).snapshot()
    shown = {name: form.format(getattr(truth, name)) for name, (_, form) in VALUE_LINES.items()}
    assert moved == {"click weight": f"{click:g}", **shown}


GAINS_READOUT = [{"selector": ".widget-html-content", "contains": "offline NDCG@"}]


def gains_readout(text: str) -> dict:
    """The booked gain and each ranker's offline NDCG@k and true bookings, as the readout prints
    them (one tab-separated row per ranker)."""
    booked = re.search(r"Gains: booked (\S+),", text)
    rows = [line.split("\t") for line in text.splitlines() if line.count("\t") >= 2]
    rankers = {row[0].strip(): (row[1].strip(), row[2].strip()) for row in rows
               if row[0].strip() != "ranker"}
    if not booked or not rankers:
        raise AssertionError(f"not a ranking-gains explorer's readout: {text!r}")
    return {"booked": booked.group(1), "rankers": rankers}


def test_app_booking_gain_moved_by_keyboard_matches_a_state_built_from_the_same_data(
    explorer_app, page_for
):
    page = page_for(explorer_app)
    _open(page, explorer_app)
    harness.open_gallery_tab(page, "Ranking gains")
    scope = ".widget-tab"
    handle = page.locator(f"{scope} .widget-slider .noUi-handle:visible").first  # booked's gain
    pressed = harness.press_and_time(page, scope, handle, "ArrowRight", GAINS_READOUT)
    moved = gains_readout(pressed["texts"][0])

    parameters = load(harness.KIT_ROOT / GALLERY, harness.KIT_ROOT).parameters
    defaults = {name: p.default for name, p in parameters.items()}
    inputs = rental_explore.gallery_inputs(defaults["seed"], defaults["n_searches"])
    booked = GAINS["booked"] + 0.01  # one step of the gain sliders
    truth = RankingGainsState(**{**inputs, "gains": {**GAINS, "booked": booked}}).snapshot()
    shown = {name: (f"{value:.4f}", f"{truth.truth[name]:.4f}")
             for name, value in truth.offline.items()}
    assert moved == {"booked": f"{booked:g}", "rankers": shown}
