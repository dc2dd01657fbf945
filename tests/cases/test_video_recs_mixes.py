"""The candidate mix of the exercise (task 4): equal-length mixes, and a check that accepts the
solution and rejects the plausible wrong answers, saying why."""

import numpy as np
import pandas as pd
import pytest
from video_history import interactions

from mlsd.cases.video_recs.data import temporal_split
from mlsd.cases.video_recs.mixes import (
    best_mix,
    check_mix_choice,
    mix_candidates,
    mix_recalls,
    mix_table,
    source_lists,
)
from mlsd.cases.video_recs.simulate import simulate_watches
from mlsd.exercises import ExerciseCheckError

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


def failure(answer, per_user, group, seed) -> str:
    with pytest.raises(ExerciseCheckError) as caught:
        check_mix_choice(answer, per_user, group, seed=seed)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"✗ the candidate mix for {group}: ")
    return message


def test_every_mix_has_exactly_the_same_length(exercise):
    per_user, _, lists = exercise
    assert list(per_user.columns) == MIXES
    for mix in MIXES:
        sizes = mix_candidates(lists, mix).groupby("user_id").size()
        assert (sizes == 150).all(), mix
    new = per_user.index.get_level_values("new").to_numpy(dtype=bool)
    assert new.sum() >= 20  # enough new users to judge


def test_the_solution_passes_and_says_why(exercise, capsys):
    per_user, seed, _ = exercise
    table = mix_table(per_user, seed=seed)
    for group in ("all users", "new users"):
        solution = table[(group, "mean")].idxmax()
        check_mix_choice(solution, per_user, group, seed=seed)
        assert "not measurably below the best" in capsys.readouterr().out
    assert table.attrs["users"]["new users"] + table.attrs["users"]["returning users"] == (
        table.attrs["users"]["all users"])


def test_all_mf_is_rejected_for_everyone_and_for_new_users(exercise):
    per_user, seed, _ = exercise
    everyone = failure((0, 150, 0), per_user, "all users", seed)
    assert "measurably worse" in everyone and "does one source alone find" in everyone
    new = failure((0, 150, 0), per_user, "new users", seed)
    assert "scores for a user without history all tie" in new and "random draw" in new


def test_the_best_mix_for_everyone_is_rejected_for_new_users(exercise):
    per_user, seed, _ = exercise
    overall = best_mix(per_user, "all users")
    assert overall != best_mix(per_user, "new users")
    message = failure(overall, per_user, "new users", seed)
    assert f"{overall} is the best mix for all users, not for new users" in message


def test_the_best_mix_for_new_users_is_rejected_for_everyone(exercise):
    per_user, seed, _ = exercise
    message = failure(best_mix(per_user, "new users"), per_user, "all users", seed)
    assert "is the best mix for new users, not for all users" in message


@pytest.mark.parametrize("answer", [(150, 0), "150, 0, 0", None, (1, 2, 3)])
def test_an_answer_that_is_not_a_mix_is_rejected_naming_the_mixes(exercise, answer):
    per_user, seed, _ = exercise
    assert "is not one of the mixes" in failure(answer, per_user, "new users", seed)
