"""Parameter declarations: parsing, conversion, range checks and the in-notebook check."""

import math
import sys

import pytest
from IPython.core.interactiveshell import InteractiveShell

from mlsd.params import Choices, Interval, ParameterError, check_parameters, parse_parameters

CELL = """\
# comments and blank lines are skipped

seed: int = 7  # random seed, in [0, 4294967295]
rate: float = 0.02  # share of positives, in (0, 1)
cost: float = 1  # cost of a false positive, in [0, inf)
split: str = "temporal"  # how to split, one of {temporal, random}
plot: bool = True  # draw the figures
note: str = "a # inside"  # a string holding a hash
"""


def test_parse_reads_name_type_default_help_and_allowed():
    params = parse_parameters(CELL)
    assert list(params) == ["seed", "rate", "cost", "split", "plot", "note"]
    assert params["seed"].type is int and params["seed"].default == 7
    assert params["seed"].allowed == Interval(0, 4294967295, True, True)
    assert params["rate"].allowed == Interval(0, 1, False, False)
    assert params["cost"].allowed == Interval(0, math.inf, True, False)
    assert params["split"].allowed == Choices(("temporal", "random"))
    assert params["plot"].allowed is None and params["plot"].help == "draw the figures"
    assert params["note"].default == "a # inside" and params["note"].help == "a string holding a hash"


@pytest.mark.parametrize(
    "name, value, expected",
    [("seed", 0, 0), ("rate", 0.5, 0.5), ("rate", 1e-9, 1e-9), ("cost", 3, 3.0), ("split", "random", "random"), ("plot", False, False)],
)
def test_check_accepts_allowed_values(name, value, expected):
    checked = parse_parameters(CELL)[name].check(value)
    assert checked == expected and type(checked) is type(expected)


@pytest.mark.parametrize(
    "name, value, allowed",
    [
        ("seed", -1, "an int in [0, 4294967295]"),
        ("seed", 1.0, "an int in [0, 4294967295]"),
        ("seed", True, "an int in [0, 4294967295]"),
        ("rate", 0, "a float in (0, 1)"),
        ("rate", 1.0, "a float in (0, 1)"),
        ("rate", float("nan"), "a float in (0, 1)"),
        ("rate", "0.1", "a float in (0, 1)"),
        ("cost", float("inf"), "a float in [0, inf)"),
        ("split", "future", "one of {temporal, random}"),
        ("plot", 1, "True or False"),
    ],
)
def test_check_rejects_with_one_line_naming_parameter_value_and_allowed(name, value, allowed):
    with pytest.raises(ParameterError) as caught:
        parse_parameters(CELL)[name].check(value)
    message = str(caught.value)
    assert message == f"parameter {name} = {value!r} is not allowed: expected {allowed}"
    assert "\n" not in message


@pytest.mark.parametrize(
    "name, text, expected",
    [("seed", "42", 42), ("seed", "1_000", 1000), ("rate", "0.25", 0.25), ("rate", "1e-3", 0.001), ("split", "random", "random"), ("plot", "false", False), ("plot", "True", True)],
)
def test_from_text_converts_command_line_values_by_declared_type(name, text, expected):
    assert parse_parameters(CELL)[name].from_text(text) == expected


@pytest.mark.parametrize("name, text", [("seed", "abc"), ("seed", "4.5"), ("rate", "high"), ("plot", "yes"), ("split", "3")])
def test_from_text_rejects_text_that_is_not_an_allowed_value(name, text):
    with pytest.raises(ParameterError, match=f"parameter {name} = '{text}' is not allowed"):
        parse_parameters(CELL)[name].from_text(text)


@pytest.mark.parametrize(
    "source, problem",
    [
        ("seed = 7  # no annotation", "expected 'name: type = value  # help'"),
        ("seed: list = [1]  # a list", "allowed types are int, float, str, bool"),
        ("seed: int = 7 + x  # not a literal", "must be a literal"),
        ("seed: int = 70  # too big, in [0, 10]", "the default is not allowed"),
        ("seed: int = 1  # one\nseed: int = 2  # two", "declared twice"),
        ("seed: int = 1  # empty, in [5, 1]", "is empty"),
        ("seed: int = 1  # bad bound, in [a, 5]", "'a' is not a number"),
        ("seed: int = (1  # unclosed bracket", "cannot read"),
        ('name: str = "x  # unclosed string', "must be a literal"),
    ],
)
def test_malformed_declarations_are_rejected_with_the_line(source, problem):
    with pytest.raises(ParameterError, match="my.ipynb, parameters cell, line") as caught:
        parse_parameters(source, where="my.ipynb, parameters cell")
    assert problem in str(caught.value)


@pytest.fixture
def shell():
    """A fresh IPython shell, as a notebook's kernel runs cells.

    The shell puts its own module in ``sys.modules["__main__"]``, one without ``__spec__``, which
    breaks multiprocessing's spawn (Dask's LocalCluster) in later tests of the same process: the
    real one is put back.
    """
    main = sys.modules["__main__"]
    shell = InteractiveShell.instance()
    yield shell
    shell.reset()
    InteractiveShell.clear_instance()
    sys.modules["__main__"] = main


@pytest.mark.parametrize("store_history", [True, False])  # nbval executes with store_history=False
def test_check_parameters_reads_the_executed_parameters_cell_and_the_injected_values(shell, store_history):
    assert shell.run_cell(CELL, store_history=store_history).success
    injected = "# Parameters\nseed = 3\nrate = 0.5\ncost = 2\n"  # what papermill injects
    assert shell.run_cell(injected, store_history=store_history).success
    result = shell.run_cell("import mlsd\nvalues = mlsd.check_parameters()", store_history=store_history)
    assert result.success, result.error_in_exec
    values = shell.user_ns["values"]
    assert values["seed"] == 3 and values["rate"] == 0.5 and values["split"] == "temporal"
    assert shell.user_ns["cost"] == 2.0 and isinstance(shell.user_ns["cost"], float)


def test_check_parameters_needs_no_notebook_file_in_the_working_folder(shell, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # papermill started from another folder, or a renamed copy
    shell.run_cell(CELL)
    assert shell.run_cell("import mlsd\nvalues = mlsd.check_parameters()").success
    assert shell.user_ns["values"]["seed"] == 7


def test_check_parameters_uses_the_parameters_cell_run_last(shell):
    shell.run_cell(CELL)
    shell.run_cell(CELL + "extra: int = 1  # one more, in [0, 2]\n")  # the cell edited and run again
    assert shell.run_cell("import mlsd\nvalues = mlsd.check_parameters()").success
    assert shell.user_ns["values"]["extra"] == 1


def test_a_malformed_parameters_cell_is_reported_not_skipped(shell):
    shell.run_cell(CELL.replace("in [0, 4294967295]", "in [0, 5]"))  # the default 7 is out of range
    result = shell.run_cell("import mlsd\nmlsd.check_parameters()")
    assert isinstance(result.error_in_exec, ParameterError)
    assert "the default is not allowed: parameter seed = 7 is not allowed" in str(result.error_in_exec)


def test_check_parameters_rejects_an_injected_value_with_one_line(shell):
    shell.run_cell(CELL)
    shell.run_cell("rate = 1.5")
    result = shell.run_cell("import mlsd\nmlsd.check_parameters()")
    assert isinstance(result.error_in_exec, ParameterError)
    assert str(result.error_in_exec) == "parameter rate = 1.5 is not allowed: expected a float in (0, 1)"
    assert result.error_in_exec._render_traceback_() == [f"ParameterError: {result.error_in_exec}"]


def test_check_parameters_before_the_parameters_cell_says_what_to_run(shell):
    shell.run_cell("x = 1  # not a declaration")
    result = shell.run_cell("import mlsd\nmlsd.check_parameters()")
    assert isinstance(result.error_in_exec, ParameterError)
    assert str(result.error_in_exec) == "no parameters cell has run in this kernel; run the cell tagged 'parameters' first"


def test_a_cell_of_annotations_without_help_is_not_a_parameters_cell(shell):
    shell.run_cell(CELL)
    shell.run_cell("k: int = 10\nname = 'x'")  # a learner's own variables
    assert shell.run_cell("import mlsd\nvalues = mlsd.check_parameters()").success
    assert "k" not in shell.user_ns["values"]


def test_check_parameters_outside_a_notebook_needs_a_namespace_and_source():
    with pytest.raises(RuntimeError, match="outside a notebook"):
        check_parameters()
    namespace = {"seed": 1, "rate": 0.1, "cost": 0, "split": "random", "plot": False, "note": ""}
    assert check_parameters(namespace, CELL)["cost"] == 0.0


def test_the_main_module_keeps_its_spec_after_the_shell_tests():
    # runs after the shell tests above, in the same process; spawn-based tests need __main__.__spec__
    assert hasattr(sys.modules["__main__"], "__spec__")
