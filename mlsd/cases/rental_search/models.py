"""The baseline and the two learned rankers of rental search: a quality heuristic, pointwise
gradient-boosted trees and listwise LambdaMART, on the same features and the same graded labels.

Features (:func:`listing_features`), each computable when the search is served: ``log_price`` and
``price_vs_search`` (the log of the price over the search's median price: a listing is cheap or
dear *for this search*), ``rating`` (NaN → the search's mean, with ``no_rating`` = 1 where it was
NaN), ``log_reviews`` (``ln(1 + review_count)``, <NA> → 0), ``listing_age_days`` (NaN → 0),
``nights`` and ``guests`` (<NA> → 0). The position is left out: what a ranker learns from the slot
is the lesson of notebook 4, not a feature of the default models.

Labels: each row's grade (:func:`~.schema.grades`) and its gain (:data:`~.schema.GAINS`).

- :func:`quality_heuristic` — the baseline: ``rating × ln(1 + review_count)`` (a listing without
  reviews scores 0), ties by the cheaper price;
- :class:`PointwiseGBDT` — one regression per row on the gain (LightGBM, squared error): it learns
  each listing's expected gain on its own, blind to the other listings of the search;
- :class:`LambdaMART` — LightGBM's ``lambdarank``: gradients from the change of NDCG when two
  listings of the same search swap (Burges, 2010), with ``label_gain`` the gains of the grades, so
  the graded labels enter as integers ``0 … 4`` (:data:`GRADE_LABELS`) and their gains through
  ``label_gain``; the rows of a search must be contiguous (they are sorted by search here).

Both learners take ``seed`` and run LightGBM with ``deterministic=True`` and
``force_row_wise=True``, which gives the same trees whatever the number of threads, on one thread (``n_jobs=1``): a second
thread gains nothing at these sizes, and LightGBM's own default (every core, threads spinning while
they wait) runs many times slower when another process shares the cores, as a test run on two
workers does.
"""

from __future__ import annotations

from collections.abc import Mapping

import lightgbm as lgb
import numpy as np
import pandas as pd

from mlsd.cases.rental_search.schema import GAINS, check_gains, grades, graded_relevance
from mlsd.validation import check_int, check_number

FEATURES = ("log_price", "price_vs_search", "rating", "no_rating", "log_reviews",
            "listing_age_days", "nights", "guests")
"""The columns of :func:`listing_features`, in order."""
GRADE_LABELS = {"rejected": 0, "viewed": 1, "click": 2, "long_click": 3, "booked": 4}
"""The integer label of each grade for ``lambdarank``: worst to best, so that ``label_gain[label]``
is the grade's gain."""
TREES = 200
LEAVES = 31
LEARNING_RATE = 0.05
MIN_CHILD_SAMPLES = 50


def listing_features(results: pd.DataFrame) -> pd.DataFrame:
    """The :data:`FEATURES` of each row of ``results`` (the module docstring states each),
    indexed like ``results``."""
    search = results["search_id"].to_numpy()
    price = results["price"].to_numpy(dtype=float)
    log_price = np.log(price)
    median = pd.Series(log_price).groupby(search).transform("median").to_numpy()
    rating = results["rating"].to_numpy(dtype=float)
    mean_rating = pd.Series(rating).groupby(search).transform("mean").to_numpy()
    filled = np.where(np.isnan(rating), np.nan_to_num(mean_rating, nan=0.0), rating)
    reviews = results["review_count"].astype("Float64").fillna(0).to_numpy(dtype=float)
    return pd.DataFrame(
        {
            "log_price": np.nan_to_num(log_price, nan=0.0),
            "price_vs_search": np.nan_to_num(log_price - median, nan=0.0),
            "rating": filled,
            "no_rating": np.isnan(rating).astype(float),
            "log_reviews": np.log1p(reviews),
            "listing_age_days": np.nan_to_num(results["listing_age_days"].to_numpy(dtype=float)),
            "nights": results["nights"].astype("Float64").fillna(0).to_numpy(dtype=float),
            "guests": results["guests"].astype("Float64").fillna(0).to_numpy(dtype=float),
        },
        index=results.index,
    )


def quality_heuristic(results: pd.DataFrame) -> np.ndarray:
    """The baseline's score: ``rating × ln(1 + review_count)`` (0 without reviews or rating),
    minus ``10⁻⁶ × price`` so that ties go to the cheaper listing."""
    rating = np.nan_to_num(results["rating"].to_numpy(dtype=float))
    reviews = results["review_count"].astype("Float64").fillna(0).to_numpy(dtype=float)
    price = np.nan_to_num(results["price"].to_numpy(dtype=float))
    return rating * np.log1p(reviews) - 1e-6 * price


class _LightGBMRanker:
    """What both learners share: the trees' sizes, the seed, fitting on sorted searches."""

    def __init__(self, gains: Mapping[str, float] = GAINS, n_trees: int = TREES,
                 leaves: int = LEAVES, learning_rate: float = LEARNING_RATE, seed: int = 0):
        self.gains = check_gains(gains)
        self.n_trees = check_int("n_trees", n_trees, 1)
        self.leaves = check_int("leaves", leaves, 2)
        self.learning_rate = check_number("learning_rate", learning_rate, 0, 1, low_open=True)
        self.seed = check_int("seed", seed, 0)

    def _options(self) -> dict:
        return {"n_estimators": self.n_trees, "num_leaves": self.leaves,
                "learning_rate": self.learning_rate, "min_child_samples": MIN_CHILD_SAMPLES,
                "random_state": self.seed, "deterministic": True, "force_row_wise": True,
                "verbose": -1, "n_jobs": 1}

    def predict(self, results: pd.DataFrame, n_trees: int | None = None) -> np.ndarray:
        """A score per row of ``results``, higher first (only the order within a search counts),
        from the first ``n_trees`` trees (all of them by default): the model as it stood after
        that many boosting rounds, so one fit answers what a smaller budget would have learned."""
        if n_trees is not None:
            n_trees = check_int("n_trees", n_trees, 1, self.n_trees)
        return self.model_.predict(listing_features(results).to_numpy(), num_iteration=n_trees)

    def staged_predict(self, results: pd.DataFrame, budgets) -> list[np.ndarray]:
        """The scores of :meth:`predict` after each number of trees of ``budgets`` (increasing),
        from one pass over the trees: the score after ``b`` trees is the score after the
        previous budget plus the raw output of the trees in between."""
        budgets = [check_int("budgets", b, 1, self.n_trees) for b in budgets]
        if any(later <= earlier for earlier, later in zip(budgets, budgets[1:])):
            raise ValueError(f"budgets must increase; got {budgets}")
        features = listing_features(results).to_numpy()
        score, done, staged = np.zeros(len(results)), 0, []
        for budget in budgets:
            score = score + self.model_.booster_.predict(features, start_iteration=done,
                                                         num_iteration=budget - done)
            done = budget
            staged.append(score)
        return staged


class PointwiseGBDT(_LightGBMRanker):
    """Gradient-boosted regression trees on each row's gain (:func:`~.schema.graded_relevance`):
    squared error, row by row."""

    def fit(self, results: pd.DataFrame) -> PointwiseGBDT:
        model = lgb.LGBMRegressor(objective="regression", **self._options())
        y = graded_relevance(results, self.gains).to_numpy()
        self.model_ = model.fit(listing_features(results).to_numpy(), y)
        return self


class LambdaMART(_LightGBMRanker):
    """LightGBM's ``lambdarank`` on the grades as integer labels (:data:`GRADE_LABELS`), with
    ``label_gain`` their gains, over searches as query groups.

    ``lambdarank`` finds each search's ideal order by sorting the integer labels, so the gains must
    not decrease along :data:`GRADE_LABELS` (rejected ≤ viewed ≤ click ≤ long click ≤ booked);
    other gains are refused rather than trained towards a wrong ideal order."""

    def __init__(self, gains: Mapping[str, float] = GAINS, **options):
        super().__init__(gains, **options)
        by_label = sorted(GRADE_LABELS, key=GRADE_LABELS.get)
        values = [self.gains[grade] for grade in by_label]
        if any(later < earlier for earlier, later in zip(values, values[1:])):
            shown = ", ".join(f"{grade} {self.gains[grade]:g}" for grade in by_label)
            raise ValueError(f"LambdaMART's gains must not decrease from {' to '.join(by_label)} "
                             f"(lambdarank sorts the integer labels for the ideal order); got "
                             f"{shown}")

    def fit(self, results: pd.DataFrame) -> LambdaMART:
        order = np.argsort(results["search_id"].to_numpy(), kind="stable")
        rows = results.iloc[order]
        labels = grades(rows).map(GRADE_LABELS).to_numpy()
        label_gain = [self.gains[grade] for grade in sorted(GRADE_LABELS, key=GRADE_LABELS.get)]
        group = rows.groupby("search_id", sort=False).size().to_numpy()
        model = lgb.LGBMRanker(objective="lambdarank", label_gain=label_gain, **self._options())
        self.model_ = model.fit(listing_features(rows).to_numpy(), labels, group=group)
        return self

