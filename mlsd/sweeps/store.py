"""A sweep's folder, written so that a kill at any moment loses at most the runs in flight.

Layout (``mlsd report`` reads it)::

    DIR/manifest.json             the sweep: notebook (kit-relative name), grid, sample, seed, fixed,
                                  smallest, and runs: [{id, parameters (the swept values), status
                                  (pending, running, ok, failed), seconds (null until finished), error}]
    DIR/runs/<id>/<notebook>      the executed copy of the run, under the notebook's file name
    DIR/runs/<id>/result.json     the run's result: run, status, seconds, error, output, parameters
                                  (every parameter with the value used), records
    DIR/results.csv               one row per run, in run order: run, status, seconds, error, output,
                                  every parameter (declaration order), every record (order of first
                                  appearance; ``result.<name>`` when a record has a parameter's name);
                                  ``output`` is the executed copy's path relative to DIR; the
                                  simulator-only parameters are empty in a run on real data
                                  (:func:`mlsd.runs.summary.results_row`)

Every file is written under a temporary name next to it and moved over the final one with
``os.replace``, so a reader never sees half a file. A run's executed copy is written as
``<stem>.partial.ipynb`` and moved to its name when the run ends; ``result.json`` is written last.
``result.json`` alone says a run finished: on resume, statuses come from those files and the folder
of an unfinished run is emptied before it runs again. ``manifest.json`` and ``results.csv`` are
rewritten after every finished run; runs in flight are ``running`` in the manifest and ``pending``
in ``results.csv``.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from mlsd.params import ParameterError
from mlsd.runs.summary import csv_text, results_row, write_atomically
from mlsd.sweeps.executors import Outcome
from mlsd.sweeps.grid import Run, Sweep

MANIFEST, RESULTS, RESULT = "manifest.json", "results.csv", "result.json"
FINISHED = ("ok", "failed")
DEFINITION_NAMES = {"notebook": "notebook", "grid": "grid", "sample": "--sample", "seed": "--seed", "fixed": "fixed values", "smallest": "--smallest"}


class SweepStore:
    """The folder of one sweep: what it already holds, and the atomic writes as runs finish."""

    def __init__(self, directory: Path, sweep: Sweep):
        self.directory = Path(directory)
        self.sweep = sweep
        self.results: dict[str, dict] = {}

    def run_folder(self, run_id: str) -> Path:
        return self.directory / "runs" / run_id

    def notebook_path(self, run_id: str) -> Path:
        """Where the run's executed copy ends up."""
        return self.run_folder(run_id) / self.sweep.notebook.path.name

    def partial_path(self, run_id: str) -> Path:
        """Where the run's executed copy is written while the run is in flight."""
        final = self.notebook_path(run_id)
        return final.with_name(f"{final.stem}.partial{final.suffix}")

    def load(self) -> None:
        """Read the results already in the folder; reject a folder of another sweep. Writes nothing.

        Raises
        ------
        ParameterError
            When the folder holds a different sweep, an unreadable manifest, or other files.
        """
        manifest = self.directory / MANIFEST
        if manifest.is_file():
            try:
                previous = json.loads(manifest.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
                raise ParameterError(f"{manifest}: cannot read it ({error}); use another --out") from None
            definition = self.sweep.definition()
            differ = [DEFINITION_NAMES[key] for key in definition if _canonical(definition[key], key) != _canonical(previous.get(key), key)]
            if differ:
                raise ParameterError(f"--out {self.directory} holds a different sweep (different {', '.join(differ)}); use another --out")
        elif self.directory.exists() and (not self.directory.is_dir() or any(not p.name.endswith(".partial") for p in self.directory.iterdir())):
            raise ParameterError(f"--out {self.directory} holds something else than a sweep (no {MANIFEST}); use another --out")
        for run in self.sweep.runs:
            result = _read_result(self.run_folder(run.id) / RESULT)
            if result is not None:
                self.results[run.id] = result

    def to_run(self, retry_failed: bool) -> list[Run]:
        """The runs without a result, and the failed ones too when ``retry_failed``; writes nothing."""
        keep = ("ok",) if retry_failed else FINISHED
        return [run for run in self.sweep.runs if self.results.get(run.id, {}).get("status") not in keep]

    def begin(self, runs: list[Run]) -> None:
        """Forget and empty the folders of ``runs`` (about to run), then write the manifest and results."""
        self.directory.mkdir(parents=True, exist_ok=True)
        for run in runs:
            self.results.pop(run.id, None)
            (self.run_folder(run.id) / RESULT).unlink(missing_ok=True)
            shutil.rmtree(self.run_folder(run.id), ignore_errors=True)
        self.save()

    def finish(self, run: Run, outcome: Outcome) -> dict:
        """Move the run's executed copy into place, then write its ``result.json``; return the result.

        An executed copy sent back as text (``outcome.notebook``) is first written to the partial path.
        """
        folder = self.run_folder(run.id)
        folder.mkdir(parents=True, exist_ok=True)
        partial = self.partial_path(run.id)
        if outcome.notebook is not None:
            partial.write_text(outcome.notebook, encoding="utf-8")
        output = ""
        if partial.is_file():
            os.replace(partial, self.notebook_path(run.id))
            output = self.notebook_path(run.id).relative_to(self.directory).as_posix()
        result = {
            "run": run.id,
            "status": outcome.status,
            "seconds": round(outcome.seconds, 2),
            "error": outcome.error,
            "output": output,
            "parameters": run.request.parameters,
            "records": outcome.records,
        }
        write_atomically(folder / RESULT, json.dumps(result, indent=2) + "\n")
        self.results[run.id] = result
        return result

    def save(self, running: set[str] = frozenset()) -> None:
        """Rewrite ``manifest.json`` (runs in ``running`` marked so) and ``results.csv``."""
        runs = []
        for run in self.sweep.runs:
            result = self.results.get(run.id)
            status = result["status"] if result else "running" if run.id in running else "pending"
            seconds = result["seconds"] if result else None
            runs.append({"id": run.id, "parameters": run.swept, "status": status, "seconds": seconds, "error": result["error"] if result else ""})
        manifest = {**self.sweep.definition(), "runs": runs}
        write_atomically(self.directory / MANIFEST, json.dumps(manifest, indent=2) + "\n")
        write_atomically(self.directory / RESULTS, self._csv())

    def counts(self) -> dict[str, int]:
        """Runs per status: ok, failed, pending (not finished)."""
        statuses = [self.results[run.id]["status"] if run.id in self.results else "pending" for run in self.sweep.runs]
        return {status: statuses.count(status) for status in ("ok", "failed", "pending")}

    def _csv(self) -> str:
        rows = []
        for run in self.sweep.runs:
            result = self.results.get(run.id, {})
            fixed = {"run": run.id, "status": result.get("status", "pending"), "seconds": result.get("seconds", ""), "error": result.get("error", ""), "output": result.get("output", "")}
            records = result.get("records", {})
            simulator = self.sweep.notebook.simulator_parameters
            rows.append(results_row(fixed, run.request.parameters, records, simulator))
        return csv_text(rows)


def _read_result(path: Path) -> dict | None:
    try:
        result = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return result if isinstance(result, dict) and result.get("status") in FINISHED else None


def _canonical(value, key: str) -> str:
    """JSON text to compare two sweeps' definitions; the grid's key order matters (it orders the runs)."""
    return json.dumps(value, sort_keys=key != "grid")

