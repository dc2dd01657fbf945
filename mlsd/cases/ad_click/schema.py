"""The one table every ad-click source is mapped onto: impressions, and the rule that labels them.

One row per impression shown, sorted by ``time``:

``impression_id``                     int, 0 … n − 1
``time``, ``day``, ``hour``           days since the start (float), its whole day, the hour of day
``user_id``, ``user_segment``         the user and their interest segment (int codes >= 0)
``site_id``, ``device``, ``slot``     where the ad is shown: publisher, one of :data:`DEVICES`,
                                      position 1, 2, … on the page
``ad_id``, ``advertiser_id``,         the ad shown, its advertiser and category (int codes >= 0),
``ad_category``, ``bid``              and its bid per click
``ad_age_days``                       days since the ad was created
``user_ad_views``                     earlier impressions of this ad to this user (ad fatigue)
``click``                             1 if the user ever clicked, else 0
``click_delay_hours``                 hours from impression to click, > 0; NaN without a click

A source may add columns after these; the simulator adds ``true_ctr``, the truth no real log has.
The label is a design choice, not a column: :func:`clicks_within` counts a click only when it
arrived within a window, as a pipeline that must train before every late click is in would.

A second table kind: **feature-hashed logs.** A public click log such as Criteo's has none of the
columns above — no ids, device, slot, bid or click delay, only anonymous integer and hashed
categorical features — so mapping it onto the impressions would invent them. It keeps its own
columns instead, those of :data:`~.criteo.COLUMNS`: ``label`` (the click as the log's publisher
defined it, so no label window applies), ``I1`` … ``I13``, ``C1`` … ``C26`` and ``time`` (days,
in file order); :func:`check_hashed_log` checks it. It has no ``SIZE_COLUMNS``: its sizes are its
rows and days. The models of :mod:`.criteo_models` read it; those of :mod:`.models` read impressions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlsd.cases.ad_click.criteo import COLUMNS as HASHED_LOG_COLUMNS
from mlsd.cases.contract import check_columns_and_codes
from mlsd.validation import check_number

DEVICES = ("mobile", "desktop", "tablet")
COLUMNS = (
    "impression_id", "time", "day", "hour", "user_id", "user_segment", "site_id", "device", "slot",
    "ad_id", "advertiser_id", "ad_category", "ad_age_days", "user_ad_views", "bid", "click",
    "click_delay_hours",
)
CODE_COLUMNS = (
    "impression_id", "day", "hour", "user_id", "user_segment", "site_id", "ad_id", "advertiser_id",
    "ad_category", "user_ad_views",
)
SIZE_COLUMNS = {"users": "user_id", "items": "ad_id"}
"""The columns whose distinct values a loaded table's sizes count."""
LABEL_RULE = "clicks_within"
"""The function of this module that turns an impression into the label a model trains on."""


def clicks_within(impressions: pd.DataFrame, window_hours: float) -> np.ndarray:
    """Label = 1 when the impression was clicked within ``window_hours`` (> 0) of being shown."""
    check_number("window_hours", window_hours, 0, low_open=True)
    return (impressions["click_delay_hours"].to_numpy() <= window_hours).astype(np.int64)


def check_table(impressions: pd.DataFrame, source: str = "impressions") -> pd.DataFrame:
    """Return ``impressions`` unchanged if it follows the schema, else raise one ValueError that
    names ``source`` and the first rule broken."""
    check_columns_and_codes(impressions, COLUMNS, CODE_COLUMNS, source)
    unknown = impressions.loc[~impressions["device"].isin(DEVICES), "device"]
    if len(unknown):
        raise ValueError(f"{source}: device must be one of {DEVICES}; got {unknown.iloc[0]!r}")
    if len(impressions) and impressions["slot"].min() < 1:
        raise ValueError(f"{source}: slot must be a position >= 1")
    click = impressions["click"].to_numpy()
    if not np.isin(click, (0, 1)).all():
        raise ValueError(f"{source}: click must be 0 or 1")
    delay = impressions["click_delay_hours"].to_numpy(dtype=float)
    if not (np.isnan(delay[click == 0]).all() and (delay[click == 1] > 0).all()):
        raise ValueError(f"{source}: click_delay_hours must be > 0 for a click and NaN without one")
    if not impressions["time"].is_monotonic_increasing:
        raise ValueError(f"{source}: rows must be sorted by time")
    return impressions


def check_hashed_log(log: pd.DataFrame, source: str = "click log") -> pd.DataFrame:
    """Return ``log`` unchanged if it is a feature-hashed log (the columns of
    :data:`HASHED_LOG_COLUMNS`, ``label`` 0 or 1, sorted by ``time``, at least one row), else raise
    one ValueError that names ``source`` and the first rule broken."""
    missing = [column for column in HASHED_LOG_COLUMNS if column not in log.columns]
    if missing:
        raise ValueError(f"{source}: missing columns {missing}; a hashed log has {list(HASHED_LOG_COLUMNS)}")
    if log.empty:
        raise ValueError(f"{source}: no rows")
    if not np.isin(log["label"].to_numpy(), (0, 1)).all():
        raise ValueError(f"{source}: label must be 0 or 1")
    if not log["time"].is_monotonic_increasing:
        raise ValueError(f"{source}: rows must be sorted by time")
    return log
