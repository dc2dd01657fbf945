"""Position bias in rental search: the examination curve from random traffic against the
simulator's truth, the position-aware LambdaMART, the bias table and their bad input."""

import numpy as np
import pandas as pd
import pytest

from mlsd.cases import rental_search as case


@pytest.fixture(scope="module")
def world():
    return case.simulate_searches(n_searches=6_000, random_share=0.3, seed=3)


def test_the_random_searches_recover_the_examination_decay(world):
    curve = case.examination_curve(world.results, max_position=10)
    decay = case.fit_decay(curve["random_ratio"], curve["random_clicks"])
    assert abs(decay - world.parameters["examination_decay"]) < 0.12
    assert curve["random_ratio"].iloc[0] == 1.0
    assert curve["random_impressions"].sum() == int(
        (world.results["random_order"] & (world.results["position"] <= 10)).sum())


def test_fit_decay_recovers_an_exact_power_law():
    k = np.arange(1, 11)
    assert case.fit_decay(k ** -1.3, np.full(10, 50)) == pytest.approx(1.3)


def test_bad_input_is_rejected(world):
    with pytest.raises(ValueError, match="random_order"):
        case.examination_curve(world.results[~world.results["random_order"]])
    with pytest.raises(ValueError, match="max_position"):
        case.examination_curve(world.results, max_position=1)
    with pytest.raises(ValueError, match="one length"):
        case.fit_decay([1.0, 0.5], [3])
    with pytest.raises(ValueError, match="position_dropout"):
        case.PositionLambdaMART(position_dropout=1.0)
    with pytest.raises(ValueError, match="scores"):
        case.position_bias_table(world.results, {"bad": np.zeros(3)}, 0.7)


def test_the_position_model_scores_every_row_at_the_serving_slot(world):
    rows = world.results[world.results["day"] < 10]
    model = case.PositionLambdaMART(n_trees=10, seed=1).fit(rows)
    moved = rows.assign(position=pd.array(np.full(len(rows), 20), dtype="Int64"))
    assert np.array_equal(model.predict(rows), model.predict(moved))
    again = case.PositionLambdaMART(n_trees=10, seed=1).fit(rows)
    assert np.array_equal(model.predict(rows), again.predict(rows))


def test_the_logged_order_flatters_itself_offline(world):
    rows = world.results
    table = case.position_bias_table(rows, {"logged": case.logged_order(rows),
                                            "truth": case.expected_gain(rows)}, 0.7)
    assert table.loc["truth", "true_ndcg"] == pytest.approx(1.0)
    assert table.loc["logged", "offline_ndcg"] > table.loc["truth", "offline_ndcg"]
    assert table.loc["logged", "true_ndcg"] < table.loc["truth", "true_ndcg"]
