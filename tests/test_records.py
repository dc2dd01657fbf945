"""Recorded results: what record() accepts, and reading records back from notebook files."""

import json

import nbformat
import numpy as np
import pytest

from mlsd.records import RECORD_MIME, read_records, record, record_table, records_from_notebook


def _output(name, value):
    return nbformat.v4.new_output("display_data", data={RECORD_MIME: {"name": name, "value": value}, "text/plain": "x"})


def test_records_are_read_in_order_and_the_later_of_two_wins(tmp_path):
    notebook = nbformat.v4.new_notebook()
    first, second = nbformat.v4.new_code_cell("a"), nbformat.v4.new_code_cell("b")
    first.outputs = [_output("auc", 0.75), nbformat.v4.new_output("stream", text="hello")]
    second.outputs = [_output("ne", 0.9), _output("auc", 0.8)]
    notebook.cells = [nbformat.v4.new_markdown_cell("# t"), first, second]
    path = tmp_path / "n.ipynb"
    nbformat.write(notebook, path)
    assert read_records(path) == {"auc": 0.8, "ne": 0.9}
    assert list(records_from_notebook(json.loads(path.read_text()))) == ["auc", "ne"]


def test_read_records_names_a_missing_or_broken_file(tmp_path):
    with pytest.raises(ValueError, match="no such notebook file"):
        read_records(tmp_path / "missing.ipynb")
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{not json")
    with pytest.raises(ValueError, match="broken.ipynb: not a notebook"):
        read_records(broken)
    broken.write_text("[1, 2]")
    with pytest.raises(ValueError, match="no 'cells' list"):
        read_records(broken)


def test_record_displays_a_record_bundle(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda data, raw: shown.append(data))
    record("auc", np.float64(0.8125))
    record("count", np.int64(3))
    assert shown[0][RECORD_MIME] == {"name": "auc", "value": 0.8125}
    assert type(shown[0][RECORD_MIME]["value"]) is float
    assert shown[0]["text/plain"] == "recorded auc = 0.8125"
    assert shown[1][RECORD_MIME]["value"] == 3 and type(shown[1][RECORD_MIME]["value"]) is int


def test_in_a_voila_app_a_record_is_stored_without_text(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda data, raw: shown.append(data))
    monkeypatch.setenv("VOILA_KERNEL_ID", "k")
    record("auc", 0.5)
    assert shown == [{RECORD_MIME: {"name": "auc", "value": 0.5}}]


@pytest.mark.parametrize(
    "name, value, error, message",
    [
        ("", 1.0, ValueError, "record name '' is not allowed"),
        ("has space", 1.0, ValueError, "is not allowed"),
        ("ne", float("nan"), ValueError, "record ne = nan is not allowed: values must be finite"),
        ("ne", [1, 2], TypeError, "value of type list is not allowed"),
    ],
)
def test_record_rejects_bad_names_and_values(name, value, error, message):
    with pytest.raises(error, match=message):
        record(name, value)


def test_record_table_records_every_chosen_cell_row_by_row_under_its_names(monkeypatch):
    import pandas as pd

    shown = []
    monkeypatch.setattr("IPython.display.display", lambda data, raw: shown.append(data[RECORD_MIME]))
    table = pd.DataFrame({"roc_auc": [0.7, 0.9], "ece": [0.02, 0.01]}, index=["logistic regression", "truth"])
    record_table("", table, rows={"logistic regression": "lr", "truth": "truth"}, columns={"roc_auc": "auc", "ece": "ece"})
    record_table("ad", table.set_axis(["lr", "truth"]), columns=["ece"])
    assert [(entry["name"], entry["value"]) for entry in shown] == [
        ("lr_auc", 0.7), ("lr_ece", 0.02), ("truth_auc", 0.9), ("truth_ece", 0.01),
        ("ad_lr_ece", 0.02), ("ad_truth_ece", 0.01),
    ]


def test_record_table_names_a_label_the_table_does_not_have():
    import pandas as pd

    table = pd.DataFrame({"auc": [0.7]}, index=["lr"])
    with pytest.raises(ValueError, match=r"record_table: 'gbdt' is not among the labels \['lr'\]"):
        record_table("", table, rows=["gbdt"])
    with pytest.raises(ValueError, match="record name 'two words_auc' is not allowed"):
        record_table("", table.set_axis(["two words"]))
