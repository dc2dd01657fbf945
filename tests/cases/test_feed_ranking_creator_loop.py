"""The creator feedback loop: a popularity counter in a refit ranker's score concentrates the top of
the feed on big creators; a floor of top slots for small creators holds it back."""

import numpy as np
import pandas as pd
import pytest

from mlsd.cases.feed_ranking import creator_loop as cl
from mlsd.cases.feed_ranking.simulate import simulate_feed


@pytest.fixture(scope="module")
def world():
    return simulate_feed(seed=1)


@pytest.fixture(scope="module")
def table(world):
    return cl.guardrail_table(world, seed=1)


def test_the_floor_places_the_best_small_rows_in_the_top_slots_and_keeps_the_order_elsewhere():
    sessions = np.array([0, 0, 0, 0, 0, 1, 1, 1])
    scores = np.array([5.0, 4.0, 3.0, 2.0, 1.0, 3.0, 2.0, 1.0])
    small = np.array([False, False, False, True, True, True, False, False])
    assert cl.floor_slots(sessions, scores, small, 0).tolist() == [1, 2, 3, 4, 5, 1, 2, 3]
    # session 0: the best small row (score 2) takes slot 3, pushing the third-best to slot 4
    assert cl.floor_slots(sessions, scores, small, 1).tolist() == [1, 2, 4, 3, 5, 1, 2, 3]
    assert cl.floor_slots(sessions, scores, small, 2).tolist() == [1, 4, 5, 2, 3, 1, 2, 3]
    # a floor above the session's small rows keeps all of them, the best other fills the top
    assert cl.floor_slots(sessions, scores, small, 3).tolist() == [1, 4, 5, 2, 3, 1, 2, 3]
    tied = cl.floor_slots(np.zeros(3, int), np.zeros(3), np.zeros(3, bool), 0, top_slots=2)
    assert tied.tolist() == [1, 2, 3]  # ties keep the row order


def test_the_floor_gives_small_rows_a_top_slot_in_every_session_that_has_one():
    rng = np.random.default_rng(0)
    sessions = np.repeat(np.arange(300), 12)
    scores, small = rng.normal(size=len(sessions)), rng.random(len(sessions)) < 0.2
    slot = cl.floor_slots(sessions, scores, small, 1)
    frame = pd.DataFrame({"session": sessions, "slot": slot, "small": small})
    assert frame.groupby("session")["slot"].apply(lambda s: sorted(s) == list(range(1, 13))).all()
    has_small = frame.groupby("session")["small"].any()
    top_small = frame[frame["slot"] <= 3].groupby("session")["small"].any()
    assert (top_small[has_small]).all()
    plain = cl.floor_slots(sessions, scores, small, 0)
    assert (slot[~small] >= plain[~small]).all()  # the others only move down


def test_the_popularity_loop_concentrates_and_the_floor_holds_it_back_on_seed_1(table):
    assert list(table.index) == list(cl.POLICIES) and list(table.columns) == list(cl.TABLE_COLUMNS)
    expected = pd.DataFrame(
        [[0.357, 0.324, 0.205, 2.347], [0.632, 0.668, 0.036, 1.938],
         [0.474, 0.494, 0.330, 1.946], [0.340, 0.325, 0.213, 2.724]],
        index=table.index, columns=table.columns)
    assert np.allclose(table.to_numpy(), expected.to_numpy(), atol=2e-3)
    assert cl.loop_claim(table)
    # a floor that moves value by more than the tolerance, or none at all, fails the claim
    assert not cl.loop_claim(table, value_tolerance=0.001)
    flat = table.copy()
    flat.loc["+ popularity", "top_share_last"] = flat.loc["+ popularity", "top_share_round_1"]
    assert not cl.loop_claim(flat)


def test_the_loop_is_paired_across_settings_and_deterministic(world):
    plain = cl.creator_loop(world, rounds=2, sessions=300, popularity_weight=0.0, seed=4)
    guarded = cl.creator_loop(world, rounds=2, sessions=300, small_floor=2, seed=4)
    assert list(plain.columns) == list(cl.ROUND_COLUMNS) and plain["round"].tolist() == [0, 1, 2]
    truth = [column for column in cl.ROUND_COLUMNS if column.startswith("truth_")]
    assert plain[truth].equals(guarded[truth])  # the same candidates every round
    assert plain.iloc[0].equals(guarded.iloc[0])  # round 0 is the production ranker's
    assert (guarded["small_creator_share"].iloc[1:] > 0.6).all()  # two of three top slots
    assert (plain["value"] <= plain["truth_value"]).all()  # the truth order is the ceiling
    again = cl.creator_loop(world, rounds=2, sessions=300, small_floor=2, seed=4)
    assert again.equals(guarded)


def test_bad_inputs_raise_clear_errors(world, table):
    with pytest.raises(ValueError, match="rounds"):
        cl.creator_loop(world, rounds=6)
    with pytest.raises(ValueError, match="small_floor"):
        cl.creator_loop(world, small_floor=4)
    with pytest.raises(ValueError, match="popularity_weight"):
        cl.creator_loop(world, popularity_weight=-1.0)
    with pytest.raises(ValueError, match="sessions"):
        cl.creator_loop(world, sessions=5)
    with pytest.raises(ValueError, match="seed"):
        cl.creator_loop(world, seed=-1)
    with pytest.raises(ValueError, match="at least 3 days"):
        cl.creator_loop(simulate_feed(n_days=2, n_impressions=2_000, seed=1))
    with pytest.raises(ValueError, match="same length"):
        cl.floor_slots([0, 0], [1.0], [True, False], 1)
    with pytest.raises(ValueError, match="missing"):
        cl.loop_claim(table.drop(index="truth order"))
