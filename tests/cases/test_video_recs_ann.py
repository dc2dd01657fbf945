"""The IVF index over matrix factorisation's vectors, against exact top-k retrieval."""

import numpy as np
import pytest

from mlsd.cases.video_recs import (
    IVFIndex,
    MatrixFactorizationSource,
    ann_recommend,
    ann_sweep,
    load_data,
    recommend,
    retrieval_options,
    split,
    watch_matrix,
)
from mlsd.cases.video_recs.ann import OPTION_COLUMNS, OPTIONS, ann_lists

SIZES = {"n_users": 300, "n_videos": 400, "n_events": 15_000}
KEYS = ["user_id", "video_id", "rank"]


@pytest.fixture(scope="module")
def setting():
    data = load_data("simulated", seed=3, **SIZES)
    held_out = split(data, "temporal")
    watched = watch_matrix(held_out.train, data.n_users, data.n_videos)
    mf = MatrixFactorizationSource(seed=3).fit(watched)
    users = np.unique(held_out.test["user_id"])
    index = IVFIndex(16, seed=3).fit(mf.video_factors_)
    return mf, watched, users, held_out.test, index


def test_every_probe_gives_exactly_the_exact_top_k(setting):
    mf, watched, users, _, index = setting
    exact = recommend(mf, watched, users, 50)
    found = ann_recommend(mf, index, watched, users, 50, n_probe=16)
    assert found[KEYS].equals(exact[KEYS])
    assert np.allclose(found["score"], exact["score"])


def test_recall_of_the_exact_list_rises_with_probes(setting):
    mf, watched, users, test, _ = setting
    exact = recommend(mf, watched, users, 50)
    sweep = ann_sweep(mf, watched, test, exact, [1, 2, 4, 8, 16], k=50, n_clusters=16, seed=3)
    probed = sweep.drop(index="exact")
    assert list(sweep.columns) == ["scored_share", "ann_recall", "recall"]
    assert (np.diff(probed["ann_recall"]) > 0).all() and (np.diff(probed["scored_share"]) > 0).all()
    assert probed.loc[16, "ann_recall"] == 1.0 and probed.loc[16, "scored_share"] == 1.0
    assert probed.loc[16, "recall"] == sweep.loc["exact", "recall"]
    assert sum(sweep.attrs["cluster_sizes"]) == watched.shape[1]


def test_one_ranking_gives_the_lists_of_every_search(setting):
    mf, watched, users, _, index = setting
    for n_probe, found in ann_lists(mf, index, watched, users, 30, [1, 3, 7, 16]).items():
        searched = ann_recommend(mf, index, watched, users, 30, n_probe)
        assert found[KEYS].reset_index(drop=True).equals(searched[KEYS]), n_probe
        assert np.allclose(found["score"], searched["score"])


def test_a_search_scores_only_its_probed_clusters(setting):
    mf, watched, users, _, index = setting
    queries = watched[users] @ mf.video_factors_
    scores = index.scores(queries, 2)
    probed = index.probed(queries, 2)
    assert (probed.sum(axis=1) == 2).all()
    assert np.array_equal(np.isfinite(scores), probed[:, index.cluster_of_])
    assert np.allclose(np.isfinite(scores).mean(axis=1), index.scored_share(queries, 2))


def test_deterministic_per_seed(setting):
    mf, watched, users, test, _ = setting
    exact = recommend(mf, watched, users, 50)
    first = ann_sweep(mf, watched, test, exact, [2, 4], k=50, n_clusters=16, seed=5)
    again = ann_sweep(mf, watched, test, exact, [2, 4], k=50, n_clusters=16, seed=5)
    assert first.equals(again)
    other = IVFIndex(16, seed=6).fit(mf.video_factors_).cluster_of_
    assert not np.array_equal(IVFIndex(16, seed=5).fit(mf.video_factors_).cluster_of_, other)


@pytest.mark.parametrize("call, words", [
    (lambda index, v: IVFIndex(0), ["n_clusters", "0", ">= 1"]),
    (lambda index, v: IVFIndex(10_000).fit(v), ["n_clusters", "10000", "at most", "400"]),
    (lambda index, v: index.probed(v[:3], 17), ["n_probe", "17", "16"]),
    (lambda index, v: index.probed(v[:3], 0), ["n_probe", "0"]),
    (lambda index, v: IVFIndex(4).fit(v[0]), ["item_vectors", "2-D"]),
])
def test_bad_parameters_say_what_is_allowed(setting, call, words):
    _, _, _, _, index = setting
    with pytest.raises(ValueError) as error:
        call(index, setting[0].video_factors_)
    assert all(word in str(error.value) for word in words), str(error.value)


def test_bad_sweep_probes(setting):
    mf, watched, users, test, _ = setting
    exact = recommend(mf, watched, users, 20)
    with pytest.raises(ValueError, match="n_probes"):
        ann_sweep(mf, watched, test, exact, [4, 40], k=20, n_clusters=16)


def test_options_table(setting):
    mf, watched, users, test, _ = setting
    exact = recommend(mf, watched, users, 100)
    sweep = ann_sweep(mf, watched, test, exact, [4, 8], n_clusters=16, seed=3)
    recalls = {"popular": 0.2, "co-visitation": 0.25, "matrix factorisation": 0.3}
    table = retrieval_options(recalls, sweep, 8, watched.shape[1])
    assert list(table.columns) == OPTION_COLUMNS and tuple(table.index) == OPTIONS
    assert table.loc["popular", "recall@100 here"] == "0.200"
    ivf = table.loc["MF + IVF index", "recall@100 here"]
    assert ivf.startswith(f"{sweep.loc[8, 'recall']:.3f}")
    assert "not in the kit" in table.loc["two-tower with features", "recall@100 here"]
    assert "Yi et al." in table.loc["two-tower with features", "recall@100 here"]
    assert table.map(len).max().max() <= 40  # short cells: the table fits a 1280-px window
    with pytest.raises(ValueError, match="n_probe"):
        retrieval_options(recalls, sweep, 5, watched.shape[1])
    with pytest.raises(ValueError, match="co-visitation"):
        retrieval_options({"popular": 0.2}, sweep, 8, watched.shape[1])
