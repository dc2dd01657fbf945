"""An online A/B test of two click models, through the auction, on the test days' requests.

Offline metrics rank models on logged impressions; the decision to ship is made online, where the
model picks the ad and the user's click follows from that ad. The simulator can run that test:

Requests
    every test-day impression is a request: its user, segment, site, device, hour and slot. Its
    ``n_candidates`` candidates are the logged ad and ads drawn uniformly (without repeats) among
    those live that day; each candidate row gets the user's earlier views of that ad, counted in
    the log, and its **true click probability in this request's context** — the simulator's logit
    for that user, context and ad (:meth:`~.simulate.AdMarket.true_ctr_of`).
Arms
    each request is assigned to arm A or B with probability 1/2 (with ``seed``). The arm's model
    scores every candidate, the generalized second-price auction of :mod:`.auction` picks the
    winner (eCPM = bid × pCTR; the reserve is the median true eCPM of all candidates, the same in
    both arms) and sets its price per click, and the click is drawn from the winner's true CTR.
Analysis
    per request: ``click`` (0 or 1; 0 when no ad is shown) and ``revenue`` (price × click). Arm B
    is compared with arm A by :func:`mlsd.experiments.difference_in_means` (Welch, 95% interval).
    The simulator also knows what the test estimates — both models on *every* request, with
    expected clicks (true CTR of the winner) and expected revenue (price × true CTR): the
    ``true`` difference, free of the assignment's and the clicks' noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mlsd.cases.ad_click.auction import run_auctions
from mlsd.cases.ad_click.simulate import AdMarket
from mlsd.experiments import Comparison, difference_in_means
from mlsd.validation import check_int

N_CANDIDATES = 5
REQUEST_COLUMNS = ["time", "day", "hour", "user_id", "user_segment", "site_id", "device", "slot"]
_TIME_UNITS = 10**7  # a request's time in 1e-7 days (under 0.01 s), to count earlier views exactly


def candidate_rows(market: AdMarket, requests: pd.DataFrame, n_candidates: int = N_CANDIDATES,
                   seed: int = 0) -> pd.DataFrame:
    """``n_candidates`` rows per request (request-major: request ``r``'s candidates are rows
    ``r * n_candidates`` …), the first its logged ad, the others drawn uniformly without repeats
    among the ads created by the request's day; each with the columns of the impressions table a
    model reads (``ad_age_days``, ``user_ad_views``: the user's logged views of the ad before the
    request, ``bid``, …) and ``true_ctr`` in the request's context."""
    n_candidates = check_int("n_candidates", n_candidates, 2, len(market.ads))
    rng = np.random.default_rng(seed)
    ads, impressions = market.ads, market.impressions
    created = ads["created_day"].to_numpy()
    by_creation = np.argsort(created, kind="stable")
    live = np.searchsorted(created[by_creation], requests["day"].to_numpy(), side="right")
    chosen = np.empty((len(requests), n_candidates), dtype=np.int64)
    chosen[:, 0] = requests["ad_id"].to_numpy()
    if (live < n_candidates).any():
        raise ValueError(f"some request's day has fewer than n_candidates={n_candidates} live ads")
    for column in range(1, n_candidates):
        todo = np.arange(len(requests))
        while len(todo):  # redraw the picks that repeat an earlier candidate of their request
            pick = by_creation[(rng.random(len(todo)) * live[todo]).astype(np.int64)]
            chosen[todo, column] = pick
            todo = todo[(chosen[todo, :column] == pick[:, None]).any(axis=1)]
    rows = requests[REQUEST_COLUMNS].loc[requests.index.repeat(n_candidates)].reset_index(drop=True)
    ad = chosen.ravel()
    rows["ad_id"] = ad
    rows["advertiser_id"] = ads["advertiser_id"].to_numpy()[ad]
    rows["ad_category"] = ads["category"].to_numpy()[ad]
    rows["ad_age_days"] = rows["time"].to_numpy() - created[ad]
    rows["user_ad_views"] = _earlier_views(impressions, rows, len(ads))
    rows["bid"] = ads["bid"].to_numpy()[ad]
    return rows


def _earlier_views(impressions: pd.DataFrame, rows: pd.DataFrame, n_ads: int) -> np.ndarray:
    """For each row, how many logged impressions of its (user, ad) came strictly before its time."""
    def keys(frame):
        pair = frame["user_id"].to_numpy().astype(np.int64) * n_ads + frame["ad_id"].to_numpy()
        return pair, np.round(frame["time"].to_numpy() * _TIME_UNITS).astype(np.int64)

    logged_pair, logged_time = keys(impressions)
    span = int(logged_time.max()) + 2
    logged = np.sort(logged_pair * span + logged_time)
    pair, time = keys(rows)
    return np.searchsorted(logged, pair * span + time, side="left") - np.searchsorted(logged, pair * span, side="left")


@dataclass(frozen=True)
class OnlineTest:
    """The A/B test's result: the arms' per-request comparisons (:class:`~mlsd.experiments.Comparison`,
    arm B − arm A) on ``clicks`` and ``revenue``, the ``true`` differences (both models on every
    request, expected values), and the arms' sizes and names."""

    clicks: Comparison
    revenue: Comparison
    true_clicks: float
    true_revenue: float
    model_a: str
    model_b: str

    def table(self) -> pd.DataFrame:
        """One row per metric (``clicks per request``, ``revenue per request``): each arm's mean,
        the difference B − A with its 95% interval and p-value, and the true difference."""
        rows = {}
        for name, comparison, true in (("clicks per request", self.clicks, self.true_clicks),
                                       ("revenue per request", self.revenue, self.true_revenue)):
            rows[name] = {
                f"arm A: {self.model_a}": comparison.mean_a,
                f"arm B: {self.model_b}": comparison.mean_b,
                "B − A": comparison.difference,
                "low": comparison.ci_low,
                "high": comparison.ci_high,
                "p_value": comparison.p_value,
                "true B − A": true,
            }
        return pd.DataFrame.from_dict(rows, orient="index")


def online_test(market: AdMarket, requests: pd.DataFrame, pctr_a: np.ndarray, pctr_b: np.ndarray,
                true_ctr: np.ndarray, bids: np.ndarray, *, model_a: str = "A", model_b: str = "B",
                seed: int = 0) -> OnlineTest:
    """Run the test of the module docstring on ``requests`` whose candidates (request-major, as
    :func:`candidate_rows` lays them out) have the two models' pCTRs ``pctr_a``, ``pctr_b``, their
    ``true_ctr`` and ``bids``; assignment and clicks are drawn with ``seed``."""
    shape = (len(requests), len(true_ctr) // len(requests))
    true_ctr, bids = np.reshape(true_ctr, shape), np.reshape(bids, shape)
    reserve = float(np.median(bids * true_ctr))
    outcomes = {}
    for arm, pctr in (("a", pctr_a), ("b", pctr_b)):
        winner, price = run_auctions(bids, np.reshape(pctr, shape), reserve)
        shown = winner >= 0
        winner_ctr = np.where(shown, true_ctr[np.arange(shape[0]), np.maximum(winner, 0)], 0.0)
        outcomes[arm] = (winner_ctr, np.where(shown, price, 0.0))
    rng = np.random.default_rng(seed)
    in_b = rng.random(shape[0]) < 0.5
    clicked = rng.random(shape[0])
    observed = {}
    for arm, rows in (("a", ~in_b), ("b", in_b)):
        winner_ctr, price = outcomes[arm]
        click = (clicked[rows] < winner_ctr[rows]).astype(float)
        observed[arm] = (click, click * price[rows])
    (ctr_a, price_a), (ctr_b, price_b) = outcomes["a"], outcomes["b"]
    return OnlineTest(
        clicks=difference_in_means(observed["a"][0], observed["b"][0]),
        revenue=difference_in_means(observed["a"][1], observed["b"][1]),
        true_clicks=float(np.mean(ctr_b - ctr_a)),
        true_revenue=float(np.mean(ctr_b * price_b - ctr_a * price_a)),
        model_a=model_a,
        model_b=model_b,
    )
