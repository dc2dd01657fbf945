"""The summary of a run: ``summary.csv`` (one row per notebook run) and the table printed after it.

Columns: ``notebook, status, seconds, error``, then every parameter, then every recorded result, in
order of first appearance. Values are written with Python's shortest round-trip ``repr`` so the
same records give the same bytes. A record whose name is also a parameter's or a fixed column's gets
``result.`` prepended to its column name. ``mlsd sweep`` writes its ``results.csv`` with the same
helpers.

A notebook that can run on real data records ``data_source`` (and the real sizes, ``data_rows``,
``data_users``, …). When that record is not ``"simulated"``, the cells of the notebook's simulator
parameters (its metadata ``mlsd.simulator_parameters``) are left empty: the simulator's sizes were
not used, and the ``data_*`` records hold the sizes that were.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import textwrap
from collections.abc import Collection, Mapping
from pathlib import Path

from mlsd.runs.execute import RunResult

SIMULATED = "simulated"


def summary_rows(
    results: list[RunResult], simulator_parameters: Mapping[str, Collection[str]] | None = None
) -> list[dict]:
    """One flat dict per result: fixed columns, parameters, then records.

    ``simulator_parameters`` maps a notebook's name to its simulator-only parameters (see
    :func:`results_row`); a notebook missing from it has none.
    """
    simulator_parameters = simulator_parameters or {}
    rows = []
    for result in results:
        fixed = {
            "notebook": result.notebook,
            "status": result.status,
            "seconds": round(result.seconds, 2),
            "error": result.error,
        }
        simulator = simulator_parameters.get(result.notebook, ())
        rows.append(results_row(fixed, result.parameters, result.records, simulator))
    return rows


def results_row(
    fixed: dict, parameters: dict, records: dict, simulator_parameters: Collection[str] = ()
) -> dict:
    """``fixed`` columns, then ``parameters``, then ``records``.

    A record whose name is taken by a fixed column or a parameter gets ``result.`` prepended. When
    ``records`` hold a ``data_source`` other than ``"simulated"``, the cells of
    ``simulator_parameters`` are empty: those values were not used.
    """
    real_data = records.get("data_source", SIMULATED) != SIMULATED
    row = {**fixed}
    for name, value in parameters.items():
        row[name] = "" if real_data and name in simulator_parameters else value
    for name, value in records.items():
        row[f"result.{name}" if name in parameters or name in fixed else name] = value
    return row


def csv_text(rows: list[dict]) -> str:
    """``rows`` as CSV; the columns are every key, in order of first appearance."""
    columns = list(dict.fromkeys(key for row in rows for key in row))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through ``path.partial`` and a rename: a reader never sees half a file."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def write_summary(
    results: list[RunResult],
    path: Path,
    simulator_parameters: Mapping[str, Collection[str]] | None = None,
) -> None:
    """Write ``summary.csv`` atomically (a reader never sees a half-written file).

    ``simulator_parameters`` as in :func:`summary_rows`.
    """
    write_atomically(path, csv_text(summary_rows(results, simulator_parameters)))


def format_table(results: list[RunResult], width: int | None = None) -> str:
    """A plain-text table: notebook, status, time and its records (or its error), wrapped to fit."""
    width = width or shutil.get_terminal_size((120, 20)).columns
    name_width = max([len("notebook")] + [len(r.notebook) for r in results])
    head = f"{'notebook':<{name_width}}  {'status':<6}  {'time':>7}  results"
    indent = name_width + 19
    lines = [head, "-" * min(width, max(len(head), 60))]
    for result in results:
        detail = result.error if not result.ok else ", ".join(f"{k} = {_short(v)}" for k, v in result.records.items()) or "(no records)"
        wrapped = textwrap.wrap(detail, max(30, width - indent)) or [""]
        lines.append(f"{result.notebook:<{name_width}}  {result.status:<6}  {result.seconds:>5.1f} s  {wrapped[0]}")
        lines += [" " * indent + more for more in wrapped[1:]]
    failed = sum(not r.ok for r in results)
    lines.append(f"{len(results) - failed} ok, {failed} failed")
    return "\n".join(lines)


def _short(value) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)
