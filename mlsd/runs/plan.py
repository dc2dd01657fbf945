"""Turn the parameters given on the command line into checked values for each target notebook.

Sources are merged like papermill merges them, later ones winning: the notebook's smallest preset
(``--smallest``), then ``-f FILE``, ``-y YAML``, ``-p NAME VALUE``. A name must be declared by at
least one target notebook; each notebook receives the names it declares, and a name that only some
of the targets declare comes back with a notice naming the notebooks that ignore it. Every value is
converted and checked against the declaration, and every problem is reported before any kernel
starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from mlsd.params import ParameterError
from mlsd.runs.catalog import NotebookInfo


@dataclass(frozen=True)
class RunRequest:
    """One notebook to execute with the parameter values that override its defaults."""

    notebook: NotebookInfo
    overrides: dict

    @property
    def parameters(self) -> dict:
        """Every parameter of the notebook with the value this run uses."""
        values = {name: p.default for name, p in self.notebook.parameters.items()}
        values.update(self.overrides)
        return values


@dataclass(frozen=True)
class RunPlan:
    """The checked runs, in target order, and one notice per given parameter that some ignore.

    A notice reads ``data_source is not a parameter of 2 of the 5 notebooks, which ignore it:
    NOTEBOOK, NOTEBOOK``; for ``data_source`` a second one names the notebooks that run on the
    source given (``data_source: only NOTEBOOK, NOTEBOOK run on the source given; the other 2 run
    on their simulator``). The caller shows them before running.
    """

    requests: list[RunRequest]
    notices: list[str]


def read_yaml_parameters(text: str | None, file: str | None) -> dict:
    """Merge ``-f FILE`` then ``-y TEXT`` into one mapping; each must be a YAML mapping."""
    merged = {}
    if file is not None:
        try:
            merged.update(_yaml_mapping(Path(file).read_text(encoding="utf-8"), f"parameters file {file}"))
        except OSError as error:
            raise ParameterError(f"parameters file {file}: cannot read it ({error.strerror})") from None
    if text is not None:
        merged.update(_yaml_mapping(text, "-y"))
    return merged


def plan_runs(
    notebooks: list[NotebookInfo], typed: dict, texts: list[tuple[str, str]], smallest: bool = False
) -> RunPlan:
    """Check ``typed`` values (from YAML) and ``texts`` (from ``-p``) against every target.

    Returns the runs and the notices about given names that only some targets declare; prints
    nothing.

    Raises
    ------
    ParameterError
        One line per problem, each naming the notebook, the parameter, the value and what is allowed.
    """
    problems, notices = [], []
    given = list(typed) + [name for name, _ in texts]
    for name in dict.fromkeys(given):
        ignoring = [nb.name for nb in notebooks if name not in nb.parameters]
        if len(ignoring) == len(notebooks):
            problems.append(_unknown(name, notebooks))
        elif ignoring:
            notices.append(_ignored(name, ignoring, len(notebooks)))
            if name == "data_source":
                notices.append(_on_simulator(notebooks, ignoring))
    requests = []
    for notebook in notebooks:
        overrides = dict(notebook.smallest) if smallest else {}
        given_values = [(name, value, False) for name, value in typed.items()]
        given_values += [(name, text, True) for name, text in texts]
        for name, value, is_text in given_values:
            if name in notebook.parameters:
                overrides[name] = _checked(notebook, name, value, is_text, problems)
        requests.append(RunRequest(notebook, overrides))
    if problems:
        raise ParameterError("\n".join(problems))
    return RunPlan(requests, notices)


def _checked(notebook: NotebookInfo, name: str, value, is_text: bool, problems: list):
    parameter = notebook.parameters[name]
    try:
        return parameter.from_text(value) if is_text else parameter.check(value)
    except ParameterError as error:
        problems.append(f"{notebook.name}: {error}")
        return None


def _ignored(name: str, ignoring: list[str], total: int) -> str:
    share = f"{len(ignoring)} of the {total} notebooks"
    return f"{name} is not a parameter of {share}, which ignore it: {', '.join(ignoring)}"


def _on_simulator(notebooks: list[NotebookInfo], ignoring: list[str]) -> str:
    taking = [nb.name for nb in notebooks if nb.name not in ignoring]
    return (
        f"data_source: only {', '.join(taking)} run on the source given; the other "
        f"{len(ignoring)} run on their simulator"
    )


def _unknown(name: str, notebooks: list[NotebookInfo]) -> str:
    if len(notebooks) == 1:
        known = ", ".join(notebooks[0].parameters) or "none"
        return f"{notebooks[0].name}: unknown parameter {name}; its parameters are: {known}"
    return f"unknown parameter {name}: none of the {len(notebooks)} target notebooks declares it"


def _yaml_mapping(text: str, where: str) -> dict:
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ParameterError(f"{where}: not valid YAML ({error})".replace("\n", " ")) from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict) or not all(isinstance(key, str) for key in loaded):
        raise ParameterError(f"{where}: expected a mapping of parameter names to values, got {text.strip()[:60]!r}")
    return loaded
