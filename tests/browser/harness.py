"""Drive the explorers in a real browser: JupyterLab or Voilà servers, Chromium through Playwright.

Shared by the browser tests and by ``benchmarks/bench_browser.py``. Everything a server writes
(config, runtime, data, settings, workspaces, IPython history, the notebooks it opens) lives in a
throwaway folder, so a test never touches the kit or the user's Jupyter set-up. Servers listen on
127.0.0.1 with a random token. The browser is the system's Chromium; nothing is ever downloaded.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from mlsd.explore import app

KIT_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("MLSD_CHROMIUM", "/usr/bin/chromium"))
ENABLE_COMMAND = "sudo apt-get install -y chromium   (or set MLSD_CHROMIUM to a Chromium binary)"
VIEWPORT = {"width": 1280, "height": 900}
# Voilà sends its page only when the notebook has run; beside the whole suite on two cores that took
# longer than Playwright's 30 s default for a page load.
NAVIGATION_TIMEOUT_MS = 120_000
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
    "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions",
]
LAB_SETTINGS = {
    # No autosave (the notebooks are throwaway copies anyway), every cell attached to the page.
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}
# The only way found to keep JupyterLab's news pop-up from covering the notebook.
PAGE_CONFIG = {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}


def missing_requirement() -> str | None:
    """Why the browser tests cannot run here (with the command that fixes it), or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed; enable the browser tests with: pip install -e '.[test]'"
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        return f"no Chromium at {CHROMIUM}; enable the browser tests with: {ENABLE_COMMAND}"
    return None


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True)


def new_page(browser):
    """A 1280-pixel-wide page whose loads may take up to NAVIGATION_TIMEOUT_MS."""
    page = browser.new_page(viewport=VIEWPORT)
    page.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
    return page


@dataclass
class Server:
    """A running JupyterLab or Voilà server, its URL (with the token) and where it logs."""

    process: subprocess.Popen
    url: str
    token: str
    log: Path
    home: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _isolated_environment(home: Path) -> dict:
    environment = dict(os.environ)
    for variable, folder in [
        ("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("JUPYTER_DATA_DIR", "data"), ("IPYTHONDIR", "ipython"),
    ]:
        (home / folder).mkdir(parents=True, exist_ok=True)
        environment[variable] = str(home / folder)
    environment["JUPYTER_PLATFORM_DIRS"] = "1"
    return environment


def copy_notebooks(home: Path, relative_paths: list[str]) -> Path:
    """Copy kit notebooks into ``home/kit`` under the same relative paths; returns that folder."""
    root = home / "kit"
    for relative in relative_paths:
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(KIT_ROOT / relative, target)
    return root


def _start(command: list[str], home: Path, cwd: Path, probe_url: str, url: str, token: str, timeout: float) -> Server:
    log = home / "server.log"
    with log.open("w") as handle:  # the server keeps its own copy of the file descriptor
        process = subprocess.Popen(command, cwd=cwd, env=_isolated_environment(home), stdout=handle, stderr=subprocess.STDOUT)
    server = Server(process, url, token, log, home)
    try:
        app.wait_until_answering(probe_url, process, timeout)
    except RuntimeError as error:
        server.stop()
        raise RuntimeError(f"{error}; server log: {log}") from None
    return server


def start_lab(home: Path, notebooks: list[str], timeout: float = 90.0) -> Server:
    """JupyterLab on a copy of ``notebooks``, exposing ``window.jupyterapp`` to the page."""
    root = copy_notebooks(home, notebooks)
    settings = home / "settings"
    for relative, values in LAB_SETTINGS.items():
        (settings / relative).parent.mkdir(parents=True, exist_ok=True)
        (settings / relative).write_text(json.dumps(values))
    (home / "config" / "labconfig").mkdir(parents=True, exist_ok=True)
    (home / "config" / "labconfig" / "page_config.json").write_text(json.dumps(PAGE_CONFIG))
    port, token = app.free_port(), app.new_token()
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser",
        f"--ServerApp.ip={app.HOST}", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", "--ServerApp.allow_root=True",
        f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True",
        f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={home / 'workspaces'}",
    ]
    base = f"http://{app.HOST}:{port}"
    return _start(command, home, root, f"{base}/api/status?token={token}", f"{base}/lab", token, timeout)


def start_voila(home: Path, notebook: str, timeout: float = 90.0) -> Server:
    """Voilà serving a copy of ``notebook`` as ``mlsd explore`` serves the gallery: without its
    cells tagged ``notebook-only`` (:func:`mlsd.explore.app.app_notebook`), trusted first."""
    copy = app.app_notebook(copy_notebooks(home, [notebook]) / notebook, (home / "kit" / notebook).parent)
    (home / "data").mkdir(parents=True, exist_ok=True)
    app.trust(copy, data_dir=home / "data")
    port, token = app.free_port(), app.new_token()
    command = app.voila_command(copy, port, token)
    return _start(command, home, copy.parent, f"http://{app.HOST}:{port}/", app.app_url(port, token), token, timeout)


# --- JupyterLab pages -------------------------------------------------------------------------

def open_notebook(page, server: Server, relative: str, timeout_ms: int = 90_000) -> None:
    """Open ``relative`` alone, in a new empty workspace, and wait until its kernel is idle."""
    workspace = f"mlsd-{secrets.token_hex(4)}"
    page.goto(f"{server.url}/workspaces/{workspace}/tree/{relative}?reset&token={server.token}")
    page.wait_for_function(
        """(relative) => {
            const panel = window.jupyterapp?.shell?.currentWidget;
            const kernel = panel?.sessionContext?.session?.kernel;
            return panel?.context?.path === relative && !!kernel
                && kernel.connectionStatus === 'connected' && kernel.status === 'idle';
        }""",
        arg=relative,
        timeout=timeout_ms,
    )


def run_all_cells(page, timeout_ms: int = 180_000) -> None:
    """Run every cell with JupyterLab's own command and wait until the last one has finished.

    The command is started, not awaited inside the page: ``page.evaluate`` has no time limit of
    its own, and a command that never settles must fail this wait instead of hanging.
    """
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    page.wait_for_function(
        """() => {
            const panel = window.jupyterapp.shell.currentWidget;
            const cells = panel.content.widgets.filter(cell => cell.model.type === 'code');
            const finished = cells.every(cell => cell.model.executionCount !== null
                && cell.promptNode?.textContent?.trim() !== '[*]:');
            return finished && panel.sessionContext.session.kernel.status === 'idle';
        }""",
        timeout=timeout_ms,
        polling=250,
    )


def mark_cell(page, source_contains: str, name: str) -> str:
    """Tag the first cell whose source contains ``source_contains``; returns a CSS selector for it."""
    found = page.evaluate(
        """([needle, name]) => {
            const panel = window.jupyterapp.shell.currentWidget;
            const cell = panel.content.widgets.find(cell => cell.model.sharedModel.getSource().includes(needle));
            if (!cell) return false;
            cell.node.setAttribute('data-mlsd-cell', name);
            cell.node.scrollIntoView({block: 'start'});
            return true;
        }""",
        [source_contains, name],
    )
    if not found:
        raise AssertionError(f"no cell contains {source_contains!r}")
    return f"[data-mlsd-cell='{name}']"


def kernel_output(page, code: str, timeout_ms: int = 60_000) -> str:
    """Run ``code`` in the notebook's kernel (not stored in its history); returns what it printed."""
    return page.evaluate(
        """async ([code, timeoutMs]) => {
            const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
            const future = kernel.requestExecute({code, store_history: false, silent: false});
            let printed = '', failure = null;
            future.onIOPub = message => {
                if (message.header.msg_type === 'stream') printed += message.content.text;
                if (message.header.msg_type === 'error') failure = message.content.ename + ': ' + message.content.evalue;
            };
            const late = new Promise((_, reject) => setTimeout(() => reject(new Error(`the kernel did not answer within ${timeoutMs} ms`)), timeoutMs));
            await Promise.race([future.done, late]);
            if (failure) throw new Error(failure);
            return printed;
        }""",
        [code, timeout_ms],
    )


# --- Waiting for an explorer to update ---------------------------------------------------------

# Each watched part of an explorer is {"selector": CSS, "contains": text or ""}: the first element
# under the scope matching the selector (and containing the text) is watched; an <img> by its src,
# anything else by its text.
_WATCH = """
(scope, watched) => watched.map(({selector, contains}) => {
    const element = [...scope.querySelectorAll(selector)].find(e => !contains || e.innerText.includes(contains));
    if (!element) return null;
    return element.tagName === 'IMG' ? element.src : element.innerText;
})
"""


THRESHOLD_READOUT = [{"selector": ".widget-html-content", "contains": "· recall"}]


def open_gallery_tab(page, title: str, timeout_ms: int = 90_000) -> None:
    """Click the gallery's tab ``title`` and wait until its explorer is shown: the gallery builds
    a tab's explorer when the tab is first opened, and says it is preparing it until then."""
    page.locator(".widget-tab .lm-TabBar-tab").get_by_text(title, exact=True).click()
    preparing = page.locator(".widget-tab .widget-html-content:visible", has_text="Preparing this explorer")
    preparing.wait_for(state="detached", timeout=timeout_ms)


def threshold_readout(text: str) -> dict:
    """The threshold, precision and recall a threshold explorer's readout shows, as printed."""
    found = {
        "threshold": re.search(r"Threshold (\S+):", text),
        "precision": re.search(r"precision (\S+)", text),
        "recall": re.search(r"recall (\S+)", text),
    }
    if not all(found.values()):
        raise AssertionError(f"not a threshold explorer's readout: {text!r}")
    return {name: match.group(1) for name, match in found.items()}


def watched_texts(page, scope: str, watched: list[dict]) -> list[str]:
    """The current text (or image source) of each watched part of ``scope``."""
    return page.evaluate(f"([scope, watched]) => ({_WATCH})(document.querySelector(scope), watched)", [scope, watched])


def press_and_time(page, scope: str, control, key: str, watched: list[dict], quiet_ms: int = 400, timeout_ms: int = 30_000) -> dict:
    """Press ``key`` on ``control``; wait until every watched part of ``scope`` has changed and
    nothing in ``scope`` has changed for ``quiet_ms``.

    Returns ``{"ms": ..., "texts": [...]}``: milliseconds from the browser's keydown event to the
    last change in ``scope`` (the readout, and the figure when it moved), and the watched texts.
    """
    page.evaluate(
        f"""([scope, watched, quietMs, timeoutMs]) => {{
            const read = {_WATCH};
            const root = document.querySelector(scope);
            const before = read(root, watched);
            window.__mlsdUpdate = new Promise((resolve, reject) => {{
                let pressedAt = null, lastChangeAt = null, quiet = null;
                const onKey = () => {{ if (pressedAt === null) pressedAt = performance.now(); }};
                document.addEventListener('keydown', onKey, true);
                const finish = () => {{ observer.disconnect(); document.removeEventListener('keydown', onKey, true); clearTimeout(deadline); }};
                const settled = () => {{ finish(); resolve({{ms: lastChangeAt - pressedAt, texts: read(root, watched)}}); }};
                const observer = new MutationObserver(() => {{
                    if (pressedAt === null) return;
                    lastChangeAt = performance.now();
                    const now = read(root, watched);
                    if (!now.every((text, i) => text !== null && text !== before[i])) return;
                    clearTimeout(quiet);
                    quiet = setTimeout(settled, quietMs);
                }});
                observer.observe(root, {{subtree: true, childList: true, characterData: true, attributes: true}});
                const deadline = setTimeout(() => {{ finish(); reject(new Error('no update of ' + JSON.stringify(watched) + ' within ' + timeoutMs + ' ms')); }}, timeoutMs);
            }});
        }}""",
        [scope, watched, quiet_ms, timeout_ms],
    )
    control.press(key)
    return page.evaluate("() => window.__mlsdUpdate")
