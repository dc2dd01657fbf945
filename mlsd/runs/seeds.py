"""``mlsd claims``: every notebook run over several seeds, and the table of which claims hold.

A notebook's claims (:func:`mlsd.claims.claim`) are checked on the data of one seed each time it
runs. A lesson is only true if it holds whatever the seed, so :func:`run_over_seeds` executes the
notebooks at their defaults once per seed — with ``MLSD_CLAIMS=record``, so a claim that fails is
tabulated rather than stopping the notebook — and :func:`claims_table` writes the result as a
Markdown table: one row per claim, one column per seed, ✓ where it held, ✗ where it did not,
``error`` where the notebook itself failed on that seed.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

from mlsd.claims import MODE_VARIABLE, read_claims
from mlsd.runs.catalog import NotebookInfo
from mlsd.runs.execute import RunResult, execute_all
from mlsd.runs.plan import plan_runs

SEED_PARAMETER = "seed"


def run_over_seeds(
    notebooks: list[NotebookInfo],
    seeds: list[int],
    out_dir: Path,
    jobs: int = 1,
    timeout: float | None = None,
    report: Callable[[str], None] = lambda line: None,
) -> dict[int, list[RunResult]]:
    """Execute every notebook that declares ``seed`` once per seed, into ``out_dir/seed-<S>/``,
    with claims recorded rather than raised; returns the results by seed."""
    seeded = [nb for nb in notebooks if SEED_PARAMETER in nb.parameters]
    results = {}
    with _claims_recorded():
        for seed in seeds:
            requests = plan_runs(seeded, {SEED_PARAMETER: seed}, []).requests
            report(f"seed {seed}: {len(requests)} notebooks, {jobs} at a time")

            def done(index, result, seed=seed):
                report(f"seed {seed} [{index + 1}/{len(requests)}] {result.status:<7} "
                       f"{result.notebook}  {result.seconds:.1f} s")

            results[seed] = execute_all(requests, out_dir / f"seed-{seed}", jobs, timeout,
                                        on_finish=done)
    return results


def claims_table(results_by_seed: dict[int, list[RunResult]]) -> tuple[str, int, int]:
    """The Markdown table of every claim × seed, the number of claims, and how many held on
    every seed (a notebook that failed on a seed fails its claims there)."""
    seeds = list(results_by_seed)
    rows: dict[tuple[str, str], dict] = {}
    for seed, results in results_by_seed.items():
        for result in results:
            claims = read_claims(result.output) if result.ok else []
            for entry in claims:
                row = rows.setdefault((result.notebook, entry["name"]),
                                      {"statement": entry["statement"], "marks": {}})
                row["marks"][seed] = "✓" if entry["held"] else "✗"
            if not result.ok:
                for (notebook, _), row in rows.items():
                    if notebook == result.notebook:
                        row["marks"][seed] = "error"
    header = ["notebook", "claim", *(f"seed {seed}" for seed in seeds), "all seeds"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    holding = 0
    for (notebook, name), row in rows.items():
        marks = [row["marks"].get(seed, "missing") for seed in seeds]
        every = all(mark == "✓" for mark in marks)
        holding += every
        statement = row["statement"].replace("|", "\\|")
        cells = [f"`{notebook}`", f"{statement} (`{name}`)", *marks, "holds" if every else "**no**"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n", len(rows), holding


@contextmanager
def _claims_recorded():
    before = os.environ.get(MODE_VARIABLE)
    os.environ[MODE_VARIABLE] = "record"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(MODE_VARIABLE)
        else:
            os.environ[MODE_VARIABLE] = before
