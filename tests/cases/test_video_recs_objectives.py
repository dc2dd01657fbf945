"""Expected watch minutes against the simulator's truth, and the objective table."""

import numpy as np
import pandas as pd
import pytest

from mlsd.cases.video_recs.data import temporal_split
from mlsd.cases.video_recs.objectives import expected_watch_minutes, objective_table
from mlsd.cases.video_recs.simulate import simulate_watches
from mlsd.cases.video_recs.tradeoffs import ab_test_watch_time


@pytest.fixture(scope="module")
def world():
    return simulate_watches(n_users=300, n_videos=600, n_events=20_000, seed=6)


def lists_of(videos_by_user: dict) -> pd.DataFrame:
    rows = [(u, v, r + 1) for u, videos in videos_by_user.items() for r, v in enumerate(videos)]
    return pd.DataFrame(rows, columns=["user_id", "video_id", "rank"])


def test_expected_minutes_are_the_sum_of_m_squared_times_length(world):
    recs = lists_of({0: [1, 2, 3], 5: [7]})
    minutes = expected_watch_minutes(world, recs, k=2)
    m = world.expected_engagement([0, 0], [1, 2])
    length = world.videos["length_seconds"].to_numpy()[[1, 2]] / 60
    assert minutes[0] == pytest.approx(float((m**2 * length).sum()))
    assert list(minutes.index) == [0, 5]


def test_the_ab_tests_mean_minutes_converge_to_the_expected_minutes(world):
    users = np.arange(300)
    rng = np.random.default_rng(0)
    recs = lists_of({u: rng.choice(600, 10, replace=False) for u in users})
    expected = expected_watch_minutes(world, recs).mean()
    simulated = [ab_test_watch_time(world, recs, recs, seed=s)[1]["watch_minutes"].mean()
                 for s in range(20)]
    assert np.mean(simulated) == pytest.approx(expected, rel=0.03)


def test_the_objective_table_has_a_row_per_ranker_and_the_paired_difference(world):
    train, test = temporal_split(world.interactions)
    users = np.unique(test["user_id"])
    rng = np.random.default_rng(1)
    short, long = np.argsort(world.videos["length_seconds"].to_numpy())[[0, -1]]
    a = lists_of({u: rng.choice(600, 10, replace=False) for u in users})
    b = a.copy()
    b["video_id"] = np.argsort(world.videos["length_seconds"].to_numpy())[-10:][b["rank"] - 1]
    table = objective_table(world, {"random": a, "longest": b}, test, "random", seed=1)
    assert list(table.index) == ["random", "longest", "longest − random"]
    assert table.loc["longest", "median_length_minutes"] > table.loc["random", "median_length_minutes"]
    difference = table.loc["longest − random"]
    assert difference["watch_minutes"] == pytest.approx(
        table.loc["longest", "watch_minutes"] - table.loc["random", "watch_minutes"])
    assert difference["watch_minutes_low"] <= difference["watch_minutes"] <= difference["watch_minutes_high"]
    with pytest.raises(ValueError, match="reference must be one of"):
        objective_table(world, {"random": a}, test, "nope")
