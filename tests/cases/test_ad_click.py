"""The ad-click case: the schema, the simulator against its own generative story, features, models,
auction, design review."""

import math

import numpy as np
import pandas as pd
import pytest

from mlsd.cases.ad_click.auction import mean_true_ctr_by_ad, miscalibration_effect, run_auctions
from mlsd.cases.ad_click.design import design_doc
from mlsd.cases.ad_click.features import HASHED_FIELDS, as_of_day_rates, hashed_features
from mlsd.cases.ad_click.data import split_by_day
from mlsd.cases.ad_click.models import HashedLogisticRegression, HistoricalGBDT, SmoothedCTRBaseline, downsample_negatives
from mlsd.cases.ad_click.schema import COLUMNS, check_table, clicks_within
from mlsd.cases.ad_click.simulate import DELAY_MEDIAN_HOURS, DELAY_SIGMA, simulate_market
from mlsd.metrics import calibration_ratio, normalized_entropy, roc_auc, undo_downsampling


@pytest.fixture(scope="module")
def market():
    return simulate_market(n_impressions=120_000, seed=3)


@pytest.fixture(scope="module")
def split(market):
    return split_by_day(market.impressions, first_test_day=10)


def test_simulator_is_deterministic_per_seed():
    first, second = simulate_market(n_impressions=5_000, seed=11), simulate_market(n_impressions=5_000, seed=11)
    pd.testing.assert_frame_equal(first.impressions, second.impressions)
    assert not simulate_market(n_impressions=5_000, seed=12).impressions.equals(first.impressions)


def test_true_ctr_meets_the_base_rate_and_clicks_follow_it(market):
    impressions = market.impressions
    assert impressions["true_ctr"].mean() == pytest.approx(0.02, abs=1e-12)
    n, p = len(impressions), impressions["true_ctr"].to_numpy()
    sampling_sd = math.sqrt(np.sum(p * (1 - p))) / n
    assert abs(impressions["click"].mean() - p.mean()) < 4 * sampling_sd
    by_decile = impressions.groupby(pd.qcut(impressions["true_ctr"], 5))[["click", "true_ctr"]].mean()
    assert np.allclose(by_decile["click"], by_decile["true_ctr"], rtol=0.2)  # clicks follow the truth in every band


def test_impressions_follow_the_schema_then_the_truth(market):
    impressions = market.impressions
    assert check_table(impressions) is impressions
    assert list(impressions.columns) == [*COLUMNS, "true_ctr"]


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda f: f.drop(columns="click"), r"shown: missing columns \['click'\]"),
        (lambda f: f.assign(ad_id=-1), "shown: ad_id must hold integer codes >= 0"),
        (lambda f: f.assign(site_id=f["site_id"] * 1.0), "shown: site_id must hold integer codes >= 0"),
        (lambda f: f.assign(device="tv"), r"shown: device must be one of \('mobile', 'desktop', 'tablet'\); got 'tv'"),
        (lambda f: f.assign(slot=0), "shown: slot must be a position >= 1"),
        (lambda f: f.assign(click=2), "shown: click must be 0 or 1"),
        (lambda f: f.assign(click=1), "shown: click_delay_hours must be > 0 for a click and NaN without one"),
        (lambda f: f.iloc[::-1], "shown: rows must be sorted by time"),
    ],
)
def test_a_table_off_the_schema_is_refused_naming_its_source(market, change, message):
    with pytest.raises(ValueError, match=message):
        check_table(change(market.impressions.head(500)), source="shown")


def test_impressions_are_consistent_with_the_story(market):
    impressions, ads = market.impressions, market.ads
    assert impressions["time"].is_monotonic_increasing
    assert (impressions["ad_age_days"] >= 0).all()  # an ad is only shown once it exists
    created = ads.set_index("ad_id")["created_day"]
    assert (impressions["day"] >= impressions["ad_id"].map(created)).all()
    first_views = impressions.drop_duplicates(["user_id", "ad_id"])
    assert (first_views["user_ad_views"] == 0).all()
    counts = impressions.groupby(["user_id", "ad_id"]).size()
    last = impressions.drop_duplicates(["user_id", "ad_id"], keep="last").set_index(["user_id", "ad_id"])["user_ad_views"]
    assert (last == counts.loc[last.index] - 1).all()
    assert impressions.loc[impressions["click"] == 0, "click_delay_hours"].isna().all()
    assert (impressions.loc[impressions["click"] == 1, "click_delay_hours"] > 0).all()


@pytest.mark.parametrize("hours", [1.0, 6.0, 24.0])
def test_click_delays_follow_the_lognormal_of_the_story(market, hours):
    delays = market.impressions["click_delay_hours"].dropna().to_numpy()
    expected_late = 0.5 * math.erfc((math.log(hours) - math.log(DELAY_MEDIAN_HOURS)) / (DELAY_SIGMA * math.sqrt(2)))
    standard_error = math.sqrt(expected_late * (1 - expected_late) / len(delays))
    assert abs(np.mean(delays > hours) - expected_late) < 4 * standard_error


def test_label_windows_only_drop_late_clicks(market):
    impressions = market.impressions
    short, long = clicks_within(impressions, 1.0), clicks_within(impressions, 24.0)
    assert (short <= long).all() and (long <= impressions["click"]).all()
    with pytest.raises(ValueError, match="window_hours must be a finite number > 0; got 0"):
        clicks_within(impressions, 0)


def test_traffic_shift_moves_device_and_slot_shares_from_its_day():
    impressions = simulate_market(n_impressions=60_000, shift_day=7, seed=1).impressions
    before, after = impressions[impressions["day"] < 7], impressions[impressions["day"] >= 7]
    assert before["device"].eq("tablet").mean() == pytest.approx(0.10, abs=0.01)
    assert after["device"].eq("tablet").mean() == pytest.approx(0.45, abs=0.01)
    assert after["slot"].isin([3, 4]).mean() == pytest.approx(2 / 3, abs=0.01)


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"n_impressions": 0}, "n_impressions must be an integer >= 1; got 0"),
        ({"base_ctr": 1.5}, r"base_ctr must be a number in \(0, 1\); got 1.5"),
        ({"new_ad_share": 2.0}, r"new_ad_share must be a number in \[0, 1\]; got 2.0"),
        ({"drift": -1.0}, "drift must be a finite number >= 0; got -1.0"),
        ({"fatigue": float("inf")}, "fatigue must be a finite number >= 0; got inf"),
        ({"shift_day": 2.5}, "shift_day must be an integer >= 0; got 2.5"),
    ],
)
def test_simulator_rejects_bad_arguments(arguments, message):
    with pytest.raises(ValueError, match=message):
        simulate_market(**arguments)


def test_hashed_features_set_one_column_per_field_and_cross(market):
    rows = market.impressions.head(2_000)
    matrix = hashed_features(rows, n_buckets=2**20)
    n_columns = len(HASHED_FIELDS) + 2
    assert matrix.shape == (2_000, 2**20)
    assert (matrix.sum(axis=1).A.ravel() == n_columns).all()  # with 2**20 buckets no collision in a row
    assert (hashed_features(rows, n_buckets=2**20) != matrix).nnz == 0  # no state, same hash
    with pytest.raises(ValueError, match="n_buckets must be an integer >= 2"):
        hashed_features(rows, n_buckets=1)


def test_historical_rates_never_see_the_rows_own_day(market):
    history = market.impressions
    labels = history["click"].to_numpy().copy()
    rows = history[history["day"] == 8]
    before = as_of_day_rates(history, labels, rows)
    labels[history["day"].to_numpy() >= 8] = 1 - labels[history["day"].to_numpy() >= 8]  # rewrite day 8 and later
    pd.testing.assert_frame_equal(as_of_day_rates(history, labels, rows), before)


def test_historical_rate_of_an_ad_matches_a_direct_count(market):
    history = market.impressions
    labels = history["click"].to_numpy()
    row = history[history["day"] == 9].iloc[[0]]
    past = history[(history["day"] < 9) & (history["ad_id"] == row["ad_id"].item())]
    past_all = history[history["day"] < 9]
    prior = past_all["click"].mean()
    expected = (past["click"].sum() + 50 * prior) / (len(past) + 50)
    assert as_of_day_rates(history, labels, row, prior_strength=50, window_days=14)["ad_ctr"].item() == pytest.approx(expected)


def test_baseline_uses_the_global_rate_for_unseen_ads(split):
    train, test = split
    baseline = SmoothedCTRBaseline(prior_strength=10).fit(train, train["click"])
    unseen = test[~test["ad_id"].isin(train["ad_id"])]
    assert len(unseen) > 0
    assert np.allclose(baseline.predict(unseen), train["click"].mean())


def test_models_beat_the_baseline_and_crosses_help(split):
    train, test = split
    y = test["click"].to_numpy()
    ne = {}
    for name, model in {
        "baseline": SmoothedCTRBaseline(),
        "lr": HashedLogisticRegression(),
        "lr_no_crosses": HashedLogisticRegression(crosses=False),
        "gbdt": HistoricalGBDT(),
    }.items():
        ne[name] = normalized_entropy(y, model.fit(train, train["click"]).predict(test))
    truth = normalized_entropy(y, test["true_ctr"])
    assert truth < ne["lr"] < ne["lr_no_crosses"] < ne["baseline"]  # the segment x category cross is in the truth
    assert ne["gbdt"] < ne["baseline"]


def test_downsampling_inflates_probabilities_and_the_correction_restores_them(split):
    train, test = split
    y = test["click"].to_numpy()
    raw = HashedLogisticRegression(negative_rate=0.1).fit(train, train["click"]).predict(test)
    assert calibration_ratio(y, raw) > 5
    assert calibration_ratio(y, undo_downsampling(raw, 0.1)) == pytest.approx(1, abs=0.15)
    kept = downsample_negatives(np.array([1, 0, 0, 1] * 1000), 0.25, seed=0)
    assert kept[::4].all() and kept[3::4].all() and 0.2 < kept[1::4].mean() < 0.3


def test_second_price_auction_by_hand():
    bids = np.array([[2.0, 1.0, 3.0], [1.0, 1.0, 1.0]])
    pctr = np.array([[0.02, 0.05, 0.01], [0.001, 0.002, 0.001]])
    winner, price = run_auctions(bids, pctr, reserve_ecpm=0.01)
    # auction 1: eCPMs 0.04, 0.05, 0.03 -> ad 1 wins, pays 0.04 / 0.05 = 0.8 per click
    # auction 2: best eCPM 0.002 is below the reserve 0.01 -> nothing shown
    assert winner.tolist() == [1, -1]
    assert price == pytest.approx([0.8, 0.0])


def test_scaling_every_pctr_changes_neither_winners_nor_prices_without_a_reserve():
    rng = np.random.default_rng(0)
    bids, pctr = rng.lognormal(size=(500, 4)), rng.uniform(0.001, 0.05, (500, 4))
    base = run_auctions(bids, pctr, 0.0)
    scaled = run_auctions(bids, 3 * pctr, 0.0)
    assert (base[0] == scaled[0]).all() and np.allclose(base[1], scaled[1])


def test_miscalibration_effect_is_zero_at_factor_one_and_grows_away_from_it(market):
    effect = miscalibration_effect(market.ads, mean_true_ctr_by_ad(market.impressions, len(market.ads)), seed=1).set_index("factor")
    assert effect.loc[1.0].drop("ads_shown").tolist() == [0.0] * (len(effect.columns) - 1)
    assert effect.loc[2.0, "winner_changed"] > effect.loc[1.25, "winner_changed"] > 0
    assert effect.loc[0.5, "value_lost"] > 0 and effect.loc[2.0, "value_lost"] > 0


def test_the_design_review_is_complete():
    doc = design_doc()
    assert doc.is_complete, doc.missing()
    assert "eCPM" in doc.to_markdown()


def test_roc_auc_is_untouched_by_a_uniform_rescaling(split):
    _, test = split
    y, p = test["click"].to_numpy(), test["true_ctr"].to_numpy()
    assert roc_auc(y, p) == roc_auc(y, p * 0.5)
