"""Notebook 1's framing: when each event of an order arrives, what a duration is made of, and how
long its label takes.

- :data:`LABEL_TIMELINE` — every event from checkout to the customer's rating, with its typical
  delay and what it sets;
- :func:`duration_parts` — on the simulator, the mean, median and 90th percentile of each part of
  a duration (preparation, wait for pickup, travel) and its share of the mean duration;
- :func:`food_waits_share` — on the simulator, the share of orders whose food is ready before the
  courier arrives (the courier waits on the others);
- :func:`label_delay` — per order, the minutes from checkout to its label, ``(delivered_time −
  time) × 1440`` (NaN for a table without timestamps).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlsd.cases.delivery_eta.schema import MINUTES_PER_DAY

LABEL_TIMELINE = pd.DataFrame(
    [
        ("checkout", "0", 0.0, "the features: basket, store, drive time, real-time state"),
        ("courier assigned", "minutes", 0.1, "the wait's first part"),
        ("food ready", "10–30 min", 0.4, "preparation (from the store's tablet)"),
        ("picked up", "15–40 min", 0.6, "wait for pickup"),
        ("delivered", "20–60 min; hours for a stuck order", 3.0, "the label: duration"),
        ("rating, refund", "hours to days", 48.0, "complaints and credits, not the label"),
    ],
    columns=["event", "arrives", "hours_after_checkout", "sets"],
).set_index("event")
"""Every event from checkout to the customer's rating: when it arrives (``hours_after_checkout``,
its order of magnitude, the longest case) and what it sets. The store history feature may use an
order's duration only once it is delivered (:func:`~.features.store_history`)."""

PARTS = {"preparation": "true_prep_min", "wait for pickup": "true_wait_min",
         "travel": "true_travel_min"}
"""Each part of a duration and its truth column in the simulator's orders."""


def duration_parts(world) -> pd.DataFrame:
    """For each part of :data:`PARTS` and the whole ``duration``: ``mean``, ``median`` and
    ``p90`` in minutes over the simulated orders of ``world``, and ``share_of_mean`` (the part's
    mean over the duration's: the parts add up to the duration, so the shares add up to 1)."""
    orders = world.orders
    columns = {**PARTS, "duration": "duration_min"}
    rows = {name: orders[column].to_numpy(dtype=float) for name, column in columns.items()}
    total = rows["duration"].mean()
    return pd.DataFrame({name: {"mean": values.mean(), "median": np.median(values),
                                "p90": np.percentile(values, 90),
                                "share_of_mean": values.mean() / total}
                         for name, values in rows.items()}).T.rename_axis("part")


def food_waits_share(world) -> float:
    """The share of ``world``'s orders whose courier arrived after the food was ready: those with
    no courier idle time (``courier_idle_min == 0``)."""
    return float(np.mean(world.orders["courier_idle_min"].to_numpy() == 0))


def label_delay(table: pd.DataFrame) -> pd.Series:
    """Minutes from checkout to the label of each order of ``table``: ``(delivered_time − time) ×
    1440``, indexed like ``table`` (NaN throughout for a table without timestamps)."""
    delay = (table["delivered_time"].to_numpy(dtype=float)
             - table["time"].to_numpy(dtype=float)) * MINUTES_PER_DAY
    return pd.Series(delay, index=table.index, name="label_delay_min")
