"""The experiments of ad-click notebooks 1 and 2 that back their claims: the auction's response to
miscalibration by advertiser (winners, prices, AUC), the threshold chosen on validation, the
ablation of crosses and buckets, position bias, the online A/B test — and on a Criteo file the
sections that need the simulator say why they are skipped."""

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from mlsd.cases.ad_click import lessons
from mlsd.cases.ad_click.ablation import REFERENCE, ablation_table, every_ablation_hurts
from mlsd.cases.ad_click.auction import mean_true_ctr_by_ad, miscalibration_effect
from mlsd.cases.ad_click.criteo_synthetic import write_synthetic_criteo
from mlsd.cases.ad_click.data import load_data, split
from mlsd.cases.ad_click.features import hashed_features
from mlsd.cases.ad_click.intervals import base_entropy, log_losses
from mlsd.cases.ad_click.models import HashedLogisticRegression
from mlsd.cases.ad_click.online_test import candidate_rows, online_test
from mlsd.cases.ad_click.position import blind_model_is_off_by_slot, clicks_fall_with_slot, slot_table
from mlsd.cases.ad_click.schema import clicks_within
from mlsd.claims import MODE_VARIABLE
from mlsd.metrics import normalized_entropy, roc_auc

SEED = 3


@pytest.fixture(scope="module")
def data():
    return load_data("simulated", seed=SEED, n_impressions=60_000)


@pytest.fixture(scope="module")
def held_out(data):
    return split(data)


@pytest.fixture(scope="module")
def scored(data, held_out):
    return lessons.held_out_predictions(data, held_out, 24.0, seed=SEED)


@pytest.fixture()
def record_claims(monkeypatch):
    """Claims shown and stored without raising, whatever they find (the lessons' claims are about
    the default sizes; these tests check the tables they are computed from)."""
    monkeypatch.setenv(MODE_VARIABLE, "record")


# --- the auction under miscalibration -------------------------------------------------------------


def test_over_predicted_winners_pay_less_and_under_predicted_ads_lose_auctions(data, held_out):
    ad_ctr = mean_true_ctr_by_ad(data.table, len(data.world.ads))
    effect = miscalibration_effect(data.world.ads, ad_ctr, seed=SEED, impressions=held_out.test)
    by_factor = effect.set_index("factor")
    assert list(effect.columns)[-3:] == ["distorted_wins_change", "distorted_price_change", "roc_auc"]
    over, under = by_factor.loc[[1.25, 2.0]], by_factor.loc[[0.5, 0.8]]
    assert (over["distorted_wins_change"] > 0).all() and (over["distorted_price_change"] < 0).all()
    assert (under["distorted_wins_change"] < 0).all() and (under["distorted_price_change"] > 0).all()
    test = held_out.test
    assert by_factor.loc[1.0, "roc_auc"] == roc_auc(test["click"], test["true_ctr"])
    assert by_factor.loc[2.0, "roc_auc"] < by_factor.loc[1.0, "roc_auc"]
    assert "roc_auc" not in miscalibration_effect(data.world.ads, ad_ctr, seed=SEED).columns


# --- logistic regression fitted on the columns the data set -----------------------------------------


def test_fitting_on_the_used_columns_gives_the_full_width_fit(held_out):
    train, test = held_out.train.iloc[:15_000], held_out.test.iloc[:5_000]
    labels = clicks_within(train, 24.0)
    model = HashedLogisticRegression(n_buckets=2**14, seed=1).fit(train, labels)
    full = LogisticRegression(C=model.C, max_iter=300).fit(hashed_features(train, 2**14), labels)
    np.testing.assert_allclose(model.predict(test), full.predict_proba(hashed_features(test, 2**14))[:, 1], rtol=1e-6)
    assert model.model_.coef_.shape == (1, 2**14)
    unused = np.setdiff1d(np.arange(2**14), np.unique(hashed_features(train, 2**14).indices))
    assert (model.model_.coef_[0, unused] == 0).all()
    assert isinstance(hashed_features(test, 2**14), sparse.csr_matrix)


# --- the threshold chosen on validation -------------------------------------------------------------


def test_the_threshold_is_chosen_on_the_last_training_day_and_reported_on_the_test_days(data, held_out):
    choice = lessons.threshold_on_validation(data, held_out, 24.0, 1.0, 40.0, seed=SEED)
    assert list(choice.table.index) == ["Bayes threshold", "chosen on validation", "chosen on the test rows (in-sample)"]
    assert choice.table.loc["Bayes threshold", "threshold"] == pytest.approx(1 / 41)
    costs = choice.table["mean_cost"]
    assert costs["chosen on the test rows (in-sample)"] <= costs.min()  # the test rows' own minimum
    assert choice.flattery.estimate == pytest.approx(costs["chosen on validation"] - costs["chosen on the test rows (in-sample)"])
    assert choice.vs_bayes.estimate == pytest.approx(costs["chosen on validation"] - costs["Bayes threshold"])
    assert choice.validation_rule.startswith("day 9, held out of training")


# --- the ablation -----------------------------------------------------------------------------------


def test_the_ablation_table_gives_each_variant_its_paired_ne_difference():
    rng = np.random.default_rng(0)
    truth = rng.uniform(0.005, 0.08, 30_000)
    y = (rng.random(len(truth)) < truth).astype(int)
    noisy = np.clip(truth * rng.lognormal(0, 0.6, len(truth)), 1e-4, 0.5)
    table = ablation_table(y, {REFERENCE: truth, "noisy": noisy, "same": truth.copy()},
                           groups=rng.integers(0, 500, len(y)), seed=1)
    assert table.loc[REFERENCE].tolist() == [normalized_entropy(y, truth), 0.0, 0.0, 0.0]
    change = table.loc["noisy", "ne_change"]
    assert change == pytest.approx(normalized_entropy(y, noisy) - normalized_entropy(y, truth))
    assert change == pytest.approx(np.mean(log_losses(y, noisy) - log_losses(y, truth)) / base_entropy(y))
    assert table.loc["noisy", "ne_change_low"] > 0 and table.loc["same", "ne_change"] == 0
    assert not every_ablation_hurts(table)  # "same" is no worse
    assert every_ablation_hurts(table.drop(index="same"))


def test_the_feature_ablation_refits_without_crosses_and_with_fewer_buckets(data, held_out, scored):
    table = lessons.feature_ablation(data, held_out, 24.0, scored.predictions["logistic regression"], SEED)
    assert list(table.index) == [REFERENCE, "no crosses", "2^10 buckets"]
    assert table.loc[REFERENCE, "normalized_entropy"] == normalized_entropy(scored.y_test, scored.predictions["logistic regression"])
    assert (table["ne_change_low"] <= table["ne_change"]).all() and (table["ne_change"] <= table["ne_change_high"]).all()


# --- position bias ------------------------------------------------------------------------------------


def test_a_position_blind_model_is_off_by_slot_where_the_slot_aware_one_is_not(data, held_out, scored, record_claims):
    table = lessons.position_bias(data, held_out, 24.0, scored.predictions["logistic regression"], SEED)
    assert list(table.index) == [1, 2, 3, 4]
    assert table["impressions"].sum() == len(held_out.test)
    assert table.loc[1, "observed_vs_slot_1"] == table.loc[1, "true_vs_slot_1"] == 1
    assert table["slot_odds_effect"].is_monotonic_decreasing
    assert table.loc[1, "blind_vs_truth"] < 1 < table.loc[4, "blind_vs_truth"]
    assert blind_model_is_off_by_slot(table) and clicks_fall_with_slot(table)


def test_the_slot_table_is_the_mean_prediction_over_the_mean_truth_per_slot():
    test = pd.DataFrame({"slot": [1, 1, 2, 2], "true_ctr": [0.02, 0.04, 0.01, 0.03]})
    y = np.array([0, 1, 1, 0])
    blind = np.full(4, 0.025)
    table = slot_table(test, y, blind, test["true_ctr"].to_numpy())
    assert table.loc[1, "blind_vs_truth"] == pytest.approx(0.025 / 0.03, abs=5e-5)  # rounded to 4 decimals
    assert table.loc[2, "aware_vs_truth"] == 1
    assert table.loc[2, "true_vs_slot_1"] == pytest.approx(0.02 / 0.03, abs=5e-5)
    assert not clicks_fall_with_slot(table)  # 0.5 and 0.5
    assert blind_model_is_off_by_slot(table)  # 0.83 at the top, 1.25 at the bottom; the aware one is exact
    as_off = slot_table(test, y, blind, test["true_ctr"].to_numpy() * np.array([1, 1, 1.3, 1.3]))
    assert not blind_model_is_off_by_slot(as_off)  # the aware model is as far off in slot 2


# --- the online A/B test -----------------------------------------------------------------------------


def test_the_market_gives_every_logged_impression_its_true_ctr_and_any_candidate_one(data):
    np.testing.assert_array_equal(data.world.true_ctr_of(data.table), data.table["true_ctr"])
    moved = data.table.iloc[:100].assign(slot=4)  # the same requests, the ads moved to the bottom
    before = data.table["true_ctr"].iloc[:100].to_numpy()
    lower = data.table["slot"].iloc[:100].to_numpy() < 4
    np.testing.assert_array_less(data.world.true_ctr_of(moved)[lower], before[lower])
    np.testing.assert_array_equal(data.world.true_ctr_of(moved)[~lower], before[~lower])
    with pytest.raises(ValueError, match="rows hold a device outside mobile, desktop, tablet"):
        data.world.true_ctr_of(data.table.iloc[:5].assign(device="watch"))


def test_each_request_has_its_logged_ad_and_distinct_live_candidates(data, held_out):
    requests = held_out.test.iloc[:3_000]
    rows = candidate_rows(data.world, requests, n_candidates=5, seed=1)
    assert len(rows) == 5 * len(requests)
    chosen = rows["ad_id"].to_numpy().reshape(-1, 5)
    assert (chosen[:, 0] == requests["ad_id"].to_numpy()).all()
    assert all(len(set(row)) == 5 for row in chosen)
    created = data.world.ads["created_day"].to_numpy()[rows["ad_id"].to_numpy()]
    assert (created <= rows["day"].to_numpy()).all() and (rows["ad_age_days"] >= 0).all()
    logged = rows.iloc[::5]
    assert (logged["user_ad_views"].to_numpy() == requests["user_ad_views"].to_numpy()).all()
    assert (logged["bid"].to_numpy() == requests["bid"].to_numpy()).all()


def test_an_online_test_of_a_model_against_itself_has_no_true_difference(data, held_out):
    requests = held_out.test.iloc[:4_000]
    rows = candidate_rows(data.world, requests, seed=2)
    truth = data.world.true_ctr_of(rows)
    same = online_test(data.world, requests, truth, truth, truth, rows["bid"].to_numpy(), seed=1)
    assert same.true_clicks == 0 and same.true_revenue == 0
    assert same.clicks.n_a + same.clicks.n_b == len(requests)
    flat = online_test(data.world, requests, np.full(len(rows), 0.02), truth, truth, rows["bid"].to_numpy(),
                       model_a="flat", model_b="truth", seed=1)
    assert flat.true_clicks > 0  # the truth picks ads that are clicked more than bid alone does
    assert list(flat.table().columns) == ["arm A: flat", "arm B: truth", "B − A", "low", "high", "p_value", "true B − A"]


def test_the_ab_test_lesson_compares_the_baseline_with_logistic_regression(data, held_out, scored, record_claims):
    table = lessons.ab_test(data, held_out, scored, SEED)
    assert list(table.index) == ["clicks per request", "revenue per request"]
    assert table.loc["clicks per request", "arm B: logistic regression"] > 0


# --- on a Criteo file ---------------------------------------------------------------------------------


def test_on_a_criteo_file_the_simulator_sections_say_why_they_are_skipped(tmp_path, capsys, record_claims):
    path = write_synthetic_criteo(tmp_path / "clicks.txt", 3_000, seed=4).path
    data = load_data("criteo", str(path))
    held_out = split(data)
    scored = lessons.held_out_predictions(data, held_out, 24.0, seed=1)
    table = pd.DataFrame({"ece": [0.1]}, index=["logistic regression"])
    lessons.truth_claims(data, table, held_out)
    assert lessons.position_bias(data, held_out, 24.0, scored.predictions["logistic regression"], 1) is None
    assert lessons.ab_test(data, held_out, scored, 1) is None
    slices = lessons.slice_table(data, held_out, scored.y_test, scored.predictions["logistic regression"])
    lessons.slice_claims(data, slices)
    printed = capsys.readouterr().out
    for reason in ("No truth row on a real log", "name no position", "only the simulator has them",
                   "Only the simulator knows each slice's true click rate"):
        assert reason in printed
    choice = lessons.threshold_on_validation(data, held_out, 24.0, 1.0, 3.0, seed=1)
    assert choice.validation_rule == f"the {len(held_out.validation):,} validation lines"
    ablation = lessons.feature_ablation(data, held_out, 24.0, scored.predictions["logistic regression"], 1)
    assert list(ablation.index) == [REFERENCE, "no crosses", "2^10 buckets"]
