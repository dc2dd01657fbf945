"""``mlsd sweep``: one notebook over a grid of parameter values, resumable, locally or on Dask.

Every run is checked before anything runs or is written. Running the same command again resumes:
runs that finished ``ok`` are skipped, failed ones too unless ``--retry-failed``. Exit status: 0 when
every run is ok, 1 when a run failed, 2 when the sweep was rejected (nothing written), 130 when
interrupted (the runs in flight are lost; rerunning resumes).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

from mlsd.params import ParameterError
from mlsd.runs.catalog import resolve_targets
from mlsd.runs.plan import read_yaml_parameters
from mlsd.sweeps.executors import EXECUTORS, DaskExecutor, LocalExecutor, open_executor
from mlsd.sweeps.grid import Run, load_grid, plan_sweep
from mlsd.sweeps.progress import Progress
from mlsd.sweeps.store import RESULTS, SweepStore

FAILED = 1


def add_sweep_parser(commands, kit_root: Callable[[argparse.Namespace], Path], positive_int: Callable[[str], int]) -> None:
    """Add ``sweep`` to the ``mlsd`` subcommands; ``kit_root`` and ``positive_int`` are the command's own helpers."""
    sweep = commands.add_parser(
        "sweep",
        help="run one notebook over a grid of parameter values; rerun the same command to resume",
        description="Run one notebook over every combination of a grid of parameter values. Running the same "
        "command again resumes: finished runs are skipped.",
    )
    sweep.add_argument("notebook", metavar="NOTEBOOK", help="a notebook path or a name that selects exactly one notebook")
    sweep.add_argument("--grid", type=Path, required=True, metavar="FILE", help="YAML mapping of parameters to lists of values, e.g. 'seed: [1, 2, 3]'")
    sweep.add_argument("--sample", type=positive_int, metavar="N", help="run N distinct combinations drawn at random instead of all")
    sweep.add_argument("--seed", type=int, metavar="S", help="random seed of --sample (default 0)")
    sweep.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"), help="fix a parameter for every run (repeatable)")
    sweep.add_argument("-y", "--parameters-yaml", metavar="YAML", help="fixed parameters as a YAML mapping, e.g. '{seed: 3}'")
    sweep.add_argument("-f", "--parameters-file", metavar="FILE", help="fixed parameters from a YAML file")
    sweep.add_argument("--smallest", action="store_true", help="use the notebook's smallest sizes (the grid's values win)")
    sweep.add_argument("--out", type=Path, metavar="DIR", help="the sweep's folder; the same folder resumes (default: runs/sweeps/<grid file name without .yaml>/ in the kit)")
    sweep.add_argument("--jobs", type=positive_int, default=1, metavar="N", help="runs at once (default 1)")
    sweep.add_argument("--timeout", type=float, default=600, metavar="SECONDS", help="time limit per cell (default 600)")
    sweep.add_argument("--retry-failed", action="store_true", help="run the failed runs of a resumed sweep again")
    sweep.add_argument("--executor", choices=EXECUTORS, default="local", help="where runs execute: this machine's cores, or a Dask cluster")
    sweep.add_argument("--scheduler", metavar="ADDRESS", help="the Dask scheduler, e.g. tcp://HOST:8786 (with --executor dask)")
    sweep.set_defaults(handler=lambda args: command_sweep(args, kit_root(args)))


def command_sweep(args: argparse.Namespace, root: Path) -> int:
    notebooks = resolve_targets([args.notebook], False, root)
    if len(notebooks) != 1:
        names = ", ".join(notebook.name for notebook in notebooks)
        raise ParameterError(f"target {args.notebook} names {len(notebooks)} notebooks ({names}); a sweep runs one notebook")
    if args.seed is not None and args.sample is None:
        raise ParameterError("--seed draws the combinations of --sample; without --sample every combination runs (a notebook's seed is set with -p seed N)")
    if args.seed is not None and args.seed < 0:
        raise ParameterError(f"--seed {args.seed} is not allowed: expected an integer >= 0")
    grid = load_grid(args.grid)
    typed = read_yaml_parameters(args.parameters_yaml, args.parameters_file)
    texts = [tuple(p) for p in args.parameter]
    sweep = plan_sweep(notebooks[0], grid, str(args.grid), typed, texts, args.smallest, args.sample, args.seed or 0)
    store = SweepStore(args.out or root / "runs" / "sweeps" / args.grid.stem, sweep)
    store.load()
    todo = store.to_run(args.retry_failed)
    if not todo:
        counts = store.counts()
        again = "; --retry-failed runs the failed ones again" if counts["failed"] else ""
        print(f"mlsd sweep: nothing to run: all {len(sweep.runs)} runs are done ({counts['ok']} ok, {counts['failed']} failed){again}", file=sys.stderr)
    else:
        with open_executor(args.executor, args.jobs, args.timeout, args.scheduler) as executor:
            run_sweep(store, executor, todo, args.jobs)
    print(format_counts(store))
    return FAILED if store.counts()["failed"] else 0


def run_sweep(store: SweepStore, executor: LocalExecutor | DaskExecutor, todo: list[Run], jobs: int) -> None:
    """Execute ``todo`` and record each run as it finishes; on Ctrl-C say how to resume and re-raise."""
    total = len(store.sweep.runs)
    store.begin(todo)
    print(f"mlsd sweep: {store.sweep.notebook.name}, {len(todo)} of {total} runs to do, {jobs} at a time -> {store.directory}", file=sys.stderr)
    progress = Progress(total, list(store.results.values()), jobs, sys.stderr, sys.stderr.isatty())
    running: set[str] = set()

    def started(run: Run) -> None:
        running.add(run.id)
        store.save(running)
        progress.started(len(running))

    try:
        with closing(executor.run(todo, store.partial_path, started)) as finished:
            for run, outcome in finished:
                running.discard(run.id)
                result = store.finish(run, outcome)
                store.save(running)
                progress.finished(result, _label(run), len(running))
    except KeyboardInterrupt:
        progress.close()
        store.save()
        done = total - store.counts()["pending"]
        print(f"mlsd sweep: interrupted with {done} of {total} runs finished; run the same command again to resume", file=sys.stderr)
        raise
    progress.close()


def format_counts(store: SweepStore) -> str:
    """Runs per status, the failed runs with their errors, and where ``results.csv`` is."""
    counts = store.counts()
    lines = [f"{store.sweep.notebook.name}: {len(store.sweep.runs)} runs", *(f"  {status:<8}{count:>5}" for status, count in counts.items() if count)]
    for run in store.sweep.runs:
        result = store.results.get(run.id)
        if result and result["status"] == "failed":
            lines.append(f"  {_label(run)}: {result['error']}")
    lines.append(f"results: {store.directory / RESULTS}")
    return "\n".join(lines)


def _label(run: Run) -> str:
    return f"{run.id} ({', '.join(f'{name}={value!r}' for name, value in run.swept.items())})"
