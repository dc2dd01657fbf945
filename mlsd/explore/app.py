"""Serve a notebook as a standalone web app with Voilà: the explorer gallery for ``mlsd explore``,
the interview practice app for ``mlsd practice``.

Voilà runs the notebook (``notebooks/explorers.ipynb``, ``notebooks/practice_app.ipynb``) in a
kernel and shows its outputs (the widgets, the markdown) without any code. The server listens on 127.0.0.1 only and asks for a token: the URL
printed once the page answers carries it, as ``http://127.0.0.1:PORT/?token=TOKEN``.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
from nbformat.sign import NotebookNotary

from mlsd.threads import thread_environment

GALLERY = Path("notebooks") / "explorers.ipynb"
PRACTICE = Path("notebooks") / "practice_app.ipynb"
HOST = "127.0.0.1"


def voila_command(notebook: Path, port: int, token: str) -> list[str]:
    """The Voilà command line that serves ``notebook`` on ``HOST:port`` behind ``token``."""
    return [
        sys.executable, "-m", "voila", str(notebook),
        "--no-browser", f"--Voila.ip={HOST}", f"--port={port}", f"--token={token}",
        "--Voila.port_retries=0",
    ]


def app_url(port: int, token: str) -> str:
    return f"http://{HOST}:{port}/?token={token}"


def free_port() -> int:
    """A TCP port on ``HOST`` that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
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


def serve_gallery(root: Path, port: int, token: str, startup_timeout: float = 60.0) -> int:
    """Run Voilà on the explorer gallery until interrupted (``mlsd explore``). Returns its status."""
    return serve_notebook(root / GALLERY, "the explorer gallery", port, token, startup_timeout)


def serve_notebook(notebook: Path, what: str, port: int, token: str, startup_timeout: float = 60.0) -> int:
    """Run Voilà on ``notebook`` until interrupted; print the URL once it answers. Returns its status.

    ``what`` names the app in the messages (``"the explorer gallery"``).
    """
    if not notebook.is_file():
        raise FileNotFoundError(f"{what} {notebook} is missing")
    if not port_is_free(port):
        raise RuntimeError(f"port {port} on {HOST} is in use; choose another with --port, or leave it out for a free one")
    trust(notebook)
    environment = {**os.environ, **thread_environment()}  # the kit's thread count for the kernel
    process = subprocess.Popen(voila_command(notebook, port, token), cwd=notebook.parent, env=environment)
    try:
        wait_until_answering(f"http://{HOST}:{port}/api/status", process, startup_timeout)
        print(f"\n{what[0].upper() + what[1:]} is at\n\n    {app_url(port, token)}\n\n"
              "Open it in a browser on this machine; Ctrl-C stops the server.\n", file=sys.stderr, flush=True)
        return process.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
