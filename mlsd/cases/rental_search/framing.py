"""Notebook 1's measurements: what each grade means, when its label arrives and how rare it is, the
orders to beat, and the exposure new listings get.

- :func:`grade_table` — per grade of :data:`~.schema.GRADES`, what it means, when its label can be
  read, its gain and how often it occurs (any source);
- :data:`LABEL_TIMELINE` — every event from the search to the review, with its typical delay;
- :func:`hours_to_booking` — on the simulator, the hours from a trip's first search to the search
  whose request was booked: how long the booking label waits on the guest;
- :func:`ordering_scores` and :func:`ordering_table` — the baseline (the quality heuristic), the
  logged order, a random order and, where the truth is known, the truth's own order (each row's
  expected gain given examination), on the case's scorecard;
- :func:`rate_by_position` — an outcome's rate at each position, on the logging policy's searches
  and on the random-order ones (any source that logs positions);
- :func:`new_listing_exposure` — the share of new listings among the candidates, among the truly
  best results, and in the logging policy's first screen.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from mlsd.cases.rental_search.evaluation import (
    K,
    expected_gain,
    has_truth_columns,
    logged_order,
    rank_within_search,
    scorecard,
)
from mlsd.cases.rental_search.models import quality_heuristic
from mlsd.cases.rental_search.schema import GAINS, GRADES, check_gains, check_table, grades
from mlsd.cases.rental_search.simulate import SearchWorld
from mlsd.validation import check_int

GRADE_STORIES: dict[str, tuple[str, str]] = {
    "booked": ("asked to book and the host accepted", "when the host answers: up to 24 h after "
               "the request"),
    "rejected": ("asked to book and the host declined", "when the host answers: up to 24 h after "
                 "the request"),
    "long_click": ("opened the listing and stayed on it",
                   "minutes: when the guest leaves the page"),
    "click": ("opened the listing", "seconds"),
    "viewed": ("shown, not opened", "at once (whether it was seen is not logged)"),
}
"""Each grade's meaning, and when its label can be read, for the framing table."""

LABEL_TIMELINE = pd.DataFrame(
    [
        ("click", "seconds", 1 / 600, "click"),
        ("long click", "minutes", 0.1, "long click"),
        ("booking request", "within the trip: hours to a day", 24.0, "request"),
        ("host's answer", "up to 24 h after the request", 48.0, "booked or rejected"),
        ("stay", "days to months after booking", 24.0 * 30, "no grade"),
        ("review", "up to 14 days after check-out", 24.0 * 60, "rating, reviews"),
    ],
    columns=["event", "arrives", "hours_after_search", "sets"],
).set_index("event")
"""Every event from the search to the review: when it arrives (``hours_after_search``: its order of
magnitude, in hours) and which grade or listing feature it sets. Airbnb gives hosts 24 hours to
answer a request, and guests and hosts 14 days after check-out to write a review (Airbnb's Help
Center)."""

ORDERINGS = ("quality heuristic", "logged order", "random", "truth's order")
"""The orders :func:`ordering_table` compares: the baseline first, the ceiling last."""


def grade_table(results: pd.DataFrame, gains: Mapping[str, float] = GAINS) -> pd.DataFrame:
    """One row per grade of :data:`~.schema.GRADES`, best first: ``means`` and ``label_arrives``
    (:data:`GRADE_STORIES`), ``gain`` (``gains``), ``rows`` (rows with that grade),
    ``share_of_rows`` (``rows / len(results)``) and ``per_100_searches`` (``100 rows /
    searches``, the searches counted as distinct ``search_id``)."""
    check_table(results)
    gains = check_gains(gains)
    counts = grades(results).value_counts().reindex(list(GRADES), fill_value=0)
    n_searches = results["search_id"].nunique()
    return pd.DataFrame(
        {
            "means": [GRADE_STORIES[grade][0] for grade in GRADES],
            "label_arrives": [GRADE_STORIES[grade][1] for grade in GRADES],
            "gain": [gains[grade] for grade in GRADES],
            "rows": counts.to_numpy(dtype=np.int64),
            "share_of_rows": counts.to_numpy() / max(len(results), 1),
            "per_100_searches": 100 * counts.to_numpy() / max(n_searches, 1),
        },
        index=pd.Index(GRADES, name="grade"),
    )


def hours_to_booking(world: SearchWorld) -> np.ndarray:
    """For each search that booked, the hours since its trip's first search in the log: how long
    after the guest started looking the booking request was made (0 when the first search
    booked)."""
    searches = world.searches
    first = searches.groupby("trip_id")["time"].min()
    booked = searches[searches["booked"] == 1]
    return 24 * (booked["time"].to_numpy() - first.loc[booked["trip_id"]].to_numpy())


def ordering_scores(results: pd.DataFrame, seed: int = 0) -> dict[str, np.ndarray]:
    """A score per row for each order of :data:`ORDERINGS`, higher first: the quality heuristic
    (:func:`~.models.quality_heuristic`, ``rating × ln(1 + reviews)``), the logged order
    (``-position``), a uniform draw seeded by ``seed`` and, only where ``results`` carry the
    simulator's truth, the truth's order (:func:`~.evaluation.expected_gain`)."""
    seed = check_int("seed", seed, 0)
    scores = {
        "quality heuristic": quality_heuristic(results),
        "logged order": logged_order(results),
        "random": np.random.default_rng(seed).random(len(results)),
    }
    if has_truth_columns(results):
        scores["truth's order"] = expected_gain(results)
    return scores


def ordering_table(results: pd.DataFrame, seed: int = 0, examination_decay: float | None = None,
                   k: int = K) -> pd.DataFrame:
    """The case's scorecard (:func:`~.evaluation.scorecard`) of each order of
    :func:`ordering_scores`, one row per order: offline ``ndcg`` and ``booking_mrr`` on the
    logged grades, ``top_rejection_rate``; with the truth ``true_ndcg`` and, given
    ``examination_decay``, ``bookings`` and ``rejections`` per search."""
    return scorecard(results, ordering_scores(results, seed), k=k,
                     examination_decay=examination_decay).rename_axis("order")


def new_listing_exposure(world: SearchWorld, results: pd.DataFrame, k: int = K) -> pd.Series:
    """Where new listings (``world.listings["new"]``) stand, as shares of rows:

    - ``candidates`` — among all rows of the random-order searches (a uniform sample of what
      retrieval found);
    - ``truly_best`` — among the first ``k`` rows of each random-order search ordered by the
      truth's expected gain (:func:`~.evaluation.expected_gain`): the results a perfect ranker
      would put on the first screen;
    - ``policy_first_screen`` — among positions ``1 … k`` of the logging policy's searches;
    - ``policy_exposure`` — their share of the examination the policy's searches give
      (``Σ examine_probability`` over new listings' rows / over all rows).
    """
    k = check_int("k", k, 1)
    new = world.listings["new"].to_numpy()[results["listing_id"].to_numpy()]
    explored = results["random_order"].to_numpy()
    if not explored.any() or explored.all():
        raise ValueError("new_listing_exposure needs searches of both kinds: random_order true "
                         "and false")
    truth_rank = rank_within_search(results["search_id"].to_numpy()[explored],
                                    expected_gain(results.iloc[np.flatnonzero(explored)]))
    policy = ~explored
    first_screen = policy & (results["position"].to_numpy(dtype=float) <= k)
    examined = results["examine_probability"].to_numpy()
    return pd.Series({
        "candidates": float(new[explored].mean()),
        "truly_best": float(new[explored][truth_rank <= k].mean()),
        "policy_first_screen": float(new[first_screen].mean()),
        "policy_exposure": float(examined[policy & new].sum() / examined[policy].sum()),
    }, name="new listings' share")


def rate_by_position(results: pd.DataFrame, outcome: str = "click",
                     max_position: int = 24) -> pd.DataFrame:
    """The mean of ``outcome`` (a 0/1 column, e.g. ``click``) at each position ``1 …
    max_position``, one column per kind of search that has rows: ``policy`` (the logged order)
    and ``random order`` (``random_order``); rows without a position are left out."""
    max_position = check_int("max_position", max_position, 1)
    if outcome not in results.columns:
        raise ValueError(f"outcome must be a column of results; got {outcome!r}")
    known = results[results["position"].notna()]
    known = known[known["position"].to_numpy(dtype=np.int64) <= max_position]
    kind = np.where(known["random_order"].to_numpy(), "random order", "policy")
    table = (known[outcome].astype(float).groupby([known["position"].to_numpy(dtype=np.int64),
                                                    kind]).mean().unstack())
    columns = [column for column in ("policy", "random order") if column in table.columns]
    return table[columns].rename_axis("position").rename_axis(None, axis=1)
