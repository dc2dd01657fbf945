"""The A/B planner: its numbers are mlsd.experiments', and its sliders drive the state."""

import io

import pytest
from matplotlib.image import imread

from mlsd.experiments import days_needed, sample_size_per_arm, simulate_detection
from mlsd.explore import ABPlanner, ABPlannerState


def test_the_plan_is_the_experiments_modules_and_deterministic():
    state = ABPlannerState(0.05, 0.10, traffic_per_day=10_000, n_experiments=1_000, seed=4)
    plan = state.snapshot()
    assert plan.users_per_arm == sample_size_per_arm(0.05, 0.10)
    assert plan.days == days_needed(plan.users_per_arm, 10_000)
    assert plan.measured_power == simulate_detection(0.05, 0.10, plan.users_per_arm, n_experiments=1_000, seed=4)
    assert plan.peeking_false_positive_rate > plan.false_positive_rate  # daily looks inflate false positives
    assert state.snapshot().measured_power == plan.measured_power


def test_a_slider_move_replans():
    planner = ABPlanner(0.05, 0.10, traffic_per_day=10_000, n_experiments=500)
    before = planner.state.snapshot().users_per_arm
    planner.controls["minimum_detectable_effect"].value = 0.2
    assert planner.state.minimum_detectable_effect == 0.2
    assert planner.state.snapshot().users_per_arm < before  # a bigger effect needs fewer users
    assert f"{planner.state.snapshot().users_per_arm:,} users per arm" in planner.readout.value
    picture = imread(io.BytesIO(planner.image.value), format="png")
    assert picture.shape[0] > 100 and (picture[..., :3] < 0.5).any()  # a drawn figure, not a blank canvas


def test_bad_input_names_the_input():
    with pytest.raises(ValueError, match=r"^power must be a number in \(0, 1\); got 1.2$"):
        ABPlannerState(power=1.2).snapshot()


def test_a_redrawn_figure_is_the_figure_a_new_planner_draws_for_the_same_inputs():
    planner = ABPlanner(0.05, 0.10, traffic_per_day=10_000, n_experiments=300)
    planner.controls["baseline_rate"].value = 0.06
    planner.controls["traffic_per_day"].value = 2_000  # more days: the axes are redrawn
    planner.controls["baseline_rate"].value = 0.065  # same axes: only the lines are redrawn
    fresh = ABPlanner(0.065, 0.10, traffic_per_day=2_000, n_experiments=300)
    moved, new = (imread(io.BytesIO(p.image.value), format="png") for p in (planner, fresh))
    assert moved.shape == new.shape
    assert (moved == new).all()
