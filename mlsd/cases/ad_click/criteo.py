"""Criteo display-advertising click logs, read from a file the learner brings, one row per line.

The logs of the Kaggle Display Advertising Challenge (Criteo Labs, 2014) are not shipped with the
kit and never downloaded by it: fetch ``dac_sample.txt`` (100,000 lines, from Criteo's own release)
or the challenge's ``train.txt`` yourself and put it under ``datasets/real/``
(``datasets/criteo.md`` says how). Nothing here touches the network.

Each line is one ad impression: whether it was clicked, 13 integer features ``I1`` … ``I13``
(mostly counts; some, such as ``I2``, can be negative) and 26 categorical features ``C1`` …
``C26``, each a hashed value written as 8 lower-case hex digits (``68fd1e64``). What the features
mean was never published. A feature may be empty: its value is missing.

Layouts, detected from the first line of the file:

- ``train.txt`` and ``dac_sample.txt``: no header, 40 tab-separated fields: the label, ``I1`` …
  ``I13``, ``C1`` … ``C26`` (:data:`TRAIN_TXT`);
- comma-separated, the header ``Id,Label,I1,…,I13,C1,…,C26`` (:data:`CSV_HEADER`), then lines of an
  integer ``Id`` followed by the same 40 fields (:data:`CSV_WITH_ID`);
- the challenge's ``test.txt`` (39 tab-separated fields: no label), and a comma-separated file
  with the header ``Id,I1,…,C26``, are refused with one error saying why: without the label, the
  kit cannot score a model on them.

Every line is checked by :func:`mlsd.readers.read_table`: the label is 0 or 1; an ``I`` field is
an integer (of any sign) or empty; a ``C`` field is 8 lower-case hex digits or empty; the ``Id``
an integer >= 0. A bad file — a wrong field count, a bad value, a last line cut short — raises one
:class:`~mlsd.readers.DataFileError` naming the file, the line and the problem.

The table (:func:`load_criteo`): one row per line, in file order; ``label`` (int64), ``I1`` …
``I13`` (``Int64``, ``<NA>`` where empty), ``C1`` … ``C26`` (object: the hex text, None where
empty), ``time`` in days, and, for the comma-separated layout, ``id`` (the file's ``Id``, to trace
a row back to it). The files carry no timestamp. The challenge's ``train.txt`` holds 7 consecutive
days of traffic in chronological order, so ``time = 7 * row / rows`` (row counted from 0) is an
approximation: it assumes an even flow of impressions over the week, and that the file, or the
sample, keeps the order of the log. The clicks are about 25% of the lines, far above a production
click rate, because Criteo kept far fewer of the impressions without a click than of the clicks
(:func:`describe_criteo`).
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from mlsd.readers import DataFileError, Field, Layout, check_file, read_table

DAYS = 7
"""Days of traffic in the challenge's ``train.txt``, in chronological order."""
INTEGER_FEATURES = tuple(f"I{number}" for number in range(1, 14))
CATEGORICAL_FEATURES = tuple(f"C{number}" for number in range(1, 27))
COLUMNS = ("label", *INTEGER_FEATURES, *CATEGORICAL_FEATURES, "time")
"""The columns of every table :func:`load_criteo` returns, in order."""
HEX_DIGITS = "0123456789abcdef"
HEX_DIGITS_PER_CATEGORY = 8
ENCODING = "utf-8-sig"
NOT_SHIPPED = (
    "a Criteo click log (dac_sample.txt, or train.txt of the Kaggle Display Advertising "
    "Challenge). The kit does not ship it and never downloads it: download it yourself and put "
    "it under datasets/real/, e.g. datasets/real/criteo/dac_sample.txt; see datasets/criteo.md"
)
UNLABELLED = (
    "it has no label, so the kit cannot score a model on it; use dac_sample.txt or train.txt, "
    "whose lines start with the label"
)

_HEX_DIGIT_SET = frozenset(HEX_DIGITS)


def _is_hashed_category(values: np.ndarray) -> np.ndarray:
    """Where ``values`` (an object array of str, none holding a line break) are 8 lower-case hex
    digits.

    A valid column is checked in one pass over its values joined by line breaks: every ninth byte
    is a line break, so every value is 8 bytes long, and every other byte is a hex digit. A column
    that fails is checked one value at a time.
    """
    width = HEX_DIGITS_PER_CATEGORY + 1
    joined = ("\n".join(values) + "\n").encode()
    if len(joined) == width * len(values):
        ends = np.frombuffer(joined, dtype=np.uint8)[HEX_DIGITS_PER_CATEGORY::width]
        if (ends == ord("\n")).all() and not joined.translate(None, f"{HEX_DIGITS}\n".encode()):
            return np.ones(len(values), dtype=bool)
    return np.fromiter(map(_is_hex_text, values), dtype=bool, count=len(values))


def _is_hex_text(text: str) -> bool:
    return len(text) == HEX_DIGITS_PER_CATEGORY and _HEX_DIGIT_SET.issuperset(text)


LABEL = Field(COLUMNS[0], int, low=0, high=1, description="0 (no click) or 1 (click)")
FEATURES = (
    *(Field(name, int, optional=True) for name in INTEGER_FEATURES),
    *(
        Field(
            name,
            str,
            optional=True,
            allowed=_is_hashed_category,
            description="8 lower-case hex digits (like 68fd1e64)",
        )
        for name in CATEGORICAL_FEATURES
    ),
)
CSV_HEADER = ",".join(("Id", "Label", *INTEGER_FEATURES, *CATEGORICAL_FEATURES))
UNLABELLED_CSV_HEADER = ",".join(("Id", *INTEGER_FEATURES, *CATEGORICAL_FEATURES))
TRAIN_TXT = Layout(
    "a Criteo click log in the layout of train.txt and dac_sample.txt: 40 tab-separated fields "
    "(label, I1 … I13, C1 … C26), no header",
    "\t",
    (LABEL, *FEATURES),
)
CSV_WITH_ID = Layout(
    "a comma-separated Criteo click log: the header Id,Label,I1,…,C26, then 41 fields a line",
    ",",
    (Field("id", int, low=0), LABEL, *FEATURES),
    header=CSV_HEADER,
)
UNLABELLED_FIELDS = len(FEATURES)


def load_criteo(path: str | os.PathLike) -> pd.DataFrame:
    """Read a Criteo click log: one row per line, in file order.

    Parameters
    ----------
    path : str or os.PathLike
        A file in one of the layouts of the module docstring, e.g.
        ``datasets/real/criteo/dac_sample.txt``.

    Returns
    -------
    pandas.DataFrame
        ``label`` (int64, 1 for a click), ``I1`` … ``I13`` (``Int64``, ``<NA>`` where empty),
        ``C1`` … ``C26`` (object: 8 hex digits, None where empty), ``time`` (float64 days in
        [0, 7): ``7 * row / rows``, the approximation of the module docstring), and for
        :data:`CSV_WITH_ID` a last column ``id`` (int64, the file's ``Id``); index ``0 … n − 1``.

    Raises
    ------
    mlsd.readers.DataFileError
        A ValueError, if the file is missing (the message says where it goes) or empty, its
        layout is unknown or has no label (:func:`detect_layout`), a line has the wrong number of
        fields or a value its field does not allow, or the last line is cut short. The message
        names the file, the first bad line and the problem, and nothing is returned.
    """
    layout = detect_layout(path)
    table = read_table(path, layout)
    table["time"] = DAYS * np.arange(len(table)) / len(table)
    return table[[*COLUMNS, "id"]] if layout is CSV_WITH_ID else table


def detect_layout(path: str | os.PathLike) -> Layout:
    """The layout of a Criteo click log, from its first line.

    Parameters
    ----------
    path : str or os.PathLike
        The file.

    Returns
    -------
    mlsd.readers.Layout
        :data:`CSV_WITH_ID` if the first line is :data:`CSV_HEADER`; else :data:`TRAIN_TXT` if it
        contains a tab and does not hold the 39 fields of ``test.txt`` (a line of any other field
        count is then reported by the reader, with its count).

    Raises
    ------
    mlsd.readers.DataFileError
        If the file is missing (the message says where it goes), empty, in a layout without the
        label (``test.txt``, or the header ``Id,I1,…,C26``), or its first line fits no layout.
    """
    path = check_file(path, NOT_SHIPPED)
    with open(path, encoding=ENCODING, errors="replace") as file:
        first_line = file.readline().rstrip("\r\n")
    if first_line.strip() == CSV_HEADER:
        return CSV_WITH_ID
    if first_line.strip() == UNLABELLED_CSV_HEADER:
        test_csv = "the header of a test file (Id,I1,…,C26: no Label)"
        raise DataFileError(path, 1, f"{test_csv}: {UNLABELLED}")
    if "\t" in first_line:
        if first_line.count("\t") + 1 == UNLABELLED_FIELDS:
            test_txt = f"{UNLABELLED_FIELDS} tab-separated fields, the layout of test.txt"
            raise DataFileError(path, 1, f"{test_txt}: {UNLABELLED}")
        return TRAIN_TXT
    raise DataFileError(
        path,
        1,
        "not a Criteo click log: expected 40 tab-separated fields (label, I1 … I13, C1 … C26, as "
        "in train.txt and dac_sample.txt) or the header 'Id,Label,I1,…,C26'; found "
        f"{_shortened(first_line)!r}",
    )


def describe_criteo(table: pd.DataFrame) -> dict[str, int | float]:
    """Summary numbers of a table from :func:`load_criteo`, for a notebook to print.

    Parameters
    ----------
    table : pandas.DataFrame
        At least one row, with the columns ``label``, ``I1`` … ``I13`` and ``C1`` … ``C26``.

    Returns
    -------
    dict
        ``rows``; ``click_rate``, the share of lines with ``label`` 1 — about 25% in the public
        files because Criteo subsampled the impressions without a click, so it is not a production
        click rate (undo the subsampling with :func:`mlsd.metrics.undo_downsampling` before
        reading a predicted probability as a real one); ``missing_integer_share`` and
        ``missing_categorical_share``, the share of empty values among all ``I`` and all ``C``
        fields.
    """
    missing = [c for c in (LABEL.name, *INTEGER_FEATURES, *CATEGORICAL_FEATURES) if c not in table]
    if missing:
        raise ValueError(f"table: missing columns {missing}; expected a table from load_criteo")
    if table.empty:
        raise ValueError("table: no rows to describe")
    return {
        "rows": len(table),
        "click_rate": float(table[LABEL.name].mean()),
        "missing_integer_share": float(table[list(INTEGER_FEATURES)].isna().to_numpy().mean()),
        "missing_categorical_share": float(
            table[list(CATEGORICAL_FEATURES)].isna().to_numpy().mean()
        ),
    }


def _shortened(text: str, limit: int = 80) -> str:
    """``text`` cut to ``limit`` characters for a message."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
