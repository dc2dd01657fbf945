"""Point-in-time counters and labels: a click that arrives just after the moment a counter is read or
a model is trained is not counted; the leak's size; and the intervals the experiments report."""

import numpy as np
import pandas as pd
import pytest

from mlsd.cases.ad_click.features import as_of_day_rates
from mlsd.cases.ad_click.intervals import (
    base_entropy,
    cluster_mean_interval,
    day_weighted_difference,
    log_losses,
)
from mlsd.cases.ad_click.models import HistoricalGBDT, SmoothedCTRBaseline
from mlsd.cases.ad_click.point_in_time import (
    click_arrival,
    labels_at_training,
    labels_known_at,
    late_click_share,
    leak_table,
)
from mlsd.cases.ad_click.serving import counter_drift
from mlsd.cases.ad_click.simulate import simulate_market
from mlsd.cases.ad_click.tradeoffs import freshness_decay, history_at_equal_compute, retraining_cadence
from mlsd.metrics import log_loss, normalized_entropy
from mlsd.monitoring import psi

MINUTE = 1 / (24 * 60)


def impressions(rows):
    """Impressions of one ad (and its advertiser, site, segment, category): (time, delay hours or None)."""
    time = np.array([t for t, _ in rows])
    delay = np.array([np.nan if d is None else d for _, d in rows])
    return pd.DataFrame({
        "time": time, "day": np.floor(time).astype(np.int64), "ad_id": 1, "advertiser_id": 2, "site_id": 3,
        "user_segment": 4, "ad_category": 5, "click": (~np.isnan(delay)).astype(np.int64),
        "click_delay_hours": delay,
    })


def served_on(days):
    return impressions([(float(day) + 0.5, None) for day in days])


def ad_clicks(history, rows, window_days=7, point_in_time=True):
    """The counted clicks per row: the ad's rate with no prior, times the impressions counted."""
    known_at = click_arrival(history) if point_in_time else None
    rates = as_of_day_rates(history, history["click"].to_numpy(), rows, prior_strength=0.0,
                            window_days=window_days, known_at=known_at)
    shown = np.array([((history["day"] >= d - window_days) & (history["day"] < d)).sum() for d in rows["day"]])
    return np.round(rates["ad_ctr"].to_numpy() * shown, 9)


# --- counters --------------------------------------------------------------------------------------


def test_a_click_arriving_just_after_midnight_is_not_in_that_days_counter():
    # shown at 23:40 on day 0, clicked 30 minutes later: it arrives at 00:10 on day 1
    late = impressions([(1 - 20 * MINUTE, 0.5), (0.25, 1.0), (0.4, None)])
    assert click_arrival(late)[0] == pytest.approx(1 + 10 * MINUTE)
    rows = served_on([1, 2])
    assert ad_clicks(late, rows).tolist() == [1, 2]  # day 1 reads at 00:00: only the 06:00 click
    assert ad_clicks(late, rows, point_in_time=False).tolist() == [2, 2]  # eventual labels count it at once


def test_a_click_arriving_just_before_midnight_is_counted():
    early = impressions([(1 - 20 * MINUTE, 19 / 60)])  # arrives at 23:59
    assert ad_clicks(early, served_on([1])).tolist() == [1]


def test_a_click_arriving_after_its_impression_left_the_window_is_never_counted():
    very_late = impressions([(0.5, 60.0), (1.5, None)])  # day 0's click arrives on day 3
    assert ad_clicks(very_late, served_on([1, 2, 3]), window_days=2).tolist() == [0, 0, 0]
    assert ad_clicks(very_late, served_on([1, 2, 3]), window_days=2, point_in_time=False).tolist() == [1, 1, 0]
    assert ad_clicks(very_late, served_on([1, 2, 3, 4]), window_days=4).tolist() == [0, 0, 1, 1]


@pytest.mark.filterwarnings("ignore:invalid value encountered in divide")  # no prior: 0 / 0 for keys never seen
def test_point_in_time_counters_match_a_row_by_row_count_on_simulated_data():
    market = simulate_market(n_impressions=8_000, n_ads=50, n_sites=20, seed=4).impressions
    history, rows = market[market["day"] < 10], market[market["day"] >= 3].iloc[::97]
    rates = as_of_day_rates(history, history["click"].to_numpy(), rows, prior_strength=0.0, window_days=3,
                            known_at=click_arrival(history))
    arrival = click_arrival(history)
    for index, row in rows.iterrows():
        same = (history["ad_id"] == row["ad_id"]) & (history["day"] >= row["day"] - 3) & (history["day"] < row["day"])
        if same.sum():
            expected = (same & (arrival <= row["day"])).sum() / same.sum()
            assert rates.loc[index, "ad_ctr"] == pytest.approx(expected, abs=1e-12)


def test_the_gbdt_counts_arrived_clicks_by_default_and_eventual_ones_on_request():
    market = simulate_market(n_impressions=20_000, seed=1).impressions
    train, test = market[market["day"] < 10], market[market["day"] >= 10]
    labels = labels_known_at(train, 10)
    honest = HistoricalGBDT(max_iter=5, seed=1).fit(train, labels).update_counters(test, test["click"])
    counted, counted_labels = pd.concat([train, test]), np.concatenate([labels, test["click"]])
    expected = as_of_day_rates(counted, counted_labels, test, 50.0, 14, known_at=click_arrival(counted))
    pd.testing.assert_frame_equal(honest.features(test)[expected.columns], expected)
    leaky = honest.features(test, point_in_time=False)[expected.columns]
    assert (leaky.to_numpy() >= expected.to_numpy() - 1e-15).all() and (leaky.to_numpy() > expected.to_numpy()).any()
    assert HistoricalGBDT(point_in_time=False).point_in_time is False


def test_known_at_must_hold_an_arrival_for_every_click():
    history = impressions([(0.5, 1.0)])
    with pytest.raises(ValueError, match="known_at must hold one arrival time"):
        as_of_day_rates(history, history["click"].to_numpy(), served_on([1]), known_at=np.array([np.nan]))


# --- labels ---------------------------------------------------------------------------------------


def test_a_training_job_sees_only_the_clicks_arrived_by_its_start():
    frame = impressions([(1 - 20 * MINUTE, 0.5), (1 - 20 * MINUTE, 19 / 60), (0.2, 30.0), (0.3, None)])
    assert labels_known_at(frame, 1.0).tolist() == [0, 1, 0, 0]
    assert labels_known_at(frame, 2.0).tolist() == [1, 1, 1, 0]
    assert labels_known_at(frame, 2.0, window_hours=24).tolist() == [1, 1, 0, 0]


class RecordingModel(SmoothedCTRBaseline):
    """Records the rows and labels of every fit."""

    fits = []

    def fit(self, rows, labels):
        RecordingModel.fits.append((rows, np.asarray(labels)))
        return super().fit(rows, labels)


@pytest.fixture(scope="module")
def market():
    return simulate_market(n_impressions=30_000, seed=2)


@pytest.mark.parametrize("experiment", [
    lambda market: retraining_cadence(market, 10, RecordingModel, cadences=(1, 2)),
    lambda market: freshness_decay(market, 10, RecordingModel),
])
def test_retrained_models_see_only_the_labels_that_had_arrived(market, experiment):
    RecordingModel.fits = []
    experiment(market)
    assert RecordingModel.fits
    late_clicks_left_out = 0
    for rows, labels in RecordingModel.fits:
        moment = int(rows["day"].max()) + 1  # trained at the start of the day after its window
        np.testing.assert_array_equal(labels, labels_known_at(rows, moment))
        late_clicks_left_out += int((rows["click"].to_numpy() == 1).sum() - labels.sum())
    assert late_clicks_left_out > 0


# --- the leak -------------------------------------------------------------------------------------


def test_late_click_share_counts_the_clicks_not_yet_arrived():
    frame = impressions([(0.5, 1.0), (1 - 20 * MINUTE, 0.5), (1.2, 2.0), (1.9, 4.0), (1.95, None)])
    table = late_click_share(frame, window_hours=24, window_days=1).set_index("day")
    assert table.loc[1, "counted_clicks"] == 2 and table.loc[1, "late_share"] == 0.5
    assert table.loc[1, "last_day_late_share"] == 0.5


def test_the_point_in_time_offline_evaluation_is_what_serving_achieves(market):
    train, test = market.impressions[market.impressions["day"] < 10], market.impressions[market.impressions["day"] >= 10]
    table = leak_table(train, test, lambda point_in_time: HistoricalGBDT(max_iter=30, seed=2, point_in_time=point_in_time))
    assert list(table.index) == ["offline, eventual labels", "offline, point-in-time",
                                 "served: trained on eventual labels", "served: trained point-in-time"]
    pd.testing.assert_series_equal(table.iloc[1, :3], table.iloc[3, :3], check_names=False)
    assert table.loc["offline, point-in-time", "served_minus_offline_ne"] == 0
    leaky, served = table.loc["offline, eventual labels"], table.loc["served: trained on eventual labels"]
    assert served["mean_prediction"] < leaky["mean_prediction"]  # served counters hold fewer clicks
    assert leaky["served_minus_offline_ne"] == pytest.approx(served["normalized_entropy"] - leaky["normalized_entropy"])
    assert leaky["served_minus_offline_ne_low"] <= leaky["served_minus_offline_ne"] <= leaky["served_minus_offline_ne_high"]
    assert table.iloc[2:, 3:].isna().all().all()


def test_counter_drift_is_the_psi_of_each_counter_against_the_reference_rows(market):
    impressions_ = market.impressions
    train, test = impressions_[impressions_["day"] < 10], impressions_[impressions_["day"] >= 10]
    model = HistoricalGBDT(max_iter=5, seed=2).fit(train, labels_known_at(train, 10))
    model.update_counters(test, test["click"].to_numpy())
    one_hour = (impressions_["click_delay_hours"] <= 1).to_numpy().astype(np.int64)
    reference, served = train[train["day"] == 9], test[test["day"] == 10]
    table = counter_drift(model, reference, served, one_hour)
    assert table.shape == (4, 2)
    assert table.iloc[0, 0] == psi(model.features(reference)["ad_ctr"], model.features(served)["ad_ctr"])
    assert (table.iloc[:, 1] > table.iloc[:, 0]).all()  # the one-hour join moves every counter more


# --- intervals and the equal-compute comparison --------------------------------------------------


def test_cluster_intervals_resample_groups_and_estimate_the_mean_or_ratio():
    rng = np.random.default_rng(0)
    groups = rng.integers(0, 300, 5_000)
    values = rng.normal(1.0, 1.0, 5_000) + 0.5 * rng.normal(size=300)[groups]
    interval = cluster_mean_interval(values, groups, seed=1)
    assert interval.estimate == pytest.approx(values.mean())
    assert interval.low < values.mean() < interval.high
    assert cluster_mean_interval(values, groups, seed=1) == interval
    assert cluster_mean_interval(values, np.arange(5_000), seed=1).width < interval.width  # groups share a shift
    constant = cluster_mean_interval(np.full(100, 2.0), np.arange(100) % 7)
    assert (constant.low, constant.high) == (2.0, 2.0)
    ratio = cluster_mean_interval(np.full(10, 3.0), np.arange(10), denominator=np.full(10, 2.0))
    assert ratio.estimate == ratio.low == ratio.high == 1.5
    with pytest.raises(ValueError, match="values and groups must be non-empty and of equal length"):
        cluster_mean_interval([1.0, 2.0], [1])


def test_day_weighted_differences_average_to_the_mean_of_daily_normalized_entropy_differences():
    rng = np.random.default_rng(3)
    day = np.repeat([4, 5, 6], [300, 500, 200])
    y = (rng.random(1_000) < 0.1).astype(int)
    p_a, p_b = rng.uniform(0.01, 0.3, 1_000), rng.uniform(0.01, 0.3, 1_000)
    assert log_losses(y, p_a).mean() == pytest.approx(log_loss(y, p_a), rel=1e-12)
    entropy = {d: base_entropy(y[day == d]) for d in (4, 5, 6)}
    values = day_weighted_difference(log_losses(y, p_a), log_losses(y, p_b), day, entropy)
    expected = np.mean([normalized_entropy(y[day == d], p_b[day == d]) - normalized_entropy(y[day == d], p_a[day == d])
                        for d in (4, 5, 6)])
    assert values.mean() == pytest.approx(expected, rel=1e-9)


def test_cadence_intervals_contain_their_estimates(market):
    table = retraining_cadence(market, 10, SmoothedCTRBaseline, cadences=(1, 2, 4))
    assert (table[["ne_vs_daily_low", "ne_vs_daily_high"]].iloc[0] == 0).all()
    assert (table["ne_vs_daily_low"] <= table["ne_vs_daily"]).all() and (table["ne_vs_daily"] <= table["ne_vs_daily_high"]).all()
    truth = table[["truth_ne_vs_daily_low", "truth_ne_vs_daily", "truth_ne_vs_daily_high"]].to_numpy()
    assert (np.diff(truth, axis=1) >= 0).all()
    assert (table["truth_ne_vs_daily_high"] - table["truth_ne_vs_daily_low"]).iloc[1:].lt(
        table["ne_vs_daily_high"] - table["ne_vs_daily_low"]).iloc[1:].all()  # the truth removes click noise


def test_history_at_equal_compute_trains_both_models_on_about_the_same_rows(market):
    table = history_at_equal_compute(market, 10, recent_days=2, seed=1)
    recent, longer = table.iloc[0], table.iloc[1]
    assert (recent["history_days"], longer["history_days"]) == (2, 10)
    assert recent["negative_rate"] == 1.0 and 0 < longer["negative_rate"] < 1
    assert longer["training_rows"] == pytest.approx(recent["training_rows"], rel=0.05)
    assert recent["ne_vs_recent"] == 0
    assert longer["ne_vs_recent"] == pytest.approx(longer["normalized_entropy"] - recent["normalized_entropy"], abs=1e-12)


def test_a_model_trained_on_some_days_sees_the_clicks_arrived_by_the_next_midnight():
    # the last row is on day 2, so training happens at day 3.0
    rows = impressions([(2.9, 2.0), (2.99, 0.5), (1.5, 30.0), (0.2, None)])
    # 2.9 + 2 h = 2.983 arrived; 2.99 + 30 min = 3.011 not yet; 1.5 + 30 h = 2.75 arrived
    assert labels_at_training(rows).tolist() == [1, 0, 1, 0]
    assert labels_at_training(rows, window_hours=24).tolist() == [1, 0, 0, 0]  # 30 h > the window
    with pytest.raises(ValueError, match="rows is empty"):
        labels_at_training(rows.iloc[:0])

