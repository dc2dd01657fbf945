"""Benchmark: the hot paths of two case studies against what a user would write otherwise.

Rental search -- mean NDCG@10 of a ranker's scores, as the scorecard computes it
(``mlsd.cases.rental_search.evaluation.ndcg``). At scale 1: 100,000 searches of 24 listings (the
simulator's ``results_per_search``), 2,400,000 shuffled rows, each with a grade drawn at the shares
``simulate_searches`` logs at its defaults (about 95% viewed, 2.6% click, 2.1% long click, 0.5%
booked, 0.15% rejected) and the gain of its grade from ``schema.GAINS`` counted at ``max(0, gain)``
as ``offline_gain`` does (so about 30% of searches have no positive gain), and a random score.
Ours takes the shuffled rows. Two references, one row each:

- pandas: sort the frame by (search, score descending), ``groupby("search")["gain"].apply`` a
  Python NDCG@10 function (NaN for a search with no positive gain), then ``Series.mean()``, which
  leaves the NaN out -- the kit's convention (``RankedLists.ndcg_at`` is NaN there and
  ``evaluation.ndcg`` takes ``np.nanmean``). Same answers: ``np.isclose`` with ``rtol=1e-9``.
- LightGBM's own NDCG@10 (``metric="ndcg"``, ``eval_at=[10]``), the number a practitioner reads
  off a LambdaMART model's evaluation. It is made to score *given* scores with no training: a
  ``lgb.Dataset`` of the rows grouped by search (``group=`` the sizes, rows stably sorted by search,
  which LightGBM needs and which is timed with it), ``init_score`` = the scores, one constant
  feature, then ``lgb.Booster(params, dataset).eval_train()`` at iteration 0, which evaluates the
  metric on the init scores (``objective="none"``, so no LambdaRank set-up is timed;
  ``num_threads=1``, ``verbose=-1``). Its gain is ``label_gain[label]`` (default ``2**label - 1``):
  the labels are the grades 0..4 (viewed, rejected, click, long click, booked) and ``label_gain``
  is their kit gains ``[0, 0, 0.01, 0.02, 1]``, so its DCG is the kit's linear-gain DCG; the
  discount ``1 / log2(1 + rank)`` and the cut-off ``min(10, n)`` are the same. LightGBM counts a
  search with no positive gain as NDCG 1, not NaN: the expected value is the mean of our per-search
  ``RankedLists.ndcg_at(10)`` with those searches counted as 1 (``np.isclose``, ``rtol=1e-9``).
  Ties in score, where LightGBM's order could differ, have probability ~0 with continuous scores.

Delivery ETA -- at scale 1, 1,000,000 seeded orders in 6 markets (the simulator's ``n_markets``,
of unequal sizes), lognormal actual minutes and a quote meant to hold 80% of the time.

- Coverage, overall and per market: ours ``promise.coverage`` + ``promise.coverage_by`` (by
  market), as ``notebooks/05_delivery_eta/2_metrics.ipynb`` calls them; the reference is
  ``(df.actual <= df.quote).mean()`` and ``(df.actual <= df.quote).groupby(df.market).mean()``.
  Same answers: per-market values and markets equal, and the overall share equal to ``rtol=1e-12``
  -- the kit computes it as ``1 - late_rate``, which can differ from the direct mean in the last
  bit, so the detail says whether it is bit-equal. Both are thin (``coverage_by`` is itself a
  pandas group-by), so a third row times the per-market path a learner waits for on all orders:
- Per-market split-conformal quote: ours ``ConformalPromise(0.8).fit(actual, quote, market)
  .predict(quote, market)`` (each market with >= 200 orders its own correction, the others the
  global one); the reference is the pandas a user would write: residuals ``actual - quote``, the
  ``k``-th smallest per market by ``groupby("market").apply`` (``k = ⌈(n + 1) alpha⌉``, the kit's
  formula), the fallback for small markets, ``quote + market.map(correction)``. Calibrated on the
  orders and quoting the same orders. Same answers: the promised quotes are equal
  (``np.array_equal``).

Timing: ours best of 3, each reference best of 2, end to end on the same data. Sizes shrink with
scale (at least 100 searches and 5,000 orders).

Run ``python benchmarks/bench_cases.py [scale]`` to print the rows.
"""

from __future__ import annotations

import math
import time

import lightgbm as lgb
import numpy as np
import pandas as pd

from mlsd.cases.delivery_eta.promise import MIN_GROUP_ORDERS, ConformalPromise, coverage, coverage_by
from mlsd.cases.rental_search.evaluation import ndcg
from mlsd.cases.rental_search.schema import GAINS
from mlsd.metrics.ranking import RankedLists
from common import main, row

K = 10
SEARCHES_AT_SCALE_1 = 100_000
MIN_SEARCHES = 100
ROWS_PER_SEARCH = 24
LABEL_GRADES = ("viewed", "rejected", "click", "long_click", "booked")
"""LightGBM's integer label of each grade (its index)."""
GRADE_SHARES = (0.9455, 0.0015, 0.026, 0.021, 0.006)
"""The share of rows of each grade of LABEL_GRADES, as ``simulate_searches`` logs at its defaults."""
ORDERS_AT_SCALE_1 = 1_000_000
MIN_ORDERS = 5_000
MARKET_SHARES = (0.34, 0.24, 0.18, 0.12, 0.1, 0.02)
ALPHA = 0.8
OURS_REPEATS = 3
REFERENCE_REPEATS = 2


def run(scale: float = 1.0) -> list[dict]:
    """Two rental-search NDCG rows (pandas, LightGBM) and two delivery-ETA rows."""
    return [*_rental_search_rows(scale), *_delivery_rows(scale)]


def _best_time(function, repeats: int):
    """The least seconds of ``repeats`` calls of ``function`` and its last result."""
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


# --- rental search ------------------------------------------------------------------------------

def make_searches(scale: float, seed: int = 0) -> pd.DataFrame:
    """Shuffled rows (search, label, gain, score): ``ROWS_PER_SEARCH`` rows for each search."""
    n_searches = max(MIN_SEARCHES, round(SEARCHES_AT_SCALE_1 * scale))
    rng = np.random.default_rng(seed)
    search = rng.permutation(np.repeat(np.arange(n_searches), ROWS_PER_SEARCH))
    label = rng.choice(len(LABEL_GRADES), size=len(search), p=GRADE_SHARES)
    gain = np.array(_label_gain())[label]
    return pd.DataFrame({"search": search, "label": label, "gain": gain,
                         "score": rng.random(len(search))})


def _label_gain() -> list[float]:
    """The kit's offline gain of each label, ``max(0, GAINS[grade])``: LightGBM's ``label_gain``."""
    return [max(0.0, GAINS[grade]) for grade in LABEL_GRADES]


def _ours_ndcg(rows: pd.DataFrame) -> float:
    return ndcg(rows["gain"].to_numpy(), rows["score"].to_numpy(), rows["search"].to_numpy(), K)


def _reference_session_ndcg(ranked: pd.Series) -> float:
    gains = ranked.to_numpy()
    if not (gains > 0).any():
        return np.nan
    ideal = np.sort(gains)[::-1]
    discount = 1 / np.log2(np.arange(2, min(K, len(gains)) + 2))
    return (gains[:K] * discount).sum() / (ideal[:K] * discount).sum()


def _pandas_ndcg(rows: pd.DataFrame) -> float:
    ranked = rows.sort_values(["search", "score"], ascending=[True, False], kind="stable")
    return float(ranked.groupby("search")["gain"].apply(_reference_session_ndcg).mean())


def _lightgbm_ndcg(rows: pd.DataFrame) -> float:
    search = rows["search"].to_numpy()
    order = np.argsort(search, kind="stable")
    sizes = np.bincount(search)
    params = {"objective": "none", "metric": "ndcg", "eval_at": [K], "label_gain": _label_gain(),
              "num_threads": 1, "verbose": -1}
    dataset = lgb.Dataset(np.zeros((len(order), 1)), label=rows["label"].to_numpy()[order],
                          group=sizes[sizes > 0],
                          init_score=rows["score"].to_numpy()[order], params=params)
    (result,) = lgb.Booster(params, dataset).eval_train()
    return float(result[2])


def _rental_search_rows(scale: float) -> list[dict]:
    rows = make_searches(scale)
    n_searches = rows["search"].nunique()
    per_search = RankedLists(rows["gain"].to_numpy(), rows["score"].to_numpy(),
                             rows["search"].to_numpy()).ndcg_at(K)
    no_gain = np.isnan(per_search)
    size = (f"{len(rows):,} rows, {n_searches:,} searches ({no_gain.mean():.0%} with no positive "
            f"gain)")
    ours_s, ours = _best_time(lambda: _ours_ndcg(rows), OURS_REPEATS)
    pandas_s, expected = _best_time(lambda: _pandas_ndcg(rows), REFERENCE_REPEATS)
    lightgbm_s, lightgbm_value = _best_time(lambda: _lightgbm_ndcg(rows), REFERENCE_REPEATS)
    as_lightgbm = float(np.where(no_gain, 1.0, per_search).mean())
    return [
        row("rental NDCG@10 vs pandas", ours_s, pandas_s,
            np.isclose(ours, expected, rtol=1e-9, atol=0),
            f"{size}; ours = evaluation.ndcg on shuffled rows (best of 3) = {ours:.6f}; reference = "
            f"pandas sort + groupby.apply, NaN-skipping mean (best of 2)"),
        row("rental NDCG@10 vs LightGBM", ours_s, lightgbm_s,
            np.isclose(lightgbm_value, as_lightgbm, rtol=1e-9, atol=0),
            f"{size}; LightGBM {lgb.__version__} ndcg@10 of init_score, label_gain = kit gains "
            f"(sort + Dataset + eval, best of 2) = {lightgbm_value:.6f}: ours with no-gain searches "
            f"as 1 = {as_lightgbm:.6f}"),
    ]


# --- delivery ETA -------------------------------------------------------------------------------

def make_orders(scale: float, seed: int = 0) -> pd.DataFrame:
    """Orders (market, actual, quote): minutes, a quote meant to be met ``ALPHA`` of the time."""
    n_orders = max(MIN_ORDERS, round(ORDERS_AT_SCALE_1 * scale))
    rng = np.random.default_rng(seed)
    market = rng.choice(len(MARKET_SHARES), size=n_orders, p=MARKET_SHARES)
    market_level = np.array([1.0, 1.1, 0.9, 1.2, 1.05, 0.95])[market]
    estimate = 38.0 * market_level * rng.lognormal(0.0, 0.3, n_orders)
    actual = estimate * rng.lognormal(0.0, 0.25 * market_level, n_orders)
    quote = estimate * np.exp(0.25 * 0.8416)
    return pd.DataFrame({"market": market, "actual": actual, "quote": quote})


def _ours_coverage(orders: pd.DataFrame) -> tuple[float, pd.Series]:
    by_market = coverage_by(orders["actual"], orders["quote"], orders["market"].to_numpy())
    return coverage(orders["actual"], orders["quote"]), by_market["coverage"]


def _pandas_coverage(orders: pd.DataFrame) -> tuple[float, pd.Series]:
    on_time = orders.actual <= orders.quote
    return float(on_time.mean()), on_time.groupby(orders.market).mean()


def _ours_promise(orders: pd.DataFrame) -> np.ndarray:
    market = orders["market"].to_numpy()
    promise = ConformalPromise(ALPHA).fit(orders["actual"], orders["quote"], market)
    return promise.predict(orders["quote"], market)


def _kth_smallest(residuals: pd.Series) -> float:
    values = np.sort(residuals.to_numpy())
    k = math.ceil((len(values) + 1) * ALPHA - 1e-12)
    return values[max(k, 1) - 1]


def _pandas_promise(orders: pd.DataFrame) -> np.ndarray:
    residual = orders["actual"] - orders["quote"]
    overall = _kth_smallest(residual)
    by_market = residual.groupby(orders["market"])
    correction = by_market.apply(_kth_smallest)[by_market.size() >= MIN_GROUP_ORDERS]
    return (orders["quote"] + orders["market"].map(correction).fillna(overall)).to_numpy()


def _delivery_rows(scale: float) -> list[dict]:
    orders = make_orders(scale)
    size = f"{len(orders):,} orders, {orders['market'].nunique()} markets"
    ours_s, (ours, ours_by_market) = _best_time(lambda: _ours_coverage(orders), OURS_REPEATS)
    reference_s, (expected, expected_by_market) = _best_time(lambda: _pandas_coverage(orders),
                                                             REFERENCE_REPEATS)
    same_markets = (ours_by_market.index.equals(expected_by_market.index)
                    and np.array_equal(ours_by_market.to_numpy(), expected_by_market.to_numpy()))
    promise_s, promised = _best_time(lambda: _ours_promise(orders), OURS_REPEATS)
    pandas_promise_s, expected_promised = _best_time(lambda: _pandas_promise(orders),
                                                     REFERENCE_REPEATS)
    own = int((orders["market"].value_counts() >= MIN_GROUP_ORDERS).sum())
    return [
        row("delivery coverage + per market", ours_s, reference_s,
            same_markets and math.isclose(ours, expected, rel_tol=1e-12),
            f"{size}; ours = coverage + coverage_by (best of 3) = {ours:.6f}, bit-equal to the "
            f"pandas mean: {'yes' if ours == expected else 'no'}; reference = (actual <= quote)"
            f".mean() + groupby(market).mean() (best of 2)"),
        row("delivery per-market conformal", promise_s, pandas_promise_s,
            np.array_equal(promised, expected_promised),
            f"{size} ({own} with >= {MIN_GROUP_ORDERS} orders); ours = ConformalPromise({ALPHA:g})"
            f" fit + predict by market (best of 3); reference = pandas groupby.apply k-th smallest"
            f" residual + map (best of 2)"),
    ]


if __name__ == "__main__":
    main(run)
