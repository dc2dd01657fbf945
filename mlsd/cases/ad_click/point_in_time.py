"""Time flows one way: what a counter or a training job could have known at the moment it ran.

A click arrives ``click_delay_hours`` after its impression, at time (days)
``arrival = time + click_delay_hours / 24`` (:func:`click_arrival`). At a moment ``T``:

- a **counter** read at ``T`` counts the impressions shown before ``T`` and only the clicks with
  ``arrival <= T`` (:func:`~.features.as_of_day_rates` with ``known_at``);
- a **model trained** at ``T`` sees the label "clicked, and the click had arrived by ``T``"
  (:func:`labels_known_at`), optionally also within a label window of ``W`` hours.

Using the *eventual* label instead — every click, whenever it arrives — is a leak: offline the
model and its features look as if the late clicks were already in, which serving never sees.
:func:`late_click_share` measures how many counted clicks that is; :func:`leak_table` measures what
the leak does to an offline evaluation against what serving achieves.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlsd.cases.ad_click.intervals import base_entropy, cluster_mean_interval, log_losses
from mlsd.cases.ad_click.schema import clicks_within
from mlsd.metrics import calibration_ratio, normalized_entropy
from mlsd.uncertainty import Interval
from mlsd.validation import check_int, check_number

HOURS_PER_DAY = 24


def click_arrival(impressions: pd.DataFrame) -> np.ndarray:
    """When each click arrived, in days: ``time + click_delay_hours / 24`` (NaN without a click)."""
    return impressions["time"].to_numpy() + impressions["click_delay_hours"].to_numpy() / HOURS_PER_DAY


def labels_known_at(impressions: pd.DataFrame, moment: float, window_hours: float | None = None) -> np.ndarray:
    """The labels a job running at time ``moment`` (days) sees: 1 when the impression was clicked
    and the click had arrived by then (``arrival <= moment``) — and, with ``window_hours``, arrived
    within that many hours of the impression (:func:`~.schema.clicks_within`)."""
    moment = check_number("moment", moment)
    arrived = click_arrival(impressions) <= moment  # NaN (no click) compares False
    if window_hours is not None:
        arrived &= clicks_within(impressions, window_hours) == 1
    return arrived.astype(np.int64)


def late_click_share(impressions: pd.DataFrame, window_hours: float = 24.0, window_days: int = 7) -> pd.DataFrame:
    """How many of the clicks an eventual-label counter counts had not arrived when it was read.

    For each read day ``d`` from ``window_days`` on (the counter read at time ``d``, as
    :func:`~.features.as_of_day_rates` does): the clicks within ``window_hours`` of the impressions
    of days ``[d - window_days, d)`` — what an eventual-label counter counts — and the share of
    them arriving after ``d``, over the whole window and over the last day ``d - 1`` alone.

    Returns one row per read day: ``day``, ``counted_clicks``, ``late_share``,
    ``last_day_late_share``.
    """
    window_days = check_int("window_days", window_days, 1)
    day = impressions["day"].to_numpy()
    counted = clicks_within(impressions, window_hours) == 1
    arrival = click_arrival(impressions)
    rows = []
    for read_day in range(window_days, int(day.max()) + 1):
        in_window = counted & (day >= read_day - window_days) & (day < read_day)
        last_day = counted & (day == read_day - 1)
        late = arrival > read_day
        rows.append({
            "day": read_day,
            "counted_clicks": int(in_window.sum()),
            "late_share": float((in_window & late).sum() / max(in_window.sum(), 1)),
            "last_day_late_share": float((last_day & late).sum() / max(last_day.sum(), 1)),
        })
    return pd.DataFrame(rows)


def leak_table(train: pd.DataFrame, test: pd.DataFrame, make_model, window_hours: float = 24.0) -> pd.DataFrame:
    """The same model evaluated offline with eventual labels and counters, and point-in-time.

    ``make_model(point_in_time)`` returns an unfitted :class:`~.models.HistoricalGBDT` whose
    counters count eventual clicks (False) or only the clicks that had arrived (True). Training
    happens at time ``T`` = the first test day; the test days are served one by one, each day's
    counters read at its start. Rows:

    - ``offline, eventual labels``: trained on ``clicks_within(window_hours)`` of every training
      row (labels of the last hours that had not arrived by ``T`` included) with eventual
      counters, and scored with eventual counters — the evaluation that leaks;
    - ``offline, point-in-time``: trained on :func:`labels_known_at` ``T`` with point-in-time
      counters, scored with point-in-time counters;
    - ``served: trained on eventual labels``: the first model, but scored with the counters
      serving holds (point-in-time) — what that model achieves online;
    - ``served: trained point-in-time``: the second model online — the same counters as its
      offline row, so the same numbers: its offline evaluation is what serving achieves.

    Each scored against the eventual clicks of the test days (the truth, known later): columns
    ``normalized_entropy``, ``calibration_ratio`` (``mean(p) / mean(click)``), ``mean_prediction``;
    and for the two offline rows ``served_minus_offline_ne`` — how much worse the same model does
    served than its offline evaluation said (0 for the point-in-time model) — with its 95%
    interval ``_low``, ``_high`` resampling ads (:func:`~.intervals.cluster_mean_interval`);
    NaN on the served rows.
    """
    moment = float(test["day"].min())
    eventual_labels = clicks_within(train, window_hours)
    known_labels = labels_known_at(train, moment, window_hours)
    test_labels = clicks_within(test, window_hours)
    leaky = make_model(False).fit(train, eventual_labels).update_counters(test, test_labels)
    honest = make_model(True).fit(train, known_labels).update_counters(test, test_labels)
    honest_prediction = honest.predict(test)
    predictions = {
        "offline, eventual labels": leaky.predict(test),
        "offline, point-in-time": honest_prediction,
        "served: trained on eventual labels": leaky.predict_with(test, point_in_time=True),
        "served: trained point-in-time": honest_prediction,
    }
    served_row = {"offline, eventual labels": "served: trained on eventual labels",
                  "offline, point-in-time": "served: trained point-in-time"}
    clicks, ads = test["click"].to_numpy(), test["ad_id"].to_numpy()
    entropy = base_entropy(clicks)
    rows = {}
    for name, p in predictions.items():
        row = {"normalized_entropy": normalized_entropy(clicks, p),
               "calibration_ratio": calibration_ratio(clicks, p), "mean_prediction": float(p.mean())}
        gap = Interval(np.nan, np.nan, np.nan, 0.95, 0)
        if name in served_row:
            difference = log_losses(clicks, predictions[served_row[name]]) - log_losses(clicks, p)
            gap = cluster_mean_interval(difference / entropy, ads)
        row.update(served_minus_offline_ne=gap.estimate, served_minus_offline_ne_low=gap.low,
                   served_minus_offline_ne_high=gap.high)
        rows[name] = row
    return pd.DataFrame(rows).T


def labels_at_training(rows: pd.DataFrame, window_hours: float | None = None) -> np.ndarray:
    """The labels a model trained on ``rows`` sees when it is trained at the start of the day after
    their last day: :func:`labels_known_at` with ``moment = floor(max time) + 1``."""
    if len(rows) == 0:
        raise ValueError("rows is empty; there is nothing to label")
    return labels_known_at(rows, float(np.floor(rows["time"].max()) + 1), window_hours)

