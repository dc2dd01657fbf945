"""`mlsd report` end to end through its handler: the folder it writes, the page, offline pages, errors."""

import argparse
import contextlib
import io
import re
from html.parser import HTMLParser
from urllib.parse import unquote

import pytest
from report.report_folders import FAILED_ERROR, TOY_NOTEBOOK, write_sweep

from mlsd.params import ParameterError
from mlsd.report.command import add_report_parser

EXTERNAL = [
    re.compile(r"""\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE),
    re.compile(r"<script[^>]*\bsrc\s*=", re.IGNORECASE),
    re.compile(r"""@import\s+(?:url\()?\s*["']?\s*(?:https?:)?//""", re.IGNORECASE),
    re.compile(r"""\burl\(\s*["']?\s*(?:https?:)?//""", re.IGNORECASE),
    re.compile(r"""\bimport\s*\(?\s*["'](?:https?:)?//""", re.IGNORECASE),
]


def report(*argv) -> int:
    """Run the handler as `mlsd report ARGV...` would."""
    parser = argparse.ArgumentParser(prog="mlsd")
    add_report_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["report", *map(str, argv)])
    return args.handler(args)


class _Page(HTMLParser):
    """Table rows as lists of cell texts, and every href and src of a page."""

    def __init__(self, text: str):
        super().__init__()
        self.rows, self.targets, self._cell = [], [], None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.targets += [value for name, value in attrs if name in ("href", "src")]
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.rows[-1].append(self._cell)
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


@pytest.fixture(scope="module")
def sweep_report(toy_sweep, tmp_path_factory):
    """The report of the toy sweep with every default, and what the command printed."""
    out = tmp_path_factory.mktemp("reports") / "toy"
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        assert report(toy_sweep, "--out", out) == 0
    return out, stdout.getvalue(), stderr.getvalue()


def test_the_report_holds_the_page_a_png_per_numeric_result_and_each_executed_notebook(sweep_report):
    out, stdout, stderr = sweep_report
    assert stdout == f"{out / 'index.html'}\n"
    assert {p.name for p in out.iterdir()} == {"index.html", "notebooks", "auc_vs_rate.png", "loss_vs_rate.png", "size_vs_rate.png", "result.n_vs_rate.png"}
    assert {p.name for p in (out / "notebooks").iterdir()} == {f"run-{i:03d}.html" for i in range(16) if i != 12}
    assert not out.with_name("toy.partial").exists()
    assert "report: rendering notebook 3/15\n" in stderr and "report: drawing plot 4/4\n" in stderr


def test_the_page_shows_the_sweep_its_counts_plots_and_a_row_per_run(sweep_report):
    out, _, _ = sweep_report
    text = (out / "index.html").read_text(encoding="utf-8")
    assert f"<h1>Sweep of {TOY_NOTEBOOK}</h1>" in text
    assert '16 runs: <span class="ok">14 ok</span> <span class="failed">1 failed</span> <span class="pending">1 pending</span>' in text
    assert "<li>rate: 0.001, 0.01, 0.1, 1</li><li>model: tree, linear</li><li>seed: 1, 2</li><li>fixed: n = 1000</li>" in text
    assert '<img src="auc_vs_rate.png" alt="Line chart of auc against rate, one line per value of model"' in text
    assert "Each point is the mean of up to 2 runs that differ in seed; the band spans their minimum to maximum." in text
    assert "<p>Same in every run: n = 1000.</p>" in text
    rows = {row[0]: row for row in _Page(text).rows}
    assert rows["run"] == ["run", "status", "seconds", "seed", "rate", "model", "auc", "loss", "size", "note", "converged", "result.n", "error"]
    assert rows["run-001"] == ["run-001", "ok", "2.25", "2", "0.001", "tree", "0.62", "0.38", "2000", "fine", "True", "990", ""]
    assert rows["run-007"][6:8] == ["0.57", "0.43"]  # 0.5700000000000001 and 0.42999999999999994, to 4 significant digits
    assert rows["run-012"] == ["run-012", "pending", "–", "1", "1", "tree", "–", "–", "–", "–", "–", "–", ""]
    assert rows["run-015"][:3] == ["run-015", "failed", "16.25"] and rows["run-015"][-1] == FAILED_ERROR
    assert "score &lt; 0 &amp; &lt;b&gt;not&lt;/b&gt; allowed" in text
    assert '<td class="status"><span class="failed">failed</span></td>' in text
    assert '<td><a href="notebooks/run-015.html">run-015</a></td>' in text and "<td>run-012</td>" in text


def test_every_link_and_image_of_the_page_is_a_file_of_the_report(sweep_report):
    out, _, _ = sweep_report
    targets = _Page((out / "index.html").read_text(encoding="utf-8")).targets
    assert len(targets) == 4 + 15
    for target in targets:
        assert (out / unquote(target)).is_file(), target


def test_nothing_in_the_report_loads_from_the_network(sweep_report):
    out, _, _ = sweep_report
    pages = sorted(out.rglob("*.html"))
    assert len(pages) == 16
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for pattern in EXTERNAL:
            assert not pattern.search(text), f"{page.name}: {pattern.search(text).group(0)}"
        assert "<script" not in text and "cdn.example.org" not in text
    assert "http" not in (out / "index.html").read_text(encoding="utf-8")


def test_a_rendered_notebook_shows_its_outputs_without_widgets_or_scripts(sweep_report):
    out, _, _ = sweep_report
    ok = (out / "notebooks" / "run-001.html").read_text(encoding="utf-8")
    assert "<title>run-001 — 2_metrics.ipynb</title>" in ok
    assert "recorded auc = 0.62" in ok and "VBox(children=(FloatSlider(value=0.5),))" in ok
    assert 'src="data:image/png;base64,iVBORw0KGgo' in ok
    assert '<a data-external-url="https://example.org/paper">the paper</a>' in ok
    assert "widget-state" not in ok and "widget-view" not in ok
    failed = (out / "notebooks" / "run-015.html").read_text(encoding="utf-8")
    assert "recorded auc = 0.99" in failed and "ValueError" in failed


def test_a_run_folder_without_x_gets_a_table_links_and_a_hint_how_to_plot(run_folder, tmp_path, capsys):
    out = tmp_path / "report"
    assert report(run_folder, "--out", out) == 0
    assert sorted(p.name for p in out.glob("*.png")) == []
    text = (out / "index.html").read_text(encoding="utf-8")
    assert "No plot: no x axis was asked for. Ask for one with --x PARAMETER (one of: seed, scale, mode)" in text
    link = '<a href="notebooks/notebooks__01_toy__2_metrics.html">notebooks/01_toy/2_metrics.ipynb</a>'
    assert link in text and (out / "notebooks" / "notebooks__01_toy__2_metrics.html").is_file()
    assert capsys.readouterr().out == f"{out / 'index.html'}\n"


def test_a_run_folder_with_x_gets_its_plot(run_folder, tmp_path):
    assert report(run_folder, "--out", tmp_path / "report", "--x", "scale", "--y", "mean") == 0
    assert sorted(p.name for p in (tmp_path / "report").glob("*.png")) == ["mean_vs_scale.png"]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["missing"], "missing: no such folder"),
        (["empty"], "neither summary.csv"),
        (["sweep", "--x", "lr"], "--x lr: not a parameter of these runs; parameters: seed, rate, model, n"),
        (["sweep", "--hue", "lr"], "--hue lr: not a parameter of these runs; parameters: seed, rate, model, n"),
        (["sweep", "--y", "note"], "--y note: not a numeric result recorded by a finished run; numeric results: auc, loss, size, result.n"),
        (["pending", "--x", "rate"], "no finished run to plot (2 pending)"),
    ],
)
def test_bad_requests_are_one_line_errors_and_write_nothing(tmp_path, argv, message):
    (tmp_path / "empty").mkdir()
    write_sweep(tmp_path / "sweep", {"rate": [0.1, 1.0]})
    write_sweep(tmp_path / "pending", {"rate": [0.1, 1.0]}, status=lambda index: "pending")
    folder, *options = argv
    with pytest.raises(ParameterError) as error:
        report(tmp_path / folder, *options)
    assert message in str(error.value) and "\n" not in str(error.value)
    assert not list(tmp_path.glob("*/report*"))


def test_a_failure_midway_leaves_no_report_behind_and_keeps_an_older_one(tmp_path, monkeypatch, capsys):
    folder = write_sweep(tmp_path / "sweep", {"rate": [0.1, 1.0]})

    def broken(*args):
        raise RuntimeError("renderer broke")

    monkeypatch.setattr("mlsd.report.notebooks.render_notebook", broken)
    with pytest.raises(RuntimeError, match="renderer broke"):
        report(folder)
    assert sorted(p.name for p in folder.iterdir()) == ["manifest.json", "results.csv", "runs"]
    monkeypatch.undo()
    report(folder)
    before = {p.relative_to(folder): p.read_bytes() for p in (folder / "report").rglob("*") if p.is_file()}
    monkeypatch.setattr("mlsd.report.notebooks.render_notebook", broken)
    with pytest.raises(RuntimeError):
        report(folder, "--y", "loss")
    assert {p.relative_to(folder): p.read_bytes() for p in (folder / "report").rglob("*") if p.is_file()} == before
    assert not (folder / "report.partial").exists()


def test_running_again_replaces_the_old_report(tmp_path, capsys):
    folder = write_sweep(tmp_path / "sweep", {"rate": [0.1, 1.0]})
    report(folder, "--y", "auc")
    (folder / "report" / "stale.txt").write_text("from before")
    report(folder, "--y", "loss")
    assert sorted(p.name for p in (folder / "report").iterdir()) == ["index.html", "loss_vs_rate.png", "notebooks"]


def test_a_folder_that_is_not_a_report_is_never_replaced(tmp_path):
    folder = write_sweep(tmp_path / "sweep", {"rate": [0.1, 1.0]})
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(ParameterError, match="--out .*mine: exists and is not a report of `mlsd report`"):
        report(folder, "--out", tmp_path / "mine")
    with pytest.raises(ParameterError, match="would replace the folder being reported on"):
        report(folder, "--out", tmp_path)
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me" and not (tmp_path / "mine.partial").exists()


def test_a_notebook_that_cannot_be_read_is_named_on_the_page_and_not_linked(tmp_path, capsys):
    folder = write_sweep(tmp_path / "sweep", {"rate": [0.1, 1.0]})
    broken = folder / "runs" / "run-001" / "2_metrics.ipynb"
    broken.write_text("{not json")
    report(folder)
    text = (folder / "report" / "index.html").read_text(encoding="utf-8")
    assert f"{broken}: not rendered, cannot be read as a notebook" in text
    assert '<a href="notebooks/run-000.html">' in text and "<td>run-001</td>" in text
    assert sorted(p.name for p in (folder / "report" / "notebooks").iterdir()) == ["run-000.html"]
