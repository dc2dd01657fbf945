"""Model options for the click model: boosted trees whose leaves feed a logistic regression
(GBDT + LR), against the kit's hashed logistic regression and gradient-boosted trees, and the
table of options.

GBDT + LR (He et al. 2014, "Practical Lessons from Predicting Clicks on Ads at Facebook", ADKDD,
section 3.1): boosted trees as a feature transform. Each of the ``T`` trees sends a row to one of
its leaves; the one-hot encoding of every tree's leaf — a 0/1 row with one column per leaf of each
tree and exactly one 1 per tree — is the input of an L2-regularised logistic regression. A leaf is
a conjunction of thresholds on the features, so the trees learn the crosses a linear model would
need by hand; the regression learns one weight per leaf, and is cheap enough to retrain far more
often than the trees (the paper's point about freshness).

:class:`GBDTLogisticRegression` keeps the counters of :class:`~.models.HistoricalGBDT` —
historical click rates as of each row's day, point-in-time, then the context (:meth:`features`) —
so the three models of notebook 3 see the same rows the same way. Its trees are scikit-learn's
``HistGradientBoostingClassifier`` on those numeric features (the device as its code).
scikit-learn has no public way to read which leaf of such a tree a row reaches, so
:meth:`leaves` walks each fitted tree's node table (``_predictors``) by the rule scikit-learn's
own predictor follows (a missing value goes where the node says, else left when
``x <= threshold``); :meth:`fit` checks that the walked leaves' values add up to the trees'
``decision_function`` and raises if a version of scikit-learn lays its trees out otherwise.

:func:`model_options` is the table of options — how each gets its feature crosses, its serving
cost, the training data it needs, when it wins, and the normalized entropy measured here or the
source where the kit does not have the model (FM, DCN, DeepFM).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from mlsd.cases.ad_click.features import COUNTER_COLUMNS
from mlsd.cases.ad_click.intervals import base_entropy, cluster_mean_interval, log_losses
from mlsd.cases.ad_click.models import HistoricalGBDT, _binary_labels
from mlsd.cases.ad_click.point_in_time import click_arrival
from mlsd.metrics import calibration_ratio, normalized_entropy, roc_auc
from mlsd.validation import check_int, check_number

COMPARISON_COLUMNS = ["roc_auc", "normalized_entropy", "calibration_ratio", "ne_vs_reference",
                      "ne_vs_reference_low", "ne_vs_reference_high"]
"""Columns of :func:`compare_models`."""
OPTION_COLUMNS = ["feature crosses", "serving cost", "training data", "when it wins", "NE here"]
"""Columns of :func:`model_options`."""
OPTIONS = ("LR (hashed)", "GBDT", "GBDT + LR", "FM", "DCN", "DeepFM")
"""Rows of :func:`model_options`."""
SOURCES = {
    "GBDT + LR": "He et al., ADKDD 2014",
    "FM": "Rendle, ICDM 2010",
    "DCN": "Wang et al., ADKDD 2017",
    "DeepFM": "Guo et al., IJCAI 2017",
}
"""Where each option's description comes from."""


class GBDTLogisticRegression(HistoricalGBDT):
    """Logistic regression on the one-hot leaves of boosted trees (He et al. 2014; module
    docstring), on the historical counters and context of :class:`~.models.HistoricalGBDT`.

    ``n_trees`` trees of at most ``max_leaf_nodes`` leaves, learning rate ``learning_rate``; the
    regression's L2 strength is ``1 / C``, strong by default because the leaves were fit on the same
    rows and a weak penalty lets the regression trust their noise. The default ``C = 0.01`` was
    chosen on validation, never on the test days: with the last training day held out (seeds 1–5,
    200,000 impressions), the validation NE over ``C`` in {0.001, 0.003, 0.01, 0.03, 0.1, 1} is
    lowest at 0.003 or 0.01, and 0.01 is within 0.001 of the lowest on every seed. Counters: ``prior_strength``,
    ``window_days``, ``point_in_time`` as in :class:`~.models.HistoricalGBDT`, whose
    :meth:`update_counters`, :meth:`features` and :meth:`predict` it shares. After :meth:`fit`:
    ``trees_``, ``regression_``, ``leaf_counts_`` (leaves per tree).
    """

    def __init__(self, n_trees: int = 20, learning_rate: float = 0.1, max_leaf_nodes: int = 8,
                 C: float = 0.01, prior_strength: float = 50.0, window_days: int = 14,
                 seed: int = 0, point_in_time: bool = True):
        super().__init__(max_iter=check_int("n_trees", n_trees, 1),
                         learning_rate=check_number("learning_rate", learning_rate, 0, 1,
                                                    low_open=True),
                         max_leaf_nodes=check_int("max_leaf_nodes", max_leaf_nodes, 2),
                         prior_strength=prior_strength, window_days=window_days, seed=seed,
                         point_in_time=point_in_time)
        self.n_trees, self.C = n_trees, check_number("C", C, 0, low_open=True)

    def fit(self, impressions: pd.DataFrame, labels) -> GBDTLogisticRegression:
        """Fit the trees on the rows' features, then the regression on their one-hot leaves."""
        labels = _binary_labels(labels, len(impressions))
        self.counter_rows_, self.counter_labels_ = impressions[["day", *COUNTER_COLUMNS]], labels
        self.counter_arrival_ = click_arrival(impressions)
        features = self.features(impressions)
        trees = HistGradientBoostingClassifier(
            max_iter=self.n_trees, learning_rate=self.learning_rate,
            max_leaf_nodes=self.max_leaf_nodes, early_stopping=False, random_state=self.seed)
        with threadpool_limits(limits=1):
            self.trees_ = trees.fit(features, labels)
        tables = [predictor.nodes for (predictor,) in self.trees_._predictors]
        self.leaf_counts_ = np.array([int(nodes["is_leaf"].sum()) for nodes in tables])
        values = features.to_numpy(dtype=float)
        reached = [_leaf_nodes(nodes, values) for nodes in tables]
        self._check_leaves(features, tables, reached)
        leaves = np.stack([_ordinals(nodes)[at] for nodes, at in zip(tables, reached)], axis=1)
        with threadpool_limits(limits=1):
            self.regression_ = LogisticRegression(C=self.C, max_iter=300).fit(
                self._one_hot(leaves), labels)
        return self

    def predict_with(self, impressions: pd.DataFrame, point_in_time: bool) -> np.ndarray:
        """Click probabilities with counters point-in-time or not (as the parent's)."""
        leaves = self._leaves_of(self.features(impressions, point_in_time))
        with threadpool_limits(limits=1):
            return self.regression_.predict_proba(self._one_hot(leaves))[:, 1]

    def leaves(self, impressions: pd.DataFrame) -> np.ndarray:
        """``n_rows × n_trees`` ints: the leaf (``0 .. leaf_counts_[t] - 1``, in node order) that
        each row reaches in each tree."""
        return self._leaves_of(self.features(impressions))

    def leaf_features(self, impressions: pd.DataFrame) -> sparse.csr_matrix:
        """The regression's input: one column per leaf of each tree (``leaf_counts_.sum()``),
        tree by tree; each row has exactly one 1 per tree."""
        return self._one_hot(self.leaves(impressions))

    def _leaves_of(self, features: pd.DataFrame) -> np.ndarray:
        values = features.to_numpy(dtype=float)
        return np.stack([_ordinals(predictor.nodes)[_leaf_nodes(predictor.nodes, values)]
                         for (predictor,) in self.trees_._predictors], axis=1)

    def _one_hot(self, leaves: np.ndarray) -> sparse.csr_matrix:
        offsets = np.concatenate([[0], np.cumsum(self.leaf_counts_)[:-1]])
        columns = (leaves + offsets).ravel()
        n_rows, n_trees = leaves.shape
        return sparse.csr_matrix((np.ones(len(columns)), columns,
                                  np.arange(0, len(columns) + 1, n_trees)),
                                 shape=(n_rows, int(self.leaf_counts_.sum())))

    def _check_leaves(self, features: pd.DataFrame, tables: list, reached: list) -> None:
        """Raise unless baseline + Σ the reached leaves' values equals the trees' decision
        function (``reached``: each tree's leaf node per row, :func:`_leaf_nodes`)."""
        total = float(np.ravel(self.trees_._baseline_prediction)[0])
        total = total + sum(nodes["value"][at] for nodes, at in zip(tables, reached))
        with threadpool_limits(limits=1):
            expected = self.trees_.decision_function(features)
        if not np.allclose(total, expected, rtol=1e-9, atol=1e-9):
            raise RuntimeError("the leaves walked from scikit-learn's tree nodes do not reproduce "
                               "its decision_function: this scikit-learn version lays its trees "
                               "out otherwise")


def _leaf_nodes(nodes: np.ndarray, values: np.ndarray) -> np.ndarray:
    """The node index of the leaf each row of ``values`` reaches in one tree's node table: from
    the root, a missing value goes left when the node's ``missing_go_to_left``, any other value
    left when ``x <= num_threshold``; rows are split node by node."""
    if nodes["is_categorical"].any():
        raise ValueError("the trees must split on numeric features only; got a categorical split")
    reached = np.empty(len(values), dtype=np.int64)
    pending = [(0, np.arange(len(values)))]
    while pending:
        node, rows = pending.pop()
        if nodes["is_leaf"][node]:
            reached[rows] = node
            continue
        x = values[rows, nodes["feature_idx"][node]]
        left = np.where(np.isnan(x), bool(nodes["missing_go_to_left"][node]),
                        x <= nodes["num_threshold"][node])
        pending.append((int(nodes["left"][node]), rows[left]))
        pending.append((int(nodes["right"][node]), rows[~left]))
    return reached


def _ordinals(nodes: np.ndarray) -> np.ndarray:
    """Per node of a tree's table, its number ``0 .. n_leaves - 1`` among the leaves in node
    order (meaningful at the leaves only)."""
    return np.cumsum(nodes["is_leaf"].astype(np.int64)) - 1


def compare_models(predictions: dict, clicks, ads, reference: str, seed: int = 0) -> pd.DataFrame:
    """Each model's ROC AUC, normalized entropy and calibration ratio on the same rows, and its
    normalized entropy minus the ``reference`` model's with a 95% interval resampling ads.

    ``predictions`` maps a model's name to its probabilities for the rows whose labels are
    ``clicks`` and ads ``ads``. The difference is the mean of the per-impression log-loss
    difference over the entropy of the rows' click rate (:mod:`.intervals`); a negative value is
    better than the reference. Columns :data:`COMPARISON_COLUMNS`; the reference's row has 0.
    """
    if reference not in predictions:
        raise ValueError(f"reference must be one of {list(predictions)}; got {reference!r}")
    clicks, ads = np.asarray(clicks), np.asarray(ads)
    entropy = base_entropy(clicks)
    reference_loss = log_losses(clicks, predictions[reference])
    rows = {}
    for name, prediction in predictions.items():
        prediction = np.asarray(prediction, dtype=float)
        if prediction.shape != clicks.shape:
            raise ValueError(f"predictions of {name} must have one value per row "
                             f"({len(clicks)}); got shape {prediction.shape}")
        gap = cluster_mean_interval((log_losses(clicks, prediction) - reference_loss) / entropy,
                                    ads, seed=seed)
        rows[name] = [roc_auc(clicks, prediction), normalized_entropy(clicks, prediction),
                      calibration_ratio(clicks, prediction), gap.estimate, gap.low, gap.high]
    return pd.DataFrame.from_dict(rows, orient="index", columns=COMPARISON_COLUMNS)


def model_options(comparison: pd.DataFrame) -> pd.DataFrame:
    """The click model's options (:data:`OPTIONS`) by :data:`OPTION_COLUMNS`.

    ``comparison`` is :func:`compare_models`' table with rows for the three models the kit has
    (``LR (hashed)``, ``GBDT``, ``GBDT + LR``); their ``NE here`` is its normalized entropy, the
    other rows name the source (:data:`SOURCES`) of what the kit does not have.
    """
    measured = ("LR (hashed)", "GBDT", "GBDT + LR")
    missing = [name for name in measured if name not in comparison.index]
    if missing:
        raise ValueError(f"comparison must have the rows {list(measured)}; missing {missing}")
    ne = comparison["normalized_entropy"]
    rows = {
        "LR (hashed)": ("hand-made (2 here)", "one sparse dot product", "least; online updates",
                        "huge sparse ids, fast retraining"),
        "GBDT": ("learned, on dense counters", "T tree walks", "moderate; dense features",
                 "strong historical counters"),
        "GBDT + LR": ("learned by trees, LR weights", "T tree walks + a dot product",
                      "as GBDT; LR retrained often", "trees daily, LR hourly"),
        "FM": ("every pair, low-rank", "O(k · fields) per ad", "more: a vector per id",
               "sparse ids, pairs rarely seen"),
        "DCN": ("learned, bounded degree + DNN", "a few matrix products per ad",
                "large", "many fields, higher-order crosses"),
        "DeepFM": ("FM pairs + DNN, shared embeddings", "embeddings + DNN per ad", "large",
                   "no hand-made crosses, much data"),
    }
    table = pd.DataFrame.from_dict(rows, orient="index", columns=OPTION_COLUMNS[:-1])
    table["NE here"] = [f"{ne[name]:.4f}" if name in measured
                        else f"not in the kit: {SOURCES[name]}" for name in table.index]
    table.index.name = "option"
    return table
