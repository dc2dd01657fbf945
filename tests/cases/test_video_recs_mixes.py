"""The candidate mix of the exercise (task 4): equal-length mixes, their recall per group of users,
and the best mix of each group (the exercise's check of a chosen mix is tested with the exercise,
``test_video_recs_exercise.py``)."""

import numpy as np
import pandas as pd
import pytest
from video_history import interactions

from mlsd.cases.video_recs.data import temporal_split
from mlsd.cases.video_recs.mixes import (
    best_mix,
    mix_candidates,
    mix_recalls,
    mix_table,
    source_lists,
)
from mlsd.cases.video_recs.simulate import simulate_watches

MIXES = [(150, 0, 0), (100, 50, 0), (75, 75, 0), (50, 100, 0), (0, 150, 0), (100, 0, 50),
         (50, 50, 50), (0, 100, 50)]


def ranked(rows):
    """(user, video, rank) rows as a ranked list."""
    return pd.DataFrame(rows, columns=["user_id", "video_id", "rank"])


def test_a_mix_takes_each_sources_best_videos_not_already_taken():
    lists = {"a": ranked([(0, 1, 1), (0, 2, 2), (0, 3, 3)]),
             "b": ranked([(0, 2, 1), (0, 4, 2), (0, 5, 3)])}
    mixed = mix_candidates(lists, (2, 2))
    assert mixed["video_id"].tolist() == [1, 2, 4, 5]  # b's 2 was taken: its next two instead
    assert mixed["source"].tolist() == ["a", "a", "b", "b"]
    assert mix_candidates(lists, {"b": 1})["video_id"].tolist() == [2]


@pytest.fixture(scope="module", params=[5, 2])
def exercise(request):
    """The exercise's growing platform at its default size, on its default seed and another."""
    seed = request.param
    world = simulate_watches(n_users=500, n_videos=1_000, n_events=40_000, new_user_share=0.6,
                             seed=seed)
    train, test = temporal_split(world.interactions)
    lists = source_lists(train, np.unique(test["user_id"]), 500, 1_000, 150, seed=seed)
    return mix_recalls(lists, MIXES, test, train), seed, lists


def test_every_mix_has_exactly_the_same_length(exercise):
    per_user, _, lists = exercise
    assert list(per_user.columns) == MIXES
    for mix in MIXES:
        sizes = mix_candidates(lists, mix).groupby("user_id").size()
        assert (sizes == 150).all(), mix
    new = per_user.index.get_level_values("new").to_numpy(dtype=bool)
    assert new.sum() >= 20  # enough new users to judge


def test_the_table_counts_every_user_once_and_its_best_means_are_the_best_mixes(exercise):
    per_user, seed, _ = exercise
    table = mix_table(per_user, seed=seed)
    users = table.attrs["users"]
    assert users["new users"] + users["returning users"] == users["all users"] == len(per_user)
    for group in ("all users", "new users"):
        assert table[(group, "mean")].idxmax() == best_mix(per_user, group)
        assert (table[(group, "low")] <= table[(group, "mean")]).all()


def test_the_best_mix_for_everyone_is_not_the_best_for_new_users(exercise):
    per_user, _, _ = exercise
    overall, new = best_mix(per_user, "all users"), best_mix(per_user, "new users")
    assert overall != new
    assert dict(zip(per_user.attrs["sources"], new))["popular"] >= 100  # new users: popularity
    assert dict(zip(per_user.attrs["sources"], overall))["mf"] > 0  # everyone: some taste


def test_best_mix_names_the_allowed_groups():
    per_user = pd.DataFrame({(1, 0): [0.5]}, index=pd.MultiIndex.from_arrays([[0], [True]],
                                                                          names=["user_id", "new"]))
    with pytest.raises(ValueError, match="group"):
        best_mix(per_user, "old users")
