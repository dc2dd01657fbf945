"""The video exercise's tasks beyond the generic test (``tests/test_exercise_tasks.py``): the
reference answers agree with the kit, the probes separate the wrong rules as designed, the
answers the notebook states hold on seeds 1-5, and the checks' verdicts say what is wrong."""

import contextlib
import io

import numpy as np
import pandas as pd
import pytest

from mlsd.cases import video_recs as case
from mlsd.cases.video_recs import exercise as ex
from mlsd.cases.video_recs.data import load_data
from mlsd.cases.video_recs.design import design_doc
from mlsd.metrics import recall_at_k
from mlsd.uncertainty import Interval


@pytest.fixture(scope="module")
def built():
    """The exercise at the notebook's defaults (its records silenced)."""
    with contextlib.redirect_stdout(io.StringIO()):
        return case.build_exercise(seed=5, n_events=40_000)


def test_the_facade_builds_the_exercise_on_a_frozen_context(built):
    assert case.build_exercise is ex.build
    assert [task.number for task in built.tasks] == list(range(1, 8))
    with pytest.raises(AttributeError):
        built.context.k = 10


# --- task 1 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("probe", ex.RECALL_PROBES)
def test_the_reference_recall_agrees_with_the_kits_metric(probe):
    recommended, relevant, k = probe
    first = ~pd.Series(recommended).duplicated().to_numpy()  # a repeat takes a slot, finds nothing
    hits = (np.isin(recommended, relevant) & first).astype(float)
    n = len(recommended)
    expected = recall_at_k(hits, -np.arange(n), np.zeros(n), k,
                           n_relevant=np.full(n, len(set(relevant))))
    assert ex.recall_at_k_of_list(recommended, relevant, k) == pytest.approx(expected)


def test_each_recall_slip_gives_its_own_results_on_the_probes(built):
    task = built.task(1)
    outcomes = [task.outcome(w.answer(built.context), built.context) for w in task.wrong_answers]
    outcomes.append(task.outcome(task.solution(built.context), built.context))
    assert len(set(outcomes)) == len(outcomes)


# --- task 2 ---------------------------------------------------------------------------------------


def interval(estimate, low, high):
    return Interval(estimate, low, high, 0.95, 1000)


def test_the_split_verdict_follows_the_interval():
    assert ex.split_verdict(interval(0.1, 0.05, 0.15)) == "random split"
    assert ex.split_verdict(interval(-0.1, -0.15, -0.05)) == "temporal split"
    assert ex.split_verdict(interval(0.02, -0.01, 0.05)) == "about the same"


@pytest.mark.parametrize("n_events", [40_000, 10_000])
@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_a_random_split_measurably_flatters_the_popular_list_on_every_seed(seed, n_events):
    data = load_data("simulated", seed=seed, n_users=ex.N_USERS, n_videos=ex.N_VIDEOS,
                     n_events=n_events)
    recall = ex._split_recall(data, seed)
    gap = ex.paired_difference_interval(recall["temporal"], recall["random"], seed=seed)
    assert ex.split_verdict(gap) == "random split", gap


def test_a_misspelt_option_is_named_as_not_an_option(built):
    assert built.task(2).outcome("random", built.context).startswith("not one of")


# --- task 3 ---------------------------------------------------------------------------------------

RULES = {
    "right": ex.ship_decision,
    "point estimate": ex._by_point_estimate,
    "either direction": ex._either_direction,
    "always": lambda table: "ship",
    "separate intervals": ex._separate_intervals,
}
PROBE_DECISIONS = {  # within noise, measurably worse, paired gain
    "right": ("keep", "keep", "ship"),
    "point estimate": ("ship", "keep", "ship"),
    "either direction": ("keep", "ship", "ship"),
    "always": ("ship", "ship", "ship"),
    "separate intervals": ("keep", "keep", "keep"),
}


@pytest.mark.parametrize("rule", RULES)
def test_each_shipping_rule_decides_on_the_probes_as_designed(rule):
    decisions = tuple(RULES[rule](table) for table in ex.ship_probes().values())
    assert decisions == PROBE_DECISIONS[rule]


def test_the_probes_put_their_intervals_far_from_the_edges():
    probes = ex.ship_probes()
    noise = ex.paired_difference_interval(probes["within noise"]["current"],
                                          probes["within noise"]["new"])
    assert noise.estimate > 0 and noise.low < -0.002 and noise.high > 0.002
    gain = probes["paired gain"]
    paired = ex.paired_difference_interval(gain["current"], gain["new"])
    current, new = ex.mean_interval(gain["current"]), ex.mean_interval(gain["new"])
    assert paired.low > 0.01 and new.low < current.high - 0.01


# --- task 4 ---------------------------------------------------------------------------------------


def test_a_mix_verdict_says_why_a_mix_is_wrong_for_whom(built):
    context = built.context
    per_user = context.mix_per_user

    def verdict(mix, group):
        return ex.mix_verdict(mix, per_user, group, context.seed)

    best_all = context.mix_table[("all users", "mean")].idxmax()
    assert verdict(best_all, "all users") == ex.WITHIN_NOISE
    assert verdict(best_all, "new users") == "the best mix for all users, measurably worse for " \
                                             "new users"
    assert verdict((0, 150, 0), "new users") == ("mostly matrix factorisation, measurably worse "
                                                 "for new users")
    assert verdict((0, 150, 0), "all users") == "measurably worse for all users"
    assert verdict([150, 0, 0], "new users") == ex.WITHIN_NOISE  # a list is read as a mix
    for not_a_mix in [(150, 0), "150, 0, 0", None, (1, 2, 3)]:
        assert verdict(not_a_mix, "new users") == "not one of the mixes"
    assert built.task(4).outcome((150, 0, 0), context) == (
        "not a pair (mix for all users, mix for new users)",)


def test_a_small_platform_still_gets_enough_watches_for_the_mixes():
    with contextlib.redirect_stdout(io.StringIO()):
        small = case.build_exercise(seed=1, n_events=10_000)
    new = small.context.mix_per_user.index.get_level_values("new").to_numpy(dtype=bool)
    assert new.sum() >= 20


# --- task 5 ---------------------------------------------------------------------------------------


def test_the_features_count_only_the_past_and_the_serving_window_is_seven_days():
    log = pd.DataFrame({"user_id": [0, 0, 0, 1, 0], "video_id": [0, 1, 2, 0, 1],
                        "time": [0.0, 5.0, 9.0, 9.5, 10.0], "engagement": [1.0, 0.5, 0.0, 1.0, 1.0],
                        "watch_seconds": [100.0, 50.0, 10.0, 60.0, 30.0]})
    videos = pd.DataFrame({"video_id": [0, 1, 2], "upload_time": [0.0, 2.0, 4.0]})
    requests = pd.DataFrame({"user_id": [0, 1], "video_id": [1, 2], "time": [10.0, 9.5]})
    training, serving = ex.skewed_features(log, videos, requests)
    assert training["user_watches"].tolist() == [3, 0]  # the watch at the request's time is not past
    assert serving["user_watches"].tolist() == [2, 0]  # days 5 and 9 are in the 7 days before 10
    assert training["user_watch_seconds"].tolist() == [160, 0]
    assert training["user_mean_engagement"].tolist() == [0.5, 0]
    assert training["video_watches"].tolist() == [1, 1]  # video 1 on day 5; video 2 on day 9
    assert training["video_age_days"].tolist() == [8.0, 5.5]
    for column in ("user_mean_engagement", "video_watches", "video_age_days"):
        assert serving[column].equals(training[column])
    ratio = serving["user_watch_seconds"][0] / training["user_watch_seconds"][0]
    assert abs(ratio - 1) <= ex.COUNTER_ERROR


def test_raw_units_point_at_the_noisy_column_and_the_standardized_shift_at_the_skew(built):
    training, serving = built.context.training_features, built.context.serving_features
    assert ex.raw_difference(training, serving).idxmax() == "user_watch_seconds"
    shift = ex.standardized_shift(training, serving)
    assert shift.idxmax() == "user_watches"
    assert shift["user_watches"] > 100 * shift["user_watch_seconds"]


def test_a_feature_or_fix_that_is_not_listed_is_named(built):
    outcome = built.task(5).outcome
    assert "is not one of the columns" in outcome(("watches", ex.FIXES[0]), built.context)
    assert "is not one of the fixes" in outcome(("user_watches", "fix it"), built.context)


# --- task 6 ---------------------------------------------------------------------------------------


def test_the_feed_design_passes_and_the_home_page_fails_only_the_feeds_own_rules():
    assert ex.feed_problems(ex.feed_design_doc()) == ()
    assert design_doc().review().passed
    problems = ex.feed_problems(design_doc())
    assert len(problems) == 3
    assert "the decision does not name the feed" in problems
    assert any("200 ms is too slow for a swipe" in problem for problem in problems)
    assert any("retrained every 24 h" in problem for problem in problems)


def test_the_feed_review_names_what_is_not_a_doc_and_a_missing_cadence():
    assert ex.feed_problems({"title": "feed"}) == ("not a DesignDoc but a dict",)
    doc = ex._with(ex.feed_design_doc(), data_freshness="Within minutes.")
    assert ex.feed_problems(doc) == ("no Retraining entry says how fresh the model is",)


def test_the_sizing_task_agrees_with_the_kits_sizing_and_its_probes_separate_the_slips():
    from mlsd.sizing import size

    context = ex.build(seed=5, n_events=10_000).context
    task = ex.TASKS[6]
    scales = ex._scales(context)
    assert task.outcome(task.solution(context), context) == tuple(size(s).scoring_cores_at_peak for s in scales)
    outcomes = {w.name: task.outcome(w.answer(context), context) for w in task.wrong_answers}
    assert len(set(outcomes.values())) == len(outcomes)  # every slip gives its own numbers
