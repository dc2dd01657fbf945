"""The feed-ranking exercise's tasks: beyond the generic test (``tests/test_exercise_tasks.py``:
every solution passes, every listed wrong answer is rejected with its reason), the rules behind
the checks and the answers the notebook states, on seeds 1-5 — GAUC unmoved by a per-member
constant, the downsampled head found at the logged slot, the policy's CTR curve below the true
examination, the guardrail rule, the streaming reading, the interleaving verdict."""

import io
from contextlib import redirect_stdout

import numpy as np
import pandas as pd
import pytest

from exercise_checks import rejected
from mlsd.cases.feed_ranking import exercise
from mlsd.cases.feed_ranking.data import load_data
from mlsd.exercises import ExerciseCheckError
from mlsd.metrics import grouped_roc_auc

SMALLEST = 50_000


def quietly(function, **arguments):
    with redirect_stdout(io.StringIO()):
        return function(**arguments)


@pytest.fixture(scope="module")
def built():
    """The exercise at its notebook's defaults."""
    return quietly(exercise.build, seed=2, n_impressions=200_000)


def task(number):
    return exercise.TASKS[number - 1]


def test_the_tasks_are_numbered_in_order_and_the_facade_builds_them():
    from mlsd.cases import feed_ranking as case

    assert [t.number for t in exercise.TASKS] == list(range(1, 7))
    assert case.build_exercise is exercise.build


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_the_stated_answers_hold_at_the_smallest_size_on_seeds_1_to_5(seed):
    ex = quietly(exercise.build, seed=seed, n_impressions=SMALLEST)
    answers = {t.number: t.solution(ex.context) for t in ex.tasks}
    assert answers[1] == "AUC only"
    assert "comment" in answers[2] and answers[2] <= {"comment", "share"}
    assert answers[4] in {"clicks, hide −3", "clicks, hide −10"}
    assert answers[5] == {"post views", "post engagements"}
    assert answers[6] == "several times fewer"


# --- Task 1 ---------------------------------------------------------------------------------------


def test_a_per_member_constant_leaves_gauc_exactly_and_moves_the_global_auc(built):
    c = built.context
    y, members = c.labels["click"].to_numpy(), c.test["member_id"].to_numpy()
    assert c.gauc_change == 0 and abs(c.auc_change) > 10 * exercise.AUC_MOVE
    shift = np.random.default_rng(0).normal(0, 1, members.max() + 1)[members]
    shifted = grouped_roc_auc(y, c.scores_a + shift, members)
    assert shifted == grouped_roc_auc(y, c.scores_a, members)


def test_the_gauc_verdict_rule():
    verdict = exercise.gauc_verdict
    assert verdict(-0.03, 0.0) == "AUC only" and verdict(0.0005, 0.002) == "GAUC only"
    assert verdict(0.01, -0.01) == "both" and verdict(0.001, -0.001) == "neither"


def test_a_prediction_outside_the_options_names_them(built):
    message = rejected(task(1), "AUC", built.context)
    assert "prediction must be one of 'AUC only', 'GAUC only', 'both', 'neither'" in message


# --- Task 2 ---------------------------------------------------------------------------------------


def test_only_the_comment_head_is_off_at_the_logged_slot_and_every_head_at_slot_1(built):
    c = built.context
    ratio = c.candidate.mean() / c.labels.mean()
    assert ratio["comment"] > 3 and ratio.drop("comment").between(0.8, 1.25).all()
    assert (c.candidate_served.mean() / c.labels.mean() > 2).all()  # slot 1 against logged labels


def test_a_list_of_heads_passes_and_an_unknown_head_is_named(built, capsys):
    task(2).check(["comment"], built.context)
    assert capsys.readouterr().out.startswith("✓ ")
    message = rejected(task(2), {"comments"}, built.context)
    assert "recalibrate must be a set of heads among" in message
    assert "'comment'" not in rejected(task(2), set(), built.context)  # a choice: not shown


# --- Task 3 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_the_policys_ctr_falls_below_the_true_examination_at_every_lower_slot(seed):
    log = load_data("simulated", seed=seed).table
    policy = exercise._ctr_ratios(log[~log["random_order"]])
    truth = log.groupby("position")["examine_probability"].mean()
    assert (policy[1:] < (truth / truth.loc[1]).to_numpy()[1:]).all()


def test_the_examination_ratios_are_the_random_sessions_ctr_ratios():
    log = pd.DataFrame({"random_order": [True] * 6 + [False] * 2,
                        "position": [1, 2, 1, 2, 1, 2, 1, 2], "click": [1, 0, 1, 1, 0, 0, 1, 0]})
    assert exercise.examination_ratios(log).tolist() == [1.0, 0.5]


def test_examination_of_the_wrong_shape_is_named(built):
    assert "one ratio per slot, shape (10,)" in rejected(task(3), np.ones(9), built.context)


# --- Task 4 ---------------------------------------------------------------------------------------


def test_the_guardrail_rule_filters_then_maximises():
    table = pd.DataFrame({"clicks": [1.2, 1.1, 1.0], "hides": [0.2, 0.09, 0.05],
                          "value": [1, 5, 2]}, index=["a", "b", "c"])
    assert exercise.guarded_choice(table, 0.1) == "b"
    assert exercise.guarded_choice(table, 0.3) == "a"
    with pytest.raises(ValueError, match="no weighting keeps hides at most 0.01"):
        exercise.guarded_choice(table, 0.01)


def test_the_weightings_are_scored_on_the_same_sessions(built):
    table = built.context.weightings
    assert list(table.index) == list(exercise.WEIGHTINGS)
    assert table.loc["clicks only", "value"] == pytest.approx(table.loc["clicks only", "clicks"])
    assert table["hides"].idxmax() == "clicks only"
    assert built.context.max_hides == pytest.approx(1.1 * table.loc["default", "hides"])
    assert "must be one of" in rejected(task(4), "clicks", built.context)


# --- Task 5 ---------------------------------------------------------------------------------------


def test_the_streaming_reading_is_the_counters_recomputed_and_the_batch_one_lags(built):
    c = built.context
    streaming, batch = exercise.feature_readings(c.log, c.test)
    assert np.allclose(streaming.to_numpy(float), c.streaming_features.to_numpy(float))
    assert np.allclose(batch.to_numpy(float), c.batch_features.to_numpy(float))
    counts = ["post_views", "post_engagements"]
    assert (c.batch_features[counts] <= c.streaming_features[counts]).all().all()


def test_the_streaming_rule_uses_the_median_relative_error(monkeypatch):
    monkeypatch.setattr(exercise, "FEATURE_GROUPS", {"post views": ("post_views",)})
    streaming = pd.DataFrame({"post_views": [10, 10, 0, 10]})
    lagging = pd.DataFrame({"post_views": [0, 8, 0, 10]})  # errors 1, 0.2, 0, 0: median 0.1
    assert exercise.streaming_groups(streaming, lagging) == set()
    lagging.loc[3, "post_views"] = 5  # errors 1, 0.2, 0, 0.5: median 0.35
    assert exercise.streaming_groups(streaming, lagging) == {"post views"}


def test_an_unknown_group_is_named(built):
    message = rejected(task(5), {"post age"}, built.context)
    assert "streaming must be a set of groups among" in message


# --- Task 6 ---------------------------------------------------------------------------------------


def curves(ab, interleaving):
    sessions = (250, 500, 1000, 2000)
    return pd.DataFrame({"method": ["A/B test"] * 4 + ["interleaving"] * 4,
                         "sessions": sessions * 2, "power": ab + interleaving})


def test_the_interleaving_verdict_rule():
    verdict = exercise.interleaving_verdict
    assert verdict(curves([0.1, 0.3, 0.6, 0.9], [0.5, 0.9, 1, 1])) == "several times fewer"
    assert verdict(curves([0.1, 0.3, 0.6, 0.7], [0.5, 0.9, 1, 1])) == "several times fewer"
    assert verdict(curves([0.1, 0.3, 0.85, 0.9], [0.3, 0.6, 0.9, 1])) == "about the same"
    assert verdict(curves([0.9, 1, 1, 1], [0.1, 0.3, 0.6, 0.9])) == "several times more"
    with pytest.raises(ValueError, match="neither method reaches 80% power"):
        verdict(curves([0.1, 0.2, 0.3, 0.4], [0.1, 0.2, 0.3, 0.4]))
