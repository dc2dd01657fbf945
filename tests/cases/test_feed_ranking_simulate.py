"""The feed-ranking simulator against its own generative story."""

import re

import numpy as np
import pandas as pd
import pytest

from mlsd.cases.feed_ranking.schema import COLUMNS, HEADS, NULLABLE_CODE_COLUMNS, check_table, head_labels
from mlsd.cases.feed_ranking.simulate import (
    TRENDING_LIST_SIZE, TRENDING_WINDOW_HOURS, TRUTH_COLUMNS, VIRAL_DECAY_HOURS, simulate_feed,
)

SEED = 1
Z = 4.0  # a deviation of more than Z standard errors is a failure, not noise


@pytest.fixture(scope="module")
def world():
    return simulate_feed(n_impressions=150_000, seed=SEED)


@pytest.fixture(scope="module")
def explored():
    """Half of the sessions in random order, so that every slot holds thousands of them."""
    return simulate_feed(n_impressions=60_000, random_share=0.5, seed=SEED)


def _expected(impressions, head):
    """The chance of the action per row: examination times the truth given examination."""
    return impressions["examine_probability"].to_numpy() * impressions[f"true_{head}"].to_numpy()


def _z(observed, probability):
    """How many standard errors the count of ``observed`` lies from the sum of ``probability``."""
    probability = np.asarray(probability)
    spread = np.sqrt((probability * (1 - probability)).sum())
    return (np.sum(observed) - probability.sum()) / spread


def test_impressions_follow_the_schema(world):
    impressions, parameters = world.impressions, world.parameters
    assert check_table(impressions) is impressions
    assert list(impressions.columns) == [*COLUMNS, "policy_score", *TRUTH_COLUMNS]
    assert len(impressions) == parameters["n_impressions"]
    assert (impressions["impression_id"].to_numpy() == np.arange(len(impressions))).all()
    for column in NULLABLE_CODE_COLUMNS:
        assert isinstance(impressions[column].dtype, pd.Int64Dtype) and not impressions[column].isna().any()
    sessions = impressions.groupby("session_id")
    assert sessions.size().max() == parameters["slots"]
    assert not impressions.duplicated(["session_id", "post_id"]).any()
    assert (sessions["position"].max() == sessions.size()).all()  # slots 1..k (the last ones cut)
    assert (sessions["random_order"].nunique() == 1).all()
    created = world.posts["created_time"].to_numpy()[impressions["post_id"].to_numpy()]
    assert np.allclose(impressions["post_age_hours"], 24 * (impressions["time"] - created))
    truth = impressions[list(TRUTH_COLUMNS)].to_numpy()
    assert ((truth > 0) & (truth <= 1)).all()
    assert (impressions["true_long_dwell"] <= impressions["true_click"]).all()


def test_simulator_is_deterministic_per_seed():
    small = dict(n_members=500, n_creators=50, n_days=2, n_impressions=5_000)
    first, second = simulate_feed(**small, seed=11), simulate_feed(**small, seed=11)
    for table in ("impressions", "members", "creators", "posts"):
        pd.testing.assert_frame_equal(getattr(first, table), getattr(second, table))
    assert not simulate_feed(**small, seed=12).impressions.equals(first.impressions)


@pytest.mark.parametrize("name, value, allowed", [
    ("n_members", 0, "an integer >= 1"),
    ("n_creators", 2.5, "an integer >= 1"),
    ("n_days", True, "an integer >= 1"),
    ("n_impressions", -1, "an integer >= 1"),
    ("slots", 0, "an integer >= 1"),
    ("candidates_per_session", 9, "an integer >= 10"),
    ("random_share", 1.5, "a number in [0, 1]"),
    ("examination_decay", float("nan"), "a number in [0, 5]"),
    ("seed", -3, "an integer >= 0"),
])
def test_bad_parameters_are_named(name, value, allowed):
    with pytest.raises(ValueError, match="^" + re.escape(f"{name} must be {allowed}; got")):
        simulate_feed(**{name: value})


def test_random_order_clicks_by_slot_are_examination_times_the_truth(explored):
    shown = explored.impressions[explored.impressions["random_order"]]
    slots = explored.parameters["slots"]
    for _, rows in shown.groupby("position"):
        assert abs(_z(rows["click"], _expected(rows, "click"))) < Z
    first, last = (shown[shown["position"] == k] for k in (1, slots))
    gap = first["click"].mean() - last["click"].mean()
    noise = np.sqrt(first["click"].var() / len(first) + last["click"].var() / len(last))
    assert gap > Z * noise  # the click rate falls with the slot ...
    truth_gap = first["true_click"].mean() - last["true_click"].mean()
    truth_noise = np.sqrt(first["true_click"].var() / len(first) + last["true_click"].var() / len(last))
    assert abs(truth_gap) < Z * truth_noise  # ... though the posts are as good in every slot


def test_logged_order_mixes_examination_with_the_policy(explored):
    """In the production order the better posts sit higher: the click rate by slot falls faster than
    examination alone, so reading position bias off logged clicks overstates it."""
    impressions, slots = explored.impressions, explored.parameters["slots"]
    corrected_gap = {}
    for random_order, shown in impressions.groupby("random_order"):
        for _, rows in shown.groupby("position"):
            assert abs(_z(rows["click"], _expected(rows, "click"))) < Z
        first, last = (shown[shown["position"] == k] for k in (1, slots))
        per_examination = [rows["click"] / rows["examine_probability"] for rows in (first, last)]
        noise = np.sqrt(sum(values.var() / len(values) for values in per_examination))
        corrected_gap[random_order] = (per_examination[0].mean() - per_examination[1].mean()) / noise
    assert corrected_gap[False] > Z and abs(corrected_gap[True]) < Z


def test_actions_happen_only_on_examined_posts(world):
    impressions = world.impressions
    labels = head_labels(impressions)
    for head in HEADS:
        assert abs(_z(labels[head], _expected(impressions, head))) < Z, head
    blind = simulate_feed(n_impressions=20_000, examination_decay=5.0, seed=SEED).impressions
    low = blind[blind["position"] >= 3]  # examined once in 243 views or less
    for head in ("click", "like", "hide"):
        assert abs(_z(low[head], _expected(low, head))) < Z
        assert low[head].sum() < 0.05 * low[f"true_{head}"].sum()  # what full examination would give


def test_positive_rates_are_those_of_a_real_feed(world):
    rates = head_labels(world.impressions).mean()
    assert 0.05 < rates["click"] < 0.15
    assert 0 < rates["long_dwell"] < rates["click"]
    assert 0.01 < rates["like"] < 0.04
    assert 0 < rates["comment"] < 0.01 and 0 < rates["share"] < 0.01
    assert 0.005 < rates["hide"] < 0.02


def test_clickbait_clicks_are_short_reads_and_draw_hides(world):
    impressions = world.impressions
    clickbait = world.creators["clickbait"].to_numpy()[impressions["creator_id"].to_numpy(dtype=int)]
    clicked = impressions["click"].to_numpy() == 1
    dwell = impressions["dwell_seconds"].to_numpy()
    assert np.median(dwell[clicked & clickbait]) < np.median(dwell[clicked & ~clickbait]) / 2
    hide = impressions["hide"].to_numpy()
    noise = np.sqrt(hide[clickbait].var() / clickbait.sum() + hide[~clickbait].var() / (~clickbait).sum())
    assert hide[clickbait].mean() - hide[~clickbait].mean() > Z * noise
    quality = world.posts["quality"].to_numpy()[impressions["post_id"].to_numpy()]
    honest = clicked & ~clickbait
    low, high = np.quantile(quality[honest], [1 / 3, 2 / 3])
    assert np.median(dwell[honest & (quality > high)]) > np.median(dwell[honest & (quality < low)])


def test_viral_posts_gather_their_engagement_within_hours(world):
    impressions = world.impressions
    engagement = impressions[["like", "comment", "share"]].sum(axis=1).to_numpy()
    viral = world.posts["viral"].to_numpy()[impressions["post_id"].to_numpy()]
    age = impressions["post_age_hours"].to_numpy()

    def early_share(rows, hours):
        events = np.repeat(age[rows], engagement[rows])
        share = np.mean(events < hours)
        return share, np.sqrt(share * (1 - share) / len(events))

    most, most_noise = early_share(viral, 2 * VIRAL_DECAY_HOURS)
    assert most - 0.5 > Z * most_noise
    (fast, fast_noise), (slow, slow_noise) = (early_share(rows, VIRAL_DECAY_HOURS)
                                              for rows in (viral, ~viral))
    assert fast - slow > Z * np.hypot(fast_noise, slow_noise)


def test_trending_candidates_are_the_posts_with_recent_engagement(world):
    """Recount the trending list from the table: a trending post had the most engagements in the
    whole hours before its session's hour, or the list had room to spare."""
    impressions, parameters = world.impressions, world.parameters
    hour = np.floor(impressions["time"].to_numpy() * 24).astype(int)
    post = impressions["post_id"].to_numpy()
    engaged = impressions[["click", "like", "comment", "share"]].to_numpy().any(axis=1)
    before = np.zeros((hour.max() + 2, len(world.posts)))  # before[h, p]: engagements in hours < h
    np.add.at(before, (hour[engaged] + 1, post[engaged]), 1)
    before = before.cumsum(axis=0)
    hours = np.arange(hour.max() + 1)
    window = before[hours] - before[np.maximum(hours - TRENDING_WINDOW_HOURS, 0)]
    recent = window[hour, post]
    size = max(TRENDING_LIST_SIZE, parameters["candidates_per_session"] + parameters["slots"])
    cutoff = -np.sort(-window, axis=1)[:, size - 1]
    room = (window > 0).sum(axis=1) < size
    trending = impressions["source"].to_numpy() == "trending"
    listed = recent[trending] >= cutoff[hour[trending]]
    assert (listed & ((recent[trending] > 0) | room[hour[trending]])).all()
    after_a_day = hour >= 24
    share = {source: np.mean(recent[after_a_day & (impressions["source"].to_numpy() == source)] > 0)
             for source in ("network", "follows", "trending")}
    assert share["trending"] > 0.9 and share["trending"] > max(share["network"], share["follows"]) + 0.3


def test_bigger_creators_get_more_impressions(world, explored):
    impressions = world.impressions
    per_creator = impressions.groupby("creator_id").size()
    followers = world.creators["followers"].to_numpy()[per_creator.index.to_numpy(dtype=int)]
    assert pd.Series(per_creator.to_numpy()).corr(pd.Series(followers), method="spearman") > 0.5
    shown, slots = explored.impressions, explored.parameters["slots"]
    size = np.log1p(explored.creators["followers"].to_numpy()[shown["creator_id"].to_numpy(dtype=int)])
    for random_order, favoured in ((False, True), (True, False)):
        in_order = shown["random_order"].to_numpy() == random_order
        first, last = (size[in_order & (shown["position"] == k).to_numpy()] for k in (1, slots))
        gap = (first.mean() - last.mean()) / np.sqrt(first.var() / len(first) + last.var() / len(last))
        assert (gap > Z) if favoured else (abs(gap) < Z)


def test_long_dwell_labels_agree_with_the_truth(world):
    impressions = world.impressions
    labels = head_labels(impressions)
    assert (labels["long_dwell"] <= labels["click"]).all()
    for clicked_truth in (impressions["true_long_dwell"] < impressions["true_click"] / 2,
                          impressions["true_long_dwell"] >= impressions["true_click"] / 2):
        rows = impressions[clicked_truth]
        assert abs(_z(labels.loc[rows.index, "long_dwell"], _expected(rows, "long_dwell"))) < Z


def test_truth_of_gives_the_logged_truth_and_refuses_times_before_a_post(world):
    impressions = world.impressions.iloc[::97]
    truth = world.truth_of(impressions)
    assert list(truth.columns) == [f"true_{head}" for head in HEADS]
    assert np.allclose(truth.to_numpy(), impressions[truth.columns].to_numpy())
    assert np.allclose(world.examine_probability(impressions["position"]), impressions["examine_probability"])
    later = impressions.assign(time=impressions["time"] + 1)
    assert (world.truth_of(later)["true_share"] <= truth["true_share"]).all()  # freshness fades
    early = impressions.assign(time=world.posts["created_time"].to_numpy()[impressions["post_id"]] - 0.5)
    with pytest.raises(ValueError, match="before the post's creation"):
        world.truth_of(early)
