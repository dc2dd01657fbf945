"""Transposed result tables: values formatted once by their column's type, names kept, bad input named."""

import numpy as np
import pandas as pd
import pytest

from mlsd.tables import transposed


def test_a_transposed_table_keeps_counts_whole_and_rates_at_the_digits_asked():
    frame = pd.DataFrame({"impressions": [14157, 14489], "ctr": [0.030303, np.nan], "name": ["a", "b"],
                          "ok": [True, False]}, index=pd.Index([1, 2], name="slot"))
    shown = transposed(frame, digits=3)
    assert list(shown.columns) == [1, 2] and shown.columns.name == "slot"
    assert shown.loc["impressions"].tolist() == ["14157", "14489"]
    assert shown.loc["ctr"].tolist() == ["0.030", ""]
    assert shown.loc["name"].tolist() == ["a", "b"] and shown.loc["ok"].tolist() == ["True", "False"]


@pytest.mark.parametrize("frame, digits, message", [
    ([1, 2], 4, "frame must be a pandas DataFrame; got list"),
    (pd.DataFrame({"a": [1]}), 11, r"digits must be an int in \[0, 10\]; got 11"),
    (pd.DataFrame({"a": [1]}), 2.0, r"digits must be an int in \[0, 10\]; got 2.0"),
])
def test_bad_input_is_named(frame, digits, message):
    with pytest.raises(ValueError, match=message):
        transposed(frame, digits)
