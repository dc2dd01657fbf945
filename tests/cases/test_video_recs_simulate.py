"""The video-recommendation simulator against its own generative story."""

import math

import numpy as np
import pandas as pd
import pytest

from mlsd.cases.video_recs import simulate
from mlsd.cases.video_recs.schema import COLUMNS, check_table, relevant
from mlsd.cases.video_recs.simulate import MEAN_ENGAGEMENT, TASTE_SCALE, simulate_watches

SPLIT_DAY = 48


@pytest.fixture(scope="module")
def world():
    return simulate_watches(seed=3)


def test_simulator_is_deterministic_per_seed():
    first, second = simulate_watches(n_events=5_000, seed=11), simulate_watches(n_events=5_000, seed=11)
    pd.testing.assert_frame_equal(first.interactions, second.interactions)
    pd.testing.assert_frame_equal(first.videos, second.videos)
    assert not simulate_watches(n_events=5_000, seed=12).interactions.equals(first.interactions)


def test_user_blocks_change_nothing(monkeypatch):
    whole = simulate_watches(n_users=300, n_videos=400, n_events=20_000, seed=5)
    monkeypatch.setattr(simulate, "PAIRS_PER_BLOCK", 7_000)  # 17 users a block, the last one shorter
    blocked = simulate_watches(n_users=300, n_videos=400, n_events=20_000, seed=5)
    pd.testing.assert_frame_equal(blocked.interactions, whole.interactions)


def test_interactions_follow_the_schema(world):
    interactions, videos = world.interactions, world.videos
    assert check_table(interactions) is interactions
    assert list(interactions.columns) == [*COLUMNS, "watch_seconds"]
    assert interactions.dtypes.astype(str).tolist() == ["int64", "int64", "float64", "float64", "float64"]
    assert len(interactions) == 100_000
    assert interactions["time"].min() >= 0 and interactions["time"].max() < 60
    length = videos["length_seconds"].to_numpy()[interactions["video_id"].to_numpy()]
    assert np.allclose(interactions["watch_seconds"], interactions["engagement"] * length)


def test_nobody_watches_before_joining_or_before_the_upload_and_never_twice(world):
    interactions, users, videos = world.interactions, world.users, world.videos
    time = interactions["time"].to_numpy()
    assert (time >= users["join_time"].to_numpy()[interactions["user_id"].to_numpy()]).all()
    assert (time >= videos["upload_time"].to_numpy()[interactions["video_id"].to_numpy()]).all()
    assert not interactions.duplicated(["user_id", "video_id"]).any()


@pytest.mark.parametrize("table, column, share", [("users", "join_time", 0.2), ("videos", "upload_time", 0.3)])
def test_a_share_of_users_and_videos_arrives_late(world, table, column, share):
    arrival = getattr(world, table)[column].to_numpy()
    standard_error = math.sqrt(share * (1 - share) / len(arrival))
    assert abs(np.mean(arrival > 0) - share) < 4 * standard_error
    assert arrival.max() < 60


def test_popularity_is_heavy_tailed_and_drives_exposure(world):
    views = np.bincount(world.interactions["video_id"], minlength=len(world.videos))
    assert np.sort(views)[::-1][: len(views) // 10].sum() / views.sum() > 0.4
    popularity = world.videos["popularity"].to_numpy()
    assert popularity.sum() == pytest.approx(1)
    assert pd.Series(views).corr(pd.Series(popularity), method="spearman") > 0.7


def test_active_users_watch_more(world):
    from_the_start = world.users[world.users["join_time"] == 0]
    watches = np.bincount(world.interactions["user_id"], minlength=len(world.users))[from_the_start["user_id"]]
    assert pd.Series(watches).corr(pd.Series(from_the_start["activity"].to_numpy()), method="spearman") > 0.7
    assert watches.max() < len(world.videos)


def test_each_choice_follows_popularity_times_exp_affinity(world):
    """For every watch of 60 users: the chosen video against the model's choice over the open, unwatched videos."""
    interactions, videos = world.interactions, world.videos
    log_popularity, upload = np.log(videos["popularity"].to_numpy()), videos["upload_time"].to_numpy()
    observed, expected, variance = np.zeros(2), np.zeros(2), np.zeros(2)
    for user in range(0, 600, 10):
        affinity = world.true_affinity(user)
        statistics = np.stack([affinity, log_popularity])
        watched = np.zeros(len(videos), dtype=bool)
        rows = interactions[interactions["user_id"] == user]
        for video, time in zip(rows["video_id"], rows["time"]):
            weight = np.where((upload <= time) & ~watched, np.exp(log_popularity + affinity), 0.0)
            choice = weight / weight.sum()
            mean = statistics @ choice
            observed += statistics[:, video]
            expected += mean
            variance += (statistics**2) @ choice - mean**2
            watched[video] = True
    assert (np.abs(observed - expected) < 4 * np.sqrt(variance)).all()


def test_engagement_meets_its_mean_and_follows_the_truth(world):
    interactions = world.interactions
    users, videos = interactions["user_id"].to_numpy(), interactions["video_id"].to_numpy()
    expected = world.expected_engagement(users, videos)
    engagement = interactions["engagement"].to_numpy()
    assert expected.mean() == pytest.approx(MEAN_ENGAGEMENT, abs=1e-9)
    assert abs(engagement.mean() - MEAN_ENGAGEMENT) < 4 * engagement.std() / math.sqrt(len(engagement))
    frame = pd.DataFrame({"engagement": engagement, "expected": expected, "affinity": world.true_affinity(users, videos)})
    by_band = frame.groupby(pd.qcut(frame["affinity"], 5), observed=True)[["engagement", "expected"]].mean()
    assert np.allclose(by_band["engagement"], by_band["expected"], atol=0.01)
    assert by_band["engagement"].is_monotonic_increasing


def test_engagement_rises_with_affinity_in_every_quality_band(world):
    interactions = world.interactions
    videos = interactions["video_id"].to_numpy()
    frame = pd.DataFrame(
        {
            "engagement": interactions["engagement"],
            "affinity": world.true_affinity(interactions["user_id"].to_numpy(), videos),
            "quality": world.videos["quality"].to_numpy()[videos],
        }
    )
    by_quality = frame.groupby(pd.qcut(frame["quality"], 5), observed=True)
    assert (by_quality.apply(lambda band: band["affinity"].corr(band["engagement"])) > 0.3).all()


def test_truth_and_matrix_forms_agree(world):
    users = np.array([0, 7, 999])
    matrix = world.true_affinity(users)
    assert matrix.shape == (3, len(world.videos))
    assert np.allclose(matrix[1], world.true_affinity(7))
    assert np.allclose(matrix[:, 5], world.true_affinity(users, 5))
    assert np.allclose(matrix, world.true_affinity(users[:, None], np.arange(len(world.videos))))
    assert (matrix >= 0).all() and (matrix <= TASTE_SCALE + 1e-12).all()
    assert np.allclose(world.expected_engagement(users)[2, [3, 4]], world.expected_engagement([999, 999], [3, 4]))


def _recall_at_10(world, scores: np.ndarray, later: pd.DataFrame) -> float:
    """Mean recall@10 over the users of ``later``; each user's list skips what they watched before the split
    and what was not uploaded by then."""
    interactions, n_videos = world.interactions, len(world.videos)
    earlier = interactions[interactions["time"] < SPLIT_DAY]
    users = np.unique(later["user_id"])
    row = np.searchsorted(users, later["user_id"].to_numpy())
    target = np.zeros((len(users), n_videos), dtype=bool)
    target[row, later["video_id"].to_numpy()] = True
    closed = np.zeros((len(world.users), n_videos), dtype=bool)
    closed[earlier["user_id"], earlier["video_id"]] = True
    closed |= world.videos["upload_time"].to_numpy() >= SPLIT_DAY
    ranked = np.where(closed[users], -np.inf, np.broadcast_to(scores, (len(world.users), n_videos))[users])
    top = np.argsort(-ranked, axis=1, kind="stable")[:, :10]
    return float(np.mean(np.take_along_axis(target, top, axis=1).sum(axis=1) / target.sum(axis=1)))


def test_the_truth_beats_popularity_on_later_engaged_watches_but_not_on_all_watches(world):
    interactions = world.interactions
    earlier, later = interactions[interactions["time"] < SPLIT_DAY], interactions[interactions["time"] >= SPLIT_DAY]
    popularity = np.bincount(earlier["video_id"], minlength=len(world.videos)).astype(float)
    truth = world.true_affinity(np.arange(len(world.users)))
    engaged = later[relevant(later)]
    assert _recall_at_10(world, truth, engaged) > 1.25 * _recall_at_10(world, popularity, engaged)
    assert _recall_at_10(world, popularity, later) > 1.5 * _recall_at_10(world, truth, later)  # watches follow exposure


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"n_users": 0}, "n_users must be an integer >= 1; got 0"),
        ({"n_days": 2.5}, "n_days must be an integer >= 1; got 2.5"),
        ({"n_genres": True}, "n_genres must be an integer >= 1; got True"),
        ({"n_users": 10, "n_videos": 10, "n_events": 100}, "n_events must be an integer in \\[1, 99\\]; got 100"),
        ({"new_user_share": 1.5}, "new_user_share must be a number in \\[0, 1\\]; got 1.5"),
        ({"new_video_share": float("nan")}, "new_video_share must be a number in \\[0, 1\\]; got nan"),
        ({"popularity_exponent": -1.0}, "popularity_exponent must be a number in \\[0, 5\\]; got -1.0"),
    ],
)
def test_simulator_rejects_bad_arguments(arguments, message):
    with pytest.raises(ValueError, match=message):
        simulate_watches(**arguments)
