"""Point-in-time features of an impression: what the feed's counters held when it was served.

Every feature of an impression ``i`` at time ``t_i`` (days) is computed from the *events* that had
arrived strictly before it. An impression ``j`` and its actions (the labels of
:func:`~.schema.head_labels`) arrive together at ``a_j = t_j + delay_minutes / 1440``: the member
acts within seconds to minutes (a read ends after its dwell) and the stream that carries the
actions to the counters lags a few minutes more, :data:`LABEL_DELAY_MINUTES` by default. So
``j`` counts for ``i`` only if ``a_j < t_i`` (:func:`counts_before`): an impression never counts
for itself, for an earlier impression or for one at the same time, and with a delay > 0 not for
the next rows of its own session either. The same functions serve a training row and a served row: a
counter read at ``t_i`` is what the online store held then, so features are the same offline
and online.

Smoothed rates (:func:`rate_features`), one per head ``h`` of :data:`~.schema.HEADS` and key::

    rate_h(key, t) = (k_h + m · g_h) / (n + m),    g_h(t) = K_h / N

with ``n``, ``k_h`` the arrived impressions of the key and those labelled ``h``, ``N``, ``K_h``
the same over every impression (the global rate, itself point-in-time; 0 before any impression
has arrived, the first minutes of a log), and ``m`` the prior strength
(:data:`PRIOR_STRENGTH` pseudo-impressions). The keys: the member (``member_<h>``), the member
on the post's topic (``member_topic_<h>``) and the creator (``creator_<h>``); each key's ``n`` is
a feature too (``member_impressions``, …), so a model can tell a rate of many impressions from
one still close to its prior. A key that is ``<NA>`` (KuaiRand without its video features:
creator and topic unknown) counts nothing and reads ``n = k = 0``, so it gets the global rate.

The post's engagement so far (:func:`post_engagement`): ``post_views``, its arrived impressions,
and ``post_engagements``, the clicks, likes, comments and shares among them
(:data:`ENGAGEMENTS`, as the simulator's trending list counts them) — the *streaming* counter,
read at ``t_i``. :func:`daily_post_engagement` reads the same counter at the start of the
impression's day, ``floor(t_i)``, as a daily batch job would: it never exceeds the streaming one,
equals it for an impression at the very start of a day, and lags most for a viral post on its
first day.

Context (:func:`context_features`): ``post_age_hours`` (NaN where unknown becomes 0, with
``age_unknown`` = 1), ``position`` (``<NA>``, not logged by KuaiRand, becomes
:data:`MISSING_POSITION`; ``serve_position`` fixes it for every row at serving), the format's code
in :data:`~.schema.FORMATS` and the candidate source's code among the sources a model was fit on
(-1 for one it never saw).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlsd.cases.feed_ranking.schema import FORMATS, HEADS, LONG_DWELL_SECONDS, head_labels
from mlsd.validation import check_int, check_number

LABEL_DELAY_MINUTES = 10.0
"""Minutes from an impression to its actions reaching the counters (the member's reaction plus
the stream's lag)."""
PRIOR_STRENGTH = 20.0
"""``m``: the pseudo-impressions of the global rate in every smoothed rate."""
MISSING_POSITION = 1
"""The slot given to an impression whose position is not logged. KuaiRand logs none; its
single-column page shows one video at a time, in the top slot."""
ENGAGEMENTS = ("click", "like", "comment", "share")
"""The actions a post's engagement counter adds up (a hide is not an engagement)."""
RATE_KEYS = ("member", "member_topic", "creator")
MINUTES_PER_DAY = 1_440


def arrival_time(table: pd.DataFrame, delay_minutes: float = LABEL_DELAY_MINUTES) -> np.ndarray:
    """When each impression and its actions reach the counters: ``time + delay_minutes / 1440``
    (days); ``delay_minutes >= 0``."""
    delay = check_number("delay_minutes", delay_minutes, 0)
    return table["time"].to_numpy(dtype=float) + delay / MINUTES_PER_DAY


def counts_before(event_key, event_time, weights, read_key, read_time) -> np.ndarray:
    """Per read ``i`` and weight column ``c``: ``Σ weights[j, c]`` over the events ``j`` with
    ``event_key[j] == read_key[i]`` and ``event_time[j] < read_time[i]`` (strictly).

    Keys are integer codes; an event with a key < 0 (unknown) counts for no read, and a read
    with a key < 0 gets 0. Vectorised: events and reads are sorted together by key, then time,
    reads before events at equal times, and each column is a cumulative sum within its key.
    ``weights`` is an integer array of shape ``(n_events, n_columns)``; returns int64 of shape
    ``(n_reads, n_columns)``.
    """
    event_key, read_key = np.asarray(event_key, np.int64), np.asarray(read_key, np.int64)
    weights = np.asarray(weights, np.int64).reshape(len(event_key), -1)
    known = event_key >= 0
    n_events, n_reads = int(known.sum()), len(read_key)
    key = np.concatenate([event_key[known], np.where(read_key >= 0, read_key, -1)])
    time = np.concatenate([np.asarray(event_time, float)[known], np.asarray(read_time, float)])
    is_event = np.r_[np.ones(n_events, np.int8), np.zeros(n_reads, np.int8)]
    order = np.lexsort((is_event, time, key))
    sorted_key = key[order]
    first = np.r_[True, sorted_key[1:] != sorted_key[:-1]] if len(order) else np.ones(0, bool)
    group_start = np.maximum.accumulate(np.where(first, np.arange(len(order)), 0))
    rank = np.empty(len(order), np.int64)
    rank[order] = np.arange(len(order))
    at_read = rank[n_events:]
    counts = np.zeros((n_reads, weights.shape[1]), np.int64)
    for column in range(weights.shape[1]):
        sorted_weight = np.r_[weights[known, column], np.zeros(n_reads, np.int64)][order]
        before = np.cumsum(sorted_weight) - sorted_weight
        counts[:, column] = (before - before[group_start])[at_read]
    return np.where(read_key[:, None] >= 0, counts, 0)


def rate_features(
    history: pd.DataFrame,
    rows: pd.DataFrame,
    prior_strength: float = PRIOR_STRENGTH,
    delay_minutes: float = LABEL_DELAY_MINUTES,
    long_dwell_seconds: float = LONG_DWELL_SECONDS,
) -> pd.DataFrame:
    """The smoothed past rate of every head for each row's member, member on topic and creator.

    ``rate_h = (k_h + m · g_h) / (n + m)`` as the module docstring says, counted over the
    ``history`` impressions (labelled by :func:`~.schema.head_labels` with
    ``long_dwell_seconds``) that had arrived before each row's ``time``; ``rows`` may be
    ``history`` itself. Columns ``<key>_<head>`` for each key of :data:`RATE_KEYS` and head, then
    ``<key>_impressions`` (its ``n``), indexed like ``rows``.
    """
    m = check_number("prior_strength", prior_strength, 0, low_open=True)
    arrived = arrival_time(history, delay_minutes)
    labels = head_labels(history, long_dwell_seconds).to_numpy()
    weights = np.column_stack([np.ones(len(history), np.int64), labels])
    read_time = rows["time"].to_numpy(dtype=float)
    totals = counts_before(np.zeros(len(history)), arrived, weights, np.zeros(len(rows)), read_time)
    global_rate = totals[:, 1:] / np.maximum(totals[:, :1], 1)
    features = {}
    for key in RATE_KEYS:
        counts = counts_before(_key_codes(history, key), arrived, weights, _key_codes(rows, key),
                               read_time)
        rates = (counts[:, 1:] + m * global_rate) / (counts[:, :1] + m)
        features.update({f"{key}_{head}": rates[:, h] for h, head in enumerate(HEADS)})
        features[f"{key}_impressions"] = counts[:, 0]
    return pd.DataFrame(features, index=rows.index)


def post_engagement(
    history: pd.DataFrame, rows: pd.DataFrame, delay_minutes: float = LABEL_DELAY_MINUTES
) -> pd.DataFrame:
    """The streaming counter, read at each row's ``time``: ``post_views``, the ``history``
    impressions of the row's post that had arrived, and ``post_engagements``, the actions of
    :data:`ENGAGEMENTS` among them (a row with a click and a like counts 2)."""
    return _post_counts(history, rows, rows["time"].to_numpy(dtype=float), delay_minutes)


def daily_post_engagement(
    history: pd.DataFrame, rows: pd.DataFrame, delay_minutes: float = LABEL_DELAY_MINUTES
) -> pd.DataFrame:
    """The daily batch counter: :func:`post_engagement` read at the start of each row's day,
    ``floor(time)`` — the numbers a job run at midnight serves all day long."""
    return _post_counts(history, rows, np.floor(rows["time"].to_numpy(dtype=float)), delay_minutes)


def _post_counts(history, rows, read_time, delay_minutes) -> pd.DataFrame:
    weights = np.column_stack([np.ones(len(history), np.int64),
                               history[list(ENGAGEMENTS)].to_numpy(np.int64).sum(axis=1)])
    counts = counts_before(history["post_id"].to_numpy(), arrival_time(history, delay_minutes),
                           weights, rows["post_id"].to_numpy(), read_time)
    return pd.DataFrame({"post_views": counts[:, 0], "post_engagements": counts[:, 1]},
                        index=rows.index)


def context_features(
    rows: pd.DataFrame, sources: tuple[str, ...], serve_position: int | None = None
) -> pd.DataFrame:
    """``post_age_hours`` (NaN → 0), ``age_unknown`` (1 where it was NaN), ``position``
    (``<NA>`` → :data:`MISSING_POSITION`; every row ``serve_position`` when given, an integer
    >= 1), ``format_code`` (index in :data:`~.schema.FORMATS`) and ``source_code`` (index in
    ``sources``, -1 for a source not among them), indexed like ``rows``."""
    age = rows["post_age_hours"].to_numpy(dtype=float)
    position = rows["position"].fillna(MISSING_POSITION).to_numpy(dtype=np.int64)
    if serve_position is not None:
        position = np.full(len(rows), check_int("serve_position", serve_position, 1))
    return pd.DataFrame({
        "post_age_hours": np.nan_to_num(age, nan=0.0),
        "age_unknown": np.isnan(age).astype(np.int64),
        "position": position,
        "format_code": pd.Index(FORMATS).get_indexer(rows["format"]).astype(np.int64),
        "source_code": pd.Index(sources).get_indexer(rows["source"].astype(str)).astype(np.int64),
    }, index=rows.index)


def point_in_time_features(
    history: pd.DataFrame,
    rows: pd.DataFrame,
    sources: tuple[str, ...],
    *,
    serve_position: int | None = None,
    prior_strength: float = PRIOR_STRENGTH,
    delay_minutes: float = LABEL_DELAY_MINUTES,
    long_dwell_seconds: float = LONG_DWELL_SECONDS,
) -> pd.DataFrame:
    """Every feature of ``rows`` from the events of ``history``: :func:`rate_features`, then
    :func:`post_engagement` (streaming), then :func:`context_features`."""
    return pd.concat([
        rate_features(history, rows, prior_strength, delay_minutes, long_dwell_seconds),
        post_engagement(history, rows, delay_minutes),
        context_features(rows, sources, serve_position),
    ], axis=1)


def _key_codes(table: pd.DataFrame, key: str) -> np.ndarray:
    """The integer code of each row's ``key`` (:data:`RATE_KEYS`), -1 where a part is ``<NA>``."""
    member = table["member_id"].to_numpy(np.int64)
    if key == "member":
        return member
    column = "creator_id" if key == "creator" else "topic"
    values = table[column].to_numpy(dtype=float, na_value=np.nan)
    known = ~np.isnan(values)
    code = np.where(known, np.nan_to_num(values, nan=0.0), 0).astype(np.int64)
    if key == "member_topic":
        code = member * 2**31 + code  # one code per (member, topic): both are < 2**31
    return np.where(known, code, -1)
