"""The ad request's stages and latency: the scoring stage grows with the candidates scored."""

import pytest

from mlsd.cases.ad_click.serving import (
    LATENCY_BUDGET_MS,
    SIMULATED_REQUESTS,
    funnel_stages,
    request_latency,
    tail_by_correlation,
)
from mlsd.serving import Stage, latency_budget, simulate_latency

STAGES = [
    "parse request", "feature lookup", "candidate retrieval", "pCTR scoring", "auction and pricing",
    "response",
]


def test_only_the_scoring_stage_depends_on_the_candidates():
    few, many = funnel_stages(100, 20.0), funnel_stages(1_000, 20.0)
    assert [stage.name for stage in few] == STAGES
    changed = [a.name for a, b in zip(few, many) if a.median_ms != b.median_ms]
    assert changed == ["pCTR scoring"]
    assert many[3].median_ms == 1_000 * 20.0 / 1000


def test_request_latency_is_the_latency_budget_of_the_simulated_stages():
    table = request_latency(200, 20.0, LATENCY_BUDGET_MS, seed=3)
    stages = [Stage(stage.name, stage.median_ms, stage.sigma) for stage in funnel_stages(200, 20.0)]
    expected = latency_budget(simulate_latency(stages, SIMULATED_REQUESTS, 3), LATENCY_BUDGET_MS)
    assert table.equals(expected)
    assert table.loc["total", "p99_ms"] < table.loc["sum of stage p99s", "p99_ms"]
    crowded = request_latency(5_000, 20.0, seed=3)
    assert crowded.loc["total", "within_budget"] < table.loc["total", "within_budget"]


@pytest.mark.parametrize(
    "arguments, message",
    [
        ((0, 20.0), "n_candidates must be an integer >= 1; got 0"),
        ((10, 0.0), "scoring_us_per_ad must be a finite number > 0; got 0.0"),
    ],
)
def test_bad_sizes_are_named(arguments, message):
    with pytest.raises(ValueError, match=message):
        funnel_stages(*arguments)


def test_tail_by_correlation_reads_the_request_latency_at_each_correlation():
    table = tail_by_correlation(200, 20.0, correlations=(0.0, 0.5, 1.0), seed=2)
    assert table["correlation"].tolist() == [0.0, 0.5, 1.0]
    independent = request_latency(200, 20.0, seed=2)
    assert table["p99_total_ms"].iloc[0] == independent.loc["total", "p99_ms"]
    half = request_latency(200, 20.0, seed=2, correlation=0.5)
    assert table["within_budget"].iloc[1] == half.loc["total", "within_budget"]
    assert table["p99_over_sum"].iloc[0] < 0.8 and table["p99_over_sum"].iloc[-1] == pytest.approx(1.0, abs=1e-3)
