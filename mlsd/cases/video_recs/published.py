"""The published MovieLens-100k top-10 tables, and the kit's own rows under the same protocol.

The MovieLens-100k numbers most often quoted come from microsoft/recommenders
(recommenders-team/recommenders on GitHub), in two places that share one protocol and differ in the
split (:data:`PUBLISHED`):

- the README's algorithm comparison (SAR, BPR and others; ``examples/06_benchmarks/movielens.ipynb``)
  splits each user's ratings 75/25 at random — ``python_stratified_split(ratio=0.75, seed=42)``;
- the most-rated-movies baseline (``examples/02_model_collaborative_filtering/
  baseline_deep_dive.ipynb``) splits all ratings 75/25 at random, whoever gave them —
  ``python_random_split(ratio=0.75, seed=42)``.

The protocol, which :func:`protocol_table` follows:

- the ratings of ``u.data``, in file order, split as above (:func:`published_split`);
- **every held-out rating is relevant**, a one-star rating too (the relevance rule ``"any"`` of
  :data:`~.schema.RELEVANCE`): the task is to predict *which* movies a user rates, not how much
  they like them;
- each test user's top 10 leaves out the movies they rated in training; the most-rated baseline
  scores a movie by its number of training ratings;
- precision@10 = hits / 10, recall@10 = hits / the user's test ratings, MAP@10 divides by
  ``min(10, R)``, NDCG@10 with binary gains — the conventions of :mod:`mlsd.metrics.ranking`
  (their code discounts by ``ln(1 + rank)``, which cancels in NDCG's ratio) — each averaged over
  the test users.

What still differs: ties. The kit breaks a tie in score by the lower movie id; the baseline notebook
keeps the order of its count table. Movies with equal rating counts near the 10th place can swap:
on three ML-100k-sized files the gap was at most 1.3e-4 in any metric
(``benchmarks/movielens_ties.py``).

:func:`published_split` reproduces the two splits draw for draw — scikit-learn's
``train_test_split(train_size=0.75, random_state=seed)`` over the rows in file order, and, per
user, the ``round(0.75 m)`` ratings with the smallest keys of ``numpy.random.RandomState(seed)
.rand(n)`` drawn in file order — so on the real ``u.data`` the kit's most-rated row can be compared
with the published one number for number. The tests check both splits and every metric against
the recommenders package itself.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from mlsd.cases.video_recs.data import VideoData
from mlsd.cases.video_recs.evaluation import baseline_metrics
from mlsd.cases.video_recs.schema import relevance_threshold
from mlsd.validation import check_choice, check_number

K = 10
SEED = 42
TRAIN_SHARE = 0.75
ML_100K_SIZES = {"rows": 100_000, "users": 943, "items": 1_682}
"""The sizes of MovieLens-100k's ``u.data``: only on these data are the published rows comparable."""
RECOMMENDERS = "microsoft/recommenders"
METRICS = ("map@10", "ndcg@10", "precision@10", "recall@10")
SPLITS = {
    "per-user 75/25": "each user's ratings, python_stratified_split(ratio=0.75, seed=42)",
    "global 75/25": "all ratings, python_random_split(ratio=0.75, seed=42)",
}
"""The two published splits, each with the recommenders function that draws it."""
PUBLISHED = pd.DataFrame(
    [
        ("SAR", "per-user 75/25", 0.110591, 0.382461, 0.330753, 0.176385,
         "README, algorithm comparison"),
        ("BPR", "per-user 75/25", 0.132478, 0.441997, 0.388229, 0.212522,
         "README, algorithm comparison"),
        ("most rated", "global 75/25", 0.055008, 0.252867, 0.224628, 0.111736,
         "examples/02_model_collaborative_filtering/baseline_deep_dive.ipynb"),
    ],
    columns=["model", "split", *METRICS, "where"],
)
"""Published MovieLens-100k top-10 rows of microsoft/recommenders, as printed there."""


def published_split(
    interactions: pd.DataFrame, kind: str, seed: int = SEED, train_share: float = TRAIN_SHARE
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(train, test)`` drawn as one of the published splits of :data:`SPLITS`.

    The rows are taken in file order (the ``file_row`` column of a MovieLens table; the table's own
    order otherwise, as a simulated table has no file). ``"global 75/25"``: scikit-learn's
    ``train_test_split(train_size=train_share, random_state=seed)`` over those rows.
    ``"per-user 75/25"``: keys ``RandomState(seed).rand(n)`` in that order; within each user,
    the ``round(train_share * m)`` rows with the smallest keys train (numpy's round, half to even).
    Both sides come back in time order.
    """
    check_choice("kind", kind, tuple(SPLITS))
    check_number("train_share", train_share, 0, 1, low_open=True, high_open=True)
    in_file_order = _in_file_order(interactions)
    if kind == "global 75/25":
        train, test = train_test_split(in_file_order, train_size=train_share, random_state=seed)
        return train.sort_index(), test.sort_index()
    keys = np.random.RandomState(seed).rand(len(in_file_order))
    by_user = pd.Series(keys, index=in_file_order.index).groupby(in_file_order["user_id"])
    order_in_user = by_user.rank(method="first").to_numpy()
    per_user = by_user.transform("size").to_numpy()
    is_train = order_in_user <= np.round(train_share * per_user)
    return in_file_order[is_train].sort_index(), in_file_order[~is_train].sort_index()


def protocol_table(data: VideoData, seed: int = 0) -> pd.DataFrame:
    """The published rows of :data:`PUBLISHED` and the kit's rows under the same protocol.

    For each published split: the most-popular list (the most-rated baseline) and matrix
    factorisation (PureSVD, ``seed``), every held-out rating relevant, k = 10. The ``source`` column
    says which rows are published and which the kit computed on ``data``; the kit's rows compare
    with the published ones only when ``data`` is ML-100k (:func:`is_ml_100k`).
    """
    threshold = relevance_threshold("any")
    rows = []
    for kind in SPLITS:
        train, test = published_split(data.table, kind)
        table = baseline_metrics(data, train, test, K, seed, threshold)
        table = table.rename(index={"popular": "most rated"})
        for model, values in table[list(METRICS)].iterrows():
            rows.append({"model": model, "split": kind, **values.to_dict(), "source": "this kit"})
    published = PUBLISHED.drop(columns="where").assign(source=RECOMMENDERS)
    return pd.concat([published, pd.DataFrame(rows)], ignore_index=True).sort_values(
        ["split", "source"], kind="stable", ignore_index=True
    )


def is_ml_100k(data: VideoData) -> bool:
    """Whether ``data`` has the sizes of MovieLens-100k (:data:`ML_100K_SIZES`)."""
    return data.source == "movielens" and all(
        data.sizes.get(name) == size for name, size in ML_100K_SIZES.items()
    )


def comparability(data: VideoData) -> str:
    """One sentence saying whether :func:`protocol_table`'s kit rows compare with the published."""
    if is_ml_100k(data):
        return (
            "These data are MovieLens-100k: the kit's rows and the published ones were computed "
            "on the same ratings, split the same way."
        )
    sizes = ", ".join(f"{data.sizes.get(name):,} {name}" for name in ML_100K_SIZES)
    return (
        f"These data ({data.source}: {sizes}) are not MovieLens-100k, so the kit's rows show the "
        "protocol on other data; only on ML-100k's u.data do they compare with the published."
    )


def _in_file_order(interactions: pd.DataFrame) -> pd.DataFrame:
    if "file_row" not in interactions.columns:
        return interactions
    return interactions.iloc[np.argsort(interactions["file_row"].to_numpy(), kind="stable")]
