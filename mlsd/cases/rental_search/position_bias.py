"""Position bias in rental search: the logged grades depend on the slot, so what a ranker learns
from them and how an order is scored offline both carry the old ranker's order.

A guest examines position ``k`` with probability ``e_k = k ** -examination_decay``
(:mod:`.simulate`), and only an examined listing can be clicked, requested or booked. The logging
policy puts the listings with many reviews, a good rating and a low price on top, so in the log
those listings collect the clicks the top slots cause.

- :func:`examination_curve` — ``ê_k = CTR_k / CTR_1`` per position, from the ``random_order``
  searches (their listings are placed at random, so a listing's relevance is independent of its
  slot and the click rate falls only by examination) and, for contrast, from the policy-ordered
  searches (where it falls by examination *and* by the policy's choice of what goes on top).
- :func:`fit_decay` — the decay ``d̂`` of a curve ``ê_k ≈ k ** -d̂``: least squares of
  ``ln ê_k`` on ``-ln k`` through the origin, each position weighted by its clicks.
- :class:`PositionLambdaMART` — :class:`~.models.LambdaMART` with ``ln(position)`` as one more
  feature during training and fixed at serving to ``ln(serving_position)`` (every listing scored
  as if on top), with a share ``position_dropout`` of the training rows given that serving value
  instead of their own (Haldar et al., "Improving deep learning for Airbnb search", KDD 2020:
  the position as a feature, with dropout, set to a fixed value at serving).
- :func:`position_bias_table` — rankers judged offline on the logged grades (all test searches
  and the random ones) and on the truth, with what they put on the first page.
"""

from __future__ import annotations

from collections.abc import Mapping

import lightgbm as lgb
import numpy as np
import pandas as pd

from mlsd.cases.rental_search.evaluation import (
    K,
    check_scores,
    expected_gain,
    expected_outcomes,
    ndcg,
    offline_gain,
    rank_within_search,
)
from mlsd.cases.rental_search.models import GRADE_LABELS, LambdaMART, listing_features
from mlsd.cases.rental_search.schema import grades
from mlsd.validation import check_int, check_number

MAX_POSITION = 12
"""The positions :func:`examination_curve` reads by default: the first page and a half."""


def examination_curve(rows: pd.DataFrame, max_position: int = MAX_POSITION) -> pd.DataFrame:
    """Click rate by position, divided by position 1's, in the random and the policy searches.

    One row per position ``1 … max_position`` (index ``position``): ``random_impressions``,
    ``random_clicks``, ``random_ratio`` (``CTR_k / CTR_1`` over the ``random_order`` rows: the
    estimate of ``e_k / e_1``) and ``logged_ratio`` (the same over the other rows). Raises
    ``ValueError`` when the rows hold no random search, no logged position, or a position without
    a random click."""
    max_position = check_int("max_position", max_position, 2)
    if rows["position"].isna().any():
        raise ValueError("examination_curve needs the logged position of every row; "
                         f"{int(rows['position'].isna().sum())} rows have <NA>")
    random = rows["random_order"].to_numpy(dtype=bool)
    if not random.any():
        raise ValueError(f"rows hold no random_order search (of {len(rows)} rows); the curve "
                         "needs randomised traffic (simulate with random_share > 0)")
    position = rows["position"].to_numpy(dtype=np.int64)
    click = rows["click"].to_numpy(dtype=float)
    slots = np.arange(1, max_position + 1)
    table = {}
    for name, part in (("random", random), ("logged", ~random)):
        kept = part & (position <= max_position)
        shown = np.bincount(position[kept] - 1, minlength=max_position)
        clicks = np.bincount(position[kept] - 1, click[kept], minlength=max_position)
        if name == "random":
            empty = slots[clicks == 0].tolist()
            if empty:
                raise ValueError(f"the random searches hold no click at positions {empty}; lower "
                                 "max_position or use more randomised traffic")
            table["random_impressions"] = shown
            table["random_clicks"] = clicks.astype(np.int64)
        ctr = clicks / np.maximum(shown, 1)
        table[f"{name}_ratio"] = ctr / ctr[0] if ctr[0] > 0 else np.full(max_position, np.nan)
    return pd.DataFrame(table, index=pd.Index(slots, name="position"))


def fit_decay(ratio, clicks) -> float:
    """``d̂ = Σ w_k ln(k) (-ln ê_k) / Σ w_k ln(k)²`` over positions ``k = 1, 2, …`` (``ratio[k-1]``
    is ``ê_k``, ``clicks[k-1]`` its weight ``w_k``): the power law ``ê_k = k ** -d̂`` closest to the
    curve in the log, positions with more clicks counting more. Positions with no click or a
    ratio <= 0 are left out."""
    ratio = np.asarray(ratio, dtype=float)
    weight = np.asarray(clicks, dtype=float)
    if ratio.shape != weight.shape or ratio.ndim != 1 or len(ratio) < 2:
        raise ValueError(f"ratio and clicks must be 1-d of one length >= 2; got {ratio.shape} and "
                         f"{weight.shape}")
    log_k = np.log(np.arange(1, len(ratio) + 1))
    kept = (weight > 0) & (ratio > 0)
    if not kept[1:].any():
        raise ValueError("fit_decay needs a position after the first with a click and a ratio > 0")
    w, x, y = weight[kept], log_k[kept], -np.log(ratio[kept])
    return float((w * x * y).sum() / (w * x * x).sum())


class PositionLambdaMART(LambdaMART):
    """LambdaMART with the position as a feature: ``ln(position)`` after :data:`~.models.FEATURES`
    in training, ``ln(serving_position)`` at serving. A share ``position_dropout`` in ``[0, 1)``
    of the training rows (drawn with ``seed``) carries the serving value instead of its own, so
    that the trees also learn to rank without the slot."""

    def __init__(self, *, serving_position: int = 1, position_dropout: float = 0.0, **options):
        super().__init__(**options)
        self.serving_position = check_int("serving_position", serving_position, 1)
        self.position_dropout = check_number("position_dropout", position_dropout, 0, 1,
                                             high_open=True)

    def fit(self, results: pd.DataFrame) -> PositionLambdaMART:
        if results["position"].isna().any():
            raise ValueError("PositionLambdaMART needs the logged position of every training row")
        order = np.argsort(results["search_id"].to_numpy(), kind="stable")
        rows = results.iloc[order]
        log_position = np.log(rows["position"].to_numpy(dtype=float))
        dropped = np.random.default_rng(self.seed).random(len(rows)) < self.position_dropout
        log_position[dropped] = np.log(self.serving_position)
        labels = grades(rows).map(GRADE_LABELS).to_numpy()
        label_gain = [self.gains[grade] for grade in sorted(GRADE_LABELS, key=GRADE_LABELS.get)]
        group = rows.groupby("search_id", sort=False).size().to_numpy()
        model = lgb.LGBMRanker(objective="lambdarank", label_gain=label_gain, **self._options())
        self.model_ = model.fit(_with_position(rows, log_position), labels, group=group)
        return self

    def predict(self, results: pd.DataFrame) -> np.ndarray:
        """A score per row, every row at the serving position (the logged one is not read)."""
        served = np.full(len(results), np.log(self.serving_position))
        return self.model_.predict(_with_position(results, served))


def _with_position(rows: pd.DataFrame, log_position: np.ndarray) -> np.ndarray:
    return np.column_stack([listing_features(rows).to_numpy(), log_position])


def position_bias_table(test: pd.DataFrame, scores: Mapping[str, np.ndarray],
                        examination_decay: float, *, k: int = K) -> pd.DataFrame:
    """One row per ranker of ``scores`` (a score per row of the simulated ``test``):

    - ``offline_ndcg`` and ``offline_ndcg_random`` — NDCG@k on the logged grades over all the
      searches and over the ``random_order`` ones (:func:`~.evaluation.ndcg`);
    - ``true_ndcg`` — NDCG@k on the expected gains (:func:`~.evaluation.expected_gain`);
    - ``bookings`` — per search, served in this order (:func:`~.evaluation.expected_outcomes`
      at the world's ``examination_decay``);
    - ``new_top_share`` — the share of the first ``k`` slots held by listings without reviews;
    - ``top_log_reviews`` — the mean ``ln(1 + reviews)`` over the first ``k`` slots.
    """
    k = check_int("k", k, 1)
    search = test["search_id"].to_numpy()
    logged, truth = offline_gain(test), expected_gain(test)
    random = test["random_order"].to_numpy(dtype=bool)
    reviews = test["review_count"].astype("Float64").fillna(0).to_numpy(dtype=float)
    table = {}
    for name, score in check_scores(scores, test).items():
        top = rank_within_search(search, score) <= k
        table[name] = {
            "offline_ndcg": ndcg(logged, score, search, k),
            "offline_ndcg_random": ndcg(logged[random], score[random], search[random], k),
            "true_ndcg": ndcg(truth, score, search, k),
            "bookings": expected_outcomes(test, score, examination_decay)["bookings"],
            "new_top_share": float((reviews[top] == 0).mean()),
            "top_log_reviews": float(np.log1p(reviews[top]).mean()),
        }
    return pd.DataFrame(table).T.rename_axis("ranker")

