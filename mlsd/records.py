"""Recorded results: the numbers a notebook stands behind, readable back from the executed file.

``record("roc_auc", 0.87)`` displays the value in the notebook and stores it as an output of MIME
type :data:`RECORD_MIME` (in a Voilà app, only stored: the audience of a code-free page sees none). :func:`read_records` reads those outputs back from an executed notebook,
so tests, sweeps and reports use the numbers themselves and never scrape printed text.
:func:`record_table` records every cell of a table at once.
"""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path

import numpy as np

RECORD_MIME = "application/vnd.mlsd.record+json"
_NAME = re.compile(r"^[A-Za-z_][\w@.\-]*$")


def record(name: str, value) -> None:
    """Record ``value`` under ``name`` in the running notebook.

    ``name`` starts with a letter or underscore and may contain letters, digits and ``_ @ . -``
    (e.g. ``popular_ndcg@10``). ``value`` is a finite number, a bool or a string; numpy scalars are
    converted to their Python equivalents. Recording the same name twice keeps the later value.
    """
    from IPython.display import display

    value = _plain_value(name, value)
    shown = f"{value:.6g}" if isinstance(value, float) else repr(value)
    bundle = {RECORD_MIME: {"name": name, "value": value}}
    if not in_voila_app():  # a code-free app shows no bookkeeping: no text, so nothing renders
        bundle["text/plain"] = f"recorded {name} = {shown}"
    display(bundle, raw=True)


VOILA_VARIABLES = ("VOILA_KERNEL_ID", "VOILA_REQUEST_URL", "VOILA_PREHEAT")
"""Variables Voilà sets in the kernels of the apps it serves."""


def in_voila_app() -> bool:
    """Whether this kernel runs a notebook that Voilà serves as an app (``mlsd explore``)."""
    return any(variable in os.environ for variable in VOILA_VARIABLES)


def record_table(prefix: str, frame, *, rows=None, columns=None) -> None:
    """Record every cell of the DataFrame ``frame``, row by row, as ``<prefix>_<row>_<column>``.

    ``rows`` and ``columns`` choose the labels recorded and the name each gets in the record: a
    mapping ``{label: name}``, or a list of labels named as they are; by default every label, as
    it is. An empty ``prefix`` (or name) is left out of the record's name, with its underscore::

        record_table("", table, rows={"logistic regression": "lr"}, columns={"roc_auc": "auc"})
        # records lr_auc = table.loc["logistic regression", "roc_auc"]
    """
    for row, row_name in _named(rows, frame.index).items():
        for column, column_name in _named(columns, frame.columns).items():
            name = "_".join(str(part) for part in (prefix, row_name, column_name) if part != "")
            record(name, frame.loc[row, column])


def records_from_notebook(notebook: dict) -> dict:
    """Return ``{name: value}`` of every record in a notebook node (or its JSON dict), in order."""
    found = {}
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if RECORD_MIME in data:
                entry = data[RECORD_MIME]
                found[entry["name"]] = entry["value"]
    return found


def read_records(path: str | Path) -> dict:
    """Read the records of the executed notebook at ``path``: ``{name: value}`` in recording order.

    Raises
    ------
    ValueError
        When ``path`` does not exist or is not a notebook file, naming the path.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path}: no such notebook file")
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: not a notebook (invalid JSON: {error})") from None
    if not isinstance(notebook, dict) or "cells" not in notebook:
        raise ValueError(f"{path}: not a notebook (no 'cells' list)")
    return records_from_notebook(notebook)


def _plain_value(name, value):
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"record name {name!r} is not allowed: use letters, digits and _ @ . - , starting with a letter")
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"record {name} = {value} is not allowed: values must be finite")
        return value
    raise TypeError(f"record {name}: value of type {type(value).__name__} is not allowed; use a number, bool or string")


def _named(chosen, labels) -> dict:
    """``{label: name in the record}`` for ``chosen`` (a mapping, a list of labels or None: all)."""
    if chosen is None:
        chosen = list(labels)
    if not isinstance(chosen, dict):
        chosen = {label: label for label in chosen}
    unknown = [label for label in chosen if label not in labels]
    if unknown:
        raise ValueError(f"record_table: {unknown[0]!r} is not among the labels {list(labels)}")
    return chosen
