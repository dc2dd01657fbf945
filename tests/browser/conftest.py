"""Fixtures of the browser tests: Chromium through Playwright, one JupyterLab server, failure evidence.

Where Chromium or Playwright is missing, every browser test is skipped with the reason and the
command that enables it (``pytest -ra`` lists the reasons in its summary).
On a failure, a screenshot of the page and a copy of the server's log are saved in the test's
temporary folder and their paths printed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from browser import harness

LAB_NOTEBOOKS = ["notebooks/03_ad_click/2_metrics.ipynb", "notebooks/01_video_recs/2_metrics.ipynb"]


def pytest_collection_modifyitems(items):
    reason = harness.missing_requirement()
    if reason is None:
        return
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = harness.launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    server = harness.start_lab(tmp_path_factory.mktemp("lab"), LAB_NOTEBOOKS)
    yield server
    server.stop()


@pytest.fixture
def page_for(chromium, request, tmp_path):
    """A function giving a fresh 1280-pixel-wide page tied to a server, for evidence on failure."""
    opened = []

    def open_page(server: harness.Server):
        page = harness.new_page(chromium)
        opened.append((page, server))
        return page

    yield open_page
    failed = getattr(request.node, "report_call", None) is not None and request.node.report_call.failed
    for page, server in opened:
        if failed:
            screenshot, log = tmp_path / "screenshot.png", tmp_path / "server.log"
            page.screenshot(path=str(screenshot), full_page=True)
            shutil.copy(server.log, log)
            print(f"browser test failed; screenshot: {screenshot}\nserver log: {log}")
        page.close()
