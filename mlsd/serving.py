"""Serving-path latency: stages of a request, their spread, and what fits in a budget.

Each stage's latency is log-normal: ``median × exp(σ · Z)`` with ``Z ~ Normal(0, 1)``, so
``p99 = median × exp(2.326 σ)``. Stages run one after another, so a request's latency is the sum.

Independent stages (``correlation=0``, the default): the 99th percentile of the sum is *less* than
the sum of the stages' 99th percentiles (slow stages rarely coincide): budgeting each stage at its
own p99 wastes budget, and only simulating (or measuring) the whole path tells what share of
requests meet the deadline.

Correlated stages (``0 < correlation <= 1``): a request that is slow in one stage is often slow in
the others — a busy host, a garbage-collection pause, a cold cache, a large request. Model: each
request draws one shared slowdown ``S ~ Normal(0, 1)``, and stage ``s`` has
``Z_s = sqrt(ρ) S + sqrt(1 − ρ) ε_s`` with independent ``ε_s ~ Normal(0, 1)``. Each stage keeps its
own log-normal (the same p50 and p99); any two stages' log-latencies have correlation ``ρ``. As
``ρ → 1`` the slow stages coincide and the total's p99 rises to the sum of the stage p99s (at
``ρ = 1`` every stage sits at the same quantile, so the quantiles add up exactly).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mlsd.validation import check_int, check_number

Z_99 = 2.3263478740408408


@dataclass(frozen=True)
class Stage:
    """One step of the serving path: its median latency and its spread (σ of the log-latency)."""

    name: str
    median_ms: float
    sigma: float = 0.5

    def __post_init__(self):
        check_number(f"stage {self.name}: median_ms", self.median_ms, 0, low_open=True)
        check_number(f"stage {self.name}: sigma", self.sigma, 0)


def simulate_latency(stages: list[Stage], n_requests: int = 100_000, seed: int = 0,
                     correlation: float = 0.0) -> pd.DataFrame:
    """Latency of each stage for ``n_requests`` simulated requests (one column per stage, in ms).

    ``correlation`` ``ρ`` in ``[0, 1]`` is the correlation of any two stages' log-latencies, through
    one slowdown shared by the stages of a request (module docstring); 0 keeps them independent
    (and draws exactly what it drew before the option existed).
    """
    if not stages:
        raise ValueError("stages is empty; give at least one Stage")
    n_requests = check_int("n_requests", n_requests, 1)
    correlation = check_number("correlation", correlation, 0, 1)
    rng = np.random.default_rng(seed)
    draws = rng.standard_normal((n_requests, len(stages)))
    if correlation > 0:
        shared = rng.standard_normal((n_requests, 1))
        draws = np.sqrt(correlation) * shared + np.sqrt(1 - correlation) * draws
    medians = np.array([stage.median_ms for stage in stages])
    sigmas = np.array([stage.sigma for stage in stages])
    return pd.DataFrame(medians * np.exp(sigmas * draws), columns=[stage.name for stage in stages])


def latency_budget(samples: pd.DataFrame, budget_ms: float) -> pd.DataFrame:
    """Per stage and for the whole request: p50, p99, share of the mean latency, and the deadline.

    The ``total`` row sums the stages per request before taking percentiles; ``sum of stage p99s``
    shows what budgeting each stage at its own p99 would claim. ``share_of_mean`` is where the time
    goes: means add up across stages (medians of skewed latencies do not). ``within_budget`` is
    the share of requests whose total latency is at most ``budget_ms``.
    """
    check_number("budget_ms", budget_ms, 0, low_open=True)
    total = samples.sum(axis=1)
    table = pd.DataFrame({"p50_ms": samples.median(), "p99_ms": samples.quantile(0.99)})
    table["share_of_mean"] = samples.mean() / total.mean()
    table.loc["total"] = [total.median(), total.quantile(0.99), 1.0]
    table.loc["sum of stage p99s"] = [np.nan, table["p99_ms"].iloc[:-1].sum(), np.nan]
    table["within_budget"] = np.nan
    table.loc["total", "within_budget"] = float(np.mean(total <= budget_ms))
    return table
