"""Click-probability models, from the baseline to gradient boosting, all with one interface.

Every model has ``fit(impressions, labels) -> self`` and ``predict(impressions) -> probabilities``,
so notebooks and experiments can swap them freely. Labels are passed separately because the label
itself is a design choice (clicks within which window?). Fits run on one thread: at these sizes
threads gain little, and OpenMP pools that share a busy core can slow a fit twentyfold.

- :class:`SmoothedCTRBaseline` — the historical click rate of the ad, shrunk towards the global rate.
- :class:`HashedLogisticRegression` — logistic regression on hashed categoricals and crosses.
- :class:`HistoricalGBDT` — gradient-boosted trees on historical click rates and context.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from mlsd.cases.ad_click.features import COUNTER_COLUMNS, as_of_day_rates, context_features, hashed_features
from mlsd.cases.ad_click.point_in_time import click_arrival
from mlsd.validation import check_number


def _binary_labels(labels, n_rows: int) -> np.ndarray:
    labels = np.asarray(labels)
    if labels.shape != (n_rows,):
        raise ValueError(f"labels must have one value per impression ({n_rows}); got shape {labels.shape}")
    if not np.isin(labels, (0, 1)).all():
        raise ValueError("labels must be 0 or 1")
    return labels.astype(np.int64)


class SmoothedCTRBaseline:
    """Predict each ad's historical click rate, shrunk towards the global rate.

    ``p(ad) = (clicks(ad) + m * global_rate) / (impressions(ad) + m)``: an ad never seen gets the
    global rate; an ad seen often gets close to its own rate. ``m`` (``prior_strength``) is the
    number of pseudo-impressions of the prior (empirical-Bayes smoothing).
    """

    def __init__(self, prior_strength: float = 100.0):
        self.prior_strength = prior_strength

    def fit(self, impressions: pd.DataFrame, labels) -> SmoothedCTRBaseline:
        labels = _binary_labels(labels, len(impressions))
        self.global_rate_ = labels.mean()
        per_ad = pd.DataFrame({"ad_id": impressions["ad_id"].to_numpy(), "label": labels}).groupby("ad_id")["label"]
        self.rate_by_ad_ = (per_ad.sum() + self.prior_strength * self.global_rate_) / (per_ad.size() + self.prior_strength)
        return self

    def predict(self, impressions: pd.DataFrame) -> np.ndarray:
        rates = impressions["ad_id"].map(self.rate_by_ad_)
        return rates.fillna(self.global_rate_).to_numpy(dtype=float)


class HashedLogisticRegression:
    """Logistic regression on hashed one-hot categoricals and their crosses.

    Features: see :func:`mlsd.cases.ad_click.features.hashed_features`. L2-regularised with
    strength ``1 / C`` (scikit-learn's ``LogisticRegression``, lbfgs). ``negative_rate`` < 1 trains on
    all clicks and that share of non-clicks (negative downsampling); predictions are then too high
    until corrected with :func:`mlsd.metrics.undo_downsampling` — left to the caller on purpose.
    """

    def __init__(self, n_buckets: int = 2**18, crosses: bool = True, C: float = 0.5, negative_rate: float = 1.0, seed: int = 0):
        check_number("negative_rate", negative_rate, 0, 1, low_open=True)
        self.n_buckets, self.crosses, self.C = n_buckets, crosses, C
        self.negative_rate, self.seed = negative_rate, seed

    def fit(self, impressions: pd.DataFrame, labels) -> HashedLogisticRegression:
        """Fit on the columns the training rows set, then widen the weights back to every bucket.

        A bucket no training row sets has a zero gradient from the loss, and its L2 penalty keeps
        it at 0, so fitting on the used columns alone finds the same optimum (to rounding) — about
        five times faster at 2^18 buckets, where lbfgs would otherwise carry 262,144 weights per
        step for the few thousand the data set. ``model_`` then takes full-width hashed rows.
        """
        labels = _binary_labels(labels, len(impressions))
        keep = downsample_negatives(labels, self.negative_rate, self.seed)
        features = hashed_features(impressions[keep], self.n_buckets, self.crosses)
        used = np.unique(features.indices)
        with threadpool_limits(limits=1):
            model = LogisticRegression(C=self.C, max_iter=300).fit(features[:, used], labels[keep])
        weights = np.zeros((1, self.n_buckets))
        weights[0, used] = model.coef_[0]
        model.coef_, model.n_features_in_ = weights, self.n_buckets
        self.model_ = model
        return self

    def predict(self, impressions: pd.DataFrame) -> np.ndarray:
        return self.model_.predict_proba(hashed_features(impressions, self.n_buckets, self.crosses))[:, 1]


class HistoricalGBDT:
    """Gradient-boosted trees on historical click rates (counters) plus the impression's context.

    The counters behind the historical rates are kept apart from the trees: every row, in training
    or at serving, gets the rates as of its own day, from the labelled impressions the counters hold.
    :meth:`update_counters` adds newly labelled impressions without retraining the trees — how a
    production system keeps features fresh between retrainings. Without updates, served rows see
    counters that stop at the end of training. scikit-learn's ``HistGradientBoostingClassifier``.

    ``point_in_time`` (default True): the counters of day ``d`` count a click only once it had
    arrived, ``time + click_delay_hours / 24 <= d``
    (:func:`~.features.as_of_day_rates` with ``known_at``), as online counters do; False counts
    every labelled click from the day after its impression — eventual labels, the leak that
    :func:`~.point_in_time.leak_table` measures. The labels passed to :meth:`fit` are the caller's:
    point-in-time training needs :func:`~.point_in_time.labels_known_at` the training moment.
    """

    def __init__(self, max_iter: int = 100, learning_rate: float = 0.05, max_leaf_nodes: int = 7, prior_strength: float = 50.0, window_days: int = 14, seed: int = 0, point_in_time: bool = True):
        self.max_iter, self.learning_rate, self.max_leaf_nodes = max_iter, learning_rate, max_leaf_nodes
        self.prior_strength, self.window_days, self.seed = prior_strength, window_days, seed
        self.point_in_time = point_in_time

    def fit(self, impressions: pd.DataFrame, labels) -> HistoricalGBDT:
        labels = _binary_labels(labels, len(impressions))
        self.counter_rows_, self.counter_labels_ = impressions[["day", *COUNTER_COLUMNS]], labels
        self.counter_arrival_ = click_arrival(impressions)
        model = HistGradientBoostingClassifier(
            max_iter=self.max_iter,
            learning_rate=self.learning_rate,
            max_leaf_nodes=self.max_leaf_nodes,
            categorical_features=["device_code"],
            early_stopping=False,
            random_state=self.seed,
        )
        with threadpool_limits(limits=1):
            self.model_ = model.fit(self.features(impressions), labels)
        return self

    def update_counters(self, impressions: pd.DataFrame, labels) -> HistoricalGBDT:
        """Add labelled impressions to the counters (the trees stay as trained)."""
        labels = _binary_labels(labels, len(impressions))
        self.counter_rows_ = pd.concat([self.counter_rows_, impressions[["day", *COUNTER_COLUMNS]]], ignore_index=True)
        self.counter_labels_ = np.concatenate([self.counter_labels_, labels])
        self.counter_arrival_ = np.concatenate([self.counter_arrival_, click_arrival(impressions)])
        return self

    def predict(self, impressions: pd.DataFrame) -> np.ndarray:
        return self.predict_with(impressions, self.point_in_time)

    def predict_with(self, impressions: pd.DataFrame, point_in_time: bool) -> np.ndarray:
        """Predict with counters that are point-in-time or not, whatever the model trained with:
        a model trained on eventual counters, served by online (point-in-time) ones."""
        with threadpool_limits(limits=1):
            return self.model_.predict_proba(self.features(impressions, point_in_time))[:, 1]

    def features(self, rows: pd.DataFrame, point_in_time: bool | None = None) -> pd.DataFrame:
        """The model's input for ``rows``: historical rates as of each row's day, then context;
        counters point-in-time or not as the model's ``point_in_time`` unless given."""
        point_in_time = self.point_in_time if point_in_time is None else point_in_time
        known_at = self.counter_arrival_ if point_in_time else None
        rates = as_of_day_rates(self.counter_rows_, self.counter_labels_, rows, self.prior_strength, self.window_days, known_at)
        return pd.concat([rates, context_features(rows)], axis=1)


def downsample_negatives(labels: np.ndarray, rate: float, seed: int) -> np.ndarray:
    """Boolean mask keeping every positive and each negative with probability ``rate``."""
    if rate >= 1:
        return np.ones(len(labels), dtype=bool)
    return (labels == 1) | (np.random.default_rng(seed).random(len(labels)) < rate)

