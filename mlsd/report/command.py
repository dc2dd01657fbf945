"""The ``mlsd report`` command: read a run or sweep folder, write an offline HTML report of it.

``mlsd report DIR [--x PARAM] [--y RESULT]... [--hue PARAM] [--out REPORT_DIR]`` writes, by default
to ``DIR/report/``: ``index.html``, one PNG per plot (``<y>_vs_<x>.png``) and
``notebooks/<run>.html`` for each executed notebook. The report is built in the sibling folder
``REPORT_DIR.partial`` and only then replaces ``REPORT_DIR``, so a reader never finds a half-written
report; on any error the partial folder is removed. An existing ``REPORT_DIR`` is replaced only
when it is empty or a report written by this command.

Problems with the request (missing folder, unknown kind of folder, an axis that is not a parameter
or a numeric result, nothing finished to plot) raise :class:`~mlsd.params.ParameterError`: one
line, exit status 2. Progress goes to stderr; the path of ``index.html`` is printed at the end.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from mlsd.params import ParameterError

if TYPE_CHECKING:
    from mlsd.report.load import RunTable
    from mlsd.report.plot import PlotPlan


def add_report_parser(commands) -> argparse.ArgumentParser:
    """Add the ``report`` subcommand to ``commands`` (the subparsers of ``mlsd``); return it."""
    report = commands.add_parser("report", help="an offline HTML report of a run or sweep folder: plots, table, notebooks")
    report.add_argument("directory", type=Path, metavar="DIR", help="a folder written by `mlsd run --out` or `mlsd sweep`")
    report.add_argument("--x", metavar="PARAM", help="parameter on the x axis (default for a sweep: the first swept one)")
    report.add_argument("--y", action="append", metavar="RESULT", help="recorded result to plot (repeatable; default: every numeric one)")
    report.add_argument("--hue", metavar="PARAM", help="one line per value of this parameter (default for a sweep: the second swept one)")
    report.add_argument("--out", type=Path, metavar="REPORT_DIR", help="where to write the report (default: DIR/report/)")
    report.set_defaults(handler=command_report)
    return report


def command_report(args) -> int:
    # Imported here: matplotlib and nbconvert take a second to load, and other commands need neither.
    from mlsd.report.load import load_directory
    from mlsd.report.plot import plan_plots

    runs = load_directory(args.directory)
    plan = plan_plots(runs, args.x, args.y, args.hue)
    index = write_report(runs, plan, args.out or args.directory / "report")
    print(index)
    return 0


def write_report(runs: RunTable, plan: PlotPlan, out: Path) -> Path:
    """Build the report of ``runs`` following ``plan`` in ``out.partial``, then move it to ``out``."""
    _check_replaceable(out, runs.directory)
    partial = out.with_name(out.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    try:
        _build(runs, plan, partial)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    if out.exists():
        shutil.rmtree(out)
    partial.rename(out)
    return out / "index.html"


def _build(runs: RunTable, plan: PlotPlan, folder: Path) -> None:
    from mlsd.report.html import build_page
    from mlsd.report.load import notebook_page
    from mlsd.report.notebooks import render_all
    from mlsd.report.plot import draw_plots

    plots = draw_plots(runs, plan, folder, _progress)
    (folder / "notebooks").mkdir()
    pages = [(source, folder / notebook_page(run), f"{run} — {source.name}") for run, source in runs.notebooks.items()]
    skipped = render_all(pages, _progress)
    links = {run: notebook_page(run) for run, source in runs.notebooks.items() if source not in skipped}
    notes = [f"{source}: not rendered, cannot be read as a notebook ({reason})." for source, reason in skipped.items()]
    (folder / "index.html").write_text(build_page(runs, plan, plots, links, notes), encoding="utf-8")


def _check_replaceable(out: Path, directory: Path) -> None:
    from mlsd.report.html import GENERATOR

    resolved, source = out.resolve(), directory.resolve()
    if resolved == source or resolved in source.parents:
        raise ParameterError(f"--out {out}: would replace the folder being reported on; choose another folder")
    if out.exists() and not out.is_dir():
        raise ParameterError(f"--out {out}: is a file, not a folder")
    if out.is_dir() and any(out.iterdir()):
        index = out / "index.html"
        if not index.is_file() or f'content="{GENERATOR}"' not in index.read_text(encoding="utf-8", errors="replace"):
            raise ParameterError(f"--out {out}: exists and is not a report of `mlsd report`; choose another folder or remove it")


def _progress(line: str) -> None:
    print(f"report: {line}", file=sys.stderr, flush=True)
