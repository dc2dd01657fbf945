"""The KuaiRand-Pure loader on small files written here in the release's layouts (CSV with its
header, and Parquet): every mapped value, sessions, every refused file with its message, no
network."""

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest

from mlsd.cases.feed_ranking.kuairand import (
    EXTRA_COLUMNS,
    LOG_HEADER,
    describe_kuairand,
    load_kuairand,
    release_files,
    session_ids,
)
from mlsd.cases.feed_ranking.schema import COLUMNS, check_table, head_labels
from mlsd.readers import DataFileError

BEIJING = dt.timezone(dt.timedelta(hours=8))
LOG_COLUMNS = LOG_HEADER.split(",")
VIDEO_HEADER = (
    "video_id,author_id,video_type,upload_dt,upload_type,visible_status,video_duration,"
    "server_width,server_height,music_id,music_type,tag"
)
NA = pd.NA


def ms(when):
    """Unix milliseconds of a Beijing time ``YYYY-MM-DD HH:MM:SS[.fff]``."""
    moment = dt.datetime.fromisoformat(when).replace(tzinfo=BEIJING)
    return round(moment.timestamp() * 1000)


def row(user, video, when, click=0, like=0, follow=0, comment=0, forward=0, hate=0, long_view=0,
        play=0, duration=20_000, profile_enter=0, rand=0, tab=1):
    """One log row as the release writes it; ``date`` and ``hourmin`` in Beijing time, the hour
    rounded down, as in the release (its README's example row: 04:16 is ``hourmin`` 400)."""
    local = dt.datetime.fromisoformat(when)
    values = [user, video, int(local.strftime("%Y%m%d")), local.hour * 100, ms(when), click, like,
              follow, comment, forward, hate, long_view, play, duration, 0, 0, profile_enter,
              rand, tab]
    return dict(zip(LOG_COLUMNS, values))


STANDARD_1 = [  # log_standard_4_08_to_4_21_pure.csv: lines 2 … 5
    row(17, 300, "2022-04-08 10:00:00", click=1, like=1, long_view=1, play=45_000, duration=60_000),
    row(5, 100, "2022-04-08 09:30:00", play=3_000, tab=0),  # a short play: no valid play
    row(17, 100, "2022-04-08 10:20:00", click=1, comment=1, play=12_000),  # 20 min after line 2
    row(17, 200, "2022-04-08 11:00:00", click=1, forward=1, follow=1, long_view=1, play=31_000,
        duration=60_000, profile_enter=1),  # 40 min after line 4: a new session
]
STANDARD_2 = [  # log_standard_4_22_to_5_08_pure.csv
    row(5, 300, "2022-04-22 23:59:59.500", hate=1, tab=2),
]
RANDOM = [  # log_random_4_22_to_5_08_pure.csv
    row(5, 999, "2022-04-23 00:10:00", click=1, play=8_000, rand=1),  # 10.5 min later, next day
    row(17, 200, "2022-04-22 23:59:59.500", play=5_000, rand=1, tab=2),  # ties STANDARD_2's row
]
VIDEO_LINES = [
    VIDEO_HEADER,
    '100,441,NORMAL,2022-04-01,ShortImport,1.0,20000.0,720.0,1280.0,989206467,4.0,"12,65"',
    "200,9,NORMAL,2022-04-08,Web,1.0,60000.0,720.0,1280.0,5,9.0,7",
    "300,441,AD,,LongImport,1.0,60000.0,720.0,1280.0,6,9.0,",  # no upload date, no tag
]  # video 999 is not listed


def write_log(path, rows, columns=LOG_COLUMNS, newline="\n"):
    lines = [",".join(columns)] + [",".join(str(r[c]) for c in columns) for r in rows]
    path.write_bytes("".join(line + newline for line in lines).encode())
    return path


def write_lines(path, lines, newline="\n"):
    path.write_bytes("".join(line + newline for line in lines).encode())
    return path


def write_release(folder, videos=True):
    folder.mkdir(parents=True, exist_ok=True)
    write_log(folder / "log_standard_4_08_to_4_21_pure.csv", STANDARD_1)
    write_log(folder / "log_standard_4_22_to_5_08_pure.csv", STANDARD_2)
    write_log(folder / "log_random_4_22_to_5_08_pure.csv", RANDOM)
    write_lines(folder / "user_features_pure.csv",
                ['user_id,user_active_degree,follow_user_num_range', '5,high_active,"(0,10]"'])
    if videos:
        write_lines(folder / "video_features_basic_pure.csv", VIDEO_LINES)
    return folder


def as_parquet(csv_path, parquet_path):
    pd.read_csv(csv_path).to_parquet(parquet_path, index=False)
    return parquet_path


def columns(table):
    return {name: table[name].tolist() for name in table.columns}


def test_the_release_folder_maps_every_column_by_hand(tmp_path):
    table = load_kuairand(write_release(tmp_path / "data"))
    # in time order: standard_1 lines 3, 2, 4, 5, standard_2's row, random's second (same
    # millisecond: standard logs first), random's first. Users 5, 17 -> 0, 1; videos 100, 200,
    # 300, 999 -> 0 … 3; authors 9, 441 -> 0, 1; sessions numbered by their first impression.
    last_second = 14 + 86_399.5 / 86_400
    expected = {
        "impression_id": [0, 1, 2, 3, 4, 5, 6],
        "time": [9.5 / 24, 10 / 24, (10 + 1 / 3) / 24, 11 / 24, last_second, last_second,
                 15 + 600 / 86_400],
        "day": [0, 0, 0, 0, 14, 14, 15],
        "hour": [9, 10, 10, 11, 23, 23, 0],
        "session_id": [0, 1, 1, 2, 3, 4, 3],
        "member_id": [0, 1, 1, 1, 0, 1, 0],
        "post_id": [0, 2, 0, 1, 2, 1, 3],
        "creator_id": [1, 1, 1, 0, 1, 0, NA],
        "position": [NA] * 7,
        "source": ["tab 0", "tab 1", "tab 1", "tab 1", "tab 2", "tab 2", "tab 1"],
        "topic": [12, NA, 12, 7, NA, 7, NA],
        "format": ["video"] * 7,
        "post_age_hours": [177.5, np.nan, 178 + 1 / 3, 11.0, np.nan, 15 * 24 - 0.5 / 3600, np.nan],
        "random_order": [False] * 5 + [True, True],
        "click": [0, 1, 1, 1, 0, 0, 1],
        "like": [0, 1, 0, 0, 0, 0, 0],
        "comment": [0, 0, 1, 0, 0, 0, 0],
        "share": [0, 0, 0, 1, 0, 0, 0],
        "hide": [0, 0, 0, 0, 1, 0, 0],
        "dwell_seconds": [0.0, 45.0, 12.0, 31.0, 0.0, 0.0, 8.0],  # plays without a click: 0
        "long_view": [0, 1, 0, 1, 0, 0, 0],
        "duration_ms": [20_000, 60_000, 20_000, 60_000, 20_000, 20_000, 20_000],
        "play_time_ms": [3_000, 45_000, 12_000, 31_000, 0, 5_000, 8_000],
        "is_follow": [0, 0, 0, 1, 0, 0, 0],
        "is_profile_enter": [0, 0, 0, 1, 0, 0, 0],
        "original_user_id": [5, 17, 17, 17, 5, 17, 5],
        "original_video_id": [100, 300, 100, 200, 300, 200, 999],
        "time_ms": [ms(t) for t in ("2022-04-08 09:30:00", "2022-04-08 10:00:00",
                                    "2022-04-08 10:20:00", "2022-04-08 11:00:00",
                                    "2022-04-22 23:59:59.500", "2022-04-22 23:59:59.500",
                                    "2022-04-23 00:10:00")],
    }
    got = columns(table)
    for name in ("time", "post_age_hours"):
        np.testing.assert_allclose(got.pop(name), expected.pop(name), rtol=0, atol=1e-9)
    assert got == expected
    assert list(table.columns) == [*COLUMNS, *EXTRA_COLUMNS]
    assert table.index.equals(pd.RangeIndex(7))
    for name in ("creator_id", "topic", "position"):
        assert isinstance(table[name].dtype, pd.Int64Dtype)
    assert table["random_order"].dtype == bool
    check_table(table)


def test_day_and_hour_agree_with_the_release_date_and_hourmin(tmp_path):
    table = load_kuairand(write_release(tmp_path))
    logged = pd.DataFrame(STANDARD_1 + STANDARD_2 + RANDOM).sort_values("time_ms", kind="stable")
    first = dt.date(2022, 4, 8)
    days = [(dt.datetime.strptime(str(d), "%Y%m%d").date() - first).days for d in logged["date"]]
    assert table["day"].tolist() == days
    assert table["hour"].tolist() == (logged["hourmin"] // 100).tolist()
    np.testing.assert_array_equal(np.floor(table["time"]), table["day"])
    np.testing.assert_array_equal(np.floor(24 * (table["time"] - table["day"])), table["hour"])


def test_the_release_root_with_its_data_folder_loads_the_same(tmp_path):
    expected = load_kuairand(write_release(tmp_path / "KuaiRand-Pure" / "data"))
    pd.testing.assert_frame_equal(load_kuairand(tmp_path / "KuaiRand-Pure"), expected)


def test_one_csv_file_and_its_parquet_version_load_the_same_table(tmp_path):
    csv_path = write_log(tmp_path / "log_standard_4_08_to_4_21_pure.csv", STANDARD_1)
    parquet_path = as_parquet(csv_path, tmp_path / "log_standard_4_08_to_4_21_pure.parquet")
    from_csv = load_kuairand(csv_path)
    pd.testing.assert_frame_equal(load_kuairand(parquet_path), from_csv)
    assert len(from_csv) == len(STANDARD_1)
    check_table(from_csv)


def test_a_folder_of_parquet_files_loads_as_the_csv_folder(tmp_path):
    expected = load_kuairand(write_release(tmp_path / "csv"))
    parquet = tmp_path / "parquet"
    parquet.mkdir()
    for path in (tmp_path / "csv").glob("*.csv"):
        as_parquet(path, parquet / f"{path.stem}.parquet")
    pd.testing.assert_frame_equal(load_kuairand(parquet), expected)


def test_the_parquet_file_is_read_where_both_versions_exist(tmp_path):
    folder = write_release(tmp_path)
    csv_path = folder / "log_random_4_22_to_5_08_pure.csv"
    pd.read_csv(csv_path).iloc[:1].to_parquet(csv_path.with_suffix(".parquet"), index=False)
    logs, videos = release_files(folder)
    assert [path.name for path in logs] == [
        "log_standard_4_08_to_4_21_pure.csv", "log_standard_4_22_to_5_08_pure.csv",
        "log_random_4_22_to_5_08_pure.parquet",
    ]
    assert videos == folder / "video_features_basic_pure.csv"
    assert len(load_kuairand(folder)) == len(STANDARD_1) + len(STANDARD_2) + 1


def test_without_the_video_features_creator_topic_and_age_are_unknown(tmp_path):
    table = load_kuairand(write_release(tmp_path, videos=False))
    with_videos = load_kuairand(write_release(tmp_path / "with"))
    assert table["creator_id"].isna().all() and table["topic"].isna().all()
    assert table["post_age_hours"].isna().all()
    assert isinstance(table["creator_id"].dtype, pd.Int64Dtype)
    unchanged = [c for c in table.columns if c not in ("creator_id", "topic", "post_age_hours")]
    pd.testing.assert_frame_equal(table[unchanged], with_videos[unchanged])
    check_table(table)


def test_an_upload_date_after_the_impression_gives_an_unknown_age(tmp_path):
    folder = write_release(tmp_path)
    later = VIDEO_LINES[2].replace("2022-04-08", "2022-04-09")  # video 200, seen on 04-08 11:00
    write_lines(folder / "video_features_basic_pure.csv", [*VIDEO_LINES[:2], later, VIDEO_LINES[3]])
    ages = load_kuairand(folder).set_index("impression_id")["post_age_hours"]
    assert np.isnan(ages[3])
    np.testing.assert_allclose(ages[5], 13 * 24 + 24 - 0.5 / 3600)  # 04-22 23:59:59.5


def test_random_order_marks_the_random_log_rows(tmp_path):
    table = load_kuairand(write_release(tmp_path))
    from_random_log = table["original_video_id"].eq(999) | (
        table["original_user_id"].eq(17) & table["day"].eq(14))
    assert table["random_order"].tolist() == from_random_log.tolist()
    assert table["random_order"].sum() == len(RANDOM)


def test_sessions_split_on_gaps_longer_than_the_gap(tmp_path):
    folder = write_release(tmp_path)
    assert load_kuairand(folder)["session_id"].tolist() == [0, 1, 1, 2, 3, 4, 3]
    # 15 minutes: the 20-minute gap splits too; 45 minutes: the 40-minute one joins
    assert load_kuairand(folder, session_gap_minutes=15)["session_id"].tolist() == \
        [0, 1, 2, 3, 4, 5, 4]
    assert load_kuairand(folder, session_gap_minutes=45)["session_id"].tolist() == \
        [0, 1, 1, 1, 2, 3, 2]
    with pytest.raises(ValueError, match="session_gap_minutes must be"):
        load_kuairand(folder, session_gap_minutes=0)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_session_ids_match_a_loop_over_members(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 300))
    member = rng.integers(0, 6, n)
    time_ms = rng.integers(0, 20, n) * 600_000  # ties, and gaps of 0 … 190 minutes
    gap_ms = 30 * 60_000
    codes = session_ids(member, time_ms, gap_ms)
    starts = {}  # (member, session start) of each impression, by a plain loop
    for m in np.unique(member):
        rows = np.flatnonzero(member == m)
        rows = rows[np.argsort(time_ms[rows], kind="stable")]
        start = time_ms[rows[0]]
        for previous, current in zip([None, *rows[:-1]], rows):
            if previous is not None and time_ms[current] - time_ms[previous] > gap_ms:
                start = time_ms[current]
            starts[current] = (start, m)
    numbered = {key: code for code, key in enumerate(sorted(set(starts.values())))}
    assert codes.tolist() == [numbered[starts[i]] for i in range(n)]


def test_head_labels_work_on_the_table(tmp_path):
    table = load_kuairand(write_release(tmp_path))
    labels = head_labels(table)
    assert labels["long_dwell"].tolist() == [0, 1, 0, 1, 0, 0, 0]  # 45 s and 31 s >= 30 s
    assert labels["click"].tolist() == table["click"].tolist()
    assert head_labels(table, long_dwell_seconds=10)["long_dwell"].tolist() == [0, 1, 1, 1, 0, 0, 0]


def test_describe_counts_rows_sessions_and_head_rates(tmp_path):
    summary = describe_kuairand(load_kuairand(write_release(tmp_path)))
    assert summary == {
        "impressions": 7, "members": 2, "posts": 4, "sessions": 5, "random_share": 2 / 7,
        "days": 16, "click_rate": 4 / 7, "long_dwell_rate": 2 / 7, "like_rate": 1 / 7,
        "comment_rate": 1 / 7, "share_rate": 1 / 7, "hide_rate": 1 / 7,
    }


def test_extra_columns_and_another_column_order_are_ignored(tmp_path):
    expected = load_kuairand(write_log(tmp_path / "plain.csv", STANDARD_1))
    shuffled = ["note", *reversed(LOG_COLUMNS), "score"]
    rows = [{**r, "note": "seen", "score": "0.5"} for r in STANDARD_1]
    pd.testing.assert_frame_equal(load_kuairand(write_log(tmp_path / "wide.csv", rows, shuffled)),
                                  expected)
    wide = pd.DataFrame(rows)[shuffled]
    wide.to_parquet(tmp_path / "wide.parquet", index=False)
    pd.testing.assert_frame_equal(load_kuairand(tmp_path / "wide.parquet"), expected)


def test_a_trimmed_log_without_the_unused_columns_loads(tmp_path):
    expected = load_kuairand(write_log(tmp_path / "plain.csv", STANDARD_1))
    kept = [c for c in LOG_COLUMNS if c not in ("date", "hourmin", "profile_stay_time",
                                                 "comment_stay_time")]
    pd.testing.assert_frame_equal(load_kuairand(write_log(tmp_path / "trim.csv", STANDARD_1, kept)),
                                  expected)


def test_windows_line_endings_read_the_same(tmp_path):
    expected = load_kuairand(write_release(tmp_path / "unix"))
    folder = tmp_path / "windows"
    folder.mkdir()
    write_log(folder / "log_standard_4_08_to_4_21_pure.csv", STANDARD_1, newline="\r\n")
    write_log(folder / "log_standard_4_22_to_5_08_pure.csv", STANDARD_2, newline="\r\n")
    write_log(folder / "log_random_4_22_to_5_08_pure.csv", RANDOM, newline="\r\n")
    write_lines(folder / "video_features_basic_pure.csv", VIDEO_LINES, newline="\r\n")
    pd.testing.assert_frame_equal(load_kuairand(folder), expected)


def test_a_missing_column_names_the_file_the_columns_and_the_layout(tmp_path):
    kept = [c for c in LOG_COLUMNS if c not in ("is_hate", "tab")]
    path = write_log(tmp_path / "log_standard_4_08_to_4_21_pure.csv", STANDARD_1, kept)
    message = f"{re.escape(str(path))}, line 1: missing columns \\['is_hate', 'tab'\\]: .*" \
              "expected a KuaiRand log: comma-separated, the header 'user_id,video_id,"
    with pytest.raises(DataFileError, match=f"^{message}"):
        load_kuairand(path)
    pd.DataFrame(STANDARD_1)[kept].to_parquet(tmp_path / "trimmed.parquet", index=False)
    parquet = re.escape(str(tmp_path / "trimmed.parquet"))
    with pytest.raises(DataFileError, match=f"^{parquet}: missing columns \\['is_hate', 'tab'\\]"):
        load_kuairand(tmp_path / "trimmed.parquet")


def test_a_features_file_without_a_needed_column_is_named(tmp_path):
    folder = write_release(tmp_path)
    header = VIDEO_HEADER.replace("author_id", "creator")
    write_lines(folder / "video_features_basic_pure.csv", [header, *VIDEO_LINES[1:]])
    features = re.escape(str(folder / "video_features_basic_pure.csv"))
    with pytest.raises(DataFileError, match=f"^{features}, line 1: missing columns \\['author_id'"):
        load_kuairand(folder)


@pytest.mark.parametrize(
    ("number", "text", "problem"),
    [
        (3, "5,100,20220408,900,1649381400000,0,0,0,0,0,0,0,x,20000,0,0,0,0,0",
         "field play_time_ms = 'x' is not an integer"),
        (4, "17,100,20220408,1000,1649384400000,2,0,0,1,0,0,0,12000,20000,0,0,0,0,1",
         "field is_click = 2 is not allowed: an integer in [0, 1]"),
        (2, "17,300,20220408,1000,1649383200,1,1,0,0,0,0,1,45000,60000,0,0,0,0,1",
         "field time_ms = 1649383200 is not allowed: a Unix time in milliseconds"),
        (5, "17,200,20220408,1100,1649386800000,1,0,1,0,1,0,1,31000,60000,0,0,1,0",
         "expected 19 fields separated by ',', found 18"),
        (3, "", "the line is empty"),
    ],
)
def test_a_malformed_line_names_the_file_and_the_line(tmp_path, number, text, problem):
    path = write_log(tmp_path / "log_standard_4_08_to_4_21_pure.csv", STANDARD_1)
    lines = path.read_text().splitlines()
    lines[number - 1] = text
    write_lines(path, lines)
    with pytest.raises(DataFileError, match=f"^{re.escape(str(path))}, line {number}: "
                                            f"{re.escape(problem)}"):
        load_kuairand(path)


def test_a_log_cut_short_is_reported(tmp_path):
    path = write_log(tmp_path / "log_random_4_22_to_5_08_pure.csv", RANDOM)
    path.write_bytes(path.read_bytes()[:-4])
    with pytest.raises(DataFileError, match=", line 3: the file does not end with a newline"):
        load_kuairand(path)


def test_a_bad_value_in_a_parquet_log_names_the_file_and_the_row(tmp_path):
    frame = pd.DataFrame(STANDARD_1)
    frame.loc[1, "is_like"] = 3
    frame.to_parquet(tmp_path / "bad.parquet", index=False)
    with pytest.raises(DataFileError, match=r"bad\.parquet: row 1 \(from 0\): field is_like = 3 is "
                                            r"not allowed: an integer in \[0, 1\]$"):
        load_kuairand(tmp_path / "bad.parquet")
    frame = pd.DataFrame(STANDARD_1).astype({"play_time_ms": float})
    frame.loc[2, "play_time_ms"] = np.nan
    frame.to_parquet(tmp_path / "empty_value.parquet", index=False)
    with pytest.raises(DataFileError, match=r"row 2 \(from 0\): field play_time_ms is empty$"):
        load_kuairand(tmp_path / "empty_value.parquet")


@pytest.mark.parametrize(
    ("number", "text", "problem"),
    [
        (3, "200,9,NORMAL,2022-04-08,Web,1.0,60000.0,720.0,1280.0,5,9.0,7,8",
         "expected 12 fields separated by ',', found 13"),
        (2, '100,441,NORMAL,2022-04-01,ShortImport,1.0,20000.0,720.0,1280.0,9,4.0,"x,65"',
         "field tag = 'x,65' is not integers >= 0 separated by commas, or empty"),
        (4, "200,441,AD,,LongImport,1.0,60000.0,720.0,1280.0,6,9.0,",
         "field video_id = 200 appears twice"),
        (3, "200,9,NORMAL,08/04/2022,Web,1.0,60000.0,720.0,1280.0,5,9.0,7",
         "field upload_dt = '08/04/2022' is not a date YYYY-MM-DD"),
        (3, "200,-9,NORMAL,2022-04-08,Web,1.0,60000.0,720.0,1280.0,5,9.0,7",
         "field author_id = '-9' is not an integer >= 0"),
    ],
)
def test_a_malformed_features_line_names_the_file_and_the_line(tmp_path, number, text, problem):
    folder = write_release(tmp_path)
    lines = list(VIDEO_LINES)
    lines[number - 1] = text
    path = write_lines(folder / "video_features_basic_pure.csv", lines)
    with pytest.raises(DataFileError, match=f"^{re.escape(str(path))}, line {number}: "
                                            f"{re.escape(problem)}"):
        load_kuairand(folder)


def test_an_empty_file_is_a_clear_error(tmp_path):
    path = tmp_path / "log_standard_4_08_to_4_21_pure.csv"
    path.write_bytes(b"")
    with pytest.raises(DataFileError, match=f"^{re.escape(str(path))}: the file is empty; "
                                            "expected a KuaiRand log"):
        load_kuairand(path)
    write_lines(path, [LOG_HEADER])
    with pytest.raises(DataFileError, match=", line 2: the file ends after its header"):
        load_kuairand(path)
    pd.DataFrame(columns=LOG_COLUMNS, dtype=np.int64).to_parquet(tmp_path / "none.parquet")
    with pytest.raises(DataFileError, match=r"none\.parquet: the table has no rows"):
        load_kuairand(tmp_path / "none.parquet")


def test_a_path_that_does_not_exist_says_where_to_get_the_release(tmp_path):
    missing = tmp_path / "KuaiRand-Pure"
    with pytest.raises(DataFileError, match=f"^{re.escape(str(missing))}: no such file or folder; "
                                            "expected KuaiRand-Pure .*zenodo.org/records/10439422"):
        load_kuairand(missing)


def test_a_folder_without_logs_is_a_clear_error(tmp_path):
    write_lines(tmp_path / "video_features_basic_pure.csv", VIDEO_LINES)
    with pytest.raises(DataFileError, match=f"^{re.escape(str(tmp_path))}: the folder holds no "
                                            "KuaiRand-Pure log: expected log_standard_"):
        load_kuairand(tmp_path)


def test_a_file_that_is_not_csv_or_parquet_or_not_parquet_inside_is_refused(tmp_path):
    text = write_log(tmp_path / "log.txt", STANDARD_1)
    with pytest.raises(DataFileError, match=r"log\.txt: not a \.csv or \.parquet file"):
        load_kuairand(text)
    fake = write_log(tmp_path / "log.parquet", STANDARD_1)
    with pytest.raises(DataFileError, match=r"log\.parquet: cannot read it as Parquet"):
        load_kuairand(fake)


def test_every_error_is_a_value_error():
    assert issubclass(DataFileError, ValueError)
