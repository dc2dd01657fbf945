"""The report page: title and definition, the plots, and a table of every run.

The page is one self-contained file: inline CSS, no JavaScript, no address outside the report
folder — plots are ``<img src="<file>.png">`` next to it and each run links to its rendered notebook
under ``notebooks/``. Every piece of text is escaped. Parameters that take the same value in every
run are listed once above the table; the table shows the others, then the recorded results, numbers
to 4 significant digits (whole numbers in full).
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote

import pandas as pd
from pandas.api.types import is_bool_dtype, is_numeric_dtype

from mlsd.report.load import RunTable, format_value
from mlsd.report.plot import Plot, PlotPlan

GENERATOR = "mlsd report"

_CSS = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; margin: 2rem auto; max-width: 1400px; padding: 0 1.5rem; }
h1 { font-size: 1.6rem; margin-bottom: .3rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #d0d7de; padding-bottom: .3rem; }
.counts span, td.status span { display: inline-block; padding: .05rem .5rem; border-radius: 1rem; font-weight: 600; font-size: .85rem; }
.ok { background: #dafbe1; color: #1a7f37; } .failed { background: #ffebe9; color: #cf222e; }
.pending { background: #eaeef2; color: #57606a; } .running { background: #fff8c5; color: #9a6700; }
ul.definition { margin: .5rem 0; padding-left: 1.2rem; } ul.definition li { font-family: ui-monospace, monospace; font-size: .9rem; }
p.note { background: #f6f8fa; border-left: 4px solid #0969da; padding: .5rem .8rem; }
.plots { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 1.5rem; }
figure { margin: 0; } figure img { width: 100%; height: auto; border: 1px solid #d0d7de; border-radius: 6px; }
figcaption { font-size: .85rem; color: #57606a; margin-top: .3rem; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; font-size: .88rem; }
th, td { border-bottom: 1px solid #d0d7de; padding: .3rem .6rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; position: sticky; top: 0; }
th.result { background: #ddf4ff; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.error { color: #cf222e; max-width: 40rem; overflow-wrap: anywhere; }
td:first-child { white-space: nowrap; }
tr:hover td { background: #f6f8fa; }
footer { margin-top: 2rem; font-size: .8rem; color: #57606a; }
"""


def build_page(runs: RunTable, plan: PlotPlan, plots: list[Plot], links: dict[str, str], notes: list[str]) -> str:
    """The HTML of ``index.html``.

    ``links`` maps a run id to its rendered notebook's path relative to the page; ``notes`` are
    extra sentences for the reader (e.g. notebooks that could not be rendered).
    """
    counts = runs.counts()
    total = sum(counts.values())
    badges = " ".join(f'<span class="{escape(status)}">{n} {escape(status)}</span>' for status, n in counts.items())
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta name="generator" content="{GENERATOR}">',
        f"<title>{escape(runs.title)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{escape(runs.title)}</h1>",
        f'<p class="counts">{total} run{"s" * (total != 1)}: {badges}</p>',
    ]
    if runs.definition:
        parts.append('<ul class="definition">' + "".join(f"<li>{escape(line)}</li>" for line in runs.definition) + "</ul>")
    parts += [f'<p class="note">{escape(note)}</p>' for note in [*plan.notes, *notes]]
    if plots:
        parts.append("<h2>Plots</h2>")
        parts.append('<div class="plots">' + "".join(_figure(plot) for plot in plots) + "</div>")
    parts.append("<h2>Runs</h2>")
    parts += _table(runs, links)
    parts.append(f"<footer>Made by <code>mlsd report</code> from {escape(str(runs.directory))}. Each plot is a PNG file next to this page.</footer>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _figure(plot: Plot) -> str:
    return (
        f'<figure><img src="{escape(quote(plot.file))}" alt="{escape(plot.alt)}" width="960" height="600">'
        f"<figcaption>{escape(plot.caption)}</figcaption></figure>"
    )


def _table(runs: RunTable, links: dict[str, str]) -> list[str]:
    table = runs.table
    same = [name for name in runs.parameters if table[name].nunique(dropna=False) == 1] if len(table) > 1 else []
    varying = [name for name in runs.parameters if name not in same]
    parts = []
    if same:
        listed = ", ".join(f"{name} = {format_value(table[name].iloc[0])}" for name in same)
        parts.append(f"<p>Same in every run: {escape(listed)}.</p>")
    head = [f"<th>{escape(str(table.index.name))}</th>", "<th>status</th>", "<th>seconds</th>"]
    head += [f"<th>{escape(name)}</th>" for name in varying]
    head += [f'<th class="result">{escape(name)}</th>' for name in runs.results]
    head.append("<th>error</th>")
    parts.append('<div class="table-wrap"><table><thead><tr>' + "".join(head) + "</tr></thead><tbody>")
    columns = varying + runs.results
    numeric = {name for name in ["seconds", *columns] if is_numeric_dtype(table[name]) and not is_bool_dtype(table[name])}
    for run, row in table.iterrows():
        parts.append("<tr>" + "".join(_cells(str(run), row, columns, numeric, links.get(str(run)))) + "</tr>")
    parts.append("</tbody></table></div>")
    return parts


def _cells(run: str, row: pd.Series, columns: list[str], numeric: set[str], link: str | None) -> list[str]:
    name = f'<a href="{escape(quote(link))}">{escape(run)}</a>' if link else escape(run)
    status = str(row["status"])
    cells = [f"<td>{name}</td>", f'<td class="status"><span class="{escape(status)}">{escape(status)}</span></td>']
    for column in ["seconds", *columns]:
        kind = ' class="num"' if column in numeric else ""
        cells.append(f"<td{kind}>{escape(format_value(row[column]))}</td>")
    cells.append(f'<td class="error">{escape(str(row["error"]))}</td>')
    return cells
