"""The heads' trade-offs on the simulated feed: dwell against click-bait, downsampling per head,
the comment weight, and the daily calibration monitor."""

import dataclasses

import numpy as np
import pytest

from mlsd.cases.feed_ranking import heads_tradeoffs as ht
from mlsd.cases.contract import split_by_day
from mlsd.cases.feed_ranking.data import load_data
from mlsd.cases.feed_ranking.evaluation import feed_metrics, value_scores
from mlsd.cases.feed_ranking.models import HeadModels
from mlsd.cases.feed_ranking.schema import HEADS, head_labels
from mlsd.metrics import calibration_ratio
from mlsd.monitoring import first_alert


@pytest.fixture(scope="module")
def data_1():
    return load_data("simulated", seed=1)


@pytest.fixture(scope="module")
def heads_1(data_1):
    """Seed 1's test rows and the heads' predictions for them, at slot 1 and at the logged slot."""
    train, test = split_by_day(data_1.table, 2)
    models = HeadModels().fit(train)
    return test, models.predict(test, serve_position=1), models.predict(test)


@pytest.fixture(scope="module")
def data_2():
    return load_data("simulated", seed=2)


def test_the_click_head_alone_fills_the_top_slots_with_click_bait(data_1):
    finding = ht.dwell_against_clicks(data_1)
    table = finding.table
    assert finding.holds
    assert list(table.index) == ["logged order", "click head", "click + long-dwell heads",
                                 "long-dwell head", "value model", "true click", "true long dwell"]
    assert table.loc["click head", "clickbait_top_share"] == pytest.approx(0.19, abs=0.02)
    assert table.loc["click + long-dwell heads", "clickbait_top_share"] == pytest.approx(0.033,
                                                                                        abs=0.01)
    assert table.loc["click head", "clickbait_top_share"] > \
        2 * table.loc["logged order", "clickbait_top_share"]
    assert table.loc["click head", "clicks"] > table.loc["click + long-dwell heads", "clicks"]
    assert table["long_dwells"].idxmax() == "true long dwell"
    assert np.allclose(table["reads_per_click"], table["long_dwells"] / table["clicks"])


def test_downsampling_inflates_the_rare_heads_most_and_the_correction_restores_them(data_1,
                                                                                      heads_1):
    finding = ht.downsampling_by_head(data_1, keep_share=0.1, seed=1)
    table = finding.table
    assert finding.holds and list(table.index) == list(HEADS)
    assert table.loc["share", "ratio_raw"] > 9 > 5 > table.loc["click", "ratio_raw"] > 3
    assert ((table["ratio_corrected"] - table["ratio_full"]).abs() < ht.CORRECTION_TOLERANCE).all()
    test, _, logged = heads_1  # the full fit is HeadModels' fit
    labels = head_labels(test)
    for head in HEADS:
        full = calibration_ratio(labels[head], logged[head])
        assert table.loc[head, "ratio_full"] == pytest.approx(full, rel=1e-6)
    # positives all kept, a tenth of the negatives: rows_kept ≈ rate + 0.1 (1 − rate)
    expected_kept = table["positive_rate"] + 0.1 * (1 - table["positive_rate"])
    assert np.allclose(table["rows_kept"], expected_kept, atol=0.01)
    everything = ht.downsampling_by_head(data_1, keep_share=1.0, seed=1)
    assert np.allclose(everything.table["ratio_raw"], everything.table["ratio_full"])
    assert (everything.table["auc_change"] == 0).all() and not everything.holds


def test_a_ten_percent_comment_weight_moves_hides_too_little_to_measure(data_1, heads_1):
    finding = ht.comment_weight_change(data_1, multiplier=1.1, seed=1)
    table = finding.table
    assert finding.holds
    assert table.loc["hides", "ab_sessions"] > ht.AB_SESSIONS_LIMIT
    assert table.loc["comments", "change"] > 0 > table.loc["clicks", "change"]
    assert table.loc["clicks", "high"] < 0  # the clicks lost are measurable offline
    assert np.allclose(table["changed"] - table["default"], table["change"])
    test, served, _ = heads_1
    metrics = feed_metrics(data_1.world, test, value_scores(served))
    for measure in ("clicks", "long_dwells", "viral_actions", "hides"):
        assert table.loc[measure, "default"] == pytest.approx(metrics[measure], rel=1e-9)


def test_the_sweep_trades_long_dwells_for_comments(data_2):
    finding = ht.comment_weight_sweep(data_2, multipliers=(3.0, 1.0, 2.0))
    table = finding.table
    assert finding.holds and table["comment_weight"].tolist() == [6.0, 12.0, 18.0]
    lost_reads = table["long_dwells"].iloc[0] - table["long_dwells"].iloc[-1]
    gained_comments = table["comments"].iloc[-1] - table["comments"].iloc[0]
    assert lost_reads > gained_comments > 0


def test_the_monitor_alerts_on_the_shifted_head_only(data_1):
    finding = ht.calibration_monitor(data_1, shift_head="comment", keep_share=0.5, seed=1)
    table = finding.table
    assert finding.holds and first_alert(table) == 6
    alerts = table[table["status"] == "alert"]
    assert alerts[["day", "head"]].values.tolist() == [[6, "comment"]]
    assert alerts["calibration_ratio"].iloc[0] > 1.4
    assert np.allclose(table["calibration_ratio"], table["predicted"] / table["positives"])
    off = (table["calibration_ratio"] - 1).abs() > 0.2
    evident = table["z"].abs() > 3.0
    assert (table["status"] == np.where(off & evident, "alert", np.where(off, "warn", "ok"))).all()


def test_the_monitor_is_silent_without_a_shift(data_2):
    finding = ht.calibration_monitor(data_2, keep_share=1.0, seed=2)
    assert finding.holds and not finding.table["shifted"].any()
    assert first_alert(finding.table) is None


def test_bad_inputs_name_what_is_wrong(data_1):
    no_truth = dataclasses.replace(data_1, source="kuairand", world=None)
    with pytest.raises(ValueError, match="needs the simulated feed's truth"):
        ht.dwell_against_clicks(no_truth)
    with pytest.raises(ValueError, match="needs the simulated feed's truth"):
        ht.comment_weight_change(no_truth)
    with pytest.raises(ValueError, match="top_slots"):
        ht.dwell_against_clicks(data_1, top_slots=0)
    with pytest.raises(ValueError, match="keep_share"):
        ht.downsampling_by_head(data_1, keep_share=0)
    with pytest.raises(ValueError, match="multiplier"):
        ht.comment_weight_change(data_1, multiplier=-1)
    with pytest.raises(ValueError, match="at least 2"):
        ht.comment_weight_sweep(data_1, multipliers=(1.0,))
    with pytest.raises(ValueError, match="shift_head"):
        ht.calibration_monitor(data_1, shift_head="click")
    with pytest.raises(ValueError, match="shift_day"):
        ht.calibration_monitor(data_1, shift_day=3)
    with pytest.raises(ValueError, match="tolerance"):
        ht.calibration_monitor(data_1, tolerance=0)
