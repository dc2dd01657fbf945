"""Serve a notebook as a standalone web app with Voilà: the explorer gallery for ``mlsd explore``,
the interview practice app for ``mlsd practice``.

Voilà runs the notebook (``notebooks/explorers.ipynb``, ``notebooks/practice_app.ipynb``) in a
kernel and shows its outputs (the widgets, the markdown) without any code; the gallery is served
without its cells tagged :data:`NOTEBOOK_ONLY` (:func:`app_notebook`). The server listens on
127.0.0.1 only and asks for a token: the URL printed once the page answers carries it, as
``http://127.0.0.1:PORT/?token=TOKEN``.

Voilà starts a kernel and runs the notebook in it as soon as it starts (``preheat_kernel``), so the
first page is built while the URL is printed and opened; a second one is started a second after a
page takes the first, for the next visitor (a longer delay would make that visitor wait for it).
Voilà itself is started by :mod:`mlsd.explore.voila_server`, which skips a slow import.

Every way of ending the command stops the server and its kernels: Ctrl-C (SIGINT), ``kill``
(SIGTERM) and a closed terminal (SIGHUP) all end in :func:`stop_server`. Voilà runs in a session
of its own, so the command alone decides when it stops, and its kernels (sessions of their own too)
are found as its descendants before it is stopped.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
from nbformat.sign import NotebookNotary

from mlsd.explore.cache import CACHE_VARIABLE, default_folder
from mlsd.threads import thread_environment

GALLERY = Path("notebooks") / "explorers.ipynb"
PRACTICE = Path("notebooks") / "practice_app.ipynb"
HOST = "127.0.0.1"
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
"""Besides SIGINT (KeyboardInterrupt), the signals that stop a served app."""
GRACE_S = 10
"""Seconds the server and then its kernels get to exit on SIGTERM before SIGKILL."""
NOTEBOOK_ONLY = "notebook-only"
"""The tag of a cell an app leaves out: the gallery's table of where each tab starts, which
would build every tab's explorer before the first page (a notebook run records those numbers)."""


class Stopped(Exception):
    """Raised in the command by SIGTERM or SIGHUP, so it stops its server as on Ctrl-C."""


def voila_command(notebook: Path, port: int, token: str) -> list[str]:
    """The Voilà command line that serves ``notebook`` on ``HOST:port`` behind ``token``."""
    return [
        sys.executable, "-m", "mlsd.explore.voila_server", str(notebook),
        "--no-browser", f"--Voila.ip={HOST}", f"--port={port}", f"--token={token}",
        "--Voila.port_retries=0", "--preheat_kernel=True",
    ]


def app_url(port: int, token: str) -> str:
    return f"http://{HOST}:{port}/?token={token}"


def free_port() -> int:
    """A TCP port on ``HOST`` that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def port_is_free(port: int) -> bool:
    """Whether a server could listen on ``HOST:port`` now. Like Voilà's own socket, the probe sets
    ``SO_REUSEADDR``: connections of a server just stopped (TIME_WAIT) do not hold the port, a
    listening socket does."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
        return True


def new_token() -> str:
    return secrets.token_hex(24)


def trust(notebook: Path, data_dir: Path | None = None) -> None:
    """Sign ``notebook`` in the trust database (the user's, or the one in ``data_dir``)."""
    notary = NotebookNotary(data_dir=str(data_dir)) if data_dir else NotebookNotary()
    notary.sign(nbformat.read(notebook, as_version=4))


def wait_until_answering(url: str, process: subprocess.Popen, timeout: float) -> None:
    """Poll ``url`` until the server answers with any HTTP status.

    Raises
    ------
    RuntimeError
        When ``process`` exits first, or nothing answers within ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode} before answering at {url}")
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing answered at {url} within {timeout:g} s")


def app_notebook(notebook: Path, folder: Path) -> Path:
    """Write into ``folder`` the notebook an app serves: ``notebook`` without its cells tagged
    :data:`NOTEBOOK_ONLY`. Returns its path."""
    content = nbformat.read(notebook, as_version=4)
    content.cells = [cell for cell in content.cells
                     if NOTEBOOK_ONLY not in cell.metadata.get("tags", [])]
    served = folder / notebook.name
    nbformat.write(content, served)
    return served


def serve_gallery(root: Path, port: int, token: str, startup_timeout: float = 60.0) -> int:
    """Run Voilà on the explorer gallery until interrupted (``mlsd explore``). Returns its status.

    Voilà serves :func:`app_notebook` of the gallery, from a folder removed when the command
    ends. The gallery's data come from the disk cache of :mod:`mlsd.explore.cache` (made on the
    first start), so a later start does not simulate and train again.
    """
    if not (root / GALLERY).is_file():
        raise FileNotFoundError(f"the explorer gallery {root / GALLERY} is missing")
    cache = {CACHE_VARIABLE: str(default_folder())}
    with tempfile.TemporaryDirectory(prefix="mlsd-explore-") as folder:
        served = app_notebook(root / GALLERY, Path(folder))
        return serve_notebook(served, "the explorer gallery", port, token, startup_timeout, cache)


def serve_notebook(notebook: Path, what: str, port: int, token: str, startup_timeout: float = 60.0,
                   environment: dict[str, str] | None = None) -> int:
    """Run Voilà on ``notebook`` until interrupted; print the URL once it answers. Returns its status.

    ``what`` names the app in the messages (``"the explorer gallery"``); ``environment`` holds
    variables set for the server and its kernels besides the kit's thread count.
    """
    if not notebook.is_file():
        raise FileNotFoundError(f"{what} {notebook} is missing")
    if not port_is_free(port):
        raise RuntimeError(f"port {port} on {HOST} is in use; choose another with --port, or leave it out for a free one")
    trust(notebook)
    environment = {**os.environ, **thread_environment(), **(environment or {})}
    previous = {number: signal.signal(number, _raise_stopped) for number in STOP_SIGNALS}
    process = subprocess.Popen(voila_command(notebook, port, token), cwd=notebook.parent,
                               env=environment, start_new_session=True)
    try:
        wait_until_answering(f"http://{HOST}:{port}/api/status", process, startup_timeout)
        print(f"\n{what[0].upper() + what[1:]} is at\n\n    {app_url(port, token)}\n\n"
              "Open it in a browser on this machine; Ctrl-C stops the server.\n", file=sys.stderr, flush=True)
        return process.wait()
    except (KeyboardInterrupt, Stopped):
        return 0
    finally:
        for number in STOP_SIGNALS:  # a second kill while stopping must not cut the stop short
            signal.signal(number, signal.SIG_IGN)
        stop_server(process)
        for number, handler in previous.items():
            signal.signal(number, handler)


def _raise_stopped(number, frame) -> None:
    raise Stopped(signal.Signals(number).name)


def stop_server(process: subprocess.Popen) -> None:
    """Stop ``process`` and every process under it: SIGTERM to the server (which shuts its kernels
    down), SIGKILL after :data:`GRACE_S`; then the same for any descendant still running."""
    import psutil

    try:
        descendants = psutil.Process(process.pid).children(recursive=True)
    except psutil.Error:
        descendants = []
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=GRACE_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    alive = [child for child in descendants if child.is_running()]
    for child in alive:
        try:
            child.terminate()
        except psutil.Error:
            pass
    for child in psutil.wait_procs(alive, timeout=GRACE_S)[1]:
        try:
            child.kill()
        except psutil.Error:
            pass
