"""Back-of-envelope sizing: each derived number by hand, the pressure points, and bad inputs."""

import pytest

from mlsd.sizing import GIB, Assumptions, size

# 100M daily users opening the home page 10 times a day, 100M videos as 64 float32 values,
# 500 candidates at 20 µs each, 30 ms for everything else, a 200 ms budget
VIDEO_SCALE = Assumptions(daily_users=100e6, requests_per_user=10, peak_factor=3, n_items=100e6,
                          embedding_dim=64, bytes_per_value=4, candidates=500, scoring_us=20,
                          scoring_parallelism=1, other_ms=30, latency_budget_ms=200,
                          log_bytes_per_request=2_000)


def test_every_quantity_follows_its_formula():
    s = size(VIDEO_SCALE)
    assert s.requests_per_day == 1e9
    assert s.mean_qps == pytest.approx(1e9 / 86_400)  # 11,574 requests/s
    assert s.peak_qps == pytest.approx(3 * 1e9 / 86_400)
    assert s.embedding_bytes == 100e6 * 64 * 4  # 25.6 GB = 23.8 GiB
    assert s.scoring_ms == pytest.approx(10.0)
    assert s.request_ms == pytest.approx(40.0)
    assert s.scoring_cores_at_peak == pytest.approx(3 * 1e9 / 86_400 * 500 * 20e-6)  # ≈ 347
    assert s.max_candidates_in_budget == pytest.approx(170 * 1_000 / 20)  # 8,500
    assert s.log_bytes_per_day == 2e12


def test_the_table_lists_each_quantity_with_its_unit_and_formula():
    table = size(VIDEO_SCALE).table()
    assert table.loc["embedding table", "value"] == pytest.approx(25.6e9 / GIB)
    assert table.loc["embedding table", "unit"] == "GiB"
    assert table.loc["peak load", "formula"] == "mean load × 3"
    assert list(table.columns) == ["value", "reads", "unit", "formula"]


def test_pressure_points_move_with_the_inputs():
    base = size(VIDEO_SCALE)
    findings = base.pressure_points(machine_memory_gib=64, machine_cores=32)
    assert [f.split(":")[0] for f in findings] == ["compute"]  # 347 cores > 32; 23.8 GiB < 32
    bigger = size(VIDEO_SCALE.replace(embedding_dim=256))  # 95 GiB
    assert [f.split(":")[0] for f in bigger.pressure_points(64, 1_000)] == ["memory"]
    slow = size(VIDEO_SCALE.replace(candidates=5_000))  # 100 ms of scoring + 30 ms
    assert [f.split(":")[0] for f in slow.pressure_points(64, 10_000)] == ["latency"]
    assert "at most 8,500 fit" in slow.pressure_points(64, 10_000)[0]
    quiet = size(VIDEO_SCALE.replace(daily_users=1e5, n_items=1e4))
    assert quiet.pressure_points() == []


def test_parallel_scoring_shortens_the_request_but_not_the_compute():
    parallel = size(VIDEO_SCALE.replace(scoring_parallelism=4))
    assert parallel.scoring_ms == pytest.approx(2.5)
    assert parallel.scoring_cores_at_peak == pytest.approx(size(VIDEO_SCALE).scoring_cores_at_peak)
    assert parallel.max_candidates_in_budget == pytest.approx(34_000)


@pytest.mark.parametrize("changes, message", [
    ({"daily_users": 0}, "daily_users must be"),
    ({"peak_factor": 0.5}, "peak_factor must be"),
    ({"other_ms": -1}, "other_ms must be"),
    ({"candidates": "many"}, "candidates must be"),
])
def test_bad_inputs_name_the_input_and_what_is_allowed(changes, message):
    with pytest.raises(ValueError, match=message):
        VIDEO_SCALE.replace(**changes)


def test_unknown_inputs_and_wrong_types_are_named():
    with pytest.raises(ValueError, match="unknown sizing input.*qps.*allowed: daily_users"):
        VIDEO_SCALE.replace(qps=3)
    with pytest.raises(ValueError, match="needs an mlsd.sizing.Assumptions; got dict"):
        size({"daily_users": 1})
    with pytest.raises(ValueError, match="machine_cores must be"):
        size(VIDEO_SCALE).pressure_points(machine_cores=0)


def test_each_value_also_reads_with_three_significant_digits():
    table = size(VIDEO_SCALE).table()
    assert table.loc["peak load", "reads"] == "34,700"  # 34,722 requests/s
    assert table.loc["embedding table", "reads"] == "23.8"
    assert table.loc["scoring per request", "reads"] == "10.0"
    assert table.loc["requests per day", "reads"] == "1,000,000,000"
