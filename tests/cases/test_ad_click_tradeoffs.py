"""Tests for mlsd.cases.ad_click.tradeoffs: what the simulator's truth guarantees, determinism,
table shapes, and argument checks."""

import math

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from mlsd.cases.ad_click.tradeoffs import (
    DOWNSAMPLING_RATES,
    downsampled_predictions,
    downsampling_tradeoff,
    exploration_simulation,
    freshness_decay,
    history_at_equal_compute,
    label_window_tradeoff,
    retraining_cadence,
    second_prices,
)
from mlsd.cases.ad_click.auction import run_auctions
from mlsd.cases.ad_click.models import HistoricalGBDT, SmoothedCTRBaseline
from mlsd.cases.ad_click.simulate import DELAY_MEDIAN_HOURS, DELAY_SIGMA, simulate_market
from mlsd.metrics import normalized_entropy


@pytest.fixture(scope="module")
def market():
    return simulate_market(n_impressions=60_000, seed=0)


class CountingFactory:
    """A model factory that counts how many models it made (one per fit)."""

    def __init__(self):
        self.made = 0

    def __call__(self):
        self.made += 1
        return SmoothedCTRBaseline()


def delay_exceeds(hours: float) -> float:
    """``P(delay > hours)`` for the simulator's log-normal click delay."""
    z = (math.log(hours) - math.log(DELAY_MEDIAN_HOURS)) / DELAY_SIGMA
    return 0.5 * math.erfc(z / math.sqrt(2))


# --- freshness_decay -----------------------------------------------------------------------------


def test_freshness_decay_has_one_row_per_later_day(market):
    table = freshness_decay(market, 9, SmoothedCTRBaseline)
    assert list(table.columns) == [
        "day", "days_since_training", "normalized_entropy", "fresh_normalized_entropy",
        "truth_normalized_entropy", "calibration_ratio", "gap", "gap_low", "gap_high",
    ]
    assert table["day"].tolist() == list(range(9, 14))
    assert table["days_since_training"].tolist() == list(range(5))


def test_freshness_decay_truth_column_scores_true_ctr(market):
    table = freshness_decay(market, 9, SmoothedCTRBaseline)
    impressions = market.impressions
    for day, value in zip(table["day"], table["truth_normalized_entropy"]):
        served = impressions[impressions["day"] == day]
        assert value == normalized_entropy(served["click"], served["true_ctr"])
    assert (table["truth_normalized_entropy"] < table["normalized_entropy"]).mean() >= 0.8


def test_freshness_decay_fits_one_stale_and_one_fresh_model_per_day(market):
    factory = CountingFactory()
    table = freshness_decay(market, 7, factory, fresh_window_days=7)
    assert factory.made == 1 + 6  # the first fresh window, days 0..6, is the stale one
    first = table.iloc[0]
    assert first["normalized_entropy"] == first["fresh_normalized_entropy"]


def test_freshness_decay_is_deterministic(market):
    assert_frame_equal(freshness_decay(market, 8, SmoothedCTRBaseline), freshness_decay(market, 8, SmoothedCTRBaseline))


# --- retraining_cadence --------------------------------------------------------------------------


def test_retraining_cadence_counts_trainings_and_shares_fits(market):
    factory = CountingFactory()
    table = retraining_cadence(market, 7, factory, cadences=(1, 2, 4, 7))
    assert list(table.columns) == ["cadence_days", "trainings", "training_rows", "mean_normalized_entropy", "ne_vs_daily", "ne_vs_daily_low", "ne_vs_daily_high", "truth_ne_vs_daily", "truth_ne_vs_daily_low", "truth_ne_vs_daily_high"]
    assert table["trainings"].tolist() == [7, 4, 2, 1]
    assert factory.made == 7
    assert table["ne_vs_daily"].iloc[0] == 0
    days = market.impressions["day"]
    assert table["training_rows"].iloc[-1] == ((days >= 0) & (days < 7)).sum()


def test_retraining_cadence_agrees_with_freshness_decay(market):
    cadence = retraining_cadence(market, 7, SmoothedCTRBaseline, cadences=(1, 7), train_window_days=7).set_index("cadence_days")
    freshness = freshness_decay(market, 7, SmoothedCTRBaseline, fresh_window_days=7)
    assert cadence.loc[7, "mean_normalized_entropy"] == pytest.approx(freshness["normalized_entropy"].mean(), rel=1e-12)
    assert cadence.loc[1, "mean_normalized_entropy"] == pytest.approx(freshness["fresh_normalized_entropy"].mean(), rel=1e-12)


def test_retraining_cadence_compares_with_daily_even_without_cadence_one(market):
    with_daily = retraining_cadence(market, 8, SmoothedCTRBaseline, cadences=(1, 3)).set_index("cadence_days")
    without_daily = retraining_cadence(market, 8, SmoothedCTRBaseline, cadences=(3,)).set_index("cadence_days")
    assert_frame_equal(without_daily, with_daily.loc[[3]])


def test_retraining_cadence_runs_the_boosted_trees(market):
    table = retraining_cadence(market, 12, HistoricalGBDT, cadences=(1, 2))
    assert table["trainings"].tolist() == [2, 1]
    assert (table["mean_normalized_entropy"] < 1).all()


# --- label_window_tradeoff -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def label_windows(market):
    return label_window_tradeoff(market, 13, windows_hours=(1, 6, 24, 72), train_window_days=7, equal_rows=False)


def test_label_window_columns_and_rows(label_windows, market):
    assert list(label_windows.columns) == [
        "window_hours", "clicks_missed_share", "freshest_label_age_hours", "training_rows",
        "normalized_entropy", "calibration_ratio", "calibration_ratio_low", "calibration_ratio_high",
        "truth_calibration_ratio", "mix_drift",
    ]
    assert label_windows["freshest_label_age_hours"].tolist() == [1, 6, 24, 72]
    time = market.impressions["time"]
    expected_rows = [((time >= 6) & (time < 13 - hours / 24)).sum() for hours in (1, 6, 24, 72)]
    assert label_windows["training_rows"].tolist() == expected_rows
    assert (label_windows["calibration_ratio_low"] < label_windows["calibration_ratio"]).all()
    assert (label_windows["calibration_ratio"] < label_windows["calibration_ratio_high"]).all()


def test_label_windows_at_equal_rows_train_on_as_many_rows_as_the_longest_keeps(market):
    equal = label_window_tradeoff(market, 13, windows_hours=(1, 24, 72), seed=2)
    time = market.impressions["time"]
    assert equal["training_rows"].tolist() == [((time >= 6) & (time < 13 - 3)).sum()] * 3
    served = market.impressions[market.impressions["day"] == 13]
    assert equal.attrs["click_noise"] == pytest.approx(served["true_ctr"].mean() / served["click"].mean())
    # the calibration ratio is the truth's ratio times the decision day's click noise
    np.testing.assert_allclose(equal["calibration_ratio"], equal["truth_calibration_ratio"] * equal.attrs["click_noise"])
    full_72 = market.impressions[(time >= 6) & (time < 10)]
    assert equal["mix_drift"].iloc[-1] == pytest.approx(full_72["true_ctr"].mean() / served["true_ctr"].mean())


def test_label_window_missed_clicks_follow_the_delay_distribution(label_windows, market):
    missed = label_windows["clicks_missed_share"].to_numpy()
    assert np.all(np.diff(missed) < 0)
    time = market.impressions["time"]
    for hours, share in zip(label_windows["window_hours"], missed):
        n_clicks = market.impressions.loc[(time >= 6) & (time < 13 - hours / 24), "click"].sum()
        truth = delay_exceeds(hours)
        assert abs(share - truth) < 4 * math.sqrt(truth * (1 - truth) / n_clicks) + 1e-3


def test_label_window_short_window_under_predicts_by_the_missed_share(label_windows):
    one_hour, one_day = label_windows.set_index("window_hours").loc[[1, 24], "calibration_ratio"]
    expected = (1 - delay_exceeds(1)) / (1 - delay_exceeds(24))
    assert one_hour / one_day == pytest.approx(expected, abs=0.08)
    assert one_hour < 0.85


# --- downsampling_tradeoff -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def default_market():
    return simulate_market(seed=0)


@pytest.fixture(scope="module")
def downsampling(default_market):
    """At the default size: at 60,000 impressions the rate 0.02 keeps about 1,700 training rows
    and loses about 0.05 of ROC AUC."""
    return downsampling_tradeoff(default_market, 10, rates=DOWNSAMPLING_RATES, seed=0)


def test_downsampling_table_columns_and_training_rows(downsampling, default_market):
    assert list(downsampling.columns) == [
        "negative_rate", "training_rows", "raw_mean_prediction", "raw_calibration_ratio",
        "corrected_calibration_ratio", "raw_normalized_entropy", "corrected_normalized_entropy", "roc_auc",
    ]
    assert downsampling["negative_rate"].tolist() == list(DOWNSAMPLING_RATES)
    train = default_market.impressions[default_market.impressions["day"] < 10]
    assert downsampling["training_rows"].iloc[0] == len(train)
    assert np.all(np.diff(downsampling["training_rows"]) < 0)
    assert (downsampling["training_rows"] > train["click"].sum()).all()


def test_downsampling_breaks_probabilities_until_corrected(downsampling):
    raw = downsampling["raw_calibration_ratio"].to_numpy()
    corrected = downsampling["corrected_calibration_ratio"].to_numpy()
    assert np.all(np.diff(raw) > 0)
    assert np.all(np.abs(corrected - 1) <= 0.15)
    moderate = downsampling["negative_rate"].to_numpy() >= 0.2
    inflation = raw[moderate] * downsampling["negative_rate"].to_numpy()[moderate] / corrected[moderate]
    assert np.all((inflation > 0.75) & (inflation <= 1 + 1e-9))
    assert np.all(downsampling["corrected_normalized_entropy"] <= downsampling["raw_normalized_entropy"] + 1e-12)


def test_downsampling_keeps_ranking(downsampling):
    auc = downsampling["roc_auc"].to_numpy()
    assert np.all(np.abs(auc - auc[0]) <= 0.03)


def test_downsampled_predictions_are_deterministic_and_match_the_table(market):
    y_test, raw = downsampled_predictions(market, 10, rates=(0.1,), seed=3)
    y_again, raw_again = downsampled_predictions(market, 10, rates=(0.1,), seed=3)
    np.testing.assert_array_equal(y_test, y_again)
    np.testing.assert_array_equal(raw[0.1], raw_again[0.1])
    assert list(raw) == [0.1]
    assert len(y_test) == len(raw[0.1]) == (market.impressions["day"] >= 10).sum()
    table = downsampling_tradeoff(market, 10, rates=(0.1,), seed=3)
    assert table["raw_mean_prediction"].iloc[0] == raw[0.1].mean()


# --- exploration_simulation ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def exploration():
    return exploration_simulation(seed=0)


def test_exploration_columns_and_bounds(exploration):
    assert list(exploration.columns) == ["epsilon", "expected_revenue", "revenue_vs_oracle", "new_ad_impression_share", "good_new_ads_found"]
    assert exploration["epsilon"].tolist() == [0.0, 0.02, 0.05, 0.1, 0.2]
    assert ((exploration["revenue_vs_oracle"] > 0) & (exploration["revenue_vs_oracle"] < 1.5)).all()
    assert exploration[["new_ad_impression_share", "good_new_ads_found"]].stack().between(0, 1).all()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_exploration_finds_good_new_ads_that_greedy_misses(seed):
    table = exploration_simulation(n_rounds=20_000, seed=seed).set_index("epsilon")
    assert table.loc[0.0, "good_new_ads_found"] <= 0.1
    assert table["good_new_ads_found"].max() >= table.loc[0.0, "good_new_ads_found"] + 0.15
    assert table.loc[0.2, "new_ad_impression_share"] >= 0.2


def test_exploration_is_deterministic_and_each_epsilon_independent_of_the_others(exploration):
    assert_frame_equal(exploration_simulation(seed=0), exploration)
    alone = exploration_simulation(epsilons=(0.1,), seed=0)
    assert_frame_equal(alone, exploration[exploration["epsilon"] == 0.1].reset_index(drop=True))


def test_a_lone_ad_pays_nothing_in_a_second_price_auction():
    table = exploration_simulation(n_rounds=500, epsilons=(0.0,), n_initial_ads=1, new_ads_per_1000_rounds=0)
    assert table["expected_revenue"].iloc[0] == 0  # no runner-up, no reserve
    assert np.isnan(table["revenue_vs_oracle"].iloc[0])  # the truthful auction earns nothing either
    assert table["new_ad_impression_share"].iloc[0] == 0
    assert np.isnan(table["good_new_ads_found"].iloc[0])


def test_with_a_runner_up_the_winner_pays_a_price_below_its_bid():
    """Two known ads in every auction, no exploration: the winner pays the loser's eCPM over its
    own estimate, at most its bid, so revenue is positive and below the first-price revenue."""
    table = exploration_simulation(n_rounds=2_000, epsilons=(0.0,), n_initial_ads=2, new_ads_per_1000_rounds=0,
                                   eligible_share=1.0, seed=1)
    oracle = table["expected_revenue"].iloc[0] / table["revenue_vs_oracle"].iloc[0]
    assert 0 < table["expected_revenue"].iloc[0]
    assert 0.5 < table["revenue_vs_oracle"].iloc[0] < 1.5  # near the truthful second price
    assert oracle > 0


# --- argument checks -----------------------------------------------------------------------------


def bad_calls(market):
    return [
        (lambda: freshness_decay("market", 7, SmoothedCTRBaseline), "market must be an AdMarket"),
        (lambda: freshness_decay(market, 0, SmoothedCTRBaseline), r"train_until_day must be an integer in \[1, 13\]; got 0"),
        (lambda: freshness_decay(market, 14, SmoothedCTRBaseline), "train_until_day"),
        (lambda: freshness_decay(market, 7, "model"), "make_model must be a zero-argument callable"),
        (lambda: freshness_decay(market, 7, SmoothedCTRBaseline, fresh_window_days=0), "fresh_window_days"),
        (lambda: retraining_cadence(market, 7.5, SmoothedCTRBaseline), "first_eval_day"),
        (lambda: retraining_cadence(market, 7, SmoothedCTRBaseline, cadences=(1, 1)), "cadences must be distinct values, each an integer >= 1, at least one; got \\(1, 1\\)"),
        (lambda: retraining_cadence(market, 7, SmoothedCTRBaseline, cadences=(0,)), "cadences"),
        (lambda: retraining_cadence(market, 7, SmoothedCTRBaseline, cadences=()), "cadences"),
        (lambda: retraining_cadence(market, 7, SmoothedCTRBaseline, train_window_days=True), "train_window_days"),
        (lambda: label_window_tradeoff(market, 13, windows_hours=(0,)), r"windows_hours must be distinct values, each a number in \(0, 168\), at least one"),
        (lambda: label_window_tradeoff(market, 13, windows_hours=(168,)), "windows_hours"),
        (lambda: label_window_tradeoff(market, 2, windows_hours=(72,)), r"each a number in \(0, 48\)"),
        (lambda: label_window_tradeoff(market, 20), "decision_day"),
        (lambda: downsampling_tradeoff(market, 10, rates=(0.5, 0)), r"rates must be distinct values, each a number in \(0, 1\], at least one"),
        (lambda: downsampling_tradeoff(market, 10, rates=(1.5,)), "rates"),
        (lambda: downsampled_predictions(market, 0), "first_test_day"),
        (lambda: downsampled_predictions(market, 10, seed=-1), "seed"),
        (lambda: label_window_tradeoff(market, 13, seed=-1), "seed must be an integer >= 0"),
        (lambda: history_at_equal_compute(market, 10, recent_days=10), r"recent_days must be an integer in \[1, 9\]; got 10"),
        (lambda: history_at_equal_compute(market, 0), "first_test_day"),
        (lambda: exploration_simulation(n_rounds=0), "n_rounds must be an integer >= 1; got 0"),
        (lambda: exploration_simulation(epsilons=(0.1, 1.2)), r"epsilons must be distinct values, each a number in \[0, 1\], at least one"),
        (lambda: exploration_simulation(n_initial_ads=0), "n_initial_ads"),
        (lambda: exploration_simulation(new_ads_per_1000_rounds=-1), "new_ads_per_1000_rounds"),
        (lambda: exploration_simulation(prior_strength=0), "prior_strength must be a finite number > 0"),
        (lambda: exploration_simulation(mean_ad_lifetime_rounds=float("nan")), r"mean_ad_lifetime_rounds must be a number > 0 \(inf allowed\); got nan"),
        (lambda: exploration_simulation(eligible_share=1.5), "eligible_share"),
    ]


def test_bad_arguments_raise_value_errors_that_name_them(market):
    for call, message in bad_calls(market):
        with pytest.raises(ValueError, match=message):
            call()


def test_tables_are_dataframes_with_one_row_per_setting(market):
    tables = [
        retraining_cadence(market, 10, SmoothedCTRBaseline, cadences=(1, 2)),
        label_window_tradeoff(market, 12, windows_hours=(2, 12)),
        exploration_simulation(n_rounds=1_000, epsilons=(0.0, 0.5)),
    ]
    assert all(isinstance(table, pd.DataFrame) and len(table) == 2 for table in tables)


def test_the_exploration_auction_prices_the_greedy_winner_as_the_kits_auction_does():
    rng = np.random.default_rng(5)
    bids, estimate = rng.lognormal(0, 0.3, 8), rng.beta(2, 98, (200, 8))
    eligible = rng.random((200, 8)) < 0.6
    eligible[:, 0] = True
    score = np.where(eligible, bids * estimate, -np.inf)
    winner = score.argmax(axis=1)
    prices = second_prices(score, estimate, bids, winner)
    several = eligible.sum(axis=1) > 1
    masked_pctr = np.where(eligible, estimate, 0.0)  # a non-candidate scores 0, below any candidate
    expected_winner, expected_price = run_auctions(np.tile(bids, (200, 1)), masked_pctr, reserve_ecpm=0.0)
    np.testing.assert_array_equal(expected_winner, winner)
    np.testing.assert_allclose(prices[several], expected_price[several], rtol=1e-12)
    assert (prices[~several] == 0).all() and (prices <= bids[winner]).all()
    explored = (winner + 1) % 8  # an ad that did not win on score pays at most its bid
    assert (second_prices(score, estimate, bids, explored) <= bids[explored]).all()
