"""Four trade-offs of the feed's heads (notebook 4), each measured against the simulator's truth
or against the log.

- :func:`dwell_against_clicks` — what the long-dwell head buys: the feed ranked by the click head
  alone, or with the long-dwell head, and the click-bait it lets into the top slots.
- :func:`downsampling_by_head` — negative downsampling per head: the rare heads' probabilities
  inflate most, the correction ``q = p / (p + (1 − p) / w)`` restores them, the AUC barely moves.
- :func:`comment_weight_change` and :func:`comment_weight_sweep` — a head's weight is a product
  decision: what a larger comment weight does to comments, viral actions, hides and reads, and
  whether an A/B test could see it.
- :func:`calibration_monitor` — a daily calibration check per head with an alert rule, and a
  shift of one head's behaviour that it must catch while staying silent on the others.

Each returns a :class:`Finding`: a small table and whether the conclusion of its ``statement``
held on these data (a notebook states it as a claim). The heads are :class:`~.models.HeadModels`
trained on the days before the last ``test_days`` (:func:`mlsd.cases.contract.split_by_day`) and judged on the
test days. A feed is each test session's shown posts re-ordered by a score of the heads'
predictions at slot 1; its expected actions per session are ``Σ_rows e(slot) · true_<head>``
(:func:`~.evaluation.feed_metrics`). Each function fits its heads once: a few seconds on the
default feed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from mlsd.cases.contract import CaseData, split_by_day
from mlsd.cases.feed_ranking.data import TEST_DAYS
from mlsd.cases.feed_ranking.evaluation import (
    DEFAULT_WEIGHTS, TOP_SLOTS, VIRAL_HEADS, feed_metrics, slots_by_score, value_scores,
)
from mlsd.cases.feed_ranking.features import point_in_time_features
from mlsd.cases.feed_ranking.models import EVENT_COLUMNS, WARMUP_DAYS, HeadModels, design_matrix
from mlsd.cases.feed_ranking.schema import HEADS, head_labels
from mlsd.metrics import calibration_ratio, roc_auc, undo_downsampling
from mlsd.uncertainty import DEFAULT_RESAMPLES, paired_difference_interval
from mlsd.validation import check_choice, check_distinct_numbers, check_int, check_number

CLICK_AND_READ_WEIGHTS = {head: DEFAULT_WEIGHTS[head] for head in ("click", "long_dwell")}
"""The value model cut to its click and long-dwell terms (a read is worth two clicks)."""
CORRECTION_TOLERANCE = 0.15
"""How close to the full-data model's calibration ratio a corrected head must come."""
AUC_TOLERANCE = 0.02
"""The AUC change of a downsampled head counted as "moves little"."""
OUTCOME_HEADS = {"clicks": ("click",), "long_dwells": ("long_dwell",), "comments": ("comment",),
                 "viral_actions": VIRAL_HEADS, "hides": ("hide",)}
"""The per-session outcomes of the weight experiments and the heads each adds up."""
AB_SESSIONS_LIMIT = 1e8
"""Sessions per arm beyond which an A/B test is counted as unable to measure a change."""
SWEEP_MULTIPLIERS = (1.0, 1.1, 1.5, 2.0, 3.0)
"""The comment weights of :func:`comment_weight_sweep`, as multiples of the default weight."""
SWEEP_MEASURES = ("comments", "viral_actions", "hides", "long_dwells", "clicks")
"""The outcomes per session :func:`comment_weight_sweep` reports, in its column order."""
SHIFTABLE_HEADS = ("like", "comment", "share", "hide")
"""The heads whose logged events :func:`calibration_monitor` can thin (each is one column)."""


@dataclass(frozen=True)
class Finding:
    """An experiment's table, whether its conclusion held on these data, and the conclusion."""

    table: pd.DataFrame
    holds: bool
    statement: str


def dwell_against_clicks(data: CaseData, *, test_days: int = TEST_DAYS,
                         top_slots: int = TOP_SLOTS, served: pd.DataFrame | None = None) -> Finding:
    """The test days' feed ranked by the click head alone against rankings that read the dwell.

    Rankings (rows, by ``ranking``): the ``logged order`` (the production ranker's), the ``click
    head``, the ``click + long-dwell heads`` (``p_click + 2 p_long_dwell``,
    :data:`CLICK_AND_READ_WEIGHTS`), the ``long-dwell head``, the ``value model`` (every head,
    :data:`~.evaluation.DEFAULT_WEIGHTS`), and the truth's ``true click`` and ``true long dwell``
    orders (what a perfect head of each would do). Columns: ``clickbait_top_share``, the share of
    the top ``top_slots`` slots of the sessions held by click-bait creators (the simulator's
    ``creators.clickbait``); per session, the expected ``clicks``, ``long_dwells`` (reads) and
    ``hides``; and ``reads_per_click`` = long dwells / clicks.

    Click-bait creators have click appeal and a cut dwell (:mod:`.simulate`): the click head
    ranks them up, the long-dwell head down. ``holds``: the click head puts more click-bait in the
    top slots and earns fewer long dwells than the click + long-dwell heads. ``served``: the
    heads' slot-1 predictions of the test rows, if already computed (else trained here)."""
    world = _world(data, "dwell_against_clicks")
    top_slots = check_int("top_slots", top_slots, 1)
    test, served = _served_heads(data, test_days, served)
    clickbait = world.creators["clickbait"].to_numpy()[test["creator_id"].to_numpy(dtype=np.int64)]
    sessions = test["session_id"].to_numpy()
    scores = {
        "logged order": -test["position"].to_numpy(dtype=float),
        "click head": served["click"],
        "click + long-dwell heads": value_scores(served, CLICK_AND_READ_WEIGHTS),
        "long-dwell head": served["long_dwell"],
        "value model": value_scores(served),
        "true click": test["true_click"],
        "true long dwell": test["true_long_dwell"],
    }
    rows = []
    for name, score in scores.items():
        score = np.asarray(score, dtype=float)
        metrics = feed_metrics(world, test, score, top_slots=top_slots)
        top = slots_by_score(sessions, score) <= top_slots
        rows.append({"ranking": name, "clickbait_top_share": float(clickbait[top].mean()),
                     "clicks": metrics["clicks"], "long_dwells": metrics["long_dwells"],
                     "reads_per_click": metrics["long_dwells"] / metrics["clicks"],
                     "hides": metrics["hides"]})
    table = pd.DataFrame(rows).set_index("ranking")
    clicks, both = table.loc["click head"], table.loc["click + long-dwell heads"]
    holds = bool(clicks["clickbait_top_share"] > both["clickbait_top_share"]
                 and clicks["long_dwells"] < both["long_dwells"])
    return Finding(table, holds, f"ranking by the click head alone puts more click-bait in the top "
                                 f"{top_slots} slots and earns fewer long dwells per session than "
                                 "ranking by the click and long-dwell heads")


def downsampling_by_head(data: CaseData, *, keep_share: float = 0.1, test_days: int = TEST_DAYS,
                         seed: int = 0) -> Finding:
    """Each head trained on all its training rows, and on its positives with a share ``w`` =
    ``keep_share`` of its negatives, judged on the test days at the logged slot.

    Both fits are :class:`~.models.HeadModels`' (the same point-in-time features, counted over the
    whole log; the same standardised design, L2 logistic regression with ``C = 1``, one thread),
    on the training rows after :data:`~.models.WARMUP_DAYS`; each head keeps its own negatives,
    each with probability ``w`` in ``(0, 1]``, drawn with ``seed`` (``w = 1``: the full fit).
    Keeping negatives with probability ``w`` multiplies the odds by ``1 / w``, so a head of rate
    ``p`` predicts about
    ``p / (p + (1 − p) w)``: close to ``p / w`` for a rare head, less for a frequent one, whose
    probability saturates. The correction :func:`mlsd.metrics.undo_downsampling` maps a prediction
    back, ``q = p / (p + (1 − p) / w)``; it is monotone, so the AUC is the raw prediction's.

    One row per head (index ``head``): the test ``positive_rate``, ``rows_kept`` (the share of the
    training rows the downsampled fit read: the cost it saves), the calibration ratios (mean
    prediction / positive rate) of the full-data fit ``ratio_full``, of the downsampled fit
    ``ratio_raw`` and corrected ``ratio_corrected``, the full fit's ROC AUC ``auc_full`` and
    ``auc_change`` = downsampled − full. ``holds``: every head of the rarer half (by training
    positive rate) inflates more than every head of the other half, every corrected ratio lies
    within :data:`CORRECTION_TOLERANCE` of the full fit's, and no AUC moves by more than
    :data:`AUC_TOLERANCE`."""
    keep_share = check_number("keep_share", keep_share, 0, 1, low_open=True)
    rng = np.random.default_rng(check_int("seed", seed, 0))
    table = data.table
    train, test = split_by_day(table, test_days)
    is_test = table["day"].to_numpy() >= test["day"].min()
    time = table["time"].to_numpy()
    trained = ~is_test & (time >= time[~is_test].min() + WARMUP_DAYS)
    if not trained.any():
        raise ValueError(f"no training row after the {WARMUP_DAYS} warm-up days; pass a table "
                         "with more training days or fewer test_days")
    sources = tuple(sorted(train["source"].astype(str).unique()))
    design = design_matrix(point_in_time_features(table[list(EVENT_COLUMNS)], table, sources),
                           sources)
    x_train, x_test = design[trained], design[is_test]
    scaler = StandardScaler().fit(x_train)
    scaled_train, scaled_test = scaler.transform(x_train), scaler.transform(x_test)
    labels = head_labels(table)
    rows = {}
    for head in HEADS:
        y_train, y_test = labels[head].to_numpy()[trained], labels[head].to_numpy()[is_test]
        kept = (y_train == 1) | (rng.random(len(y_train)) < keep_share)
        full = _fit_and_predict(scaled_train, y_train, scaled_test, head)
        kept_scaler = StandardScaler().fit(x_train[kept])
        raw = _fit_and_predict(kept_scaler.transform(x_train[kept]), y_train[kept],
                               kept_scaler.transform(x_test), head)
        corrected = undo_downsampling(raw, keep_share)
        rows[head] = {"positive_rate": float(y_test.mean()), "rows_kept": float(kept.mean()),
                      "ratio_full": calibration_ratio(y_test, full),
                      "ratio_raw": calibration_ratio(y_test, raw),
                      "ratio_corrected": calibration_ratio(y_test, corrected),
                      "auc_full": roc_auc(y_test, full),
                      "auc_change": roc_auc(y_test, raw) - roc_auc(y_test, full),
                      "training_rate": float(y_train.mean())}
    result = pd.DataFrame.from_dict(rows, orient="index").rename_axis("head")
    by_rate = result.sort_values("training_rate").index
    rare, frequent = by_rate[:len(by_rate) // 2], by_rate[len(by_rate) // 2:]
    holds = bool(result.loc[rare, "ratio_raw"].min() > result.loc[frequent, "ratio_raw"].max()
                 and ((result["ratio_corrected"] - result["ratio_full"]).abs()
                      <= CORRECTION_TOLERANCE).all()
                 and (result["auc_change"].abs() <= AUC_TOLERANCE).all())
    return Finding(result.drop(columns="training_rate"), holds,
                   f"keeping {keep_share:.0%} of the negatives, the rarer heads "
                   f"({', '.join(rare)}) inflate more than every other head; the correction brings "
                   f"every head within {CORRECTION_TOLERANCE} of the full-data calibration ratio, "
                   f"and no AUC moves by more than {AUC_TOLERANCE}")


def comment_weight_change(data: CaseData, *, multiplier: float = 1.1, test_days: int = TEST_DAYS,
                          n_resamples: int = DEFAULT_RESAMPLES, level: float = 0.95,
                          power: float = 0.8, seed: int = 0,
                          served: pd.DataFrame | None = None) -> Finding:
    """The feed of the value model with the comment weight times ``multiplier`` against the
    default weights (:data:`~.evaluation.DEFAULT_WEIGHTS`), on the test sessions.

    One row per outcome of :data:`OUTCOME_HEADS` (index ``measure``): the expected count per
    session under the ``default`` and the ``changed`` weights, the paired ``change`` with its
    percentile-bootstrap interval ``low``, ``high`` at ``level`` resampling sessions
    (:func:`mlsd.uncertainty.paired_difference_interval`: the same sessions, ordered both ways),
    and ``ab_sessions``, the sessions per arm a two-sided A/B test at ``α = 1 − level`` needs to
    detect the change with probability ``power``::

        n = (z_{1−α/2} + z_power)² (σ²_default + σ²_changed) / change²,

    with ``σ²`` the variance of a session's realised count: the mean over sessions of
    ``Σ_rows Var`` plus the variance over sessions of the expected count. A row's count of the
    heads ``H`` is ``E · Σ_h B_h`` (examination ``E ~ Bernoulli(e)``, independent actions
    ``B_h ~ Bernoulli(t_h)``), of variance ``e (s₁ − s₂) + e (1 − e) s₁²``, ``s₁ = Σ t_h``,
    ``s₂ = Σ t_h²``. The interval resamples sessions of known truth, so it is narrower than any
    online test: ``ab_sessions`` adds the noise of the actions. ``holds``: an A/B test would need
    more than :data:`AB_SESSIONS_LIMIT` sessions per arm to measure the hide change. ``served``:
    the heads' slot-1 predictions of the test rows, if already computed (else trained here)."""
    world = _world(data, "comment_weight_change")
    multiplier = check_number("multiplier", multiplier, 0, low_open=True)
    level = check_number("level", level, 0, 1, low_open=True, high_open=True)
    power = check_number("power", power, 0, 1, low_open=True, high_open=True)
    seed = check_int("seed", seed, 0)
    test, served = _served_heads(data, test_days, served)
    decay = world.parameters["examination_decay"]
    changed = dict(DEFAULT_WEIGHTS, comment=DEFAULT_WEIGHTS["comment"] * multiplier)
    default = _session_outcomes(test, value_scores(served), decay)
    moved = _session_outcomes(test, value_scores(served, changed), decay)
    z = NormalDist().inv_cdf(1 - (1 - level) / 2) + NormalDist().inv_cdf(power)
    rows = {}
    for measure in OUTCOME_HEADS:
        interval = paired_difference_interval(default[measure], moved[measure], n_resamples,
                                              level, seed)
        variance = _session_variance(default, measure) + _session_variance(moved, measure)
        change = interval.estimate
        rows[measure] = {"default": float(default[measure].mean()),
                         "changed": float(moved[measure].mean()), "change": change,
                         "low": interval.low, "high": interval.high,
                         "ab_sessions": z ** 2 * variance / change ** 2 if change else math.inf}
    table = pd.DataFrame.from_dict(rows, orient="index").rename_axis("measure")
    holds = bool(table.loc["hides", "ab_sessions"] > AB_SESSIONS_LIMIT)
    return Finding(table, holds, f"a comment weight {multiplier:g}× the default moves the hides "
                                 "so little that an A/B test would need more than "
                                 f"{AB_SESSIONS_LIMIT:.0e} sessions per arm to measure it")


def comment_weight_sweep(data: CaseData, *, multipliers=SWEEP_MULTIPLIERS,
                         test_days: int = TEST_DAYS, served: pd.DataFrame | None = None) -> Finding:
    """The value model's feed at each comment weight ``multiplier ×`` the default one (6), the
    other weights at their defaults, on the test sessions.

    One row per multiplier, in increasing order: ``comment_weight``, then the expected
    ``comments``, ``viral_actions``, ``hides``, ``long_dwells`` and ``clicks`` per session.
    ``holds``: each step up the comment weight buys comments and costs long dwells. ``served``: as
    :func:`comment_weight_change`'s."""
    world = _world(data, "comment_weight_sweep")
    multipliers = sorted(check_distinct_numbers("multipliers", multipliers, 0, low_open=True))
    if len(multipliers) < 2:
        raise ValueError(f"multipliers must hold at least 2 values to sweep; got {multipliers}")
    test, served = _served_heads(data, test_days, served)
    decay = world.parameters["examination_decay"]
    rows = []
    for multiplier in multipliers:
        weight = DEFAULT_WEIGHTS["comment"] * multiplier
        scores = value_scores(served, dict(DEFAULT_WEIGHTS, comment=weight))
        outcomes = _session_outcomes(test, scores, decay)
        rows.append({"comment_weight": weight,
                     **{measure: float(outcomes[measure].mean()) for measure in SWEEP_MEASURES}})
    table = pd.DataFrame(rows)
    holds = bool((np.diff(table["comments"]) > 0).all()
                 and (np.diff(table["long_dwells"]) < 0).all())
    return Finding(table, holds, "each step up the comment weight buys comments and costs long "
                                 "dwells")


def calibration_monitor(data: CaseData, *, shift_head: str = "comment", keep_share: float = 0.5,
                        shift_day: int | None = None, test_days: int = TEST_DAYS,
                        tolerance: float = 0.2, z_alert: float = 3.0, seed: int = 0) -> Finding:
    """A daily calibration check of every head on the test days, with one head's behaviour
    shifted from ``shift_day`` on.

    The shift: from ``shift_day`` (default the last day) each logged ``shift_head`` event (one of
    :data:`SHIFTABLE_HEADS`) is kept with probability ``keep_share`` (drawn with ``seed``) — what
    a product change that cuts that action (the comment box moved behind a tap) or a pipeline
    that loses its events looks like downstream. The counters see the thinned events, the heads
    were trained before the shift (:class:`~.models.HeadModels` on the training days), and each
    test row is predicted at its logged slot, as a log is scored for monitoring.

    Per (``day``, ``head``): the observed ``positives`` ``O``, the ``predicted`` positives
    ``E = Σ p``, the ``calibration_ratio`` ``E / O`` (inf without a positive) and
    ``z = (E − O) / sqrt(Σ p (1 − p))``, the gap in standard deviations of the day's count under a
    calibrated head. The rule: ``alert`` when ``|ratio − 1| > tolerance`` and ``|z| > z_alert`` —
    off by more than the tolerance on enough positives to tell from noise; ``warn`` when only off
    by more than the tolerance (too few positives: a rare head's day is noisy); else ``ok``. The
    statuses are those of :func:`mlsd.monitoring.drift_report` and the table starts with its
    window column, so :func:`mlsd.monitoring.first_alert` reads it. At ``E`` expected positives an
    over-prediction alerts only beyond ``1 / (1 − z_alert / sqrt(E))`` about: a day of comments
    (about 100) sees a ratio of 1.4 and more, a day of clicks (about 2,700) one of 1.06 — the
    tolerance is then the binding limit. A rare head's smaller shift needs several days pooled.

    Owner and action: the alert pages the owner of the head's model (the feed-relevance on-call).
    First check the event pipeline — logged actions against the client's counts, since a lost
    event stream and a real change look alike here; if the behaviour did change, refit the head
    on the days since (or, at once, rescale its odds by ``O / E``), because until then the value
    model weighs that head's term by ``ratio`` times what it meant.

    ``shifted`` marks the cells of the shifted head on and after ``shift_day``; none when
    ``keep_share`` is 1. ``holds``: the rule alerts on every shifted cell and on no other."""
    check_choice("shift_head", shift_head, SHIFTABLE_HEADS)
    keep_share = check_number("keep_share", keep_share, 0, 1)
    tolerance = check_number("tolerance", tolerance, 0, low_open=True)
    z_alert = check_number("z_alert", z_alert, 0, low_open=True)
    rng = np.random.default_rng(check_int("seed", seed, 0))
    _, test = split_by_day(data.table, test_days)
    test_day_values = sorted(int(day) for day in test["day"].unique())
    shift_day = test_day_values[-1] if shift_day is None else check_int(
        "shift_day", shift_day, test_day_values[0], test_day_values[-1])
    table = data.table
    after = table["day"].to_numpy() >= shift_day
    lost = after & (table[shift_head].to_numpy() == 1) & (rng.random(len(table)) >= keep_share)
    thinned = table.assign(**{shift_head: np.where(lost, 0, table[shift_head].to_numpy())})
    train, test = split_by_day(thinned, test_days)
    predictions = HeadModels().fit(train).predict(test)
    labels = head_labels(test)
    days = test["day"].to_numpy()
    any_shift = keep_share < 1
    rows = []
    for day in test_day_values:
        on_day = days == day
        for head in HEADS:
            p = predictions[head].to_numpy()[on_day]
            observed = int(labels[head].to_numpy()[on_day].sum())
            expected = float(p.sum())
            rows.append({"day": day, "head": head,
                         "shifted": any_shift and head == shift_head and day >= shift_day,
                         "positives": observed, "predicted": expected,
                         "calibration_ratio": expected / observed if observed else math.inf,
                         "z": (expected - observed) / math.sqrt(float(np.sum(p * (1 - p))))})
    report = pd.DataFrame(rows)
    off = (report["calibration_ratio"] - 1).abs() > tolerance
    report["status"] = np.select([off & (report["z"].abs() > z_alert), off], ["alert", "warn"],
                                 default="ok")
    holds = bool(((report["status"] == "alert") == report["shifted"]).all())
    rule = f"the rule (|ratio − 1| > {tolerance:g} and |z| > {z_alert:g})"
    if not any_shift:
        return Finding(report, holds, f"{rule} stays silent on every head and day")
    return Finding(report, holds, f"{rule} alerts on the {shift_head} head from day {shift_day} "
                                  "on and stays silent on every other head and day")


def _world(data: CaseData, name: str):
    """The simulator's world of ``data``; a source without truth raises."""
    if getattr(data, "world", None) is None:
        raise ValueError(f"{name} needs the simulated feed's truth; data_source is "
                         f"{getattr(data, 'source', None)!r}")
    return data.world


def _served_heads(data: CaseData, test_days: int,
                  served: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The test rows and the heads' predictions for them at slot 1: ``served`` when given (a frame
    indexed like the test rows, e.g. a notebook's own heads), else heads trained on the days
    before."""
    train, test = split_by_day(data.table, test_days)
    if served is None:
        return test, HeadModels().fit(train).predict(test, serve_position=1)
    if not served.index.equals(test.index) or list(served.columns) != list(HEADS):
        raise ValueError(f"served must have one column per head {list(HEADS)}, indexed like the "
                         f"last {test_days} days' rows ({len(test)}); got {served.shape}")
    return test, served


def _fit_and_predict(x: np.ndarray, y: np.ndarray, x_predict: np.ndarray, head: str) -> np.ndarray:
    """An L2 logistic regression (``C = 1``) of ``y`` on the standardised ``x``, and its
    probabilities for ``x_predict``, on one thread."""
    if len(np.unique(y)) < 2:
        raise ValueError(f"the {head} head's training rows hold one class only; a head needs both "
                         "0 and 1 (use a larger training table or a larger keep_share)")
    with threadpool_limits(limits=1):
        model = LogisticRegression(max_iter=500).fit(x, y)
        return model.predict_proba(x_predict)[:, 1]


def _session_outcomes(test: pd.DataFrame, scores, decay: float) -> pd.DataFrame:
    """Per session, with its rows ordered by ``scores``: each outcome's expected count
    (``Σ e · Σ_h t_h``) and the variance of its realised count (``<measure>_variance``)."""
    sessions = pd.factorize(test["session_id"])[0]
    examined = slots_by_score(sessions, scores).astype(float) ** -decay
    columns = {}
    for measure, heads in OUTCOME_HEADS.items():
        truth = test[[f"true_{head}" for head in heads]].to_numpy()
        first, second = truth.sum(axis=1), (truth ** 2).sum(axis=1)
        columns[measure] = np.bincount(sessions, examined * first)
        row_variance = examined * (first - second) + examined * (1 - examined) * first ** 2
        columns[f"{measure}_variance"] = np.bincount(sessions, row_variance)
    return pd.DataFrame(columns)


def _session_variance(outcomes: pd.DataFrame, measure: str) -> float:
    """The variance of a session's realised count: mean within-session variance plus the
    variance of the expected count over sessions."""
    return float(outcomes[f"{measure}_variance"].mean() + outcomes[measure].var(ddof=0))
