"""A sweep's grid and the runs it gives, every run checked like ``mlsd run`` before anything runs.

The grid file is a YAML mapping of parameter names to non-empty lists of values (comments allowed)::

    negative_rate: [0.03, 0.1, 0.3, 1.0]
    base_ctr: [0.01, 0.02, 0.05]

Its combinations are the cartesian product of the lists in the file's key order, the last key
varying fastest. ``--sample N --seed S`` keeps N distinct combinations drawn with
``numpy.random.default_rng(S)``, in product order. Run ``i`` of the sweep (id ``run-00i``) is the
``i``-th combination kept.

Values fixed for every run (``-f``, ``-y``, ``-p``, ``--smallest``) merge as in ``mlsd run``
(:func:`mlsd.runs.plan.plan_runs`, which also checks every run's values); a grid value overrides the
smallest preset, and a parameter may not be both fixed and swept.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from mlsd.params import ParameterError
from mlsd.runs.catalog import NotebookInfo
from mlsd.runs.plan import RunRequest, plan_runs


@dataclass(frozen=True)
class Run:
    """One run of a sweep: its id, the grid's values it uses (checked), and what to execute."""

    id: str
    swept: dict
    request: RunRequest


@dataclass(frozen=True)
class Sweep:
    """A checked sweep: the notebook, the grid (checked values), the sampling, the fixed values, the runs."""

    notebook: NotebookInfo
    grid: dict[str, list]
    sample: int | None
    seed: int | None
    fixed: dict
    smallest: bool
    runs: list[Run]

    def definition(self) -> dict:
        """What makes two sweeps the same one; the manifest stores it and a resume compares it."""
        return {
            "notebook": self.notebook.name,
            "grid": self.grid,
            "sample": self.sample,
            "seed": self.seed,
            "fixed": self.fixed,
            "smallest": self.smallest,
        }


def load_grid(path: Path) -> dict[str, list]:
    """Read a grid file: ``{parameter: [values]}`` in the file's order; errors name the file and the parameter."""
    where = f"grid {path}"
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise ParameterError(f"{where}: cannot read it ({error.strerror})") from None
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ParameterError(" ".join(f"{where}: not valid YAML ({error})".split())) from None
    if loaded is not None and (not isinstance(loaded, dict) or not all(isinstance(name, str) for name in loaded)):
        raise ParameterError(f"{where}: expected a mapping of parameter names to lists of values, e.g. 'seed: [1, 2, 3]'")
    if not loaded:
        raise ParameterError(f"{where}: no parameter to sweep")
    for name, values in loaded.items():
        if not isinstance(values, list):
            raise ParameterError(f"{where}: {name}: expected a list of values, got {values!r}")
        if not values:
            raise ParameterError(f"{where}: {name}: the list of values is empty")
        repeated = [value for i, value in enumerate(values) if value in values[:i]]
        if repeated:
            raise ParameterError(f"{where}: {name}: {repeated[0]!r} is listed twice")
    return loaded


def combination_count(grid: dict[str, list]) -> int:
    """Number of combinations in the cartesian product of the grid's lists."""
    return math.prod(len(values) for values in grid.values())


def combination(grid: dict[str, list], index: int) -> dict:
    """The ``index``-th combination of the product, in the grid's key order, the last key varying fastest."""
    chosen = {}
    for name in reversed(grid):
        index, position = divmod(index, len(grid[name]))
        chosen[name] = grid[name][position]
    return {name: chosen[name] for name in grid}


def chosen_indices(total: int, sample: int | None, seed: int) -> list[int]:
    """Every index of the product, or ``sample`` distinct ones drawn with ``default_rng(seed)``, ascending."""
    if sample is None:
        return list(range(total))
    if sample > total:
        raise ParameterError(f"--sample {sample} is more than the {total} combinations of the grid")
    return sorted(int(i) for i in np.random.default_rng(seed).choice(total, size=sample, replace=False))


def plan_sweep(
    notebook: NotebookInfo,
    grid: dict[str, list],
    grid_name: str,
    typed: dict,
    texts: list[tuple[str, str]],
    smallest: bool = False,
    sample: int | None = None,
    seed: int = 0,
) -> Sweep:
    """Check the grid against the notebook and every run's values, as ``mlsd run`` would.

    Raises
    ------
    ParameterError
        A parameter both fixed and swept, a grid name the notebook does not declare, a fixed value
        not allowed (the same line as ``mlsd run``), ``sample`` above the number of combinations, or
        a run with a value not allowed: one line per distinct problem, naming the first run that has
        it, e.g. ``run-007 (negative_rate=2.0, base_ctr=0.02): notebooks/...: parameter ...``.
    """
    fixed_names = set(typed) | {name for name, _ in texts}
    both = [name for name in grid if name in fixed_names]
    if both:
        raise ParameterError(f"{', '.join(both)}: both fixed (-p, -y, -f) and swept by grid {grid_name}; keep one")
    known = ", ".join(notebook.parameters) or "none"
    unknown = [f"grid {grid_name}: {notebook.name}: unknown parameter {name}; its parameters are: {known}" for name in grid if name not in notebook.parameters]
    if unknown:
        raise ParameterError("\n".join(unknown))
    (fixed,) = plan_runs([notebook], typed, texts).requests
    indices = chosen_indices(combination_count(grid), sample, seed)
    width = max(3, len(str(len(indices) - 1)))
    runs: list[Run] = []
    problems: dict[str, str] = {}
    for position, index in enumerate(indices):
        values = combination(grid, index)
        run_id = f"run-{position:0{width}d}"
        try:
            plan = plan_runs([notebook], {**typed, **values}, texts, smallest=smallest)
            (request,) = plan.requests
        except ParameterError as error:
            label = ", ".join(f"{name}={value!r}" for name, value in values.items())
            for line in str(error).splitlines():
                problems.setdefault(line, f"{run_id} ({label}): {line}")
            continue
        runs.append(Run(run_id, {name: request.overrides[name] for name in grid}, request))
    if problems:
        raise ParameterError("\n".join(problems.values()))
    checked = {name: [notebook.parameters[name].check(value) for value in values] for name, values in grid.items()}
    return Sweep(notebook, checked, sample, seed if sample is not None else None, dict(fixed.overrides), smallest, runs)
