"""Claims: shown, stored, raised when they fail — or recorded, or left unchecked, as the mode says —
and tabulated over seeds."""

from pathlib import Path

import nbformat
import numpy as np
import pytest

from mlsd.claims import (
    CLAIM_MIME,
    MODE_VARIABLE,
    ClaimFailed,
    claim,
    note_data,
    note_parameters,
    read_claims,
)
from mlsd.runs.execute import RunResult
from mlsd.runs.seeds import claims_table


@pytest.fixture
def shown(monkeypatch):
    outputs = []
    monkeypatch.setattr("IPython.display.display", lambda data, raw: outputs.append(data))
    monkeypatch.delenv(MODE_VARIABLE, raising=False)
    note_data(real=False)
    note_parameters([])  # other tests in this process may have checked parameters
    yield outputs
    note_data(real=False)
    note_parameters([])


def test_a_claim_that_holds_is_shown_with_a_tick_and_stored(shown):
    claim("trees_beat_lr", "the trees beat logistic regression", np.bool_(True))
    assert shown[0]["text/plain"] == "✓ the trees beat logistic regression"
    assert shown[0][CLAIM_MIME] == {"name": "trees_beat_lr", "statement": "the trees beat logistic regression",
                                    "held": True, "needs_default_sizes": False}


def test_a_claim_that_fails_stops_the_notebook_naming_it(shown):
    with pytest.raises(ClaimFailed, match="claim more_is_better does not hold: more data helps"):
        claim("more_is_better", "more data helps", False)
    assert shown[0][CLAIM_MIME]["held"] is False
    assert shown[0]["text/plain"] == "✗ does not hold: more data helps"


def test_record_mode_stores_a_failure_without_raising(shown, monkeypatch):
    monkeypatch.setenv(MODE_VARIABLE, "record")
    claim("more_is_better", "more data helps", False)
    assert shown[0][CLAIM_MIME]["held"] is False


def test_smallest_mode_leaves_default_size_claims_unchecked_but_checks_the_others(shown, monkeypatch):
    monkeypatch.setenv(MODE_VARIABLE, "smallest")
    claim("big", "holds at default sizes", False, needs_default_sizes=True)
    assert shown[0][CLAIM_MIME]["held"] is None
    assert shown[0]["text/plain"] == "· not checked at these sizes: holds at default sizes"
    with pytest.raises(ClaimFailed):
        claim("small", "holds at any size", False)


def test_on_real_data_a_failing_claim_is_shown_and_does_not_stop_the_notebook(shown):
    note_data(real=True)
    claim("ranker_wins", "the ranker beats the most-popular list", False)
    assert shown[0]["text/plain"] == "✗ does not hold on these data: the ranker beats the most-popular list"


@pytest.mark.parametrize(
    "name, statement, holds, error, message",
    [
        ("Has Caps", "s", True, ValueError, "claim name must be lower-case"),
        ("ok", "  ", True, ValueError, "claim ok: the statement must be a non-empty string"),
        ("ok", "s", 0.7, TypeError, "claim ok: holds must be True or False; got 0.7"),
    ],
)
def test_bad_claims_are_refused(shown, name, statement, holds, error, message):
    with pytest.raises(error, match=message):
        claim(name, statement, holds)
    assert shown == []


def test_an_unknown_mode_is_refused_naming_the_modes(shown, monkeypatch):
    monkeypatch.setenv(MODE_VARIABLE, "loose")
    with pytest.raises(ValueError, match="MLSD_CLAIMS must be one of 'check', 'record', 'smallest'; got 'loose'"):
        claim("ok", "s", True)


def _notebook_with_claims(path: Path, *entries) -> Path:
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [nbformat.v4.new_output("display_data", data={CLAIM_MIME: e, "text/plain": "c"}) for e in entries]
    notebook.cells = [cell]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path


def _entry(name, held):
    return {"name": name, "statement": f"{name} | holds", "held": held, "needs_default_sizes": False}


def test_the_table_marks_each_claim_on_each_seed_and_counts_those_holding_everywhere(tmp_path):
    def result(seed, *entries, status="ok"):
        path = _notebook_with_claims(tmp_path / f"seed-{seed}" / "a.ipynb", *entries)
        return RunResult("a.ipynb", path, {"seed": seed}, status, 1.0)

    results = {
        1: [result(1, _entry("x", True), _entry("y", True))],
        2: [result(2, _entry("x", True), _entry("y", False))],
    }
    table, n_claims, holding = claims_table(results)
    assert (n_claims, holding) == (2, 1)
    lines = table.splitlines()
    assert lines[0] == "| notebook | claim | seed 1 | seed 2 | all seeds |"
    assert lines[2] == "| `a.ipynb` | x \\| holds (`x`) | ✓ | ✓ | holds |"
    assert lines[3] == "| `a.ipynb` | y \\| holds (`y`) | ✓ | ✗ | **no** |"
    assert read_claims(results[2][0].output)[1]["held"] is False


def test_a_notebook_that_failed_on_a_seed_fails_its_claims_there(tmp_path):
    path = _notebook_with_claims(tmp_path / "seed-1" / "a.ipynb", _entry("x", True))
    results = {1: [RunResult("a.ipynb", path, {}, "ok", 1.0)],
               2: [RunResult("a.ipynb", tmp_path / "none.ipynb", {}, "failed", 1.0, error="boom")]}
    table, n_claims, holding = claims_table(results)
    assert (n_claims, holding) == (1, 0)
    assert "| ✓ | error | **no** |" in table


def test_with_parameters_other_than_the_defaults_a_failing_claim_names_them_and_goes_on(shown):
    note_parameters(["epsilon=0.0"])
    claim("exploration_widens", "exploration widens coverage", False)
    assert shown[0]["text/plain"] == (
        "✗ does not hold with these parameters (epsilon=0.0): exploration widens coverage")


def test_the_smallest_mode_raises_whatever_the_parameters(shown, monkeypatch):
    monkeypatch.setenv(MODE_VARIABLE, "smallest")
    note_parameters(["n=10"])
    with pytest.raises(ClaimFailed):
        claim("small", "holds at any size", False)


def test_check_parameters_tells_the_claims_which_values_differ_from_the_defaults():
    from mlsd.claims import _DATA
    from mlsd.params import check_parameters

    source = "seed: int = 7  # seed, in [0, 10]\nk: int = 10  # list length, in [1, 100]\n"
    check_parameters({"seed": 3, "k": 10}, source)
    assert _DATA["changed"] == ()
    check_parameters({"seed": 7, "k": 5}, source)
    assert _DATA["changed"] == ("k=5",)
    note_parameters([])
