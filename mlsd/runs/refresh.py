"""Re-execute notebooks in place with their defaults, so the outputs stored in them match the code.

The committed notebooks are executed files (nbval checks they still reproduce). Refreshing runs each
one top to bottom in a fresh kernel without timing metadata, stamps what it was executed with
(``metadata.mlsd.executed_with``: threads, versions, BLAS), and replaces the file only when every
cell succeeded — a failing notebook is left as it was and its error is reported.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from mlsd.reproducibility import execution_environment
from mlsd.runs.catalog import NotebookInfo
from mlsd.runs.kernel import IPCKernelManager


def refresh(notebook: NotebookInfo, timeout: float | None = None) -> str:
    """Execute ``notebook`` and overwrite it with the result; return "" or the error."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    node = nbformat.read(notebook.path, as_version=4)
    node.metadata.pop("papermill", None)
    client = NotebookClient(
        node,
        timeout=timeout,
        kernel_manager_class=IPCKernelManager,
        resources={"metadata": {"path": str(notebook.path.parent)}},
        record_timing=False,
    )
    try:
        client.execute()
    except CellExecutionError as failure:
        return f"{failure.ename}: {failure.evalue}"
    except Exception as failure:  # a dead kernel or a timeout leaves the file untouched
        return f"{type(failure).__name__}: {failure}"
    node.metadata.setdefault("mlsd", {})["executed_with"] = execution_environment()
    partial = notebook.path.with_name(notebook.path.name + ".partial")
    nbformat.write(node, partial)
    os.replace(partial, notebook.path)
    return ""


def refresh_all(notebooks: list[NotebookInfo], jobs: int, timeout: float | None, report: Callable[[str], None]) -> list[str]:
    """Refresh every notebook (``jobs`` at a time); return the names of those that failed."""

    def one(notebook: NotebookInfo) -> str:
        started = time.perf_counter()
        error = refresh(notebook, timeout)
        outcome = f"failed: {error}" if error else "refreshed"
        report(f"{notebook.name}: {outcome} ({time.perf_counter() - started:.1f} s)")
        return notebook.name if error else ""

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return [name for name in pool.map(one, notebooks) if name]
