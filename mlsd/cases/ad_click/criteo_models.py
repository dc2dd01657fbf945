"""Click models for Criteo rows: the training click rate, hashed logistic regression with crosses,
gradient-boosted trees.

The rows are tables of :func:`~.criteo.load_criteo` (``I1`` … ``I13``, ``C1`` … ``C26``), whose
features are anonymous, so the models use them as Criteo's public baselines do: no feature is
known to be an ad or a user. Every model has ``fit(rows, labels) -> self`` and
``predict(rows) -> probabilities``, like :mod:`.models`, and is deterministic for its ``seed``.
Fits and predictions run on one thread (``threadpool_limits(1)``): the results then do not depend
on the number of cores, and two notebooks on two cores do not slow each other down.

- :class:`CriteoClickRate` — the baseline: the training click rate for every row.
- :class:`CriteoLogisticRegression` — L2 logistic regression on hashed tokens (below).
- :class:`CriteoGBDT` — scikit-learn's ``HistGradientBoostingClassifier``: ``I`` features as
  numbers, ``C`` features as categories coded by their training frequency.

Tokens of the logistic regression
    Each integer field with value ``v`` gives one token (the winning team's binning, Juan, Zhuang
    & Chin, "3 Idiots' Approach for Display Advertising Challenge", 2014)::

        empty  -> 0
        v <= 2 -> 20 + max(v, -19)          (1 … 22: small values keep their own token)
        v > 2  -> 23 + floor(ln(v) ** 2)    (counts grouped on a log scale)

    Each categorical field gives its 32-bit value (the 8 hex digits), ``2**32`` when empty. Field
    ``f`` (0 … 38: ``I1`` … ``I13``, then ``C1`` … ``C26``) with token ``t`` sets column
    ``h(f * 2**34 + t) mod n_buckets`` of a sparse 0/1 row, ``h`` the splitmix64 mixer of
    :func:`~.features.hash_buckets`; each cross ``(a, b)`` of :data:`CROSSES`, the ``k``-th,
    sets column ``h((39 + k) * 2**34 + (h(key_a) mod 2**16) * 2**17 + h(key_b) mod 2**17)``.
    The crosses are fixed pairs chosen without knowing what the fields mean (Criteo never said).

Codes of the trees
    For each ``C`` field, the values seen at least ``min_count`` times in training are ranked by
    their training count (ties by value) and the :data:`MAX_CATEGORIES` most frequent get the codes
    0, 1, …; every other value — rare or never seen in training — gets the one pooled code
    :data:`POOLED`, and an empty field stays missing (the trees learn where missing goes).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from mlsd.cases.ad_click.criteo import CATEGORICAL_FEATURES, INTEGER_FEATURES
from mlsd.cases.ad_click.features import hash_buckets
from mlsd.cases.ad_click.models import downsample_negatives
from mlsd.metrics import log_loss
from mlsd.ordering import rounded_scores
from mlsd.validation import check_int, check_number

FIELDS = (*INTEGER_FEATURES, *CATEGORICAL_FEATURES)
CROSSES = (("C6", "C9"), ("C17", "C20"), ("C9", "C23"), ("I1", "C6"))
"""The pairs of fields the logistic regression crosses."""
EMPTY_CATEGORY = 2**32
FIELD_SHIFT = np.uint64(34)
MAX_CATEGORIES = 254
"""Codes per ``C`` field in the trees; scikit-learn's trees take at most 255 categories."""
POOLED = MAX_CATEGORIES
"""The code of every rare or unseen value of a ``C`` field."""

_HEX_VALUE = np.zeros(256, dtype=np.uint64)
_HEX_VALUE[np.frombuffer(b"0123456789abcdef", dtype=np.uint8)] = np.arange(16, dtype=np.uint64)
_NIBBLE_SHIFTS = np.arange(28, -1, -4, dtype=np.uint64)


def _binary_labels(labels, n_rows: int) -> np.ndarray:
    labels = np.asarray(labels)
    if labels.shape != (n_rows,):
        raise ValueError(f"labels must have one value per row ({n_rows}); got shape {labels.shape}")
    if not np.isin(labels, (0, 1)).all():
        raise ValueError("labels must be 0 or 1")
    return labels.astype(np.int64)


class CriteoClickRate:
    """The baseline: ``p = mean(label)`` over the training rows, for every row."""

    def fit(self, rows: pd.DataFrame, labels) -> CriteoClickRate:
        self.click_rate_ = float(_binary_labels(labels, len(rows)).mean())
        return self

    def predict(self, rows: pd.DataFrame) -> np.ndarray:
        return np.full(len(rows), self.click_rate_)


class CriteoLogisticRegression:
    """L2-regularised logistic regression on the hashed tokens of the module docstring.

    ``P(click) = σ(w · x + b)`` for the sparse 0/1 row ``x``, fitted by scikit-learn's lbfgs
    with penalty ``||w||² / (2 C)``. ``negative_rate`` < 1 trains on every click and that share
    of the non-clicks (drawn with ``seed``, :func:`~.models.downsample_negatives`); predictions
    are then too high until corrected with :func:`mlsd.metrics.undo_downsampling` — left to the
    caller on purpose, as in :class:`~.models.HashedLogisticRegression`.
    """

    def __init__(
        self,
        n_buckets: int = 2**18,
        crosses: bool = True,
        C: float = 0.1,
        negative_rate: float = 1.0,
        seed: int = 0,
    ):
        self.n_buckets = check_int("n_buckets", n_buckets, 2)
        self.C = check_number("C", C, 0, low_open=True)
        self.negative_rate = check_number("negative_rate", negative_rate, 0, 1, low_open=True)
        self.crosses, self.seed = crosses, check_int("seed", seed, 0)

    def fit(self, rows: pd.DataFrame, labels) -> CriteoLogisticRegression:
        labels = _binary_labels(labels, len(rows))
        keep = downsample_negatives(labels, self.negative_rate, self.seed)
        features = hashed_criteo_features(rows[keep], self.n_buckets, self.crosses)
        with threadpool_limits(limits=1):
            self.model_ = LogisticRegression(C=self.C, max_iter=300).fit(features, labels[keep])
        return self

    def predict(self, rows: pd.DataFrame) -> np.ndarray:
        features = hashed_criteo_features(rows, self.n_buckets, self.crosses)
        with threadpool_limits(limits=1):
            return self.model_.predict_proba(features)[:, 1]


class CriteoGBDT:
    """Gradient-boosted trees on ``I1`` … ``I13`` (numbers, missing kept) and ``C1`` … ``C26``
    (categories, coded as in the module docstring).

    Each tree adds ``learning_rate × f_t(x)`` to the log-odds; scikit-learn's
    ``HistGradientBoostingClassifier`` with ``max_leaf_nodes`` leaves per tree, no early stopping
    of its own and ``random_state=seed``. Given validation rows, :meth:`fit` keeps the first
    ``n`` of ``max_trees`` trees, ``n`` minimising the validation log loss (compared after
    rounding to 9 significant digits, the earliest ``n`` on a tie): chosen on validation, so the
    test stays unseen. ``n_trees_`` holds the number used.
    """

    def __init__(
        self,
        max_trees: int = 200,
        learning_rate: float = 0.1,
        max_leaf_nodes: int = 31,
        min_count: int = 10,
        seed: int = 0,
    ):
        self.max_trees = check_int("max_trees", max_trees, 1)
        self.learning_rate = check_number("learning_rate", learning_rate, 0, low_open=True)
        self.max_leaf_nodes = check_int("max_leaf_nodes", max_leaf_nodes, 2)
        self.min_count = check_int("min_count", min_count, 1)
        self.seed = check_int("seed", seed, 0)

    def fit(
        self, rows: pd.DataFrame, labels, validation_rows=None, validation_labels=None
    ) -> CriteoGBDT:
        labels = _binary_labels(labels, len(rows))
        self.codes_ = {name: _frequency_codes(rows[name], self.min_count) for name in CATEGORICAL_FEATURES}
        model = HistGradientBoostingClassifier(
            max_iter=self.max_trees,
            learning_rate=self.learning_rate,
            max_leaf_nodes=self.max_leaf_nodes,
            categorical_features=list(range(len(INTEGER_FEATURES), len(FIELDS))),
            early_stopping=False,
            random_state=self.seed,
        )
        with threadpool_limits(limits=1):
            self.model_ = model.fit(self.features(rows), labels)
        self.n_trees_ = self.model_.n_iter_
        if validation_rows is not None:
            y_valid = _binary_labels(validation_labels, len(validation_rows))
            with threadpool_limits(limits=1):
                staged = self.model_.staged_predict_proba(self.features(validation_rows))
                losses = [log_loss(y_valid, proba[:, 1]) for proba in staged]
            self.n_trees_ = int(np.argmin(rounded_scores(losses))) + 1
        return self

    def predict(self, rows: pd.DataFrame) -> np.ndarray:
        features = self.features(rows)
        with threadpool_limits(limits=1):
            if self.n_trees_ == self.model_.n_iter_:
                return self.model_.predict_proba(features)[:, 1]
            for trees, proba in enumerate(self.model_.staged_predict_proba(features), start=1):
                if trees == self.n_trees_:
                    return proba[:, 1]

    def features(self, rows: pd.DataFrame) -> np.ndarray:
        """The trees' input: ``I1`` … ``I13`` as floats (NaN when empty), then the ``C`` codes."""
        numbers = rows[list(INTEGER_FEATURES)].to_numpy(dtype=float, na_value=np.nan)
        codes = [_encode(rows[name], self.codes_[name]) for name in CATEGORICAL_FEATURES]
        return np.column_stack([numbers, *codes])


def hashed_criteo_features(rows: pd.DataFrame, n_buckets: int = 2**18, crosses: bool = True) -> sparse.csr_matrix:
    """The sparse 0/1 matrix of the logistic regression: one row per Criteo row, one set column
    per field (and cross), as the module docstring says."""
    n_buckets = check_int("n_buckets", n_buckets, 2)
    keys = {name: _field_keys(index, rows[name]) for index, name in enumerate(FIELDS)}
    columns = [hash_buckets(keys[name], n_buckets) for name in FIELDS]
    if crosses:
        for index, (left, right) in enumerate(CROSSES, start=len(FIELDS)):
            pair = hash_buckets(keys[left], 2**16).astype(np.uint64) << np.uint64(17)
            pair += hash_buckets(keys[right], 2**17).astype(np.uint64)
            columns.append(hash_buckets((np.uint64(index) << FIELD_SHIFT) + pair, n_buckets))
    n_rows, width = len(rows), len(columns)
    indices = np.stack(columns, axis=1).ravel()
    indptr = np.arange(0, n_rows * width + 1, width)
    matrix = sparse.csr_matrix((np.ones(len(indices)), indices, indptr), shape=(n_rows, n_buckets))
    matrix.sum_duplicates()
    return matrix


def integer_tokens(values: pd.Series) -> np.ndarray:
    """The token of each value of an ``I`` field: the binning of the module docstring (uint64)."""
    v = values.to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        large = v > 2
        tokens = np.where(large, 23 + np.floor(np.log(np.where(large, v, 3.0)) ** 2), 20 + np.maximum(v, -19))
    return np.where(np.isnan(v), 0, tokens).astype(np.uint64)


def categorical_tokens(values: pd.Series) -> np.ndarray:
    """The 32-bit value of each 8-hex-digit text of a ``C`` field, ``2**32`` when empty (uint64)."""
    texts = values.to_numpy(dtype=object)
    empty = pd.isna(texts)
    filled = np.where(empty, "00000000", texts).astype("S8")
    digits = np.frombuffer(filled.tobytes(), dtype=np.uint8).reshape(-1, 8)
    tokens = (_HEX_VALUE[digits] << _NIBBLE_SHIFTS).sum(axis=1, dtype=np.uint64)
    tokens[empty] = EMPTY_CATEGORY
    return tokens


def _field_keys(index: int, values: pd.Series) -> np.ndarray:
    tokens = integer_tokens(values) if values.name in INTEGER_FEATURES else categorical_tokens(values)
    return (np.uint64(index) << FIELD_SHIFT) + tokens


def _frequency_codes(values: pd.Series, min_count: int) -> pd.Series:
    """``{value: code}``: values seen ``min_count`` times or more, the most frequent first (ties by
    value), at most :data:`MAX_CATEGORIES`."""
    counts = values.value_counts(dropna=True)
    counts = counts[counts >= min_count]
    order = np.lexsort((counts.index.to_numpy(dtype=str), -counts.to_numpy()))[:MAX_CATEGORIES]
    return pd.Series(np.arange(len(order), dtype=float), index=counts.index[order])


def _encode(values: pd.Series, codes: pd.Series) -> np.ndarray:
    """Each value's code; :data:`POOLED` for a value without one; NaN where empty."""
    encoded = values.map(codes).to_numpy(dtype=float, na_value=np.nan)
    return np.where(values.isna().to_numpy(), np.nan, np.where(np.isnan(encoded), POOLED, encoded))
