"""How far ties move the kit's most-rated row from microsoft/recommenders' baseline pipeline.

Usage: ``python benchmarks/movielens_ties.py [N_FILES]`` (default 3). Not a speed benchmark: it writes
ML-100k-sized files in the ``u.data`` layout (943 users, 1,682 movies, 100,000 distinct ratings,
Zipf-like movie popularity, log-normal user activity, seeded 0, 1, …), scores the most-rated list
under the global 75/25 protocol twice — with the kit's ``protocol_table`` and with the baseline
notebook's own steps (``python_random_split``, a count table, every test user crossed with every
movie, seen movies dropped, recommenders' metrics) — and prints each metric's difference. The one
difference between the two is how a tie in rating count is broken (the kit: lower movie id; theirs:
the order of the count table), so the printed gaps are what ties can do at that size.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from recommenders.datasets.python_splitters import python_random_split
from recommenders.evaluation import python_evaluation as theirs

from mlsd.cases.video_recs import published
from mlsd.cases.video_recs.data import load_data

N_USERS, N_MOVIES, N_RATINGS = 943, 1_682, 100_000
METRICS = {"map@10": theirs.map_at_k, "ndcg@10": theirs.ndcg_at_k,
           "precision@10": theirs.precision_at_k, "recall@10": theirs.recall_at_k}
COLUMNS = {"col_user": "userID", "col_item": "itemID", "col_rating": "rating",
           "col_prediction": "count"}


def write_ml_100k_like(path: Path, seed: int) -> None:
    """Distinct (user, movie) ratings drawn until there are 100,000, in shuffled file order."""
    rng = np.random.default_rng(seed)
    popularity = 1 / np.arange(1, N_MOVIES + 1) ** 0.9
    activity = rng.lognormal(0, 1, N_USERS)
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < N_RATINGS:
        users = rng.choice(N_USERS, 50_000, p=activity / activity.sum()) + 1
        movies = rng.choice(N_MOVIES, 50_000, p=popularity / popularity.sum()) + 1
        pairs.update(zip(users.tolist(), movies.tolist()))
    ratings = pd.DataFrame(sorted(pairs)[:N_RATINGS], columns=["user", "movie"])
    ratings = ratings.sample(frac=1, random_state=seed, ignore_index=True)
    ratings["rating"] = rng.integers(1, 6, len(ratings))
    ratings["timestamp"] = 874_724_710 + rng.permutation(len(ratings))
    ratings.to_csv(path, sep="\t", header=False, index=False)


def their_baseline(path: Path) -> dict[str, float]:
    """The most-rated baseline as recommenders' baseline notebook computes it."""
    raw = pd.read_csv(path, sep="\t", names=["userID", "itemID", "rating", "timestamp"])
    train, test = python_random_split(raw, ratio=0.75, seed=published.SEED)
    counts = train["itemID"].value_counts().rename_axis("itemID").reset_index(name="count")
    pairs = pd.MultiIndex.from_product([test["userID"].unique(), counts["itemID"]],
                                       names=["userID", "itemID"]).to_frame(index=False)
    seen = pd.MultiIndex.from_frame(train[["userID", "itemID"]])
    scored = pairs[~pd.MultiIndex.from_frame(pairs).isin(seen)].merge(counts, on="itemID")
    return {name: metric(test, scored, k=10, **COLUMNS) for name, metric in METRICS.items()}


def main(n_files: int = 3) -> None:
    with tempfile.TemporaryDirectory() as folder:
        for seed in range(n_files):
            path = Path(folder) / "u.data"
            write_ml_100k_like(path, seed)
            table = published.protocol_table(load_data("movielens", str(path)))
            kit = table.set_index(["source", "model", "split"])
            ours = kit.loc[("this kit", "most rated", "global 75/25")]
            gaps = {name: f"{ours[name] - value:+.1e}" for name, value in their_baseline(path).items()}
            print(f"file {seed}: kit − recommenders {gaps}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
