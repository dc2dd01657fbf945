"""Retrieval before ranking: which listings a search's candidate set holds, rebuilt from the world.

A search's candidates are the listings of its market that hold the party, are free for its dates
and — with a geographic filter — lie within ``radius`` of the spot the guest searched (the
simulator's preferred spot ``p_t`` of the trip: the centre of the map area a guest searches; the
unit square is the market). :func:`candidate_sets` rebuilds them from the :class:`~.simulate.
SearchWorld`, with each filter on or off:

- **availability**: the log keeps only the free listings a search showed, and how many listings
  retrieval found free (``retrieved``); the others free are drawn from ``seed`` among the
  listings not shown, each weighted by the story's chance ``(1 - o_l) ** (n / 3)`` to be free
  for ``n`` nights (the world does not keep its draws). A booked-out listing that is shown earns
  nothing: its true heads are set to 0 (the guest cannot book it);
- **geography**: the Euclidean distance from the listing to ``p_t`` at most ``radius``.

Retrieval is judged by the **recall of the eventually booked listing** (:func:`booking_recall`):
the share of the searches that booked whose booked listing the candidate set holds — a listing
retrieval drops can never be ranked first. What the candidates are then worth is measured by
serving each search's best ``shown`` candidates in a ranker's order on the truth
(:func:`served_value`: bookings per search, as :func:`~.evaluation.expected_outcomes`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlsd.cases.rental_search.evaluation import expected_outcomes, rank_within_search
from mlsd.validation import check_int, check_number

TRUTH = ("true_click", "true_long_click", "true_request", "true_accept")
"""The truth columns the candidate rows carry (those :mod:`.evaluation` reads)."""
SHOWN = 24
"""Results a search shows (the simulator's ``results_per_search``)."""


def candidate_sets(world, search_ids, *, radius: float | None = None, availability: bool = True,
                   seed: int = 0) -> pd.DataFrame:
    """One row per candidate of each search of ``search_ids``: the schema's listing columns
    (``search_id, time, market, listing_id, price, rating, review_count, listing_age_days,
    nights, guests``), ``trip_id``, ``distance`` to the searched spot, ``free`` (for the dates),
    ``booked`` (the listing the search booked) and :data:`TRUTH` (0 on a booked-out listing); rows sorted by
    search, then listing. ``radius`` None keeps the whole market."""
    if radius is not None:
        radius = check_number("radius", radius, 0.0, low_open=True)
    seed = check_int("seed", seed, 0)
    searches = world.searches.set_index("search_id").loc[np.asarray(search_ids)]
    listings, trips = world.listings, world.trips.set_index("trip_id")
    counts = listings.groupby("market").size().reindex(np.arange(len(world.markets)),
                                                       fill_value=0).to_numpy()
    start = np.r_[0, np.cumsum(counts)[:-1]]
    market = searches["market"].to_numpy()
    pair_search = np.repeat(np.arange(len(searches)), counts[market])
    offset = np.arange(len(pair_search)) - np.repeat(np.cumsum(counts[market]) - counts[market],
                                                     counts[market])
    listing = listings["listing_id"].to_numpy()[start[market][pair_search] + offset]
    rows = _rows(searches, listings, trips, pair_search, listing)
    rows = rows[rows["capacity"] >= rows["guests"]].drop(columns="capacity")
    rows["free"] = _free(world, rows, seed)
    if availability:
        rows = rows[rows["free"]]
    if radius is not None:
        rows = rows[rows["distance"] <= radius]
    rows = rows.reset_index(drop=True)
    truth = world.truth_of(rows[["search_id", "listing_id"]])
    for column in TRUTH:
        rows[column] = np.where(rows["free"], truth[column].to_numpy(), 0.0)
    return rows


def _rows(searches, listings, trips, pair_search, listing) -> pd.DataFrame:
    trip = searches["trip_id"].to_numpy()[pair_search]
    time = searches["time"].to_numpy()[pair_search]
    x, y = listings["x"].to_numpy()[listing], listings["y"].to_numpy()[listing]
    across = x - trips["preferred_x"].to_numpy()[trip]
    along = y - trips["preferred_y"].to_numpy()[trip]
    reviews = listings["review_count"].to_numpy()[listing]
    return pd.DataFrame({
        "search_id": searches.index.to_numpy()[pair_search], "time": time,
        "trip_id": trip, "market": listings["market"].to_numpy()[listing], "listing_id": listing,
        "price": listings["price"].to_numpy()[listing],
        "rating": listings["rating"].to_numpy()[listing],
        "review_count": pd.array(reviews, dtype="Int64"),
        "listing_age_days": listings["age_days"].to_numpy()[listing] + time,
        "nights": pd.array(searches["nights"].to_numpy()[pair_search], dtype="Int64"),
        "guests": pd.array(searches["guests"].to_numpy()[pair_search], dtype="Int64"),
        "capacity": listings["capacity"].to_numpy()[listing],
        "distance": np.sqrt(across * across + along * along),
    })


def _free(world, rows: pd.DataFrame, seed: int) -> np.ndarray:
    """Which candidates are free for the dates (and, as a side effect, ``rows['booked']``: the
    listing the search booked). Shown listings were free. The search's log says how many of the
    others were (``retrieved - shown``); that many of them are drawn without replacement, each
    with a weight of its chance to be free, ``(1 - o) ** (nights / 3)`` (Efraimidis–Spirakis
    keys ``ln(u) / weight``, the largest drawn)."""
    results = world.results
    width = len(world.listings) + 1
    key = results["search_id"].to_numpy() * width + results["listing_id"].to_numpy()
    row_key = rows["search_id"].to_numpy() * width + rows["listing_id"].to_numpy()
    shown = np.isin(row_key, key)
    rows["booked"] = np.isin(row_key, key[results["booked"].to_numpy() == 1]).astype(np.int64)
    occupancy = world.listings["occupancy"].to_numpy()[rows["listing_id"].to_numpy()]
    weight = (1 - occupancy) ** (rows["nights"].to_numpy(dtype=float) / 3)
    draw = np.log(np.random.default_rng(seed).random(len(rows))) / np.maximum(weight, 1e-300)
    search = rows["search_id"].to_numpy()
    rank = rank_within_search(search, np.where(shown, np.inf, draw))
    logged = world.searches.set_index("search_id").loc[search]
    return rank <= logged["retrieved"].to_numpy()


def booking_recall(candidates: pd.DataFrame, booked_searches) -> float:
    """The share of ``booked_searches`` (search ids that booked) whose booked listing is among
    ``candidates`` (rows with ``search_id`` and ``booked``); NaN without a booked search."""
    booked_searches = np.unique(np.asarray(booked_searches))
    if len(booked_searches) == 0:
        return float("nan")
    found = candidates.loc[candidates["booked"].to_numpy() == 1, "search_id"].to_numpy()
    return float(np.isin(booked_searches, found).mean())


def served_value(candidates: pd.DataFrame, score, examination_decay: float,
                 shown: int = SHOWN) -> float:
    """Bookings per search when each search shows its best ``shown`` candidates by ``score``
    (the guest examines and books as :func:`~.evaluation.expected_outcomes` says)."""
    shown = check_int("shown", shown, 1)
    rank = rank_within_search(candidates["search_id"].to_numpy(), score)
    top = rank <= shown
    return expected_outcomes(candidates[top], np.asarray(score)[top],
                             examination_decay)["bookings"]


def retrieval_table(world, search_ids, ranker, radii, *, seed: int = 0) -> pd.DataFrame:
    """One row per retrieval: the whole market with and without the availability filter, then
    each radius of ``radii`` with it — mean candidates per search, the recall of the booked
    listing (``booking_recall``) and the bookings per search when ``ranker`` (a ``predict``
    over candidate rows) orders them (``bookings``)."""
    searches = world.searches.set_index("search_id").loc[np.asarray(search_ids)]
    booked = searches.index[searches["booked"].to_numpy() == 1]
    decay = world.parameters["examination_decay"]
    every = candidate_sets(world, search_ids, availability=False, seed=seed)
    free, distance = every["free"].to_numpy(), every["distance"].to_numpy()
    settings = {"market, no availability filter": np.ones(len(every), dtype=bool),
                "market": free}
    settings.update({f"radius {radius:g}": free & (distance <= radius) for radius in radii})
    table = {}
    for name, kept in settings.items():
        rows = every[kept]  # the ranker's features (price against the search's) per candidate set
        table[name] = {"candidates": len(rows) / len(searches),
                       "booking_recall": booking_recall(rows, booked),
                       "bookings": served_value(rows, ranker.predict(rows), decay)}
    return pd.DataFrame(table).T.rename_axis("retrieval")


def ranker_recall(candidates: pd.DataFrame, score, cutoffs) -> pd.Series:
    """The recall of the booked listing within each search's best ``n`` candidates by ``score``,
    for each ``n`` of ``cutoffs``, over the searches whose candidates hold their booking."""
    rank = rank_within_search(candidates["search_id"].to_numpy(), score)
    booked_rank = rank[candidates["booked"].to_numpy() == 1]
    return pd.Series({int(n): float((booked_rank <= check_int("cutoff", n, 1)).mean())
                      for n in cutoffs}, name="booking_recall").rename_axis("top")
