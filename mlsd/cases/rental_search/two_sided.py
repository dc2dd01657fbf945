"""The two-sided objective: a booking needs the guest's request *and* the host's yes, so ranking by
``P(book) = P(request) × P(host accepts)`` rather than by ``P(request)`` alone trades a little of
what guests ask for against the requests hosts turn down.

In the simulator each host has an acceptance propensity ``α_l`` (a quarter of hosts are picky,
mean 0.5; the others accept 89% on average) and accepts a request with ``true_accept =
σ(logit α_l + ACCEPT_NIGHTS ln(nights / TYPICAL_NIGHTS))`` (:mod:`.simulate`); a rejected guest
goes on down the page, and every rejection is a guest let down.

- :func:`request_model` — ``P̂(request)`` per row: :class:`~.models.PointwiseGBDT` on the gains
  :data:`REQUEST_GAINS` (1 for a request, booked or rejected; 0 otherwise), i.e. a regression on
  whether the guest asked to book;
- :class:`AcceptanceModel` — ``P̂(accept)`` per listing from its host's past answers: ``(accepted
  + PRIOR_REQUESTS m) / (requests + PRIOR_REQUESTS)`` with ``m`` the training requests' overall
  acceptance rate (a Beta prior worth :data:`PRIOR_REQUESTS` requests; a host never asked gets
  ``m``);
- :func:`acceptance_error` — the learned acceptance against the truth, beside the constant ``m``;
- :func:`two_sided_table` — orders judged on the truth: bookings, rejections, the requests'
  acceptance rate and the share of the first page held by picky hosts (``true_accept < 0.5``).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from mlsd.cases.rental_search.evaluation import (
    K,
    check_scores,
    expected_gain,
    expected_outcomes,
    ndcg,
    rank_within_search,
)
from mlsd.cases.rental_search.models import PointwiseGBDT
from mlsd.validation import check_int, check_number

REQUEST_GAINS = {"booked": 1.0, "rejected": 1.0, "long_click": 0.0, "click": 0.0, "viewed": 0.0}
"""The gains that make a pointwise regression predict ``P(request)``."""
PRIOR_REQUESTS = 5.0
"""The weight of the overall acceptance rate in a host's estimate, in requests."""
PICKY = 0.5
"""A host is picky for :func:`two_sided_table` when ``true_accept`` is below this."""


def request_model(train: pd.DataFrame, n_trees: int = 100, seed: int = 0) -> PointwiseGBDT:
    """:class:`~.models.PointwiseGBDT` fitted on ``train`` with :data:`REQUEST_GAINS`: ``n_trees``
    trees at learning rate 0.1 (fewer, faster-learning trees than the default ranker's)."""
    return PointwiseGBDT(gains=REQUEST_GAINS, n_trees=n_trees, learning_rate=0.1,
                         seed=seed).fit(train)


class AcceptanceModel:
    """A host's acceptance rate from the requests of the training rows, shrunk to the overall
    rate (module docstring)."""

    def __init__(self, prior_requests: float = PRIOR_REQUESTS):
        self.prior_requests = check_number("prior_requests", prior_requests, 0, low_open=True)

    def fit(self, train: pd.DataFrame) -> AcceptanceModel:
        requested = train["booking_request"].to_numpy() == 1
        if not requested.any():
            raise ValueError(f"the training rows hold no booking request (of {len(train)} rows); "
                             "acceptance is learned from hosts' answers to requests")
        listing = train["listing_id"].to_numpy()[requested]
        accepted = train["booked"].to_numpy(dtype=float)[requested]
        self.overall_ = float(accepted.mean())
        per_host = pd.DataFrame({"listing": listing, "accepted": accepted}).groupby("listing")
        counts = per_host["accepted"].agg(["sum", "size"])
        self.rate_ = ((counts["sum"] + self.prior_requests * self.overall_)
                      / (counts["size"] + self.prior_requests))
        return self

    def predict(self, rows: pd.DataFrame) -> np.ndarray:
        """``P̂(accept)`` of each row's host."""
        return self.rate_.reindex(rows["listing_id"].to_numpy()).fillna(self.overall_).to_numpy()


def acceptance_error(rows: pd.DataFrame, predicted) -> pd.DataFrame:
    """Mean absolute error against ``true_accept`` over ``rows`` of the ``learned`` acceptance
    (``predicted``) and of the ``constant`` (its mean over the rows), overall and for the picky
    hosts (``true_accept < PICKY``)."""
    truth = rows["true_accept"].to_numpy(dtype=float)
    predicted = np.asarray(predicted, dtype=float)
    if predicted.shape != truth.shape:
        raise ValueError(f"predicted must hold one value per row ({len(truth)}); got shape "
                         f"{predicted.shape}")
    picky = truth < PICKY
    guesses = {"learned": predicted, "constant": np.full(len(truth), predicted.mean())}
    return pd.DataFrame({name: {"mae": float(np.abs(guess - truth).mean()),
                                "mae_picky_hosts": float(np.abs(guess - truth)[picky].mean())}
                         for name, guess in guesses.items()}).T.rename_axis("acceptance")


def two_sided_table(rows: pd.DataFrame, scores: Mapping[str, np.ndarray],
                    examination_decay: float, *, k: int = K) -> pd.DataFrame:
    """One row per order of ``scores`` over the simulated ``rows``: ``bookings`` and
    ``rejections`` per search (:func:`~.evaluation.expected_outcomes`), ``acceptance`` (bookings
    over requests, ``bookings / (bookings + rejections)``), ``true_ndcg`` (NDCG@k on the expected
    gains) and ``picky_top_share`` (the share of the first ``k`` slots whose host is picky)."""
    k = check_int("k", k, 1)
    search = rows["search_id"].to_numpy()
    truth = expected_gain(rows)
    picky = rows["true_accept"].to_numpy(dtype=float) < PICKY
    table = {}
    for name, score in check_scores(scores, rows).items():
        outcome = expected_outcomes(rows, score, examination_decay)
        requests = outcome["bookings"] + outcome["rejections"]
        table[name] = {**outcome, "acceptance": outcome["bookings"] / requests,
                       "true_ndcg": ndcg(truth, score, search, k),
                       "picky_top_share": float(picky[rank_within_search(search, score) <= k]
                                                .mean())}
    return pd.DataFrame(table).T.rename_axis("order")
