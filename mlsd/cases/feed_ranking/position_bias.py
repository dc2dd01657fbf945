"""Position bias: a click head trained on logged clicks learns the slot, and three ways to train it.

A logged click needs an examination: ``P(click) = e(k) × true_click`` with ``e(k)`` the chance
that slot ``k`` is examined (:mod:`.simulate`). The logging policy puts the posts it likes best on
top, so a model trained on logged clicks without the slot credits the features that decided the
slot with the clicks the slot caused, and scores posts by where the old ranker put them.

- :func:`estimate_propensities` — ``e(k) / e(1)`` from the exploration traffic: in a
  ``random_order`` session relevance is independent of the slot, so ``CTR_k / CTR_1`` is the
  examination ratio (Joachims et al., WSDM 2017, estimate it by swapping results in the same way).
- :func:`click_heads` — the click head trained three ways (:data:`METHODS`) on one computation of
  the point-in-time features, every method scored with the slot fixed at 1:

  ``naive``
      logged clicks, no position information (the position feature is held at 1 in training);
  ``position_feature``
      ``ln(position)`` a feature in training, fixed to ``ln 1 = 0`` at serving — the
      :class:`~.models.HeadModels` recipe;
  ``ipw``
      no position feature; each logged click weighted by ``w = min(1 / ê(k), MAX_WEIGHT)``
      (inverse-propensity weighting with clipped weights, :func:`ipw_weights`), non-clicks 1.
      The weighted clicks of slot ``k`` add up to ``Σ true_click`` in expectation, as if every
      slot were examined; the non-clicks still count ``1 − e(k) × true_click``, so at low slots
      the fitted odds stay a little low (the clipped, non-negative-weight form of the unbiased
      loss of Saito et al., WSDM 2020, whose non-click weights can be negative).
- :func:`position_bias_table` — each method judged against the truth on the test days.
- :func:`slot_table` — the demonstration: mean prediction by logged slot against the truth.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from mlsd.cases.contract import CaseData, split_by_day
from mlsd.cases.feed_ranking.data import TEST_DAYS
from mlsd.cases.feed_ranking.evaluation import slots_by_score
from mlsd.cases.feed_ranking.features import point_in_time_features
from mlsd.cases.feed_ranking.models import EVENT_COLUMNS, WARMUP_DAYS, design_matrix
from mlsd.uncertainty import DEFAULT_RESAMPLES, Interval, bootstrap_interval, mean_interval
from mlsd.uncertainty import paired_difference_interval
from mlsd.validation import check_choice, check_int, check_number

METHODS = ("naive", "position_feature", "ipw")
MAX_WEIGHT = 20.0
"""The largest inverse-propensity weight: a click at a slot examined less than once in 20 counts
as 20 clicks, not more, so that a few clicks at rarely examined slots cannot dominate the fit."""
MEASURES = ("kendall_tau", "ndcg", "calibration_slot_1")


def estimate_propensities(impressions: pd.DataFrame, n_resamples: int = DEFAULT_RESAMPLES,
                          level: float = 0.95, seed: int = 0) -> pd.DataFrame:
    """``ê(k) = CTR_k / CTR_1`` per slot ``k``, on the ``random_order`` rows of ``impressions``.

    ``CTR_k`` is the clicks over the impressions of slot ``k`` in those sessions. Returns one row
    per slot (index ``position``): ``impressions``, ``clicks``, ``ctr``, ``propensity`` and its
    percentile bootstrap interval ``low``, ``high`` at ``level`` (in (0, 1); for all slots at once
    take ``1 − 0.05 / (slots − 1)``, Bonferroni), resampling the random sessions with all their
    rows (:func:`mlsd.uncertainty.bootstrap_interval`; slot 1 is 1 by definition). Raises
    ``ValueError`` when the table holds no random-order session, a slot without a click or none
    at slot 1."""
    n_resamples = check_int("n_resamples", n_resamples, 10)
    random = impressions[impressions["random_order"].to_numpy(dtype=bool)]
    if random.empty:
        raise ValueError(f"impressions hold no random_order row (of {len(impressions)} rows); the "
                         "propensities need exploration sessions (simulate with random_share > 0)")
    if random["position"].isna().any():
        raise ValueError("random_order rows with an unknown position (<NA>); the propensities "
                         "need the logged slot of every row")
    session = pd.factorize(random["session_id"])[0]
    position = random["position"].to_numpy(dtype=np.int64)
    slots = np.arange(1, position.max() + 1)
    shown = np.zeros((session.max() + 1, len(slots)))
    clicks = np.zeros_like(shown)
    np.add.at(shown, (session, position - 1), 1.0)
    np.add.at(clicks, (session, position - 1), random["click"].to_numpy(dtype=float))
    totals = pd.DataFrame({"impressions": shown.sum(axis=0).astype(np.int64),
                           "clicks": clicks.sum(axis=0).astype(np.int64)},
                          index=pd.Index(slots, name="position"))
    empty = totals.index[totals["clicks"] == 0].tolist()
    if empty:
        raise ValueError(f"random_order rows hold no click at slots {empty}; a propensity needs "
                         "clicks at the slot (use more exploration traffic)")
    totals["ctr"] = totals["clicks"] / totals["impressions"]
    level = check_number("level", level, 0, 1, low_open=True, high_open=True)
    intervals = [_ratio_interval(shown, clicks, k, n_resamples, level, seed)
                 for k in range(len(slots))]
    totals["propensity"] = [interval.estimate for interval in intervals]
    totals["low"] = [interval.low for interval in intervals]
    totals["high"] = [interval.high for interval in intervals]
    return totals


def _ratio_interval(shown, clicks, k: int, n_resamples: int, level: float, seed: int) -> Interval:
    """``(Σ clicks_k / Σ shown_k) / (Σ clicks_1 / Σ shown_1)``, resampling sessions (rows)."""
    if k == 0:
        return Interval(1.0, 1.0, 1.0, level, n_resamples)

    def ratio(shown_k, clicks_k, shown_1, clicks_1):
        below = clicks_1.sum() * shown_k.sum()
        return clicks_k.sum() * shown_1.sum() / below if below else np.nan

    return bootstrap_interval(ratio, shown[:, k], clicks[:, k], shown[:, 0], clicks[:, 0],
                              n_resamples=n_resamples, level=level, seed=seed)


def ipw_weights(position, click, propensities: pd.DataFrame,
                max_weight: float = MAX_WEIGHT) -> np.ndarray:
    """Each row's training weight: ``min(1 / ê(position), max_weight)`` for a click, 1 for a
    non-click. ``propensities`` is :func:`estimate_propensities`' table (``propensity`` by
    ``position``); a slot it lacks raises ``ValueError``; ``max_weight >= 1``."""
    max_weight = check_number("max_weight", max_weight, 1)
    position = np.asarray(position, dtype=np.int64)
    known = propensities.index.to_numpy()
    unknown = np.setdiff1d(np.unique(position), known)
    if len(unknown):
        raise ValueError(f"positions {unknown.tolist()} have no estimated propensity; the table "
                         f"covers slots {known.tolist()}")
    propensity = propensities["propensity"].reindex(position).to_numpy(dtype=float)
    weight = np.minimum(1.0 / propensity, max_weight)
    return np.where(np.asarray(click) == 1, weight, 1.0)


@dataclass(frozen=True)
class ClickHeads:
    """The test rows, their truth and each method's click probability at slot 1 and at the logged
    slot (:func:`click_heads`), with the propensities the IPW method used."""

    test: pd.DataFrame
    served: pd.DataFrame
    logged_slot: pd.DataFrame
    propensities: pd.DataFrame
    examination_decay: float


def click_heads(data: CaseData, methods=METHODS, test_days: int = TEST_DAYS,
                max_weight: float = MAX_WEIGHT, n_resamples: int = DEFAULT_RESAMPLES,
                seed: int = 0) -> ClickHeads:
    """Train the click head by each of ``methods`` (:data:`METHODS`) on the training days of the
    simulated ``data`` and predict the test days (:func:`mlsd.cases.contract.split_by_day`).

    The features are :class:`~.models.HeadModels`' (its point-in-time counters and its design),
    computed once for every row; each method fits one logistic regression (L2, ``C = 1``) on the
    standardised design of the rows after the warm-up days, on one thread. The propensities are
    estimated on the training days' random sessions only. ``served`` holds each method's
    prediction with the position feature at 1, ``logged_slot`` at the logged slot."""
    methods = tuple(check_choice("method", method, METHODS) for method in methods)
    if data.world is None:
        raise ValueError(f"click_heads needs the simulated feed's truth; data_source is "
                         f"{data.source!r}")
    table = data.table
    train, test = split_by_day(table, test_days)
    propensities = estimate_propensities(train, n_resamples, seed=seed)
    design = _Design(table)
    trained = train["time"].to_numpy() >= train["time"].min() + WARMUP_DAYS
    rows = train[trained]
    click = rows["click"].to_numpy()
    served, logged = {}, {}
    for method in methods:
        weight = (ipw_weights(rows["position"], click, propensities, max_weight)
                  if method == "ipw" else None)
        x = design.matrix(rows, with_position=method == "position_feature")
        scaler = StandardScaler().fit(x)
        with threadpool_limits(limits=1):
            model = LogisticRegression(max_iter=500).fit(scaler.transform(x), click, weight)
            served[method] = model.predict_proba(scaler.transform(
                design.matrix(test, with_position=False)))[:, 1]
            logged[method] = model.predict_proba(scaler.transform(
                design.matrix(test, with_position=method == "position_feature")))[:, 1]
    index = test.index
    return ClickHeads(test, pd.DataFrame(served, index=index), pd.DataFrame(logged, index=index),
                      propensities, data.world.parameters["examination_decay"])


class _Design:
    """:class:`~.models.HeadModels`' design matrix (:func:`~.models.design_matrix`) on features
    computed once for every row of ``table`` (a row's counters see only what had arrived before
    it, so the features of a row are the same whether the table ends at the training days or
    goes on)."""

    def __init__(self, table: pd.DataFrame):
        self.sources = tuple(sorted(table["source"].astype(str).unique()))
        self.features = point_in_time_features(table[list(EVENT_COLUMNS)], table, self.sources)

    def matrix(self, rows: pd.DataFrame, with_position: bool) -> np.ndarray:
        """The design of ``rows`` (a part of the table), the position at 1 unless
        ``with_position`` (then the logged slot)."""
        features = self.features.loc[rows.index]
        if not with_position:
            features = features.assign(position=1)
        return design_matrix(features, self.sources)


def position_bias_table(heads: ClickHeads, n_resamples: int = DEFAULT_RESAMPLES,
                        seed: int = 0) -> pd.DataFrame:
    """Each method's predictions at slot 1 judged against the truth on the test rows.

    One row per method, then ``truth`` (the scores ``true_click`` themselves: the ceiling).
    Columns, each with its 95% interval ``<measure>_low``, ``<measure>_high`` resampling sessions:

    - ``kendall_tau``: per session, Kendall's ``τ_a`` between the scores and ``true_click`` over
      its pairs of rows, ``Σ sign(Δscore) sign(Δtrue) / pairs``, averaged over sessions;
    - ``ndcg``: per session, ``DCG / ideal DCG`` of the order by score with gain ``true_click``
      and discount ``1 / log2(1 + rank)``, averaged over sessions;
    - ``calibration_slot_1``: ``Σ p / Σ true_click × e(1)`` — the predicted clicks at the top
      slot over the true ones (1 is calibrated; ``e(1) = 1``);

    then ``tau_vs_naive`` and ``ndcg_vs_naive``: the paired difference with ``naive`` (its 95%
    interval resampling sessions; 0 for naive itself).
    """
    test = heads.test
    truth = test["true_click"].to_numpy()
    sessions = pd.factorize(test["session_id"])[0]
    pairs = _session_pairs(sessions)
    top_truth = truth * 1.0 ** -heads.examination_decay
    scores = {**{method: heads.served[method].to_numpy() for method in heads.served},
              "truth": truth}
    per_session = {name: (_kendall_by_session(score, truth, sessions, pairs),
                          _ndcg_by_session(score, truth, sessions))
                   for name, score in scores.items()}
    rows = {}
    for name, score in scores.items():
        tau, ndcg = per_session[name]
        row = {}
        row.update(_columns("kendall_tau", mean_interval(tau, n_resamples, seed=seed)))
        row.update(_columns("ndcg", mean_interval(ndcg, n_resamples, seed=seed)))
        row.update(_columns("calibration_slot_1", _ratio_by_session(
            score, top_truth, sessions, n_resamples, seed)))
        for measure, k in (("tau_vs_naive", 0), ("ndcg_vs_naive", 1)):
            if "naive" in per_session:
                row.update(_columns(measure, paired_difference_interval(
                    per_session["naive"][k], per_session[name][k], n_resamples, seed=seed)))
        rows[name] = row
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("method")


def _columns(measure: str, interval: Interval) -> dict:
    return {measure: interval.estimate, f"{measure}_low": interval.low,
            f"{measure}_high": interval.high}


def _session_pairs(sessions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every pair ``(i, j)`` of distinct rows of one session, each pair once."""
    order = np.argsort(sessions, kind="stable")
    grouped = sessions[order]
    starts = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]])
    sizes = np.diff(np.r_[starts, len(sessions)])
    first, second = [], []
    for size in np.unique(sizes):
        i, j = np.triu_indices(size, 1)
        base = starts[sizes == size][:, None]
        first.append((base + i).ravel())
        second.append((base + j).ravel())
    return order[np.concatenate(first)], order[np.concatenate(second)]


def _kendall_by_session(score, truth, sessions, pairs) -> np.ndarray:
    """Kendall's ``τ_a`` per session (0 for a session of one row)."""
    i, j = pairs
    agree = np.sign(score[i] - score[j]) * np.sign(truth[i] - truth[j])
    n_sessions = sessions.max() + 1
    counts = np.bincount(sessions[i], minlength=n_sessions)
    return np.bincount(sessions[i], agree, n_sessions) / np.maximum(counts, 1)


def _ndcg_by_session(score, truth, sessions) -> np.ndarray:
    """``DCG / ideal DCG`` per session, gain ``truth``, discount ``1 / log2(1 + rank)``."""
    n_sessions = sessions.max() + 1
    dcg = np.bincount(sessions, truth / np.log2(1 + slots_by_score(sessions, score)), n_sessions)
    ideal = np.bincount(sessions, truth / np.log2(1 + slots_by_score(sessions, truth)), n_sessions)
    return dcg / ideal


def _ratio_by_session(score, truth, sessions, n_resamples: int, seed: int) -> Interval:
    """``Σ score / Σ truth`` with its interval resampling sessions."""
    n_sessions = sessions.max() + 1
    return bootstrap_interval(lambda a, b: a.sum() / b.sum(),
                              np.bincount(sessions, score, n_sessions),
                              np.bincount(sessions, truth, n_sessions),
                              n_resamples=n_resamples, seed=seed)


def slot_table(heads: ClickHeads) -> pd.DataFrame:
    """The model learns the slot: one row per logged slot of the test rows (policy-ordered and
    random sessions alike), with ``impressions``, the logged ``observed_ctr``, the truth
    ``true_click`` (mean, position-free) and ``true_logged_ctr`` (mean ``e(k) × true_click``, what
    a calibrated model of logged clicks predicts there), then each method's mean prediction at
    slot 1 (``<method>_served``): the score the feed ranks by."""
    test = heads.test
    frame = pd.DataFrame({
        "position": test["position"].to_numpy(dtype=np.int64),
        "impressions": 1,
        "observed_ctr": test["click"].to_numpy(dtype=float),
        "true_click": test["true_click"].to_numpy(),
        "true_logged_ctr": (test["true_click"] * test["examine_probability"]).to_numpy(),
        **{f"{method}_served": heads.served[method].to_numpy() for method in heads.served},
    })
    grouped = frame.groupby("position")
    table = grouped.mean()
    table["impressions"] = grouped.size()
    return table
