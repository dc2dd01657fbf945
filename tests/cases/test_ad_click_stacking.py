"""GBDT + LR: the trees' one-hot leaves as a logistic regression's features; the options table."""

import numpy as np
import pytest

from mlsd.cases.ad_click import (
    GBDTLogisticRegression,
    clicks_within,
    compare_models,
    labels_known_at,
    load_data,
    model_options,
    split,
)
from mlsd.cases.ad_click.stacking import COMPARISON_COLUMNS, OPTION_COLUMNS, OPTIONS


@pytest.fixture(scope="module")
def market():
    data = load_data("simulated", seed=2, n_impressions=30_000)
    held_out = split(data)
    train, test = held_out.train, held_out.test
    labels = labels_known_at(train, int(test["day"].min()), 24.0)
    return train, test, labels


@pytest.fixture(scope="module")
def fitted(market):
    train, test, labels = market
    model = GBDTLogisticRegression(n_trees=6, max_leaf_nodes=5, seed=2).fit(train, labels)
    return model.update_counters(test, clicks_within(test, 24.0))


def test_one_column_per_leaf_and_one_1_per_tree(market, fitted):
    _, test, _ = market
    features = fitted.leaf_features(test)
    leaves = fitted.leaves(test)
    assert features.shape == (len(test), fitted.leaf_counts_.sum())
    assert leaves.shape == (len(test), 6) and (fitted.leaf_counts_ <= 5).all()
    assert set(np.unique(features.data)) == {1.0}
    edges = np.concatenate([[0], np.cumsum(fitted.leaf_counts_)])
    dense = features.toarray()
    for tree, (first, last) in enumerate(zip(edges[:-1], edges[1:])):
        block = dense[:, first:last]
        assert (block.sum(axis=1) == 1).all()
        assert np.array_equal(block.argmax(axis=1), leaves[:, tree])
    assert (leaves < fitted.leaf_counts_).all() and (leaves >= 0).all()


def test_the_leaves_reproduce_the_trees(market, fitted):
    _, test, _ = market
    tables = [predictor.nodes for (predictor,) in fitted.trees_._predictors]
    leaf_values = [nodes["value"][nodes["is_leaf"].astype(bool)] for nodes in tables]
    leaves = fitted.leaves(test)
    total = sum(values[leaves[:, t]] for t, values in enumerate(leaf_values))
    total += float(np.ravel(fitted.trees_._baseline_prediction)[0])
    assert np.allclose(total, fitted.trees_.decision_function(fitted.features(test)))


def test_fits_and_predicts_deterministically(market, fitted):
    train, test, labels = market
    again = GBDTLogisticRegression(n_trees=6, max_leaf_nodes=5, seed=2).fit(train, labels)
    again.update_counters(test, clicks_within(test, 24.0))
    first, second = fitted.predict(test), again.predict(test)
    assert np.array_equal(first, second)
    assert ((first > 0) & (first < 1)).all()


@pytest.mark.parametrize("arguments, words", [
    ({"n_trees": 0}, ["n_trees", "0"]),
    ({"max_leaf_nodes": 1}, ["max_leaf_nodes", "1"]),
    ({"C": 0}, ["C", "0"]),
    ({"learning_rate": 2}, ["learning_rate", "2"]),
])
def test_bad_parameters_say_what_is_allowed(arguments, words):
    with pytest.raises(ValueError) as error:
        GBDTLogisticRegression(**arguments)
    assert all(word in str(error.value) for word in words), str(error.value)


def test_comparison_and_options_tables(market, fitted):
    _, test, _ = market
    clicks, ads = test["click"].to_numpy(), test["ad_id"].to_numpy()
    rate = np.full(len(test), clicks.mean())
    predictions = {"LR (hashed)": rate, "GBDT": fitted.predict(test),
                   "GBDT + LR": fitted.predict(test)}
    comparison = compare_models(predictions, clicks, ads, "GBDT", seed=1)
    assert list(comparison.columns) == COMPARISON_COLUMNS
    assert comparison.loc["GBDT + LR", "ne_vs_reference"] == 0.0
    assert comparison.loc["LR (hashed)", "normalized_entropy"] == pytest.approx(1.0, abs=1e-9)
    table = model_options(comparison)
    assert list(table.columns) == OPTION_COLUMNS and tuple(table.index) == OPTIONS
    assert table.loc["GBDT", "NE here"] == f"{comparison.loc['GBDT', 'normalized_entropy']:.4f}"
    for stated, source in [("FM", "Rendle"), ("DCN", "Wang et al."), ("DeepFM", "Guo et al.")]:
        cell = table.loc[stated, "NE here"]
        assert "not in the kit" in cell and source in cell
    assert table.map(len).max().max() <= 40  # short cells: the table fits a 1280-px window
    with pytest.raises(ValueError, match="reference"):
        compare_models(predictions, clicks, ads, "FM")
    with pytest.raises(ValueError, match="GBDT"):
        model_options(comparison.drop(index="GBDT"))
