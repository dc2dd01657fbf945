"""The feed's point-in-time features, on a table built by hand, and its heads against the
simulator's truth: calibrated per head, ranking clicks below the truth and above the
reverse-chronological baseline."""

import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_limits

from mlsd.cases.feed_ranking.data import load_data, split
from mlsd.cases.feed_ranking.features import (
    MISSING_POSITION,
    context_features,
    counts_before,
    daily_post_engagement,
    point_in_time_features,
    post_engagement,
    rate_features,
)
from mlsd.cases.feed_ranking.models import HeadModels, reverse_chronological
from mlsd.cases.feed_ranking.schema import HEADS, SOURCES, head_labels
from mlsd.cases.feed_ranking.simulate import simulate_feed
from mlsd.metrics import calibration_ratio, roc_auc

NA = pd.NA
POSTS = {0: (0, 0), 1: (1, 1), 2: (NA, NA)}  # post: (creator, topic); post 2's are unknown
HAND_ROWS = [  # time (days), member, post, actions
    (0.00, 0, 0, {"click": 1, "dwell_seconds": 40.0}),  # a long dwell
    (0.01, 1, 1, {"hide": 1}),
    (0.02, 1, 0, {"click": 1, "like": 1, "dwell_seconds": 5.0}),  # a bounce
    (0.10, 0, 1, {}),
    (0.10, 1, 2, {}),
    (1.00, 0, 0, {"click": 1, "dwell_seconds": 50.0}),  # at the very start of day 1
    (1.02, 0, 0, {}),
    (1.20, 0, 0, {}),
]
HOUR = 60.0  # the label delay of the hand-built checks, in minutes: 1/24 of a day
M = 2.0  # their prior strength
CALIBRATION = (0.8, 1.25)


def hand_table():
    """The impressions of :data:`HAND_ROWS` in the schema's columns the features read."""
    rows = []
    for number, (time, member, post, actions) in enumerate(HAND_ROWS):
        creator, topic = POSTS[post]
        rows.append({"impression_id": number, "time": time, "day": int(time), "member_id": member,
                     "post_id": post, "creator_id": creator, "topic": topic,
                     "position": NA if post == 2 else number % 3 + 1, "source": "network",
                     "format": "text", "post_age_hours": np.nan if post == 2 else 24 * time + 1,
                     "click": 0, "like": 0, "comment": 0, "share": 0, "hide": 0,
                     "dwell_seconds": 0.0, **actions})
    table = pd.DataFrame(rows)
    for column in ("creator_id", "topic", "position"):
        table[column] = table[column].astype("Int64")
    return table


def test_counts_before_counts_only_earlier_events_of_the_same_key():
    event_key = np.array([0, 0, 1, -1, 0])
    event_time = np.array([1.0, 2.0, 1.0, 0.0, 3.0])
    weights = np.array([[1, 5], [1, 0], [1, 7], [1, 9], [1, 2]])
    read_key = np.array([0, 0, 0, 1, -1, 2])
    read_time = np.array([1.0, 2.5, 9.0, 1.5, 5.0, 9.0])
    counts = counts_before(event_key, event_time, weights, read_key, read_time)
    # at an event's own time it is not counted yet; an unknown key counts and reads nothing
    expected = [[0, 0], [2, 5], [3, 7], [1, 7], [0, 0], [0, 0]]
    np.testing.assert_array_equal(counts, expected)


def test_rates_count_only_the_impressions_that_had_arrived_by_hand():
    table = hand_table()
    rates = rate_features(table, table, prior_strength=M, delay_minutes=HOUR)
    # row 0 … 2 arrive at 0.0417 … 0.0617, before rows 3 and 4 (t = 0.10) are served: N = 3,
    # clicks 2, long dwells 1, likes 1, hides 1 → global rates 2/3, 1/3, 1/3, 0, 0, 1/3
    g = {"click": 2 / 3, "long_dwell": 1 / 3, "like": 1 / 3, "comment": 0, "share": 0,
         "hide": 1 / 3}
    row3, row4 = rates.iloc[3], rates.iloc[4]
    assert row3["member_click"] == pytest.approx((1 + M * g["click"]) / (1 + M))  # member 0: row 0
    assert row3["member_long_dwell"] == pytest.approx((1 + M * g["long_dwell"]) / (1 + M))
    assert row3["member_topic_click"] == pytest.approx(g["click"])  # member 0 never saw topic 1
    assert row3["creator_hide"] == pytest.approx((1 + M * g["hide"]) / (1 + M))  # creator 1: row 1
    assert row3["creator_click"] == pytest.approx(M * g["click"] / (1 + M))
    assert row4["member_click"] == pytest.approx((1 + M * g["click"]) / (2 + M))  # rows 1, 2
    assert row4["member_long_dwell"] == pytest.approx(M * g["long_dwell"] / (2 + M))  # a bounce
    for head in HEADS:  # post 2's creator and topic are unknown: the global rate
        assert row4[f"creator_{head}"] == pytest.approx(g[head])
        assert row4[f"member_topic_{head}"] == pytest.approx(g[head])
    assert [row3["member_impressions"], row4["member_impressions"]] == [1, 2]
    assert row4["creator_impressions"] == 0 and row4["member_topic_impressions"] == 0
    # nothing has arrived for rows 0 … 2: every count is 0, the global rate too
    assert (rates.iloc[:3] == 0).all().all()


def test_the_streaming_counter_moves_during_the_day_and_the_daily_one_does_not():
    table = hand_table()
    streaming = post_engagement(table, table, delay_minutes=HOUR)
    daily = daily_post_engagement(table, table, delay_minutes=HOUR)
    # post 0 by day 1: rows 0 (a click) and 2 (a click and a like) → 2 views, 3 engagements
    assert streaming.iloc[5].tolist() == [2, 3] and daily.iloc[5].tolist() == [2, 3]
    assert streaming.iloc[6].tolist() == [2, 3]  # row 5 arrives at 1.0417, after 1.02
    assert streaming.iloc[7].tolist() == [4, 4] and daily.iloc[7].tolist() == [2, 3]
    assert streaming.iloc[3].tolist() == [1, 0]  # post 1: row 1's hide is not an engagement
    assert (streaming.iloc[:3] == 0).all().all() and (daily.iloc[:5] == 0).all().all()


def test_no_delay_still_leaves_out_the_impression_itself_and_its_ties():
    table = hand_table()
    streaming = post_engagement(table, table, delay_minutes=0)
    assert streaming["post_views"].tolist() == [0, 0, 1, 1, 0, 2, 3, 4]
    rates = rate_features(table, table, delay_minutes=0)
    assert rates["member_impressions"].tolist() == [0, 0, 1, 1, 2, 2, 3, 4]  # rows 3, 4 tie


def test_missing_creator_topic_position_and_age_get_their_defaults():
    table = hand_table()
    context = context_features(table, ("follows", "network"))
    assert context["position"].tolist() == [1, 2, 3, 1, MISSING_POSITION, 3, 1, 2]
    assert context["age_unknown"].tolist() == [0, 0, 0, 0, 1, 0, 0, 0]
    assert context.loc[4, "post_age_hours"] == 0
    assert (context["source_code"] == 1).all() and (context["format_code"] == 0).all()
    assert context_features(table, ("trending",))["source_code"].eq(-1).all()
    assert (context_features(table, ("network",), serve_position=4)["position"] == 4).all()
    with pytest.raises(ValueError, match="serve_position must be an integer >= 1; got 0"):
        context_features(table, ("network",), serve_position=0)


@pytest.fixture(scope="module")
def small_world():
    return simulate_feed(n_members=600, n_creators=80, n_days=3, n_impressions=20_000, seed=2)


def test_features_of_the_past_do_not_change_with_the_future(small_world):
    table = small_world.impressions
    cut = len(table) // 2
    full = point_in_time_features(table, table, SOURCES)
    past = table.iloc[:cut]
    pd.testing.assert_frame_equal(full.iloc[:cut], point_in_time_features(past, past, SOURCES))


def test_the_streaming_counter_is_never_below_the_daily_one(small_world):
    table = small_world.impressions
    streaming, daily = post_engagement(table, table), daily_post_engagement(table, table)
    assert (streaming >= daily).all().all()
    assert (streaming > daily).any().all()


def test_unknown_creators_topics_positions_and_ages_fit_and_predict(small_world):
    table = small_world.impressions.copy()
    unknown = table["impression_id"] % 2 == 0  # half the rows, as KuaiRand without its features
    for column in ("creator_id", "topic", "position"):
        table.loc[unknown, column] = pd.NA
    table.loc[unknown, "post_age_hours"] = np.nan
    predicted = HeadModels().fit(table.iloc[:15_000]).predict(table.iloc[15_000:])
    assert np.isfinite(predicted.to_numpy()).all() and len(predicted) == 5_000
    features = point_in_time_features(table, table, SOURCES)
    assert (features.loc[unknown, "position"] == MISSING_POSITION).all()
    no_creators = table.assign(creator_id=pd.array([pd.NA] * len(table), dtype="Int64"))
    global_rates = rate_features(no_creators, table)  # no creator known: every rate global
    for head in HEADS:
        np.testing.assert_allclose(features.loc[unknown, f"creator_{head}"],
                                   global_rates.loc[unknown, f"creator_{head}"])


def test_a_fit_is_deterministic_and_the_same_on_more_threads(small_world):
    held_out = split(load_data("simulated", seed=2, n_members=600, n_creators=80, n_days=4,
                               n_impressions=30_000), test_days=1)
    first = HeadModels(seed=3).fit(held_out.train).predict(held_out.test)
    with threadpool_limits(limits=2):
        again = HeadModels(seed=3).fit(held_out.train).predict(held_out.test)
    pd.testing.assert_frame_equal(first, again)
    assert list(first.columns) == list(HEADS) and first.index.equals(held_out.test.index)


def test_bad_labels_and_a_warm_up_longer_than_the_table_are_named(small_world):
    table = small_world.impressions
    labels = head_labels(table)
    with pytest.raises(ValueError, match=r"labels must be a DataFrame with a column per head .* "
                                         r"missing \['hide'\]"):
        HeadModels().fit(table, labels.drop(columns="hide"))
    with pytest.raises(ValueError, match=r"labels must have one row per impression \(20000\); "
                                         "got 19999"):
        HeadModels().fit(table, labels.iloc[1:])
    with pytest.raises(ValueError, match=r"labels\['like'\] must be 0 or 1"):
        HeadModels().fit(table, labels.assign(like=2))
    with pytest.raises(ValueError, match=r"labels\['share'\] holds one class only"):
        HeadModels().fit(table, labels.assign(share=0))
    with pytest.raises(ValueError, match="no row after warmup_days = 5.0"):
        HeadModels(warmup_days=5).fit(table)
    with pytest.raises(ValueError, match=r"delay_minutes must be .*0.*; got -1"):
        HeadModels(delay_minutes=-1)


def test_reverse_chronological_puts_the_newest_first_and_unknown_ages_last():
    rows = pd.DataFrame({"post_age_hours": [3.0, np.nan, 0.5, 10.0]})
    assert reverse_chronological(rows).tolist() == [-3.0, -11.0, -0.5, -10.0]
    assert reverse_chronological(rows.iloc[[1]]).tolist() == [0.0]


@pytest.fixture(scope="module", params=[1, 3])
def scored(request):
    """Heads fit on the first five days of the default simulated feed, scored on the last two."""
    held_out = split(load_data("simulated", seed=request.param))
    models = HeadModels(seed=request.param).fit(held_out.train)
    return held_out.test, models, models.predict(held_out.test)


def test_each_head_is_calibrated_on_the_test_days(scored):
    test, _, predicted = scored
    labels = head_labels(test)
    for head in HEADS:
        ratio = calibration_ratio(labels[head], predicted[head])
        assert CALIBRATION[0] <= ratio <= CALIBRATION[1], (head, ratio)


def test_the_click_head_ranks_below_the_truth_and_above_the_fresh_first_feed(scored):
    test, _, predicted = scored
    clicks = test["click"]
    truth = roc_auc(clicks, test["true_click"] * test["examine_probability"])
    model = roc_auc(clicks, predicted["click"])
    baseline = roc_auc(clicks, reverse_chronological(test))
    assert baseline + 0.1 < model < truth
    assert model > 0.7


def test_serving_in_the_top_slot_scores_every_row_as_if_first(scored):
    test, models, predicted = scored
    top = models.predict(test, serve_position=1)
    assert (models.features(test, serve_position=1)["position"] == 1).all()
    first = test["position"].to_numpy() == 1
    np.testing.assert_allclose(top[first], predicted[first])
    assert (top.loc[~first, "click"] > predicted.loc[~first, "click"]).all()
