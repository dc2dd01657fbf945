"""The MovieLens loader on small files typed here: every mapped value, every malformed line, no network."""

import re

import numpy as np
import pandas as pd
import pytest

from mlsd import readers
from mlsd.cases.video_recs.movielens import (
    RATINGS_CSV,
    RATINGS_DAT,
    U_DATA,
    describe_interactions,
    detect_layout,
    load_movielens,
)
from mlsd.cases.video_recs.schema import COLUMNS, check_table
from mlsd.readers import DataFileError

T0 = 881_250_949  # the earliest timestamp of U_DATA_LINES
U_DATA_LINES = [
    f"196\t242\t3\t{T0 + 86_400}",
    f"186\t302\t5\t{T0}",
    f"196\t51\t4\t{T0 + 43_200}",
    f"22\t242\t1\t{T0 + 86_400}",  # same second as line 1: keeps its place after it
    f"186\t51\t2\t{T0 + 3 * 86_400}",
]
CSV_LINES = [
    "userId,movieId,rating,timestamp",
    "15,1029,0.5,1000086400",
    "3,31,4.5,1000000000",
    "15,31,5.0,1000086400",
    "3,2571,3.5,1000021600",
]
DAT_LINES = [
    "1::1193::5::978300760",
    "2::661::3::978302109",
    "1::914::3::978300760",
]


def write(tmp_path, lines, name="u.data", newline="\n"):
    path = tmp_path / name
    path.write_bytes("".join(line + newline for line in lines).encode())
    return path


def columns(interactions):
    return {name: interactions[name].tolist() for name in interactions.columns}


def test_u_data_maps_every_value_by_hand(tmp_path):
    interactions = load_movielens(write(tmp_path, U_DATA_LINES))
    # file lines in time order: 2, 3, 1, 4 (tie with 1, after it), 5; users 22, 186, 196 -> 0, 1, 2; movies 51, 242, 302 -> 0, 1, 2
    assert columns(interactions) == {
        "user_id": [1, 2, 2, 0, 1],
        "video_id": [2, 0, 1, 1, 0],
        "time": [0.0, 0.5, 1.0, 1.0, 3.0],
        "engagement": [1.0, 0.8, 0.6, 0.2, 0.4],
        "rating": [5.0, 4.0, 3.0, 1.0, 2.0],
        "original_user_id": [186, 196, 196, 22, 186],
        "original_video_id": [302, 51, 242, 242, 51],
        "timestamp": [T0, T0 + 43_200, T0 + 86_400, T0 + 86_400, T0 + 3 * 86_400],
        "file_row": [1, 2, 0, 3, 4],
    }
    assert list(interactions.columns[: len(COLUMNS)]) == list(COLUMNS)
    assert interactions.dtypes.to_dict() == {
        "user_id": np.int64,
        "video_id": np.int64,
        "time": np.float64,
        "engagement": np.float64,
        "rating": np.float64,
        "original_user_id": np.int64,
        "original_video_id": np.int64,
        "timestamp": np.int64,
        "file_row": np.int64,
    }
    assert interactions.index.equals(pd.RangeIndex(5))
    check_table(interactions)


def test_ratings_csv_maps_half_stars_by_hand(tmp_path):
    interactions = load_movielens(write(tmp_path, CSV_LINES, "ratings.csv"))
    # data lines 3, 5, 2, 4 in time order (2 and 4 tie, 2 first); users 3, 15 -> 0, 1; movies 31, 1029, 2571 -> 0, 1, 2
    assert columns(interactions) == {
        "user_id": [0, 0, 1, 1],
        "video_id": [0, 2, 1, 0],
        "time": [0.0, 0.25, 1.0, 1.0],
        "engagement": [0.9, 0.7, 0.1, 1.0],
        "rating": [4.5, 3.5, 0.5, 5.0],
        "original_user_id": [3, 3, 15, 15],
        "original_video_id": [31, 2571, 1029, 31],
        "timestamp": [1_000_000_000, 1_000_021_600, 1_000_086_400, 1_000_086_400],
        "file_row": [1, 3, 0, 2],  # data lines, the header not counted
    }
    check_table(interactions)


def test_ratings_dat_maps_every_value_by_hand(tmp_path):
    interactions = load_movielens(write(tmp_path, DAT_LINES, "ratings.dat"))
    # lines 1 and 3 tie (1 first), then 2; users 1, 2 -> 0, 1; movies 661, 914, 1193 -> 0, 1, 2
    assert columns(interactions) == {
        "user_id": [0, 0, 1],
        "video_id": [2, 1, 0],
        "time": [0.0, 0.0, 1_349 / 86_400],
        "engagement": [1.0, 0.6, 0.6],
        "rating": [5.0, 3.0, 3.0],
        "original_user_id": [1, 1, 2],
        "original_video_id": [1193, 914, 661],
        "timestamp": [978_300_760, 978_300_760, 978_302_109],
        "file_row": [0, 2, 1],
    }
    check_table(interactions)


@pytest.mark.parametrize(
    ("lines", "name", "layout"),
    [(U_DATA_LINES, "u.data", U_DATA), (CSV_LINES, "ratings.csv", RATINGS_CSV), (DAT_LINES, "ratings.dat", RATINGS_DAT)],
)
def test_layout_is_detected_from_the_first_line_not_the_name(tmp_path, lines, name, layout):
    assert detect_layout(write(tmp_path, lines, name)) == layout
    assert detect_layout(write(tmp_path, lines, "ratings.txt")) == layout


def test_windows_line_endings_read_the_same(tmp_path):
    expected = load_movielens(write(tmp_path, U_DATA_LINES))
    pd.testing.assert_frame_equal(load_movielens(write(tmp_path, U_DATA_LINES, "crlf.data", newline="\r\n")), expected)


def test_a_missing_final_newline_is_reported_as_cut_short(tmp_path):
    unterminated = tmp_path / "unterminated.data"
    unterminated.write_text("\n".join(U_DATA_LINES))
    cut_short = re.escape("line 5: the file does not end with a newline: was the download cut")
    with pytest.raises(DataFileError, match=f"^{re.escape(str(unterminated))}, {cut_short}"):
        load_movielens(unterminated)


def test_a_download_cut_inside_the_last_timestamp_is_an_error_not_a_longer_span(tmp_path):
    # a timestamp cut to six digits: without a check the span would become about 10,200 days
    lines = [*U_DATA_LINES, "12\t203\t3\t879959"]
    cut = tmp_path / "cut.data"
    cut.write_text("\n".join(lines))
    cut_short = r", line 6: the file does not end with a newline: .*'12\\t203\\t3\\t879959'$"
    with pytest.raises(DataFileError, match=cut_short):
        load_movielens(cut)
    with pytest.raises(DataFileError) as error:  # the same line, ended: the range catches it
        load_movielens(write(tmp_path, lines, "cut_then_terminated.data"))
    assert error.value.line == 6
    assert error.value.problem.startswith(
        "field timestamp = 879959 is not allowed: a Unix time between 1995-01-01 and the present"
    )


def test_a_timestamp_in_the_future_is_an_error(tmp_path):
    path = write(tmp_path, replace_line(U_DATA_LINES, 2, "186\t302\t5\t99999999999"))
    with pytest.raises(DataFileError, match=", line 2: field timestamp = 99999999999 is not allow"):
        load_movielens(path)


def test_a_byte_order_mark_before_the_header_is_ignored(tmp_path):
    expected = load_movielens(write(tmp_path, CSV_LINES, "ratings.csv"))
    marked = tmp_path / "marked.csv"
    marked.write_bytes(b"\xef\xbb\xbf" + "".join(line + "\n" for line in CSV_LINES).encode())
    pd.testing.assert_frame_equal(load_movielens(marked), expected)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("layout", [U_DATA, RATINGS_CSV, RATINGS_DAT])
def test_round_trip_one_event_per_line(tmp_path, seed, layout):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 400))
    users = rng.integers(1, 50, n)
    movies = rng.integers(1, 80, n)
    ratings = rng.integers(1, 6, n) * 1.0 if layout is U_DATA else rng.integers(1, 11, n) / 2
    timestamps = rng.integers(T0, T0 + 30 * 86_400, n)  # unsorted, with ties
    header = ["userId,movieId,rating,timestamp"] if layout is RATINGS_CSV else []
    lines = header + [
        layout.separator.join([str(u), str(m), f"{r:g}", str(t)]) for u, m, r, t in zip(users, movies, ratings, timestamps)
    ]
    interactions = load_movielens(write(tmp_path, lines, "ratings.txt"))

    assert len(interactions) == len(lines) - layout.header_lines
    check_table(interactions)
    order = np.argsort(timestamps, kind="stable")
    np.testing.assert_array_equal(interactions["original_user_id"], users[order])
    np.testing.assert_array_equal(interactions["original_video_id"], movies[order])
    np.testing.assert_array_equal(interactions["rating"], ratings[order])
    np.testing.assert_array_equal(interactions["time"], (timestamps[order] - timestamps.min()) / 86_400)
    np.testing.assert_array_equal(interactions["user_id"], np.searchsorted(np.unique(users), users[order]))
    np.testing.assert_array_equal(interactions["video_id"], np.searchsorted(np.unique(movies), movies[order]))


@pytest.mark.parametrize(("lines", "name"), [(U_DATA_LINES, "u.data"), (CSV_LINES, "ratings.csv"), (DAT_LINES, "ratings.dat")])
def test_the_line_by_line_reader_agrees_with_the_fast_one(tmp_path, monkeypatch, lines, name):
    path = write(tmp_path, lines, name)
    expected = load_movielens(path)
    monkeypatch.setattr(readers, "_read_fast", lambda path, layout: None)
    monkeypatch.setattr(readers, "LINES_PER_CHUNK", 2)
    pd.testing.assert_frame_equal(load_movielens(path), expected)


def test_missing_file_says_where_to_put_it(tmp_path):
    path = tmp_path / "ml-100k" / "u.data"
    with pytest.raises(ValueError, match="no such file") as error:
        load_movielens(path)
    message = str(error.value)
    assert str(path) in message
    assert "datasets/real/ml-100k/u.data" in message and "datasets/movielens.md" in message
    assert "https://grouplens.org/datasets/movielens/" in message


def test_a_folder_is_not_a_ratings_file(tmp_path):
    with pytest.raises(ValueError, match="no such file"):
        load_movielens(tmp_path)


def test_empty_file(tmp_path):
    path = tmp_path / "u.data"
    path.write_text("")
    with pytest.raises(ValueError, match=f"^{re.escape(str(path))}: the file is empty"):
        load_movielens(path)


def test_header_without_ratings(tmp_path):
    path = write(tmp_path, CSV_LINES[:1], "ratings.csv")
    with pytest.raises(ValueError, match=f"^{re.escape(str(path))}, line 2: the file ends after its header"):
        load_movielens(path)


@pytest.mark.parametrize("first_line", ["user,item,rating,timestamp", "196 242 3 881250949", ""])
def test_unrecognised_first_line(tmp_path, first_line):
    path = write(tmp_path, [first_line, *U_DATA_LINES])
    with pytest.raises(ValueError, match=f"^{re.escape(str(path))}, line 1: not a MovieLens ratings file.*found {first_line!r}$"):
        load_movielens(path)


def replace_line(lines, number, text):
    """``lines`` with line ``number`` (1-based, as the file counts) replaced by ``text``."""
    return [text if index == number else line for index, line in enumerate(lines, start=1)]


BAD_U_DATA = [
    (3, "196\t51\t4", r"expected 4 fields separated by tabs, found 3; the line reads '196\\t51"),
    (4, f"22\t242\t1\t{T0}\t9", r"expected 4 fields separated by tabs, found 5"),
    (1, f"196\t242\t3\t{T0}\t9", r"expected 4 fields separated by tabs, found 5"),
    (2, "", "the line is empty$"),
    (5, "   ", "the line is empty$"),
    (2, f"abc\t302\t5\t{T0}", "field user = 'abc' is not an integer"),
    (3, f"196\tNA\t4\t{T0}", "field movie = 'NA' is not an integer"),
    (3, f"196\t\t4\t{T0}", "field movie = '' is not an integer"),
    (4, f"22\t-242\t1\t{T0}", "field movie = -242 is not allowed: an integer >= 0;"),
    (2, f"-186\t302\t5\t{T0}", "field user = -186 is not allowed: an integer >= 0;"),
    (2, f"186.5\t302\t5\t{T0}", r"field user = '186\.5' is not an integer"),
    (5, f"186\t51\t6\t{T0}", "field rating = 6 is not allowed: one of 1, 2, 3, 4, 5;"),
    (5, f"186\t51\t0\t{T0}", "field rating = 0 is not allowed: one of 1, 2, 3, 4, 5;"),
    (5, f"186\t51\t3.5\t{T0}", r"field rating = 3\.5 is not allowed: one of 1, 2, 3, 4, 5;"),
    (1, f"196\t242\tinf\t{T0}", "field rating = 'inf' is not a finite number"),
    (3, "196\t51\t4\t881250949.5", r"field timestamp = '881250949\.5' is not an integer"),
    (3, "196\t51\t4\tyesterday", "field timestamp = 'yesterday' is not an integer"),
]


@pytest.mark.parametrize(("number", "text", "problem"), BAD_U_DATA)
def test_bad_u_data_line_names_file_line_and_problem(tmp_path, number, text, problem):
    path = write(tmp_path, replace_line(U_DATA_LINES, number, text))
    where = f"^{re.escape(str(path))}, line {number}: "
    with pytest.raises(DataFileError, match=where + problem) as error:
        load_movielens(path)
    assert "\n" not in str(error.value)
    assert (error.value.path, error.value.line) == (str(path), number)
    assert str(error.value) == f"{path}, line {number}: {error.value.problem}"


BAD_CSV = [
    (2, "15,1029,0,1000086400", r"field rating = 0 is not allowed: one of 0\.5, 1, 1\.5, …, 5"),
    (3, "3,31,5.5,1000000000", r"field rating = 5\.5 is not allowed: one of 0\.5, 1, 1\.5, …, 5"),
    (4, "15,31,4.25,1000086400", r"field rating = 4\.25 is not allowed: one of"),
    (5, "3\t2571\t3.5\t1000021600", r"expected 4 fields separated by ',', found 1"),
    (5, "3,2571,3.5,1000021600,", r"expected 4 fields separated by ',', found 5"),
    (4, "15,x31,5.0,1000086400", r"field movie = 'x31' is not an integer"),
]


@pytest.mark.parametrize(("number", "text", "problem"), BAD_CSV)
def test_bad_ratings_csv_line_counts_the_header(tmp_path, number, text, problem):
    path = write(tmp_path, replace_line(CSV_LINES, number, text), "ratings.csv")
    with pytest.raises(ValueError, match=f"^{re.escape(str(path))}, line {number}: {problem}"):
        load_movielens(path)


BAD_DAT = [  # (line number, its text, the problem; the message then quotes the line)
    (2, "2::661::3", "expected 4 fields separated by '::', found 3"),
    (3, "1:914::3::978300760", "expected 4 fields separated by '::', found 3"),
    (3, "1::914::3::978300760::", "expected 4 fields separated by '::', found 5"),
    (2, "2::661::7::978302109", "field rating = 7 is not allowed: one of 0.5, 1, 1.5, …, 5"),
    (1, "1::-1193::5::978300760", "field movie = -1193 is not allowed: an integer >= 0"),
]


@pytest.mark.parametrize(("number", "text", "problem"), BAD_DAT)
def test_bad_ratings_dat_line(tmp_path, number, text, problem):
    path = write(tmp_path, replace_line(DAT_LINES, number, text), "ratings.dat")
    with pytest.raises(ValueError) as error:
        load_movielens(path)
    assert str(error.value) == f"{path}, line {number}: {problem}; the line reads {text!r}"


def test_a_trailing_blank_line_is_reported(tmp_path):
    path = write(tmp_path, [*U_DATA_LINES, ""])
    with pytest.raises(ValueError, match=f"^{re.escape(str(path))}, line 6: the line is empty$"):
        load_movielens(path)


@pytest.mark.parametrize("lines_per_chunk", [1, 2, 1_000_000])
def test_the_first_bad_line_is_reported_whatever_makes_the_parser_give_up(tmp_path, monkeypatch, lines_per_chunk):
    monkeypatch.setattr(readers, "LINES_PER_CHUNK", lines_per_chunk)
    lines = replace_line(U_DATA_LINES, 3, f"196\t51\t9\t{T0}")  # a bad rating the fast parser reads
    lines = replace_line(lines, 5, f"186\tfifty-one\t2\t{T0}")  # text that makes it give up
    path = write(tmp_path, lines)
    where = f"^{re.escape(str(path))}, line 3: "
    with pytest.raises(ValueError, match=where + "field rating = 9 is not allowed: one of"):
        load_movielens(path)


def test_line_numbers_count_across_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "LINES_PER_CHUNK", 2)
    path = write(tmp_path, replace_line(CSV_LINES, 5, "3,2571,3.5,10000216xx"), "ratings.csv")
    where = f"^{re.escape(str(path))}, line 5: "
    with pytest.raises(ValueError, match=where + "field timestamp = '10000216xx' is not an int"):
        load_movielens(path)


def test_describe_interactions_by_hand(tmp_path):
    summary = describe_interactions(load_movielens(write(tmp_path, U_DATA_LINES)))
    assert summary == {
        "n_users": 3,
        "n_videos": 3,
        "n_events": 5,
        "density": 5 / 9,
        "span_days": 3.0,
        "relevant_share": 0.4,  # ratings 5 and 4 of five
    }


def test_describe_interactions_needs_events():
    empty = pd.DataFrame({"user_id": [], "video_id": [], "time": [], "engagement": []}).astype(
        {"user_id": np.int64, "video_id": np.int64}
    )
    with pytest.raises(ValueError, match="no events"):
        describe_interactions(empty)
