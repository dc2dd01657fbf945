"""The promise explorer in JupyterLab, in Chromium: keyboard moves of its buffer slider change
exactly what the state computes.

The test writes a one-cell notebook that builds delivery ETA's explorer on the gallery's test
orders, opens it in a real JupyterLab of its own, runs it with Lab's own command, moves the buffer
slider with the arrow keys, and compares the numbers the page shows with a state built afresh in
the same kernel for the buffer the slider now holds.
"""

from __future__ import annotations

import json
import re

import pytest
from browser import harness

NOTEBOOK = "promise_explorer.ipynb"
SOURCE = """from mlsd.cases.delivery_eta.explore import gallery_quotes, promise_explorer
actual, quotes = gallery_quotes(7, 8_000)
promise_explorer(actual, quotes)"""
READOUT = [{"selector": ".widget-html-content", "contains": "expected cost per checkout"}]
PRESSES = 3

TRUTH = """
import json
from mlsd.cases.delivery_eta.explore import BUFFERS
from mlsd.cases.delivery_eta.promise import promise_curves
from mlsd.explore import PromiseExplorer, PromiseExplorerState
live = [value for value in Out.values() if isinstance(value, PromiseExplorer)][-1]
fresh = PromiseExplorerState(promise_curves(actual, quotes, BUFFERS),
                             buffer=live.buffer_slider.value).snapshot()
print(json.dumps({
    "slider": live.buffer_slider.value, "state": live.state.buffer,
    "buffer": f"{fresh.buffer:+g}", "late_rate": f"{fresh.late_rate:.2%}",
    "conversion": f"{fresh.conversion:.2%}", "cost": f"{fresh.expected_cost:.4f}",
}))
"""


def promise_readout(text: str) -> dict:
    """The buffer, late rate, conversion and expected cost a promise explorer's readout shows."""
    found = {
        "buffer": re.search(r"point GBDT (\S+) min", text),
        "late_rate": re.search(r"late rate (\S+%)", text),
        "conversion": re.search(r"conversion (\S+%)", text),
        "cost": re.search(r"expected cost per checkout (\S+)", text),
    }
    if not all(found.values()):
        raise AssertionError(f"not a promise explorer's readout: {text!r}")
    return {name: match.group(1) for name, match in found.items()}


@pytest.fixture(scope="module")
def promise_lab(tmp_path_factory):
    home = tmp_path_factory.mktemp("lab-promise")
    (home / "kit").mkdir()
    cell = {"cell_type": "code", "execution_count": None, "id": "promise", "metadata": {},
            "outputs": [], "source": SOURCE}
    notebook = {"cells": [cell], "nbformat": 4, "nbformat_minor": 5, "metadata": {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                       "name": "python3"}}}
    (home / "kit" / NOTEBOOK).write_text(json.dumps(notebook))
    server = harness.start_lab(home, [])
    yield server
    server.stop()


def test_buffer_slider_moved_by_keyboard_shows_what_the_state_computes(promise_lab, page_for):
    page = page_for(promise_lab)
    harness.open_notebook(page, promise_lab, NOTEBOOK)
    harness.run_all_cells(page)
    scope = harness.mark_cell(page, "promise_explorer(actual", "promise")

    before = promise_readout(harness.watched_texts(page, scope, READOUT)[0])
    handle = page.locator(f"{scope} .widget-slider .noUi-handle").first
    shown = []
    for _ in range(PRESSES):
        texts = harness.press_and_time(page, scope, handle, "ArrowRight", READOUT)["texts"]
        shown.append(promise_readout(texts[0]))

    truth = json.loads(harness.kernel_output(page, TRUTH))
    assert truth["slider"] == truth["state"] == 0.5 * PRESSES
    assert before["buffer"] == "+0"
    assert [numbers["buffer"] for numbers in shown] == ["+0.5", "+1", "+1.5"]
    assert shown[-1] == {name: truth[name] for name in ("buffer", "late_rate", "conversion",
                                                         "cost")}
    assert shown[-1]["late_rate"] != before["late_rate"]
