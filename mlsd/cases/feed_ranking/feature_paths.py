"""One feature computed two ways: the post's engagement counter, streaming or daily batch, at
training and at serving — what a skew between them costs, and what to serve when the stream is
down.

The heads of :class:`~.models.HeadModels` read the post's engagement so far (``post_views``,
``post_engagements``). Three paths can fill those two columns (:data:`COUNTER_PATHS`):

- ``streaming``: :func:`~.features.post_engagement`, the counter read at the impression's time
  (what :class:`~.models.HeadModels` trains on);
- ``batch``: :func:`~.features.daily_post_engagement`, the same counter as of midnight, what a
  daily job serves all day (never above the streaming count);
- ``none``: both columns 0 — a model *trained* this way has no counter (a standardised constant
  column gets weight 0), a model *served* this way sees a missing counter read as 0.

:class:`CounterHeads` trains its heads on one path and serves any: :func:`serving_skew` scores the
test rows of heads trained on the streaming counter, served consistently and with the batch
counter (the train/serve skew of one feature); :func:`streaming_outage` compares, when the
streaming path is down, the fallbacks against the full path and against the
reverse-chronological feed.

Measures. A head's scorecard is computed in the logged slots, against the logged labels of
:func:`~.schema.head_labels`: the calibration ratio ``mean p / mean y``, the normalized entropy
``NE = log loss / H(ȳ)`` with ``H(q) = −q ln q − (1 − q) ln(1 − q)`` (He et al., ADKDD 2014) and
the ROC AUC. The feed's value re-orders each session's shown posts by
``value_scores(predict(rows, serve_position=1))`` and earns the truth,
``Σ_rows e(slot) Σ_h w_h true_h`` per session (:func:`~.evaluation.feed_metrics`' ``value``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from mlsd.cases.feed_ranking.evaluation import (
    DEFAULT_WEIGHTS, slots_by_score, truth_predictions, value_scores,
)
from mlsd.cases.feed_ranking.features import daily_post_engagement
from mlsd.cases.feed_ranking.models import (
    EVENT_COLUMNS, HeadModels, design_matrix, reverse_chronological,
)
from mlsd.cases.feed_ranking.schema import HEADS, head_labels
from mlsd.cases.feed_ranking.simulate import FeedWorld
from mlsd.metrics import calibration_ratio, normalized_entropy, roc_auc
from mlsd.uncertainty import DEFAULT_RESAMPLES, mean_interval
from mlsd.validation import check_choice, check_int, check_number

COUNTER_PATHS = ("streaming", "batch", "none")
COUNTER_COLUMNS = ("post_views", "post_engagements")
SCORECARD_METRICS = ("calibration_ratio", "normalized_entropy", "roc_auc")
"""The metrics of :func:`serving_skew`, each head's (:mod:`mlsd.metrics`)."""
SKEWED_HEADS = ("like",)
"""The heads whose normalized entropy the skew raises measurably on seeds 1–5 at the default
sizes (comment and share: on some seeds; their positives are a few hundred a test)."""


class CounterHeads(HeadModels):
    """:class:`~.models.HeadModels` trained with its post counter read by ``counter``, one of
    :data:`COUNTER_PATHS` (the module docstring); the other arguments are
    :class:`~.models.HeadModels`'. :func:`path_features` and :func:`predict_from_features` serve
    the fitted heads with any path."""

    def __init__(self, counter: str = "streaming", **options):
        super().__init__(**options)
        self.counter = check_choice("counter", counter, COUNTER_PATHS)

    def features(self, rows: pd.DataFrame, serve_position: int | None = None) -> pd.DataFrame:
        """:meth:`~.models.HeadModels.features` with ``post_views`` and ``post_engagements``
        read by the ``counter`` path."""
        paths = path_features(self, rows, (self.counter,))
        features = paths[self.counter]
        if serve_position is not None:
            features["position"] = check_int("serve_position", serve_position, 1)
        return features


def path_features(heads: HeadModels, rows: pd.DataFrame, paths=COUNTER_PATHS) -> dict:
    """The point-in-time features of ``rows`` in their logged slots for each path of ``paths``
    (:data:`COUNTER_PATHS`): one frame per path, the counters of the fitted ``heads``' training
    table and of ``rows`` (:meth:`~.models.HeadModels.features`), the rates counted once."""
    paths = [check_choice("paths[i]", path, COUNTER_PATHS) for path in paths]
    streaming = HeadModels.features(heads, rows)
    result = {}
    for path in paths:
        features = streaming.copy()
        if path == "batch":
            batch = daily_post_engagement(_events(heads, rows), rows, heads.delay_minutes)
            features[list(COUNTER_COLUMNS)] = batch[list(COUNTER_COLUMNS)]
        elif path == "none":
            features[list(COUNTER_COLUMNS)] = 0
        result[path] = features
    return result


def predict_from_features(heads: HeadModels, features: pd.DataFrame,
                          serve_position: int | None = None) -> pd.DataFrame:
    """The fitted ``heads``' probabilities from ``features`` (:func:`path_features`), one column
    per head; ``serve_position`` (an integer >= 1) scores every row in that slot."""
    if serve_position is not None:
        features = features.assign(position=check_int("serve_position", serve_position, 1))
    design = heads.scaler_.transform(design_matrix(features, heads.sources_, heads.prior_strength))
    with threadpool_limits(limits=1):
        return pd.DataFrame({head: model.predict_proba(design)[:, 1]
                             for head, model in heads.models_.items()}, index=features.index)


def serving_skew(heads: CounterHeads, rows: pd.DataFrame, *, n_resamples: int = DEFAULT_RESAMPLES,
                 level: float = 0.95, seed: int = 0) -> pd.DataFrame:
    """Each head's calibration ratio, normalized entropy and ROC AUC on ``rows`` (in their logged
    slots, against :func:`~.schema.head_labels`), served with the training path (``streaming``)
    and with the daily batch counter (``batch``).

    One row per head (index ``head``), columns ``(metric, served)`` for the metrics of
    :data:`SCORECARD_METRICS` and the two paths, with, after the normalized entropies, the
    interval of their change ``NE_batch − NE_streaming = Σ_i (ℓ_i^batch − ℓ_i^streaming) /
    (n H(ȳ))`` (``ℓ`` the log loss of a row, ``H(ȳ)`` the entropy of the head's rate on
    ``rows``) resampling posts — all of a post's rows come along, since the skew is a post's —
    as ``("normalized_entropy", "Δ low")`` and ``("normalized_entropy", "Δ high")``.
    ``attrs["stale_share"]`` is the share of the rows whose batch count of engagements is below
    the streaming one."""
    _check_streaming(heads)
    level = check_number("level", level, 0, 1, low_open=True, high_open=True)
    n_resamples = check_int("n_resamples", n_resamples, 10)
    labels = head_labels(rows, heads.long_dwell_seconds)
    paths = path_features(heads, rows, ("streaming", "batch"))
    predictions = {path: predict_from_features(heads, paths[path]) for path in paths}
    drawn = _post_resamples(rows["post_id"].to_numpy(), n_resamples, seed)
    table = {}
    for head in HEADS:
        y = labels[head].to_numpy()
        p = {path: predictions[path][head].to_numpy() for path in paths}
        low, high = _entropy_change_interval(y, p["streaming"], p["batch"], drawn, level)
        table[head] = {
            **{("calibration_ratio", path): calibration_ratio(y, p[path]) for path in paths},
            **{("normalized_entropy", path): normalized_entropy(y, p[path]) for path in paths},
            ("normalized_entropy", "Δ low"): low, ("normalized_entropy", "Δ high"): high,
            **{("roc_auc", path): roc_auc(y, p[path]) for path in paths},
        }
    result = pd.DataFrame.from_dict(table, orient="index").rename_axis("head")
    result.columns = pd.MultiIndex.from_tuples(result.columns, names=["metric", "served"])
    stale = paths["batch"]["post_engagements"] < paths["streaming"]["post_engagements"]
    result.attrs["stale_share"] = float(stale.mean())
    return result


def skew_raises_entropy(table: pd.DataFrame, heads=SKEWED_HEADS) -> bool:
    """Whether serving the batch counter to streaming-trained heads raises the normalized
    entropy of every head of ``heads`` measurably: the change's interval lies above 0
    (:func:`serving_skew`'s table)."""
    return bool((table.loc[list(heads), ("normalized_entropy", "Δ low")] > 0).all())


def streaming_outage(heads: CounterHeads, train: pd.DataFrame, rows: pd.DataFrame,
                     world: FeedWorld, *, n_resamples: int = DEFAULT_RESAMPLES,
                     seed: int = 0) -> pd.DataFrame:
    """What each way of serving earns when the streaming counter is down, on ``rows``.

    ``heads``: trained on the streaming path (on ``train``); the ways (index ``serving``):
    ``streaming (full path)``; ``batch counter`` (the same heads reading the batch counter);
    ``model without counter`` (heads trained on ``train`` with :data:`COUNTER_PATHS` ``none``,
    the same options); ``counter read as 0`` (the streaming heads seeing 0); and
    ``reverse-chronological``. Columns: ``value`` (expected value per session, each session's
    shown posts ordered by ``value_scores`` of the heads at ``serve_position=1``), ``value_lost``
    (``1 − value / full path's``) with the interval of the paired loss over sessions (``low``,
    ``high``), ``mean_auc`` (the heads' mean ROC AUC on the logged labels in the logged slots;
    NaN for the feed by age, which predicts no head)."""
    _check_streaming(heads)
    options = {name: getattr(heads, name) for name in
               ("C", "prior_strength", "delay_minutes", "long_dwell_seconds", "warmup_days",
                "max_iter", "seed")}
    without = CounterHeads("none", **options).fit(train)
    paths = path_features(heads, rows)
    served = {"streaming (full path)": (heads, "streaming"), "batch counter": (heads, "batch"),
              "model without counter": (without, "none"), "counter read as 0": (heads, "none")}
    labels = head_labels(rows, heads.long_dwell_seconds)
    row_value = value_scores(truth_predictions(rows, given_examination=True), DEFAULT_WEIGHTS)
    decay = world.parameters["examination_decay"]
    sessions = rows["session_id"].to_numpy()
    per_session, auc = {}, {}
    for name, (model, path) in served.items():
        at_top = predict_from_features(model, paths[path], serve_position=1)
        per_session[name] = _session_values(sessions, row_value, value_scores(at_top), decay)
        logged = predict_from_features(model, paths[path])
        auc[name] = float(np.mean([roc_auc(labels[head], logged[head]) for head in HEADS]))
    per_session["reverse-chronological"] = _session_values(
        sessions, row_value, reverse_chronological(rows), decay)
    auc["reverse-chronological"] = np.nan
    full = per_session["streaming (full path)"]
    table = {}
    for name, values in per_session.items():
        lost = mean_interval((full - values) / full.mean(), n_resamples, seed=seed)
        table[name] = {"value": values.mean(), "value_lost": lost.estimate, "low": lost.low,
                       "high": lost.high, "mean_auc": auc[name]}
    return pd.DataFrame.from_dict(table, orient="index").rename_axis("serving")


def fallback_beats_reverse_chronological(table: pd.DataFrame) -> bool:
    """Whether both fallbacks (batch counter, model without counter) lose measurably less value
    than the reverse-chronological feed (their loss intervals lie below its)."""
    worst = table.loc["reverse-chronological", "low"]
    return bool((table.loc[["batch counter", "model without counter"], "high"]
                 < worst).all())


def _check_streaming(heads) -> None:
    counter = getattr(heads, "counter", None)
    if counter != "streaming":
        raise ValueError("heads must be CounterHeads trained on the streaming counter; got "
                         f"counter {counter!r}")


def _events(heads: HeadModels, rows: pd.DataFrame) -> pd.DataFrame:
    """The impressions the counters of ``rows`` count: the training table's and ``rows``' own,
    each once (as :meth:`~.models.HeadModels.features` counts them)."""
    events = rows[list(EVENT_COLUMNS)]
    earlier = ~heads.history_["impression_id"].isin(events["impression_id"])
    return pd.concat([heads.history_[earlier], events], ignore_index=True)


def _post_resamples(posts: np.ndarray, n_resamples: int, seed: int) -> tuple:
    """Each row's post code, and ``n_resamples`` draws of the posts with replacement."""
    codes, post_code = np.unique(posts, return_inverse=True)
    rng = np.random.default_rng(check_int("seed", seed, 0))
    return post_code, rng.integers(0, len(codes), (n_resamples, len(codes)))


def _entropy_change_interval(y, p_from, p_to, drawn, level: float) -> tuple[float, float]:
    """The percentile interval of ``Σ (ℓ_to − ℓ_from) / (n H(ȳ))`` over the post resamples
    ``drawn`` (:func:`_post_resamples`): per resample the drawn posts' sums over their rows'."""
    post_code, draws = drawn
    change = _row_log_loss(y, p_to) - _row_log_loss(y, p_from)
    rate = y.mean()
    entropy = -(rate * np.log(rate) + (1 - rate) * np.log(1 - rate))
    total = np.bincount(post_code, weights=change)
    count = np.bincount(post_code).astype(float)
    resampled = total[draws].sum(axis=1) / count[draws].sum(axis=1) / entropy
    low, high = np.quantile(resampled, [(1 - level) / 2, (1 + level) / 2])
    return float(low), float(high)


def _row_log_loss(y, p) -> np.ndarray:
    """``−y ln p − (1 − y) ln(1 − p)``, ``p`` clipped to ``[eps, 1 − eps]`` as
    :func:`mlsd.metrics.log_loss` does."""
    eps = np.finfo(np.float64).eps
    p = np.clip(p, eps, 1 - eps)
    return -(y * np.log(p) + (1 - y) * np.log(1 - p))


def _session_values(sessions, row_value, scores, decay: float) -> np.ndarray:
    """Per session (sorted by id): ``Σ_rows e(slot) · value``, the rows ordered by ``scores``."""
    slot = slots_by_score(sessions, scores)
    return pd.Series(row_value * slot.astype(float) ** -decay).groupby(sessions).sum().to_numpy()
