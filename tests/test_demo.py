"""The start notebook's world: independent test and validation samples of one story, and the costs
of a thresholded decision, item by item and in paired differences."""

import numpy as np
import pytest

from mlsd.demo import bayes_threshold, cost_difference, decision_table, item_costs, simulate_flagging
from mlsd.metrics.thresholds import ThresholdCurve


def test_the_validation_sample_is_another_draw_of_the_same_story():
    test = simulate_flagging(5_000, 0.05, 1.5, 1.0, seed=4)
    again = simulate_flagging(5_000, 0.05, 1.5, 1.0, seed=4, sample="test")
    validation = simulate_flagging(5_000, 0.05, 1.5, 1.0, seed=4, sample="validation")
    np.testing.assert_array_equal(test.model_score, again.model_score)  # "test" is the default stream
    assert not np.allclose(test.model_score, validation.model_score)
    assert validation.true_probability.mean() == pytest.approx(0.05) == test.true_probability.mean()
    with pytest.raises(ValueError, match="sample"):
        simulate_flagging(5_000, 0.05, 1.5, 1.0, seed=4, sample="train")


def test_item_costs_average_to_the_decision_tables_cost():
    world = simulate_flagging(4_000, 0.1, 1.5, 1.0, seed=2)
    threshold = bayes_threshold(1.0, 10.0)
    costs = item_costs(world.labels, world.model_score, threshold, 1.0, 10.0)
    table = decision_table(world.labels, {"model": (world.model_score, threshold)}, 1.0, 10.0)
    assert costs.mean() == pytest.approx(table.loc["model", "mean_cost"])
    assert set(np.unique(costs)) <= {0.0, 1.0, 10.0}


def test_a_cost_difference_is_paired_and_signed():
    world = simulate_flagging(8_000, 0.05, 1.5, 1.0, seed=3)
    threshold = bayes_threshold(1.0, 10.0)
    truth, model = (world.true_probability, threshold), (world.model_score, threshold)
    difference = cost_difference(world.labels, truth, model, 1.0, 10.0, seed=1)
    curve = ThresholdCurve(world.labels, world.model_score)
    truth_cost = ThresholdCurve(world.labels, world.true_probability).expected_cost(threshold, 1.0, 10.0)
    assert difference.estimate == pytest.approx(curve.expected_cost(threshold, 1.0, 10.0) - truth_cost)
    assert difference.low > 0  # the model costs more than the truth
    assert cost_difference(world.labels, model, model, 1.0, 10.0).estimate == 0
