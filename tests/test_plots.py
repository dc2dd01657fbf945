"""The shared figures: what each draws on the Axes it is given."""

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from mlsd import plots


def test_lines_draws_one_line_per_series_and_the_reference_grey_and_dotted():
    ax = Figure().subplots()
    x = np.array([1, 2, 3])
    series = pd.DataFrame({"stale": [0.9, 0.95, 1.0], "fresh": [0.9, 0.9, 0.9]})
    reference = {"truth": [0.8, 0.8, 0.8], "ceiling": 1.2}
    returned = plots.lines(
        ax, x, series, xlabel="day", ylabel="NE", title="Staleness",
        reference=reference, xscale="log",
    )
    assert returned is ax
    drawn = {line.get_label(): line for line in ax.get_lines()}
    assert list(drawn) == ["stale", "fresh", "truth", "ceiling"]
    assert list(drawn["stale"].get_ydata()) == [0.9, 0.95, 1.0]
    assert drawn["stale"].get_marker() == "o"
    for label in ("truth", "ceiling"):
        assert drawn[label].get_linestyle() == ":"
        assert drawn[label].get_color() == plots.REFERENCE_COLOUR
    assert list(drawn["ceiling"].get_ydata()) == [1.2, 1.2]  # a single number: a horizontal line
    labels = (ax.get_xlabel(), ax.get_ylabel(), ax.get_title(), ax.get_xscale())
    assert labels == ("day", "NE", "Staleness", "log")
    assert [text.get_text() for text in ax.get_legend().get_texts()] == list(drawn)


def test_lines_can_leave_the_legend_out():
    ax = Figure().subplots()
    plots.lines(ax, [0, 1], {"only": [1, 2]}, xlabel="x", ylabel="y", title="t", legend=False)
    assert ax.get_legend() is None


def test_lines_draws_a_result_that_exists_at_one_x_as_a_single_black_square():
    ax = Figure().subplots()
    plots.lines(ax, [10, 100], {"mf": [0.1, 0.4]}, xlabel="k", ylabel="recall", title="t",
                points={"merged, 100 per source": (157, 0.46)})
    drawn = {line.get_label(): line for line in ax.get_lines()}
    point = drawn["merged, 100 per source"]
    assert (list(point.get_xdata()), list(point.get_ydata())) == ([157], [0.46])
    assert point.get_marker() == "s" and point.get_linestyle() == "None"
