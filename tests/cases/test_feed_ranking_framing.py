"""Notebook 1's and 2's measurements of the feed case: each checked against a direct computation
on the same rows, or against a property the truth guarantees (no order earns more value than the
value model on the true probabilities: the rearrangement inequality, examination falling with
the slot)."""

import numpy as np
import pandas as pd
import pytest

from mlsd.cases.feed_ranking import framing
from mlsd.cases.contract import has_truth
from mlsd.cases.feed_ranking.data import NO_TRUTH, load_data, split
from mlsd.cases.feed_ranking.evaluation import (
    feed_metrics,
    feed_table,
    head_scorecard,
    member_rate_scores,
    truth_predictions,
    value_scores,
)
from mlsd.cases.feed_ranking.explore import value_model_explorer
from mlsd.cases.feed_ranking.heads_tradeoffs import dwell_against_clicks
from mlsd.cases.feed_ranking.models import HeadModels, reverse_chronological
from mlsd.cases.feed_ranking.schema import HEADS, head_labels
from mlsd.metrics import grouped_roc_auc, roc_auc


@pytest.fixture(scope="module")
def data():
    return load_data("simulated", seed=3, n_impressions=30_000)


@pytest.fixture(scope="module")
def held_out(data):
    held_out = split(data)
    predictions = HeadModels(seed=3).fit(held_out.train).predict(held_out.test, serve_position=1)
    return held_out, predictions


def test_head_rates_are_the_labels_means_with_their_stories(data):
    rates = framing.head_rates(data.table)
    expected = head_labels(data.table).mean()
    assert rates.index.tolist() == list(HEADS)
    np.testing.assert_allclose(rates["positive_rate"], expected[list(HEADS)])
    assert (rates["one_in"] == (1 / expected[list(HEADS)]).round()).all()
    assert rates.loc["long_dwell", "means"] == "opened and read it 30 s or more"


def test_no_order_earns_more_value_than_the_truths_and_newest_first_is_minus_the_age(data):
    table = framing.ordering_table(data.world, data.table, seed=5)
    assert table.index.tolist() == list(framing.ORDERINGS)
    assert table["value"].idxmax() == "value model on the truth"
    newest = feed_metrics(data.world, data.table, -data.table["post_age_hours"].to_numpy())
    assert table.loc["reverse-chronological", "value"] == pytest.approx(newest["value"])
    again = framing.ordering_table(data.world, data.table, seed=5)
    pd.testing.assert_frame_equal(table, again)
    assert not framing.ordering_table(data.world, data.table, seed=6).equals(table)  # random row


def test_baseline_auc_is_newest_first_scored_by_the_metrics_core(data):
    rows = data.table.iloc[:8_000]
    table = framing.baseline_auc(rows)
    labels, score = head_labels(rows), reverse_chronological(rows)
    for head in HEADS:
        assert table.loc[head, "roc_auc"] == pytest.approx(roc_auc(labels[head], score))
        assert table.loc[head, "grouped_roc_auc"] == pytest.approx(
            grouped_roc_auc(labels[head], score, rows["member_id"]))


def test_clicks_by_creator_kind_splits_every_click_by_the_worlds_clickbait_flag(data):
    kinds = framing.clicks_by_creator_kind(data.world, data.table)
    assert kinds["clicks"].sum() == data.table["click"].sum()
    bait = data.world.creators["clickbait"].to_numpy()[data.table["creator_id"].to_numpy(int)]
    clicked = data.table[(data.table["click"] == 1) & bait]
    assert kinds.loc["click-bait creators", "median_dwell_seconds"] == pytest.approx(
        clicked["dwell_seconds"].median())
    assert kinds.loc["click-bait creators", "long_read_share"] < kinds.loc[
        "other creators", "long_read_share"]


def test_a_member_only_score_is_the_smoothed_past_rate_and_ties_within_every_member():
    history = pd.DataFrame({"member_id": [0, 0, 0, 1], "click": [1, 1, 0, 0],
                            "dwell_seconds": 0.0, **{a: 0 for a in ("like", "comment", "share",
                                                                     "hide")}})
    rows = pd.DataFrame({"member_id": [0, 1, 2]})
    rate = 2 / 4
    expected = [(2 + 2 * rate) / (3 + 2), (0 + 2 * rate) / (1 + 2), rate]
    np.testing.assert_allclose(member_rate_scores(history, rows, prior_strength=2), expected)
    with pytest.raises(ValueError, match="head must be one of"):
        member_rate_scores(history, rows, head="dwell")


def test_the_feed_table_rows_are_feed_metrics_of_each_order(data, held_out):
    split_rows, predictions = held_out
    test = split_rows.test
    table = feed_table(data.world, test, {"model": predictions})
    assert table.index.tolist() == ["newest first", "model", "value model on the truth"]
    model = feed_metrics(data.world, test, value_scores(predictions))
    assert table.loc["model"].to_dict() == pytest.approx({c: model[c] for c in table.columns})
    assert table["value"].idxmax() == "value model on the truth"


def test_the_notebooks_explorer_starts_at_the_feed_metrics_of_its_rows(data, held_out):
    split_rows, predictions = held_out
    snapshot = value_model_explorer(data.world, split_rows.test, predictions).state.snapshot()
    expected = feed_metrics(data.world, split_rows.test, value_scores(predictions))
    assert snapshot.clicks == pytest.approx(expected["clicks"])
    assert snapshot.hides == pytest.approx(expected["hides"])


def test_experiments_given_the_notebooks_heads_equal_those_that_train_their_own(data, held_out):
    split_rows, _ = held_out
    own = HeadModels().fit(split_rows.train).predict(split_rows.test, serve_position=1)
    given = dwell_against_clicks(data, served=own)
    pd.testing.assert_frame_equal(given.table, dwell_against_clicks(data).table)
    with pytest.raises(ValueError, match="served must have one column per head"):
        dwell_against_clicks(data, served=own.iloc[:10])


def test_only_the_simulator_has_truth(data):
    assert has_truth(data)
    assert not has_truth(data.__class__(source="kuairand", table=data.table, sizes={}, world=None))
    assert "no truth" in NO_TRUTH
    assert truth_predictions(data.table).shape == (len(data.table), len(HEADS))


def test_the_scorecard_scores_the_heads_asked_for_and_refuses_unknown_ones(data, held_out):
    split_rows, predictions = held_out
    labels, members = head_labels(split_rows.test), split_rows.test["member_id"]
    every = head_scorecard(labels, predictions, members)
    some = head_scorecard(labels, predictions, members, heads=["click", "like"])
    pd.testing.assert_frame_equal(some, every.loc[["click", "like"]])
    with pytest.raises(ValueError, match="heads must be some of"):
        head_scorecard(labels, predictions, members, heads=["dwell"])
