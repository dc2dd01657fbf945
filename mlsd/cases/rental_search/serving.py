"""The serving funnel of a rental search and its latency budget.

A search passes five stages, each handling fewer listings with more work per listing: retrieval
(the geographic index of the searched area, filtered by capacity and by availability for the
dates), the feature fetch (the price for the dates, availability, the listing's counters and its
embedding), the ranker (gradient-boosted trees over every retrieved listing), the session
personalisation (the similarity of each listing's embedding to the listings the guest clicked in
this trip, from the embedding service) over the ranker's best few hundred, and a re-ranker for
the two sides (host acceptance, new listings' exploration slot, diversity) over the first pages.
This shape is Airbnb's (Haldar et al., "Applying deep learning to Airbnb search", KDD 2019;
Grbovic & Cheng, "Real-time personalization using embeddings for search ranking at Airbnb",
KDD 2018).

A stage's median latency is ``fixed_ms + items × cost_us_per_item / 1000`` and its spread
log-normal (:class:`mlsd.explore.FunnelStage`); the whole search must meet
:data:`LATENCY_BUDGET_MS` at its 99th percentile.

Features that must be the same online: the price a ranker learns from is the price for the
searched dates (the log's ``price``). A serving path that reads a cached price instead — set by
the host before their last change — serves :func:`stale_price`, ``price × exp(N(0, sd²))``, one
draw per listing (a host's change moves all their searches alike); :func:`price_skew` scores a
ranker served that way.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlsd.explore.latency import FunnelStage
from mlsd.validation import check_int, check_number

LATENCY_BUDGET_MS = 300.0
"""The p99 deadline of a search's results page, in milliseconds."""


def funnel_stages(n_retrieved: int = 2_000, n_personalised: int = 300) -> list[FunnelStage]:
    """The serving funnel of a search, to explore against :data:`LATENCY_BUDGET_MS`.

    Parameters
    ----------
    n_retrieved : int, default=2,000
        Listings retrieval returns (in the area, holding the party, free for the dates), each
        fetched features for and scored by the ranker; an integer >= 1.
    n_personalised : int, default=300
        The ranker's best listings re-scored with the session's embedding similarity; an integer
        in [1, n_retrieved].

    Returns
    -------
    list of FunnelStage
        - retrieval (geo + availability): the area's index and the calendar filter, 5 µs a listing
          over a fixed 20 ms;
        - feature fetch (price for the dates, availability, counters): a batched multi-get,
          10 µs a listing over 8 ms;
        - ranker (GBDT): 25 µs a listing over 3 ms;
        - session personalisation (embedding service): cosine similarity to the trip's clicked
          listings, 60 µs a listing over 10 ms for the call;
        - re-ranker (two-sided, exploration, diversity): the first two pages, 200 µs a listing
          over 2 ms.

    Notes
    -----
    The numbers are orders of magnitude, not measurements of any company's system, chosen so that
    the default fits the 300 ms budget at the 99th percentile with some headroom and the ranker's
    work over every retrieved listing takes the most time.
    """
    n_retrieved = check_int("n_retrieved", n_retrieved, 1)
    n_personalised = check_int("n_personalised", n_personalised, 1, n_retrieved)
    return [
        FunnelStage("retrieval (geo + availability)", n_retrieved, 5.0, 20.0, 0.5),
        FunnelStage("feature fetch (price, availability, counters)", n_retrieved, 10.0, 8.0, 0.5),
        FunnelStage("ranker (GBDT)", n_retrieved, 25.0, 3.0, 0.35),
        FunnelStage("session personalisation (embeddings)", n_personalised, 60.0, 10.0, 0.4),
        FunnelStage("re-ranker (two-sided, exploration)", min(40, n_personalised), 200.0, 2.0, 0.3),
    ]


def stale_price(results: pd.DataFrame, sd: float, seed: int = 0) -> pd.DataFrame:
    """``results`` with ``price`` replaced by a stale cached price ``price × exp(z_l)``, ``z_l ~
    N(0, sd²)`` drawn once per ``listing_id`` from ``seed`` (``sd`` >= 0; 0 keeps the price)."""
    sd = check_number("sd", sd, 0.0)
    listing = results["listing_id"].to_numpy()
    change = np.random.default_rng(check_int("seed", seed, 0)).normal(0, 1, listing.max() + 1)
    return results.assign(price=results["price"].to_numpy() * np.exp(sd * change[listing]))


def price_skew(ranker, rows: pd.DataFrame, sds, scorer, seed: int = 0) -> pd.DataFrame:
    """One row per ``sd`` of ``sds``: ``scorer(rows, score)`` (a dict of measures) when
    ``ranker``, trained on the dates' price, is served :func:`stale_price` at that ``sd``."""
    return pd.DataFrame({float(sd): scorer(rows, ranker.predict(stale_price(rows, sd, seed)))
                         for sd in sds}).T.rename_axis("price_sd")
