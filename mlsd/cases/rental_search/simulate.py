"""A simulated rental marketplace whose guests' tastes, hosts' choices and position bias are known.

Generative story (every draw comes from one ``numpy`` Generator seeded by ``seed``):

Markets ``m``
    a size ``∝ LogNormal(0, MARKET_SIZE_SIGMA²)`` (its share of the listings and of the trips) and
    a price level ``L_m ~ LogNormal(ln MARKET_PRICE_MEDIAN, MARKET_PRICE_SIGMA²)``. A market is the
    unit square: a listing and a guest's preferred spot are points in it.

Listings ``l``
    a market drawn by size, a location ``(x, y)`` uniform in the square, a room type of
    :data:`ROOM_TYPES` by ``ROOM_TYPE_SHARE``, a capacity (an entire home ``2 + min(Poisson(
    ENTIRE_EXTRA_GUESTS), MAX_EXTRA_GUESTS)``, a private room 1 or 2 (2 with probability
    ``PRIVATE_DOUBLE_SHARE``), a shared room 1), a quality ``q_l ~ N(0, QUALITY_SD²)`` no log
    shows, and a nightly price ``L_m ROOM_TYPE_PRICE[type] (capacity / 2) ** PRICE_CAPACITY_EXPONENT
    exp(PRICE_QUALITY q_l + N(0, PRICE_NOISE_SD²))``.
    A share ``new_listing_share`` is brand new: ``Uniform(0, NEW_LISTING_DAYS)`` days old when the
    log opens, no reviews, no rating. The others are ``NEW_LISTING_DAYS + Exponential(
    ESTABLISHED_MEAN_AGE_DAYS)`` days old, with ``Poisson(REVIEWS_PER_YEAR age_years exp(
    REVIEW_QUALITY q_l))`` reviews and, when they have some, a rating ``clip(RATING_MEAN +
    RATING_QUALITY q_l + N(0, RATING_NOISE_SD² / reviews), 1, 5)`` (the mean of noisy reviews).
    Reviews and ratings stay as they are over the log; the age grows with time.
    A host acceptance propensity ``α_l``: a share ``PICKY_HOST_SHARE`` of hosts are picky,
    ``α ~ Beta(PICKY_ACCEPT)`` (mean 0.5), the others ``α ~ Beta(KEEN_ACCEPT)`` (mean 0.89).
    An occupancy ``o_l ~ Beta(OCCUPANCY)``: the listing is free for a stay of ``n`` nights with
    probability ``(1 - o_l) ** (n / TYPICAL_NIGHTS)``.

Guests ``g``
    an activity ``∝ LogNormal(0, ACTIVITY_SIGMA²)`` (their share of the trips), a budget factor
    ``r_g ~ LogNormal(0, BUDGET_SIGMA²)``, a price sensitivity ``β_g ~ LogNormal(ln
    PRICE_SENSITIVITY_MEDIAN, PRICE_SENSITIVITY_SIGMA²)`` and a preferred room type by
    ``ROOM_TYPE_SHARE``.

Trips ``t`` and their searches
    a trip is a guest (drawn by activity) looking for a stay in a market (drawn by size): a party
    of ``1 … 6`` by ``PARTY_SHARE``, ``1 + Poisson(NIGHTS_MEAN - 1)`` nights, a preferred spot
    ``p_t`` uniform in the square, and a budget ``B_t = r_g L_m (party / 2) **
    PARTY_BUDGET_EXPONENT``. It plans ``1 + Poisson(SEARCHES_PER_TRIP - 1)`` searches, the first
    at a time uniform in ``(-TRIP_LEAD_DAYS, n_days)`` and each next one
    ``Exponential(SEARCH_GAP_HOURS)`` hours later, all for the same dates and party (the trip is
    the session: what the guest opened earlier tells of ``p_t`` and of their taste). A booking
    ends the trip: no later search is made. The log keeps the searches within ``[0, n_days)``:
    exactly ``n_searches`` of them, trips drawn in rounds until there are enough, the last trip
    cut short.

Retrieval
    a search's candidates are the listings of its market that hold the party (``capacity >=
    party``) and are free for its dates (one draw per trip and listing, shared by the trip's
    searches); their number is ``retrieved``. A search shows ``min(retrieved,
    results_per_search)`` of them.

The logging policy
    the production ranker scores each candidate ``POLICY_REVIEWS ln(1 + reviews) + POLICY_RATING
    (rating - RATING_MEAN) - POLICY_PRICE ln(price / L_m) + N(0, POLICY_NOISE²)`` (a listing
    without a rating counts ``RATING_MEAN``; recorded as ``policy_score``) and shows the best in
    that order: not personal, and new listings sink for their lack of reviews though their
    quality is drawn as every other's. A share ``random_share`` of the searches shows candidates
    drawn at random, in a random order (``random_order``, as Expedia's ``random_bool``).

Examination and outcomes
    the guest examines position ``k`` with probability ``e_k = k ** -examination_decay``
    (``examine_probability``). Given examination, and free of the position, the truth of a pair is
    the guest's utility::

        u(t, l) = UTILITY_QUALITY q_l - β_g ln(price_l / B_t)
                  - OVER_BUDGET max(0, ln(price_l / B_t))
                  - LOCATION_SLOPE |x_l - p_t| + TYPE_MATCH [type_l = preferred type of g]

    ``true_click = σ(CLICK_INTERCEPT + CLICK_SLOPE u)``; a long click is a click the guest stays
    on, ``true_long_click = true_click σ(LONG_CLICK_INTERCEPT + LONG_CLICK_SLOPE u)``; a request
    follows a long click, ``true_request = true_long_click σ(REQUEST_INTERCEPT + REQUEST_SLOPE u)``;
    the host accepts with ``true_accept = σ(logit α_l + ACCEPT_NIGHTS ln(nights / TYPICAL_NIGHTS))``
    (hosts prefer longer stays) and ``true_book = true_request true_accept``.
    Clicks and long clicks are drawn on every examined row (the guest opens listings while
    scanning). Requests are then made in position order, each with its probability given the long
    click, and each is accepted or rejected by its host; the first accepted one is the booking and
    the guest requests nothing after it: at most one booking per search, and per trip. So the
    chance that position ``k`` is booked is ``e_k true_book_k Π_{j<k} (1 - e_j true_book_j)``.

:meth:`SearchWorld.truth_of` gives the truth of any (search, listing) pair of the same market,
shown or not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mlsd.cases.rental_search.schema import check_table
from mlsd.simulation import exact_exp as _exp
from mlsd.simulation import exact_sigmoid as _sigmoid
from mlsd.simulation import libm as _libm
from mlsd.validation import check_int, check_number

ROOM_TYPES = ("entire_home", "private_room", "shared_room")
ROOM_TYPE_SHARE = np.array([0.6, 0.35, 0.05])
ROOM_TYPE_PRICE = np.array([1.0, 0.55, 0.3])
MARKET_SIZE_SIGMA = 0.6
MARKET_PRICE_MEDIAN = 110.0
MARKET_PRICE_SIGMA = 0.35
ENTIRE_EXTRA_GUESTS = 1.8
MAX_EXTRA_GUESTS = 8
PRIVATE_DOUBLE_SHARE = 0.6
QUALITY_SD = 1.0
PRICE_CAPACITY_EXPONENT = 0.4
PRICE_QUALITY = 0.15
PRICE_NOISE_SD = 0.25
NEW_LISTING_DAYS = 30.0
ESTABLISHED_MEAN_AGE_DAYS = 600.0
REVIEWS_PER_YEAR = 10.0
REVIEW_QUALITY = 0.3
RATING_MEAN = 4.6
RATING_QUALITY = 0.2
RATING_NOISE_SD = 0.8
PICKY_HOST_SHARE = 0.25
PICKY_ACCEPT = (2.0, 2.0)
KEEN_ACCEPT = (12.0, 1.5)
OCCUPANCY = (2.0, 2.0)
TYPICAL_NIGHTS = 3.0
ACTIVITY_SIGMA = 1.0
BUDGET_SIGMA = 0.35
PRICE_SENSITIVITY_MEDIAN = 1.5
PRICE_SENSITIVITY_SIGMA = 0.4
PARTY_SHARE = np.array([0.22, 0.45, 0.1, 0.13, 0.05, 0.05])
PARTY_BUDGET_EXPONENT = 0.4
NIGHTS_MEAN = 3.5
SEARCHES_PER_TRIP = 3.0
SEARCH_GAP_HOURS = 8.0
TRIP_LEAD_DAYS = 2.0
UTILITY_QUALITY = 0.8
OVER_BUDGET = 1.5
LOCATION_SLOPE = 3.0
TYPE_MATCH = 0.7
CLICK_INTERCEPT, CLICK_SLOPE = -0.9, 0.7
LONG_CLICK_INTERCEPT, LONG_CLICK_SLOPE = 0.0, 0.6
REQUEST_INTERCEPT, REQUEST_SLOPE = -1.6, 0.8
ACCEPT_NIGHTS = 0.4
POLICY_REVIEWS = 0.3
POLICY_RATING = 1.0
POLICY_PRICE = 0.5
POLICY_NOISE = 0.5
TRUTH_COLUMNS = ("examine_probability", "true_click", "true_long_click", "true_request",
                 "true_accept", "true_book")
"""The truth the simulator adds after the schema's columns, ``trip_id`` and ``policy_score``."""
HEADS = ("click", "long_click", "request", "accept", "book")
"""The heads of :meth:`SearchWorld.truth_of`, each ``true_<head>``."""


@dataclass(frozen=True)
class SearchWorld:
    """The simulated marketplace: the search results, the markets, listings, guests, trips and
    searches, and their truth.

    Attributes
    ----------
    results : pandas.DataFrame
        The columns of :mod:`.schema`, then ``trip_id`` (a real log finds it from the guest, the
        market and the dates), ``policy_score`` (the production ranker's score) and the truth no
        real log has, :data:`TRUTH_COLUMNS`.
    markets : pandas.DataFrame
        ``market, size, price_level`` (``size`` sums to 1).
    listings : pandas.DataFrame
        ``listing_id, market, x, y, room_type, capacity, quality, price, new, age_days`` (when the
        log opens), ``review_count, rating, acceptance`` (``α``), ``occupancy``.
    guests : pandas.DataFrame
        ``guest_id, activity, budget_factor, price_sensitivity, preferred_type``.
    trips : pandas.DataFrame
        One row per trip with a search in the log, by its first search: ``trip_id, guest_id,
        market, nights, guests, preferred_x, preferred_y, budget, searches`` (in the log),
        ``booked`` (in the log).
    searches : pandas.DataFrame
        ``search_id, time, day, trip_id, guest_id, market, nights, guests, random_order,
        retrieved`` (candidates that passed retrieval), ``shown``, ``booked``; in time order.
    parameters : dict
        The arguments of :func:`simulate_searches`.
    """

    results: pd.DataFrame
    markets: pd.DataFrame
    listings: pd.DataFrame
    guests: pd.DataFrame
    trips: pd.DataFrame
    searches: pd.DataFrame
    parameters: dict

    def examine_probability(self, position) -> np.ndarray:
        """``e_k = k ** -examination_decay``: the chance that position ``k`` (1, 2, …) is seen."""
        return _examination(np.asarray(position, dtype=np.int64),
                            self.parameters["examination_decay"])

    def truth_of(self, pairs: pd.DataFrame) -> pd.DataFrame:
        """The truth of any (``search_id``, ``listing_id``) rows, shown or not: ``true_<head>`` for
        each of :data:`HEADS`, indexed like ``pairs``. The listing must be of the search's market
        (retrieval's other filters, capacity and dates, are not applied)."""
        search = pairs["search_id"].to_numpy()
        listing = pairs["listing_id"].to_numpy()
        trip = self.searches["trip_id"].to_numpy()[search]
        trips = _trip_arrays(self.trips)
        wrong = trips["market"][trip] != self.listings["market"].to_numpy()[listing]
        if wrong.any():
            raise ValueError(f"{int(wrong.sum())} pairs hold a listing outside the search's market;"
                             " truth is defined within a market")
        truth = _true_heads(_listing_arrays(self.listings), self.guests, trips, trip, listing)
        return pd.DataFrame({f"true_{head}": truth[head] for head in HEADS}, index=pairs.index)


def simulate_searches(
    *,
    n_markets: int = 8,
    n_listings: int = 3_000,
    n_guests: int = 6_000,
    n_days: int = 28,
    n_searches: int = 30_000,
    results_per_search: int = 24,
    random_share: float = 0.05,
    examination_decay: float = 0.7,
    new_listing_share: float = 0.1,
    seed: int = 0,
) -> SearchWorld:
    """Draw a :class:`SearchWorld` (the module docstring tells the generative story).

    Exactly ``n_searches`` searches (a search whose retrieval finds nothing shows no row), rows
    sorted by time and, within a search, by position, passing :func:`~.schema.check_table`.
    Sizes are integers >= 1, ``n_listings`` at least ``n_markets``; ``random_share`` and
    ``new_listing_share`` in ``[0, 1]``, ``examination_decay`` in ``[0, 5]`` (0: every position
    is examined), ``seed`` an integer >= 0.
    """
    for name, value in {"n_markets": n_markets, "n_guests": n_guests, "n_days": n_days,
                        "n_searches": n_searches, "results_per_search": results_per_search}.items():
        check_int(name, value, 1)
    check_int("n_listings", n_listings, n_markets)
    check_number("random_share", random_share, 0, 1)
    check_number("examination_decay", examination_decay, 0, 5)
    check_number("new_listing_share", new_listing_share, 0, 1)
    check_int("seed", seed, 0)
    parameters = dict(n_markets=n_markets, n_listings=n_listings, n_guests=n_guests,
                      n_days=n_days, n_searches=n_searches, results_per_search=results_per_search,
                      random_share=float(random_share), examination_decay=float(examination_decay),
                      new_listing_share=float(new_listing_share), seed=seed)
    rng = np.random.default_rng(seed)
    markets = _draw_markets(rng, n_markets)
    listings = _draw_listings(rng, markets, n_listings, new_listing_share)
    guests = _draw_guests(rng, n_guests)
    market = _Marketplace(rng, parameters, markets, listings, guests)
    trips, searches, rows = market.run()
    results = _results_table(rows, searches, listings)
    return SearchWorld(check_table(results, "simulate_searches"), markets, listings, guests,
                       trips, searches, parameters)


def _draw_markets(rng, n_markets: int) -> pd.DataFrame:
    size = rng.lognormal(0, MARKET_SIZE_SIGMA, n_markets)
    return pd.DataFrame({
        "market": np.arange(n_markets),
        "size": size / size.sum(),
        "price_level": rng.lognormal(math.log(MARKET_PRICE_MEDIAN), MARKET_PRICE_SIGMA, n_markets),
    })


def _draw_listings(rng, markets: pd.DataFrame, n_listings: int, new_share: float) -> pd.DataFrame:
    """The listings, sorted by market (every market has at least one)."""
    n_markets = len(markets)
    extra = rng.choice(n_markets, n_listings - n_markets, p=markets["size"].to_numpy())
    market = np.sort(np.r_[np.arange(n_markets), extra], kind="stable")
    room_type = rng.choice(len(ROOM_TYPES), n_listings, p=ROOM_TYPE_SHARE)
    entire = 2 + np.minimum(rng.poisson(ENTIRE_EXTRA_GUESTS, n_listings), MAX_EXTRA_GUESTS)
    private = 1 + (rng.random(n_listings) < PRIVATE_DOUBLE_SHARE)
    capacity = np.choose(room_type, [entire, private, np.ones(n_listings, np.int64)])
    quality = rng.normal(0, QUALITY_SD, n_listings)
    price = (markets["price_level"].to_numpy()[market] * ROOM_TYPE_PRICE[room_type]
             * _libm(lambda guests: math.pow(guests / 2, PRICE_CAPACITY_EXPONENT), capacity)
             * _exp(PRICE_QUALITY * quality + rng.normal(0, PRICE_NOISE_SD, n_listings)))
    new = rng.random(n_listings) < new_share
    age = np.where(new, rng.uniform(0, NEW_LISTING_DAYS, n_listings),
                   NEW_LISTING_DAYS + rng.exponential(ESTABLISHED_MEAN_AGE_DAYS, n_listings))
    rate = REVIEWS_PER_YEAR * age / 365 * _exp(REVIEW_QUALITY * quality)
    reviews = np.where(new, 0, rng.poisson(rate))
    noise = rng.normal(0, RATING_NOISE_SD, n_listings) / np.sqrt(np.maximum(reviews, 1))
    rating = np.clip(RATING_MEAN + RATING_QUALITY * quality + noise, 1, 5)
    picky = rng.random(n_listings) < PICKY_HOST_SHARE
    acceptance = np.where(picky, rng.beta(*PICKY_ACCEPT, n_listings),
                          rng.beta(*KEEN_ACCEPT, n_listings))
    return pd.DataFrame({
        "listing_id": np.arange(n_listings),
        "market": market,
        "x": rng.random(n_listings),
        "y": rng.random(n_listings),
        "room_type": np.asarray(ROOM_TYPES, dtype=object)[room_type],
        "capacity": capacity.astype(np.int64),
        "quality": quality,
        "price": np.round(price, 2),
        "new": new,
        "age_days": age,
        "review_count": reviews.astype(np.int64),
        "rating": np.where(reviews > 0, np.round(rating, 2), np.nan),
        "acceptance": np.clip(acceptance, 1e-6, 1 - 1e-6),
        "occupancy": rng.beta(*OCCUPANCY, n_listings),
    })


def _draw_guests(rng, n_guests: int) -> pd.DataFrame:
    activity = rng.lognormal(0, ACTIVITY_SIGMA, n_guests)
    return pd.DataFrame({
        "guest_id": np.arange(n_guests),
        "activity": activity / activity.sum(),
        "budget_factor": rng.lognormal(0, BUDGET_SIGMA, n_guests),
        "price_sensitivity": rng.lognormal(math.log(PRICE_SENSITIVITY_MEDIAN),
                                           PRICE_SENSITIVITY_SIGMA, n_guests),
        "preferred_type": np.asarray(ROOM_TYPES, dtype=object)[
            rng.choice(len(ROOM_TYPES), n_guests, p=ROOM_TYPE_SHARE)],
    })


def _listing_arrays(listings: pd.DataFrame) -> dict:
    """Per-listing numpy arrays the truth and the policy need, indexed by ``listing_id``."""
    return {
        "market": listings["market"].to_numpy(),
        "x": listings["x"].to_numpy(),
        "y": listings["y"].to_numpy(),
        "type": pd.Categorical(listings["room_type"], categories=ROOM_TYPES).codes,
        "quality": listings["quality"].to_numpy(),
        "log_price": _libm(math.log, listings["price"].to_numpy()),
        "acceptance_logit": _libm(math.log, listings["acceptance"].to_numpy()
                                  / (1 - listings["acceptance"].to_numpy())),
    }


def _trip_arrays(trips: pd.DataFrame) -> dict:
    """Per-trip numpy arrays the truth needs, indexed by the trip's number."""
    arrays = {column: trips[column].to_numpy() for column in
              ("guest_id", "market", "preferred_x", "preferred_y")}
    arrays["log_budget"] = _libm(math.log, trips["budget"].to_numpy())
    arrays["log_nights"] = _libm(math.log, trips["nights"].to_numpy() / TYPICAL_NIGHTS)
    return arrays


def _true_heads(listing_arrays: dict, guests: pd.DataFrame, trips: dict, trip, listing) -> dict:
    """``true_<head>`` of each (trip, listing) row, given examination (module docstring)."""
    guest = trips["guest_id"][trip]
    log_ratio = listing_arrays["log_price"][listing] - trips["log_budget"][trip]
    across = listing_arrays["x"][listing] - trips["preferred_x"][trip]
    along = listing_arrays["y"][listing] - trips["preferred_y"][trip]
    distance = np.sqrt(across * across + along * along)
    preferred = pd.Categorical(guests["preferred_type"], categories=ROOM_TYPES).codes[guest]
    utility = (UTILITY_QUALITY * listing_arrays["quality"][listing]
               - guests["price_sensitivity"].to_numpy()[guest] * log_ratio
               - OVER_BUDGET * np.maximum(log_ratio, 0) - LOCATION_SLOPE * distance
               + TYPE_MATCH * (listing_arrays["type"][listing] == preferred))
    click = _sigmoid(CLICK_INTERCEPT + CLICK_SLOPE * utility)
    long_click = click * _sigmoid(LONG_CLICK_INTERCEPT + LONG_CLICK_SLOPE * utility)
    request = long_click * _sigmoid(REQUEST_INTERCEPT + REQUEST_SLOPE * utility)
    accept = _sigmoid(listing_arrays["acceptance_logit"][listing]
                      + ACCEPT_NIGHTS * trips["log_nights"][trip])
    return {"click": click, "long_click": long_click, "request": request, "accept": accept,
            "book": request * accept}


class _Marketplace:
    """Draws trips in rounds, each round's searches wave by wave (a booking ends a trip), until
    the log holds ``n_searches`` searches."""

    def __init__(self, rng, parameters: dict, markets, listings, guests):
        self.rng, self.parameters = rng, parameters
        self.markets, self.listings, self.guests = markets, listings, guests
        self.arrays = _listing_arrays(listings)
        self.capacity = listings["capacity"].to_numpy()
        self.log_free = _libm(math.log1p, -listings["occupancy"].to_numpy())
        reviews, rating = listings["review_count"].to_numpy(), listings["rating"].to_numpy()
        log_level = _libm(math.log, markets["price_level"].to_numpy())[self.arrays["market"]]
        self.policy_base = (POLICY_REVIEWS * _libm(math.log1p, reviews)
                            + POLICY_RATING * (np.nan_to_num(rating, nan=RATING_MEAN) - RATING_MEAN)
                            - POLICY_PRICE * (self.arrays["log_price"] - log_level))
        counts = np.bincount(self.arrays["market"], minlength=len(markets))
        self.market_count, self.market_start = counts, np.r_[0, np.cumsum(counts)[:-1]]

    def run(self):
        n_searches, rounds, logged = self.parameters["n_searches"], [], 0
        while logged < n_searches:
            n_trips = math.ceil(1.25 * (n_searches - logged) / SEARCHES_PER_TRIP) + 1
            trips, searches, rows = self._round(n_trips, first_trip=sum(len(r[0]) for r in rounds))
            rounds.append((trips, searches, rows))
            logged += len(searches)
        trips, searches, rows = (pd.concat(parts, ignore_index=True) for parts in zip(*rounds))
        return _cut_to_size(trips, searches, rows, n_searches)

    def _round(self, n_trips: int, first_trip: int):
        trips = self._draw_trips(n_trips, first_trip)
        pair_trip, pair_listing = self._retrieve(trips)
        retrieved = np.bincount(pair_trip, minlength=n_trips)
        arrays = _trip_arrays(trips)
        start = trips["start"].to_numpy()
        gaps = self.rng.exponential(SEARCH_GAP_HOURS / 24, (n_trips, trips["planned"].max()))
        offsets = np.cumsum(gaps, axis=1) - gaps[:, :1]
        open_trip = np.ones(n_trips, dtype=bool)
        search_parts, row_parts = [], []
        for wave in range(offsets.shape[1]):
            time = start + offsets[:, wave]
            searching = open_trip & (trips["planned"].to_numpy() > wave) & (time < self.n_days)
            if not searching.any():
                break
            searches, rows = self._wave(searching, time, retrieved, pair_trip, pair_listing, arrays)
            searches["wave"] = np.full(len(searches["trip"]), wave)
            rows["wave"] = np.full(len(rows["trip"]), wave)
            rows["search"] += sum(len(part["trip"]) for part in search_parts)
            open_trip[searches["trip"][searches["booked"] == 1]] = False
            search_parts.append(searches)
            row_parts.append(rows)
        searches = {key: np.concatenate([part[key] for part in search_parts])
                    for key in search_parts[0]}
        rows = {key: np.concatenate([part[key] for part in row_parts]) for key in row_parts[0]}
        in_log = (searches["time"] >= 0) & (searches["time"] < self.n_days)
        searches = pd.DataFrame(searches)[in_log]
        rows = pd.DataFrame(rows)
        rows = rows[in_log[rows.pop("search").to_numpy()]]
        trips["trip"] += first_trip
        searches["trip"] += first_trip
        rows["trip"] += first_trip
        return trips, searches, rows

    @property
    def n_days(self) -> int:
        return self.parameters["n_days"]

    def _draw_trips(self, n_trips: int, first_trip: int) -> pd.DataFrame:
        rng, markets = self.rng, self.markets
        guest = rng.choice(len(self.guests), n_trips, p=self.guests["activity"].to_numpy())
        market = rng.choice(len(markets), n_trips, p=markets["size"].to_numpy())
        party = 1 + rng.choice(len(PARTY_SHARE), n_trips, p=PARTY_SHARE)
        budget = (self.guests["budget_factor"].to_numpy()[guest]
                  * markets["price_level"].to_numpy()[market]
                  * _libm(lambda size: math.pow(size / 2, PARTY_BUDGET_EXPONENT), party))
        return pd.DataFrame({
            "trip": np.arange(n_trips),
            "guest_id": guest,
            "market": market,
            "guests": party,
            "nights": 1 + rng.poisson(NIGHTS_MEAN - 1, n_trips),
            "preferred_x": rng.random(n_trips),
            "preferred_y": rng.random(n_trips),
            "budget": budget,
            "planned": 1 + rng.poisson(SEARCHES_PER_TRIP - 1, n_trips),
            "start": rng.uniform(-TRIP_LEAD_DAYS, self.n_days, n_trips),
        })

    def _retrieve(self, trips: pd.DataFrame):
        """The (trip, listing) pairs that pass retrieval, sorted by trip then listing."""
        market, party = trips["market"].to_numpy(), trips["guests"].to_numpy()
        counts = self.market_count[market]
        pair_trip = np.repeat(np.arange(len(trips)), counts)
        within = np.arange(len(pair_trip)) - np.repeat(np.cumsum(counts) - counts, counts)
        listing = self.market_start[market][pair_trip] + within
        holds = self.capacity[listing] >= party[pair_trip]
        pair_trip, listing = pair_trip[holds], listing[holds]
        nights = trips["nights"].to_numpy()
        stays = np.arange(nights.max() + 1)[:, None] / TYPICAL_NIGHTS  # a table: nights × listing
        free_probability = _exp(stays * self.log_free[None, :])
        free = self.rng.random(len(listing)) < free_probability[nights[pair_trip], listing]
        return pair_trip[free], listing[free]

    def _wave(self, searching, time, retrieved, pair_trip, pair_listing, arrays):
        """One search of every ``searching`` trip: what it shows, in which order, and what the
        guest and the hosts do."""
        rng, results_per_search = self.rng, self.parameters["results_per_search"]
        trip = np.flatnonzero(searching)
        random_order = rng.random(len(searching)) < self.parameters["random_share"]
        candidate = searching[pair_trip]
        ctrip, clisting = pair_trip[candidate], pair_listing[candidate]
        policy = self.policy_base[clisting] + rng.normal(0, POLICY_NOISE, len(clisting))
        # the trip's number plus a key in [0, 1): one stable sort orders every search at once
        in_unit = np.where(random_order[ctrip], rng.random(len(clisting)),
                           0.4995 * (1 - policy / (np.abs(policy) + 8)))
        order = np.argsort(ctrip + in_unit, kind="stable")
        position = 1 + _rank_in_order(ctrip, order)
        shown = order[position[order] <= results_per_search]  # by trip, then position
        rtrip, rlisting, rposition = ctrip[shown], clisting[shown], position[shown]
        rows = {"search": np.searchsorted(trip, rtrip), "trip": rtrip, "listing": rlisting,
                "position": rposition, "policy_score": policy[shown]}
        rows.update(self._outcomes(rtrip, rlisting, rposition, arrays))
        booked = np.bincount(rows["search"], weights=rows["booked"], minlength=len(trip))
        searches = {"trip": trip, "time": time[trip], "random_order": random_order[trip],
                    "retrieved": retrieved[trip],
                    "shown": np.bincount(rows["search"], minlength=len(trip)),
                    "booked": booked.astype(np.int64)}
        return searches, rows

    def _outcomes(self, trip, listing, position, arrays) -> dict:
        """Examination, clicks, long clicks, and requests in position order until one is accepted;
        rows come sorted by trip, then position."""
        rng, n = self.rng, len(trip)
        truth = _true_heads(self.arrays, self.guests, arrays, trip, listing)
        examine = _examination(position, self.parameters["examination_decay"])
        examined = rng.random(n) < examine
        click = examined & (rng.random(n) < truth["click"])
        long_click = click & (rng.random(n) < truth["long_click"] / truth["click"])
        wants = long_click & (rng.random(n) < truth["request"] / truth["long_click"])
        accepted = wants & (rng.random(n) < truth["accept"])
        earlier = _cumsum_in_groups(trip, accepted) - accepted  # accepted requests above the row
        request = wants & (earlier == 0)
        outcomes = {"click": click, "long_click": long_click, "booking_request": request,
                    "booked": accepted & (earlier == 0)}
        rows = {name: values.astype(np.int64) for name, values in outcomes.items()}
        rows["examine_probability"] = examine
        rows.update({f"true_{head}": truth[head] for head in HEADS})
        return rows


def _examination(position: np.ndarray, decay: float) -> np.ndarray:
    """``k ** -decay`` for each position ``k`` >= 1, from a table of the C library's powers."""
    table = np.array([math.pow(k, -decay) for k in range(1, int(position.max(initial=1)) + 1)])
    return table[position - 1]


def _rank_in_order(group, order) -> np.ndarray:
    """0-based rank of each row among the rows of its group, ``order`` sorting the rows by group,
    then by the key to rank by."""
    grouped = group[order]
    starts = np.flatnonzero(np.r_[len(order) > 0, grouped[1:] != grouped[:-1]])
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    return rank


def _cumsum_in_groups(group, values) -> np.ndarray:
    """The running sum of ``values`` within each run of equal ``group`` (rows sorted by group)."""
    total = np.cumsum(values, dtype=np.int64)
    starts = np.flatnonzero(np.r_[len(group) > 0, group[1:] != group[:-1]])
    before = np.r_[0, total][starts]
    return total - np.repeat(before, np.diff(np.r_[starts, len(group)]))


def _cut_to_size(trips: pd.DataFrame, searches: pd.DataFrame, rows: pd.DataFrame, n_searches: int):
    """Keep the searches of the first trips, in the order they were drawn, until there are
    ``n_searches`` (the last trip cut short); number trips and searches by time."""
    waves = int(np.max(np.r_[searches["wave"].to_numpy(), rows["wave"].to_numpy()])) + 1
    searches = searches.iloc[np.lexsort((searches["wave"].to_numpy(),
                                         searches["trip"].to_numpy()))[:n_searches]]
    searches = searches.iloc[np.lexsort((searches["trip"].to_numpy(),
                                         searches["time"].to_numpy()))].reset_index(drop=True)
    first_trips = searches["trip"].drop_duplicates().to_numpy()
    trip_id = np.full(trips["trip"].max() + 1, -1)
    trip_id[first_trips] = np.arange(len(first_trips))
    trips = trips.set_index("trip").loc[first_trips].reset_index(drop=True)
    trips.insert(0, "trip_id", np.arange(len(trips)))
    number = trips["trip_id"].to_numpy()[trip_id[searches["trip"].to_numpy()]]
    searches = searches.assign(search_id=np.arange(len(searches)), trip_id=number)
    per_trip = searches.groupby("trip_id")
    trips["searches"] = per_trip.size().to_numpy()
    trips["booked"] = per_trip["booked"].max().to_numpy()
    trips = trips.drop(columns=["planned", "start"])
    search_key = searches["trip"].to_numpy() * waves + searches["wave"].to_numpy()
    by_key = np.argsort(search_key, kind="stable")
    row_key = rows["trip"].to_numpy() * waves + rows["wave"].to_numpy()
    found = np.minimum(np.searchsorted(search_key[by_key], row_key), len(by_key) - 1)
    kept = search_key[by_key][found] == row_key
    rows = rows[kept].assign(search_id=by_key[found[kept]])
    rows = rows.iloc[np.lexsort((rows["position"].to_numpy(), rows["search_id"].to_numpy()))]
    return trips, _searches_table(searches, trips), rows.reset_index(drop=True)


def _searches_table(searches: pd.DataFrame, trips: pd.DataFrame) -> pd.DataFrame:
    """The searches with their day and their trip's guest, market, nights and party."""
    trip = searches["trip_id"].to_numpy()
    time = searches["time"].to_numpy()
    return pd.DataFrame({
        "search_id": searches["search_id"].to_numpy(), "time": time,
        "day": np.floor(time).astype(np.int64), "trip_id": trip,
        **{column: trips[column].to_numpy()[trip]
           for column in ("guest_id", "market", "nights", "guests")},
        "random_order": searches["random_order"].to_numpy(dtype=bool),
        **{column: searches[column].to_numpy(dtype=np.int64)
           for column in ("retrieved", "shown", "booked")},
    })


def _results_table(rows: pd.DataFrame, searches: pd.DataFrame, listings: pd.DataFrame):
    """The results in the schema's columns, then ``trip_id``, ``policy_score`` and the truth."""
    search = rows["search_id"].to_numpy()
    listing = rows["listing"].to_numpy()
    time = searches["time"].to_numpy()[search]
    reviews = listings["review_count"].to_numpy()[listing]
    columns = {
        "search_id": search.astype(np.int64),
        "time": time,
        "day": searches["day"].to_numpy()[search],
        "guest_id": pd.array(searches["guest_id"].to_numpy()[search], dtype="Int64"),
        "market": searches["market"].to_numpy()[search].astype(np.int64),
        "listing_id": listing.astype(np.int64),
        "position": pd.array(rows["position"].to_numpy(), dtype="Int64"),
        "random_order": searches["random_order"].to_numpy()[search],
        "price": listings["price"].to_numpy()[listing],
        "rating": listings["rating"].to_numpy()[listing],
        "review_count": pd.array(reviews, dtype="Int64"),
        "listing_age_days": listings["age_days"].to_numpy()[listing] + time,
        "nights": pd.array(searches["nights"].to_numpy()[search], dtype="Int64"),
        "guests": pd.array(searches["guests"].to_numpy()[search], dtype="Int64"),
        **{outcome: rows[outcome].to_numpy() for outcome in
           ("click", "long_click", "booking_request", "booked")},
        "trip_id": searches["trip_id"].to_numpy()[search],
        "policy_score": rows["policy_score"].to_numpy(),
        **{column: rows[column].to_numpy() for column in TRUTH_COLUMNS},
    }
    return pd.DataFrame(columns, copy=False)
