"""The ad-click experiments: each turns one design knob and returns a table.

Notebook 4 runs :func:`retraining_cadence`, :func:`label_window_tradeoff`,
:func:`downsampling_tradeoff` and :func:`exploration_simulation`; notebook 3 shows staleness with
:func:`freshness_decay`, and notebook 2 (and the gallery) the raw predictions of
:func:`downsampled_predictions`. They live together because each is a tradeoff of the same system.

Every function is pure and deterministic: the same market (or seed) and arguments give the same
DataFrame, byte for byte, one row per setting. Costs are counted, never timed: number of trainings
and training rows. Each docstring says what is fitted, what is measured and how. Models are fitted
and scored single-threaded (BLAS and OpenMP): the solver of the hashed logistic regression spends its
time in vector operations over 2**18 weights that threads do not speed up, threads that wait for a
busy core slow every fit down many times over (two notebooks at once on two cores), and one thread
keeps the results independent of the number of cores.

- :func:`freshness_decay` — how fast a model trained once goes stale, next to a retrained one.
- :func:`retraining_cadence` — retrain every 1, 2, 4, 7 days: quality against trainings.
- :func:`label_window_tradeoff` — wait longer for clicks (complete labels) or train on fresher data.
- :func:`downsampling_tradeoff`, :func:`downsampled_predictions` — negative downsampling: cheaper
  training, intact ranking, broken probabilities until corrected; :func:`downsampling_table`
  builds the table from any model's predictions (:mod:`.lessons` uses it on Criteo rows);
  :func:`history_at_equal_compute` — what downsampling buys at equal compute: more history.
- :func:`exploration_simulation` — ε-exploration for new ads in a second-price auction, against the
  cold-start trap.

Retrained models see only the labels that had arrived when they were trained
(:func:`~.point_in_time.labels_known_at`), and comparisons come with paired intervals that resample
ads (:mod:`.intervals`): a difference whose interval contains 0 is no measurable difference.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy import stats

from mlsd.cases.ad_click.data import split_by_day
from mlsd.cases.ad_click.intervals import (
    base_entropy,
    cluster_mean_interval,
    day_weighted_difference,
    log_losses,
)
from mlsd.cases.ad_click.models import (
    HashedLogisticRegression,
    SmoothedCTRBaseline,
    downsample_negatives,
)
from mlsd.cases.ad_click.point_in_time import labels_known_at
from mlsd.cases.ad_click.schema import clicks_within
from mlsd.cases.ad_click.simulate import AdMarket
from mlsd.metrics import calibration_ratio, normalized_entropy, roc_auc, undo_downsampling
from mlsd.validation import (
    check_callable,
    check_distinct_ints,
    check_distinct_numbers,
    check_int,
    check_number,
    is_number,
)

HOURS_PER_DAY = 24
DOWNSAMPLING_RATES = (1.0, 0.5, 0.2, 0.1, 0.05, 0.02)
BANDIT_CTR_PRIOR = (2.0, 98.0)
BANDIT_BID_SIGMA = 0.3
NEW_AD_PRIOR_SHARE = 0.5
YOUNG_AD_IMPRESSIONS = 100
INCUMBENT_HISTORY_IMPRESSIONS = 1_000

ModelFactory = Callable[[], object]
FACTORY = "a zero-argument callable returning an unfitted model"
"""What ``make_model`` must be, in the message when it is not."""


def freshness_decay(market: AdMarket, train_until_day: int, make_model: ModelFactory, fresh_window_days: int = 7) -> pd.DataFrame:
    """Quality of a model trained once, day by day after its training data ends.

    Fitted: one *stale* model on the days ``< train_until_day``, and for every later day ``d`` one
    *fresh* model on the days ``max(0, d - fresh_window_days) .. d - 1`` (a fresh window equal to
    the stale one reuses the stale model). Labels are point-in-time: a model trained at the start
    of day ``e`` sees a click only if it had arrived by then
    (:func:`~.point_in_time.labels_known_at` ``e``). So ``2 + last_day - train_until_day`` fits,
    one fewer when ``train_until_day <= fresh_window_days``. A :class:`HistoricalGBDT` stale model
    keeps the counters it was trained with (no :meth:`update_counters`): its historical rates
    freeze too. Scores are against the eventual clicks of the served day (known later).

    Parameters
    ----------
    market : AdMarket
        From :func:`~mlsd.cases.ad_click.simulate.simulate_market`.
    train_until_day : int
        First day not trained on, in ``[1, last_day]``.
    make_model : callable
        Returns an unfitted model with ``fit(impressions, labels)`` and ``predict(impressions)``.
    fresh_window_days : int, default=7
        Days of training data of each fresh model (>= 1).

    Returns
    -------
    pandas.DataFrame
        One row per evaluated day ``d >= train_until_day``: ``day``, ``days_since_training``
        (``d - train_until_day``; 0 is the day right after the training data), ``normalized_entropy``
        of the stale model, ``fresh_normalized_entropy`` of the model retrained for that day,
        ``truth_normalized_entropy`` of the true click probabilities ``true_ctr`` (the floor no
        model can beat), ``calibration_ratio`` of the stale model (``mean(p) / mean(click)``);
        ``gap`` (stale minus fresh NE: what retraining buys that day) and ``gap_low``, ``gap_high``,
        its 95% interval resampling the day's ads (:func:`~.intervals.cluster_mean_interval`).
        ``NE = log_loss / H(mean(click))`` over the day's impressions. ``table.attrs["mean_gap"]``
        is the :class:`~mlsd.uncertainty.Interval` of the mean gap over the days with
        ``days_since_training >= 1`` (resampling ads over all those days; the day-0 gap is 0 when
        the fresh and stale windows agree), or None when there is no such day.
    """
    impressions = _check_market(market)
    last_day = _last_day(impressions)
    train_until_day = check_int("train_until_day", train_until_day, 1, last_day)
    check_callable("make_model", make_model, FACTORY)
    fresh_window_days = check_int("fresh_window_days", fresh_window_days, 1)
    days = impressions["day"].to_numpy()
    fitted = _WindowFits(impressions, days, make_model)
    rows, later_days = [], []
    for day in range(train_until_day, last_day + 1):
        served = impressions[days == day]
        clicks = served["click"].to_numpy()
        fresh_window = (max(0, day - fresh_window_days), day)
        gap = fitted.gap((0, train_until_day), fresh_window, [day])
        rows.append(
            {
                "day": day,
                "days_since_training": day - train_until_day,
                "normalized_entropy": fitted.normalized_entropy(0, train_until_day, day),
                "fresh_normalized_entropy": fitted.normalized_entropy(*fresh_window, day),
                "truth_normalized_entropy": normalized_entropy(clicks, served["true_ctr"].to_numpy()),
                "calibration_ratio": calibration_ratio(clicks, fitted.model(0, train_until_day).predict(served)),
                "gap": gap.estimate,
                "gap_low": gap.low,
                "gap_high": gap.high,
            }
        )
        if day > train_until_day:
            later_days.append((day, fresh_window))
    table = pd.DataFrame(rows)
    table.attrs["mean_gap"] = fitted.mean_gap((0, train_until_day), later_days) if later_days else None
    return table


def retraining_cadence(
    market: AdMarket,
    first_eval_day: int,
    make_model: ModelFactory,
    cadences: tuple[int, ...] = (1, 2, 4, 7),
    train_window_days: int = 7,
) -> pd.DataFrame:
    """Quality against cost when the model is retrained every ``c`` days.

    Evaluated days: ``first_eval_day .. last_day``. With cadence ``c`` the model is retrained at the
    start of days ``first_eval_day + k c`` (k = 0, 1, …) on the ``train_window_days`` days before
    (fewer at the start of the data), and each evaluated day uses the latest model. Labels are
    point-in-time: the clicks that had arrived by the start of the training day
    (:func:`~.point_in_time.labels_known_at`); each day is scored against its eventual clicks.
    Fitted: one model per distinct training day over all cadences and the daily reference —
    ``last_day - first_eval_day + 1`` fits, shared by every cadence. A :class:`HistoricalGBDT`
    keeps the counters it was trained with between retrainings.

    Parameters
    ----------
    market : AdMarket
        From :func:`~mlsd.cases.ad_click.simulate.simulate_market`.
    first_eval_day : int
        First evaluated day, in ``[1, last_day]``.
    make_model : callable
        Returns an unfitted model with ``fit(impressions, labels)`` and ``predict(impressions)``.
    cadences : tuple of int, default=(1, 2, 4, 7)
        Days between retrainings, distinct integers >= 1.
    train_window_days : int, default=7
        Days of training data of each training (>= 1).

    Returns
    -------
    pandas.DataFrame
        One row per cadence ``c``: ``cadence_days``, ``trainings`` (number of fits over the
        evaluated days), ``training_rows`` (rows summed over those fits: the compute proxy),
        ``mean_normalized_entropy`` (``mean_d NE_d`` over evaluated days ``d``, each
        ``NE_d = log_loss_d / H(mean(click_d))``), ``ne_vs_daily`` (``mean NE(c) - mean NE(1)``,
        the daily retraining computed as reference even when 1 is not in ``cadences``) and
        ``ne_vs_daily_low``, ``ne_vs_daily_high``: its 95% paired interval, resampling the ads of
        the evaluated days with all their impressions (:func:`~.intervals.cluster_mean_interval`
        on :func:`~.intervals.day_weighted_difference`; ``[0, 0]`` for daily itself). An interval
        that contains 0 is no measurable difference from retraining daily. Then the same from the
        simulator's truth: ``truth_ne_vs_daily`` and its interval, from each impression's expected
        log loss under its true click probability ``q``, ``−[q ln p + (1 − q) ln(1 − p)]``, over
        the same entropies — the difference with the noise of which impressions happened to be
        clicked removed; only the variation between ads remains.
    """
    impressions = _check_market(market)
    last_day = _last_day(impressions)
    first_eval_day = check_int("first_eval_day", first_eval_day, 1, last_day)
    check_callable("make_model", make_model, FACTORY)
    cadences = check_distinct_ints("cadences", cadences, 1)
    train_window_days = check_int("train_window_days", train_window_days, 1)
    fitted = _WindowFits(impressions, impressions["day"].to_numpy(), make_model)
    eval_days = np.arange(first_eval_day, last_day + 1)

    def windows(cadence: int) -> list[tuple[int, tuple[int, int]]]:
        latest_training_day = first_eval_day + (eval_days - first_eval_day) // cadence * cadence
        return [(int(day), (max(0, int(trained) - train_window_days), int(trained)))
                for trained, day in zip(latest_training_day, eval_days)]

    daily = windows(1)

    def cadence_row(cadence: int) -> dict:
        training_days = eval_days[(eval_days - first_eval_day) % cadence == 0]
        served = windows(cadence)
        mean_ne = float(np.mean([fitted.normalized_entropy(*window, day) for day, window in served]))
        versus_daily = fitted.paired_gap(daily, served)
        truly = fitted.paired_gap(daily, served, truth=True)
        return {
            "cadence_days": cadence,
            "trainings": len(training_days),
            "training_rows": sum(fitted.rows(max(0, day - train_window_days), day) for day in training_days),
            "mean_normalized_entropy": mean_ne,
            "ne_vs_daily_low": versus_daily.low,
            "ne_vs_daily_high": versus_daily.high,
            "truth_ne_vs_daily": truly.estimate,
            "truth_ne_vs_daily_low": truly.low,
            "truth_ne_vs_daily_high": truly.high,
        }

    table = pd.DataFrame([cadence_row(cadence) for cadence in cadences])
    reference = float(np.mean([fitted.normalized_entropy(*window, day) for day, window in daily]))
    table.insert(4, "ne_vs_daily", table["mean_normalized_entropy"] - reference)
    return table


def label_window_tradeoff(
    market: AdMarket,
    decision_day: int,
    windows_hours: tuple[float, ...] = (1, 6, 24, 72),
    train_window_days: int = 7,
    make_model: ModelFactory = SmoothedCTRBaseline,
    equal_rows: bool = True,
    seed: int = 0,
) -> pd.DataFrame:
    """Short label windows miss late clicks; long ones train on older data.

    At the start of ``decision_day`` (time ``T = decision_day`` in days) a model is trained to
    serve that day. With a label window of ``W`` hours only impressions shown at least ``W`` hours
    before ``T`` have a settled label, "clicked within ``W`` hours"
    (:func:`~mlsd.cases.ad_click.schema.clicks_within`). Fitted: one model per window, on the
    impressions with ``time`` in ``[T - train_window_days, T - W / 24)``; with ``equal_rows`` each
    window's impressions are first subsampled (uniformly, without replacement, drawn with
    ``seed``) to as many as the longest window keeps, so that windows differ in their labels and
    their age, not in their training size. Evaluated on the impressions of ``decision_day``
    against eventual clicks (``click``).

    Parameters
    ----------
    market : AdMarket
        From :func:`~mlsd.cases.ad_click.simulate.simulate_market`.
    decision_day : int
        The day served, in ``[1, last_day]``.
    windows_hours : tuple of float, default=(1, 6, 24, 72)
        Label windows, distinct, each in ``(0, 24 * min(train_window_days, decision_day))`` so that
        some training time remains.
    train_window_days : int, default=7
        Length of the training period before ``T`` (>= 1).
    make_model : callable, default=SmoothedCTRBaseline
        Returns an unfitted model with ``fit(impressions, labels)`` and ``predict(impressions)``.
    equal_rows : bool, default=True
        Train every window on the same number of impressions.
    seed : int, default=0
        Seed of the subsampling and of the intervals.

    Returns
    -------
    pandas.DataFrame
        One row per window ``W``: ``window_hours``; ``clicks_missed_share``, the share of the
        training impressions' eventual clicks whose delay exceeds ``W`` (the truth is
        ``P(delay > W) = 1 - Φ((ln W - ln DELAY_MEDIAN_HOURS) / DELAY_SIGMA)``);
        ``freshest_label_age_hours`` (``= W``: the newest training label is that old at ``T``);
        ``training_rows``; ``normalized_entropy`` and ``calibration_ratio``
        (``mean(p) / mean(click)``) on ``decision_day``, the latter with its 95% interval
        ``calibration_ratio_low``, ``_high`` (resampling the day's ads,
        :func:`~.intervals.cluster_mean_interval`). Then what the ratio is made of, from the
        simulator's truth: ``truth_calibration_ratio`` (``mean(p) / mean(true_ctr)``, free of the
        noise of the decision day's clicks) and ``mix_drift`` (``mean(true_ctr)`` of the training
        impressions over that of the decision day: how far the ad mix moved between them, the
        ratio a model that learned the training period perfectly would show). The decision day's
        own click noise, ``mean(true_ctr) / mean(click)``, is ``table.attrs["click_noise"]``.
    """
    impressions = _check_market(market)
    decision_day = check_int("decision_day", decision_day, 1, _last_day(impressions))
    train_window_days = check_int("train_window_days", train_window_days, 1)
    longest = HOURS_PER_DAY * min(train_window_days, decision_day)
    windows_hours = check_distinct_numbers(
        "windows_hours", windows_hours, 0, longest, low_open=True, high_open=True
    )
    check_callable("make_model", make_model, FACTORY)
    seed = check_int("seed", seed, 0)
    time = impressions["time"].to_numpy()
    served = impressions[impressions["day"].to_numpy() == decision_day]
    served_clicks, served_truth = served["click"].to_numpy(), served["true_ctr"].to_numpy()
    periods = {window: impressions[(time >= decision_day - train_window_days) & (time < decision_day - window / HOURS_PER_DAY)]
               for window in windows_hours}
    if equal_rows:
        size = min(len(period) for period in periods.values())
        rng = np.random.default_rng(seed)
        periods = {window: period.iloc[np.sort(rng.choice(len(period), size, replace=False))]
                   for window, period in periods.items()}
    rows = []
    for window, trained_on in periods.items():
        clicked = trained_on["click"].to_numpy() == 1
        prediction = make_model().fit(trained_on, clicks_within(trained_on, window)).predict(served)
        calibration = cluster_mean_interval(prediction, served["ad_id"].to_numpy(), seed=seed,
                                            denominator=served_clicks)
        rows.append(
            {
                "window_hours": window,
                "clicks_missed_share": float(np.mean(trained_on["click_delay_hours"].to_numpy()[clicked] > window)),
                "freshest_label_age_hours": window,
                "training_rows": len(trained_on),
                "normalized_entropy": normalized_entropy(served_clicks, prediction),
                "calibration_ratio": calibration_ratio(served_clicks, prediction),
                "calibration_ratio_low": calibration.low,
                "calibration_ratio_high": calibration.high,
                "truth_calibration_ratio": float(prediction.mean() / served_truth.mean()),
                "mix_drift": float(trained_on["true_ctr"].mean() / served_truth.mean()),
            }
        )
    table = pd.DataFrame(rows)
    table.attrs["click_noise"] = float(served_truth.mean() / served_clicks.mean())
    return table


def downsampled_predictions(
    market: AdMarket, first_test_day: int, rates: tuple[float, ...] = DOWNSAMPLING_RATES, seed: int = 0
) -> tuple[np.ndarray, dict[float, np.ndarray]]:
    """Test labels and the raw predictions of a model trained at each negative-downsampling rate.

    Fitted: one :class:`~mlsd.cases.ad_click.models.HashedLogisticRegression` per rate ``w``, with
    ``negative_rate=w`` and ``seed``, on the days ``< first_test_day`` labelled by the clicks that
    had arrived by ``first_test_day`` (every click kept, each non-click kept with probability ``w``). Predictions are raw: trained on odds inflated by
    ``1 / w``, not yet corrected with :func:`mlsd.metrics.undo_downsampling`.

    Parameters
    ----------
    market : AdMarket
        From :func:`~mlsd.cases.ad_click.simulate.simulate_market`.
    first_test_day : int
        First test day; earlier days train.
    rates : tuple of float, default=(1.0, 0.5, 0.2, 0.1, 0.05, 0.02)
        Negative keep rates, distinct, each in ``(0, 1]``.
    seed : int, default=0
        Seed of the downsampling draw.

    Returns
    -------
    y_test : numpy.ndarray
        ``click`` of the test days.
    raw_predictions : dict
        ``{rate: raw predicted probabilities on the test days}``, in the order of ``rates``.
    """
    train, test = _downsampling_split(market, first_test_day)
    rates = check_distinct_numbers("rates", rates, 0, 1, low_open=True)
    seed = check_int("seed", seed, 0)
    labels = labels_known_at(train, first_test_day)
    raw = {rate: HashedLogisticRegression(negative_rate=rate, seed=seed).fit(train, labels).predict(test) for rate in rates}
    return test["click"].to_numpy(), raw


def downsampling_tradeoff(
    market: AdMarket, first_test_day: int, rates: tuple[float, ...] = DOWNSAMPLING_RATES, seed: int = 0
) -> pd.DataFrame:
    """Negative downsampling: fewer training rows, the same ranking, probabilities off until corrected.

    Fitted: as :func:`downsampled_predictions` (one hashed logistic regression per rate; call that
    function for the predictions themselves). Measured on the test days against ``click``.

    Parameters
    ----------
    market, first_test_day, rates, seed
        As in :func:`downsampled_predictions`.

    Returns
    -------
    pandas.DataFrame
        One row per rate ``w``: ``negative_rate``; ``training_rows`` (clicks plus kept non-clicks);
        ``raw_mean_prediction`` (``mean(p)``); ``raw_calibration_ratio`` (``mean(p) / mean(click)``,
        near ``1 / w`` while ``p / w`` stays small); ``corrected_calibration_ratio`` with
        ``q = p / (p + (1 - p) / w)``; ``raw_normalized_entropy`` and ``corrected_normalized_entropy``
        (``log_loss / H(mean(click))``); ``roc_auc`` (the same for ``p`` and ``q``: the correction
        keeps the order).
    """
    y_test, raw_predictions = downsampled_predictions(market, first_test_day, rates, seed)
    train_labels = labels_known_at(_downsampling_split(market, first_test_day)[0], first_test_day)
    return downsampling_table(y_test, raw_predictions, train_labels, seed)


def downsampling_table(
    y_test: np.ndarray, raw_predictions: dict[float, np.ndarray], train_labels: np.ndarray, seed: int
) -> pd.DataFrame:
    """The table of :func:`downsampling_tradeoff` from test labels, the raw predictions of a model
    trained at each keep rate (``{rate: p}``) and the training labels before downsampling (whose
    negatives were kept with ``seed``, as :func:`~.models.downsample_negatives` draws them)."""
    rows = []
    for rate, raw in raw_predictions.items():
        corrected = undo_downsampling(raw, rate)
        rows.append(
            {
                "negative_rate": rate,
                "training_rows": int(downsample_negatives(train_labels, rate, seed).sum()),
                "raw_mean_prediction": float(raw.mean()),
                "raw_calibration_ratio": calibration_ratio(y_test, raw),
                "corrected_calibration_ratio": calibration_ratio(y_test, corrected),
                "raw_normalized_entropy": normalized_entropy(y_test, raw),
                "corrected_normalized_entropy": normalized_entropy(y_test, corrected),
                "roc_auc": roc_auc(y_test, raw),
            }
        )
    return pd.DataFrame(rows)


def history_at_equal_compute(
    market: AdMarket, first_test_day: int, recent_days: int = 2, seed: int = 0
) -> pd.DataFrame:
    """What negative downsampling buys at equal compute: more history for the same training rows.

    Trained at the start of ``first_test_day`` on the labels known then
    (:func:`~.point_in_time.labels_known_at`), two :class:`~.models.HashedLogisticRegression`:

    - ``recent days, every negative``: the ``recent_days`` days before, every row — ``n`` rows;
    - ``all days, negatives downsampled``: every day before, each click kept and each non-click
      kept with probability ``w = (n - clicks) / non-clicks`` (drawn with ``seed``), so that it
      trains on about the same ``n`` rows; its predictions corrected with
      :func:`mlsd.metrics.undo_downsampling` at ``w``.

    Scored on the days from ``first_test_day`` on against their eventual clicks. Returns one row
    per model: ``history_days``, ``negative_rate``, ``training_rows``, ``normalized_entropy``,
    ``calibration_ratio``, ``roc_auc``; and ``ne_vs_recent`` (its NE minus the recent model's,
    over all test rows) with its 95% paired interval ``ne_vs_recent_low``, ``_high``
    (resampling ads, :func:`~.intervals.cluster_mean_interval`).
    """
    train, test = _downsampling_split(market, first_test_day)
    recent_days = check_int("recent_days", recent_days, 1, first_test_day - 1)
    seed = check_int("seed", seed, 0)
    labels = labels_known_at(train, first_test_day)
    recent = train["day"].to_numpy() >= first_test_day - recent_days
    n_rows, clicks = int(recent.sum()), int(labels.sum())
    rate = float(np.clip((n_rows - clicks) / max(len(labels) - clicks, 1), 1e-6, 1.0))
    models = {
        "recent days, every negative": (recent, 1.0),
        "all days, negatives downsampled": (np.ones(len(train), dtype=bool), rate),
    }
    y_test, ads = test["click"].to_numpy(), test["ad_id"].to_numpy()
    entropy = base_entropy(y_test)
    rows, losses = [], {}
    for name, (rows_used, negative_rate) in models.items():
        part, part_labels = train[rows_used], labels[rows_used]
        model = HashedLogisticRegression(negative_rate=negative_rate, seed=seed).fit(part, part_labels)
        prediction = undo_downsampling(model.predict(test), negative_rate)
        losses[name] = log_losses(y_test, prediction)
        versus = cluster_mean_interval((losses[name] - losses["recent days, every negative"]) / entropy, ads, seed=seed)
        rows.append({
            "model": name,
            "history_days": int(part["day"].nunique()),
            "negative_rate": negative_rate,
            "training_rows": int(downsample_negatives(part_labels, negative_rate, seed).sum()),
            "normalized_entropy": normalized_entropy(y_test, prediction),
            "calibration_ratio": calibration_ratio(y_test, prediction),
            "roc_auc": roc_auc(y_test, prediction),
            "ne_vs_recent": versus.estimate,
            "ne_vs_recent_low": versus.low,
            "ne_vs_recent_high": versus.high,
        })
    return pd.DataFrame(rows).set_index("model")


def exploration_simulation(
    n_rounds: int = 20_000,
    epsilons: tuple[float, ...] = (0.0, 0.02, 0.05, 0.1, 0.2),
    n_initial_ads: int = 50,
    new_ads_per_1000_rounds: float = 5.0,
    prior_strength: float = 20.0,
    mean_ad_lifetime_rounds: float = float("inf"),
    eligible_share: float = 0.2,
    seed: int = 0,
) -> pd.DataFrame:
    """An auction that must discover good new ads: ε-exploration against the cold-start trap.

    Generative story (one ``numpy`` Generator seeded by ``seed``; every ε sees the same ads and
    the same random draws, so their differences come from the policy alone):

    Ads
        each ad has a true click rate ``ctr ~ Beta(2, 98)`` (mean 0.02), a bid
        ``~ LogNormal(0, 0.3²)`` and a lifetime ``~ Exponential(mean_ad_lifetime_rounds)`` rounds.
        ``n_initial_ads`` incumbents are live at round 0 with a logged history of 1,000
        impressions each (clicks ``~ Binomial(1000, ctr)``); ``Poisson(new_ads_per_1000_rounds *
        n_rounds / 1000)`` new ads arrive at rounds ``~ Uniform{1, …, n_rounds - 1}``, with no history.
    Rounds
        one slot is sold per round, to a visitor whom each live ad targets with probability
        ``eligible_share`` (the round's candidates). Greedy: the candidate with the highest
        ``bid × estimate``, where ``estimate = (clicks + m · prior) / (impressions + m)`` with
        ``m = prior_strength`` and a pessimistic ``prior = 0.5 × 0.02`` (half the mean click rate):
        an ad never shown looks worse than an average one, so greedy rarely shows it — the
        cold-start trap. With probability ε the slot goes instead to a uniformly drawn *young*
        candidate (fewer than 100 impressions), when there is one. The shown ad is clicked with
        probability ``ctr``; its counts update at once.
    Prices
        generalized second price, as :func:`~.auction.run_auctions` (no reserve): the shown ad pays
        per click the highest ``bid × estimate`` among the *other* candidates divided by its own
        ``estimate``, never more than its bid. The greedy winner so pays what it needed to win; an
        explored ad, which did not win on score, pays its bid. A lone candidate pays nothing.

    Nothing is fitted; the auction runs round by round for all ε at once, vectorised across ε.

    Parameters
    ----------
    n_rounds : int, default=20000
        Slots sold (>= 1).
    epsilons : tuple of float, default=(0.0, 0.02, 0.05, 0.1, 0.2)
        Exploration rates, distinct, each in ``[0, 1]``.
    n_initial_ads : int, default=50
        Incumbent ads (>= 1).
    new_ads_per_1000_rounds : float, default=5.0
        Arrival rate of new ads (>= 0).
    prior_strength : float, default=20.0
        ``m``, pseudo-impressions of the prior (> 0): how slowly an estimate leaves the prior.
    mean_ad_lifetime_rounds : float, default=inf
        Mean lifetime of an ad (> 0); ``inf`` keeps every ad, smaller values make ads churn.
    eligible_share : float, default=0.2
        Probability that a live ad is a candidate in a round, in ``(0, 1]``; 1 makes every round
        one auction among all live ads.
    seed : int, default=0
        Seed of every draw.

    Returns
    -------
    pandas.DataFrame
        One row per ε: ``epsilon``; ``expected_revenue`` (``Σ_rounds price × ctr`` of the shown ad,
        the second price above); ``revenue_vs_oracle`` (that over the revenue of an auction that
        knows every ``ctr``: the truly best candidate wins and pays the runner-up's true
        ``bid × ctr`` per expected click, ``Σ_rounds`` second-highest ``bid × ctr``; above 1 when
        over-estimated runners-up raise the prices);
        ``new_ad_impression_share`` (rounds won by ads that arrived after round 0, over rounds with a
        candidate); ``good_new_ads_found`` (share of new ads with ``ctr`` above the 75th percentile
        of Beta(2, 98), about 0.027, that reach 100 impressions; NaN when there is none).
    """
    n_rounds = check_int("n_rounds", n_rounds, 1)
    epsilons = check_distinct_numbers("epsilons", epsilons, 0, 1)
    n_initial_ads = check_int("n_initial_ads", n_initial_ads, 1)
    new_ads_per_1000_rounds = check_number("new_ads_per_1000_rounds", new_ads_per_1000_rounds, 0)
    prior_strength = check_number("prior_strength", prior_strength, 0, low_open=True)
    mean_ad_lifetime_rounds = _check_lifetime(mean_ad_lifetime_rounds)
    eligible_share = check_number("eligible_share", eligible_share, 0, 1, low_open=True)
    seed = check_int("seed", seed, 0)
    rng = np.random.default_rng(seed)
    ads = _draw_bandit_ads(rng, n_rounds, n_initial_ads, new_ads_per_1000_rounds, mean_ad_lifetime_rounds)
    shown, impressions, revenue, oracle_revenue = _run_auctions(ads, np.array(epsilons), n_rounds, prior_strength, eligible_share, rng)
    sold = shown >= 0
    shown_ad = np.maximum(shown, 0)
    is_new = ads["arrival"] > 0
    good_new = is_new & (ads["ctr"] > stats.beta.ppf(0.75, *BANDIT_CTR_PRIOR))
    found = (impressions[:, good_new] >= YOUNG_AD_IMPRESSIONS).mean(axis=1) if good_new.any() else np.full(len(epsilons), np.nan)
    return pd.DataFrame(
        {
            "epsilon": epsilons,
            "expected_revenue": revenue,
            "revenue_vs_oracle": revenue / oracle_revenue if oracle_revenue > 0 else np.nan,
            "new_ad_impression_share": (sold & is_new[shown_ad]).sum(axis=0) / max(sold[:, 0].sum(), 1),
            "good_new_ads_found": found,
        }
    )


class _WindowFits:
    """Models fitted on day windows ``[start, end)`` at the start of day ``end`` (point-in-time
    labels), each window fitted once, and their log losses on a day, each (window, day) scored
    once; normalized entropies and paired intervals from those losses."""

    def __init__(self, impressions: pd.DataFrame, days: np.ndarray, make_model: ModelFactory, seed: int = 0):
        self.impressions, self.days, self.make_model, self.seed = impressions, days, make_model, seed
        self.fitted, self.losses, self.truth_losses = {}, {}, {}
        self.entropy = {}

    def rows(self, start: int, end: int) -> int:
        return int(((self.days >= start) & (self.days < end)).sum())

    def model(self, start: int, end: int):
        if (start, end) not in self.fitted:
            window = self.impressions[(self.days >= start) & (self.days < end)]
            self.fitted[start, end] = self.make_model().fit(window, labels_known_at(window, end))
        return self.fitted[start, end]

    def log_losses(self, start: int, end: int, day: int, truth: bool = False) -> np.ndarray:
        """Per impression of ``day``: the log loss against its click, or with ``truth`` its
        expected log loss under the true click probability ``q``,
        ``−[q ln p + (1 − q) ln(1 − p)]`` (free of the noise of which impressions were clicked)."""
        if (start, end, day) not in self.losses:
            served = self.impressions[self.days == day]
            clicks, prediction = served["click"].to_numpy(), self.model(start, end).predict(served)
            self.losses[start, end, day] = log_losses(clicks, prediction)
            truth_ctr = served["true_ctr"].to_numpy()
            self.truth_losses[start, end, day] = (truth_ctr * log_losses(np.ones_like(clicks), prediction)
                                                  + (1 - truth_ctr) * log_losses(np.zeros_like(clicks), prediction))
            self.entropy[day] = base_entropy(clicks)
        return (self.truth_losses if truth else self.losses)[start, end, day]

    def normalized_entropy(self, start: int, end: int, day: int) -> float:
        return float(self.log_losses(start, end, day).mean() / self.entropy[day])

    def paired_gap(self, served_a: list, served_b: list, truth: bool = False):
        """Interval of ``mean_d NE_b,d − NE_a,d`` over the days of ``served_a`` and ``served_b``
        (lists of ``(day, window)``, the same days in the same order), resampling ads; with
        ``truth`` from the expected log losses under the true click probabilities."""
        days = [day for day, _ in served_a]
        loss_a = np.concatenate([self.log_losses(*window, day, truth) for day, window in served_a])
        loss_b = np.concatenate([self.log_losses(*window, day, truth) for day, window in served_b])
        on_days = np.isin(self.days, days)
        day, ads = self.days[on_days], self.impressions["ad_id"].to_numpy()[on_days]
        order = np.concatenate([np.flatnonzero(day == d) for d in days])
        values = day_weighted_difference(loss_a, loss_b, day[order], self.entropy)
        return cluster_mean_interval(values, ads[order], seed=self.seed)

    def gap(self, stale: tuple[int, int], fresh: tuple[int, int], days: list[int]):
        """Interval of the mean over ``days`` of stale minus fresh NE."""
        return self.paired_gap([(day, fresh) for day in days], [(day, stale) for day in days])

    def mean_gap(self, stale: tuple[int, int], served: list):
        """Interval of the mean over the days of ``served`` (``(day, fresh window)``) of stale
        minus fresh NE."""
        return self.paired_gap(served, [(day, stale) for day, _ in served])


def _downsampling_split(market: AdMarket, first_test_day: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    impressions = _check_market(market)
    first_test_day = check_int("first_test_day", first_test_day, 1, _last_day(impressions))
    return split_by_day(impressions, first_test_day)


def _draw_bandit_ads(rng, n_rounds: int, n_initial_ads: int, new_ads_per_1000_rounds: float, mean_lifetime: float) -> dict[str, np.ndarray]:
    n_new = rng.poisson(new_ads_per_1000_rounds * n_rounds / 1000)
    n_ads = n_initial_ads + n_new
    ctr = rng.beta(*BANDIT_CTR_PRIOR, n_ads)
    arrival = np.concatenate([np.zeros(n_initial_ads, dtype=np.int64), np.sort(rng.integers(1, max(n_rounds, 2), n_new))])
    lifetime = rng.exponential(1.0, n_ads) * mean_lifetime
    history = np.where(arrival == 0, INCUMBENT_HISTORY_IMPRESSIONS, 0)
    return {
        "ctr": ctr,
        "bid": rng.lognormal(0, BANDIT_BID_SIGMA, n_ads),
        "arrival": arrival,
        "retirement": arrival + lifetime,
        "history_impressions": history,
        "history_clicks": rng.binomial(history, ctr),
    }


def _run_auctions(
    ads: dict[str, np.ndarray], epsilons: np.ndarray, n_rounds: int, prior_strength: float, eligible_share: float, rng
) -> tuple[np.ndarray, np.ndarray, float]:
    """Each round's shown ad per ε (-1 when no ad is eligible), each ad's impressions per ε, the
    expected second-price revenue per ε, and the truthful auction's ``Σ_rounds`` second-highest
    eligible ``bid × ctr``."""
    n_policies, n_ads = len(epsilons), len(ads["ctr"])
    policies = np.arange(n_policies)
    value = ads["bid"] * ads["ctr"]
    impressions = np.zeros((n_policies, n_ads))
    history = ads["history_impressions"]
    clicks = np.tile(ads["history_clicks"].astype(float), (n_policies, 1))
    pseudo_clicks = prior_strength * NEW_AD_PRIOR_SHARE * stats.beta.mean(*BANDIT_CTR_PRIOR)
    explore_draw, pick_draw, click_draw = rng.random((3, n_rounds))
    shown = np.full((n_rounds, n_policies), -1)
    revenue = np.zeros(n_policies)
    oracle_revenue = 0.0
    for round_index in range(n_rounds):
        eligible = (ads["arrival"] <= round_index) & (ads["retirement"] > round_index) & (rng.random(n_ads) < eligible_share)
        if not eligible.any():
            continue
        oracle_revenue += np.sort(value[eligible])[-2] if eligible.sum() > 1 else 0.0
        estimate = (clicks + pseudo_clicks) / (history + impressions + prior_strength)
        score = np.where(eligible, ads["bid"] * estimate, -np.inf)
        young = eligible & (history + impressions < YOUNG_AD_IMPRESSIONS)
        n_young = young.sum(axis=1)
        young_pick = (np.cumsum(young, axis=1) > (pick_draw[round_index] * n_young)[:, None]).argmax(axis=1)
        explore = (explore_draw[round_index] < epsilons) & (n_young > 0)
        chosen = np.where(explore, young_pick, score.argmax(axis=1))
        revenue += second_prices(score, estimate, ads["bid"], chosen) * ads["ctr"][chosen]
        impressions[policies, chosen] += 1
        clicks[policies, chosen] += click_draw[round_index] < ads["ctr"][chosen]
        shown[round_index] = chosen
    return shown, impressions, revenue, oracle_revenue


def second_prices(score: np.ndarray, estimate: np.ndarray, bids: np.ndarray, chosen: np.ndarray) -> np.ndarray:
    """Per-click price of the ``chosen`` column of each row: the highest other ``score``
    (``bid × estimate``, ``-inf`` where not a candidate) over the chosen ad's ``estimate``, at most
    its bid, 0 without another candidate — :func:`~.auction.run_auctions`' generalized second
    price without a reserve when the chosen ad is the top score."""
    rows = np.arange(len(score))
    others = score.copy()
    others[rows, chosen] = -np.inf
    runner_up = np.maximum(others.max(axis=1), 0.0)
    return np.minimum(bids[chosen], runner_up / estimate[rows, chosen])


def _check_market(market) -> pd.DataFrame:
    if not isinstance(market, AdMarket):
        raise ValueError(f"market must be an AdMarket from simulate_market; got {type(market).__name__}")
    return market.impressions


def _last_day(impressions: pd.DataFrame) -> int:
    return int(impressions["day"].max())


def _check_lifetime(mean_ad_lifetime_rounds) -> float:
    """A number > 0, infinity included: an infinite mean lifetime keeps every ad."""
    lifetime = mean_ad_lifetime_rounds
    if not is_number(lifetime) or not lifetime > 0:  # NaN fails the comparison
        allowed = "a number > 0 (inf allowed)"
        raise ValueError(f"mean_ad_lifetime_rounds must be {allowed}; got {lifetime!r}")
    return float(lifetime)
