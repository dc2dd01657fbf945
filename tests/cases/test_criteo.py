"""The Criteo loader on small files written here in each published layout: every mapped value,
every refused layout and malformed line with its exact message, no network."""

import numpy as np
import pandas as pd
import pytest

from mlsd import readers
from mlsd.cases.ad_click.criteo import (
    CATEGORICAL_FEATURES,
    COLUMNS,
    CSV_HEADER,
    CSV_WITH_ID,
    INTEGER_FEATURES,
    TRAIN_TXT,
    describe_criteo,
    detect_layout,
    load_criteo,
)
from mlsd.readers import DataFileError

CATEGORIES_1 = (
    "68fd1e64 80e26c9b fb936136 7b4723c4 25c83c98 7e0ccccf de7995b8 1f89b562 a73ee510 a8cd5504 "
    "b2cb9c98 37c9c164 2824a5f6 1adce6ef 8ba8b39a 891b62e7 e5ba7672 f54016b9 21ddcdc9 b1252a9d "
    "07b5194c - 3a171ecb c5c50484 e8b83407 9727dd16"
)
CATEGORIES_2 = (
    "05db9164 0b153874 - - 4cf72387 - 7195046d 0b153874 a73ee510 - 89df8e6c - 9e8dab66 "
    "b28479f6 - 10a1bd2c 07c540c4 b04e4670 - - 60f6221e - 32c7478e 43f13e8b - -"
)
CATEGORIES_3 = " ".join(["-"] * 25 + ["00000000"])
INTEGERS_1 = "1 1 5 0 1382 4 15 2 181 1 2 - 2"
INTEGERS_2 = "- -3 44 1 102 8 2 2 4 - 1 - 0"
INTEGERS_3 = "- 893 - - 4392 - 0 0 0 - 0 - -"


def fields(integers, categories):
    """Field texts from space-separated values, ``-`` for an empty one."""
    values = (integers + " " + categories).split(" ")
    assert len(values) == len(INTEGER_FEATURES) + len(CATEGORICAL_FEATURES)
    return ["" if value == "-" else value for value in values]


ROWS = [  # (label, the 39 feature texts)
    ("0", fields(INTEGERS_1, CATEGORIES_1)),
    ("1", fields(INTEGERS_2, CATEGORIES_2)),  # ends with two empty fields: "…\t\t"
    ("0", fields(INTEGERS_3, CATEGORIES_3)),  # every field empty but I2, I5, I7, I8, I9, I11, C26
]
TAB_LINES = ["\t".join([label, *features]) for label, features in ROWS]
IDS = [10_000_000, 10_000_001, 10_000_002]
CSV_LINES = [CSV_HEADER] + [",".join([str(i), label, *f]) for i, (label, f) in zip(IDS, ROWS)]


def write(tmp_path, lines, name="dac_sample.txt", newline="\n"):
    path = tmp_path / name
    path.write_bytes("".join(line + newline for line in lines).encode())
    return path


def replace_line(lines, number, text):
    """``lines`` with line ``number`` (1-based, as the file counts) replaced by ``text``."""
    return [text if index == number else line for index, line in enumerate(lines, start=1)]


def quoted(text):
    """A line as a message quotes it: shortened to 80 characters, as Python quotes it."""
    return repr(text if len(text) <= 80 else text[:79] + "…")


def expected_columns():
    """The three rows of ROWS, column by column, as load_criteo must give them."""
    na = pd.NA
    return {
        "label": [0, 1, 0],
        "I1": [1, na, na],
        "I2": [1, -3, 893],
        "I3": [5, 44, na],
        "I4": [0, 1, na],
        "I5": [1382, 102, 4392],
        "I6": [4, 8, na],
        "I7": [15, 2, 0],
        "I8": [2, 2, 0],
        "I9": [181, 4, 0],
        "I10": [1, na, na],
        "I11": [2, 1, 0],
        "I12": [na, na, na],
        "I13": [2, 0, na],
        **{
            name: [value or None for value in values]
            for name, *values in zip(
                CATEGORICAL_FEATURES, *(features[len(INTEGER_FEATURES) :] for _, features in ROWS)
            )
        },
        "time": [0.0, 7 / 3, 14 / 3],
    }


def columns(table):
    return {name: table[name].tolist() for name in table.columns}


def test_train_txt_maps_every_value_by_hand(tmp_path):
    table = load_criteo(write(tmp_path, TAB_LINES))
    assert columns(table) == expected_columns()
    assert table["C1"].tolist() == ["68fd1e64", "05db9164", None]
    assert table["C26"].tolist() == ["9727dd16", None, "00000000"]
    assert list(table.columns) == list(COLUMNS)
    assert table.dtypes.to_dict() == {
        "label": np.int64,
        **dict.fromkeys(INTEGER_FEATURES, pd.Int64Dtype()),
        **dict.fromkeys(CATEGORICAL_FEATURES, object),
        "time": np.float64,
    }
    assert table.index.equals(pd.RangeIndex(3))


def test_the_comma_separated_layout_keeps_its_id_as_a_last_column(tmp_path):
    table = load_criteo(write(tmp_path, CSV_LINES, "train.csv"))
    assert columns(table) == {**expected_columns(), "id": IDS}
    assert list(table.columns) == [*COLUMNS, "id"]
    assert table["id"].dtype == np.int64


@pytest.mark.parametrize(("lines", "name"), [(TAB_LINES, "train.txt"), (CSV_LINES, "train.csv")])
def test_windows_line_ends_read_the_same(tmp_path, lines, name):
    expected = load_criteo(write(tmp_path, lines, name))
    crlf = write(tmp_path, lines, f"crlf_{name}", newline="\r\n")
    pd.testing.assert_frame_equal(load_criteo(crlf), expected)


@pytest.mark.parametrize(("lines", "name"), [(TAB_LINES, "train.txt"), (CSV_LINES, "train.csv")])
def test_the_line_by_line_reader_agrees_with_the_fast_one(tmp_path, monkeypatch, lines, name):
    path = write(tmp_path, lines, name)
    expected = load_criteo(path)
    monkeypatch.setattr(readers, "_read_fast", lambda path, layout: None)
    monkeypatch.setattr(readers, "LINES_PER_CHUNK", 2)
    pd.testing.assert_frame_equal(load_criteo(path), expected)


@pytest.mark.parametrize(("lines", "layout"), [(TAB_LINES, TRAIN_TXT), (CSV_LINES, CSV_WITH_ID)])
def test_the_layout_is_detected_from_the_first_line_not_the_name(tmp_path, lines, layout):
    assert detect_layout(write(tmp_path, lines, "train.txt")) is layout
    assert detect_layout(write(tmp_path, lines, "clicks.csv")) is layout


def test_time_spreads_the_rows_evenly_over_seven_days_in_file_order(tmp_path):
    rng = np.random.default_rng(3)
    lines = [TAB_LINES[index] for index in rng.integers(0, 3, 40)]
    table = load_criteo(write(tmp_path, lines))
    np.testing.assert_array_equal(table["time"], 7 * np.arange(40) / 40)
    assert table["time"].iloc[-1] == 7 * 39 / 40
    assert load_criteo(write(tmp_path, TAB_LINES[:1], "one.txt"))["time"].tolist() == [0.0]


@pytest.mark.parametrize("seed", [0, 1])
def test_round_trip_one_row_per_line_in_file_order(tmp_path, seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(50, 300))
    labels = rng.integers(0, 2, n)
    integers = rng.integers(-3, 10_000, (n, len(INTEGER_FEATURES)))
    integers_empty = rng.random(integers.shape) < 0.3
    codes = rng.integers(0, 2**32, (n, len(CATEGORICAL_FEATURES)))
    categories = np.array([[f"{code:08x}" for code in row] for row in codes], dtype=object)
    categories[rng.random(categories.shape) < 0.3] = ""
    lines = [
        "\t".join(
            [str(label)]
            + ["" if empty else str(value) for value, empty in zip(ints, empties)]
            + list(texts)
        )
        for label, ints, empties, texts in zip(labels, integers, integers_empty, categories)
    ]
    table = load_criteo(write(tmp_path, lines))
    assert len(table) == n
    np.testing.assert_array_equal(table["label"], labels)
    for column, name in enumerate(INTEGER_FEATURES):
        np.testing.assert_array_equal(table[name].isna(), integers_empty[:, column])
        present = ~integers_empty[:, column]
        np.testing.assert_array_equal(table[name][present], integers[present, column])
    for column, name in enumerate(CATEGORICAL_FEATURES):
        assert table[name].tolist() == [text or None for text in categories[:, column]]


def test_a_missing_file_says_where_it_goes_and_that_the_kit_does_not_download_it(tmp_path):
    path = tmp_path / "criteo" / "dac_sample.txt"
    with pytest.raises(DataFileError) as error:
        load_criteo(path)
    assert str(error.value) == (
        f"{path}: no such file; expected a Criteo click log (dac_sample.txt, or train.txt of the "
        "Kaggle Display Advertising Challenge). The kit does not ship it and never downloads it: "
        "download it yourself and put it under datasets/real/, e.g. "
        "datasets/real/criteo/dac_sample.txt; see datasets/criteo.md"
    )
    assert error.value.line is None


def test_an_empty_file_is_an_error(tmp_path):
    path = tmp_path / "dac_sample.txt"
    path.write_bytes(b"")
    with pytest.raises(DataFileError) as error:
        load_criteo(path)
    assert str(error.value).startswith(f"{path}: the file is empty; expected a Criteo click log")


def test_the_test_file_without_labels_is_refused_with_the_reason(tmp_path):
    path = write(tmp_path, [line.split("\t", 1)[1] for line in TAB_LINES], "test.txt")
    with pytest.raises(DataFileError) as error:
        load_criteo(path)
    assert str(error.value) == (
        f"{path}, line 1: 39 tab-separated fields, the layout of test.txt: it has no label, so "
        "the kit cannot score a model on it; use dac_sample.txt or train.txt, whose lines start "
        "with the label"
    )


def test_a_comma_separated_test_file_without_labels_is_refused(tmp_path):
    header = CSV_HEADER.replace("Label,", "")
    path = write(tmp_path, [header, "60000000," + ",".join(ROWS[0][1])], "test.csv")
    with pytest.raises(DataFileError) as error:
        load_criteo(path)
    assert str(error.value) == (
        f"{path}, line 1: the header of a test file (Id,I1,…,C26: no Label): it has no label, so "
        "the kit cannot score a model on it; use dac_sample.txt or train.txt, whose lines start "
        "with the label"
    )


@pytest.mark.parametrize("first_line", ["label,I1,I2", "0 1 1 5 0 1382", ""])
def test_an_unknown_first_line_is_an_error(tmp_path, first_line):
    path = write(tmp_path, [first_line, *TAB_LINES])
    with pytest.raises(DataFileError) as error:
        load_criteo(path)
    assert str(error.value) == (
        f"{path}, line 1: not a Criteo click log: expected 40 tab-separated fields (label, I1 … "
        "I13, C1 … C26, as in train.txt and dac_sample.txt) or the header 'Id,Label,I1,…,C26'; "
        f"found {first_line!r}"
    )


def test_a_last_line_cut_short_is_reported_even_when_its_values_still_parse(tmp_path):
    path = tmp_path / "dac_sample.txt"
    path.write_text("\n".join(TAB_LINES[:2]))  # "…\t\t": the cut line still has 40 fields
    with pytest.raises(DataFileError) as error:
        load_criteo(path)
    assert str(error.value) == (
        f"{path}, line 2: the file does not end with a newline: was the download cut short? "
        f"The last line reads {quoted(TAB_LINES[1])}"
    )


def tab_line(row, **changes):
    """Line ``row`` of TAB_LINES with some fields changed: ``label="2"``, ``C3="x"``."""
    names = ["label", *INTEGER_FEATURES, *CATEGORICAL_FEATURES]
    label, features = ROWS[row]
    values = dict(zip(names, [label, *features]))
    return "\t".join({**values, **changes}.values())


HEX = "8 lower-case hex digits (like 68fd1e64), or empty"
BAD_TAB_LINES = [  # (line number, its text, the problem; the message then quotes the line)
    (2, TAB_LINES[1].rsplit("\t", 1)[0], "expected 40 fields separated by tabs, found 39"),
    (3, TAB_LINES[2] + "\t", "expected 40 fields separated by tabs, found 41"),
    (1, TAB_LINES[0] + "\t00000000", "expected 40 fields separated by tabs, found 41"),
    (2, tab_line(1, label="2"), "field label = 2 is not allowed: 0 (no click) or 1 (click)"),
    (2, tab_line(1, label="-1"), "field label = -1 is not allowed: 0 (no click) or 1 (click)"),
    (3, tab_line(2, label=""), "field label = '' is not an integer"),
    (3, tab_line(2, label="yes"), "field label = 'yes' is not an integer"),
    (1, tab_line(0, I3="1.5"), "field I3 = '1.5' is not an integer"),
    (2, tab_line(1, I5="abc"), "field I5 = 'abc' is not an integer"),
    (3, tab_line(2, I2="NA"), "field I2 = 'NA' is not an integer"),
    (1, tab_line(0, C3="FB936136"), f"field C3 = FB936136 is not allowed: {HEX}"),
    (2, tab_line(1, C1="05db916"), f"field C1 = 05db916 is not allowed: {HEX}"),
    (2, tab_line(1, C26="05db91640"), f"field C26 = 05db91640 is not allowed: {HEX}"),
    (3, tab_line(2, C26="0000000g"), f"field C26 = 0000000g is not allowed: {HEX}"),
    (3, tab_line(2, C20="1382"), f"field C20 = 1382 is not allowed: {HEX}"),
]


@pytest.mark.parametrize(("number", "text", "problem"), BAD_TAB_LINES)
def test_a_bad_line_names_the_file_the_line_and_the_problem(tmp_path, number, text, problem):
    path = write(tmp_path, replace_line(TAB_LINES, number, text))
    with pytest.raises(DataFileError) as error:
        load_criteo(path)
    assert str(error.value) == f"{path}, line {number}: {problem}; the line reads {quoted(text)}"


def test_a_bad_line_of_the_comma_separated_layout_counts_the_header(tmp_path):
    text = CSV_LINES[3].replace(",00000000", ",0000000G")
    path = write(tmp_path, replace_line(CSV_LINES, 4, text), "train.csv")
    with pytest.raises(DataFileError) as error:
        load_criteo(path)
    problem = f"field C26 = 0000000G is not allowed: {HEX}"
    assert str(error.value) == f"{path}, line 4: {problem}; the line reads {quoted(text)}"
    with pytest.raises(DataFileError, match=r", line 2: field id = -1 is not allowed: an int"):
        load_criteo(write(tmp_path, replace_line(CSV_LINES, 2, "-1" + CSV_LINES[1][8:])))


def test_negative_integer_features_are_allowed(tmp_path):
    table = load_criteo(write(tmp_path, [tab_line(0, I2="-3", I7="-1"), *TAB_LINES[1:]]))
    assert (table["I2"].tolist()[0], table["I7"].tolist()[0]) == (-3, -1)


def test_describe_criteo_by_hand(tmp_path):
    summary = describe_criteo(load_criteo(write(tmp_path, TAB_LINES)))
    assert summary == {
        "rows": 3,
        "click_rate": 1 / 3,
        "missing_integer_share": (1 + 3 + 7) / 39,  # the dashes of INTEGERS_1, _2, _3
        "missing_categorical_share": (1 + 11 + 25) / 78,
    }


def test_describe_criteo_needs_rows_and_the_columns(tmp_path):
    table = load_criteo(write(tmp_path, TAB_LINES))
    with pytest.raises(ValueError, match=r"^table: no rows to describe$"):
        describe_criteo(table.iloc[:0])
    with pytest.raises(ValueError, match=r"^table: missing columns \['I4', 'C9'\]; expected a"):
        describe_criteo(table.drop(columns=["I4", "C9"]))
