"""Where submissions are graded: child processes of this machine (``local``), or a Dask cluster
(``dask``), as ``mlsd sweep`` runs notebooks.

Both take the jobs in order, keep at most ``jobs`` in flight, and yield each job with its
:class:`~mlsd.grading.isolated.Outcome` — or with the exception that kept it from being graded
(a lost Dask worker, a worker without the kit) — as it finishes. Either way each submission is
graded by :func:`~mlsd.grading.isolated.grade_isolated`, in a child process of whichever machine
runs it. When the caller stops early (Ctrl-C), jobs not handed out are dropped, the local
executor kills its children in flight and queued Dask tasks are cancelled.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from itertools import islice

from mlsd.grading.isolated import GradingJob, Outcome, grade_isolated, kill_tree
from mlsd.params import ParameterError
from mlsd.sweeps.executors import EXECUTORS, connect_dask

__all__ = ["EXECUTORS", "DaskGrading", "LocalGrading", "open_grading"]

Finished = Iterator[tuple[GradingJob, Outcome | Exception]]


class LocalGrading:
    """Grades in child processes of this machine, ``jobs`` at a time."""

    def __init__(self, jobs: int):
        self.jobs = jobs

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        pass

    def run(self, jobs: list[GradingJob]) -> Finished:
        children, lock = set(), threading.Lock()

        def started(child) -> None:
            with lock:
                children.add(child)

        pool = ThreadPoolExecutor(max_workers=self.jobs)
        queue = iter(jobs)
        in_flight = {}

        def hand_out() -> None:
            for job in islice(queue, self.jobs - len(in_flight)):
                in_flight[pool.submit(grade_isolated, job, started)] = job

        try:
            hand_out()
            while in_flight:
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in done:
                    yield in_flight.pop(future), _result(future)
                hand_out()
        finally:
            with lock:
                for child in children:
                    if child.poll() is None:
                        kill_tree(child)
            pool.shutdown(wait=False, cancel_futures=True)


class DaskGrading:
    """Grades on the workers of the Dask scheduler at ``address``, ``jobs`` at a time; each worker
    needs the kit installed, and nothing of this filesystem (a job carries its files)."""

    def __init__(self, address: str, jobs: int):
        self.client = connect_dask(address)
        self.jobs = jobs

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.client.close()

    def run(self, jobs: list[GradingJob]) -> Finished:
        from distributed import as_completed

        queue = iter(jobs)
        in_flight = {}
        completed = as_completed(loop=self.client.loop)

        def hand_out() -> None:
            for job in islice(queue, self.jobs - len(in_flight)):
                future = self.client.submit(grade_isolated, job, pure=False)
                in_flight[future] = job
                completed.add(future)

        try:
            hand_out()
            if not in_flight:
                return
            for future in completed:
                yield in_flight.pop(future), _result(future)
                hand_out()
        finally:
            self.client.cancel(list(in_flight))


def _result(future) -> Outcome | Exception:
    try:
        return future.result()
    except Exception as error:  # a lost worker, a worker without the kit: this job is not graded
        return error


def open_grading(kind: str, jobs: int, scheduler: str | None) -> LocalGrading | DaskGrading:
    """The executor named on the command line; ``dask`` connects to ``scheduler`` first."""
    if kind == "dask":
        if not scheduler:
            raise ParameterError("--executor dask needs --scheduler ADDRESS, e.g. tcp://HOST:8786")
        return DaskGrading(scheduler, jobs)
    if scheduler:
        raise ParameterError("--scheduler applies to --executor dask only")
    return LocalGrading(jobs)
