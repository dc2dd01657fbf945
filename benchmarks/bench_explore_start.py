"""How long ``mlsd explore`` makes a learner wait: from the command to the gallery's first explorer
answering a key press in Chromium.

The command runs as a user runs it (``mlsd explore --port P --token T``), in a throwaway home of
its own (its gallery cache under ``XDG_CACHE_HOME``, its Jupyter folders): one first start, with
the cache empty (the gallery's data are simulated and its models fitted), then :data:`STARTS`
later starts, with the cache filled. Chromium, already running, opens the URL the moment the
command prints it, waits for the first tab's slider and presses the right arrow; the start is
over when the tab's readout has changed, i.e. when the explorer answers.

One row: ours = the median of the later starts, reference = the 3 s target (ratio = target /
ours, at least 1 within it); the detail gives each start's time to the printed URL and to the
answer, and the first start's. A second row is the floor under any Voilà app here: Voilà started
with the same options on a notebook of one slider and the readout its kernel writes
(:data:`FLOOR_CELL`), timed from the server's start to that readout answering, median of
:data:`STARTS`; against the same target. Needs Chromium; without it (or at a scale below 1, as in the unit
tests) the benchmark prints why and gives no rows.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from browser import harness  # noqa: E402
from common import row  # noqa: E402

from mlsd.explore import app  # noqa: E402

TARGET_S = 3.0
STARTS = 3
FIRST_READOUT = [{"selector": ".widget-html-content", "contains": "mean over users"}]
"""The first tab (ranking metrics) is answering when this readout changes."""
FLOOR_CELL = """import ipywidgets as widgets

slider = widgets.IntSlider(description="x")
readout = widgets.HTML("value 0")
slider.observe(lambda change: setattr(readout, "value", f"value {change['new']}"), names="value")
widgets.VBox([slider, readout])"""
"""The floor's notebook: a key press on the slider reaches the kernel, which rewrites the readout."""
FLOOR_READOUT = [{"selector": ".widget-html-content", "contains": "value"}]


def run(scale: float = 1.0) -> list[dict]:
    reason = harness.missing_requirement() or (scale < 1 and "runs at full scale only (make bench)")
    if reason:
        print(f"bench_explore_start: skipped: {reason}", file=sys.stderr)
        return []
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as home, sync_playwright() as playwright:
        browser = harness.launch_chromium(playwright)
        try:
            first = time_one_start(browser, Path(home))
            later = [time_one_start(browser, Path(home)) for _ in range(STARTS)]
            floors = [time_floor_start(browser, Path(home)) for _ in range(STARTS)]
        finally:
            browser.close()
    median = statistics.median(answered for _, answered in later)
    shown = ", ".join(f"{url:.1f} / {answered:.1f} s" for url, answered in later)
    detail = (f"command to the first tab answering a key press in Chromium, cache filled: median of "
              f"{STARTS} (URL printed / answered: {shown}); cache empty: {first[0]:.1f} / "
              f"{first[1]:.1f} s; reference = 3 s target")
    floor_detail = (f"Voilà with mlsd explore's options on one slider and its kernel-written readout, "
                    f"server start to the readout answering a key press: median of {STARTS} "
                    f"({', '.join(f'{seconds:.1f}' for seconds in floors)} s); reference = 3 s target")
    return [row("mlsd explore: first tab answers", median, TARGET_S, True, detail),
            row("Voilà alone: one slider answers", statistics.median(floors), TARGET_S, True,
                floor_detail)]


def time_one_start(browser, home: Path) -> tuple[float, float]:
    """Seconds from starting ``mlsd explore`` to its printed URL and to the first tab answering."""
    environment = {**harness._isolated_environment(home), "XDG_CACHE_HOME": str(home / "cache")}
    port, token = app.free_port(), app.new_token()
    command = [str(Path(sys.executable).with_name("mlsd")), "--root", str(harness.KIT_ROOT),
               "explore", "--port", str(port), "--token", token]
    started = time.monotonic()
    process = subprocess.Popen(command, env=environment, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    try:
        url_s = _seconds_to_url(process, app.app_url(port, token), started)
        page = harness.new_page(browser)
        try:
            page.goto(app.app_url(port, token))
            handle = page.locator(".widget-tab .noUi-handle:visible").first
            handle.wait_for(timeout=120_000)
            harness.press_and_time(page, ".widget-tab", handle, "ArrowRight", FIRST_READOUT,
                                   quiet_ms=0)
            answered_s = time.monotonic() - started
        finally:
            page.close()
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # as `kill` would; the command stops Voilà
        process.wait(timeout=60)
    return url_s, answered_s


def time_floor_start(browser, home: Path) -> float:
    """Seconds from starting Voilà (:func:`mlsd.explore.app.voila_command`) on a notebook of
    :data:`FLOOR_CELL` to its readout answering a key press."""
    import nbformat

    folder = home / "floor"
    folder.mkdir(exist_ok=True)
    notebook = folder / "floor.ipynb"
    content = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(FLOOR_CELL)])
    content.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(content, notebook)
    environment = harness._isolated_environment(home)
    app.trust(notebook, data_dir=home / "data")
    port, token = app.free_port(), app.new_token()
    started = time.monotonic()
    process = subprocess.Popen(app.voila_command(notebook, port, token), cwd=folder, env=environment,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        app.wait_until_answering(f"http://{app.HOST}:{port}/api/status", process, 60)
        page = harness.new_page(browser)
        try:
            page.goto(app.app_url(port, token))
            handle = page.locator(".noUi-handle:visible").first
            handle.wait_for(timeout=120_000)
            harness.press_and_time(page, "body", handle, "ArrowRight", FLOOR_READOUT, quiet_ms=0)
            return time.monotonic() - started
        finally:
            page.close()
    finally:
        app.stop_server(process)


def _seconds_to_url(process: subprocess.Popen, url: str, started: float) -> float:
    """Read the command's messages until it prints ``url``; keep draining them after that."""
    for line in process.stderr:
        if url in line:
            seconds = time.monotonic() - started
            threading.Thread(target=process.stderr.read, daemon=True).start()
            return seconds
    raise RuntimeError(f"mlsd explore exited with status {process.wait()} before printing its URL")


if __name__ == "__main__":
    from common import main

    main(run)
