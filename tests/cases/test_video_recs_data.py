"""Loading and splitting the video case's data: sources, sizes, and splits that respect time."""

import numpy as np
import pandas as pd
import pytest
from video_history import HISTORY, interactions

from mlsd.cases.contract import Split
from mlsd.cases.video_recs.data import (
    VideoData,
    future_leak_share,
    load_data,
    random_split,
    split,
    temporal_split,
)
from mlsd.records import RECORD_MIME


@pytest.fixture(scope="module")
def data():
    return load_data("simulated", seed=4, n_users=200, n_videos=300, n_events=5_000)


def test_the_simulated_source_keeps_its_world_and_measures_what_it_loaded(data):
    assert isinstance(data, VideoData) and data.source == "simulated"
    assert (data.n_users, data.n_videos) == (200, 300)
    assert data.world.interactions is data.table
    table = data.table
    assert data.sizes == {
        "rows": 5_000,
        "users": table["user_id"].nunique(),
        "items": table["video_id"].nunique(),
        "days": table["time"].max() - table["time"].min(),
    }
    assert 0 < data.sizes["days"] < 60


def test_record_says_which_data_and_its_sizes(data, monkeypatch):
    shown = []
    show = lambda bundle, raw: shown.append(bundle[RECORD_MIME])  # noqa: E731
    monkeypatch.setattr("IPython.display.display", show)
    data.record()
    assert shown == [
        {"name": "data_source", "value": "simulated"},
        *({"name": f"data_{size}", "value": value} for size, value in data.sizes.items()),
    ]


def test_movielens_needs_a_path_and_unknown_sources_are_named():
    with pytest.raises(ValueError, match="data_source 'movielens' needs data_path"):
        load_data("movielens")
    sources = "'simulated', 'movielens'"
    with pytest.raises(ValueError, match=f"data_source must be one of {sources}; got 'nope'"):
        load_data("nope")


def test_split_by_kind_states_its_rule(data):
    temporal = split(data)
    assert isinstance(temporal, Split) and len(temporal.test) > 0
    assert temporal.train["time"].max() < temporal.test["time"].min()
    assert temporal.rule.startswith("temporal: events before day ")
    random = split(data, "random", seed=2)
    assert random.rule.startswith("random: 25% of each user's events test (seed 2)")
    assert len(random.train) + len(random.test) == len(data.table)
    with pytest.raises(ValueError, match="split must be one of 'temporal', 'random'; got 'future'"):
        split(data, "future")


def test_temporal_split_puts_every_test_event_after_every_training_event():
    train, test = temporal_split(HISTORY, test_share=0.3)
    assert train["time"].max() < test["time"].min()
    assert len(train) + len(test) == len(HISTORY)
    assert future_leak_share(train, test) == 0


def test_random_split_holds_out_a_share_of_each_users_events_and_is_seeded():
    rng = np.random.default_rng(0)
    pairs = zip(rng.integers(0, 20, 2000), rng.permutation(2000))
    big = interactions([(user, video, float(i), 1.0) for i, (user, video) in enumerate(pairs)])
    train, test = random_split(big, test_share=0.25, seed=3)
    per_user = test.groupby("user_id").size() / big.groupby("user_id").size()
    assert np.allclose(per_user, 0.25, atol=0.02)
    again = random_split(big, test_share=0.25, seed=3)[1]
    assert test.index.equals(again.index)
    assert train["time"].max() > test["time"].min()  # a random split trains on the future
    assert future_leak_share(train, test) > 0.5


def test_a_share_outside_zero_and_one_is_refused():
    with pytest.raises(ValueError, match=r"test_share must be a number in \(0, 1\); got 1.0"):
        temporal_split(HISTORY, test_share=1.0)
