"""The serving funnel of a video home page and its latency budget.

A page load passes three stages, each handling fewer items with more work per item: candidate
generation (thousands), ranking (hundreds), re-ranking (tens). A stage's median latency is
``fixed_ms + items × cost_us_per_item / 1000`` and its spread log-normal
(:class:`mlsd.explore.FunnelStage`); the whole request must meet :data:`LATENCY_BUDGET_MS` at its
99th percentile. Notebook 3 and the gallery explore it with a
:class:`mlsd.explore.FunnelBudgetExplorer`.
"""

from __future__ import annotations

from mlsd.explore.latency import FunnelStage

LATENCY_BUDGET_MS = 200.0
"""The p99 deadline of a home-page request, in milliseconds."""


def funnel_stages() -> list[FunnelStage]:
    """The serving funnel of a video home page, to explore against :data:`LATENCY_BUDGET_MS`.

    Returns
    -------
    list of FunnelStage
        - candidate generation: several sources (embedding nearest neighbours, subscriptions,
          trending) queried in parallel return about 4,000 videos; cheap per item (2 µs: merge,
          deduplicate, filter) over a fixed 15 ms for the slowest source.
        - ranking: about 500 candidates scored by a heavier model with per-item features,
          100 µs each over a fixed 8 ms for fetching user features.
        - re-ranking: the top 50 reordered for diversity, freshness and policy with a
          list-aware model, 300 µs each over a fixed 4 ms.

    Notes
    -----
    The numbers are orders of magnitude, chosen so that the default fits the 200 ms budget at the
    99th percentile with some headroom, and doubling the ranked candidates does not.
    """
    return [
        FunnelStage("candidate generation", 4_000, 2.0, 15.0, 0.5),
        FunnelStage("ranking", 500, 100.0, 8.0, 0.35),
        FunnelStage("re-ranking", 50, 300.0, 4.0, 0.3),
    ]
