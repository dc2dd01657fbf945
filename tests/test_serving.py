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
