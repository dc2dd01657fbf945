"""Two more trade-offs of rental search: the diversity of a results page and what it costs, and
the monitoring that watches the ranker in production, with an owner for each alert.

Diversity
    :func:`cap_room_type` re-ranks each search so that no room type holds more than ``cap`` of
    the first ``k`` slots while another type is available: a listing whose type already has
    ``cap`` listings above it (by the ranker's order) sinks below every listing that does not,
    the order within each part kept. :func:`diversity_table` judges orders on the truth and on
    the page's spread: the room types it shows, the share of its most common type and the
    standard deviation of its log prices.

Monitoring
    :func:`daily_metrics` computes, per day, what the search team watches: bookings per
    search, the share of requests hosts reject, the share of the first page given to listings
    without reviews, the click rate of position 1 in the ranked searches, and the share of
    randomised searches. :func:`monitor` compares each test day with the training days after
    the first :data:`WARMUP_DAYS` (their mean ``μ`` and standard deviation ``σ``):
    ``z = (value − μ) / σ``, an **alert** when ``|z| > Z_ALERT``. :func:`break_host_answers` plays an incident (the hosts'
    answers are lost on a day: every request is logged rejected) to test the monitor, and
    :func:`monitoring_plan` is the table of metrics, thresholds and owners.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from mlsd.cases.rental_search.cold_start import no_reviews
from mlsd.cases.rental_search.evaluation import (
    K,
    check_scores,
    expected_gain,
    expected_outcomes,
    ndcg,
    rank_within_search,
)
from mlsd.validation import check_int, check_number

CAP = 6
"""The default most listings of one room type on the first page of ten."""
WARMUP_DAYS = 2
"""The first days of the log, left out of the monitor's baseline (trips begun before the log
opened make them unlike the others)."""
Z_ALERT = 4.0
"""The monitor alerts when a day is more than this many baseline standard deviations away."""
METRICS = ("bookings_per_search", "rejection_share", "new_first_page_share", "top_ctr",
           "random_share")


def cap_room_type(rows: pd.DataFrame, score, cap: int = CAP) -> np.ndarray:
    """A score (``-position``) whose order is ``score``'s with, per search, the listings past the
    ``cap``-th of their room type sunk below the others (module docstring); ``cap >= 1``. The
    room type is read from ``rows['room_type']``."""
    cap = check_int("cap", cap, 1)
    search = rows["search_id"].to_numpy()
    rank = rank_within_search(search, score)
    order = np.lexsort((rank, search))
    kind = pd.Series(rows["room_type"].to_numpy()[order])
    earlier = kind.groupby([search[order], kind.to_numpy()]).cumcount().to_numpy()
    over = np.empty(len(rows), dtype=bool)
    over[order] = earlier >= cap
    return -rank_within_search(search, -(over * len(rows) + rank)).astype(float)


def diversity_table(rows: pd.DataFrame, scores: Mapping[str, np.ndarray],
                    examination_decay: float, *, k: int = K) -> pd.DataFrame:
    """One row per order of ``scores`` over the simulated ``rows`` (with ``room_type``):
    ``true_ndcg`` (NDCG@k on the expected gains), ``bookings`` per search, and over the first
    ``k`` slots of each search, averaged over searches: ``room_types`` (distinct types),
    ``top_type_share`` (the share of the most common type) and ``log_price_sd``."""
    k = check_int("k", k, 1)
    search = rows["search_id"].to_numpy()
    truth = expected_gain(rows)
    table = {}
    for name, score in check_scores(scores, rows).items():
        top = rank_within_search(search, score) <= k
        page = pd.DataFrame({"search": search[top], "type": rows["room_type"].to_numpy()[top],
                             "log_price": np.log(rows["price"].to_numpy(dtype=float)[top])})
        counts = page.groupby(["search", "type"]).size()
        per_search = counts.groupby(level="search")
        table[name] = {
            "true_ndcg": ndcg(truth, score, search, k),
            "bookings": expected_outcomes(rows, score, examination_decay)["bookings"],
            "room_types": float(per_search.size().mean()),
            "top_type_share": float((per_search.max() / per_search.sum()).mean()),
            "log_price_sd": float(page.groupby("search")["log_price"].std(ddof=0).mean()),
        }
    return pd.DataFrame(table).T.rename_axis("order")


def daily_metrics(rows: pd.DataFrame, k: int = K) -> pd.DataFrame:
    """One row per ``day`` of the results: the :data:`METRICS` (module docstring), the first
    page being the first ``k`` positions of the ranked (not randomised) searches."""
    k = check_int("k", k, 1)
    day = rows["day"].to_numpy()
    random = rows["random_order"].to_numpy(dtype=bool)
    position = rows["position"].astype("Float64").fillna(np.inf).to_numpy(dtype=float)
    request = rows["booking_request"].to_numpy(dtype=float)
    frame = pd.DataFrame({"day": day, "search": rows["search_id"].to_numpy(),
                          "booked": rows["booked"].to_numpy(dtype=float), "request": request,
                          "rejected": request - rows["booked"].to_numpy(dtype=float)})
    by_day = frame.groupby("day")
    searches = by_day["search"].nunique()
    first_page = ~random & (position <= k)
    top = ~random & (position == 1)
    random_searches = frame[random].groupby("day")["search"].nunique()
    return pd.DataFrame({
        "bookings_per_search": by_day["booked"].sum() / searches,
        "rejection_share": by_day["rejected"].sum() / by_day["request"].sum(),
        "new_first_page_share": pd.Series(no_reviews(rows)[first_page]).groupby(
            day[first_page]).mean(),
        "top_ctr": pd.Series(rows["click"].to_numpy(dtype=float)[top]).groupby(day[top]).mean(),
        "random_share": random_searches.reindex(searches.index, fill_value=0) / searches,
    }).rename_axis("day")


def break_host_answers(rows: pd.DataFrame, day: int) -> pd.DataFrame:
    """The results with the incident of :func:`monitor`'s test: on ``day`` the hosts' answers
    are lost, so every request of that day is logged rejected (``booked`` 0)."""
    days = rows["day"].to_numpy()
    if not (days == day).any():
        raise ValueError(f"day must be a day of the results, in [{days.min()}, {days.max()}]; "
                         f"got {day!r}")
    return rows.assign(booked=np.where(days == day, 0, rows["booked"].to_numpy()))


def monitor(rows: pd.DataFrame, first_test_day: int, z_alert: float = Z_ALERT,
            k: int = K) -> pd.DataFrame:
    """Each test day (``day >= first_test_day``) × metric of :func:`daily_metrics`: ``value``,
    the baseline ``mean`` and ``sd`` over days ``WARMUP_DAYS … first_test_day − 1``, ``z`` and
    ``status`` (``alert`` when ``|z| > z_alert``, else ``ok``)."""
    z_alert = check_number("z_alert", z_alert, 0, low_open=True)
    daily = daily_metrics(rows, k)
    baseline = daily.loc[(daily.index >= WARMUP_DAYS) & (daily.index < first_test_day)]
    if len(baseline) < 3:
        raise ValueError(f"first_test_day must leave at least 3 baseline days after the "
                         f"{WARMUP_DAYS} warm-up days; got {first_test_day!r}")
    test = daily.loc[daily.index >= first_test_day]
    long = test.stack().rename("value").reset_index().rename(columns={"level_1": "metric"})
    long["mean"] = baseline.mean().reindex(long["metric"]).to_numpy()
    long["sd"] = baseline.std(ddof=1).reindex(long["metric"]).to_numpy()
    long["z"] = (long["value"] - long["mean"]) / long["sd"]
    long["status"] = np.where(long["z"].abs() > z_alert, "alert", "ok")
    return long


def monitoring_plan(z_alert: float = Z_ALERT) -> pd.DataFrame:
    """The metrics of :func:`daily_metrics` as a plan: what each watches, its alert rule (``z``
    against the training days, as :func:`monitor` computes it) and who owns it, then two the log
    cannot compute (latency, the feature store)."""
    rule = f"|z| > {z_alert:g}"
    rows = [
        ("bookings_per_search", "the business outcome, a day late", rule,
         "search ranking on-call"),
        ("rejection_share", "hosts turning guests down", rule, "host experience team"),
        ("new_first_page_share", "new listings' exposure (cold start)", rule,
         "marketplace team"),
        ("top_ctr", "the first slot still earns clicks", rule, "search ranking on-call"),
        ("random_share", "the exploration traffic is still served", rule,
         "experimentation platform"),
        ("p99 latency", "the 300 ms budget of a search", "> 300 ms for 5 min", "search infra"),
        ("feature freshness", "price and availability for the dates", "older than 1 h",
         "data platform"),
    ]
    return pd.DataFrame(rows, columns=["metric", "watches", "alert", "owner"]).set_index("metric")
