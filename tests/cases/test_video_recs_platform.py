"""The simulated platform behind notebook 3's watch-time and re-ranking sections."""

import numpy as np
import pandas as pd

from mlsd.cases import video_recs as case

SIZES = dict(n_users=150, n_videos=300, n_events=8_000)


def fitted(data):
    held_out = case.split(data, "temporal")
    ranker = case.TwoStageRecommender(k_per_source=20, seed=1, threshold=0.8)
    return held_out, ranker.fit(held_out.train, data.n_users, data.n_videos)


def test_simulated_data_are_used_as_they_are(capsys):
    data = case.load_data("simulated", seed=4, **SIZES)
    held_out, ranker = fitted(data)
    platform = case.on_simulated_platform(data, held_out, ranker, seed=4, **SIZES)
    assert platform.data is data and platform.ranker is ranker and platform.train is held_out.train
    np.testing.assert_array_equal(platform.users, np.unique(held_out.test["user_id"]))
    assert capsys.readouterr().out == ""


def test_data_without_watch_time_get_a_simulated_platform_of_the_same_sizes(tmp_path, capsys):
    rng = np.random.default_rng(0)
    ratings = pd.DataFrame({"user": rng.integers(1, 121, 6_000), "item": rng.integers(1, 301, 6_000),
                            "rating": rng.integers(1, 6, 6_000),
                            "time": 880_000_000 + np.sort(rng.integers(0, 10**7, 6_000))})
    ratings = ratings.drop_duplicates(["user", "item"])
    path = tmp_path / "u.data"
    ratings.to_csv(path, sep="\t", header=False, index=False)
    movielens = case.load_data("movielens", str(path))
    held_out, ranker = fitted(movielens)
    platform = case.on_simulated_platform(movielens, held_out, ranker, seed=4, **SIZES)
    assert "run on the simulated platform" in capsys.readouterr().out
    assert platform.data.source == "simulated" and platform.data.world is not None
    assert platform.data.table.equals(case.load_data("simulated", seed=4, **SIZES).table)
    assert platform.ranker is not ranker
    assert (platform.ranker.k_per_source, platform.ranker.threshold) == (20, 0.8)
    assert platform.train["time"].max() < platform.test["time"].min()
