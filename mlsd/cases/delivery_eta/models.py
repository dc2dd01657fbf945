"""The baselines and the learned models of delivery ETA, all on the features of :mod:`.features`.

- :func:`store_average` — the historical average by store: each order's
  ``store_history_min`` (the store's smoothed mean of delivered orders), the training mean where a
  store has no history yet;
- :class:`DistanceRule` — a distance/speed rule, ``minutes = a + b × drive_estimate_min`` by least
  squares on the training orders (``distance_km`` where a source has no drive estimate, ``a``
  alone where it has neither): a fixed kitchen-and-handoff time plus the road;
- :class:`DurationGBDT` — gradient-boosted trees (LightGBM) with a chosen loss: ``"squared"`` (the
  mean), ``"absolute"`` (the median), ``"huber"``, or ``"quantile"`` at ``alpha`` (the
  ``alpha``-quantile: a promise the order beats with probability ``alpha``, if the model is
  calibrated — :mod:`.promise` shows it is not, and what to do).

The trees run with ``deterministic=True``, ``force_row_wise=True`` and on one thread (``n_jobs=1``):
the same trees on every run, and no slowdown from LightGBM's spinning threads when another
process shares the cores. ``features`` chooses the columns (all of :data:`~.features.FEATURES` by
default; the fallback model uses :data:`~.features.STATIC_FEATURES`).
"""

from __future__ import annotations

import lightgbm as lgb
import numpy as np
import pandas as pd

from mlsd.cases.delivery_eta.features import CATEGORY_FEATURES, FEATURES
from mlsd.validation import check_choice, check_int, check_number

LOSSES = ("squared", "absolute", "huber", "quantile")
_OBJECTIVES = {"squared": "regression", "absolute": "regression_l1", "huber": "huber",
               "quantile": "quantile"}
TREES = 200
LEAVES = 31
LEARNING_RATE = 0.05
MIN_CHILD_SAMPLES = 50
HUBER_DELTA_MIN = 5.0
"""Where the Huber loss turns from squared to absolute, in minutes."""


def store_average(features: pd.DataFrame, training_mean: float) -> np.ndarray:
    """The historical average by store for each row of ``features``: ``store_history_min``, or
    ``training_mean`` (the mean training duration) where the store has no history."""
    history = features["store_history_min"].to_numpy(dtype=float)
    return np.where(np.isnan(history), check_number("training_mean", training_mean, 0.0), history)


class DistanceRule:
    """``minutes = a + b × x`` with ``x`` the drive estimate (or the distance), by least squares."""

    def fit(self, features: pd.DataFrame, duration) -> DistanceRule:
        y = np.asarray(duration, dtype=float)
        self.column_ = next((column for column in ("drive_estimate_min", "distance_km")
                             if features[column].notna().any()), None)
        x = self._x(features)
        known = ~np.isnan(x)
        if self.column_ is None or known.sum() < 2 or np.ptp(x[known]) == 0:
            self.intercept_, self.slope_ = float(y.mean()), 0.0
            return self
        x_mean, y_mean = x[known].mean(), y[known].mean()
        self.slope_ = float(((x[known] - x_mean) * (y[known] - y_mean)).sum()
                            / ((x[known] - x_mean) ** 2).sum())
        self.intercept_ = float(y_mean - self.slope_ * x_mean)
        self.fill_ = float(x_mean)
        return self

    def predict(self, features: pd.DataFrame) -> np.ndarray:
        """``a + b x``, a missing ``x`` taken at its training mean."""
        x = self._x(features)
        return self.intercept_ + self.slope_ * np.where(np.isnan(x), getattr(self, "fill_", 0.0), x)

    def _x(self, features: pd.DataFrame) -> np.ndarray:
        if self.column_ is None:
            return np.full(len(features), np.nan)
        return features[self.column_].to_numpy(dtype=float)


class DurationGBDT:
    """LightGBM regression of the duration in minutes with the loss ``loss`` of :data:`LOSSES`.

    ``alpha`` in (0, 1) is the quantile of the ``"quantile"`` loss (ignored otherwise);
    ``features`` the columns to learn from; ``n_trees``, ``leaves``, ``learning_rate`` the trees'
    sizes; ``seed`` LightGBM's seed."""

    def __init__(self, loss: str = "squared", *, alpha: float = 0.5, features=FEATURES,
                 n_trees: int = TREES, leaves: int = LEAVES,
                 learning_rate: float = LEARNING_RATE, seed: int = 0):
        self.loss = check_choice("loss", loss, LOSSES)
        self.alpha = check_number("alpha", alpha, 0, 1, low_open=True, high_open=True)
        unknown = [column for column in features if column not in FEATURES]
        if unknown or not len(features):
            raise ValueError(f"features must be a non-empty list of {list(FEATURES)}; unknown "
                             f"{unknown}")
        self.features = tuple(features)
        self.n_trees = check_int("n_trees", n_trees, 1)
        self.leaves = check_int("leaves", leaves, 2)
        self.learning_rate = check_number("learning_rate", learning_rate, 0, 1, low_open=True)
        self.seed = check_int("seed", seed, 0)

    def fit(self, features: pd.DataFrame, duration) -> DurationGBDT:
        """Fit on the rows of ``features`` (a frame holding :attr:`features`) and their
        durations in minutes."""
        options = {"objective": _OBJECTIVES[self.loss], "n_estimators": self.n_trees,
                   "num_leaves": self.leaves, "learning_rate": self.learning_rate,
                   "min_child_samples": MIN_CHILD_SAMPLES, "random_state": self.seed,
                   "deterministic": True, "force_row_wise": True, "verbose": -1, "n_jobs": 1}
        if self.loss == "quantile":
            options["alpha"] = self.alpha
        if self.loss == "huber":
            options["alpha"] = HUBER_DELTA_MIN
        categorical = [i for i, column in enumerate(self.features) if column in CATEGORY_FEATURES]
        model = lgb.LGBMRegressor(**options)
        self.model_ = model.fit(self._matrix(features), np.asarray(duration, dtype=float),
                                categorical_feature=categorical or "auto")
        return self

    def predict(self, features: pd.DataFrame) -> np.ndarray:
        """The predicted minutes of each row (the mean, median or quantile the loss aims at)."""
        return self.model_.predict(self._matrix(features))

    def _matrix(self, features: pd.DataFrame) -> np.ndarray:
        missing = [column for column in self.features if column not in features.columns]
        if missing:
            raise ValueError(f"features lacks the columns {missing}")
        return features[list(self.features)].to_numpy(dtype=float)
