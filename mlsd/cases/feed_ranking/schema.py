"""The one table every feed-ranking source is mapped onto: impressions, and the rule that labels them.

One row per post shown in a member's feed, sorted by ``time``:

=====================================  ==========================================================
``impression_id``                      int, 0 … n − 1
``time``, ``day``, ``hour``            days since the start (float), its whole day, the hour of day
``session_id``                         int code >= 0: one load of the feed by one member (derived
                                       from 30-minute gaps where a source logs none: KuaiRand)
``member_id``, ``post_id``             the member and the post (int codes >= 0)
``creator_id``, ``topic``              the post's creator and topic: codes >= 0 in pandas' nullable
                                       ``Int64``, ``<NA>`` where a source does not say
``position``                           the post's slot in the session's order, 1, 2, … (``Int64``);
                                       ``<NA>`` where a source does not log it (KuaiRand)
``source``                             the candidate source that proposed the post, a non-empty
                                       string (the simulator's :data:`SOURCES`; KuaiRand: the app
                                       page, ``tab N``, not a candidate source)
``format``                             one of :data:`FORMATS`
``post_age_hours``                     hours since the post was created, >= 0; NaN where unknown
``random_order``                       bool: the post was placed by the logging policy's
                                       exploration traffic, not by its ranking (the simulator: a
                                       session in random order; KuaiRand: a randomly exposed video,
                                       ``is_rand``)
``click``, ``like``, ``comment``,      0/1 per action; a like, comment or share need not follow a
``share``, ``hide``                    click (they can be made from the feed)
``dwell_seconds``                      seconds spent on the post after a click, >= 0; 0 without one
=====================================  ==========================================================

A source may add columns after these; the simulator adds ``policy_score``, the logging policy's
score, then its truth, which no real log has (``examine_probability`` and ``true_<head>`` for each
head of :data:`HEADS`).

The labels a model trains on are a design choice, not columns: :func:`head_labels` derives one 0/1
label per head, with ``long_dwell`` — a click followed by at least ``long_dwell_seconds`` of reading
(a click that bounces is not a read; LinkedIn's dwell-time post, 2020) — beside the raw actions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlsd.cases.contract import check_columns_and_codes
from mlsd.validation import check_number

SOURCES = ("network", "follows", "trending")
"""The simulator's candidate sources: posts of connections, of followed creators, and trending posts."""
FORMATS = ("text", "image", "video", "article")
ACTIONS = ("click", "like", "comment", "share", "hide")
HEADS = ("click", "long_dwell", "like", "comment", "share", "hide")
"""The model's heads: one calibrated probability each; the feed's score is their weighted sum."""
COLUMNS = (
    "impression_id", "time", "day", "hour", "session_id", "member_id", "post_id", "creator_id",
    "position", "source", "topic", "format", "post_age_hours", "random_order", *ACTIONS,
    "dwell_seconds",
)
CODE_COLUMNS = ("impression_id", "day", "hour", "session_id", "member_id", "post_id")
NULLABLE_CODE_COLUMNS = ("creator_id", "topic", "position")
"""Codes a source may not know: nullable ``Int64``, ``<NA>`` where unknown (``position`` counts from 1)."""
SIZE_COLUMNS = {"users": "member_id", "items": "post_id"}
"""The columns whose distinct values a loaded table's sizes count."""
LABEL_RULE = "head_labels"
"""The function of this module that turns impressions into the labels the heads train on."""
LONG_DWELL_SECONDS = 30.0
"""The default dwell after a click that makes it a read rather than a bounce."""


def head_labels(impressions: pd.DataFrame, long_dwell_seconds: float = LONG_DWELL_SECONDS) -> pd.DataFrame:
    """One 0/1 column per head of :data:`HEADS`, indexed like ``impressions``: each action as
    logged, and ``long_dwell`` = a click with ``dwell_seconds >= long_dwell_seconds`` (> 0)."""
    check_number("long_dwell_seconds", long_dwell_seconds, 0, low_open=True)
    labels = impressions[list(ACTIONS)].astype(np.int64)
    long_dwell = (impressions["click"].to_numpy() == 1) & \
        (impressions["dwell_seconds"].to_numpy() >= long_dwell_seconds)
    labels.insert(1, "long_dwell", long_dwell.astype(np.int64))
    return labels


def check_table(impressions: pd.DataFrame, source: str = "impressions") -> pd.DataFrame:
    """Return ``impressions`` unchanged if it follows the schema, else raise one ValueError that
    names ``source`` and the first rule broken."""
    check_columns_and_codes(impressions, COLUMNS, CODE_COLUMNS, source)
    for column in NULLABLE_CODE_COLUMNS:
        values, lowest = impressions[column], 1 if column == "position" else 0
        if not isinstance(values.dtype, pd.Int64Dtype) or (values.dropna() < lowest).any():
            raise ValueError(f"{source}: {column} must be a nullable Int64 of values >= {lowest} "
                             "(<NA> where unknown)")
    if (impressions["source"].astype(str).str.len() == 0).any():
        raise ValueError(f"{source}: source must be a non-empty string")
    unknown = impressions.loc[~impressions["format"].isin(FORMATS), "format"]
    if len(unknown):
        raise ValueError(f"{source}: format must be one of {FORMATS}; got {unknown.iloc[0]!r}")
    if (impressions["post_age_hours"].dropna() < 0).any():
        raise ValueError(f"{source}: post_age_hours must be >= 0 (NaN where unknown)")
    if not pd.api.types.is_bool_dtype(impressions["random_order"]):
        raise ValueError(f"{source}: random_order must be bool")
    for action in ACTIONS:
        if not np.isin(impressions[action].to_numpy(), (0, 1)).all():
            raise ValueError(f"{source}: {action} must be 0 or 1")
    dwell = impressions["dwell_seconds"].to_numpy(dtype=float)
    if np.isnan(dwell).any() or (dwell < 0).any() or (dwell[impressions["click"].to_numpy() == 0] != 0).any():
        raise ValueError(f"{source}: dwell_seconds must be >= 0 after a click and 0 without one")
    if not impressions["time"].is_monotonic_increasing:
        raise ValueError(f"{source}: rows must be sorted by time")
    return impressions
