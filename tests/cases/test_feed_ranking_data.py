"""Loading and splitting the feed-ranking data: the simulator and a KuaiRand-Pure release (written
here in its exact layout), each split by day, and the messages for bad input."""

import datetime as dt

import pandas as pd
import pytest

from mlsd.cases.contract import CaseData
from mlsd.cases.contract import split_by_day
from mlsd.cases.feed_ranking.data import SOURCES, TEST_DAYS, load_data, split
from mlsd.cases.feed_ranking.kuairand import LOG_HEADER, load_kuairand
from mlsd.cases.feed_ranking.schema import check_table
from mlsd.cases.feed_ranking.simulate import FeedWorld, simulate_feed

SIZES = {"n_members": 800, "n_creators": 120, "n_impressions": 20_000}
BEIJING = dt.timezone(dt.timedelta(hours=8))
LOG_COLUMNS = LOG_HEADER.split(",")
VIDEO_LINES = [
    "video_id,author_id,video_type,upload_dt,upload_type,visible_status,video_duration,"
    "server_width,server_height,music_id,music_type,tag",
    '100,441,NORMAL,2022-04-01,ShortImport,1.0,20000.0,720.0,1280.0,989206467,4.0,"12,65"',
    "200,9,NORMAL,2022-04-08,Web,1.0,60000.0,720.0,1280.0,5,9.0,7",
]  # video 300 is not listed: its creator, topic and age are unknown


def row(user, video, when, click=0, like=0, play=0, rand=0, tab=1):
    """One log row as the release writes it (``date`` and ``hourmin`` in Beijing time)."""
    local = dt.datetime.fromisoformat(when)
    time_ms = round(local.replace(tzinfo=BEIJING).timestamp() * 1000)
    values = {"user_id": user, "video_id": video, "date": int(local.strftime("%Y%m%d")),
              "hourmin": local.hour * 100, "time_ms": time_ms, "is_click": click, "is_like": like,
              "play_time_ms": play, "duration_ms": 20_000, "is_rand": rand, "tab": tab}
    return {column: values.get(column, 0) for column in LOG_COLUMNS}


STANDARD = [
    row(5, 100, "2022-04-08 09:30:00", click=1, play=9_000),
    row(17, 200, "2022-04-09 10:00:00", like=1),
    row(17, 300, "2022-04-22 23:59:00", click=1, play=40_000),
]
RANDOM = [row(5, 200, "2022-04-23 00:10:00", rand=1), row(5, 100, "2022-04-23 08:00:00", rand=1)]


def write_lines(path, lines):
    path.write_bytes("".join(line + "\n" for line in lines).encode())


def write_release(folder):
    """The release's three kinds of file, in its layout: two logs and the video features."""
    folder.mkdir(parents=True)
    for name, rows in (("log_standard_4_08_to_4_21_pure.csv", STANDARD),
                       ("log_random_4_22_to_5_08_pure.csv", RANDOM)):
        write_lines(folder / name, [LOG_HEADER] + [",".join(str(r[c]) for c in LOG_COLUMNS)
                                                   for r in rows])
    write_lines(folder / "video_features_basic_pure.csv", VIDEO_LINES)
    return folder


@pytest.fixture(scope="module")
def data():
    return load_data("simulated", seed=4, **SIZES)


def test_the_simulated_source_is_the_simulators_world_with_its_sizes(data):
    assert SOURCES == ("simulated", "kuairand")
    assert isinstance(data, CaseData) and isinstance(data.world, FeedWorld)
    assert data.source == "simulated"
    assert data.table.equals(simulate_feed(seed=4, **SIZES).impressions)
    assert check_table(data.table) is data.table
    table = data.table
    assert data.sizes == {"rows": 20_000, "users": table["member_id"].nunique(),
                          "items": table["post_id"].nunique(),
                          "days": table["time"].max() - table["time"].min()}
    assert 6.5 < data.sizes["days"] < 7


def test_every_simulator_keyword_reaches_the_simulator():
    knobs = dict(n_members=300, n_creators=40, n_days=3, n_impressions=3_000, slots=6,
                 candidates_per_session=20, random_share=0.5, examination_decay=0.5)
    loaded = load_data("simulated", seed=2, **knobs)
    assert loaded.world.parameters == {**knobs, "seed": 2}


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data(data):
    assert load_data("simulated", seed=4, **SIZES).table.equals(data.table)
    assert not load_data("simulated", seed=5, **SIZES).table.equals(data.table)


def test_an_unknown_source_names_the_ones_there_are():
    with pytest.raises(ValueError) as error:
        load_data("movielens")
    assert str(error.value) == "data_source must be one of 'simulated', 'kuairand'; got 'movielens'"


def test_kuairand_needs_its_path_and_says_where_it_comes_from():
    with pytest.raises(ValueError) as error:
        load_data("kuairand")
    message = str(error.value)
    assert message.startswith("data_source 'kuairand' needs data_path: the folder (or one log "
                              "file) of KuaiRand-Pure")
    assert "zenodo.org/records/10439422" in message and "datasets/kuairand.md" in message


def test_the_kuairand_source_is_the_release_as_the_loader_reads_it(tmp_path):
    folder = write_release(tmp_path / "KuaiRand-Pure" / "data")
    loaded = load_data("kuairand", str(folder), seed=3, n_impressions=50)  # keywords unused
    assert loaded.source == "kuairand" and loaded.world is None
    pd.testing.assert_frame_equal(loaded.table, load_kuairand(folder))
    check_table(loaded.table)
    assert loaded.sizes == {"rows": 5, "users": 2, "items": 3,
                            "days": loaded.table["time"].max() - loaded.table["time"].min()}
    assert loaded.table["creator_id"].isna().sum() == 1  # video 300 is not in the features


def test_kuairand_splits_by_day_as_the_simulated_feed(tmp_path):
    loaded = load_data("kuairand", str(write_release(tmp_path / "data")))
    assert loaded.table["day"].tolist() == [0, 1, 14, 15, 15]
    held_out = split(loaded)
    assert held_out.train["day"].tolist() == [0, 1]
    assert held_out.test["day"].tolist() == [14, 15, 15]
    assert held_out.rule == "by day: days 0–13 train, the last 2 (days 14–15) test"
    assert split(loaded, 15).rule == "by day: days 0–0 train, the last 15 (days 1–15) test"


def test_the_default_split_trains_on_the_first_five_days_and_tests_on_the_last_two(data):
    held_out = split(data)
    assert TEST_DAYS == 2
    assert held_out.rule == "by day: days 0–4 train, the last 2 (days 5–6) test"
    assert set(held_out.train["day"]) == {0, 1, 2, 3, 4} and set(held_out.test["day"]) == {5, 6}
    assert held_out.train["time"].max() < held_out.test["time"].min()
    assert len(held_out.train) + len(held_out.test) == len(data.table)


def test_the_split_keeps_the_rows_in_time_order(data):
    held_out = split(data, test_days=3)
    both = pd.concat([held_out.train, held_out.test])
    assert both.index.equals(data.table.index)  # never shuffled: the table's rows, in order
    assert held_out.rule == "by day: days 0–3 train, the last 3 (days 4–6) test"


def test_a_test_period_that_leaves_no_training_day_is_refused(data):
    with pytest.raises(ValueError, match=r"test_days must be an integer in \[1, 6\]; got 7"):
        split(data, test_days=7)
    with pytest.raises(ValueError, match=r"test_days must be an integer in \[1, 6\]; got 0"):
        split(data, test_days=0)
    one_day = data.table[data.table["day"] == 3]
    with pytest.raises(ValueError, match=r"the table spans one day \(3\); a split by day needs "
                                         "at least 2"):
        split_by_day(one_day, 1)
