"""Where a sweep's runs execute: threads of this process (``local``) or a Dask cluster (``dask``).

Both executors take the runs in order, keep at most ``jobs`` of them in flight, call ``on_start``
as each is handed out, and yield each run with its :class:`Outcome` as it finishes; the next run
is handed out once the caller has taken it. Each run is one :func:`mlsd.runs.execute.execute`
call: papermill with a kernel of its own.

- ``local`` executes in threads of this process and writes the executed copy straight to the run's
  partial path in the sweep's folder.
- ``dask`` sends each run to a worker, which may not share this filesystem: the worker writes the
  notebook under its own file name into a temporary folder, executes it there (a notebook reads its
  declarations from its own file, in its cwd) and sends the executed notebook back as text.

The sweep's folder is written by the calling process only (:mod:`mlsd.sweeps.store`). When the
caller stops early (Ctrl-C), runs not handed out are dropped, queued Dask tasks are cancelled, and
the local executor kills the kernels of its runs in flight so the command exits at once; a run
already executing on a Dask worker finishes there and its result is discarded.
"""

from __future__ import annotations

import logging
import os
import signal
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from mlsd.params import ParameterError
from mlsd.runs.catalog import NotebookInfo
from mlsd.runs.execute import execute
from mlsd.runs.kernel import IPCKernelManager
from mlsd.runs.plan import RunRequest
from mlsd.sweeps.grid import Run

CONNECT_SECONDS = 10
EXECUTORS = ("local", "dask")


@dataclass(frozen=True)
class Outcome:
    """How a run ended: status (``ok`` or ``failed``), seconds, error, records, and the executed
    notebook's text when it was executed elsewhere (``None`` when it is already at the partial path)."""

    status: str
    seconds: float
    error: str = ""
    records: dict = field(default_factory=dict)
    notebook: str | None = None


Started = Callable[[Run], None]


class LocalExecutor:
    """Runs in threads of this process, ``jobs`` kernels at a time."""

    def __init__(self, jobs: int, timeout: float | None):
        self.jobs, self.timeout = jobs, timeout

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        pass

    def run(self, runs: list[Run], partial_path: Callable[[str], Path], on_start: Started) -> Iterator[tuple[Run, Outcome]]:
        kernels: set = set()
        manager = _tracked_kernel_manager(kernels)

        def one(run: Run) -> Outcome:
            result = execute(run.request, partial_path(run.id), self.timeout, kernel_manager_class=manager)
            return Outcome(result.status, result.seconds, result.error, result.records)

        pool = ThreadPoolExecutor(max_workers=self.jobs)
        queue = iter(runs)
        in_flight: dict[Future, Run] = {}

        def hand_out() -> None:
            for run in islice(queue, self.jobs - len(in_flight)):
                on_start(run)
                in_flight[pool.submit(one, run)] = run

        try:
            hand_out()
            while in_flight:
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in done:
                    yield in_flight.pop(future), future.result()
                hand_out()
        finally:
            if in_flight:  # stopped early: papermill would log the death of each kernel killed here
                logging.getLogger("papermill").disabled = True
            for kernel in list(kernels):
                _kill(kernel)
            pool.shutdown(wait=False, cancel_futures=True)


class DaskExecutor:
    """Runs on the workers of the Dask scheduler at ``address``, ``jobs`` at a time."""

    def __init__(self, address: str, jobs: int, timeout: float | None):
        self.client = connect_dask(address)
        self.jobs, self.timeout = jobs, timeout

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.client.close()

    def run(self, runs: list[Run], partial_path: Callable[[str], Path], on_start: Started) -> Iterator[tuple[Run, Outcome]]:
        from distributed import as_completed

        if not runs:
            return
        notebook = runs[0].request.notebook
        text = notebook.path.read_text(encoding="utf-8")
        queue = iter(runs)
        in_flight: dict = {}
        completed = as_completed(loop=self.client.loop)

        def hand_out() -> None:
            for run in islice(queue, self.jobs - len(in_flight)):
                on_start(run)
                future = self.client.submit(run_on_worker, text, notebook.path.name, run.request.overrides, self.timeout, pure=False)
                in_flight[future] = (run, time.perf_counter())
                completed.add(future)

        try:
            hand_out()
            for future in completed:
                run, submitted = in_flight.pop(future)
                yield run, _collect(future, submitted)
                hand_out()
        finally:
            self.client.cancel(list(in_flight))


def connect_dask(address: str):
    """A ``distributed.Client`` of the Dask scheduler at ``address``; ParameterError naming the
    address and the reason when the package is missing or no scheduler answers."""
    try:
        import distributed
    except ImportError:
        raise ParameterError("--executor dask needs the distributed package: pip install -e '.[dask]'") from None
    try:
        return distributed.Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
    except Exception as error:  # refused, timed out, or not an address: the same advice
        reason = " ".join(str(error).split()) or type(error).__name__
        raise ParameterError(f"--scheduler {address}: no Dask scheduler answered ({reason})") from None


def open_executor(kind: str, jobs: int, timeout: float | None, scheduler: str | None) -> LocalExecutor | DaskExecutor:
    """The executor named on the command line; ``dask`` connects to ``scheduler`` first."""
    if kind == "dask":
        if not scheduler:
            raise ParameterError("--executor dask needs --scheduler ADDRESS, e.g. tcp://HOST:8786")
        return DaskExecutor(scheduler, jobs, timeout)
    if scheduler:
        raise ParameterError("--scheduler applies to --executor dask only")
    return LocalExecutor(jobs, timeout)


def run_on_worker(notebook_text: str, file_name: str, overrides: dict, timeout: float | None) -> Outcome:
    """Execute a notebook given as text in a temporary folder; return its outcome and executed text."""
    with tempfile.TemporaryDirectory(prefix="mlsd-sweep-") as folder:
        source = Path(folder) / file_name
        source.write_text(notebook_text, encoding="utf-8")
        target = Path(folder) / "executed" / file_name
        result = execute(RunRequest(NotebookInfo(source, file_name), overrides), target, timeout)
        executed = target.read_text(encoding="utf-8") if target.is_file() else None
    return Outcome(result.status, result.seconds, result.error, result.records, executed)


def _collect(future, submitted: float) -> Outcome:
    """The outcome a Dask future holds, or a failed one naming the error that stopped the task."""
    try:
        return future.result()
    except Exception as error:  # a worker that died, or lacks the kit, fails this run only
        return Outcome("failed", time.perf_counter() - submitted, " ".join(f"{type(error).__name__}: {error}".split()))


def _tracked_kernel_manager(kernels: set) -> type:
    """An :class:`IPCKernelManager` class whose instances are in ``kernels`` while their kernel may run."""

    class TrackedKernelManager(IPCKernelManager):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            kernels.add(self)

        async def _async_cleanup_resources(self, restart: bool = False) -> None:
            await super()._async_cleanup_resources(restart=restart)
            if not restart:
                kernels.discard(self)

    return TrackedKernelManager


def _kill(manager: IPCKernelManager) -> None:
    """Kill a kernel and its children (it leads a process group of its own); papermill then fails its run."""
    group = getattr(manager.provisioner, "pgid", None)
    if group:
        try:
            os.killpg(group, signal.SIGKILL)
        except OSError:
            pass
