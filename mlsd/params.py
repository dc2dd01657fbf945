"""Notebook parameters: one declaration, checked in the notebook and by the runner.

A notebook's cell tagged ``parameters`` declares every parameter on one line::

    seed: int = 7                # random seed of the simulator, in [0, 4294967295]
    n_scores: int = 20_000       # number of simulated scores, in [100, 2_000_000]
    positive_rate: float = 0.02  # share of positives, in (0, 1)
    split: str = "temporal"      # how to split train and test, one of {temporal, random}

The annotation is the type (``int``, ``float``, ``str`` or ``bool``), the value is the default, and
the trailing comment is the help text that ``mlsd list`` and ``papermill --help-notebook`` show.
The help may end with the allowed values: an interval in mathematical notation — ``[lo, hi]``
closed, ``(lo, hi)`` open, mixed brackets allowed, ``inf`` for no bound — or a set ``{a, b, c}``.

The parameters cell is the one source of the declarations, read by both checks:
:func:`check_parameters`, called in the cell right after the parameters cell, which reads the cell
the kernel executed, and the runner (:mod:`mlsd.runs`), which reads it from the notebook file and
rejects unknown names, wrong types and values out of range before any kernel starts.
"""

from __future__ import annotations

import ast
import io
import json
import linecache
import math
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

from mlsd.claims import note_parameters

TYPES = {"int": int, "float": float, "str": str, "bool": bool}

_DECLARATION = re.compile(r"^(?P<name>[A-Za-z_]\w*)\s*:\s*(?P<type>\w+)\s*=")
_INTERVAL = re.compile(r"(?P<open>[\[(])\s*(?P<lo>[^,\[\]()]+?)\s*,\s*(?P<hi>[^,\[\]()]+?)\s*(?P<close>[\])])\s*$")
_CHOICES = re.compile(r"\{(?P<items>[^{}]*)\}\s*$")


class ParameterError(ValueError):
    """A parameter value that the notebook does not allow, or a malformed declaration.

    In a notebook it is shown as its one-line message, without a traceback.
    """

    def _render_traceback_(self):
        return [f"ParameterError: {self}"]


@dataclass(frozen=True)
class Interval:
    """Allowed numbers between ``low`` and ``high``; each end open or closed."""

    low: float
    high: float
    low_closed: bool
    high_closed: bool

    def contains(self, value) -> bool:
        above = value >= self.low if self.low_closed else value > self.low
        below = value <= self.high if self.high_closed else value < self.high
        return above and below

    def __str__(self) -> str:
        return f"{'[' if self.low_closed else '('}{_number(self.low)}, {_number(self.high)}{']' if self.high_closed else ')'}"


@dataclass(frozen=True)
class Choices:
    """Allowed values listed one by one."""

    values: tuple

    def contains(self, value) -> bool:
        return value in self.values

    def __str__(self) -> str:
        return "{" + ", ".join(str(value) for value in self.values) + "}"


@dataclass(frozen=True)
class Parameter:
    """One declared parameter: name, type, default, help and the allowed values (if restricted)."""

    name: str
    type: type
    default: object
    help: str
    allowed: Interval | Choices | None = None

    def describe_allowed(self) -> str:
        """What this parameter accepts, e.g. ``an int in [100, 2000000]``."""
        kind = {int: "an int", float: "a float", str: "a string", bool: "True or False"}[self.type]
        if isinstance(self.allowed, Interval):
            return f"{kind} in {self.allowed}"
        if isinstance(self.allowed, Choices):
            return f"one of {self.allowed}"
        return kind

    def check(self, value):
        """Return ``value`` in this parameter's type (an int is accepted for a float), or raise.

        Raises
        ------
        ParameterError
            ``parameter NAME = VALUE is not allowed: expected ...`` naming what is allowed.
        """
        converted = self._as_type(value)
        if converted is None or (self.allowed is not None and not self.allowed.contains(converted)):
            raise ParameterError(f"parameter {self.name} = {value!r} is not allowed: expected {self.describe_allowed()}")
        return converted

    def from_text(self, text: str):
        """Convert a command-line value (``-p NAME TEXT``) to this parameter's type, then check it."""
        if self.type is str:
            return self.check(text)
        if self.type is bool:
            lowered = text.strip().lower()
            value = {"true": True, "false": False}.get(lowered, text)
            return self.check(value)
        try:
            value = self.type(text.strip())
        except ValueError:
            value = text
        return self.check(value)

    def _as_type(self, value):
        if self.type is bool:
            return value if isinstance(value, bool) else None
        if isinstance(value, bool):
            return None
        if self.type is int:
            return value if isinstance(value, int) else None
        if self.type is float:
            if isinstance(value, (int, float)) and math.isfinite(value):
                return float(value)
            return None
        return value if isinstance(value, str) else None


def parse_parameters(source: str, where: str = "parameters cell") -> dict[str, Parameter]:
    """Parse a parameters cell into ``{name: Parameter}``, in declaration order.

    Blank lines and comment lines are skipped; every other line must be a one-line annotated
    declaration ``name: type = literal  # help``. A line that is not raises :class:`ParameterError`
    naming ``where`` and the line.
    """
    parameters: dict[str, Parameter] = {}
    for number, line in enumerate(source.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        parameter = _parse_line(stripped, f"{where}, line {number}")
        if parameter.name in parameters:
            raise ParameterError(f"{where}, line {number}: parameter {parameter.name} is declared twice")
        parameters[parameter.name] = parameter
    return parameters


def parameters_source(notebook: dict) -> str | None:
    """Source of the first cell tagged ``parameters`` of a notebook's JSON, or None if there is none."""
    for cell in notebook.get("cells", []):
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            source = cell.get("source", "")
            return "".join(source) if isinstance(source, list) else source
    return None


def read_declarations(notebook_path: str | Path) -> dict[str, Parameter]:
    """The declarations of the parameters cell of the notebook file at ``notebook_path``."""
    path = Path(notebook_path)
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ParameterError(f"no notebook {str(path)!r} in {Path.cwd()}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ParameterError(f"{path}: cannot read the notebook ({error})") from None
    source = parameters_source(notebook)
    return {} if source is None else parse_parameters(source, where=f"{path}, parameters cell")


def check_parameters(namespace: dict | None = None, source: str | None = None) -> dict:
    """Check the parameter values of a running notebook against its declarations; return them.

    Call it in the cell right after the cell tagged ``parameters``:
    ``params = mlsd.check_parameters()``. The declarations are read from the parameters cell that
    this kernel executed (``source`` overrides it), the values from ``namespace`` — by default the
    notebook's, where ``mlsd run`` or papermill may have injected new ones. Reading the executed
    cell rather than the file means the check works wherever the kernel was started (JupyterLab,
    Voilà, nbval, papermill from any folder) and for a copied or renamed notebook. Float
    parameters given as ints are converted to float in the namespace. The notebook's claims are
    told which values differ from the declared defaults (``seed`` aside,
    :func:`mlsd.claims.note_parameters`).

    Raises
    ------
    ParameterError
        One line for the first value that is not allowed, or when no parameters cell has run.
    """
    shell = None if namespace is not None and source is not None else _shell()
    namespace = shell.user_ns if namespace is None else namespace
    if source is None:
        source = executed_parameters_source(shell)
    if source is None:
        raise ParameterError("no parameters cell has run in this kernel; run the cell tagged 'parameters' first")
    values = {}
    declared = parse_parameters(source)
    for name, parameter in declared.items():
        if name not in namespace:
            raise ParameterError(f"parameter {name} is declared but has no value; run the parameters cell first")
        values[name] = namespace[name] = parameter.check(namespace[name])
    note_parameters(
        f"{name}={value!r}" for name, value in values.items()
        if name != "seed" and value != declared[name].default
    )
    return values


def executed_parameters_source(shell) -> str | None:
    """The source of the parameters cell that ``shell`` executed last, or None.

    IPython keeps the source of every executed cell for its tracebacks (in :mod:`linecache`, under
    the names its compiler lists with their execution counts), whether or not the cell was stored
    in the history. A parameters cell is one whose every line is a declaration with a help comment
    with a trailing comment (see the module docstring); papermill's injected cell (plain
    assignments) is not one. A malformed declaration in that cell raises its own error.
    """
    executed = sorted(shell.compile._filename_map.items(), key=lambda item: item[1])
    for name, _ in reversed(executed):
        source = "".join(linecache.cache.get(name, (None, None, []))[2])
        if _is_declarations(source):
            return source
    return None


def _is_declarations(source: str) -> bool:
    lines = [line.strip() for line in source.splitlines()]
    code = [line for line in lines if line and not line.startswith("#")]
    return bool(code) and all(_DECLARATION.match(line) and "#" in line for line in code)


def _parse_line(line: str, where: str) -> Parameter:
    match = _DECLARATION.match(line)
    if match is None:
        raise ParameterError(f"{where}: expected 'name: type = value  # help', got {line!r}")
    name, type_name = match["name"], match["type"]
    if type_name not in TYPES:
        raise ParameterError(f"{where}: type of {name} is {type_name!r}; allowed types are {', '.join(TYPES)}")
    code, help_text = _split_comment(line, where)
    try:
        default = ast.literal_eval(code[match.end():].strip())
    except (ValueError, SyntaxError):
        raise ParameterError(f"{where}: the default of {name} must be a literal, got {code[match.end():].strip()!r}") from None
    parameter = Parameter(name, TYPES[type_name], default, help_text, _parse_allowed(help_text, TYPES[type_name], where))
    try:
        parameter.check(default)
    except ParameterError as error:
        raise ParameterError(f"{where}: the default is not allowed: {error}") from None
    return parameter


def _split_comment(line: str, where: str) -> tuple[str, str]:
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(line).readline))
    except (tokenize.TokenError, SyntaxError):
        raise ParameterError(f"{where}: cannot read {line!r}") from None
    comments = [token for token in tokens if token.type == tokenize.COMMENT]
    if not comments:
        return line, ""
    start = comments[0].start[1]
    return line[:start].rstrip(), comments[0].string.lstrip("#").strip()


def _parse_allowed(help_text: str, kind: type, where: str):
    interval = _INTERVAL.search(help_text)
    if interval and kind in (int, float):
        low, high = (_parse_bound(interval[end], where) for end in ("lo", "hi"))
        if low > high:
            raise ParameterError(f"{where}: interval {interval[0].strip()} is empty")
        return Interval(low, high, interval["open"] == "[", interval["close"] == "]")
    choices = _CHOICES.search(help_text)
    if choices:
        items = [item.strip().strip("'\"") for item in choices["items"].split(",") if item.strip()]
        if kind is not str:
            items = [_parse_bound(item, where) for item in items]
        return Choices(tuple(items))
    return None


def _parse_bound(text: str, where: str) -> float:
    cleaned = text.strip().replace("_", "")
    if cleaned.lstrip("+-") == "inf":
        return float(cleaned)
    try:
        return float(cleaned) if any(ch in cleaned for ch in ".eE") else int(cleaned)
    except ValueError:
        raise ParameterError(f"{where}: {text.strip()!r} is not a number") from None


def _shell():
    try:
        from IPython import get_ipython
    except ImportError:
        get_ipython = lambda: None  # noqa: E731
    shell = get_ipython()
    if shell is None:
        raise RuntimeError("check_parameters() outside a notebook needs namespace= and source=")
    return shell


def _number(value: float) -> str:
    if math.isinf(value):
        return "-inf" if value < 0 else "inf"
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e16 else repr(value)
