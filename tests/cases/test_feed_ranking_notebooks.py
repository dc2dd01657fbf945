"""What the feed-ranking notebooks record at their defaults, checked against what the simulator's
truth implies, and that notebooks 1–3 run on a KuaiRand-Pure release written here in its exact
layout (no download).

The records are read from the committed notebooks; nbval (in the same test run) re-executes those
notebooks and fails if any output, records included, no longer reproduces.
"""

import datetime as dt
import json

import numpy as np
import pytest

from kit_factory import KIT_ROOT, run_mlsd
from mlsd.cases.feed_ranking import NO_TRUTH, load_data
from mlsd.cases.feed_ranking.kuairand import LOG_HEADER
from mlsd.records import read_records

CASE = KIT_ROOT / "notebooks" / "02_feed_ranking"
BEIJING = dt.timezone(dt.timedelta(hours=8))


def records(name: str) -> dict:
    return read_records(CASE / f"{name}.ipynb")


def test_problem_framing():
    r = records("1_problem_framing")
    assert r["click_rate"] > 20 * max(r["comment_rate"], r["share_rate"])  # the rare heads
    assert r["order_truth_value"] > r["order_policy_value"] > r["order_newest_first_value"]
    assert r["order_policy_top_creator_share"] > r["order_truth_top_creator_share"]
    assert r["clickbait_long_read_share"] < 0.2
    assert r["design_points_missing"] == 0


def test_metrics():
    r = records("2_metrics")
    heads = ("click", "long_dwell", "like", "comment", "share", "hide")
    assert all(0.7 < r[f"{head}_auc"] < 0.9 for head in heads)
    assert all(0.8 <= r[f"{head}_calibration_ratio"] <= 1.25 for head in heads)
    assert r["click_cross_member_pair_share"] > 0.99  # the global AUC compares two members
    assert 0.5 < r["member_only_auc"] < 0.6  # members differ little in how often they click
    assert r["feed_newest_first_value"] < r["feed_model_value"] < r["feed_truth_value"]
    assert r["power_at_500_interleaving"] > r["power_at_500_ab"]


def test_architecture():
    r = records("3_architecture")
    assert r["funnel_p99_ms"] <= 200 < r["funnel_p99_ms_at_1000"]
    assert r["recall_union_top3"] > max(r[f"recall_{source}_top3"]
                                        for source in ("network", "follows", "trending"))
    assert r["cap_value_lost"] < 0.03
    assert r["outage_batch_value_lost"] < 0.03 < r["outage_newest_first_value_lost"]


def test_tradeoffs():
    r = records("4_tradeoffs")
    assert r["bias_naive_tau"] < min(r["bias_position_feature_tau"], r["bias_ipw_tau"])
    assert r["bias_position_feature_calibration_slot_1"] > 1 > r["bias_ipw_calibration_slot_1"]
    assert r["dwell_click_clickbait_top_share"] > r["dwell_click_and_read_clickbait_top_share"]
    assert r["dwell_click_long_dwells"] < r["dwell_click_and_read_long_dwells"]
    assert r["downsampled_share_ratio_raw"] > r["downsampled_click_ratio_raw"] > 1
    assert abs(r["downsampled_share_ratio_corrected"] - 1) < 0.25
    assert r["alerts"] >= 1  # the thinned comment head


def test_exercise_records_the_learners_answers():
    r = read_records(KIT_ROOT / "exercises" / "02_feed_ranking.ipynb")
    assert all(r[f"task{n}_passed"] for n in range(1, 7))


# --- on a KuaiRand-Pure release --------------------------------------------------------------------

USERS, VIDEOS, AUTHORS, DAYS, ROWS = 150, 300, 30, 8, 9_000
RATES = {"is_like": 0.05, "is_comment": 0.02, "is_forward": 0.02, "is_hate": 0.02}


def write_kuairand_release(folder, seed: int = 4):
    """A small release in KuaiRand-Pure's layout: a standard log, a random-exposure log and the
    video features file, clicks about 40% as in the real logs and the rarer actions under 5%."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True)
    start = dt.datetime(2022, 4, 8, tzinfo=BEIJING)
    seconds = np.sort(rng.uniform(0, DAYS * 86_400, ROWS))
    users = rng.integers(0, USERS, ROWS)
    taste = rng.normal(0, 1, (USERS, 1)) + rng.normal(0, 1, (1, VIDEOS))
    videos = rng.integers(0, VIDEOS, ROWS)
    appeal = 1 / (1 + np.exp(-(taste[users, videos] - 0.4)))
    click = (rng.random(ROWS) < appeal).astype(int)
    play = np.where(click == 1, rng.integers(7_000, 60_000, ROWS), rng.integers(0, 7_000, ROWS))
    flags = {name: ((rng.random(ROWS) < rate * 2 * appeal) & (click == 1)).astype(int)
             for name, rate in RATES.items()}
    random_rows = rng.random(ROWS) < 0.1
    lines = {True: [LOG_HEADER], False: [LOG_HEADER]}
    for i in range(ROWS):
        when = start + dt.timedelta(seconds=float(seconds[i]))
        values = [users[i], videos[i], when.strftime("%Y%m%d"), when.hour * 100,
                  round(when.timestamp() * 1000), click[i], flags["is_like"][i], 0,
                  flags["is_comment"][i], flags["is_forward"][i], flags["is_hate"][i],
                  int(play[i] >= 18_000), play[i], 60_000, 0, 0, 0, int(random_rows[i]), 1]
        lines[bool(random_rows[i])].append(",".join(str(value) for value in values))
    for random, name in ((False, "log_standard_4_08_to_4_21_pure.csv"),
                         (True, "log_random_4_22_to_5_08_pure.csv")):
        (folder / name).write_text("\n".join(lines[random]) + "\n", encoding="utf-8")
    header = ("video_id,author_id,video_type,upload_dt,upload_type,visible_status,video_duration,"
              "server_width,server_height,music_id,music_type,tag")
    uploads = [start - dt.timedelta(days=int(d)) for d in rng.integers(0, 30, VIDEOS)]
    rows = [f"{v},{rng.integers(0, AUTHORS)},NORMAL,{uploads[v]:%Y-%m-%d},Web,1.0,60000.0,720.0,"
            f"1280.0,{v},9.0,{rng.integers(0, 12)}" for v in range(VIDEOS)]
    (folder / "video_features_basic_pure.csv").write_text("\n".join([header, *rows]) + "\n",
                                                         encoding="utf-8")
    return folder


def _stream_text(notebook) -> str:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return "".join("".join(o.get("text", "")) for c in cells for o in c.get("outputs", [])
                   if o.get("output_type") == "stream")


@pytest.mark.notebooks
def test_notebooks_1_to_3_run_on_a_kuairand_release(tmp_path):
    release = write_kuairand_release(tmp_path / "KuaiRand-Pure" / "data")
    data = load_data("kuairand", str(release))
    assert data.world is None and data.table["random_order"].any()
    out = tmp_path / "out"
    targets = [f"notebooks/02_feed_ranking/{name}.ipynb"
               for name in ("1_problem_framing", "2_metrics", "3_architecture")]
    result = run_mlsd("run", *targets, "--out", str(out), "-p", "data_source", "kuairand",
                      "-p", "data_path", str(release))
    assert result.returncode == 0, result.stdout + result.stderr
    framing, metrics, architecture = (read_records(out / target) for target in targets)
    for recorded in (framing, metrics, architecture):
        assert recorded["data_source"] == "kuairand" and recorded["data_rows"] == len(data.table)
    assert framing["click_rate"] == pytest.approx(data.table["click"].mean())
    assert metrics["click_auc"] > 0.55  # the heads learn the planted member x video taste
    assert "feed_model_value" not in metrics  # no truth: no feed measured on it
    assert architecture["funnel_p99_ms"] <= 200
    for target in targets:
        assert NO_TRUTH in _stream_text(out / target)
