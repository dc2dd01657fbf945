"""The Criteo models: their tokens and codes by hand, deterministic fits, and a planted signal they
must find better than the baseline (files written here in Criteo's exact layouts)."""

import numpy as np
import pandas as pd
import pytest

from mlsd.cases.ad_click.criteo import CATEGORICAL_FEATURES, INTEGER_FEATURES, load_criteo
from mlsd.cases.ad_click.criteo_models import (
    CROSSES,
    POOLED,
    CriteoClickRate,
    CriteoGBDT,
    CriteoLogisticRegression,
    _encode,
    _frequency_codes,
    categorical_tokens,
    hashed_criteo_features,
    integer_tokens,
)
from mlsd.cases.ad_click.criteo_synthetic import write_synthetic_criteo
from mlsd.cases.ad_click.data import load_data, split
from mlsd.metrics import calibration_ratio, log_loss, roc_auc, undo_downsampling

N_ROWS = 8_000


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    """A file with a planted signal, its ordered split, its labels and the truth of its test lines."""
    written = write_synthetic_criteo(tmp_path_factory.mktemp("criteo") / "train.txt", N_ROWS, seed=4)
    data = load_data("criteo", str(written.path))
    held_out = split(data)
    labels = {name: part["label"].to_numpy() for name, part in
              {"train": held_out.train, "validation": held_out.validation, "test": held_out.test}.items()}
    return held_out, labels, written.true_ctr[len(held_out.train) + len(held_out.validation):]


def test_integer_tokens_follow_the_winners_binning_by_hand():
    values = pd.array([None, -25, -3, 0, 2, 3, 10, 1000], dtype="Int64")
    # empty -> 0; v <= 2 -> 20 + max(v, -19); v > 2 -> 23 + floor(ln(v)^2): ln 3² = 1.2, ln 10² = 5.3, ln 1000² = 47.7
    assert integer_tokens(pd.Series(values)).tolist() == [0, 1, 17, 20, 22, 24, 28, 70]


def test_categorical_tokens_are_the_32_bit_values_and_empty_is_its_own():
    values = pd.Series(["68fd1e64", None, "00000000", "ffffffff"], dtype=object)
    assert categorical_tokens(values).tolist() == [0x68FD1E64, 2**32, 0, 2**32 - 1]


def test_every_row_sets_one_column_per_field_and_cross(planted):
    rows = planted[0].test
    with_crosses = hashed_criteo_features(rows, n_buckets=2**18)
    assert with_crosses.shape == (len(rows), 2**18)
    fields = len(INTEGER_FEATURES) + len(CATEGORICAL_FEATURES)
    np.testing.assert_array_equal(with_crosses.sum(axis=1).A1, fields + len(CROSSES))
    np.testing.assert_array_equal(hashed_criteo_features(rows, 2**18, crosses=False).sum(axis=1).A1, fields)
    assert (hashed_criteo_features(rows, 2**18) != with_crosses).nnz == 0  # a pure function of the rows


def test_one_changed_value_moves_only_its_field_and_the_crosses_that_use_it(planted):
    rows = planted[0].test.iloc[:1].copy()
    before = set(hashed_criteo_features(rows, 2**20).indices)
    rows["C9"] = "0badf00d"
    after = set(hashed_criteo_features(rows, 2**20).indices)
    assert len(before - after) == 1 + sum("C9" in pair for pair in CROSSES)


def test_frequency_codes_rank_by_training_count_ties_by_value_and_pool_the_rare():
    train = pd.Series(["b"] * 3 + ["a"] * 3 + ["c"] * 5 + ["d"] + [None] * 4, dtype=object)
    codes = _frequency_codes(train, min_count=2)
    assert codes.to_dict() == {"c": 0.0, "a": 1.0, "b": 2.0}
    encoded = _encode(pd.Series(["a", "d", "zzz", None, "c"], dtype=object), codes)
    np.testing.assert_array_equal(encoded, [1.0, POOLED, POOLED, np.nan, 0.0])


def test_the_baseline_is_the_training_click_rate(planted):
    held_out, labels, _ = planted
    baseline = CriteoClickRate().fit(held_out.train, labels["train"])
    np.testing.assert_array_equal(baseline.predict(held_out.test), np.full(len(held_out.test), labels["train"].mean()))


def test_the_models_are_deterministic_per_seed(planted):
    held_out, labels, _ = planted
    for make in (lambda: CriteoLogisticRegression(seed=3, negative_rate=0.5), lambda: CriteoGBDT(seed=3, max_trees=30)):
        first = make().fit(held_out.train, labels["train"]).predict(held_out.test)
        second = make().fit(held_out.train, labels["train"]).predict(held_out.test)
        np.testing.assert_array_equal(first, second)


def test_both_models_find_the_planted_signal_and_beat_the_baseline(planted):
    held_out, labels, truth = planted
    y = labels["test"]
    baseline = CriteoClickRate().fit(held_out.train, labels["train"]).predict(held_out.test)
    lr = CriteoLogisticRegression(seed=0).fit(held_out.train, labels["train"]).predict(held_out.test)
    gbdt = CriteoGBDT(seed=0).fit(held_out.train, labels["train"], held_out.validation, labels["validation"])
    trees = gbdt.predict(held_out.test)
    for model in (lr, trees):
        assert roc_auc(y, model) > 0.65
        assert log_loss(y, model) < log_loss(y, baseline) - 0.02
        assert roc_auc(y, model) < roc_auc(y, truth)  # the truth is the ceiling
    assert 1 <= gbdt.n_trees_ < gbdt.max_trees  # the validation lines stopped the boosting


def test_the_trees_count_is_the_validation_log_loss_minimum(planted):
    held_out, labels, _ = planted
    gbdt = CriteoGBDT(seed=1, max_trees=40).fit(held_out.train, labels["train"], held_out.validation, labels["validation"])
    staged = gbdt.model_.staged_predict_proba(gbdt.features(held_out.validation))
    losses = [log_loss(labels["validation"], proba[:, 1]) for proba in staged]
    assert gbdt.n_trees_ == int(np.argmin(losses)) + 1
    last = list(gbdt.model_.staged_predict_proba(gbdt.features(held_out.test)))[gbdt.n_trees_ - 1][:, 1]
    np.testing.assert_array_equal(gbdt.predict(held_out.test), last)
    unstopped = CriteoGBDT(seed=1, max_trees=40).fit(held_out.train, labels["train"])
    assert unstopped.n_trees_ == 40


def test_downsampled_training_inflates_the_probabilities_until_corrected(planted):
    held_out, labels, _ = planted
    y = labels["test"]
    raw = CriteoLogisticRegression(negative_rate=0.1, seed=0).fit(held_out.train, labels["train"]).predict(held_out.test)
    assert calibration_ratio(y, raw) > 2
    assert abs(calibration_ratio(y, undo_downsampling(raw, 0.1)) - 1) < 0.25


def test_bad_arguments_name_the_argument(planted):
    held_out, labels, _ = planted
    with pytest.raises(ValueError, match=r"^negative_rate must be a number in \(0, 1\]; got 0"):
        CriteoLogisticRegression(negative_rate=0)
    with pytest.raises(ValueError, match=r"^labels must have one value per row \(6400\); got shape \(3,\)$"):
        CriteoGBDT().fit(held_out.train, [0, 1, 0])
    with pytest.raises(ValueError, match=r"^labels must be 0 or 1$"):
        CriteoClickRate().fit(held_out.train, labels["train"] * 2)


@pytest.mark.parametrize("layout", ["train.txt", "csv"])
def test_the_synthetic_files_are_in_the_exact_layouts_and_reproducible(tmp_path, layout):
    first = write_synthetic_criteo(tmp_path / "a", 300, layout=layout, seed=2)
    second = write_synthetic_criteo(tmp_path / "b", 300, layout=layout, seed=2)
    assert first.path.read_bytes() == second.path.read_bytes()
    lines = first.path.read_text().splitlines()
    if layout == "csv":
        assert lines[0].startswith("Id,Label,I1,") and len(lines) == 301
        assert all(line.count(",") == 40 for line in lines)
    else:
        assert len(lines) == 300 and all(line.count("\t") == 39 for line in lines)
    table = load_criteo(first.path)
    assert len(table) == 300 and table["label"].isin((0, 1)).all()
    other_rows = write_synthetic_criteo(tmp_path / "c", 300, layout=layout, seed=3, world_seed=0)
    assert other_rows.path.read_bytes() != first.path.read_bytes()
