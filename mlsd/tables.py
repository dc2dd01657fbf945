"""Tables a notebook shows, shaped to fit the width of a 1280-pixel window.

A result table with a few rows (policies, cadences, keep rates) and many long-named columns is wider
than a notebook's output area; shown with one column per row of the result and one row per
measure, it fits and reads as a comparison across the columns. :func:`transposed` does that and
formats each value once, so a count keeps no decimals and a rate keeps ``digits`` of them.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

__all__ = ["transposed"]


def transposed(frame: pd.DataFrame, digits: int = 4) -> pd.DataFrame:
    """``frame`` with rows and columns swapped, every value formatted as text.

    Integers (and floats that are whole numbers in an integer column) are written without
    decimals, other numbers with ``digits`` decimals, NaN as an empty string, anything else with
    ``str``. The index's and the columns' names are kept.

    Raises
    ------
    ValueError
        When ``frame`` is not a DataFrame or ``digits`` is not an int in [0, 10].
    """
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"frame must be a pandas DataFrame; got {type(frame).__name__}")
    if isinstance(digits, bool) or not isinstance(digits, int) or not 0 <= digits <= 10:
        raise ValueError(f"digits must be an int in [0, 10]; got {digits!r}")
    text = pd.DataFrame({column: [_format(value, _is_integer_column(frame[column]), digits)
                                  for value in frame[column]]
                         for column in frame.columns}, index=frame.index)
    text.columns = frame.columns
    return text.T


def _is_integer_column(column: pd.Series) -> bool:
    return pd.api.types.is_integer_dtype(column) or pd.api.types.is_bool_dtype(column)


def _format(value, integer_column: bool, digits: int) -> str:
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        if np.isnan(value):
            return ""
        return str(int(value)) if integer_column else f"{float(value):.{digits}f}"
    return str(value)
