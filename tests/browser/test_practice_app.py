"""The interview practice app (what ``mlsd practice`` serves), in Chromium through Voilà.

A learner fills two fields of the serving phase — a budget and two dependencies whose p99s add up
over it — presses **Review my design**, and reads the finding the review computes for that form in
this test process; the page shows no code, fits a 1280-pixel window, and a phase's timer runs.
"""

from __future__ import annotations

import re

import pytest
from browser import harness

from mlsd.cases import practice
from mlsd.practice import design_from_form

APP = "notebooks/practice_app.ipynb"
BUDGET, DEPENDENCIES = "50", "retrieval, 30, popular ads\nranker, 40, cached scores"


@pytest.fixture(scope="module")
def practice_app(tmp_path_factory):
    server = harness.start_voila(tmp_path_factory.mktemp("voila"), APP)
    yield server
    server.stop()


def test_a_filled_field_gives_the_finding_the_review_computes(practice_app, page_for):
    page = page_for(practice_app)
    page.goto(practice_app.url)
    page.get_by_role("button", name="Review my design").wait_for(timeout=120_000)
    assert page.locator(".cm-editor, .CodeMirror, .jp-InputArea-editor").count() == 0
    assert "PracticeApp(" not in page.inner_text("body")

    page.get_by_text("Architecture and serving — 13 min").click()
    page.locator(".widget-text", has_text="Latency budget, p99 (ms)").locator("input").fill(BUDGET)
    page.locator(".widget-textarea", has_text="Online dependencies").locator("textarea").fill(DEPENDENCIES)
    page.get_by_role("button", name="Review my design").click()

    review = design_from_form(practice.prompts()[0].title,
                              {"budget_ms": BUDGET, "dependencies": DEPENDENCIES}).review()
    serving = [f.problem for f in review.findings if f.point == "Serving"]
    assert serving == ["the dependencies' p99s add up to 70 ms, over the 50 ms budget"]
    page.get_by_text(serving[0]).wait_for(timeout=30_000)
    shown = page.locator("p.mlsd-review").inner_text()
    assert shown.startswith(f"{len(review.findings)} finding(s)")

    overflow = page.evaluate("() => ({page: document.documentElement.scrollWidth, window: window.innerWidth})")
    assert overflow["page"] <= overflow["window"] == harness.VIEWPORT["width"], overflow


def test_a_phase_timer_counts_down_in_the_page(practice_app, page_for):
    page = page_for(practice_app)
    page.goto(practice_app.url)
    phase = page.locator(".widget-play").first
    phase.wait_for(timeout=120_000)
    page.get_by_text("5:00 left").first.wait_for()
    phase.locator("button").first.click()  # play
    page.wait_for_function(
        "() => [...document.querySelectorAll('.widget-label')].some(l => /^4:5\\d left$/.test(l.innerText))",
        timeout=15_000)
    assert re.search(r"4:5\d left", page.inner_text("body"))
