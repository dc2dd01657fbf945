"""Tests for mlsd.monitoring: hand-worked PSI, agreement with scipy, status bands, the report, errors."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy.spatial.distance import jensenshannon
from scipy.stats import ks_2samp

from mlsd.monitoring import (
    EMPTY_BIN_SHARE,
    binned_shares,
    category_shares,
    drift_report,
    first_alert,
    js_divergence,
    ks_statistic,
    psi,
    psi_categorical,
)

SEEDS = range(20)


def random_pair(seed, *, ties=False):
    """Two samples of random sizes, the second shifted and rescaled; integers when ``ties``."""
    rng = np.random.default_rng(seed)
    n, m = (int(size) for size in rng.integers(1, 400, size=2))
    if ties:
        return rng.integers(0, 8, size=n).astype(float), rng.integers(1, 10, size=m).astype(float)
    return rng.normal(size=n), rng.normal(rng.uniform(-1, 1), rng.uniform(0.5, 2), size=m)


# --- PSI -----------------------------------------------------------------------------------------


def test_psi_of_identical_samples_is_zero():
    sample = np.random.default_rng(0).normal(size=1000)
    assert psi(sample, sample) == 0.0
    assert psi(sample, sample.copy()[::-1]) == 0.0


def test_psi_matches_a_hand_worked_value_from_shares():
    # The median of 0..9 is 4.5: the reference splits 50/50, the current 70/30.
    reference = np.arange(10)
    current = [0] * 7 + [9] * 3
    expected = (0.7 - 0.5) * math.log(0.7 / 0.5) + (0.3 - 0.5) * math.log(0.3 / 0.5)
    assert psi(reference, current, bins=2) == pytest.approx(expected, rel=1e-12)


def test_psi_floors_an_empty_bin_at_the_documented_share():
    reference = np.arange(10)
    current = [0, 1, 2, 3]  # nothing above the median
    expected = (1 - 0.5) * math.log(1 / 0.5) + (EMPTY_BIN_SHARE - 0.5) * math.log(EMPTY_BIN_SHARE / 0.5)
    assert psi(reference, current, bins=2) == pytest.approx(expected, rel=1e-12)


def test_bins_are_reference_quantiles_with_open_outer_bins_and_merged_ties():
    shares = binned_shares(np.arange(100), [-50, 5, 500], bins=4)
    assert shares["low"].tolist() == [-np.inf, 24.75, 49.5, 74.25]
    assert shares["high"].tolist() == [24.75, 49.5, 74.25, np.inf]
    assert shares["reference_share"].tolist() == [0.25] * 4
    assert shares["current_share"].tolist() == pytest.approx([2 / 3, 0, 0, 1 / 3])
    tied = binned_shares([0] * 8 + [1, 2], [0, 1], bins=10)  # seven deciles equal 0 and merge into one edge
    assert tied["low"].tolist() == pytest.approx([-np.inf, 0.0, 0.2, 1.1])
    assert tied["reference_share"].tolist() == pytest.approx([0.0, 0.8, 0.1, 0.1])
    assert tied["current_share"].tolist() == [0.0, 0.5, 0.5, 0.0]  # a value on an edge belongs to the bin above


def test_bin_shares_agree_with_numpy_histogram_on_the_same_edges():
    reference, current = random_pair(3)
    shares = binned_shares(reference, current, bins=7)
    edges = np.concatenate([[-1e300], shares["high"].to_numpy()[:-1], [1e300]])
    counts, _ = np.histogram(current, bins=edges)
    assert shares["current_share"].to_numpy() == pytest.approx(counts / len(current))


@pytest.mark.parametrize("seed", SEEDS)
def test_psi_is_non_negative_and_nearly_symmetric_for_large_samples(seed):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=50_000), rng.normal(0.3, 1.1, size=50_000)
    forward, backward = psi(a, b), psi(b, a)
    assert forward > 0 and backward > 0
    assert forward == pytest.approx(backward, rel=0.15)  # the bins come from the reference, so not exactly


def test_psi_grows_with_the_mean_shift():
    rng = np.random.default_rng(1)
    reference = rng.normal(size=20_000)
    values = [psi(reference, rng.normal(shift, 1, size=20_000)) for shift in (0.0, 0.2, 0.4, 0.8, 1.6)]
    assert values == sorted(values)
    assert values[-1] > 10 * values[1]


@pytest.mark.parametrize(
    ("shift", "band"),
    [(0.0, "ok"), (0.1, "ok"), (0.45, "warn"), (0.8, "alert"), (1.5, "alert")],
)
@pytest.mark.parametrize("seed", range(5))
def test_shifted_normals_land_in_the_expected_rule_of_thumb_band(shift, band, seed):
    rng = np.random.default_rng(seed)
    reference = pd.DataFrame({"x": rng.normal(size=20_000)})
    windows = pd.DataFrame({"day": 1, "x": rng.normal(shift, 1, size=20_000)})
    assert drift_report(reference, windows, "day", ["x"])["status"].item() == band


# --- categorical PSI -----------------------------------------------------------------------------


def test_psi_categorical_matches_hand_worked_shares_and_gives_a_new_category_its_own_bin():
    reference = ["a"] * 6 + ["b"] * 4
    current = ["a"] * 5 + ["b"] * 3 + ["new"] * 2
    shares = category_shares(reference, current)
    assert shares.index.tolist() == ["a", "b", "new"]
    assert shares["reference_share"].tolist() == [0.6, 0.4, 0.0]
    assert shares["current_share"].tolist() == [0.5, 0.3, 0.2]
    expected = (
        (0.5 - 0.6) * math.log(0.5 / 0.6)
        + (0.3 - 0.4) * math.log(0.3 / 0.4)
        + (0.2 - EMPTY_BIN_SHARE) * math.log(0.2 / EMPTY_BIN_SHARE)
    )
    assert psi_categorical(reference, current) == pytest.approx(expected, rel=1e-12)
    assert psi_categorical(reference, current) > 0.25  # 20% of traffic in an unseen category is an alert


def test_psi_categorical_is_zero_for_equal_shares_and_symmetric():
    assert psi_categorical(["x", "y", "y"], ["y", "x", "y", "y", "x", "y"]) == 0.0
    a, b = list("aabbbcd"), list("abccdde")
    assert psi_categorical(a, b) == pytest.approx(psi_categorical(b, a), rel=1e-12)


def test_missing_values_are_a_category_of_their_own():
    shares = category_shares(pd.Series(["a", None, "a", "b"]), np.array(["a", np.nan, np.nan], dtype=object))
    assert shares["reference_share"].sum() == pytest.approx(1) and len(shares) == 3
    assert shares["current_share"].max() == pytest.approx(2 / 3)


# --- KS and JS against scipy ---------------------------------------------------------------------


@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("seed", SEEDS)
def test_ks_statistic_matches_scipy(seed, ties):
    reference, current = random_pair(seed, ties=ties)
    assert ks_statistic(reference, current) == pytest.approx(ks_2samp(reference, current).statistic, abs=1e-12)


def test_ks_statistic_extremes():
    assert ks_statistic([1, 2, 3], [3, 2, 1]) == 0.0
    assert ks_statistic([1, 2, 3], [10, 11]) == 1.0


@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("seed", SEEDS)
def test_js_divergence_matches_scipy_on_the_same_bin_shares(seed, ties):
    reference, current = random_pair(seed, ties=ties)
    shares = binned_shares(reference, current, bins=6)
    expected = jensenshannon(shares["reference_share"], shares["current_share"], base=2) ** 2
    assert js_divergence(reference, current, bins=6) == pytest.approx(expected, abs=1e-12)


def test_js_divergence_is_bounded_by_one_and_zero_for_identical_samples():
    assert js_divergence([1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0]) == 0.0
    assert js_divergence([5.0] * 4, [-100.0, -200.0]) == 1.0  # all below the constant reference: no shared bin


# --- the report ----------------------------------------------------------------------------------


def _traffic(seed=0):
    rng = np.random.default_rng(seed)
    reference = pd.DataFrame({"amount": rng.normal(50, 10, 10_000), "city": rng.choice(["paris", "lyon"], 10_000)})
    windows = pd.DataFrame(
        {
            "week": np.repeat(["2024-02", "2024-01"], 10_000),
            "amount": np.concatenate([rng.normal(62, 10, 10_000), rng.normal(50, 10, 10_000)]),
            "city": np.concatenate([rng.choice(["paris", "lyon", "nice"], 10_000), rng.choice(["paris", "lyon"], 10_000)]),
        }
    )
    return reference, windows


def test_drift_report_has_one_row_per_window_and_column_in_order_with_statuses():
    reference, windows = _traffic()
    report = drift_report(reference, windows, "week", ["amount", "city"])
    assert report.columns.tolist() == ["week", "column", "n", "psi", "status"]
    assert report[["week", "column"]].values.tolist() == [["2024-01", "amount"], ["2024-01", "city"], ["2024-02", "amount"], ["2024-02", "city"]]
    assert report["n"].tolist() == [10_000] * 4
    assert report["status"].tolist() == ["ok", "ok", "alert", "alert"]
    week2 = windows[windows["week"] == "2024-02"]
    assert report["psi"].iloc[2] == pytest.approx(psi(reference["amount"], week2["amount"]), rel=1e-12)
    assert report["psi"].iloc[3] == pytest.approx(psi_categorical(reference["city"], week2["city"]), rel=1e-12)


@pytest.mark.parametrize("dtype", [object, "category", "string", "str", bool])
def test_drift_report_uses_categorical_psi_for_non_numeric_dtypes(dtype):
    values = [True, False, True, True] if dtype is bool else ["a", "b", "a", "a"]
    reference = pd.DataFrame({"f": pd.Series(values * 10, dtype=dtype)})
    windows = pd.DataFrame({"w": [1] * 8, "f": pd.Series(values[::-1] * 2, dtype=dtype)})
    report = drift_report(reference, windows, "w", ["f"])
    assert report["psi"].item() == pytest.approx(psi_categorical(values * 10, values[::-1] * 2))


def test_status_thresholds_are_inclusive_at_their_lower_end():
    reference = pd.DataFrame({"c": ["a"] * 6 + ["b"] * 4})
    windows = pd.DataFrame({"w": [1] * 10, "c": ["a"] * 5 + ["b"] * 5})
    value = psi_categorical(reference["c"], windows["c"])
    status = lambda warn, alert: drift_report(reference, windows, "w", ["c"], warn=warn, alert=alert)["status"].item()
    assert (status(value, 1.0), status(0.0, value), status(value * 1.01, 1.0)) == ("warn", "alert", "ok")


def test_drift_report_with_js_and_ks_uses_the_same_functions():
    reference, windows = _traffic(1)
    week2 = windows[windows["week"] == "2024-02"]
    js = drift_report(reference, windows, "week", ["amount", "city"], statistic="js", warn=0.01, alert=0.05)
    assert js["js"].iloc[2] == pytest.approx(js_divergence(reference["amount"], week2["amount"]), rel=1e-12)
    city = category_shares(reference["city"], week2["city"])
    expected = jensenshannon(city["reference_share"], city["current_share"], base=2) ** 2
    assert js["js"].iloc[3] == pytest.approx(expected, abs=1e-12)
    ks = drift_report(reference, windows, "week", ["amount"], statistic="ks", warn=0.05, alert=0.2)
    assert ks["ks"].iloc[1] == pytest.approx(ks_2samp(reference["amount"], week2["amount"]).statistic, abs=1e-12)


# --- input errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: psi([1.0, 2.0], []), "current is empty"),
        (lambda: psi([1.0, np.nan], [1.0]), r"reference must be finite; reference\[1\] = nan"),
        (lambda: psi(["a", "b"], [1.0]), "reference must be numeric"),
        (lambda: psi([[1.0, 2.0]], [1.0]), "1-dimensional"),
        (lambda: psi([1.0, 2.0], [1.0], bins=1), "bins must be an integer >= 2; got 1"),
        (lambda: js_divergence([1.0, 2.0], [1.0], bins=2.5), "bins must be an integer >= 2; got 2.5"),
        (lambda: ks_statistic([], [1.0]), "reference is empty"),
        (lambda: psi_categorical([], ["a"]), "reference is empty"),
        (lambda: psi_categorical([["a"]], ["a"]), "reference must be 1-dimensional"),
    ],
)
def test_statistics_reject_bad_input_naming_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"statistic": "kl"}, "statistic must be one of 'psi', 'js', 'ks'; got 'kl'"),
        ({"warn": 0.3, "alert": 0.2}, "warn must be <= alert"),
        ({"warn": -0.1}, "warn must be a finite number >= 0; got -0.1"),
        ({"alert": float("nan")}, "alert must be a finite number >= 0"),
        ({"window_column": "day"}, "window_column 'day' is not a column of windows"),
        ({"columns": "amount"}, "columns must be a non-empty list"),
        ({"columns": []}, "columns must be a non-empty list"),
        ({"columns": ["week"]}, "must not include the window_column"),
        ({"columns": ["amount", "price"]}, r"columns \['price'\] are not in reference"),
        ({"columns": ["city"], "statistic": "ks"}, "statistic 'ks' needs numbers; column 'city' is categorical"),
        ({"bins": 0}, "bins must be an integer >= 2"),
    ],
)
def test_drift_report_rejects_bad_arguments_naming_them(change, message):
    reference, windows = _traffic()
    arguments = {"reference": reference, "windows": windows, "window_column": "week", "columns": ["amount", "city"]} | change
    with pytest.raises(ValueError, match=message):
        drift_report(**arguments)


def test_drift_report_rejects_mismatched_dtypes_missing_windows_and_missing_numbers():
    reference, windows = _traffic()
    with pytest.raises(ValueError, match="column 'amount' is float64 in reference but .* in windows"):
        drift_report(reference, windows.assign(amount=windows["amount"].astype(str)), "week", ["amount"])
    with pytest.raises(ValueError, match="missing in 1 rows"):
        drift_report(reference, windows.assign(week=windows["week"].where(windows.index != 3)), "week", ["amount"])
    with pytest.raises(ValueError, match=r"window '2024-02': windows\['amount'\] must be finite"):
        drift_report(reference, windows.assign(amount=windows["amount"].where(windows.index != 3)), "week", ["amount"])
    with pytest.raises(ValueError, match="has dtype datetime64"):
        drift_report(reference.assign(t=pd.Timestamp("2024-01-01")), windows.assign(t=pd.Timestamp("2024-01-01")), "week", ["t"])
    with pytest.raises(ValueError, match="windows must be a pandas DataFrame; got a dict"):
        drift_report(reference, {"week": [1]}, "week", ["amount"])


# --- first_alert ---------------------------------------------------------------------------------


def test_first_alert_is_the_first_window_with_an_alert_as_a_plain_value():
    rng = np.random.default_rng(0)
    reference = pd.DataFrame({"x": rng.normal(size=2_000)})
    windows = pd.DataFrame({"day": np.repeat([3, 4, 5, 6], 500), "x": rng.normal(size=2_000)})
    windows.loc[windows["day"] >= 5, "x"] += 2.0  # the shift starts on day 5
    report = drift_report(reference, windows, "day", ["x"])
    assert first_alert(report) == 5 and type(first_alert(report)) is int
    assert first_alert(report, status="ok") == 3
    assert first_alert(report[report["day"] < 5]) is None


def test_first_alert_refuses_what_is_not_a_drift_report():
    with pytest.raises(ValueError, match="report must be a drift_report table"):
        first_alert(pd.DataFrame({"day": [1]}))
    with pytest.raises(ValueError, match="status must be one of 'ok', 'warn', 'alert'; got 'bad'"):
        first_alert(pd.DataFrame({"day": [1], "status": ["ok"]}), status="bad")
