"""The delivery-ETA simulator against its own generative story: each duration's three parts, the
real-time state it logs, the growth and the supply shock, the redraws, the conversion."""

import hashlib
import re

import numpy as np
import pandas as pd
import pytest
from cpu_paths import output_with_simd_loops

from mlsd.cases.delivery_eta import simulate as sim
from mlsd.cases.delivery_eta.features import count_before, store_load
from mlsd.cases.delivery_eta.schema import COLUMNS, check_table
from mlsd.cases.delivery_eta.simulate import (
    TRUTH_COLUMNS,
    conversion_probability,
    draw_markets,
    simulate_orders,
)

SEED = 1
Z = 4.0  # a deviation of more than Z standard errors is a failure, not noise


@pytest.fixture(scope="module")
def world():
    return simulate_orders(n_orders=60_000, seed=SEED)


def _z_of_mean(values, expected):
    values = np.asarray(values, dtype=float)
    return (values.mean() - expected) / (values.std() / np.sqrt(len(values)))


def test_the_table_follows_the_schema_with_the_truth_after_it(world):
    orders = world.orders
    assert list(orders.columns) == [*COLUMNS, *TRUTH_COLUMNS]
    assert check_table(orders) is orders
    assert len(orders) == 60_000 and orders["order_id"].tolist() == list(range(60_000))
    assert orders["time"].is_monotonic_increasing
    assert (orders["day"].to_numpy() == np.floor(orders["time"].to_numpy())).all()
    assert (orders["weekday"].to_numpy() == orders["day"].to_numpy() % 7).all()


def test_each_duration_is_its_preparation_its_wait_and_its_travel(world):
    orders = world.orders
    parts = orders[["true_prep_min", "true_wait_min", "true_travel_min"]].sum(axis=1)
    np.testing.assert_allclose(orders["duration_min"], parts, rtol=1e-12)
    assert (orders["true_wait_min"] >= sim.HANDOFF_MIN - 1e-9).all()
    assert (orders["courier_idle_min"] >= 0).all()
    delivered = orders["time"] + orders["duration_min"] / 1440
    np.testing.assert_allclose(orders["delivered_time"], delivered, rtol=1e-12)


def test_the_food_waits_or_the_courier_does_never_both(world):
    orders = world.orders
    food_waits = orders["true_wait_min"] > sim.HANDOFF_MIN + 1e-9
    courier_waits = orders["courier_idle_min"] > 1e-9
    assert not (food_waits & courier_waits).any()
    assert 0.2 < food_waits.mean() < 0.8 and 0.2 < courier_waits.mean() < 0.8


def test_preparation_follows_the_kitchen_its_load_and_the_basket(world):
    orders, state = world.orders, world.state
    expected = (state["category"].map(sim.PREP_BASE) * state["kitchen_speed"]
                * (1 + sim.LOAD_SLOWDOWN * state["store_load"])
                * (1 + sim.ITEM_SLOWDOWN * (state["total_items"] - 1)))
    ratio = ((orders["true_prep_min"] - orders["stuck_min"]) / expected).to_numpy()
    assert abs(_z_of_mean(ratio, np.exp(sim.PREP_SIGMA**2 / 2))) < Z
    assert abs(np.log(ratio).std() - sim.PREP_SIGMA) < 0.01
    stuck = orders["stuck_min"] > 0
    assert abs(stuck.mean() - sim.STUCK_SHARE) < Z * np.sqrt(sim.STUCK_SHARE / len(orders))


def test_travel_is_the_road_at_the_hours_and_the_weathers_speed(world):
    orders, state = world.orders, world.state
    free = state["road_km"] / state["speed_kmh"] * 60
    ratio = ((orders["true_travel_min"] - sim.HANDOFF_MIN) / free).to_numpy()
    assert abs(_z_of_mean(ratio, np.exp(sim.TRAVEL_SIGMA**2 / 2))) < Z
    peak = orders["hour"].isin(sim.PEAK_HOURS).to_numpy()
    rain = orders["rain"].to_numpy() == 1
    traffic = world.markets["traffic"].to_numpy()[orders["market"].to_numpy(dtype=int)]
    speed = sim.FREE_FLOW_KMH * traffic * np.where(peak, sim.PEAK_SPEED, 1) * np.where(
        rain, sim.RAIN_SPEED, 1)
    np.testing.assert_allclose(state["speed_kmh"], speed, rtol=1e-12)
    np.testing.assert_allclose(orders["drive_estimate_min"], state["road_km"] / 30 * 60)
    assert (state["road_km"] > orders["distance_km"]).mean() > 0.99


def test_the_logged_state_is_counted_from_the_orders_before(world):
    orders = world.orders
    outstanding = count_before(orders["market"].to_numpy(dtype=int), orders["time"].to_numpy(),
                               sim.IN_FLIGHT_MIN)
    assert (orders["outstanding_orders"].to_numpy() == outstanding).all()
    assert (orders["busy_couriers"] == np.minimum(orders["onshift_couriers"],
                                                  orders["outstanding_orders"])).all()
    np.testing.assert_array_equal(orders["store_load"], store_load(orders))
    cell = orders.groupby(["day", "market", "hour"])["onshift_couriers"].nunique()
    assert (cell == 1).all()  # one draw of couriers per day, market and hour


def test_a_busier_market_waits_longer_for_a_courier(world):
    orders = world.orders
    pressure = orders["outstanding_orders"] / orders["onshift_couriers"].clip(lower=1)
    calm, busy = orders["true_wait_min"][pressure < 0.5], orders["true_wait_min"][pressure > 1.2]
    assert busy.mean() > 2 * calm.mean()


def test_the_platform_grows_while_the_couriers_plan_does_not(world):
    orders = world.orders
    day = orders["day"].to_numpy(dtype=int)
    ordinary = (orders["holiday"].to_numpy() == 0) & ~np.isin(day % 7, (4, 5))
    per_day = np.bincount(day[ordinary], minlength=28)
    week = np.arange(28) // 7
    first, last = per_day[(week == 0) & (per_day > 0)], per_day[(week == 3) & (per_day > 0)]
    assert abs(last.mean() / first.mean() - (1 + sim.DEMAND_GROWTH) ** 3) < 0.08
    week = day // 7
    pressure = orders["outstanding_orders"] / orders["onshift_couriers"].clip(lower=1)
    by_week = pressure.groupby(week).median().to_numpy()
    assert by_week[-1] > by_week[0] * 1.1


def test_a_supply_shock_cuts_the_couriers_of_one_market_from_its_day():
    kwargs = dict(n_orders=30_000, seed=3, shift_market=1, shift_day=14)
    before = simulate_orders(**kwargs).orders
    after = simulate_orders(**kwargs, supply_shift=0.6).orders
    late = (after["day"] >= 14).to_numpy()
    hit = late & (after["market"] == 1).to_numpy()
    ratio = after["onshift_couriers"][hit].sum() / before["onshift_couriers"][hit].sum()
    assert abs(ratio - 0.6) < 0.03
    untouched = ~hit
    assert (after["onshift_couriers"][untouched] == before["onshift_couriers"][untouched]).all()
    assert after["duration_min"][hit].mean() > before["duration_min"][hit].mean() + 1


def test_holidays_and_rain_raise_demand(world):
    orders = world.orders
    per_day = orders.groupby("day").size()
    holiday = orders.groupby("day")["holiday"].first().astype(bool)
    assert holiday.sum() == sim.HOLIDAYS
    weekday = per_day.index.to_numpy() % 7
    ordinary = per_day[~holiday.to_numpy() & ~np.isin(weekday, (4, 5))]
    assert per_day[holiday].min() > ordinary.median() * 1.2


def test_a_redraw_with_the_same_seed_is_the_same_and_matches_the_log_in_distribution(world):
    index = world.orders.index[:20_000]
    first, again = world.redraw(index, seed=5), world.redraw(index, seed=5)
    pd.testing.assert_frame_equal(first, again)
    logged = world.orders.loc[index, "duration_min"]
    spread = np.sqrt(first["duration"].var() / len(index) + logged.var() / len(index))
    assert abs(first["duration"].mean() - logged.mean()) < Z * spread
    np.testing.assert_allclose(first["duration"], first[["prep", "wait", "travel"]].sum(axis=1))


def test_dispatching_later_trades_courier_idle_time_for_food_waiting(world):
    index = world.orders.index[:20_000]
    now = world.redraw(index, seed=5)
    later = world.redraw(index, seed=5, dispatch_delay_min=8.0)
    assert later["courier_idle"].mean() < now["courier_idle"].mean()
    assert later["wait"].mean() > now["wait"].mean()
    np.testing.assert_array_equal(later["prep"], now["prep"])
    with pytest.raises(ValueError, match="dispatch_delay_min must be finite minutes >= 0"):
        world.redraw(index, seed=5, dispatch_delay_min=-1.0)


def test_conversion_falls_with_the_quote():
    quotes = np.array([20.0, 30.0, 50.0, 60.0, 90.0])
    probability = conversion_probability(quotes)
    expected = 0.95 / (1 + np.exp(-(60 - quotes) / 12))
    np.testing.assert_allclose(probability, expected, rtol=1e-12)
    assert (np.diff(probability) < 0).all()
    with pytest.raises(ValueError, match="quote_min must be finite"):
        conversion_probability([np.nan])


def test_the_same_seed_gives_the_same_orders_and_another_seed_others():
    first = simulate_orders(n_orders=5_000, seed=4).orders
    pd.testing.assert_frame_equal(first, simulate_orders(n_orders=5_000, seed=4).orders)
    other = simulate_orders(n_orders=5_000, seed=5).orders
    assert not np.allclose(first["duration_min"], other["duration_min"])


HASH = (
    "import hashlib, pandas as pd\n"
    "from mlsd.cases.delivery_eta.simulate import simulate_orders\n"
    "w = simulate_orders(n_orders=5_000, seed=11)\n"
    "h = hashlib.sha256()\n"
    "for t in (w.orders, w.markets, w.stores, w.state):\n"
    "    h.update(pd.util.hash_pandas_object(t).to_numpy().tobytes())\n"
    "print(h.hexdigest())\n"
)


def test_the_orders_are_the_same_with_numpys_simd_loops_on_or_off():
    on = output_with_simd_loops(HASH, on=True)
    off = output_with_simd_loops(HASH, on=False)
    assert re.fullmatch("[0-9a-f]{64}", on) and on == off


@pytest.mark.parametrize("name, value, allowed", [
    ("n_orders", 999, "an integer in [1000, 2000000]"),
    ("n_days", 1, "an integer in [2, 365]"),
    ("n_markets", 0, "an integer in [1, 50]"),
    ("n_stores", 3, "an integer in [6, 100000]"),
    ("supply_shift", 0.0, "a number in [0.2, 5]"),
    ("shift_market", 6, "an integer in [0, 5]"),
    ("shift_day", 29, "an integer in [0, 28]"),
    ("seed", -1, "an integer in [0, 4294967295]"),
])
def test_bad_parameters_are_refused_with_what_is_allowed(name, value, allowed):
    with pytest.raises(ValueError, match=re.escape(name)) as error:
        simulate_orders(**{name: value})
    assert re.escape(allowed) and str(value) in str(error.value)


def test_the_markets_are_drawn_first_whatever_the_other_sizes():
    for seed in (1, 5):
        world = simulate_orders(n_orders=2_000, n_days=3, n_stores=40, seed=seed)
        pd.testing.assert_frame_equal(draw_markets(seed), world.markets)
    with pytest.raises(ValueError, match="n_markets"):
        draw_markets(1, 0)
