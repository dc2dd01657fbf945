"""The published MovieLens protocol: the kit's splits and metrics agree with microsoft/recommenders'
own functions, run on the same ratings file."""

import numpy as np
import pandas as pd
import pytest

from mlsd.cases.video_recs import published
from mlsd.cases.video_recs.data import load_data
from mlsd.cases.video_recs.evaluation import metrics_table
from mlsd.cases.video_recs.models import PopularSource, recommend, watch_matrix
from mlsd.cases.video_recs.schema import relevance_threshold

try:
    from recommenders.datasets.python_splitters import python_random_split, python_stratified_split
    from recommenders.evaluation import python_evaluation as theirs
except ImportError as missing:  # pragma: no cover - the install step provides it
    raise ImportError(
        "these tests compare with microsoft/recommenders: "
        "pip install --no-deps -r tests/references.txt (make test does it)"
    ) from missing

THEIR_SPLITS = {
    "global 75/25": lambda ratings: python_random_split(ratings, 0.75, seed=published.SEED),
    "per-user 75/25": lambda ratings: python_stratified_split(
        ratings, 0.75, seed=published.SEED
    ),
}
COLUMNS = {"col_user": "userID", "col_item": "itemID", "col_rating": "rating",
           "col_prediction": "prediction"}


@pytest.fixture(scope="module")
def u_data(tmp_path_factory):
    """A u.data file in the exact ml-100k layout, lines in no particular order, popular movies
    with tied rating counts."""
    rng = np.random.default_rng(5)
    n = 12_000
    ratings = pd.DataFrame({"user": rng.integers(1, 301, n), "item": rng.zipf(1.4, n) % 700 + 1})
    ratings = ratings.drop_duplicates(ignore_index=True)
    ratings["rating"] = rng.integers(1, 6, len(ratings))
    ratings["timestamp"] = 874_724_710 + rng.permutation(len(ratings)) * 97
    path = tmp_path_factory.mktemp("ml") / "u.data"
    ratings.to_csv(path, sep="\t", header=False, index=False)
    return path


@pytest.fixture(scope="module")
def data(u_data):
    return load_data("movielens", str(u_data))


def _as_read_by_recommenders(path) -> pd.DataFrame:
    return pd.read_csv(path, sep="\t", names=["userID", "itemID", "rating", "timestamp"])


@pytest.mark.parametrize("kind", published.SPLITS)
def test_the_published_splits_are_drawn_exactly_as_recommenders_draws_them(u_data, data, kind):
    train, test = published.published_split(data.table, kind)
    their_train, their_test = THEIR_SPLITS[kind](_as_read_by_recommenders(u_data))
    assert sorted(train["file_row"]) == sorted(their_train.index)
    assert sorted(test["file_row"]) == sorted(their_test.index)
    assert train["time"].is_monotonic_increasing and test["time"].is_monotonic_increasing


def test_the_per_user_split_keeps_three_quarters_of_every_user(data):
    train, test = published.published_split(data.table, "per-user 75/25")
    per_user = data.table.groupby("user_id").size()
    kept = train.groupby("user_id").size().reindex(per_user.index, fill_value=0)
    assert (kept == np.round(0.75 * per_user)).all()


@pytest.mark.parametrize("kind", published.SPLITS)
def test_the_kit_metrics_of_the_most_rated_list_equal_recommenders_metrics(data, kind):
    train, test = published.published_split(data.table, kind)
    watched = watch_matrix(train, data.n_users, data.n_videos)
    lists = recommend(PopularSource().fit(watched), watched, np.unique(test["user_id"]), 10)
    ours = metrics_table({"most rated": lists}, test, train, data.n_videos,
                         np.zeros((data.n_videos, 1)), 10, relevance_threshold("any"))
    names = {"user_id": "userID", "video_id": "itemID"}
    rating_true = test.rename(columns=names)[["userID", "itemID", "rating"]]
    rating_pred = lists.rename(columns=names).assign(prediction=-lists["rank"].astype(float))
    rating_pred = rating_pred[["userID", "itemID", "prediction"]]
    for name, metric in [("map@10", theirs.map_at_k), ("ndcg@10", theirs.ndcg_at_k),
                         ("precision@10", theirs.precision_at_k), ("recall@10", theirs.recall_at_k)]:
        expected = metric(rating_true, rating_pred, k=10, **COLUMNS)
        assert ours.loc["most rated", name] == pytest.approx(expected, rel=1e-12), name


def test_the_protocol_table_puts_the_kit_rows_beside_every_published_row(data):
    table = published.protocol_table(data, seed=3)
    mine = table[table["source"] == "this kit"]
    assert set(zip(mine["model"], mine["split"])) == {
        (model, kind) for model in ("most rated", "matrix factorisation") for kind in published.SPLITS
    }
    pd.testing.assert_frame_equal(
        table[table["source"] == published.RECOMMENDERS].drop(columns="source").reset_index(drop=True),
        published.PUBLISHED.drop(columns="where").sort_values("split", kind="stable", ignore_index=True),
    )
    assert mine[list(published.METRICS)].gt(0).all().all()
    assert published.protocol_table(data, seed=3).equals(table)


def test_the_protocol_table_row_is_the_most_rated_list_scored_with_every_rating_relevant(data):
    table = published.protocol_table(data).set_index(["source", "model", "split"])
    train, test = published.published_split(data.table, "global 75/25")
    watched = watch_matrix(train, data.n_users, data.n_videos)
    lists = recommend(PopularSource().fit(watched), watched, np.unique(test["user_id"]), 10)
    liked_only = metrics_table({"most rated": lists}, test, train, data.n_videos,
                               np.zeros((data.n_videos, 1)), 10)
    row = table.loc[("this kit", "most rated", "global 75/25")]
    assert row["precision@10"] > liked_only.loc["most rated", "precision@10"]


def test_only_movielens_100k_is_called_comparable(data):
    assert not published.is_ml_100k(data)
    assert "not MovieLens-100k" in published.comparability(data)
    sized = type(data)(data.source, data.table, dict(data.sizes, **published.ML_100K_SIZES), None,
                       data.n_users, data.n_videos)
    assert published.is_ml_100k(sized) and "are MovieLens-100k" in published.comparability(sized)
    simulated = load_data("simulated", n_users=200, n_videos=300, n_events=5_000)
    assert not published.is_ml_100k(simulated)


def test_an_unknown_split_is_refused_naming_the_published_ones(data):
    with pytest.raises(ValueError, match="kind must be one of 'per-user 75/25'"):
        published.published_split(data.table, "temporal")


@pytest.mark.parametrize("kind", published.SPLITS)
def test_the_kit_row_is_the_published_baseline_pipeline_run_end_to_end(u_data, data, kind):
    """recommenders' most-rated baseline as its notebook builds it, from the raw file: count the
    training ratings, cross the test users with the movies, drop what each user rated in training,
    score by count — with ties broken by the lower movie id, the kit's rule, the one difference."""
    raw = _as_read_by_recommenders(u_data)
    train, test = THEIR_SPLITS[kind](raw)
    counts = train["itemID"].value_counts().rename_axis("itemID").reset_index(name="count")
    pairs = pd.MultiIndex.from_product([test["userID"].unique(), counts["itemID"]],
                                       names=["userID", "itemID"]).to_frame(index=False)
    seen = pd.MultiIndex.from_frame(train[["userID", "itemID"]])
    unseen = pairs[~pd.MultiIndex.from_frame(pairs).isin(seen)]
    scored = unseen.merge(counts, on="itemID")
    scored["prediction"] = scored["count"] - 1e-6 * scored["itemID"]
    kit = published.protocol_table(data).set_index(["source", "model", "split"])
    row = kit.loc[("this kit", "most rated", kind)]
    for name, metric in [("map@10", theirs.map_at_k), ("ndcg@10", theirs.ndcg_at_k),
                         ("precision@10", theirs.precision_at_k), ("recall@10", theirs.recall_at_k)]:
        assert row[name] == pytest.approx(metric(test, scored, k=10, **COLUMNS), rel=1e-12), name
