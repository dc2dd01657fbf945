"""The kit's shared argument checks: one rule for integers and numbers, one shape of message."""

import ast
import math
from pathlib import Path

import numpy as np
import pytest

import mlsd.metrics
from mlsd.validation import (
    as_1d,
    binary_labels,
    check_callable,
    check_choice,
    check_distinct_ints,
    check_distinct_numbers,
    check_int,
    check_number,
    is_integer,
    is_number,
    probabilities,
    same_length,
)

INTEGERS = [0, 7, -3, np.int64(5), np.int32(-2), np.uint8(200)]
FLOATS = [0.5, -2.25, np.float64(1.5), np.float32(0.25), math.inf, math.nan]
NOT_NUMBERS = [True, False, np.bool_(True), "1", b"1", None, [1], 1 + 0j]


@pytest.mark.parametrize("value", INTEGERS)
def test_python_and_numpy_integers_are_integers_and_numbers(value):
    assert is_integer(value) and is_number(value)


@pytest.mark.parametrize("value", FLOATS)
def test_floats_are_numbers_but_not_integers_even_when_whole(value):
    assert is_number(value) and not is_integer(value)
    assert not is_integer(2.0) and not is_integer(np.float64(2.0))


@pytest.mark.parametrize("value", NOT_NUMBERS)
def test_bools_text_and_containers_are_neither(value):
    assert not is_number(value) and not is_integer(value)


@pytest.mark.parametrize("value", INTEGERS)
def test_check_int_returns_a_plain_int(value):
    checked = check_int("n", value)
    assert type(checked) is int and checked == value


@pytest.mark.parametrize("value", [True, np.bool_(False), 2.0, np.float64(3), "2", None, math.nan])
def test_check_int_refuses_what_is_not_an_integer(value):
    with pytest.raises(ValueError) as error:
        check_int("n", value)
    assert str(error.value) == f"n must be an integer; got {value!r}"


@pytest.mark.parametrize(
    ("low", "high", "value", "allowed"),
    [
        (1, None, 0, "an integer >= 1"),
        (None, 3, 4, "an integer <= 3"),
        (1, 5, 6, "an integer in [1, 5]"),
        (1, 5, 0, "an integer in [1, 5]"),
        (2, None, np.int64(1), "an integer >= 2"),
    ],
)
def test_check_int_bounds_are_closed_and_named_in_the_message(low, high, value, allowed):
    with pytest.raises(ValueError) as error:
        check_int("k", value, low, high)
    assert str(error.value) == f"k must be {allowed}; got {value!r}"
    bound = low if low is not None else high
    assert check_int("k", bound, low, high) == bound  # the bounds are allowed


@pytest.mark.parametrize("value", [0, 3, 0.5, np.float32(0.25), np.int64(-4), np.float64(1e300)])
def test_check_number_returns_a_plain_float(value):
    checked = check_number("x", value)
    assert type(checked) is float and checked == float(value)


@pytest.mark.parametrize(
    "value", [True, np.bool_(True), math.nan, np.nan, math.inf, -math.inf, "1.0", None, 1j]
)
def test_check_number_refuses_bools_text_nan_and_infinity(value):
    with pytest.raises(ValueError) as error:
        check_number("x", value)
    assert str(error.value) == f"x must be a finite number; got {value!r}"


@pytest.mark.parametrize(
    ("bounds", "inside", "outside", "allowed"),
    [
        (dict(low=0), [0, 3.5], [-0.1], "a finite number >= 0"),
        (dict(low=0, low_open=True), [1e-9], [0, -1], "a finite number > 0"),
        (dict(high=1), [1, -5], [1.5], "a finite number <= 1"),
        (dict(high=1, high_open=True), [0.999], [1], "a finite number < 1"),
        (dict(low=0, high=1), [0, 1], [-0.5, 2], "a number in [0, 1]"),
        (dict(low=0, high=1, low_open=True), [1, 0.5], [0], "a number in (0, 1]"),
        (dict(low=0, high=1, high_open=True), [0], [1], "a number in [0, 1)"),
        (dict(low=0, high=1, low_open=True, high_open=True), [0.5], [0, 1], "a number in (0, 1)"),
        (dict(low=0.5, high=2.5), [0.5, 2.5], [0.25], "a number in [0.5, 2.5]"),
    ],
)
def test_check_number_bounds_open_or_closed(bounds, inside, outside, allowed):
    for value in inside:
        assert check_number("rate", value, **bounds) == value
    for value in [*outside, math.nan, math.inf]:
        with pytest.raises(ValueError) as error:
            check_number("rate", value, **bounds)
        assert str(error.value) == f"rate must be {allowed}; got {value!r}"


def test_check_choice_returns_the_value_and_lists_the_choices():
    assert check_choice("gain", "linear", ("linear", "exponential")) == "linear"
    with pytest.raises(ValueError) as error:
        check_choice("gain", "log", ("linear", "exponential"))
    assert str(error.value) == "gain must be one of 'linear', 'exponential'; got 'log'"


def test_check_choice_does_not_take_a_bool_for_a_number_or_a_number_for_a_bool():
    assert check_choice("arms", np.int64(2), (1, 2)) == 2
    with pytest.raises(ValueError, match=r"^arms must be one of 0, 1; got True$"):
        check_choice("arms", True, (0, 1))
    with pytest.raises(ValueError, match=r"^flag must be one of True, False; got 1$"):
        check_choice("flag", 1, (True, False))


def test_check_distinct_ints_takes_one_value_or_many():
    assert check_distinct_ints("seeds", 3) == (3,)
    assert check_distinct_ints("seeds", [np.int64(1), 2], low=0) == (1, 2)
    for bad in ([], [1, 1], [1, 2.0], [True], "12", [0, 5]):
        allowed = r"^seeds must be distinct values, each an integer in \[1, 4\], at least one"
        with pytest.raises(ValueError, match=allowed):
            check_distinct_ints("seeds", bad, 1, 4)


def test_check_distinct_numbers_takes_one_value_or_many():
    assert check_distinct_numbers("rates", 0.5) == (0.5,)
    rates = check_distinct_numbers("rates", (0.1, np.float64(1.0)), 0, 1, low_open=True)
    assert rates == (0.1, 1.0) and all(type(rate) is float for rate in rates)
    for bad in ([], [0.5, 0.5], [0.0], [math.nan], [0.5, "1"], [True]):
        with pytest.raises(ValueError) as error:
            check_distinct_numbers("rates", bad, 0, 1, low_open=True)
        assert str(error.value).startswith("rates must be distinct values, each a number in (0, 1]")


def test_check_callable():
    assert check_callable("score", len) is len
    with pytest.raises(ValueError, match=r"^score must be a function of a table; got 3$"):
        check_callable("score", 3, "a function of a table")


def test_as_1d_returns_a_clean_float_array_or_names_the_first_bad_value():
    array = as_1d([1, 2.5], "x")
    assert array.dtype == float and array.tolist() == [1.0, 2.5]
    assert as_1d(["a", "b"], "group", dtype=None).tolist() == ["a", "b"]
    problems = [
        ([1.0, math.nan], r"^x must be finite; x\[1\] = nan$"),
        ([math.inf], r"^x must be finite; x\[0\] = inf$"),
        ([[1.0, 2.0]], r"^x must be 1-dimensional; got an array of shape \(1, 2\)$"),
        ([], "^x is empty; at least one value is needed$"),
        (["one"], "^x must be numeric; got"),
    ]
    for values, message in problems:
        with pytest.raises(ValueError, match=message):
            as_1d(values, "x")


def test_same_length_names_every_length():
    same_length(a=np.zeros(2), b=np.ones(2))
    with pytest.raises(ValueError, match="^inputs must have the same length; a has 2, b has 3$"):
        same_length(a=np.zeros(2), b=np.ones(3))


def test_binary_labels_and_probabilities():
    assert binary_labels([0, 1, 1.0]).tolist() == [0.0, 1.0, 1.0]
    with pytest.raises(ValueError, match=r"^y_true must contain only 0 and 1; y_true\[1\] = 2.0$"):
        binary_labels([0, 2])
    assert probabilities([0, 0.5, 1]).tolist() == [0.0, 0.5, 1.0]
    with pytest.raises(ValueError, match=r"^p must lie in \[0, 1\]; p\[1\] = -0.1$"):
        probabilities([0.2, -0.1], "p")


def test_the_metrics_package_imports_only_mlsd_validation_of_the_kit():
    imported = set()
    for path in Path(mlsd.metrics.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
    ours = {name for name in imported if name.split(".")[0] == "mlsd"}
    assert {name for name in ours if not name.startswith("mlsd.metrics")} == {"mlsd.validation"}


def test_number_property_checks_every_assignment_and_keeps_its_doc():
    from mlsd.validation import number_property

    class Costs:
        cost = number_property("cost", "What a mistake costs.", 0)

    costs = Costs()
    costs.cost = 2
    assert costs.cost == 2.0 and type(costs.cost) is float and costs._cost == 2.0
    with pytest.raises(ValueError, match="cost"):
        costs.cost = -1
    assert costs.cost == 2.0 and Costs.cost.__doc__ == "What a mistake costs."
