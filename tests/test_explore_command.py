"""`mlsd explore` and `mlsd practice`: the explorer gallery and the practice app served by Voilà on
127.0.0.1 behind a token, stopped with their server and kernels by Ctrl-C, `kill` or a closed
terminal."""

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import psutil
import pytest

from kit_factory import KIT_ROOT, answer_ctrl_c

from mlsd.explore import app
from mlsd.explore.cache import kit_fingerprint

pytestmark = pytest.mark.slow


def _status(url: str) -> int:
    request = urllib.request.Request(url)
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


APPS = {"explore": ("Explorer gallery", "gallery_tabs("), "practice": ("Interview practice", "PracticeApp(")}


STOPS = {
    "Ctrl-C": lambda server: server.send_signal(signal.SIGINT),
    "kill": lambda server: server.send_signal(signal.SIGTERM),
    "closed terminal": lambda server: os.killpg(server.pid, signal.SIGHUP),  # the terminal's group
}


@pytest.mark.parametrize(("command_name", "stop"), [
    ("explore", "Ctrl-C"), ("practice", "kill"), ("explore", "closed terminal")])
def test_the_app_is_served_only_with_its_token_and_stops_with_its_kernels(tmp_path, command_name, stop):
    title, code = APPS[command_name]
    port, token = app.free_port(), app.new_token()
    environment = dict(os.environ, JUPYTER_DATA_DIR=str(tmp_path / "data"), JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
                       XDG_CACHE_HOME=str(tmp_path / "cache"))
    command = [sys.executable, "-m", "mlsd.cli", "--root", str(KIT_ROOT), command_name, "--port", str(port), "--token", token]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=environment, preexec_fn=answer_ctrl_c, start_new_session=True)
    try:
        lines = queue.Queue()
        threading.Thread(target=lambda: [lines.put(line) for line in server.stdout], daemon=True).start()
        printed, deadline = "", time.monotonic() + 120
        while app.app_url(port, token) not in printed:
            try:
                printed += lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"mlsd {command_name} did not print its URL within 120 s:\n{printed}") from None
        assert _status(app.app_url(port, token)) == 200
        assert _status(f"http://127.0.0.1:{port}/") in {302, 403}
        page = urllib.request.urlopen(app.app_url(port, token), timeout=120).read().decode()
        assert title in page and code not in page
        assert not re.search(r"recorded [\w@.-]+ = ", page)  # records are stored, not shown
        stored = list((tmp_path / "cache" / "mlsd" / "gallery" / kit_fingerprint()).rglob("output.pkl"))
        assert len(stored) == (5 if command_name == "explore" else 0)  # the gallery's data, for the next start
        under = psutil.Process(server.pid).children(recursive=True)  # Voilà and the page's kernel
        assert len(under) >= 2, under
    finally:
        everything = psutil.Process(server.pid).children(recursive=True)
        STOPS[stop](server)
        try:
            status = server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            for process in everything:  # never leave a server behind
                process.kill()
            os.killpg(server.pid, signal.SIGKILL)
            raise
    assert status == 0
    still = [process for process in everything if process.is_running()
             and process.status() != psutil.STATUS_ZOMBIE]
    assert still == [], f"{stop} left {still} running"
    assert app.port_is_free(port)


@pytest.mark.parametrize("command_name", APPS)
def test_a_port_in_use_fails_with_one_line(tmp_path, command_name):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        environment = dict(os.environ, JUPYTER_DATA_DIR=str(tmp_path / "data"), JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
        done = subprocess.run(
            [sys.executable, "-m", "mlsd.cli", "--root", str(KIT_ROOT), command_name, "--port", str(port)],
            capture_output=True, text=True, env=environment, timeout=120,
        )
    assert done.returncode == 2
    assert done.stderr.strip() == f"mlsd {command_name}: port {port} on 127.0.0.1 is in use; choose another with --port, or leave it out for a free one"
