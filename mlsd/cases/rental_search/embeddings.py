"""Listing embeddings learned from click sessions: which listings guests open in the same trip.

Airbnb learns a vector per listing with skip-gram over the sequences of listings a guest clicks in
a session (Grbovic & Cheng, "Real-time personalization using embeddings for search ranking at
Airbnb", KDD 2018): listings opened together get close vectors. Skip-gram with negative sampling
factorises a shifted pointwise mutual information matrix (Levy & Goldberg, "Neural word embedding
as implicit matrix factorization", NeurIPS 2014), so this module factorises that matrix directly —
**PPMI + truncated SVD** — which needs no learning rate, no epochs and no random draws:

1. **co-clicks** (:func:`co_click_counts`): for every trip (the session), each ordered pair of
   distinct listings the guest clicked in any of its searches counts once: ``C[i, j]`` is the
   number of trips that clicked both ``i`` and ``j`` (a skip-gram window as long as the trip);
2. **PPMI** (:func:`ppmi`): ``PMI(i, j) = ln(C[i, j] C[*, *] / (C[i, *] C[*, j]))`` and
   ``PPMI(i, j) = max(0, PMI(i, j) - ln shift)`` (0 where ``C[i, j] = 0``); ``shift`` is the
   number of negatives of skip-gram, 1 by default (plain PPMI);
3. **truncated SVD** (:class:`ListingEmbeddings`): ``PPMI ≈ U_d Σ_d V_dᵀ`` and listing ``i``'s
   vector is row ``i`` of ``U_d Σ_d^½`` (Levy & Goldberg's symmetric weighting), ``d = dim``.

A trip stays in one market, so ``C`` is block-diagonal by market, and the factorisation is done
market by market (each market its own ``d`` dimensions): a vector compares listings of one market.
A listing no training trip clicked together with another has no vector (NaN): the cold-start
listing the embedding cannot place.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from mlsd.validation import check_int, check_number

DIM = 8
"""The default number of dimensions per market."""
MIN_NORM = 1e-9
"""A listing's vector shorter than this is no vector: its direction would be rounding noise
(which differs between CPUs)."""
SIMILARITY_DECIMALS = 9
"""Cosines are compared rounded to this many decimals: far above the rounding error of the
linear algebra (which differs between CPUs), far below any difference that matters."""



def co_click_counts(results: pd.DataFrame, session: str = "trip_id") -> pd.DataFrame:
    """The co-clicks of ``results`` (rows with ``listing_id``, ``click`` and the ``session``
    column): one row per ordered pair ``listing_a != listing_b`` clicked in the same session,
    ``count`` the number of sessions that clicked both (a listing clicked twice in one session
    counts once)."""
    if session not in results.columns:
        raise ValueError(f"co-clicks need the session column {session!r}; the results have "
                         f"{list(results.columns)}")
    clicked = results.loc[results["click"].to_numpy() == 1, [session, "listing_id"]]
    clicked = clicked.drop_duplicates().rename(columns={session: "session"})
    pairs = clicked.merge(clicked, on="session", suffixes=("_a", "_b"))
    pairs = pairs[pairs["listing_id_a"] != pairs["listing_id_b"]]
    counts = pairs.groupby(["listing_id_a", "listing_id_b"]).size()
    return counts.rename("count").reset_index().rename(
        columns={"listing_id_a": "listing_a", "listing_id_b": "listing_b"})


def ppmi(counts, shift: float = 1.0) -> np.ndarray:
    """``max(0, ln(C[i, j] C[*, *] / (C[i, *] C[*, j])) - ln shift)`` of a square matrix of
    co-occurrence counts ``C`` (>= 0), 0 where ``C[i, j] = 0``; ``shift`` >= 1."""
    counts = np.asarray(counts, dtype=float)
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1] or (counts < 0).any():
        raise ValueError(f"counts must be a square matrix of counts >= 0; got shape {counts.shape}")
    shift = check_number("shift", shift, 1.0)
    rows, columns = counts.sum(axis=1), counts.sum(axis=0)
    seen = counts > 0
    pmi = np.zeros_like(counts)
    i, j = np.nonzero(seen)
    pmi[i, j] = np.log(counts[i, j] * counts.sum() / (rows[i] * columns[j])) - np.log(shift)
    return np.maximum(pmi, 0.0)


class ListingEmbeddings:
    """PPMI + truncated SVD of the co-clicks, market by market (the module docstring).

    Parameters
    ----------
    dim : int, default=8
        Dimensions per market, >= 1 (a market with fewer clicked listings keeps as many as it has).
    shift : float, default=1.0
        The PMI shift ``k`` (skip-gram's negatives), >= 1.

    Attributes (after :meth:`fit`)
    ------------------------------
    vectors_ : numpy.ndarray
        One row per ``listing_id`` from 0 to the largest seen, ``dim`` columns; NaN rows for the
        listings without a co-click.
    """

    def __init__(self, dim: int = DIM, shift: float = 1.0):
        self.dim = check_int("dim", dim, 1)
        self.shift = check_number("shift", shift, 1.0)

    def fit(self, results: pd.DataFrame, session: str = "trip_id") -> ListingEmbeddings:
        """Learn the vectors from the clicks of ``results`` (the training days only)."""
        pairs = co_click_counts(results, session)
        n_listings = int(results["listing_id"].max()) + 1
        self.market_ = np.full(n_listings, -1)
        self.market_[results["listing_id"].to_numpy()] = results["market"].to_numpy()
        self.vectors_ = np.full((n_listings, self.dim), np.nan)
        pair_market = self.market_[pairs["listing_a"].to_numpy()]
        for market in np.unique(pair_market):
            block = pairs[pair_market == market]
            self._fit_block(block["listing_a"].to_numpy(), block["listing_b"].to_numpy(),
                            block["count"].to_numpy())
        return self

    def _fit_block(self, first: np.ndarray, second: np.ndarray, count: np.ndarray) -> None:
        listings, code = np.unique(np.r_[first, second], return_inverse=True)
        n = len(listings)
        counts = np.zeros((n, n))
        counts[code[: len(first)], code[len(first):]] = count
        # PPMI is symmetric: its singular values are |eigenvalues|, its singular vectors the
        # eigenvectors (eigh is the faster route to the same truncated SVD); on one thread, so
        # that LAPACK's result does not depend on how many threads the process has
        with threadpool_limits(limits=1):
            eigenvalues, eigenvectors = np.linalg.eigh(ppmi(counts, self.shift))
        keep = np.argsort(-np.abs(eigenvalues), kind="stable")[: min(self.dim, n)]
        vectors = np.zeros((n, self.dim))
        vectors[:, : len(keep)] = eigenvectors[:, keep] * np.sqrt(np.abs(eigenvalues[keep]))
        # a listing whose co-clicks fall outside the kept dimensions gets a vector of length ~0,
        # whose direction is rounding noise: it has no vector
        vectors[np.linalg.norm(vectors, axis=1) < MIN_NORM] = np.nan
        self.vectors_[listings] = vectors

    def has_vector(self, listing) -> np.ndarray:
        """Whether each listing has a vector (was co-clicked in training)."""
        listing = np.asarray(listing)
        known = (listing >= 0) & (listing < len(self.vectors_))
        found = np.zeros(len(listing), dtype=bool)
        found[known] = ~np.isnan(self.vectors_[listing[known], 0])
        return found

    def unit_vectors(self, listing) -> np.ndarray:
        """Each listing's vector scaled to length 1; zeros for a listing without one (or whose
        vector is 0)."""
        listing = np.asarray(listing)
        found = self.has_vector(listing)
        unit = np.zeros((len(listing), self.dim))
        vectors = self.vectors_[listing[found]]
        norms = np.sqrt((vectors * vectors).sum(axis=1, keepdims=True))
        unit[found] = np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
        return unit

    def cosine(self, a, b) -> np.ndarray:
        """Cosine similarity of listing ``a[i]`` and ``b[i]``; NaN where either has no vector."""
        a, b = np.asarray(a), np.asarray(b)
        value = (self.unit_vectors(a) * self.unit_vectors(b)).sum(axis=1)
        return np.where(self.has_vector(a) & self.has_vector(b), value, np.nan)

    def nearest(self, listing) -> np.ndarray:
        """Each listing's nearest other listing of its market by cosine, rounded to
        :data:`SIMILARITY_DECIMALS` (vectors of different markets are learned apart; ties to the
        lower id); -1 without a vector."""
        listing = np.asarray(listing)
        known = np.flatnonzero(self.has_vector(np.arange(len(self.vectors_))))
        unit = self.unit_vectors(known)
        result = np.full(len(listing), -1)
        found = self.has_vector(listing)
        similarity = np.round(self.unit_vectors(listing[found]) @ unit.T, SIMILARITY_DECIMALS)
        other_market = self.market_[known][None, :] != self.market_[listing[found]][:, None]
        similarity[other_market | (known[None, :] == listing[found][:, None])] = -np.inf
        best = np.argmax(similarity, axis=1) if len(known) else np.zeros(0, dtype=np.int64)
        alone = ~np.isfinite(similarity.max(axis=1, initial=-np.inf))
        result[found] = np.where(alone, -1, known[best] if len(known) else -1)
        return result


def neighbour_check(listings: pd.DataFrame, embeddings: ListingEmbeddings,
                    seed: int = 0) -> pd.DataFrame:
    """Do embeddings place alike listings together? For every listing with a vector, its nearest
    neighbour (:meth:`ListingEmbeddings.nearest`) against a random other listing of its market
    (drawn from ``seed``): the share with the same ``room_type`` and the mean distance between
    the two locations ``(x, y)`` — rows ``nearest`` and ``random``. ``listings`` is the world's
    table, indexed by ``listing_id``."""
    listing = listings["listing_id"].to_numpy()
    nearest = embeddings.nearest(listing)
    found = nearest >= 0
    market = listings["market"].to_numpy()
    rng = np.random.default_rng(check_int("seed", seed, 0))
    order = np.lexsort((listing, market))
    counts = np.bincount(market, minlength=market.max() + 1)
    start = np.r_[0, np.cumsum(counts)[:-1]]
    draw = (rng.random(len(listing)) * np.maximum(counts[market] - 1, 1)).astype(np.int64)
    within = draw + (draw >= np.argsort(order, kind="stable") - start[market])
    other = listing[order][start[market] + np.minimum(within, counts[market] - 1)]
    table = {}
    for name, pair in (("nearest", nearest[found]), ("random", other[found])):
        mine = listing[found]
        across = listings["x"].to_numpy()[mine] - listings["x"].to_numpy()[pair]
        along = listings["y"].to_numpy()[mine] - listings["y"].to_numpy()[pair]
        table[name] = {"same_room_type": float((listings["room_type"].to_numpy()[mine]
                                                == listings["room_type"].to_numpy()[pair]).mean()),
                       "distance": float(np.sqrt(across * across + along * along).mean()),
                       "listings": int(found.sum())}
    return pd.DataFrame(table).T.rename_axis("pair")
