"""Every kernel the kit starts gets a fixed number of BLAS/OpenMP threads, not the core count."""

import asyncio
import os
import subprocess
import sys

import pytest

from mlsd.runs.kernel import IPCKernelManager
from mlsd.threads import THREAD_VARIABLES, pin_threads, thread_environment


def test_one_thread_each_unless_asked_otherwise():
    assert thread_environment({}) == {variable: "1" for variable in THREAD_VARIABLES}


def test_mlsd_threads_sets_every_variable_and_wins_over_the_rest():
    environment = {"MLSD_THREADS": "2", "OMP_NUM_THREADS": "8"}
    assert thread_environment(environment) == {variable: "2" for variable in THREAD_VARIABLES}


def test_a_variable_the_user_set_is_kept_when_mlsd_threads_is_not_set():
    chosen = thread_environment({"OMP_NUM_THREADS": "3"})
    assert chosen == {"OMP_NUM_THREADS": "3", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@pytest.mark.parametrize("value", ["0", "two", "-1", "1.5"])
def test_a_bad_mlsd_threads_is_one_message_naming_it(value):
    with pytest.raises(ValueError, match=f"MLSD_THREADS = '{value}' is not allowed: expected a whole number >= 1"):
        thread_environment({"MLSD_THREADS": value})


def test_pin_threads_sets_this_process_so_servers_and_kernels_inherit(monkeypatch):
    for variable in (*THREAD_VARIABLES, "MLSD_THREADS"):
        monkeypatch.delenv(variable, raising=False)
    pin_threads()
    assert all(os.environ[variable] == "1" for variable in THREAD_VARIABLES)


def test_the_kernel_manager_puts_the_thread_count_in_the_kernel_environment(monkeypatch):
    monkeypatch.setenv("MLSD_THREADS", "2")
    manager = IPCKernelManager(kernel_name="python3")

    async def launch_arguments():
        try:
            return await manager._async_pre_start_kernel()
        finally:
            await manager._async_cleanup_resources()

    _, arguments = asyncio.run(launch_arguments())
    assert all(arguments["env"][variable] == "2" for variable in THREAD_VARIABLES)


def test_python_m_mlsd_threads_prints_the_assignments_for_env():
    printed = subprocess.run(
        [sys.executable, "-m", "mlsd.threads"], capture_output=True, text=True, check=True,
        env={**os.environ, "MLSD_THREADS": "3"},
    ).stdout.split()
    assert printed == [f"{variable}=3" for variable in THREAD_VARIABLES]
