"""Parallel kernels split the cores instead of each starting a thread pool per core."""

import os

from mlsd.runs.execute import THREAD_VARIABLES, share_cores


def test_parallel_jobs_split_the_cores(monkeypatch):
    for variable in THREAD_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    share_cores(4)
    assert all(os.environ[variable] == "2" for variable in THREAD_VARIABLES)


def test_more_jobs_than_cores_still_get_one_thread_and_user_settings_win(monkeypatch):
    for variable in THREAD_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    share_cores(4)
    assert os.environ["OMP_NUM_THREADS"] == "3"
    assert os.environ["OPENBLAS_NUM_THREADS"] == "1"
