"""The feed's scorecard per head, the AUC/GAUC gap, and the value model against the truth."""

import numpy as np
import pandas as pd
import pytest

from mlsd.cases.feed_ranking import evaluation as ev
from mlsd.cases.feed_ranking.models import reverse_chronological
from mlsd.cases.feed_ranking.schema import HEADS, head_labels
from mlsd.cases.feed_ranking.simulate import simulate_feed
from mlsd.metrics import grouped_roc_auc, roc_auc

N_IMPRESSIONS = 30_000


@pytest.fixture(scope="module", params=[1, 2])
def world(request):
    return simulate_feed(n_impressions=N_IMPRESSIONS, seed=request.param)


def noisy_copy(truth: pd.DataFrame, seed: int, sd: float = 1.0) -> pd.DataFrame:
    """The truth with Gaussian noise of standard deviation ``sd`` added to every logit."""
    logit = np.log(truth / (1 - truth))
    noise = np.random.default_rng(seed).normal(0, sd, logit.shape)
    return 1 / (1 + np.exp(-(logit + noise)))


def test_the_truth_of_the_logged_labels_outranks_a_noisy_copy_on_every_head(world):
    impressions = world.impressions
    labels, truth = head_labels(impressions), ev.truth_predictions(impressions)
    exact = ev.head_scorecard(labels, truth, impressions["member_id"])
    noisy = ev.head_scorecard(labels, noisy_copy(truth, world.parameters["seed"]), impressions["member_id"])
    assert list(exact.index) == list(HEADS) and list(exact.columns) == list(ev.SCORECARD_COLUMNS)
    for column in ("roc_auc", "grouped_roc_auc"):
        assert (exact[column] > noisy[column]).all(), column
    assert (exact["normalized_entropy"] < noisy["normalized_entropy"]).all()
    assert np.allclose(exact["positive_rate"], labels.mean())
    assert (exact["members_used"] <= impressions["member_id"].nunique()).all()


def test_the_scorecard_uses_the_kit_metrics_and_the_position_free_truth_over_predicts_logged_labels(world):
    impressions = world.impressions
    labels, truth = head_labels(impressions), ev.truth_predictions(impressions)
    card = ev.head_scorecard(labels, truth, impressions["member_id"])
    y, p = labels["click"].to_numpy(), truth["click"].to_numpy()
    assert card.loc["click", "roc_auc"] == roc_auc(y, p)
    assert card.loc["click", "grouped_roc_auc"] == grouped_roc_auc(y, p, impressions["member_id"])
    assert card.loc["click", "calibration_ratio"] == pytest.approx(p.mean() / y.mean())
    given = ev.truth_predictions(impressions, given_examination=True)
    ratio = ev.head_scorecard(labels, given, impressions["member_id"])["calibration_ratio"]
    # without the examination the head over-predicts the logged labels by mean(p) / mean(e p)
    assert np.allclose(ratio / card["calibration_ratio"], given.mean() / truth.mean(), rtol=1e-12)
    assert (ratio > 1.5).all()


def test_the_auc_gap_splits_the_global_auc_exactly_and_a_member_only_score_has_gauc_one_half(world):
    impressions = world.impressions
    members = impressions["member_id"].to_numpy()
    y = head_labels(impressions)["click"].to_numpy()
    truth = ev.truth_predictions(impressions)["click"].to_numpy()
    gap = ev.auc_gap(y, truth, members)
    share = gap["cross_member_pair_share"]
    mixed = share * gap["between_member_auc"] + (1 - share) * gap["within_member_auc"]
    assert gap["roc_auc"] == pytest.approx(mixed, abs=1e-12)
    assert 0.5 < share < 1 and "pairs compare two members" in ev.auc_gap_sentence(gap)
    # a score that knows only who the member is (their mean true click rate)
    member_only = pd.Series(truth).groupby(members).transform("mean").to_numpy()
    only = ev.auc_gap(y, member_only, members)
    assert only["roc_auc"] > 0.55 and only["between_member_auc"] > 0.55
    assert only["within_member_auc"] == 0.5 and only["grouped_roc_auc"] == 0.5


def test_value_scores_are_the_weighted_sum_of_the_heads():
    predictions = pd.DataFrame({"click": [0.1, 0.5], "like": [0.2, 0.0], "hide": [0.05, 0.3]})
    weights = {"click": 1.0, "like": 3.0, "hide": -10.0}
    assert np.array_equal(ev.value_scores(predictions, weights),
                          1.0 * predictions["click"] + 3.0 * predictions["like"] - 10.0 * predictions["hide"])
    with pytest.raises(ValueError, match=r"weights name heads \['share'\] that predictions lack"):
        ev.value_scores(predictions, {"share": 1.0})
    with pytest.raises(ValueError, match="weights\\['click'\\] must be"):
        ev.value_scores(predictions, {"click": float("nan")})
    assert ev.DEFAULT_WEIGHTS["hide"] < 0 < min(w for h, w in ev.DEFAULT_WEIGHTS.items() if h != "hide")
    assert set(ev.DEFAULT_WEIGHTS) == set(HEADS)


def test_slots_follow_the_score_within_each_session():
    slots = ev.slots_by_score([7, 7, 7, 3, 3], [0.1, 0.9, 0.5, 0.2, 0.2])
    assert slots.tolist() == [3, 1, 2, 1, 2]


def test_ordering_by_the_true_value_beats_random_and_reverse_chronological_feeds(world):
    impressions = world.impressions
    given = ev.truth_predictions(impressions, given_examination=True)
    rng = np.random.default_rng(world.parameters["seed"])
    by_truth = ev.feed_metrics(world, impressions, ev.value_scores(given))
    randomly = ev.feed_metrics(world, impressions, rng.random(len(impressions)))
    newest = ev.feed_metrics(world, impressions, reverse_chronological(impressions))
    for other in (randomly, newest):
        assert by_truth["value"] > other["value"]
        assert by_truth["clicks"] > other["clicks"] and by_truth["hides"] < other["hides"]
    for feed in (by_truth, randomly, newest):
        assert 0 <= feed["small_creator_share"] <= 1 and 0 <= feed["top_creator_share"] <= 1
        assert 0 < feed["creator_gini"] < 1


def test_the_expected_actions_are_the_truth_times_the_examination_of_the_new_slot(world):
    impressions = world.impressions
    scores = -impressions["position"].to_numpy(dtype=float)  # the logged order itself
    logged = ev.feed_metrics(world, impressions, scores)
    n_sessions = impressions["session_id"].nunique()
    expected_clicks = (impressions["examine_probability"] * impressions["true_click"]).sum() / n_sessions
    assert logged["clicks"] == pytest.approx(expected_clicks, rel=1e-12)
    viral = sum((impressions["examine_probability"] * impressions[f"true_{h}"]).sum() for h in ev.VIRAL_HEADS)
    assert logged["viral_actions"] == pytest.approx(viral / n_sessions, rel=1e-12)
    truth_only = impressions[[f"true_{head}" for head in HEADS]]
    assert ev.feed_metrics(truth_only, impressions, scores)["clicks"] == pytest.approx(logged["clicks"])


def test_raising_the_hide_weight_lowers_the_expected_hides(world):
    impressions = world.impressions
    given = ev.truth_predictions(impressions, given_examination=True)
    hides = [ev.feed_metrics(world, impressions,
                             ev.value_scores(given, {**ev.DEFAULT_WEIGHTS, "hide": weight}))["hides"]
             for weight in (0.0, -5.0, -50.0)]
    assert hides[0] > hides[1] > hides[2]


def test_gini_is_zero_for_equal_values_and_grows_with_concentration():
    assert ev.gini([1, 1, 1, 1]) == 0
    assert ev.gini([0, 0, 0, 4]) == pytest.approx(0.75)
    assert ev.gini([1, 2, 3, 4]) < ev.gini([0, 1, 2, 7])
    with pytest.raises(ValueError, match="gini needs values >= 0, not all 0"):
        ev.gini([0, 0])


def test_feed_metrics_names_what_it_cannot_read(world):
    impressions = world.impressions
    scores = np.zeros(len(impressions))
    with pytest.raises(ValueError, match="must be a FeedWorld or a DataFrame"):
        ev.feed_metrics(object(), impressions, scores)
    with pytest.raises(ValueError, match=r"weights name heads \['views'\]"):
        ev.feed_metrics(world, impressions, scores, weights={"views": 1.0})
    with pytest.raises(ValueError, match="indexed like impressions"):
        ev.feed_metrics(impressions.iloc[:10], impressions, scores)
