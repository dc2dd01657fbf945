"""A simulated food-delivery marketplace whose kitchens, couriers and roads are known.

Generative story (every draw comes from one ``numpy`` Generator seeded by ``seed``; exp, log and
powers are the CPU-independent ones of :mod:`mlsd.simulation`):

Markets ``m``
    a size ``∝ LogNormal(0, MARKET_SIZE_SIGMA²)`` (its share of the orders and of the stores), a
    planned courier utilisation ``U_m ~ Uniform(UTILISATION)`` (how thin the platform staffs it),
    a traffic factor ``T_m ~ Uniform(TRAFFIC)`` on road speed, and a rain propensity ``r_m ~
    Uniform(RAIN_PROPENSITY)``. A market is a square of ``MARKET_KM`` km.

Stores ``s``
    a market by size, a location uniform in its square, a category of :data:`CATEGORIES` by
    ``CATEGORY_SHARE`` with a base preparation time ``PREP_BASE[category]`` minutes, a kitchen
    speed ``k_s ~ LogNormal(0, KITCHEN_SIGMA²)`` no log shows, and a popularity ``∝ LogNormal(0,
    POPULARITY_SIGMA²)`` among its market's stores.

Weather and calendar
    each market, day and 3-hour block rains with probability ``r_m``. ``HOLIDAYS`` days drawn
    without replacement are holidays. Day 0 is a Monday.

Orders
    exactly ``n_orders``: each draws a cell (day, market, hour) with weight ``size_m ×
    DEMAND_BY_HOUR[hour] × WEEKEND_DEMAND (Fri, Sat) × HOLIDAY_DEMAND × RAIN_DEMAND × (1 +
    DEMAND_GROWTH) ** (day / 7)`` (the platform grows; inverse CDF
    on the cumulative weights), a time uniform within the hour, a store of its market by
    popularity, a customer at ``Gamma(DISTANCE_SHAPE, DISTANCE_SCALE)`` km (at most
    ``MAX_DISTANCE_KM``) from the store, and a basket: ``1 + Poisson(ITEMS_MEAN)`` items
    (``GROCERY_ITEMS_MEAN`` for grocery), of which ``1 + Binomial(items - 1, DISTINCT_SHARE)``
    distinct, each costing ``LogNormal(ln ITEM_PRICE, ITEM_PRICE_SIGMA²)`` dollars. The road is
    ``ROAD_FACTOR × LogNormal(0, ROAD_SIGMA²)`` times the straight line; the routing engine's
    ``drive_estimate_min`` is the road at ``FREE_FLOW_KMH``.

Real-time state at checkout (logged, as DoorDash logs it)
    ``outstanding_orders``: the market's orders placed in the ``IN_FLIGHT_MIN`` minutes before;
    ``onshift_couriers``: one Poisson draw per (day, market, hour) around the plan (by inverse CDF
    from one uniform, so a shock moves only the cells it touches), the expected
    in-flight orders of a typical day at that hour and weekday at day 0's level (the plan does not
    follow the growth, so couriers grow scarcer week by week) over ``U_m``, times
    ``HOLIDAY_SUPPLY`` on a holiday, ``RAIN_SUPPLY`` in rain, a day's ``LogNormal(0,
    SUPPLY_DAY_SIGMA²)`` and ``supply_shift`` in market ``shift_market`` from day ``shift_day``
    on (a supply shock; 1 = none);
    ``busy_couriers = min(onshift, outstanding)``. The kitchen's load — the store's orders in the
    ``STORE_LOAD_MIN`` minutes before — is not logged; :func:`~.features.store_load` computes it
    from the orders, and the simulator uses that same function.

Durations (each part known; ``duration = prep + wait + travel`` exactly)
    - preparation ``prep = PREP_BASE[c] k_s (1 + LOAD_SLOWDOWN load) (1 + ITEM_SLOWDOWN (items -
      1)) LogNormal(0, PREP_SIGMA²)``, plus with probability ``STUCK_SHARE`` a stuck order's
      ``Exponential(STUCK_MEAN_MIN)`` (``stuck_min``: a lost ticket, a missing item);
    - a courier: found after ``Gamma(2, a / 2)`` minutes, ``a = ASSIGN_BASE_MIN exp(ASSIGN_SLOPE
      (outstanding / onshift - ASSIGN_PIVOT))`` (capped at ``MAX_ASSIGN_MIN``), dispatched
      ``dispatch_delay_min`` after checkout (0 by default), and reaching the store after
      ``Gamma(TO_STORE_SHAPE, TO_STORE_SCALE)`` minutes;
    - pickup at ``max(prep, courier arrival) + HANDOFF_MIN``; ``wait = pickup - prep``, the time
      the food waits (``courier_idle_min = max(0, prep - arrival)``, the time the courier does);
    - travel ``road / speed × 60 × LogNormal(0, TRAVEL_SIGMA²) + HANDOFF_MIN`` with ``speed =
      FREE_FLOW_KMH T_m × PEAK_SPEED (at PEAK_HOURS) × RAIN_SPEED (in rain)``.

Conversion
    :func:`conversion_probability`: a customer shown a quote of ``q`` minutes orders with
    probability ``CONVERSION_MAX σ((CONVERSION_MID - q) / CONVERSION_SCALE)``, falling with ``q``.

Orders are sorted by time; ``delivered_time = time + duration / 1440`` is when the label arrives.
:meth:`DeliveryWorld.redraw` draws the parts again for the same orders and state (fresh noise, or
another dispatch delay): the true conditional distribution of a duration, which no log has.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mlsd.cases.delivery_eta.features import count_before, store_load
from mlsd.cases.delivery_eta.schema import COLUMNS, MINUTES_PER_DAY, check_table
from mlsd.simulation import exact_exp, exact_sigmoid
from mlsd.validation import check_int, check_number

CATEGORIES = ("pizza", "burger", "asian", "mexican", "indian", "sandwich", "dessert", "grocery")
CATEGORY_SHARE = (0.18, 0.16, 0.16, 0.12, 0.10, 0.12, 0.08, 0.08)
PREP_BASE = {"pizza": 16.0, "burger": 11.0, "asian": 14.0, "mexican": 12.0, "indian": 17.0,
             "sandwich": 8.0, "dessert": 6.0, "grocery": 10.0}
"""Minutes a category's kitchen takes for one item at no load (a kitchen's speed scales it)."""
MARKET_SIZE_SIGMA = 0.4
UTILISATION = (0.55, 0.8)
TRAFFIC = (0.85, 1.15)
RAIN_PROPENSITY = (0.05, 0.2)
MARKET_KM = 10.0
KITCHEN_SIGMA = 0.25
POPULARITY_SIGMA = 1.0
HOLIDAYS = 2
DEMAND_BY_HOUR = np.array([0.10, 0.05, 0.03, 0.02, 0.02, 0.03, 0.06, 0.12, 0.20, 0.25, 0.35, 0.80,
                           1.10, 0.80, 0.40, 0.35, 0.45, 0.90, 1.40, 1.60, 1.20, 0.70, 0.40, 0.20])
"""Relative demand by local hour: a lunch peak at 12 and a dinner peak at 19."""
WEEKEND_DEMAND = 1.2
DEMAND_GROWTH = 0.05
"""The platform's weekly growth in orders; the courier plan stays at the level of day 0."""
HOLIDAY_DEMAND = 1.5
RAIN_DEMAND = 1.2
DISTANCE_SHAPE, DISTANCE_SCALE, MAX_DISTANCE_KM = 2.0, 1.3, 12.0
ITEMS_MEAN, GROCERY_ITEMS_MEAN, DISTINCT_SHARE = 1.8, 6.0, 0.6
ITEM_PRICE, ITEM_PRICE_SIGMA = 9.0, 0.3
ROAD_FACTOR, ROAD_SIGMA = 1.3, 0.1
FREE_FLOW_KMH = 30.0
IN_FLIGHT_MIN = 40.0
STORE_LOAD_MIN = 20.0
HOLIDAY_SUPPLY = 0.75
RAIN_SUPPLY = 0.9
SUPPLY_DAY_SIGMA = 0.1
LOAD_SLOWDOWN = 0.08
ITEM_SLOWDOWN = 0.04
PREP_SIGMA = 0.25
STUCK_SHARE, STUCK_MEAN_MIN = 0.006, 35.0
ASSIGN_BASE_MIN, ASSIGN_SLOPE, ASSIGN_PIVOT, MAX_ASSIGN_MIN = 1.5, 2.5, 0.6, 45.0
TO_STORE_SHAPE, TO_STORE_SCALE = 3.0, 2.0
HANDOFF_MIN = 1.5
TRAVEL_SIGMA = 0.12
PEAK_HOURS = (11, 12, 13, 17, 18, 19, 20)
PEAK_SPEED = 0.75
RAIN_SPEED = 0.75
CONVERSION_MAX, CONVERSION_MID, CONVERSION_SCALE = 0.95, 60.0, 12.0
TRUTH_COLUMNS = ("true_prep_min", "true_wait_min", "true_travel_min", "stuck_min",
                 "courier_idle_min", "store_load")
"""The truth the simulator adds after the schema's columns: the three parts of each duration, a
stuck order's extra minutes, the courier's idle minutes at the store, and the kitchen's load."""
STATE_COLUMNS = ("category", "kitchen_speed", "store_load", "total_items", "outstanding_orders",
                 "onshift_couriers", "road_km", "speed_kmh")
"""What the durations are drawn from (:attr:`DeliveryWorld.state`)."""


@dataclass(frozen=True)
class DeliveryWorld:
    """The simulated marketplace and its truth.

    Attributes
    ----------
    orders : pandas.DataFrame
        The table in the schema of :mod:`.schema`, with :data:`TRUTH_COLUMNS` after it.
    markets, stores : pandas.DataFrame
        Each market's ``size``, ``utilisation``, ``traffic`` and ``rain_propensity``; each store's
        ``market``, ``category``, ``kitchen_speed``, ``popularity``, ``x``, ``y``.
    state : pandas.DataFrame
        Per order (indexed like ``orders``) the :data:`STATE_COLUMNS` its parts are drawn from.
    parameters : dict
        The arguments of :func:`simulate_orders`.
    """

    orders: pd.DataFrame
    markets: pd.DataFrame
    stores: pd.DataFrame
    state: pd.DataFrame
    parameters: dict

    def redraw(self, index, seed: int, dispatch_delay_min=0.0) -> pd.DataFrame:
        """The parts of the orders at ``index`` drawn again from their state with fresh noise
        (``seed``), the courier dispatched ``dispatch_delay_min`` after checkout (a number or one
        per order): columns ``prep``, ``wait``, ``travel``, ``duration``, ``stuck``,
        ``courier_idle``, indexed like ``index``. Many redraws give an order's true distribution
        of durations, hence its true quantiles."""
        state = self.state.loc[index]
        rng = np.random.default_rng(check_int("seed", seed, 0, 2**32 - 1))
        delay = np.broadcast_to(np.asarray(dispatch_delay_min, dtype=float), (len(state),))
        if not (np.isfinite(delay) & (delay >= 0)).all():
            raise ValueError("dispatch_delay_min must be finite minutes >= 0")
        return draw_parts(state, rng, delay)


def simulate_orders(
    *,
    n_orders: int = 60_000,
    n_days: int = 28,
    n_markets: int = 6,
    n_stores: int = 1_200,
    supply_shift: float = 1.0,
    shift_market: int = 0,
    shift_day: int | None = None,
    seed: int = 0,
) -> DeliveryWorld:
    """Simulate ``n_orders`` deliveries over ``n_days`` days (the module docstring's story).

    ``n_orders`` in [1_000, 2_000_000], ``n_days`` in [2, 365], ``n_markets`` in [1, 50],
    ``n_stores`` in [n_markets, 100_000], ``supply_shift`` in [0.2, 5] (the couriers of market
    ``shift_market`` are multiplied by it from day ``shift_day``, in [0, n_days]; None means day
    ``3 n_days // 4``, 21 of 28), ``seed`` in [0, 2**32 - 1].
    """
    n_orders = check_int("n_orders", n_orders, 1_000, 2_000_000)
    n_days = check_int("n_days", n_days, 2, 365)
    n_markets = check_int("n_markets", n_markets, 1, 50)
    n_stores = check_int("n_stores", n_stores, n_markets, 100_000)
    supply_shift = check_number("supply_shift", supply_shift, 0.2, 5.0)
    shift_market = check_int("shift_market", shift_market, 0, n_markets - 1)
    shift_day = check_int("shift_day", 3 * n_days // 4 if shift_day is None else shift_day, 0,
                          n_days)
    seed = check_int("seed", seed, 0, 2**32 - 1)
    parameters = dict(n_orders=n_orders, n_days=n_days, n_markets=n_markets, n_stores=n_stores,
                      supply_shift=supply_shift, shift_market=shift_market, shift_day=shift_day,
                      seed=seed)
    rng = np.random.default_rng(seed)
    markets = _draw_markets(rng, n_markets)
    stores = _draw_stores(rng, markets, n_stores)
    rain = rng.random((n_days, n_markets, 8)) < markets["rain_propensity"].to_numpy()[None, :, None]
    rain = np.repeat(rain, 3, axis=2)
    holiday = np.zeros(n_days, dtype=bool)
    holiday[rng.choice(n_days, size=min(HOLIDAYS, n_days), replace=False)] = True
    demand = _demand(markets, n_days, holiday, rain)
    orders = _draw_orders(rng, demand, markets, stores, n_orders)
    orders["rain"] = rain[orders["day"], orders["market"], orders["hour"]].astype(float)
    orders["holiday"] = holiday[orders["day"]].astype(float)
    couriers = _draw_couriers(rng, markets, n_days, holiday, rain, parameters, demand)
    orders = _real_time_state(orders, couriers)
    state = _state(orders, stores, markets)
    parts = draw_parts(state, rng, np.zeros(len(orders)))
    return DeliveryWorld(_orders_table(orders, parts, state), markets, stores, state, parameters)


def draw_markets(seed: int, n_markets: int = 6) -> pd.DataFrame:
    """The markets :func:`simulate_orders` draws for ``seed`` and ``n_markets``, before anything
    else and whatever the other sizes: a shock can be aimed at a market chosen from them."""
    seed = check_int("seed", seed, 0, 2**32 - 1)
    return _draw_markets(np.random.default_rng(seed), check_int("n_markets", n_markets, 1, 50))


def conversion_probability(quote_min) -> np.ndarray:
    """The chance a customer shown a quote of ``quote_min`` minutes orders:
    ``CONVERSION_MAX σ((CONVERSION_MID - q) / CONVERSION_SCALE)`` (0.88 at 30 minutes, 0.66 at
    50, 0.47 at 60): a longer promise loses orders."""
    quote = np.asarray(quote_min, dtype=float)
    if not np.isfinite(quote).all():
        raise ValueError("quote_min must be finite minutes")
    return CONVERSION_MAX * exact_sigmoid((CONVERSION_MID - quote) / CONVERSION_SCALE)


def draw_parts(state: pd.DataFrame, rng, dispatch_delay_min: np.ndarray) -> pd.DataFrame:
    """Preparation, wait and travel of each order of ``state`` (:data:`STATE_COLUMNS`), the
    courier dispatched ``dispatch_delay_min`` after checkout (the module docstring's formulas)."""
    n = len(state)
    base = state["category"].map(PREP_BASE).to_numpy(dtype=float)
    load = state["store_load"].to_numpy(dtype=float)
    items = state["total_items"].to_numpy(dtype=float)
    prep = (base * state["kitchen_speed"].to_numpy() * (1 + LOAD_SLOWDOWN * load)
            * (1 + ITEM_SLOWDOWN * (items - 1)) * exact_exp(rng.normal(0, PREP_SIGMA, n)))
    stuck = np.where(rng.random(n) < STUCK_SHARE, rng.exponential(STUCK_MEAN_MIN, n), 0.0)
    prep = prep + stuck
    pressure = (state["outstanding_orders"].to_numpy()
                / np.maximum(state["onshift_couriers"].to_numpy(), 1.0))
    assign_mean = np.minimum(ASSIGN_BASE_MIN * exact_exp(ASSIGN_SLOPE * (pressure - ASSIGN_PIVOT)),
                             MAX_ASSIGN_MIN)
    arrival = (dispatch_delay_min + rng.gamma(2.0, assign_mean / 2)
               + rng.gamma(TO_STORE_SHAPE, TO_STORE_SCALE, n))
    pickup = np.maximum(prep, arrival) + HANDOFF_MIN
    travel = (state["road_km"].to_numpy() / state["speed_kmh"].to_numpy() * 60
              * exact_exp(rng.normal(0, TRAVEL_SIGMA, n)) + HANDOFF_MIN)
    wait = pickup - prep
    return pd.DataFrame({"prep": prep, "wait": wait, "travel": travel,
                         "duration": prep + wait + travel, "stuck": stuck,
                         "courier_idle": np.maximum(prep - arrival, 0.0)}, index=state.index)


def _draw_markets(rng, n_markets: int) -> pd.DataFrame:
    size = exact_exp(rng.normal(0, MARKET_SIZE_SIGMA, n_markets))
    return pd.DataFrame({
        "size": size / size.sum(),
        "utilisation": rng.uniform(*UTILISATION, n_markets),
        "traffic": rng.uniform(*TRAFFIC, n_markets),
        "rain_propensity": rng.uniform(*RAIN_PROPENSITY, n_markets),
    })


def _draw_stores(rng, markets: pd.DataFrame, n_stores: int) -> pd.DataFrame:
    """Stores sorted by market; every market has at least one."""
    n_markets = len(markets)
    extra = _inverse_cdf(markets["size"].to_numpy(), rng.random(n_stores - n_markets))
    market = np.sort(np.r_[np.arange(n_markets), extra], kind="stable")
    category = np.array(CATEGORIES)[_inverse_cdf(np.array(CATEGORY_SHARE), rng.random(n_stores))]
    return pd.DataFrame({
        "market": market,
        "category": category,
        "kitchen_speed": exact_exp(rng.normal(0, KITCHEN_SIGMA, n_stores)),
        "popularity": exact_exp(rng.normal(0, POPULARITY_SIGMA, n_stores)),
        "x": rng.uniform(0, MARKET_KM, n_stores),
        "y": rng.uniform(0, MARKET_KM, n_stores),
    })


def _demand(markets: pd.DataFrame, n_days: int, holiday, rain) -> np.ndarray:
    """Relative demand of each (day, market, hour) cell."""
    weekday = np.arange(n_days) % 7
    growth = np.array([(1 + DEMAND_GROWTH) ** (day / 7) for day in range(n_days)])
    day_factor = (np.where(np.isin(weekday, (4, 5)), WEEKEND_DEMAND, 1.0)
                  * np.where(holiday, HOLIDAY_DEMAND, 1.0) * growth)
    return (day_factor[:, None, None] * markets["size"].to_numpy()[None, :, None]
            * DEMAND_BY_HOUR[None, None, :] * np.where(rain, RAIN_DEMAND, 1.0))


def _draw_orders(rng, demand: np.ndarray, markets, stores, n_orders: int) -> pd.DataFrame:
    n_days, n_markets, _ = demand.shape
    cell = _inverse_cdf(demand.ravel(), rng.random(n_orders))
    day, market, hour = np.unravel_index(cell, demand.shape)
    time = day + (hour + rng.random(n_orders)) / 24
    order = np.argsort(time, kind="stable")
    day, market, hour, time = day[order], market[order], hour[order], time[order]
    store = _store_of_market(stores, market, rng.random(n_orders))
    grocery = stores["category"].to_numpy()[store] == "grocery"
    items = 1 + rng.poisson(np.where(grocery, GROCERY_ITEMS_MEAN, ITEMS_MEAN))
    distinct = 1 + rng.binomial(items - 1, DISTINCT_SHARE)
    price = np.round(items * ITEM_PRICE * exact_exp(rng.normal(0, ITEM_PRICE_SIGMA, n_orders)), 2)
    distance = np.minimum(rng.gamma(DISTANCE_SHAPE, DISTANCE_SCALE, n_orders), MAX_DISTANCE_KM)
    road = distance * ROAD_FACTOR * exact_exp(rng.normal(0, ROAD_SIGMA, n_orders))
    return pd.DataFrame({
        "order_id": np.arange(n_orders), "time": time, "day": day, "hour": hour,
        "weekday": day % 7, "market": market, "store_id": store,
        "category": stores["category"].to_numpy()[store], "total_items": items,
        "distinct_items": distinct, "subtotal": price, "distance_km": distance, "road_km": road,
        "drive_estimate_min": road / FREE_FLOW_KMH * 60,
    })


def _draw_couriers(rng, markets, n_days: int, holiday, rain, parameters: dict,
                   demand: np.ndarray) -> np.ndarray:
    """Couriers on shift in each (day, market, hour) cell: the plan from a typical day's demand
    at the same hour and weekday, the day's and the weather's changes, the supply shock."""
    from scipy.stats import poisson  # a second to import: imported where the draw needs it

    weekday = np.arange(n_days) % 7
    typical = (np.where(np.isin(weekday, (4, 5)), WEEKEND_DEMAND, 1.0)[:, None, None]
               * markets["size"].to_numpy()[None, :, None] * DEMAND_BY_HOUR[None, None, :])
    orders_per_hour = typical / demand.sum() * parameters["n_orders"]
    in_flight = orders_per_hour * IN_FLIGHT_MIN / 60
    plan = in_flight / markets["utilisation"].to_numpy()[None, :, None]
    change = (np.where(holiday, HOLIDAY_SUPPLY, 1.0)[:, None, None]
              * exact_exp(rng.normal(0, SUPPLY_DAY_SIGMA, (n_days, len(markets))))[:, :, None]
              * np.where(rain, RAIN_SUPPLY, 1.0))
    shocked = np.zeros_like(plan, dtype=bool)
    shocked[parameters["shift_day"]:, parameters["shift_market"], :] = True
    change = change * np.where(shocked, parameters["supply_shift"], 1.0)
    return poisson.ppf(rng.random(plan.shape), plan * change)


def _real_time_state(orders: pd.DataFrame, couriers: np.ndarray) -> pd.DataFrame:
    """``outstanding_orders`` (the market's orders in the window before each), couriers on shift
    and busy, and the kitchen's load (:func:`~.features.store_load`)."""
    orders["outstanding_orders"] = count_before(
        orders["market"].to_numpy(), orders["time"].to_numpy(), IN_FLIGHT_MIN).astype(float)
    onshift = couriers[orders["day"], orders["market"], orders["hour"]]
    orders["onshift_couriers"] = onshift
    orders["busy_couriers"] = np.minimum(onshift, orders["outstanding_orders"].to_numpy())
    orders["store_load"] = store_load(orders, STORE_LOAD_MIN).to_numpy(dtype=float)
    return orders


def _state(orders: pd.DataFrame, stores: pd.DataFrame, markets: pd.DataFrame) -> pd.DataFrame:
    hour = orders["hour"].to_numpy()
    speed = (FREE_FLOW_KMH * markets["traffic"].to_numpy()[orders["market"].to_numpy()]
             * np.where(np.isin(hour, PEAK_HOURS), PEAK_SPEED, 1.0)
             * np.where(orders["rain"].to_numpy() == 1, RAIN_SPEED, 1.0))
    return pd.DataFrame({
        "category": orders["category"].to_numpy(),
        "kitchen_speed": stores["kitchen_speed"].to_numpy()[orders["store_id"].to_numpy()],
        "store_load": orders["store_load"].to_numpy(),
        "total_items": orders["total_items"].to_numpy(),
        "outstanding_orders": orders["outstanding_orders"].to_numpy(),
        "onshift_couriers": orders["onshift_couriers"].to_numpy(),
        "road_km": orders["road_km"].to_numpy(),
        "speed_kmh": speed,
    }, index=orders.index)


def _orders_table(orders: pd.DataFrame, parts: pd.DataFrame, state: pd.DataFrame) -> pd.DataFrame:
    table = pd.DataFrame({
        "order_id": orders["order_id"].to_numpy(),
        "time": orders["time"].to_numpy(),
        **{column: pd.array(orders[column].to_numpy(), dtype="Int64")
           for column in ("day", "hour", "weekday", "market", "store_id", "total_items",
                          "distinct_items")},
        "category": orders["category"].to_numpy(),
        **{column: orders[column].to_numpy(dtype=float)
           for column in ("subtotal", "distance_km", "drive_estimate_min", "outstanding_orders",
                          "onshift_couriers", "busy_couriers", "rain", "holiday")},
        "duration_min": parts["duration"].to_numpy(),
    })
    table["delivered_time"] = table["time"] + table["duration_min"] / MINUTES_PER_DAY
    table = table[list(COLUMNS)]
    for name, part in (("true_prep_min", "prep"), ("true_wait_min", "wait"),
                       ("true_travel_min", "travel"), ("stuck_min", "stuck"),
                       ("courier_idle_min", "courier_idle")):
        table[name] = parts[part].to_numpy()
    table["store_load"] = state["store_load"].to_numpy()
    return check_table(table, source="simulated orders")


def _inverse_cdf(weights: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
    """Indices drawn with probability ∝ ``weights``: each uniform's place in the cumulative sum
    (a sequential sum, the same on every CPU)."""
    cumulative = np.cumsum(weights)
    return np.minimum(np.searchsorted(cumulative, uniforms * cumulative[-1], side="right"),
                      len(weights) - 1)


def _store_of_market(stores: pd.DataFrame, market: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
    """A store of each order's market, with probability ∝ popularity (stores sorted by market)."""
    cumulative = np.cumsum(stores["popularity"].to_numpy())
    first = np.searchsorted(stores["market"].to_numpy(), market, side="left")
    last = np.searchsorted(stores["market"].to_numpy(), market, side="right") - 1
    low = np.where(first > 0, cumulative[np.maximum(first - 1, 0)], 0.0)
    target = low + uniforms * (cumulative[last] - low)
    return np.clip(np.searchsorted(cumulative, target, side="right"), first, last)

