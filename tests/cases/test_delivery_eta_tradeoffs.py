"""The trade-offs of delivery ETA's notebook 4: the frontier, the tail, drift and dispatch."""

import numpy as np
import pandas as pd
import pytest

from mlsd.cases import delivery_eta as case
from mlsd.cases.delivery_eta import tradeoffs


@pytest.fixture(scope="module")
def world():
    data = case.load_data("simulated", seed=3, n_orders=12_000)
    features = case.order_features(data.table)
    held_out = case.split(data)
    fit_rows, calibration = case.calibration_split(held_out.train, 7)
    return data, features, fit_rows, calibration, held_out.test


@pytest.fixture(scope="module")
def quotes(world):
    _, features, fit_rows, calibration, test = world
    models = case.fit_promise_models(features, fit_rows, calibration, n_trees=30, seed=3)
    return models, models.quotes(features.loc[test.index])


def test_the_frontiers_cheapest_row_is_the_brute_force_minimum(world, quotes):
    test = world[4]
    _, base = quotes
    actual = test["duration_min"].to_numpy()
    buffers = np.arange(-4.0, 16.0, 1.0)
    frontier = case.business_frontier(actual, base, buffers)
    assert len(frontier) == 2 * len(buffers)
    for name, quote in base.items():
        costs = [case.promise_outcomes(actual, quote + b)["expected_cost"] for b in buffers]
        rows = frontier[frontier["base"] == name]
        assert rows["expected_cost"].to_numpy() == pytest.approx(costs)
        assert rows.loc[rows["cheapest"], "buffer"].item() == buffers[int(np.argmin(costs))]
        assert (np.diff(rows["late_rate"].to_numpy()) <= 0).all()
        assert (np.diff(rows["conversion"].to_numpy()) <= 0).all()


def test_a_costlier_late_order_never_shortens_the_cheapest_promise(world, quotes):
    actual = world[4]["duration_min"].to_numpy()
    table = case.cheapest_promises(actual, quotes[1], [0.0, 3.0, 10.0, 30.0])
    assert list(table.columns[:3]) == ["late_fixed", "base", "buffer"]
    for _, rows in table.groupby("base"):
        assert (np.diff(rows["buffer"].to_numpy()) >= 0).all()
        assert (np.diff(rows["late_rate"].to_numpy()) <= 0).all()
    frontier = case.business_frontier(actual, quotes[1])
    default = table[table["late_fixed"] == 3.0].set_index("base")["buffer"]
    assert default.to_dict() == frontier[frontier["cheapest"]].set_index("base")["buffer"].to_dict()


def test_the_calibrated_quote_covers_its_calibration_days(world, quotes):
    _, features, _, calibration, _ = world
    models, _ = quotes
    promise = models.calibrated.predict(features.loc[calibration.index])
    assert case.coverage(calibration["duration_min"], promise) >= tradeoffs.ALPHA


def _orders(duration, rain, holiday, stuck=None):
    n = len(duration)
    columns = {"duration_min": duration, "rain": rain, "holiday": holiday,
               "stuck_min": 0.0 if stuck is None else stuck}
    return pd.DataFrame({name: np.broadcast_to(np.asarray(values, dtype=float), (n,))
                         for name, values in columns.items()})


def test_segments_and_the_tail_table_count_what_they_say():
    orders = _orders([30, 50, 20, 40, 70], rain=[1, 1, 0, 0, 0], holiday=[1, 0, 1, 0, 0],
                     stuck=[0, 0, 0, 0, 30])
    assert case.order_segment(orders).tolist() == ["rain", "rain", "holiday", "normal", "normal"]
    table = case.tail_table(orders, np.full(5, 35.0))
    assert table.index.tolist() == ["rain", "holiday", "normal", "all"]
    assert table.loc["rain", "late_rate"] == 0.5
    assert table.loc["rain", "mean_minutes_late"] == 15.0
    assert table.loc["normal", "late_rate"] == 1.0
    assert table.loc["normal", "late_stuck_share"] == 0.5
    assert table.loc["all", "orders"] == 5
    assert table.loc["all", "late_rate"] == 0.6
    assert table.loc["all", "stuck_share"] == 0.2
    with pytest.raises(ValueError, match="quote"):
        case.tail_table(orders, np.zeros(4))


def test_tail_strategies_buffer_only_what_they_say():
    rng = np.random.default_rng(0)
    n = 4_000
    rain = rng.random(n) < 0.3
    quantile = rng.uniform(20, 40, n)
    duration = quantile + rng.normal(0, 5, n) + 4 * rain
    calibration, test = _orders(duration, rain, 0), _orders(duration[::-1], rain[::-1], 0)
    table = case.tail_strategies(calibration, quantile, test, quantile[::-1])
    flat, extra, mondrian = (table.iloc[i] for i in range(3))
    correction = case.conformal_correction(duration - quantile, 0.8)
    assert flat["buffer_tail"] == flat["buffer_normal"] == pytest.approx(correction)
    assert extra["buffer_normal"] == flat["buffer_normal"]
    assert extra["late_normal"] == flat["late_normal"]
    assert extra["buffer_tail"] > flat["buffer_tail"]
    assert mondrian["buffer_tail"] == pytest.approx(
        case.conformal_correction((duration - quantile)[rain], 0.8))
    assert extra["late_tail"] < flat["late_tail"]
    per_segment = table.loc["cheapest per segment"]
    assert per_segment["buffer_tail"] > per_segment["buffer_normal"]
    with pytest.raises(ValueError, match="tail"):
        case.tail_strategies(_orders(duration, 0, 0), quantile, test, quantile)


def _residual_rows(shift_market=None, platform_shift=0.0, seed=0):
    rng = np.random.default_rng(seed)
    days, markets, per_cell = 14, 4, 200
    day = np.repeat(np.arange(days), markets * per_cell)
    market = np.tile(np.repeat(np.arange(markets), per_cell), days)
    hour = rng.integers(0, 24, len(day))
    residual = rng.normal(0, 5, len(day)) + platform_shift * (day >= 7)
    if shift_market is not None:
        residual += 6.0 * ((day >= 7) & (market == shift_market))
    rows = pd.DataFrame({"day": day, "market": market, "hour": hour})
    return rows, residual


def test_residual_shift_reads_the_shift_of_each_market():
    rows, residual = _residual_rows(shift_market=2)
    table = case.residual_shift(rows, {"model": residual}, 7)
    assert table.loc[2, "model shift"] == pytest.approx(6.0, abs=0.5)
    assert table.drop(index=2)["model shift"].abs().max() < 0.5
    with pytest.raises(ValueError, match="first_test_day"):
        case.residual_shift(rows, {"model": residual}, 20)


def test_the_alert_names_the_shifted_market_and_ignores_a_platform_wide_shift():
    rows, residual = _residual_rows(shift_market=2)
    alerts = case.residual_alerts(rows, residual, 7)
    fired = alerts[alerts["status"] == "alert"]
    assert set(fired["market"]) == {2}
    assert sorted(fired["day"]) == list(range(7, 14))
    assert fired["owner"].str.contains("market 2").all()
    rows, residual = _residual_rows(platform_shift=6.0, seed=1)
    assert (case.residual_alerts(rows, residual, 7)["status"] == "ok").all()
    by_hour = case.residual_alerts(*_residual_rows(shift_market=1), 7, window="hour")
    assert set(by_hour.loc[by_hour["status"] == "alert", "market"]) == {1}
    assert {"owner", "alert"} <= set(case.monitoring_plan().columns)
    with pytest.raises(ValueError, match="window"):
        case.residual_alerts(rows, residual, 7, window="week")


def test_the_alert_names_the_shifted_market_of_a_simulated_supply_shock():
    data = case.load_data("simulated", seed=2, n_orders=20_000, supply_shift=0.4,
                          shift_market=1, shift_day=21)
    features = case.order_features(data.table)
    fit_rows, calibration = case.calibration_split(case.split(data).train, 7)
    watched = data.table[data.table["day"] >= calibration["day"].min()]
    point = case.DurationGBDT(n_trees=30, features=case.STATIC_FEATURES, seed=2).fit(
        features.loc[fit_rows.index], fit_rows["duration_min"])
    residual = watched["duration_min"].to_numpy() - point.predict(features.loc[watched.index])
    fired = case.residual_alerts(watched, residual, 21).query("status == 'alert'")
    assert fired["market"].value_counts().idxmax() == 1


def test_retraining_serves_every_test_order_once_per_cadence_and_calibration(world):
    data, features = world[0], world[1]
    table = case.retraining(features, data.table, 25, {"weekly": 7, "daily": 1},
                            calibration_days=2, n_trees=10, seed=0)
    test_orders = int((data.table["day"] >= 25).sum())
    totals = table.groupby(["cadence", "calibration"])["orders"].sum()
    assert (totals == test_orders).all() and len(totals) == 4
    first = table[table["day"] == 25].set_index(["cadence", "calibration", "market"])
    # on the first test day both cadences serve the same model
    assert first.loc["weekly"]["late_rate"].to_dict() == first.loc["daily"]["late_rate"].to_dict()
    assert table["late_rate"].between(0, 1).all()
    with pytest.raises(ValueError, match="first_test_day"):
        case.retraining(features, data.table, 40, {"weekly": 7})


def test_the_prep_dispatch_delay_waits_for_the_food_less_the_lead():
    assert case.prep_dispatch_delay([10.0, 3.0, 6.0], 6.0).tolist() == [4.0, 0.0, 0.0]
    assert case.prep_dispatch_delay([10.0], 0.0).tolist() == [10.0]
    with pytest.raises(ValueError, match="lead_min"):
        case.prep_dispatch_delay([10.0], -1.0)


def test_dispatching_later_never_raises_the_couriers_idle_time(world):
    data, test = world[0], world[4]
    index = test.index[:3_000]
    delays = {f"{d}": float(d) for d in (0, 3, 6, 12)}
    table = case.dispatch_table(data.world, index, delays, seed=5)
    assert (np.diff(table["courier_idle"].to_numpy()) <= 0).all()
    assert (np.diff(table["duration"].to_numpy()) >= 0).all()
    assert table["extra_duration"].iloc[0] == 0.0
    assert table["mean_delay"].tolist() == [0.0, 3.0, 6.0, 12.0]
    # order by order, with the same noise
    early = data.world.redraw(index, 5, dispatch_delay_min=0.0)
    late = data.world.redraw(index, 5, dispatch_delay_min=6.0)
    assert (late["courier_idle"] <= early["courier_idle"]).all()
    assert (late["prep"] == early["prep"]).all()
    per_order = case.dispatch_table(data.world, index, {"prep": np.full(len(index), 6.0)}, 5)
    assert per_order.loc["prep", "courier_idle"] == pytest.approx(table.loc["6", "courier_idle"])


def test_bad_input_is_rejected(world, quotes):
    actual = world[4]["duration_min"].to_numpy()
    with pytest.raises(ValueError, match="quotes"):
        case.business_frontier(actual, {})
    with pytest.raises(ValueError, match="z_alert"):
        case.residual_alerts(*_residual_rows(), 7, z_alert=0.0)
    rows, residual = _residual_rows()
    with pytest.raises(ValueError, match="residual"):
        case.residual_alerts(rows, residual[:-1], 7)
