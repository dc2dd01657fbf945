"""The video notebooks: what their records show against the simulator's truth, and that they run on MovieLens files.

Records are read from the committed notebooks; nbval (in the same test run) re-executes them and fails if
any output no longer reproduces.
"""

import numpy as np
import pytest

from kit_factory import KIT_ROOT, run_mlsd
from mlsd.cases.video_recs.data import load_data
from mlsd.cases.video_recs.published import protocol_table
from mlsd.records import read_records

CASE = KIT_ROOT / "notebooks" / "01_video_recs"


def records(name: str) -> dict:
    return read_records(CASE / f"{name}.ipynb")


def test_problem_framing():
    r = records("1_problem_framing")
    assert r["n_events"] == 100_000
    assert r["random_split_future_share"] > 0.9  # a random split trains on the future
    assert r["top_decile_view_share"] > 0.3  # views pile up on the head
    assert r["design_points_missing"] == 0
    assert r["top_decile_engagement_gap"] < 0  # ...and they are not the most engaging
    assert r["popular_matched_split_gap"] > 0 and r["mf_matched_split_gap"] > 0  # flatters at equal composition
    assert r["ideal_ndcg@10"] > 2 * r["popular_ndcg@10"]  # the truth's ceiling


def test_metrics():
    r = records("2_metrics")
    assert r["ranker_ndcg@10"] > r["mf_ndcg@10"] > r["popular_ndcg@10"]  # taste beats exposure; the ranker uses both
    assert r["mf_recall@10"] > r["popular_recall@10"]
    assert r["popular_coverage"] < r["mf_coverage"]  # the popular list covers a sliver of the catalogue
    assert r["popular_ndcg_random"] > 1.5 * r["popular_ndcg_temporal"]  # a random split flatters
    assert r["mf_ndcg_random"] > r["mf_ndcg_temporal"]
    assert 0 < r["new_test_users"] < 0.1 * r["data_users"]  # few simulated test users are new
    assert r["ndcg_ranker_returning"] > r["ndcg_popular_returning"]  # history is what the ranker uses
    protocol = [r[f"protocol_{model}_ndcg_{split}"] for model in ("most_rated", "mf") for split in ("global", "per_user")]
    assert all(0 < value < 1 for value in protocol)
    assert r["ideal_ndcg@10"] > r["ranker_ndcg@10"]  # the truth is the ceiling
    assert r["ranker_minus_mf_ndcg@10_low"] > 0  # the ranker's lead over MF is more than noise
    assert r["ideal_diversity"] < r["ranker_diversity"] < 1  # accurate lists on peaked tastes are narrow


def test_architecture():
    r = records("3_architecture")
    assert r["merged_recall"] > max(r["popular_recall@100"], r["covisit_recall@100"], r["mf_recall@100"])  # sources complement
    assert r["ranker_ndcg@10"] > r["mf_ndcg@10"]
    assert 0 < r["funnel_within_budget"] <= 1
    assert r["trending_fresh_recall@100"] > 0.5 and r["fresh_recall_gain_at_equal_length"] > 0.3  # trending finds fresh uploads
    assert r["watch_time_watch_minutes"] > r["completion_watch_minutes"]  # each objective wins its own metric
    assert r["completion_ndcg@10"] > r["watch_time_ndcg@10"]
    assert r["watch_time_median_length_minutes"] > 1.5 * r["completion_median_length_minutes"]
    assert r["mmr_ndcg_at_0.5"] < r["ranker_ndcg@10"] and r["mmr_diversity_at_0.5"] > 0.8  # diversity costs NDCG


def test_tradeoffs():
    r = records("4_tradeoffs")
    assert r["popular_log_top_decile_last"] > r["popular_log_top_decile_first"]  # the loop concentrates its own log
    assert r["explore_coverage"] > 3 * r["popular_coverage"]  # exploration widens what is shown
    assert r["popular_new_video_share"] == 0 < r["fresh_slot_new_video_share"]  # freshness needs a reserved slot
    assert r["popular_recall@100_new_users"] > r["mf_recall@100_new_users"]  # cold start: popularity is the fallback
    assert r["mf_recall@100_returning_users"] > r["mf_recall@100_new_users"]
    assert r["popular_ndcg_any_watch"] > r["mf_ndcg_any_watch"]  # offline on any watch prefers popularity...
    assert r["ab_ci_low"] > 0  # ...while the online test prefers taste
    assert r["mf_recall@100_new_users"] < 2 * 100 / r["data_items"]  # for a new user MF's list is a random draw
    assert r["explore_engagement_shown"] >= r["popular_engagement_shown"]  # random slots cost no engagement
    assert r["mf_engagement_shown"] > r["popular_engagement_shown"]


def test_exercise_records_the_learners_answers():
    r = read_records(KIT_ROOT / "exercises" / "01_video_recs.ipynb")
    assert all(r[f"task{n}_passed"] for n in range(1, 8))
    assert r["task2"] == "random split"  # a random split flatters the popular list


LAYOUTS = {
    "u.data": ("", "{u}\t{i}\t{r}\t{t}"),
    "ratings.dat": ("", "{u}::{i}::{r}::{t}"),
    "ratings.csv": ("userId,movieId,rating,timestamp\n", "{u},{i},{r},{t}"),
}
"""Each MovieLens layout: its header and the format of a line (see mlsd.cases.video_recs.movielens)."""


def _write_movielens_u_data(path, seed=0, n_users=120, n_items=300, n_ratings=6_000):
    """Seeded ratings in the layout the file name says (u.data, ratings.dat or ratings.csv)."""
    header, line = LAYOUTS[path.name]
    rng = np.random.default_rng(seed)
    pairs = {(int(u), int(i)) for u, i in zip(rng.integers(1, n_users + 1, n_ratings), rng.zipf(1.3, n_ratings) % n_items + 1)}
    lines = [line.format(u=u, i=i, r=rng.integers(1, 6), t=881250949 + 3_600 * k) for k, (u, i) in enumerate(sorted(pairs))]
    path.write_text(header + "\n".join(lines) + "\n")
    return path


@pytest.mark.notebooks
@pytest.mark.parametrize("layout", ["ratings.csv"])
def test_the_notebooks_run_on_a_movielens_file(tmp_path, layout):
    # one layout: the notebooks see the loader's table, and tests/cases/test_movielens.py checks that
    # every layout loads to the same values; ratings.csv is the one with a header line to skip
    ratings = _write_movielens_u_data(tmp_path / layout)
    out = tmp_path / "out"
    targets = [f"notebooks/01_video_recs/{name}.ipynb" for name in ("1_problem_framing", "2_metrics", "3_architecture")]
    result = run_mlsd("run", *targets, "--jobs", "2", "--out", str(out), "-p", "data_source", "movielens", "-p", "data_path", str(ratings))
    assert result.returncode == 0, result.stdout + result.stderr
    framing = read_records(out / targets[0])
    assert framing["n_events"] == len(ratings.read_text().splitlines()) - bool(LAYOUTS[layout][0])
    assert read_records(out / targets[1])["data_rows"] == framing["n_events"]
    assert "ideal_ndcg@10" not in framing and "ideal_ndcg@10" not in read_records(out / targets[1])  # no truth


@pytest.mark.notebooks
def test_the_metrics_notebook_scores_a_movielens_file_under_the_published_protocol(tmp_path):
    ratings = _write_movielens_u_data(tmp_path / "u.data")
    target = "notebooks/01_video_recs/2_metrics.ipynb"
    result = run_mlsd("run", target, "--out", str(tmp_path / "out"), "-p", "data_source", "movielens", "-p", "data_path", str(ratings), "-p", "relevance", "any", "-p", "seed", "3")
    assert result.returncode == 0, result.stdout + result.stderr
    recorded = read_records(tmp_path / "out" / target)
    expected = protocol_table(load_data("movielens", str(ratings)), seed=3).set_index(["source", "model", "split"])
    assert recorded["protocol_most_rated_ndcg_global"] == pytest.approx(expected.loc[("this kit", "most rated", "global 75/25"), "ndcg@10"], rel=1e-5)
    assert recorded["protocol_mf_ndcg_per_user"] == pytest.approx(expected.loc[("this kit", "matrix factorisation", "per-user 75/25"), "ndcg@10"], rel=1e-5)
    assert recorded["data_source"] == "movielens"


@pytest.mark.notebooks
def test_a_missing_movielens_file_fails_with_where_to_put_it(tmp_path):
    result = run_mlsd("run", "notebooks/01_video_recs/1_problem_framing.ipynb", "--out", str(tmp_path), "-p", "data_source", "movielens", "-p", "data_path", "/no/such/u.data")
    assert result.returncode == 1
    assert "no such file" in result.stdout and "datasets/real/" in result.stdout
