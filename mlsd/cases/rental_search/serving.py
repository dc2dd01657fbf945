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
"""

from __future__ import annotations

from mlsd.explore.latency import FunnelStage
from mlsd.validation import check_int

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
          15 µs a listing over 8 ms;
        - ranker (GBDT): 40 µs a listing over 3 ms;
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
        FunnelStage("feature fetch (price, availability, counters)", n_retrieved, 15.0, 8.0, 0.5),
        FunnelStage("ranker (GBDT)", n_retrieved, 40.0, 3.0, 0.35),
        FunnelStage("session personalisation (embeddings)", n_personalised, 60.0, 10.0, 0.4),
        FunnelStage("re-ranker (two-sided, exploration)", min(40, n_personalised), 200.0, 2.0, 0.3),
    ]
