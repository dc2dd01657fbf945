"""The feed's baseline and its heads: one calibrated probability per action, from point-in-time
features.

- :func:`reverse_chronological` — the feed ordered by freshness, the score ``-post_age_hours``.
- :class:`HeadModels` — one logistic regression per head of :data:`~.schema.HEADS` on the
  features of :mod:`.features`; the feed's value model adds their probabilities with weights.

Why logistic regression. The value model adds ``Σ_h w_h p_h``: a weight means something only if
each ``p_h`` is a probability on the scale of the observed rates, so calibration per head comes
first. A logistic regression fit by log-loss with an intercept predicts, on its training rows, a
mean probability equal to the observed rate (the score equation of the intercept), and its
log-odds are linear in the features, which suits them: the smoothed rates enter as log-odds, the
slot as ``ln(position)`` (an examination ``k^-η`` is linear in ``ln k`` on the log scale). On the
default simulated feed (seeds 1 and 3), gradient-boosted trees on the same features
(``HistGradientBoostingClassifier``, 100 trees of 15 leaves) ranked no head better — the rare
ones (comment, share: a few hundred positives in the training days) clearly worse — were no
closer to calibrated, and took five to ten times longer to fit the six heads, beyond the
notebooks' budget of a few seconds.

Why one model per head, not one multi-output model. Each head has its own label, base rate
(clicks near 10%, shares near 0.3%) and features that matter (a hide is predicted by what makes
a click *less* likely), so each gets its own intercept and weights and its own calibration check;
a head can be retrained, re-weighted or dropped without touching the others, and a new action is
a new model. A shared multi-task network (LinkedIn's multi-task homepage feed, 2021) pays off when
a rare head borrows a representation learned from a frequent one; on some thirty hand-made
features there is no representation to share.

Position. The slot is a feature at training, so the model learns how much a lower slot loses
(examination) apart from how good the post is; at serving every candidate is scored in the same
slot, ``serve_position=1``, so that the ranking compares posts, not the slots the old ranker gave
them (the position-bias lesson; Joachims et al., WSDM 2017). That fixes the *order*, not the
level: ``ln(position)`` enters the log-odds while examination multiplies the probability, so the
slot-1 predictions over-predict the slot-1 truth by 15–22% on seeds 1–5
(:mod:`.position_bias` measures it). Fits and predictions run on one
thread (``threadpoolctl``): the same numbers whatever the machine's thread count.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from mlsd.cases.feed_ranking.features import (
    LABEL_DELAY_MINUTES,
    PRIOR_STRENGTH,
    RATE_KEYS,
    point_in_time_features,
)
from mlsd.cases.feed_ranking.schema import ACTIONS, FORMATS, HEADS, LONG_DWELL_SECONDS, head_labels
from mlsd.validation import check_int, check_number

WARMUP_DAYS = 2.0
"""Days at the start of a training table that only fill the counters (:class:`HeadModels`)."""
RATE_CLIP = 1e-4
"""Smoothed rates are clipped to ``[RATE_CLIP, 1 - RATE_CLIP]`` before taking their log-odds."""
EVENT_COLUMNS = ("impression_id", "time", "member_id", "post_id", "creator_id", "topic",
                 *ACTIONS, "dwell_seconds")
"""The columns of a logged impression the counters read."""


def reverse_chronological(rows: pd.DataFrame) -> np.ndarray:
    """The baseline's score, ``-post_age_hours``: the newest post first. A post of unknown age
    (NaN) scores 1 below the lowest known score, ranked last; all unknown: every score 0."""
    score = -rows["post_age_hours"].to_numpy(dtype=float)
    known = ~np.isnan(score)
    floor = score[known].min() - 1 if known.any() else 0.0
    return np.where(known, score, floor)


class HeadModels:
    """One logistic regression per head of :data:`~.schema.HEADS`, on point-in-time features.

    ``fit(table, labels=None)`` trains every head on the rows of ``table`` after its first
    ``warmup_days`` (labels: a frame with one 0/1 column per head, row ``i`` for row ``i`` of
    ``table``; by default :func:`~.schema.head_labels` of ``table``). ``predict(rows,
    serve_position=None)`` returns a frame of probabilities, one column per head, indexed like
    ``rows``.

    Features (:mod:`.features`): the counters count the logged impressions of the training table
    and of ``rows`` (an impression in both counts once, by ``impression_id``), each from the
    moment it arrived — so a test day's rows see the training days and the test day's earlier
    arrived impressions, as the online counters would, and never their own actions. Each head's
    regression reads: the log-odds ``z`` of the 18 smoothed rates (clipped to ``RATE_CLIP``), and
    each ``z · n / (n + m)`` with the ``n`` of its key (so that a rate's weight can grow with the
    impressions behind it: a rate still near its prior says little), ``ln(1 + post_views)``,
    ``ln(1 + post_engagements)``, the post's age in days, ``age_unknown``, ``ln(position)``,
    one-hot format and one-hot candidate source (the sources of the training table); all
    standardised on the training rows; L2 strength ``1 / C``.

    Warm-up. A simulated log starts with empty counters, which no served row ever sees once the
    system runs: the counters of the first days still fill up, and a model trained on them learns
    weights for rates that are unlike the later ones. The first ``warmup_days`` of the training
    table (:data:`WARMUP_DAYS` by default) therefore only feed the counters; 0 trains on every row.

    Labels are taken as logged: at a 10-minute label delay the labels of a training table's last
    minutes had not arrived when a job at its end would train, a share of a day below 1%.
    """

    def __init__(self, C: float = 1.0, prior_strength: float = PRIOR_STRENGTH,
                 delay_minutes: float = LABEL_DELAY_MINUTES,
                 long_dwell_seconds: float = LONG_DWELL_SECONDS, warmup_days: float = WARMUP_DAYS,
                 max_iter: int = 500, seed: int = 0):
        self.C = check_number("C", C, 0, low_open=True)
        self.prior_strength = check_number("prior_strength", prior_strength, 0, low_open=True)
        self.delay_minutes = check_number("delay_minutes", delay_minutes, 0)
        self.long_dwell_seconds = check_number("long_dwell_seconds", long_dwell_seconds, 0,
                                               low_open=True)
        self.warmup_days = check_number("warmup_days", warmup_days, 0)
        self.max_iter = check_int("max_iter", max_iter, 1)
        self.seed = check_int("seed", seed, 0)

    def fit(self, table: pd.DataFrame, labels: pd.DataFrame | None = None) -> HeadModels:
        labels = head_labels(table, self.long_dwell_seconds) if labels is None else labels
        _check_labels(labels, len(table))
        time = table["time"].to_numpy(dtype=float)
        trained = time >= time.min(initial=0) + self.warmup_days
        if not trained.any():
            span = time.max(initial=0) - time.min(initial=0)
            raise ValueError(f"the training table spans {span:.2f} days, no row "
                             f"after warmup_days = {self.warmup_days}; pass a longer table or a "
                             "shorter warm-up")
        labels = labels[trained]
        _check_both_classes(labels)
        self.history_ = table[list(EVENT_COLUMNS)]
        self.sources_ = tuple(sorted(table["source"].astype(str).unique()))
        design = self._design(self.features(table[trained]))
        self.scaler_ = StandardScaler().fit(design)
        scaled = self.scaler_.transform(design)
        self.models_ = {}
        with threadpool_limits(limits=1):
            for head in HEADS:
                model = LogisticRegression(C=self.C, max_iter=self.max_iter, random_state=self.seed)
                self.models_[head] = model.fit(scaled, labels[head].to_numpy())
        return self

    def predict(self, rows: pd.DataFrame, serve_position: int | None = None) -> pd.DataFrame:
        """P(head) for each row, one column per head; ``serve_position`` (an integer >= 1) scores
        every row as if shown in that slot, None in its logged slot."""
        scaled = self.scaler_.transform(self._design(self.features(rows, serve_position)))
        with threadpool_limits(limits=1):
            return pd.DataFrame({head: model.predict_proba(scaled)[:, 1]
                                 for head, model in self.models_.items()}, index=rows.index)

    def features(self, rows: pd.DataFrame, serve_position: int | None = None) -> pd.DataFrame:
        """The point-in-time features of ``rows`` (:func:`~.features.point_in_time_features`),
        counted over the training table's impressions and those of ``rows``."""
        events = rows[list(EVENT_COLUMNS)]
        earlier = ~self.history_["impression_id"].isin(events["impression_id"])
        if earlier.any():
            events = pd.concat([self.history_[earlier], events], ignore_index=True)
        return point_in_time_features(
            events, rows, self.sources_, serve_position=serve_position,
            prior_strength=self.prior_strength, delay_minutes=self.delay_minutes,
            long_dwell_seconds=self.long_dwell_seconds,
        )

    def _design(self, features: pd.DataFrame) -> np.ndarray:
        return design_matrix(features, self.sources_, self.prior_strength)


def design_matrix(features: pd.DataFrame, sources, prior_strength: float = PRIOR_STRENGTH) -> np.ndarray:
    """The numbers the heads' regressions read, from point-in-time ``features``
    (:func:`~.features.point_in_time_features`; the :class:`HeadModels` docstring): each rate's
    log-odds, the same times ``n / (n + prior_strength)``, the post's log views and engagements,
    its age in days and the unknown-age flag, the log of the position, and one-hot format and
    source (``sources``: the names a model was fit on, in order)."""
    rate_columns = [f"{key}_{head}" for key in RATE_KEYS for head in HEADS]
    rates = np.clip(features[rate_columns].to_numpy(), RATE_CLIP, 1 - RATE_CLIP)
    logits = np.log(rates / (1 - rates))
    seen = features[[f"{key}_impressions" for key in RATE_KEYS]].to_numpy(dtype=float)
    trust = np.repeat(seen / (seen + prior_strength), len(HEADS), axis=1)
    fmt, source = features["format_code"].to_numpy(), features["source_code"].to_numpy()
    return np.hstack([
        logits,
        logits * trust,
        np.log1p(features[["post_views", "post_engagements"]].to_numpy(dtype=float)),
        features[["post_age_hours"]].to_numpy() / 24,
        features[["age_unknown"]].to_numpy(dtype=float),
        np.log(features[["position"]].to_numpy(dtype=float)),
        (fmt[:, None] == np.arange(len(FORMATS))).astype(float),
        (source[:, None] == np.arange(len(sources))).astype(float),
    ])


def _check_labels(labels, n_rows: int) -> None:
    """One 0/1 column per head, one row per training impression."""
    missing = [head for head in HEADS if head not in getattr(labels, "columns", ())]
    if missing:
        raise ValueError(f"labels must be a DataFrame with a column per head {list(HEADS)}; "
                         f"missing {missing}")
    if len(labels) != n_rows:
        raise ValueError(f"labels must have one row per impression ({n_rows}); got {len(labels)}")
    for head in HEADS:
        if not np.isin(labels[head].to_numpy(), (0, 1)).all():
            raise ValueError(f"labels[{head!r}] must be 0 or 1")


def _check_both_classes(labels: pd.DataFrame) -> None:
    """Every head's training labels hold a 0 and a 1, or its regression cannot be fit."""
    for head in HEADS:
        if len(np.unique(labels[head].to_numpy())) < 2:
            raise ValueError(f"labels[{head!r}] holds one class only on the rows trained on; a "
                             "head needs both 0 and 1 (use a larger training table)")
