"""What is plotted by default, how runs are aggregated, which axis, and the saved PNGs."""

import struct
from pathlib import Path

import pandas as pd
import pytest
from report.report_folders import BASE, TOY_GRID, write_sweep

from mlsd.params import ParameterError
from mlsd.report.load import RunTable, load_directory
from mlsd.report.plot import (
    MAX_DEFAULT_PLOTS,
    aggregate,
    draw,
    draw_plots,
    log_axis,
    plan_plots,
)


def _runs(rows: list[dict], parameters: list[str], grid: dict | None = None) -> RunTable:
    """A sweep table straight from rows (each with status and its values), without files."""
    table = pd.DataFrame([{"seconds": 1.0, "error": "", **row} for row in rows], index=[f"run-{i:03d}" for i in range(len(rows))])
    table.index.name = "run"
    results = [c for c in table.columns if c not in ("status", "seconds", "error", *parameters)]
    return RunTable("sweep", Path("sweep"), table, parameters, results, {}, "Sweep of toy", [], grid or {})


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_a_sweep_plots_every_numeric_result_against_the_first_swept_parameter_per_value_of_the_second(toy_sweep):
    plan = plan_plots(load_directory(toy_sweep))
    assert (plan.x, plan.hue, plan.ys, plan.notes) == ("rate", "model", ("auc", "loss", "size", "result.n"), ())


def test_choosing_x_leaves_the_next_swept_parameter_for_the_lines(toy_sweep):
    runs = load_directory(toy_sweep)
    assert (plan_plots(runs, x="model").hue, plan_plots(runs, x="seed").hue) == ("rate", "rate")
    assert plan_plots(runs, x="model", ys=["loss"], hue="seed").ys == ("loss",)
    assert (plan_plots(runs, hue="rate").x, plan_plots(runs, hue="seed").x) == ("model", "rate")


def test_a_run_folder_plots_nothing_unless_asked_and_says_how_to_ask(run_folder):
    runs = load_directory(run_folder)
    plan = plan_plots(runs)
    assert (plan.x, plan.ys) == (None, ())
    assert plan.notes == ("No plot: no x axis was asked for. Ask for one with --x PARAMETER (one of: seed, scale, mode), optionally --y RESULT and --hue PARAMETER.",)
    asked = plan_plots(runs, x="scale")
    assert (asked.x, asked.hue, asked.ys) == ("scale", None, ("mean", "size"))
    with pytest.raises(ParameterError, match=r"^--y and --hue need --x PARAMETER; parameters: seed, scale, mode$"):
        plan_plots(runs, ys=["mean"])


def test_default_plots_are_capped_and_the_page_is_told():
    rows = [{"status": "ok", "k": k, **{f"metric_{i:02d}": k * i for i in range(15)}} for k in (1, 2)]
    plan = plan_plots(_runs(rows, ["k"], {"k": [1, 2]}))
    assert plan.ys == tuple(f"metric_{i:02d}" for i in range(MAX_DEFAULT_PLOTS))
    assert plan.notes == (f"Showing the first {MAX_DEFAULT_PLOTS} of 15 numeric results; choose others with --y RESULT (repeatable).",)


@pytest.mark.parametrize(
    "request_, message",
    [
        ({"x": "lr"}, "--x lr: not a parameter of these runs; parameters: seed, rate, model, n"),
        ({"hue": "colour"}, "--hue colour: not a parameter of these runs; parameters: seed, rate, model, n"),
        ({"x": "auc"}, "--x auc: not a parameter of these runs; parameters: seed, rate, model, n"),
        ({"x": "rate", "hue": "rate"}, "--hue rate: already the x axis; choose another parameter for the lines"),
        ({"ys": ["note"]}, "--y note: not a numeric result recorded by a finished run; numeric results: auc, loss, size, result.n"),
        ({"ys": ["auc", "accuracy"]}, "--y accuracy: not a numeric result recorded by a finished run; numeric results: auc, loss, size, result.n"),
    ],
)
def test_axes_that_are_not_parameters_or_numeric_results_are_rejected_with_what_is_allowed(toy_sweep, request_, message):
    with pytest.raises(ParameterError) as error:
        plan_plots(load_directory(toy_sweep), **request_)
    assert str(error.value) == message


def test_without_a_finished_run_an_explicit_plot_is_an_error_and_a_default_one_a_note(tmp_path):
    runs = load_directory(write_sweep(tmp_path / "sweep", {"rate": [0.1, 1.0]}, status=lambda index: ["failed", "pending"][index]))
    with pytest.raises(ParameterError, match=r"^no finished run to plot \(1 failed, 1 pending\)$"):
        plan_plots(runs, x="rate")
    plan = plan_plots(runs)
    assert (plan.x, plan.ys, plan.notes) == (None, (), ("No plot yet: no finished run to plot (1 failed, 1 pending).",))


def test_runs_sharing_x_and_hue_become_their_mean_with_min_and_max_and_unfinished_runs_are_left_out(toy_sweep):
    table = aggregate(load_directory(toy_sweep), "rate", "auc", "model")
    assert list(table.columns) == ["model", "rate", "mean", "min", "max", "runs"]
    assert list(zip(table["model"], table["rate"])) == [(m, r) for m in ("tree", "linear") for r in TOY_GRID["rate"]]
    for row in table.itertuples():
        k = TOY_GRID["rate"].index(row.rate)
        if row.rate == 1.0:  # run-012 (tree, seed 1) is pending, run-015 (linear, seed 2) failed with auc 0.99
            only_seed = 2 if row.model == "tree" else 1
            expected = (BASE[row.model] + 0.05 * k + 0.01 * only_seed,) * 3 + (1,)
        else:
            expected = (BASE[row.model] + 0.05 * k + 0.015, BASE[row.model] + 0.05 * k + 0.01, BASE[row.model] + 0.05 * k + 0.02, 2)
        assert (row.mean, row.min, row.max, row.runs) == pytest.approx(expected)
    assert table["max"].max() < 0.99


def test_without_hue_every_run_at_an_x_is_one_point():
    rows = [{"status": s, "k": k, "y": y} for s, k, y in [("ok", 2, 1.0), ("ok", 1, 5.0), ("ok", 2, 3.0), ("failed", 2, 100.0)]]
    table = aggregate(_runs(rows, ["k"]), "k", "y")
    assert table.to_dict("list") == {"k": [1, 2], "mean": [5.0, 2.0], "min": [5.0, 1.0], "max": [5.0, 3.0], "runs": [1, 2]}


def test_categories_follow_the_grid_order_not_the_alphabet():
    rows = [{"status": "ok", "model": m, "y": float(i)} for i, m in enumerate(["linear", "tree", "forest"])]
    runs = _runs(rows, ["model"], {"model": ["tree", "forest", "linear"]})
    assert list(aggregate(runs, "model", "y")["model"]) == ["tree", "forest", "linear"]
    figure, _ = draw(runs, "model", "y")
    ax = figure.axes[0]
    assert [label.get_text() for label in ax.get_xticklabels()] == ["tree", "forest", "linear"]
    assert ax.get_xscale() == "linear"


@pytest.mark.parametrize(
    "values, expected",
    [
        ([0.001, 0.01, 0.1, 1.0], True),
        ([1, 10, 100], False),  # exactly two decades
        ([1, 10, 101], True),
        ([-1.0, 10.0, 1000.0], False),
        ([0.0, 10.0, 1000.0], False),
        (["a", "b"], False),
        ([True, False], False),
    ],
)
def test_a_log_axis_needs_positive_numbers_spanning_more_than_two_decades(values, expected):
    assert log_axis(pd.Series(values)) is expected


def test_the_figure_uses_a_log_axis_ticked_at_the_grid_values_and_a_band_where_runs_differ(toy_sweep):
    figure, caption = draw(load_directory(toy_sweep), "rate", "auc", "model")
    ax = figure.axes[0]
    assert ax.get_xscale() == "log"
    assert [label.get_text() for label in ax.get_xticklabels()] == ["0.001", "0.01", "0.1", "1"]
    assert [line.get_label() for line in ax.get_lines()] == ["tree", "linear"]
    assert len(ax.collections) == 2  # one min–max band per line
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_legend().get_title().get_text()) == ("rate", "auc", "model")
    assert caption == (
        "auc against rate, one line per value of model; 14 finished runs. 2 failed or unfinished runs left out. "
        "Each point is the mean of up to 2 runs that differ in seed; the band spans their minimum to maximum. rate on a log scale."
    )


def test_one_run_per_point_draws_no_band_and_the_caption_says_nothing_of_means():
    rows = [{"status": "ok", "k": k, "y": float(k)} for k in (1, 2, 3)]
    figure, caption = draw(_runs(rows, ["k"]), "k", "y")
    assert len(figure.axes[0].collections) == 0 and caption == "y against k; 3 finished runs."


def test_plots_are_saved_as_png_files_of_960_by_600_pixels(toy_sweep, tmp_path):
    runs = load_directory(toy_sweep)
    lines = []
    plots = draw_plots(runs, plan_plots(runs, ys=["auc", "result.n"]), tmp_path, lines.append)
    assert [plot.file for plot in plots] == ["auc_vs_rate.png", "result.n_vs_rate.png"]
    assert plots[0].alt == "Line chart of auc against rate, one line per value of model"
    assert lines == ["drawing plot 1/2", "drawing plot 2/2"]
    for plot in plots:
        assert _png_size(tmp_path / plot.file) == (960, 600)
