"""Shared fixtures (a throwaway kit of tiny notebooks), the nbval records plugin, and the machine
every kernel the tests start computes on, set before any test starts a kernel or a server.

The committed notebooks are executed by `make notebooks` with 2 threads per kernel and numpy's best
loops for the CPU. The tests' kernels get 1 thread and numpy's baseline loops (its SIMD dispatch
turned off with ``NPY_DISABLE_CPU_FEATURES``), two of the ways another machine computes differently,
so nbval's comparison of the committed outputs is also a test across machines.
"""

import os
from pathlib import Path

import pytest
from kit_factory import write_notebook

from mlsd.threads import pin_threads

pytest_plugins = ["nbval_records"]

pin_threads()


def _numpy_baseline_loops() -> None:
    if "NPY_DISABLE_CPU_FEATURES" in os.environ:  # the developer chose
        return
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__

    dispatched = [feature for feature in __cpu_dispatch__ if __cpu_features__.get(feature)]
    if dispatched:
        os.environ["NPY_DISABLE_CPU_FEATURES"] = " ".join(dispatched)


_numpy_baseline_loops()


def pytest_collection_modifyitems(items):
    """nbval's cells are notebook tests; notebook and browser tests are slow (`-m "not slow"`)."""
    for item in items:
        if item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.notebooks)
        if "browser" in item.path.parts:
            item.add_marker(pytest.mark.browser)
        if item.get_closest_marker("notebooks") or item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session", autouse=True)
def _caches_in_a_temporary_folder(tmp_path_factory):
    """What the kit caches (``$XDG_CACHE_HOME/mlsd``: the gradebooks of ``mlsd grade``) goes to a
    folder of the session's, for every test and every command it starts, not to the user's."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
        yield


@pytest.fixture
def tiny_kit(tmp_path: Path) -> Path:
    """A kit folder with one case study of two notebooks and a start notebook."""
    root = tmp_path / "kit"
    write_notebook(root / "notebooks" / "00_start_here.ipynb", smallest={"n": 10})
    write_notebook(root / "notebooks" / "01_toy_case" / "1_framing.ipynb")
    write_notebook(root / "notebooks" / "01_toy_case" / "2_metrics.ipynb", smallest={"n": 20})
    (root / "exercises").mkdir()
    return root
