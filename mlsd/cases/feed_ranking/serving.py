"""The serving funnel of a professional network's home feed and its latency budget.

A feed load passes five stages, each handling fewer posts with more work per post: the candidate
sources (first-pass rankers over the member's network, the creators followed and trending posts,
queried in parallel), the feature fetch (batch features computed daily, streaming counters of the
last minutes), a light first-pass ranker over every candidate, the second-pass multi-head ranker
(one probability per head of :data:`~.schema.HEADS`, summed by the value model) over the best few
hundred, and a re-ranker for diversity and freshness over the first screens. This two-pass shape is
LinkedIn's (LinkedIn Engineering, "Making your feed more relevant, part I", 2015, and
"Community-focused feed optimization", 2019: first-pass rankers per inventory, a second-pass
ranker that "scores tens of thousands of posts ... in a fraction of a second").

A stage's median latency is ``fixed_ms + items × cost_us_per_item / 1000`` and its spread
log-normal (:class:`mlsd.explore.FunnelStage`); the whole load must meet :data:`LATENCY_BUDGET_MS`
at its 99th percentile.
"""

from __future__ import annotations

from mlsd.explore.latency import FunnelStage
from mlsd.validation import check_int

LATENCY_BUDGET_MS = 200.0
"""The p99 deadline of a feed load, in milliseconds."""


def funnel_stages(n_candidates: int = 5_000, n_second_pass: int = 500) -> list[FunnelStage]:
    """The serving funnel of a feed load, to explore against :data:`LATENCY_BUDGET_MS`.

    Parameters
    ----------
    n_candidates : int, default=5,000
        Posts the candidate sources return, each fetched features for and scored by the first
        pass; an integer >= 1.
    n_second_pass : int, default=500
        Posts the first pass keeps for the second-pass ranker; an integer in [1, n_candidates].

    Returns
    -------
    list of FunnelStage
        - candidate sources: network, follows and trending first-pass inventories queried in
          parallel, merged and deduplicated: 1 µs a post over a fixed 12 ms for the slowest source;
        - feature fetch (batch + streaming): one batched multi-get of the daily batch features
          (member, creator, post) and the streaming counters (the post's engagement in the last
          minutes): 0.5 µs a post over a fixed 6 ms for the round trips;
        - first-pass ranker: a light model (logistic regression or small trees) over every
          candidate, 3 µs a post over 1 ms;
        - second-pass ranker: the multi-head network, six calibrated probabilities and their
          weighted sum, 80 µs a post over 4 ms;
        - re-ranker: the top 50 re-ordered for diversity (creators, topics, formats) and
          freshness, 150 µs a post over 2 ms.

    Notes
    -----
    The numbers are orders of magnitude, not measurements of any company's system, chosen so that
    the default fits the 200 ms budget at the 99th percentile with some headroom, the second pass
    takes most of the time, and doubling its posts does not fit.
    """
    n_candidates = check_int("n_candidates", n_candidates, 1)
    n_second_pass = check_int("n_second_pass", n_second_pass, 1, n_candidates)
    return [
        FunnelStage("candidate sources", n_candidates, 1.0, 12.0, 0.5),
        FunnelStage("feature fetch (batch + streaming)", n_candidates, 0.5, 6.0, 0.5),
        FunnelStage("first-pass ranker", n_candidates, 3.0, 1.0, 0.35),
        FunnelStage("second-pass ranker", n_second_pass, 80.0, 4.0, 0.35),
        FunnelStage("re-ranker", min(50, n_second_pass), 150.0, 2.0, 0.3),
    ]
