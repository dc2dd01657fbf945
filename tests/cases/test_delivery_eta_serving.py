"""The delivery-time quote's serving path against its budget."""

import pytest

from mlsd.cases.delivery_eta import serving
from mlsd.explore import FunnelBudgetState


def p99(**sizes):
    return FunnelBudgetState(serving.funnel_stages(**sizes), budget_ms=serving.LATENCY_BUDGET_MS,
                             seed=7).snapshot().request_p99_ms


def test_a_checkout_quote_fits_the_budget_and_a_home_page_of_stores_still_does():
    assert p99() <= serving.LATENCY_BUDGET_MS - 40
    assert p99(n_quotes=30) <= serving.LATENCY_BUDGET_MS
    assert p99(n_quotes=1_000) > serving.LATENCY_BUDGET_MS
    stages = serving.funnel_stages()
    assert max(stages, key=lambda stage: stage.median_ms).name.startswith("routing")
    with pytest.raises(ValueError, match="n_quotes"):
        serving.funnel_stages(n_quotes=0)
