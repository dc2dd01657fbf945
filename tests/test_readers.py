"""The shared reader of real data files: typed columns from small files typed here, every error
named by file and line, the fast and the line-by-line paths agreeing."""

import pickle
import re

import numpy as np
import pandas as pd
import pytest

from mlsd import readers
from mlsd.readers import DataFileError, Field, Layout, check_file, read_table

EVEN = Field(
    "count", int, low=0, high=100, allowed=lambda v: v % 2 == 0, description="an even count"
)
LAYOUT = Layout(
    "test events",
    "|",
    (Field("id", int, low=1), Field("score", float, low=0.0, high=1.0), Field("name", str), EVEN),
    header="id|score|name|count",
)
LINES = ["id|score|name|count", "7|0.25|ab|2", "3|1|c d|0", "12|0.5|\"q\"|100"]
NO_HEADER = Layout("pairs", "::", (Field("left", int), Field("right", float)))
PAIRS = ["1::2.5", "-4::0", "10::1e3"]


def write(tmp_path, lines, name="events.txt", newline="\n"):
    path = tmp_path / name
    path.write_bytes("".join(line + newline for line in lines).encode())
    return path


def replace_line(lines, number, text):
    """``lines`` with line ``number`` (1-based) replaced by ``text``."""
    return [text if index == number else line for index, line in enumerate(lines, start=1)]


def slow_path(monkeypatch, lines_per_chunk=2):
    """Make every read go line by line, ``lines_per_chunk`` lines at a time."""
    monkeypatch.setattr(readers, "_read_fast", lambda path, layout: None)
    monkeypatch.setattr(readers, "LINES_PER_CHUNK", lines_per_chunk)


def test_a_file_is_read_into_one_typed_column_per_field(tmp_path):
    table = read_table(write(tmp_path, LINES), LAYOUT)
    assert {name: table[name].tolist() for name in table.columns} == {
        "id": [7, 3, 12],
        "score": [0.25, 1.0, 0.5],
        "name": ["ab", "c d", '"q"'],
        "count": [2, 0, 100],
    }
    dtypes = {"id": np.int64, "score": np.float64, "name": object, "count": np.int64}
    assert table.dtypes.to_dict() == dtypes
    assert table.index.equals(pd.RangeIndex(3))


def test_a_repeated_separator_and_no_header(tmp_path):
    table = read_table(write(tmp_path, PAIRS), NO_HEADER)
    assert table.to_dict("list") == {"left": [1, -4, 10], "right": [2.5, 0.0, 1000.0]}


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize(("lines", "layout"), [(LINES, LAYOUT), (PAIRS, NO_HEADER)])
def test_the_line_by_line_path_reads_what_the_fast_one_reads(
    tmp_path, monkeypatch, lines, layout, newline
):
    path = write(tmp_path, lines, newline=newline)
    expected = read_table(write(tmp_path, lines, "unix.txt"), layout)
    pd.testing.assert_frame_equal(read_table(path, layout), expected)
    slow_path(monkeypatch)
    pd.testing.assert_frame_equal(read_table(path, layout), expected)


def test_a_whole_number_written_as_a_float_is_an_integer_on_both_paths(tmp_path, monkeypatch):
    path = write(tmp_path, ["id|score|name|count", "7.0|0.25|ab|2", "3|1|c|4e1"])
    expected = {"id": [7, 3], "score": [0.25, 1.0], "name": ["ab", "c"], "count": [2, 40]}
    assert read_table(path, LAYOUT).to_dict("list") == expected
    slow_path(monkeypatch)
    assert read_table(path, LAYOUT).to_dict("list") == expected


def test_a_byte_order_mark_before_the_header_is_ignored(tmp_path):
    marked = tmp_path / "marked.txt"
    marked.write_bytes(b"\xef\xbb\xbf" + "".join(line + "\n" for line in LINES).encode())
    expected = read_table(write(tmp_path, LINES), LAYOUT)
    pd.testing.assert_frame_equal(read_table(marked, LAYOUT), expected)


def test_undecodable_bytes_are_read_as_the_replacement_character(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes(b"id|score|name|count\n7|0.25|caf\xe9|2\n")
    assert read_table(path, LAYOUT)["name"].tolist() == ["caf\ufffd"]


BAD_LINES = [  # (line number, its text, the problem; the message then quotes the line)
    (3, "3|1|c d", "expected 4 fields separated by '|', found 3"),
    (2, "7|0.25|ab|2|9", "expected 4 fields separated by '|', found 5"),
    (4, "12|0.5|q|100|", "expected 4 fields separated by '|', found 5"),
    (2, "x|0.25|ab|2", "field id = 'x' is not an integer"),
    (3, "3.5|1|c d|0", "field id = '3.5' is not an integer"),
    (3, "99999999999999999999|1|c|0", "field id = '99999999999999999999' is not an integer"),
    (2, "7|nan|ab|2", "field score = 'nan' is not a finite number"),
    (2, "7|inf|ab|2", "field score = 'inf' is not a finite number"),
    (2, "7||ab|2", "field score = '' is not a finite number"),
    (4, "12|0.5||100", "field name is empty"),
    (2, "0|0.25|ab|2", "field id = 0 is not allowed: an integer >= 1"),
    (3, "3|1.5|c d|0", "field score = 1.5 is not allowed: a finite number in [0, 1]"),
    (3, "3|-0.1|c d|0", "field score = -0.1 is not allowed: a finite number in [0, 1]"),
    (4, "12|0.5|q|102", "field count = 102 is not allowed: an even count"),
    (4, "12|0.5|q|7", "field count = 7 is not allowed: an even count"),
]
EMPTY_LINES = [(2, "", "the line is empty"), (3, "  ", "the line is empty")]


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "line-by-line"])
@pytest.mark.parametrize(("number", "text", "problem"), BAD_LINES + EMPTY_LINES)
def test_a_bad_line_names_the_file_the_line_and_the_problem(
    tmp_path, monkeypatch, fast, number, text, problem
):
    if not fast:
        slow_path(monkeypatch)
    path = write(tmp_path, replace_line(LINES, number, text))
    with pytest.raises(DataFileError) as error:
        read_table(path, LAYOUT)
    if text.strip():
        problem = f"{problem}; the line reads {text!r}"
    assert str(error.value) == f"{path}, line {number}: {problem}"
    assert (error.value.path, error.value.line, error.value.problem) == (str(path), number, problem)
    assert isinstance(error.value, ValueError)


@pytest.mark.parametrize("lines_per_chunk", [1, 2, 1_000])
def test_the_first_bad_line_is_reported_whatever_makes_the_parser_give_up(
    tmp_path, monkeypatch, lines_per_chunk
):
    monkeypatch.setattr(readers, "LINES_PER_CHUNK", lines_per_chunk)
    lines = replace_line(LINES, 2, "7|0.25|ab|3")  # odd count: parsed, then flagged by the check
    lines = replace_line(lines, 4, "12|half|q|2")  # text for a number: the fast parser gives up
    with pytest.raises(DataFileError, match=", line 2: field count = 3 is not allowed: an even"):
        read_table(write(tmp_path, lines), LAYOUT)


def test_line_numbers_count_the_header_and_across_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "LINES_PER_CHUNK", 2)
    lines = [LAYOUT.header] + [f"{i}|0.5|n{i}|{2 * i}" for i in range(1, 9)] + ["9|0.5|n9|odd"]
    with pytest.raises(DataFileError) as error:
        read_table(write(tmp_path, lines), LAYOUT)
    assert error.value.line == 10
    assert error.value.problem == (
        "field count = 'odd' is not an integer; the line reads '9|0.5|n9|odd'"
    )


def test_the_line_by_line_parse_takes_over_from_the_first_flagged_row(tmp_path, monkeypatch):
    path = write(tmp_path, PAIRS)
    expected = read_table(path, NO_HEADER)
    monkeypatch.setattr(readers, "_first_suspect_row", lambda table, layout, cut_short: 1)
    pd.testing.assert_frame_equal(read_table(path, NO_HEADER), expected)


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "line-by-line"])
def test_a_last_line_without_a_newline_is_reported_as_cut_short(tmp_path, monkeypatch, fast):
    if not fast:
        slow_path(monkeypatch)
    path = tmp_path / "cut.txt"
    path.write_text("\n".join(LINES))  # the last value still parses and is allowed
    with pytest.raises(DataFileError) as error:
        read_table(path, LAYOUT)
    assert str(error.value) == (
        f"{path}, line 4: the file does not end with a newline: was the download cut short? "
        "The last line reads '12|0.5|\"q\"|100'"
    )


def test_a_cut_short_line_is_reported_before_what_is_wrong_with_its_values(tmp_path):
    path = tmp_path / "cut.txt"
    path.write_text("\n".join([*LINES, "5|0.7|e|1"]))  # an odd count, but the line was cut
    cut_short = r", line 5: the file does not end with a newline: .*'5\|0\.7\|e\|1'$"
    with pytest.raises(DataFileError, match=cut_short):
        read_table(path, LAYOUT)


def test_a_bad_line_before_a_cut_short_last_line_is_reported_first(tmp_path):
    path = tmp_path / "cut.txt"
    path.write_text("\n".join(replace_line(LINES, 2, "7|0.25|ab|5")))
    with pytest.raises(DataFileError, match=", line 2: field count = 5 is not allowed"):
        read_table(path, LAYOUT)


def test_a_header_cut_short_is_reported(tmp_path):
    path = tmp_path / "header.txt"
    path.write_text(LAYOUT.header)
    with pytest.raises(DataFileError, match=", line 1: the file does not end with a newline"):
        read_table(path, LAYOUT)


def test_a_blank_last_line_is_reported(tmp_path):
    path = write(tmp_path, [*LINES, ""])
    with pytest.raises(DataFileError, match=f"^{re.escape(str(path))}, line 5: the line is empty$"):
        read_table(path, LAYOUT)


def test_a_wrong_header_is_reported_with_what_was_expected(tmp_path):
    path = write(tmp_path, ["id|score|label|count", *LINES[1:]])
    with pytest.raises(DataFileError) as error:
        read_table(path, LAYOUT)
    expected = "expected the header 'id|score|name|count'; found 'id|score|label|count'"
    assert str(error.value) == f"{path}, line 1: {expected}"


def test_a_header_without_lines_is_an_error(tmp_path):
    path = write(tmp_path, LINES[:1])
    with pytest.raises(DataFileError) as error:
        read_table(path, LAYOUT)
    expected = "the file ends after its header; expected test events"
    assert str(error.value) == f"{path}, line 2: {expected}"


def test_an_empty_file_is_an_error(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(DataFileError) as error:
        read_table(path, NO_HEADER)
    assert str(error.value) == f"{path}: the file is empty; expected pairs"
    assert error.value.line is None


@pytest.mark.parametrize("name", ["missing.txt", "."])
def test_a_missing_file_names_the_path_and_what_was_expected(tmp_path, name):
    path = tmp_path / name
    with pytest.raises(DataFileError) as error:
        read_table(path, NO_HEADER)
    assert str(error.value) == f"{path}: no such file; expected pairs"
    assert (error.value.path, error.value.line) == (str(path), None)


def test_check_file_returns_the_path_of_a_file_that_is_not_empty(tmp_path):
    path = write(tmp_path, PAIRS)
    assert check_file(str(path), "pairs") == path


def test_a_file_that_cannot_be_read_is_one_error(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(readers.pd, "read_csv", refuse)
    path = write(tmp_path, PAIRS)
    with pytest.raises(DataFileError) as error:
        read_table(path, NO_HEADER)
    assert str(error.value) == f"{path}: cannot read it (Permission denied)"


def test_a_long_line_is_shortened_in_the_message(tmp_path):
    long_name = "n" * 200
    path = write(tmp_path, replace_line(LINES, 3, f"3|2|{long_name}|0"))
    with pytest.raises(DataFileError) as error:
        read_table(path, LAYOUT)
    quoted = error.value.problem.split("the line reads ", 1)[1]
    assert quoted == repr(f"3|2|{long_name}"[:79] + "…")


def test_a_data_file_error_shows_as_one_line_in_a_notebook_and_survives_pickling():
    error = DataFileError("u.data", 5, "the line is empty")
    assert error._render_traceback_() == ["DataFileError: u.data, line 5: the line is empty"]
    copy = pickle.loads(pickle.dumps(error))
    assert (str(copy), copy.path, copy.line) == (str(error), "u.data", 5)
    assert copy.problem == "the line is empty"
    assert str(DataFileError("u.data", None, "the file is empty")) == "u.data: the file is empty"


def test_what_a_field_allows_is_described_from_its_type_and_bounds():
    assert Field("a", int).what_is_allowed == "an integer"
    assert Field("a", int, low=0).what_is_allowed == "an integer >= 0"
    assert Field("a", float, high=2.5).what_is_allowed == "a finite number <= 2.5"
    assert Field("a", float, low=0, high=1).what_is_allowed == "a finite number in [0, 1]"
    assert Field("a", str).what_is_allowed == "non-empty text"
    assert EVEN.what_is_allowed == "an even count"


def test_a_layout_lists_its_fields_and_names_its_separator():
    assert LAYOUT.field_names == ["id", "score", "name", "count"]
    assert (LAYOUT.header_lines, NO_HEADER.header_lines) == (1, 0)
    assert (LAYOUT.separator_name, NO_HEADER.separator_name) == ("'|'", "'::'")
    assert Layout("t", "\t", [Field("a", int)]).separator_name == "tabs"
    assert Layout("t", "\t", [Field("a", int)]).fields == (Field("a", int),)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Layout("t", ":;", (Field("a", int),)), "layout t: separator must be one char"),
        (lambda: Layout("t", "", (Field("a", int),)), "layout t: separator must be one character"),
        (lambda: Layout("t", "\n", (Field("a", int),)), "layout t: separator must be one char"),
        (lambda: Layout("t", ",", ()), "layout t: fields must be a non-empty sequence of Field"),
        (lambda: Layout("t", ",", ("a",)), "layout t: fields must be a non-empty sequence of"),
        (
            lambda: Layout("t", ",", (Field("a", int), Field("a", str))),
            r"layout t: field names must be distinct; got \['a', 'a'\]",
        ),
        (lambda: Field("a", bool), "field a: type must be one of"),
        (lambda: Field("a", str, low=0), "field a: bounds need a numeric type"),
        (lambda: Field("a", int, allowed=lambda v: v > 0), "field a: a predicate needs a descr"),
    ],
)
def test_a_malformed_layout_is_refused_when_declared(build, message):
    with pytest.raises(ValueError, match=f"^{message}"):
        build()


OPTIONAL = Layout(
    "test records",
    "|",
    (
        Field("id", int, low=1),
        Field("count", int, low=0, optional=True),
        Field("score", float, high=1.0, optional=True),
        Field("tag", str, optional=True, allowed=lambda v: v != "bad", description="not 'bad'"),
    ),
)
OPTIONAL_LINES = ["1|3|0.5|a", "2|||", "3|-0||", "4||0.25|b c", "5|7||"]


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("fast", [True, False], ids=["fast", "line-by-line"])
def test_an_empty_optional_value_is_read_as_missing(tmp_path, monkeypatch, fast, newline):
    if not fast:
        slow_path(monkeypatch)
    table = read_table(write(tmp_path, OPTIONAL_LINES, newline=newline), OPTIONAL)
    assert table.dtypes.to_dict() == {
        "id": np.int64,
        "count": pd.Int64Dtype(),
        "score": np.float64,
        "tag": object,
    }
    assert table["id"].tolist() == [1, 2, 3, 4, 5]
    assert table["count"].tolist() == [3, pd.NA, 0, pd.NA, 7]
    np.testing.assert_array_equal(table["score"], [0.5, np.nan, np.nan, 0.25, np.nan])
    assert table["tag"].tolist() == ["a", None, None, "b c", None]
    assert table.index.equals(pd.RangeIndex(5))


def test_both_paths_read_optional_values_alike(tmp_path, monkeypatch):
    path = write(tmp_path, OPTIONAL_LINES)
    expected = read_table(path, OPTIONAL)
    slow_path(monkeypatch)
    pd.testing.assert_frame_equal(read_table(path, OPTIONAL), expected)


def test_only_the_empty_text_is_missing_a_space_is_a_value(tmp_path, monkeypatch):
    path = write(tmp_path, ["1|3|0.5| ", "2|4|0.5|"])
    assert read_table(path, OPTIONAL)["tag"].tolist() == [" ", None]
    slow_path(monkeypatch)
    assert read_table(path, OPTIONAL)["tag"].tolist() == [" ", None]


BAD_OPTIONAL_LINES = [  # (line number, its text, the problem; the message then quotes the line)
    (2, "2||", "expected 4 fields separated by '|', found 3"),
    (1, "1|3|0.5", "expected 4 fields separated by '|', found 3"),
    (5, "5", "expected 4 fields separated by '|', found 1"),
    (5, "5|7|||", "expected 4 fields separated by '|', found 5"),
    (1, "1|3|0.5|a|", "expected 4 fields separated by '|', found 5"),
    (3, "", "the line is empty"),
    (3, "|||", "field id = '' is not an integer"),
    (2, "2|NA||", "field count = 'NA' is not an integer"),
    (2, "2|1.5||", "field count = '1.5' is not an integer"),
    (2, "2| ||", "field count = ' ' is not an integer"),
    (4, "4||nan|b", "field score = 'nan' is not a finite number"),
    (4, "4||inf|b", "field score = 'inf' is not a finite number"),
    (2, "2|-1||", "field count = -1 is not allowed: an integer >= 0, or empty"),
    (4, "4||1.5|b", "field score = 1.5 is not allowed: a finite number <= 1, or empty"),
    (4, "4|||bad", "field tag = bad is not allowed: not 'bad', or empty"),
]


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "line-by-line"])
@pytest.mark.parametrize(("number", "text", "problem"), BAD_OPTIONAL_LINES)
def test_a_bad_line_of_optional_fields_is_reported_on_both_paths(
    tmp_path, monkeypatch, fast, number, text, problem
):
    if not fast:
        slow_path(monkeypatch)
    path = write(tmp_path, replace_line(OPTIONAL_LINES, number, text))
    with pytest.raises(DataFileError) as error:
        read_table(path, OPTIONAL)
    if text:
        problem = f"{problem}; the line reads {text!r}"
    assert str(error.value) == f"{path}, line {number}: {problem}"


def test_a_short_line_is_caught_by_counting_the_separators(tmp_path, monkeypatch):
    path = write(tmp_path, replace_line(OPTIONAL_LINES, 4, "4||0.25"))  # the parser pads it
    assert readers._separator_count(path, OPTIONAL) == 5 * 3 - 1
    assert readers._separator_count(write(tmp_path, OPTIONAL_LINES, "ok.txt"), OPTIONAL) == 5 * 3
    assert readers._read_fast(path, OPTIONAL) is None
    monkeypatch.setattr(readers, "_separator_count", lambda path, layout: 5 * 3)
    assert readers._read_fast(path, OPTIONAL)["tag"].tolist() == ["a", None, None, None, None]


def test_the_separators_of_the_header_are_not_counted(tmp_path, monkeypatch):
    layout = Layout("records", "|", OPTIONAL.fields, header="id|count|score|tag")
    for newline in ("\n", "\r\n", "\r"):
        path = write(tmp_path, [layout.header, *OPTIONAL_LINES], newline=newline)
        assert readers._separator_count(path, layout) == 5 * 3
        expected = read_table(write(tmp_path, OPTIONAL_LINES, "bare.txt"), OPTIONAL)
        pd.testing.assert_frame_equal(read_table(path, layout), expected)


def test_an_optional_field_is_described_and_typed():
    assert Field("a", int, optional=True).what_is_allowed == "an integer, or empty"
    at_least_zero = Field("a", float, low=0, optional=True)
    assert at_least_zero.what_is_allowed == "a finite number >= 0, or empty"
    assert Field("a", str, optional=True).what_is_allowed == "text, or empty"
    assert OPTIONAL.fields[3].what_is_allowed == "not 'bad', or empty"
    assert [field.dtype for field in OPTIONAL.fields] == [np.int64, "Int64", np.float64, object]
    assert [Field("a", kind).dtype for kind in (int, float, str)] == [np.int64, np.float64, object]
    assert Field("a", int).optional is False


def test_the_line_by_line_parse_takes_over_optional_columns_from_a_flagged_row(
    tmp_path, monkeypatch
):
    path = write(tmp_path, OPTIONAL_LINES)
    expected = read_table(path, OPTIONAL)
    monkeypatch.setattr(readers, "_first_suspect_row", lambda table, layout, cut_short: 2)
    pd.testing.assert_frame_equal(read_table(path, OPTIONAL), expected)
