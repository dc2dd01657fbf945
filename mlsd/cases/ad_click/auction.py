"""The auction that consumes pCTR: why the probability itself, not just the order, must be right.

Generalized second-price auction, one slot, pay per click: ads are ranked by expected value
``eCPM = bid × pCTR``; an ad is shown only if its eCPM reaches the reserve; the winner pays, per
click, the smallest bid that would still have won: ``max(runner-up eCPM, reserve) / winner pCTR``.

Scaling every pCTR by the same factor leaves winners and prices unchanged, but not the reserve
decision; miscalibration that differs between ads (by advertiser, device, age) changes winners
and prices. :func:`miscalibration_effect` measures both on simulated requests.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlsd.metrics import roc_auc
from mlsd.ordering import top_k_columns
from mlsd.validation import check_int


def run_auctions(bids: np.ndarray, pctr: np.ndarray, reserve_ecpm: float) -> tuple[np.ndarray, np.ndarray]:
    """Winners and per-click prices of many auctions at once.

    ``bids`` and ``pctr`` have shape (n_auctions, n_candidates). Returns the winner's column index
    (-1 when no eCPM reaches the reserve) and the price per click (0 when nothing is shown). eCPMs
    are compared at :data:`mlsd.ordering.SIGNIFICANT_DIGITS` significant digits, ties won by the
    lower column, so a winner never depends on the last bits of a pCTR.
    """
    ecpm = bids * pctr
    order = top_k_columns(ecpm, 2)
    rows = np.arange(len(bids))
    winner, runner_up = order[:, 0], order[:, 1]
    shown = ecpm[rows, winner] >= reserve_ecpm
    second = np.maximum(ecpm[rows, runner_up], reserve_ecpm)
    price = np.where(shown, second / pctr[rows, winner], 0.0)
    return np.where(shown, winner, -1), price


def miscalibration_effect(
    ads: pd.DataFrame,
    ad_ctr: np.ndarray,
    factors: tuple[float, ...] = (0.5, 0.8, 1.0, 1.25, 2.0),
    n_auctions: int = 20_000,
    n_candidates: int = 5,
    seed: int = 0,
    impressions: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """What multiplying the pCTR of half the advertisers by ``factor`` does to the auctions.

    Each auction draws ``n_candidates`` ads; the true pCTR is ``ad_ctr`` (one per ad). The reserve is
    the median true eCPM of all candidates. For each factor, the ads of a fixed random half of the
    advertisers (the *distorted* half) get ``pCTR × factor``. Columns:

    - ``winner_changed``: share of auctions whose winner differs from the truthful auction;
    - ``value_lost``: 1 − (true eCPM of the distorted winners) / (true eCPM of the truthful winners);
    - ``revenue_change``: expected revenue (price × true CTR of the shown ad, summed) relative to
      the truthful auction, minus 1;
    - ``ads_shown``: share of auctions that show an ad;
    - ``distorted_wins_change``: auctions won by the distorted half's ads relative to the truthful
      auction, minus 1 — below 0 when under-predicted ads lose auctions they should win;
    - ``distorted_price_change``: in the auctions that the same distorted-half ad wins with and
      without the distortion, its summed price per click relative to the truthful one, minus 1 —
      below 0 when an over-predicted winner pays less, its price being divided by its inflated pCTR;
    - ``roc_auc`` (only when ``impressions`` is given, a table with ``advertiser_id``,
      ``true_ctr`` and ``click``): the ROC AUC against ``click`` of ``true_ctr`` with the distorted
      half's rows multiplied by the factor — at factor 1 the truth's own AUC.
    """
    n_candidates = check_int("n_candidates", n_candidates, 2, len(ads))  # at most every ad
    rng = np.random.default_rng(seed)
    candidates = _distinct_candidates(rng, len(ads), n_auctions, n_candidates)
    bids = ads["bid"].to_numpy()[candidates]
    true_ctr = ad_ctr[candidates]
    reserve = float(np.median(bids * true_ctr))
    distorted_advertisers = rng.random(int(ads["advertiser_id"].max()) + 1) < 0.5
    distorted = distorted_advertisers[ads["advertiser_id"].to_numpy()[candidates]]
    truthful_winner, truthful_price = run_auctions(bids, true_ctr, reserve)
    truthful_value = _true_value(bids, true_ctr, truthful_winner)
    truthful_revenue = _revenue(truthful_price, true_ctr, truthful_winner)
    truthful_distorted_wins = _distorted_winners(distorted, truthful_winner)
    if impressions is not None:
        rows_distorted = distorted_advertisers[impressions["advertiser_id"].to_numpy()]
        rows_ctr, rows_click = impressions["true_ctr"].to_numpy(), impressions["click"].to_numpy()
    rows = []
    for factor in factors:
        pctr = np.where(distorted, true_ctr * factor, true_ctr)
        winner, price = run_auctions(bids, pctr, reserve)
        same = truthful_distorted_wins & (winner == truthful_winner)
        row = {
            "factor": factor,
            "winner_changed": float(np.mean(winner != truthful_winner)),
            "value_lost": 1 - _true_value(bids, true_ctr, winner) / truthful_value,
            "revenue_change": _revenue(price, true_ctr, winner) / truthful_revenue - 1,
            "ads_shown": float(np.mean(winner >= 0)),
            "distorted_wins_change": _distorted_winners(distorted, winner).sum() / truthful_distorted_wins.sum() - 1,
            "distorted_price_change": price[same].sum() / truthful_price[same].sum() - 1,
        }
        if impressions is not None:
            row["roc_auc"] = roc_auc(rows_click, np.where(rows_distorted, rows_ctr * factor, rows_ctr))
        rows.append(row)
    return pd.DataFrame(rows)


def mean_true_ctr_by_ad(impressions: pd.DataFrame, n_ads: int) -> np.ndarray:
    """Each ad's true click probability averaged over its impressions (the overall mean if unseen)."""
    by_ad = impressions.groupby("ad_id")["true_ctr"].mean()
    return by_ad.reindex(range(n_ads), fill_value=impressions["true_ctr"].mean()).to_numpy()


def _distinct_candidates(rng, n_ads: int, n_auctions: int, n_candidates: int) -> np.ndarray:
    """``n_candidates`` distinct ads per auction: draw, then redraw the rare rows with a repeat."""
    candidates = rng.integers(0, n_ads, (n_auctions, n_candidates))
    while True:
        ordered = np.sort(candidates, axis=1)
        repeats = (ordered[:, 1:] == ordered[:, :-1]).any(axis=1)
        if not repeats.any():
            return candidates
        candidates[repeats] = rng.integers(0, n_ads, (int(repeats.sum()), n_candidates))


def _distorted_winners(distorted: np.ndarray, winner: np.ndarray) -> np.ndarray:
    """Whether each auction's winner is one of the distorted half's ads (False when none is shown)."""
    rows = np.arange(len(winner))
    return (winner >= 0) & distorted[rows, np.maximum(winner, 0)]


def _true_value(bids, true_ctr, winner) -> float:
    rows = np.flatnonzero(winner >= 0)
    return float(np.sum(bids[rows, winner[rows]] * true_ctr[rows, winner[rows]]))


def _revenue(price, true_ctr, winner) -> float:
    rows = np.flatnonzero(winner >= 0)
    return float(np.sum(price[rows] * true_ctr[rows, winner[rows]]))
