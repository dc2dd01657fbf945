"""Position bias on the simulated feed: the propensities of the random sessions recover the
simulator's examination, and the corrected click heads order posts by the true click probability
better than the naive one."""

import numpy as np
import pandas as pd
import pytest

from mlsd.cases.contract import split_by_day
from mlsd.cases.feed_ranking.data import TEST_DAYS, load_data
from mlsd.cases.feed_ranking.position_bias import (
    MAX_WEIGHT,
    click_heads,
    estimate_propensities,
    ipw_weights,
    position_bias_table,
    slot_table,
)

RESAMPLES = 200


@pytest.fixture(scope="module")
def heads_by_seed():
    return {seed: click_heads(load_data("simulated", seed=seed), n_resamples=RESAMPLES)
            for seed in (1, 3)}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_sessions_recover_the_examination_ratios(seed):
    data = load_data("simulated", seed=seed)
    train = split_by_day(data.table, TEST_DAYS)[0]
    slots = int(train["position"].max())
    level = 1 - 0.05 / (slots - 1)  # every estimated slot at once (Bonferroni)
    table = estimate_propensities(train, n_resamples=RESAMPLES, level=level, seed=seed)
    truth = data.world.examine_probability(table.index) / data.world.examine_probability(1)
    assert table.loc[1, "propensity"] == 1.0
    assert ((table["low"] <= truth) & (truth <= table["high"])).all(), table.assign(truth=truth)


@pytest.mark.parametrize("seed", [1, 3])
def test_corrected_heads_order_by_the_truth_better_than_the_naive_one(heads_by_seed, seed):
    table = position_bias_table(heads_by_seed[seed], n_resamples=RESAMPLES)
    for method in ("position_feature", "ipw"):
        for measure in ("tau_vs_naive", "ndcg_vs_naive"):
            assert table.loc[method, f"{measure}_low"] > 0, table.T
    assert (table.loc["truth", ["kendall_tau", "ndcg", "calibration_slot_1"]] == 1).all()
    naive_high = table.loc["naive", "calibration_slot_1_high"]
    assert naive_high < table.loc["ipw", "calibration_slot_1_low"]


def test_the_naive_head_learns_the_slot(heads_by_seed):
    table = slot_table(heads_by_seed[1])
    assert (np.diff(table["naive_served"].to_numpy()) < 0).all()
    assert (table["naive_served"] < table["true_click"]).all()
    assert table["impressions"].sum() == len(heads_by_seed[1].test)


def test_ipw_weights_are_one_over_the_propensity_clipped_for_clicks_only():
    propensities = pd.DataFrame({"propensity": [1.0, 0.5, 1e-3]}, index=pd.Index([1, 2, 3]))
    weights = ipw_weights([1, 2, 3, 3, 2], [1, 1, 1, 0, 0], propensities)
    assert weights.tolist() == [1.0, 2.0, MAX_WEIGHT, 1.0, 1.0]
    assert ipw_weights([3], [1], propensities, max_weight=5)[0] == 5
    with pytest.raises(ValueError, match=r"positions \[4\] have no estimated propensity"):
        ipw_weights([4], [1], propensities)
    with pytest.raises(ValueError, match="max_weight"):
        ipw_weights([1], [1], propensities, max_weight=0.5)


def test_bad_inputs_name_what_is_wrong():
    data = load_data("simulated", seed=1, n_members=300, n_creators=50, n_days=4,
                     n_impressions=6_000, random_share=0.0)
    with pytest.raises(ValueError, match="no random_order row"):
        estimate_propensities(data.table)
    with pytest.raises(ValueError, match="method"):
        click_heads(data, methods=("naive", "doubly_robust"))
