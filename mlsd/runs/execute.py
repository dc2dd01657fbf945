"""Execute notebooks with papermill from one Python process, one kernel each, in parallel if asked.

A notebook that fails does not stop the others: its executed copy (saved after every cell, with
papermill's error banner) is kept, and its result names the failing cell and the error.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from mlsd.records import read_records
from mlsd.runs.kernel import IPCKernelManager
from mlsd.runs.plan import RunRequest


@dataclass
class RunResult:
    """What one notebook run produced: status, duration, recorded results and the executed copy."""

    notebook: str
    output: Path
    parameters: dict
    status: str
    seconds: float
    records: dict = field(default_factory=dict)
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def output_path(request: RunRequest, out_dir: Path) -> Path:
    """Where the executed copy goes: the notebook's path relative to the kit, under ``out_dir``."""
    relative = Path(request.notebook.name)
    return out_dir / (relative if not relative.is_absolute() else relative.name)


def execute(
    request: RunRequest,
    target: Path,
    timeout: float | None = None,
    progress_bar: bool = False,
    kernel_manager_class: type = IPCKernelManager,
) -> RunResult:
    """Execute one notebook into ``target`` and read back its records; never raises for a failure.

    ``kernel_manager_class`` starts the kernel; a subclass of :class:`IPCKernelManager` lets a
    caller keep track of the kernels it runs (``mlsd sweep`` stops them when interrupted).
    """
    import papermill
    from nbclient.exceptions import CellTimeoutError
    from papermill.exceptions import PapermillExecutionError

    target.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    error = ""
    try:
        papermill.execute_notebook(
            str(request.notebook.path),
            str(target),
            parameters=request.overrides or None,
            progress_bar=progress_bar,
            execution_timeout=timeout,
            start_timeout=120,
            kernel_manager_class=kernel_manager_class,
            resources={"metadata": {"path": str(request.notebook.path.parent)}},
        )
    except PapermillExecutionError as failure:
        error = f"In [{failure.exec_count}]: {failure.ename}: {failure.evalue}"
    except CellTimeoutError:
        error = f"CellTimeoutError: a cell ran longer than the {timeout:g} s limit (--timeout)"
    except Exception as failure:  # a dead kernel, a timeout or an unreadable file fails this run only
        error = f"{type(failure).__name__}: {failure}"
    error = " ".join(error.split())
    seconds = time.perf_counter() - started
    records = read_records(target) if target.is_file() else {}
    status = "failed" if error else "ok"
    return RunResult(request.notebook.name, target, request.parameters, status, seconds, records, error)


def execute_all(
    requests: list[RunRequest],
    out_dir: Path,
    jobs: int = 1,
    timeout: float | None = None,
    on_start: Callable[[int, RunRequest], None] = lambda index, request: None,
    on_finish: Callable[[int, RunResult], None] = lambda index, result: None,
    progress_bar: bool = False,
) -> list[RunResult]:
    """Execute every request with up to ``jobs`` kernels at once; results keep the request order.

    ``on_start`` and ``on_finish`` are called (from worker threads for ``on_start``, from the
    calling thread for ``on_finish``) so a caller can show progress and save partial summaries.
    On KeyboardInterrupt, notebooks not yet started are cancelled, the ones running are left to
    finish their current cell and stop, and the interrupt is raised again.
    """

    def run(index: int, request: RunRequest) -> RunResult:
        on_start(index, request)
        return execute(request, output_path(request, out_dir), timeout, progress_bar and jobs == 1)

    results: list[RunResult | None] = [None] * len(requests)
    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    futures = {pool.submit(run, i, request): i for i, request in enumerate(requests)}
    try:
        for future in as_completed(futures):
            index = futures[future]
            results[index] = future.result()
            on_finish(index, results[index])
    except KeyboardInterrupt:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return results
