"""Loading and splitting the ad-click data: the simulator split by day, a Criteo file (written here in
each exact layout) split in file order, and what was loaded."""

import numpy as np
import pandas as pd
import pytest

from mlsd.cases.ad_click.criteo import COLUMNS as CRITEO_COLUMNS
from mlsd.cases.ad_click.criteo import load_criteo
from mlsd.cases.ad_click.criteo_synthetic import write_synthetic_criteo
from mlsd.cases.ad_click.data import SOURCES, OrderedSplit, load_data, split, split_by_day
from mlsd.cases.ad_click.schema import check_hashed_log
from mlsd.cases.ad_click.simulate import AdMarket, simulate_market
from mlsd.cases.contract import CaseData
from mlsd.readers import DataFileError


@pytest.fixture(scope="module")
def data():
    knobs = {"base_ctr": 0.05, "drift": 0.2, "shift_day": 11}
    return load_data("simulated", seed=2, n_impressions=20_000, **knobs)


def test_the_simulated_source_is_the_simulators_market_with_its_sizes(data):
    assert isinstance(data, CaseData) and isinstance(data.world, AdMarket)
    expected = simulate_market(n_impressions=20_000, base_ctr=0.05, drift=0.2, shift_day=11, seed=2)
    assert data.table.equals(expected.impressions)
    assert data.sizes == {
        "rows": 20_000,
        "users": data.table["user_id"].nunique(),
        "items": data.table["ad_id"].nunique(),
        "days": data.table["time"].max() - data.table["time"].min(),
    }
    assert 13 < data.sizes["days"] < 14


def test_an_unknown_source_names_the_ones_there_are():
    assert SOURCES == ("simulated", "criteo")
    with pytest.raises(ValueError, match="data_source must be one of 'simulated', 'criteo'; got 'avazu'"):
        load_data("avazu")


def test_split_by_day_never_mixes_time(data):
    train, test = split_by_day(data.table, 10)
    assert train["day"].max() == 9 and test["day"].min() == 10
    with pytest.raises(ValueError, match=r"first_test_day must be an integer in \[1, 13\]; got 0"):
        split_by_day(data.table, 0)


def test_split_states_its_rule(data):
    held_out = split(data)
    assert held_out.train["time"].max() < held_out.test["time"].min()
    assert held_out.rule == "by day: days before 10 train, days 10–13 test"
    assert split(data, 12).rule == "by day: days before 12 train, days 12–13 test"


@pytest.fixture(scope="module", params=["train.txt", "csv"])
def criteo_file(request, tmp_path_factory):
    """A 1,005-line file with a planted signal in each exact layout."""
    folder = tmp_path_factory.mktemp(request.param.replace(".", "_"))
    return write_synthetic_criteo(folder / "clicks", 1_005, layout=request.param, seed=5).path


def test_the_criteo_source_is_the_file_as_the_reader_reads_it(criteo_file):
    data = load_data("criteo", str(criteo_file), seed=3, n_impressions=50_000)  # simulator keywords unused
    assert data.source == "criteo" and data.world is None
    pd.testing.assert_frame_equal(data.table, load_criteo(criteo_file))
    assert list(data.table.columns[: len(CRITEO_COLUMNS)]) == list(CRITEO_COLUMNS)
    assert data.sizes == {"rows": 1_005, "days": 7 * 1_004 / 1_005}


def test_criteo_needs_its_file_and_says_where_it_comes_from():
    with pytest.raises(ValueError) as error:
        load_data("criteo")
    assert str(error.value) == (
        "data_source 'criteo' needs data_path: the click log you downloaded, e.g. "
        "datasets/real/criteo/dac_sample.txt (see datasets/criteo.md)"
    )


def test_the_criteo_split_is_ordered_80_10_10_and_states_its_rule(criteo_file):
    data = load_data("criteo", str(criteo_file))
    held_out = split(data, first_test_day=12)  # no days: first_test_day does not apply
    assert isinstance(held_out, OrderedSplit)
    table = data.table
    pd.testing.assert_frame_equal(held_out.train, table.iloc[:804])  # floor(0.8 × 1005)
    pd.testing.assert_frame_equal(held_out.validation, table.iloc[804:904])  # floor(0.9 × 1005)
    pd.testing.assert_frame_equal(held_out.test, table.iloc[904:])
    assert held_out.train["time"].max() < held_out.validation["time"].min()
    assert held_out.validation["time"].max() < held_out.test["time"].min()
    assert held_out.rule == (
        "ordered by line: the first 804 lines (80%) train, the next 100 (10%) choose the trees' "
        "count and the threshold, the last 101 (10%) test"
    )


def test_the_criteo_split_matches_the_published_protocol_on_100000_lines(tmp_path):
    path = write_synthetic_criteo(tmp_path / "dac_sample.txt", 100_000, seed=1).path
    held_out = split(load_data("criteo", str(path)))
    assert [part.index[[0, -1]].tolist() for part in (held_out.train, held_out.validation, held_out.test)] == [
        [0, 79_999], [80_000, 89_999], [90_000, 99_999]
    ]


def test_a_criteo_split_part_without_a_click_is_refused(tmp_path):
    written = write_synthetic_criteo(tmp_path / "tiny.txt", 200, seed=0).path
    lines = written.read_text().splitlines(keepends=True)
    lines[180:] = ["0" + line[1:] for line in lines[180:]]  # the last 20 lines, the test part: no click
    written.write_text("".join(lines))
    with pytest.raises(ValueError) as error:
        split(load_data("criteo", str(written)))
    assert str(error.value) == (
        "the test part of the ordered split (20 of 200 lines) needs a click and a non-click; use a "
        "larger file"
    )


@pytest.mark.parametrize(("layout", "line", "number"), [("train.txt", 7, 7), ("csv", 7, 8)])
def test_a_malformed_line_reaches_the_notebook_as_a_file_and_line_error(tmp_path, layout, line, number):
    path = write_synthetic_criteo(tmp_path / "bad", 20, layout=layout, seed=0).path
    lines = path.read_text().splitlines(keepends=True)
    separator = "," if layout == "csv" else "\t"
    offset = 1 if layout == "csv" else 0  # the header is line 1
    fields = lines[line - 1 + offset].rstrip("\n").split(separator)
    fields[-26] = "NOT-HEX!"  # C1
    lines[line - 1 + offset] = separator.join(fields) + "\n"
    path.write_text("".join(lines))
    with pytest.raises(DataFileError) as error:
        load_data("criteo", str(path))
    assert str(error.value).startswith(
        f"{path}, line {number}: field C1 = NOT-HEX! is not allowed: 8 lower-case hex digits"
    )
    assert error.value.line == number


def test_a_missing_criteo_file_says_the_kit_does_not_download_it(tmp_path):
    with pytest.raises(DataFileError, match="no such file; expected a Criteo click log .* never downloads it"):
        load_data("criteo", str(tmp_path / "dac_sample.txt"))


def test_check_hashed_log_names_the_source_and_the_rule(criteo_file):
    log = load_criteo(criteo_file)
    assert check_hashed_log(log, "f") is log
    with pytest.raises(ValueError, match=r"^f: missing columns \['C26'\]; a hashed log has"):
        check_hashed_log(log.drop(columns="C26"), "f")
    with pytest.raises(ValueError, match=r"^f: no rows$"):
        check_hashed_log(log.iloc[:0], "f")
    with pytest.raises(ValueError, match=r"^f: label must be 0 or 1$"):
        check_hashed_log(log.assign(label=np.full(len(log), 2)), "f")
    with pytest.raises(ValueError, match=r"^f: rows must be sorted by time$"):
        check_hashed_log(log.iloc[::-1], "f")
