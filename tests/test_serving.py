"""Serving-latency simulation: stage percentiles follow the log-normal story; budgets add up per request."""

import math

import numpy as np
import pytest

from mlsd.serving import Z_99, Stage, latency_budget, simulate_latency


def test_a_stage_p50_and_p99_follow_the_lognormal():
    samples = simulate_latency([Stage("only", 10.0, 0.5)], n_requests=400_000, seed=1)
    assert samples["only"].median() == pytest.approx(10.0, rel=0.01)
    assert samples["only"].quantile(0.99) == pytest.approx(10.0 * math.exp(Z_99 * 0.5), rel=0.02)


def test_the_request_p99_is_below_the_sum_of_stage_p99s_and_budget_share_is_counted():
    stages = [Stage("a", 5.0, 0.6), Stage("b", 5.0, 0.6), Stage("c", 5.0, 0.6)]
    samples = simulate_latency(stages, n_requests=50_000, seed=2)
    table = latency_budget(samples, budget_ms=20.0)
    assert table.loc["total", "p99_ms"] < table.loc["sum of stage p99s", "p99_ms"]
    assert table.loc["total", "within_budget"] == float(np.mean(samples.sum(axis=1) <= 20.0))
    assert table.loc[["a", "b", "c"], "share_of_mean"].sum() == pytest.approx(1.0, abs=1e-12)


def test_same_seed_same_latencies():
    stages = [Stage("a", 1.0), Stage("b", 2.0)]
    assert simulate_latency(stages, 1_000, seed=5).equals(simulate_latency(stages, 1_000, seed=5))


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: Stage("x", 0.0), "stage x: median_ms must be a finite number > 0; got 0.0"),
        (
            lambda: Stage("x", float("inf")),
            "stage x: median_ms must be a finite number > 0; got inf",
        ),
        (lambda: Stage("x", "5"), "stage x: median_ms must be a finite number > 0; got '5'"),
        (lambda: Stage("x", 1.0, -0.1), "stage x: sigma must be a finite number >= 0; got -0.1"),
        (lambda: simulate_latency([]), "stages is empty"),
        (
            lambda: simulate_latency([Stage("x", 1.0)], 0),
            "n_requests must be an integer >= 1; got 0",
        ),
        (
            lambda: simulate_latency([Stage("x", 1.0)], 10.0),
            "n_requests must be an integer >= 1; got 10.0",
        ),
        (
            lambda: latency_budget(simulate_latency([Stage("x", 1.0)], 10), 0),
            "budget_ms must be a finite number > 0; got 0",
        ),
    ],
)
def test_bad_input_is_named(make, message):
    with pytest.raises(ValueError, match=message):
        make()


# --- correlated stages ---------------------------------------------------------------------------

STAGES = [Stage("a", 5.0, 0.6), Stage("b", 8.0, 0.4), Stage("c", 2.0, 0.8)]


def test_independent_stages_draw_what_they_drew_before_the_option():
    assert simulate_latency(STAGES, 2_000, seed=4).equals(simulate_latency(STAGES, 2_000, seed=4, correlation=0.0))
    rng = np.random.default_rng(4)
    expected = np.array([5.0, 8.0, 2.0]) * np.exp(np.array([0.6, 0.4, 0.8]) * rng.standard_normal((2_000, 3)))
    np.testing.assert_array_equal(simulate_latency(STAGES, 2_000, seed=4).to_numpy(), expected)


@pytest.mark.parametrize("correlation", [0.0, 0.5, 1.0])
def test_correlation_keeps_each_stage_lognormal_and_correlates_their_logs(correlation):
    samples = simulate_latency(STAGES, 200_000, seed=3, correlation=correlation)
    for stage in STAGES:
        assert samples[stage.name].median() == pytest.approx(stage.median_ms, rel=0.01)
        assert samples[stage.name].quantile(0.99) == pytest.approx(stage.median_ms * math.exp(Z_99 * stage.sigma), rel=0.03)
    logs = np.log(samples.to_numpy())
    off_diagonal = np.corrcoef(logs.T)[np.triu_indices(3, 1)]
    assert off_diagonal == pytest.approx([correlation] * 3, abs=0.01)


def test_correlated_stages_push_the_total_p99_to_the_sum_of_stage_p99s():
    ratios = []
    for correlation in (0.0, 0.3, 0.6, 1.0):
        table = latency_budget(simulate_latency(STAGES, 100_000, seed=1, correlation=correlation), 20.0)
        ratios.append(table.loc["total", "p99_ms"] / table.loc["sum of stage p99s", "p99_ms"])
    assert ratios[0] < 0.85 and np.all(np.diff(ratios) > 0)
    assert ratios[-1] == pytest.approx(1.0, abs=1e-3)  # comonotone stages: quantiles add up


def test_correlation_outside_zero_one_is_named():
    with pytest.raises(ValueError, match=r"correlation must be a number in \[0, 1\]; got 1.5"):
        simulate_latency(STAGES, 10, correlation=1.5)
