"""The kit's own notebooks: their shape, a run of each at its smallest sizes, and what their numbers show."""

import json
import re

import pytest
from kit_factory import KIT_ROOT, run_mlsd

from mlsd.claims import MODE_VARIABLE, read_claims
from mlsd.params import parameters_source
from mlsd.records import read_records
from mlsd.runs.catalog import discover

pytestmark = pytest.mark.notebooks

NOTEBOOKS = discover(KIT_ROOT)


def _cells(notebook):
    return json.loads(notebook.path.read_text())["cells"]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[nb.name for nb in NOTEBOOKS])
def test_notebook_declares_parameters_with_help_and_checks_them_next(notebook):
    cells = _cells(notebook)
    assert parameters_source({"cells": cells}) is not None, "no cell tagged 'parameters'"
    assert notebook.parameters, "the parameters cell declares nothing"
    for name, parameter in notebook.parameters.items():
        assert parameter.help, f"parameter {name} has no help comment"
    index = next(i for i, c in enumerate(cells) if "parameters" in c["metadata"].get("tags", []))
    assert "mlsd.check_parameters()" in "".join(cells[index + 1]["source"])
    assert "smallest" in json.loads(notebook.path.read_text())["metadata"].get("mlsd", {})


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[nb.name for nb in NOTEBOOKS])
def test_notebook_is_committed_executed_without_errors(notebook):
    code = [c for c in _cells(notebook) if c["cell_type"] == "code"]
    assert all(c["execution_count"] is not None for c in code), "commit the notebook executed (make notebooks)"
    assert not any(o["output_type"] == "error" for c in code for o in c["outputs"])


@pytest.fixture(scope="module")
def smallest_run(tmp_path_factory):
    """Every kit notebook executed once at its smallest sizes and at a seed none of them defaults
    to, its claims checked (those that need the default sizes left out), shared by the tests below."""
    out = tmp_path_factory.mktemp("smallest")
    result = run_mlsd("run", "--all", "--smallest", *SMALLEST_SEED, "--jobs", "2", "--out", str(out),
                      env={MODE_VARIABLE: "smallest"})
    return out, result


SMALLEST_SEED = ("-p", "seed", "2")
APPS = {"notebooks/practice_app.ipynb"}
"""Notebooks that are only an app's page (``mlsd practice`` serves this one): a form has no results
to record, and a record would show in the app as a line of bookkeeping."""


def test_every_notebook_runs_at_its_smallest_sizes_and_records_results(smallest_run):
    out, result = smallest_run
    assert result.returncode == 0, result.stdout + result.stderr
    for notebook in NOTEBOOKS:
        if notebook.name not in APPS:
            assert read_records(out / notebook.name), f"{notebook.name} recorded nothing"


def test_the_claims_hold_at_the_smallest_sizes_on_another_seed_except_those_that_need_defaults(smallest_run):
    out, result = smallest_run
    assert result.returncode == 0, result.stdout + result.stderr
    claims = {nb.name: read_claims(out / nb.name) for nb in NOTEBOOKS}
    assert sum(len(found) for found in claims.values()) >= 10
    for name, found in claims.items():
        for entry in found:
            expected = None if entry["needs_default_sizes"] else True
            assert entry["held"] is expected, f"{name}: {entry['statement']}"


SEEDED = [notebook for notebook in NOTEBOOKS if "seed" in notebook.parameters]
"""The notebooks whose claims are checked over seeds; a notebook without a seed (the practice
notebook's claims are about fixed designs) is deterministic, and its claims are checked where it
runs (each run raises on a claim that does not hold, and the test below reads them held)."""


def test_every_claim_of_the_committed_notebooks_holds_and_each_seeded_one_is_in_the_claims_table():
    table = (KIT_ROOT / "notebooks" / "CLAIMS.md").read_text()
    for notebook in NOTEBOOKS:
        for entry in read_claims(notebook.path):
            assert entry["held"] is True, f"{notebook.name}: {entry['statement']}"
            if notebook not in SEEDED:
                continue
            assert f"(`{entry['name']}`) | ✓ | ✓ | ✓ | ✓ | ✓ | holds |" in table, (
                f"{notebook.name}: claim {entry['name']} is not shown holding on seeds 1-5 "
                "in notebooks/CLAIMS.md (make claims)")


def test_the_claims_table_has_no_claim_the_notebooks_no_longer_make_and_the_readme_says_its_count():
    table = (KIT_ROOT / "notebooks" / "CLAIMS.md").read_text()
    committed = {(notebook.path.relative_to(KIT_ROOT).as_posix(), entry["name"])
                 for notebook in SEEDED for entry in read_claims(notebook.path)}
    rows = set(re.findall(r"^\| `([^`]+)` \| .* \(`([a-z0-9_]+)`\) \|", table, flags=re.MULTILINE))
    assert rows == committed, f"stale rows: {sorted(rows - committed)}; missing: {sorted(committed - rows)}"
    held, total = re.search(r"\*\*(\d+) of (\d+) claims hold on every seed\.\*\*", table).groups()
    readme = (KIT_ROOT / "README.md").read_text()
    assert f"**{held} of {total}** conclusions" in readme, "README's claims summary is out of date"


def test_start_here_records_are_the_same_for_the_same_parameters_byte_for_byte(smallest_run, tmp_path):
    out, _ = smallest_run
    assert run_mlsd("run", "start_here", "--smallest", *SMALLEST_SEED, "--out", str(tmp_path)).returncode == 0
    again = json.dumps(read_records(tmp_path / "notebooks/00_start_here.ipynb"))
    assert again == json.dumps(read_records(out / "notebooks/00_start_here.ipynb"))


def test_start_here_shows_what_its_simulated_truth_implies():
    # the committed records, which nbval re-executes and checks in the same test run
    r = read_records(KIT_ROOT / "notebooks/00_start_here.ipynb")
    assert r["bayes_threshold"] == pytest.approx(1 / 11)  # cost_fp / (cost_fp + cost_fn) at the defaults
    assert r["model_roc_auc"] < r["truth_roc_auc"]  # noise can only hurt the ranking
    assert r["truth_ece"] < r["model_ece"] / 3  # the true probabilities are calibrated; the noisy model is not
    assert r["truth_cost_at_bayes"] < r["model_best_cost"] < r["baseline_cost"]  # truth < model < no model
    assert r["model_best_cost"] <= r["model_cost_at_bayes"]
    assert 0.5 < r["model_ne"] < 1  # better than predicting the base rate, far from perfect


def test_every_committed_notebook_is_valid_nbformat_with_an_id_on_every_cell():
    import warnings

    import nbformat

    for path in [*KIT_ROOT.glob("notebooks/**/*.ipynb"), *KIT_ROOT.glob("exercises/*.ipynb")]:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a cell without an id only warns today
            nbformat.validate(nbformat.read(path, as_version=4))
        cells = json.loads(path.read_text())["cells"]
        ids = [cell.get("id") for cell in cells]
        assert None not in ids and len(set(ids)) == len(ids), path.name


COMMITTED = sorted([*KIT_ROOT.glob("notebooks/**/*.ipynb"), *KIT_ROOT.glob("exercises/*.ipynb")])
STAGED = sorted(KIT_ROOT.glob("notebooks/0[1-9]_*/*.ipynb"))
CLAIM_MIME = "application/vnd.mlsd.claim+json"
BOOKKEEPING = re.compile(r"^\s*(import |from \S+ import |params = mlsd\.check_parameters\(|mlsd\.record(_table)?\(|"
                         r"data\.record\()")


def _code_lines(cells):
    return [line for cell in cells if cell["cell_type"] == "code"
            for line in "".join(cell["source"]).splitlines()]


@pytest.mark.parametrize("path", COMMITTED, ids=lambda p: str(p.relative_to(KIT_ROOT)))
def test_code_lines_fit_a_projector(path):
    long = [line for line in _code_lines(json.loads(path.read_text())["cells"]) if len(line) > 100]
    assert not long, f"lines over 100 characters: {long}"


def _html_table(output) -> bool:
    return "<table" in "".join(output.get("data", {}).get("text/html", ""))


def _shows(cell, tables=True) -> bool:
    return any("image/png" in output.get("data", {}) or (tables and _html_table(output))
               for output in cell.get("outputs", []))


def _notes(cell) -> bool:
    return cell["cell_type"] == "markdown" or any(CLAIM_MIME in o.get("data", {}) for o in cell.get("outputs", []))


@pytest.mark.parametrize("path", STAGED + [KIT_ROOT / "notebooks" / "00_start_here.ipynb"],
                         ids=lambda p: str(p.relative_to(KIT_ROOT)))
def test_every_table_and_figure_is_followed_by_what_to_notice(path):
    """A displayed table or figure is followed by a sentence — a markdown cell or a claim — in its own
    cell or the next one; a figure drawn from the table just shown may come between."""
    end = {"cell_type": "code", "outputs": []}
    cells = json.loads(path.read_text())["cells"] + [end, end]
    silent = []
    for index, cell in enumerate(cells[:-2]):
        after, then = cells[index + 1], cells[index + 2]
        figure_between = after["cell_type"] == "code" and _shows(after, tables=False) and _notes(then)
        if cell["cell_type"] == "code" and _shows(cell) and not (_notes(cell) or _notes(after) or figure_between):
            silent.append(index)
    assert not silent, f"cells whose table or figure has no note after it: {silent}"


@pytest.mark.parametrize("path", STAGED, ids=lambda p: str(p.relative_to(KIT_ROOT)))
def test_bookkeeping_stays_out_of_the_readers_way(path):
    """Imports, the parameter check and recording are at most a quarter of a staged notebook's code."""
    lines = [line for line in _code_lines(json.loads(path.read_text())["cells"]) if line.strip()
             and not line.strip().startswith("#")]
    share = sum(bool(BOOKKEEPING.match(line)) for line in lines) / len(lines)
    assert share <= 0.25, f"{share:.0%} of the code lines are bookkeeping"


@pytest.mark.parametrize("path", STAGED, ids=lambda p: str(p.relative_to(KIT_ROOT)))
def test_every_staged_notebook_reads_as_a_lesson(path):
    """Learning goals and a time estimate first; then what to say in the interview, at least three
    follow-up questions with folded answers, and where to go next: notebook, exercise, explorer."""
    cells = json.loads(path.read_text())["cells"]
    first = "".join(cells[0]["source"])
    markdown = "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown")
    assert "**Learning goals**" in first and re.search(r"\d+ minutes", first)
    assert "## What to say in the interview" in markdown
    assert markdown.count("<details><summary>") >= 3
    closing = markdown[markdown.rindex("**Next:**"):]
    assert "**Practise:**" in closing or "exercises/" in closing
    assert "**Explore:**" in closing
