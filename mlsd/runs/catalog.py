"""The kit's notebooks: where they are, what parameters they declare, and how targets name them.

A target is a notebook path, a folder of notebooks (``notebooks/03_ad_click``: the notebooks
under it, without the exercise), a case-study name or ``--all``. A case study ``notebooks/03_ad_click/``
is named ``03_ad_click``, ``ad_click`` or ``03``; it covers its folder's notebooks and its exercise
``exercises/03_ad_click.ipynb``. The start notebook ``notebooks/00_start_here.ipynb`` is named
``start_here`` (or ``00_start_here``, ``00``).

A notebook's metadata may hold, under ``mlsd``: ``smallest``, the parameter values of a quick run
(``mlsd run --smallest``), and ``simulator_parameters``, the parameters that only its simulator
uses (``["n_users", "n_videos", "n_events"]``), which summaries leave empty when the notebook
records that its data came from elsewhere. Each name must be a declared parameter.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from mlsd.params import Parameter, ParameterError, parameters_source, parse_parameters

NOTEBOOK_DIRS = ("notebooks", "exercises")


@dataclass(frozen=True)
class NotebookInfo:
    """A kit notebook: declared parameters, smallest-run preset, simulator-only parameters."""

    path: Path
    name: str
    parameters: dict[str, Parameter] = field(default_factory=dict)
    smallest: dict[str, object] = field(default_factory=dict)
    simulator_parameters: tuple[str, ...] = ()


def default_root() -> Path:
    """The kit's top folder: the one holding this package and ``notebooks/``, else the cwd."""
    package_parent = Path(__file__).resolve().parents[2]
    return package_parent if (package_parent / "notebooks").is_dir() else Path.cwd()


def discover(root: Path) -> list[NotebookInfo]:
    """Every notebook under ``root/notebooks`` and ``root/exercises``, sorted by path."""
    paths = []
    for folder in NOTEBOOK_DIRS:
        paths += [p for p in (root / folder).rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts]
    return [load(path, root) for path in sorted(paths)]


def load(path: Path, root: Path) -> NotebookInfo:
    """Read a notebook's parameters cell and ``metadata.mlsd``; errors name the notebook."""
    name = _display_name(path, root)
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ParameterError(f"{name}: cannot read the notebook ({error})") from None
    source = parameters_source(notebook)
    parameters = parse_parameters(source, where=f"{name}, parameters cell") if source is not None else {}
    metadata = notebook.get("metadata", {}).get("mlsd", {})
    smallest = metadata.get("smallest", {})
    for key, value in smallest.items():
        if key not in parameters:
            raise ParameterError(f"{name}: metadata mlsd.smallest names {key}, which is not a parameter")
        smallest[key] = parameters[key].check(value)
    simulator = _simulator_parameters(metadata.get("simulator_parameters", []), parameters, name)
    return NotebookInfo(path.resolve(), name, parameters, smallest, simulator)


def _simulator_parameters(
    names, parameters: dict[str, Parameter], notebook: str
) -> tuple[str, ...]:
    """``metadata.mlsd.simulator_parameters`` checked: a list of distinct declared names."""
    key = "metadata mlsd.simulator_parameters"
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise ParameterError(f"{notebook}: {key} must be a list of parameter names; got {names!r}")
    for name in names:
        if name not in parameters:
            raise ParameterError(f"{notebook}: {key} names {name}, which is not a parameter")
    if len(set(names)) != len(names):
        raise ParameterError(f"{notebook}: {key} lists a name twice: {names!r}")
    return tuple(names)


def case_names(notebook: NotebookInfo, root: Path) -> set[str]:
    """The names a target may use for the case study this notebook belongs to."""
    folder = _case_folder(notebook, root)
    number, _, rest = folder.partition("_")
    return {folder, number, rest} if number.isdigit() and rest else {folder}


def case_label(notebook: NotebookInfo, root: Path) -> str:
    """The short name of the notebook's case study: ``ad_click`` for ``notebooks/03_ad_click/``."""
    folder = _case_folder(notebook, root)
    number, _, rest = folder.partition("_")
    return rest if number.isdigit() and rest else folder


def _case_folder(notebook: NotebookInfo, root: Path) -> str:
    relative = notebook.path.relative_to(root.resolve())
    return relative.parts[1] if len(relative.parts) > 2 else relative.stem


def resolve_targets(targets: list[str], run_all: bool, root: Path) -> list[NotebookInfo]:
    """The notebooks that ``targets`` (paths or case names) or ``--all`` select, without repeats."""
    catalog = discover(root)
    if run_all:
        return catalog
    if not targets:
        raise ParameterError("no target: name a notebook path, a case study or --all (see `mlsd list`)")
    chosen: dict[Path, NotebookInfo] = {}
    for target in targets:
        for notebook in _match(target, catalog, root):
            chosen.setdefault(notebook.path, notebook)
    return list(chosen.values())


def _match(target: str, catalog: list[NotebookInfo], root: Path) -> list[NotebookInfo]:
    as_path = Path(target)
    if target.endswith(".ipynb"):
        for candidate in (as_path, root / as_path):
            if candidate.is_file():
                resolved = candidate.resolve()
                return [next((nb for nb in catalog if nb.path == resolved), None) or load(resolved, root)]
        raise ParameterError(f"target {target}: no such notebook")
    matches = [nb for nb in catalog if target in case_names(nb, root)]
    folder = next((c.resolve() for c in (as_path, root / as_path) if c.is_dir()), None)
    if not matches and folder is not None:
        matches = [nb for nb in catalog if nb.path.is_relative_to(folder)]
    if not matches:
        known = sorted({case_label(nb, root) for nb in catalog})
        raise ParameterError(f"target {target}: not a notebook or case study; known: {', '.join(known)}")
    return matches


def _display_name(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
